"""allauth hooks: who may sign up, and which accounts must keep their second factor."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import record_authentication
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.stages import AuthenticateStage
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import render
from django.utils.translation import gettext as _

from . import mfa_crypto, permissions, services, sso_selectors, sso_services, throttle
from .models import IdentityProvider, Invitation, User
from .selectors import invitation_by_token
from .sso_rules import IDP_MFA_METHOD, asserted_amr, email_domain, provider_asserted_mfa

INVITATION_SESSION_KEY = "portal_invitation_token"


def invitation_from_session(request) -> Invitation | None:
    token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
    return invitation_by_token(token=token) if token else None


def _login_identifier(credentials: dict) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


def password_login_off_message() -> str:
    return _(
        "Je organisatie laat inloggen alleen toe via haar eigen inlogdienst. Kies "
        "“Inloggen met je organisatie” en vul daar je e-mailadres in."
    )


class AccountAdapter(DefaultAccountAdapter):
    # Failed logins slow down per account and address with a growing wait (portal.throttle)
    # instead of allauth's lock per account, which let anyone lock a contact person out.
    def pre_authenticate(self, request, **credentials):
        login = _login_identifier(credentials)
        # An organisation that switched password login off: its people use their own provider.
        # The rule follows the address's domain, so the answer tells nothing about accounts.
        if sso_selectors.password_login_refused(email=login):
            raise ValidationError(password_login_off_message())
        if throttle.seconds_to_wait(login=login, address=self.get_client_ip(request)) > 0:
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            throttle.login_succeeded(
                login=_login_identifier(credentials), address=self.get_client_ip(request)
            )
        return user

    def authentication_failed(self, request, **credentials):
        throttle.login_failed(
            login=_login_identifier(credentials), address=self.get_client_ip(request)
        )
        super().authentication_failed(request, **credentials)

    def clean_email(self, email: str) -> str:
        # Sign-up and password reset ask this too: neither is a way around the switch.
        if sso_selectors.password_login_refused(email=email):
            raise ValidationError(password_login_off_message())
        return super().clean_email(email)

    def get_login_stages(self) -> list[str]:
        # allauth's TOTP step, replaced by one that knows about the organisation's provider.
        return [
            "portal.adapters.IdentityProviderMFAStage"
            if path == "allauth.mfa.stages.AuthenticateStage"
            else path
            for path in super().get_login_stages()
        ]

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user = services.user_complete_signup(
            user=user,
            full_name=data["full_name"],
            discipline=data.get("discipline", ""),
            department=data.get("department", ""),
            job_title=data.get("job_title", ""),
            invitation=invitation_from_session(request),
        )
        request.session.pop(INVITATION_SESSION_KEY, None)
        return user


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        # TOTP secrets and recovery-code seeds are kept encrypted with a key from the
        # environment, so the database alone never holds a usable second factor.
        return mfa_crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return mfa_crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator) -> bool:
        # A coordinator or contact person cannot switch their second factor off.
        if permissions.requires_mfa(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)


# --- Single sign-on per organisation -----------------------------------------------------------
# The organisation's identity providers live in portal.IdentityProvider, kept by the beheerder.
# allauth gets them from list_apps as unsaved SocialApps: one source of truth, the client secret
# decrypted only when allauth talks to the provider, and nothing to keep in sync.


def _provider_app(provider: IdentityProvider) -> SocialApp:
    return SocialApp(
        provider="openid_connect",
        provider_id=provider.provider_id,
        name=provider.organisation.name,
        client_id=provider.client_id,
        secret=sso_services.identity_provider_client_secret(provider=provider),
        settings={
            "server_url": provider.issuer,
            "oauth_pkce_enabled": True,
            # Link to an existing account only by an address the provider asserts as verified.
            "email_authentication": True,
            "verified_email": False,
        },
    )


def _id_token_claims(sociallogin) -> dict:
    """The claims of the ID token: the provider's word on how the person logged in."""
    claims = (sociallogin.account.extra_data or {}).get("id_token")
    return claims if isinstance(claims, dict) else {}


