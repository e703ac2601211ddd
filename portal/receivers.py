"""Record every login attempt; Django's auth signals are the only hook allauth offers for both."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from . import services
from .models import User
from .tokens import client_ip


def _origin(request) -> tuple[str | None, str]:
    if request is None:
        return None, ""
    return client_ip(request), request.META.get("HTTP_USER_AGENT", "")


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
