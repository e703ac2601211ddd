"""allauth hooks: who may sign up, and which accounts must keep their second factor."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter

from . import mfa_crypto, permissions, services, throttle
from .models import Invitation
from .selectors import invitation_by_token

INVITATION_SESSION_KEY = "portal_invitation_token"


def invitation_from_session(request) -> Invitation | None:
    token = request.session.get(INVITATION_SESSION_KEY) if request is not None else None
    return invitation_by_token(token=token) if token else None


def _login_identifier(credentials: dict) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


class AccountAdapter(DefaultAccountAdapter):
    # Failed logins slow down per account and address with a growing wait (portal.throttle)
    # instead of allauth's lock per account, which let anyone lock a contact person out.
    def pre_authenticate(self, request, **credentials):
        login = _login_identifier(credentials)
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
