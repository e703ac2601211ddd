"""Writes for single sign-on: the beheerder's identity providers, accounts made at first login."""

from collections.abc import Sequence
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from . import mfa_crypto, permissions, services
from .models import IdentityProvider, IdentityProviderDomain, Organisation, User, domain_validator


def _clean_provider_domains(domains: Sequence[str], *, provider: IdentityProvider) -> list[str]:
    """Lower-cased, valid, each once, and served by no other identity provider."""
    cleaned = list(dict.fromkeys(domain.strip().lower() for domain in domains if domain.strip()))
    if not cleaned:
        raise ValidationError(
            {"domains": _("Vul ten minste één e-maildomein in dat deze inlogdienst bedient.")}
        )
    for domain in cleaned:
        try:
            domain_validator(domain)
        except ValidationError as error:
            raise ValidationError({"domains": error.messages}) from error
    taken = (
        IdentityProviderDomain.objects.filter(domain__in=cleaned)
        .exclude(provider_id=provider.pk)
        .select_related("provider__organisation")
    )
    for row in taken:
        raise ValidationError(
            {
                "domains": _("%(domain)s hoort al bij de inlogdienst van %(organisation)s.")
                % {"domain": row.domain, "organisation": row.provider.organisation.name}
            }
        )
    return cleaned


# Only a provider on this machine may be spoken to without TLS (a test or a local trial).
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _check_issuer(issuer: str) -> None:
    parts = urlsplit(issuer)
    if parts.scheme != "https" and parts.hostname not in _LOOPBACK_HOSTS:
        raise ValidationError(
            {"issuer": _("Gebruik een https-adres: de inlogdienst stuurt gegevens over mensen.")}
        )


@transaction.atomic
def identity_provider_save(
    *,
    actor: User,
    organisation: Organisation,
    issuer: str,
    client_id: str,
    client_secret: str,
    domains: Sequence[str],
    accepted_acr_values: Sequence[str] = (),
    password_login_allowed: bool = True,
    is_active: bool = True,
) -> IdentityProvider:
    """Set up or change an organisation's identity provider; an empty secret keeps the old one."""
    if not permissions.can_administer(actor):
        raise PermissionDenied
    provider = IdentityProvider.objects.select_for_update().filter(
        organisation=organisation
    ).first() or IdentityProvider(organisation=organisation)
    provider.issuer = issuer.strip().rstrip("/")
    _check_issuer(provider.issuer)
    provider.client_id = client_id.strip()
    provider.accepted_acr_values = "\n".join(
        dict.fromkeys(value.strip() for value in accepted_acr_values if value.strip())
    )
    provider.password_login_allowed = password_login_allowed
    provider.is_active = is_active
    if client_secret.strip():
        provider.client_secret_encrypted = mfa_crypto.encrypt(client_secret.strip())
    elif not provider.client_secret_encrypted:
        raise ValidationError({"client_secret": _("Vul het client-secret in.")})
    cleaned = _clean_provider_domains(domains, provider=provider)
    provider.full_clean()
    provider.save()
    services.domain_rows_replace(
        rows=provider.domains,
        domains=cleaned,
        make=lambda domain: IdentityProviderDomain(provider=provider, domain=domain),
    )
    return provider


def identity_provider_client_secret(*, provider: IdentityProvider) -> str:
    """The client secret in plain text, for the token request to the provider only."""
    return mfa_crypto.decrypt(provider.client_secret_encrypted)


@transaction.atomic
def user_complete_sso_signup(*, user: User, provider: IdentityProvider, full_name: str) -> User:
    """A person's first login through their organisation's provider: an account there.

    The same profile a self sign-up starts with: name and organisation; the rest the person
    fills in on their profile page.
    """
    user.full_name = (full_name or "").strip()[:150] or user.email.split("@", 1)[0]
    user.organisation = provider.organisation
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "organisation"])
    return user


@transaction.atomic
def identity_provider_secrets_reencrypt() -> int:
    """Encrypt every identity provider's client secret with the current key (after a rotation
    of ``MFA_ENCRYPTION_KEY``); returns how many changed."""
    changed = []
    for provider in IdentityProvider.objects.select_for_update().order_by("pk"):
        stored = mfa_crypto.reencrypt(provider.client_secret_encrypted)
        if stored != provider.client_secret_encrypted:
            provider.client_secret_encrypted = stored
            changed.append(provider)
    IdentityProvider.objects.bulk_update(changed, ["client_secret_encrypted"])
    return len(changed)
