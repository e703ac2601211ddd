"""Reads for single sign-on: which identity provider serves an address, and the beheerder's view."""

from django.db.models import Prefetch, QuerySet

from . import permissions
from .models import IdentityProvider, IdentityProviderDomain, Organisation, User
from .sso_rules import email_domain


def _providers() -> QuerySet[IdentityProvider]:
    return IdentityProvider.objects.select_related("organisation").prefetch_related(
        Prefetch("domains", queryset=IdentityProviderDomain.objects.order_by("domain"))
    )


def identity_providers_active() -> QuerySet[IdentityProvider]:
    """Every provider in use, with its organisation and domains (allauth's list of apps)."""
    return _providers().filter(is_active=True)


def identity_provider_for_email(*, email: str) -> IdentityProvider | None:
    """The provider in use for the domain of ``email``, if any."""
    if "@" not in email:
        return None
    match = (
        IdentityProviderDomain.objects.select_related("provider__organisation")
        .filter(domain=email_domain(email), provider__is_active=True)
        .first()
    )
    return match.provider if match else None


def identity_provider_by_provider_id(*, provider_id: str) -> IdentityProvider | None:
    """The provider in use that allauth knows as ``provider_id`` ("org-<organisation id>")."""
    prefix, _, organisation_id = provider_id.partition("-")
    if prefix != "org" or not organisation_id.isdigit():
        return None
    return identity_providers_active().filter(organisation_id=int(organisation_id)).first()


def password_login_refused(*, email: str) -> bool:
    """Whether the organisation behind ``email`` allows only its own identity provider."""
    provider = identity_provider_for_email(email=email)
    return provider is not None and not provider.password_login_allowed


def identity_provider_administered(
    *, user: User, organisation: Organisation
) -> IdentityProvider | None:
    """The organisation's provider (in use or not), for the beheerder only."""
    if not permissions.can_administer(user):
        return None
    return _providers().filter(organisation=organisation).first()
