"""Record every login attempt; Django's auth signals are the only hook allauth offers for both."""

from allauth.account.adapter import get_adapter
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import services
from .models import User


def _origin(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    try:
        ip = get_adapter(request).get_client_ip(request)
    except Exception:  # noqa: BLE001  (an unknown origin must not block the login)
        ip = None
    return ip, request.META.get("HTTP_USER_AGENT", "")


@receiver(user_logged_in, dispatch_uid="portal_record_login")
def record_login(sender, request, user, **kwargs):
    ip, agent = _origin(request)
    services.login_event_record(
        user=user, identifier=user.email, succeeded=True, ip_address=ip, user_agent=agent
    )


@receiver(user_login_failed, dispatch_uid="portal_record_failed_login")
def record_failed_login(sender, credentials, request=None, **kwargs):
    identifier = (credentials.get("email") or credentials.get("username") or "").strip().lower()
    ip, agent = _origin(request)
    user = User.objects.filter(email__iexact=identifier).first() if identifier else None
    services.login_event_record(
        user=user, identifier=identifier, succeeded=False, ip_address=ip, user_agent=agent
    )