def _asserted_email(sociallogin) -> str:
    if sociallogin.email_addresses:
        return sociallogin.email_addresses[0].email.strip().lower()
    return (getattr(sociallogin.user, "email", "") or "").strip().lower()


def _refuse(request, message: str):
    response = render(request, "portal/sso_refused.html", {"message": message}, status=403)
    raise ImmediateHttpResponse(response)


def _full_name(claims: dict) -> str:
    name = claims.get("name") or " ".join(
        part for part in (claims.get("given_name"), claims.get("family_name")) if part
    )
    return str(name or "").strip()


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        if provider in (None, "openid_connect"):
            rows = list(sso_selectors.identity_providers_active())
        else:
            # One provider by its id ("org-<organisation id>"): the login and callback URLs.
            row = sso_selectors.identity_provider_by_provider_id(provider_id=provider)
            rows = [row] if row is not None else []
        apps = [_provider_app(row) for row in rows]
        return [
            app
            for app in apps
            if (provider in (None, app.provider, app.provider_id))
            and (client_id in (None, app.client_id))
        ]

    def pre_social_login(self, request, sociallogin):
        provider = sso_selectors.identity_provider_by_provider_id(
            provider_id=sociallogin.account.provider
        )
        if provider is None:
            _refuse(request, _("Inloggen via deze organisatie is niet (meer) ingesteld."))
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # An organisation account is linked only by logging in with it (the rules below).
            _refuse(request, _("Koppel je organisatie door in te loggen met je organisatie."))
        email = _asserted_email(sociallogin)
        covered = {row.domain for row in provider.domains.all()}
        if not email or email_domain(email) not in covered:
            _refuse(
                request,
                _(
                    "De inlogdienst van %(organisation)s meldt een e-mailadres buiten de "
                    "domeinen van die organisatie. Neem contact op met de beheerder."
                )
                % {"organisation": provider.organisation.name},
            )
        if not sociallogin.is_existing and User.objects.filter(email__iexact=email).exists():
            # allauth links only by an address the provider asserted as verified.
            _refuse(
                request,
                _(
                    "Er bestaat al een account met dit e-mailadres, maar de inlogdienst van je "
                    "organisatie meldt het adres niet als bevestigd. Log in met je wachtwoord "
                    "of neem contact op met de beheerder."
                ),
            )

    def is_auto_signup_allowed(self, request, sociallogin):
        return True

    def is_open_for_signup(self, request, sociallogin):
        return True

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        claims = (sociallogin.account.extra_data or {}).get("userinfo") or _id_token_claims(
            sociallogin
        )
        user.full_name = _full_name(claims)
        return user

    def save_user(self, request, sociallogin, form=None):
        provider = sso_selectors.identity_provider_by_provider_id(
            provider_id=sociallogin.account.provider
        )
        with transaction.atomic():
            user = super().save_user(request, sociallogin, form)
            return sso_services.user_complete_sso_signup(
                user=user, provider=provider, full_name=user.full_name
            )


class IdentityProviderMFAStage(AuthenticateStage):
    """allauth's TOTP step at login, skipped when the organisation's provider asserted a second
    factor (sso_rules.provider_asserted_mfa). The verdict is recorded with the session's other
    authentication records, so RequireMFAMiddleware honours it for the rest of the session."""

    def handle(self) -> tuple:
        sociallogin = (self.login.signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None and self.login.user is not None:
            provider = sso_selectors.identity_provider_by_provider_id(
                provider_id=sociallogin.account.provider
            )
            claims = _id_token_claims(sociallogin)
            if provider is not None and provider_asserted_mfa(claims, provider.accepted_acr_list):
                record_authentication(
                    self.request,
                    self.login.user,
                    IDP_MFA_METHOD,
                    provider=sociallogin.account.provider,
                    amr=" ".join(asserted_amr(claims)) or None,
                    acr=claims.get("acr") or None,
                )
                return None, True
        return super().handle()
