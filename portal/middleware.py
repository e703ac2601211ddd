from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import permissions
from .selectors import user_has_totp

_SESSION_FLAG = "portal_mfa_checked"
_ALWAYS_REACHABLE = ("/accounts/", "/static/", "/i18n/", "/healthz/")


class RequireMFAMiddleware:
    """Send coordinators, contact persons and superusers to set up TOTP before anything else.

    allauth asks for the code at login once an authenticator exists; this closes
    the gap before one exists. Removing the authenticator is refused by the MFA
    adapter, so the session flag cannot go stale.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.session.get(_SESSION_FLAG)
            and not request.path.startswith(_ALWAYS_REACHABLE)
            and permissions.requires_mfa(user)
        ):
            if not user_has_totp(user=user):
                messages.warning(
                    request,
                    _(
                        "Voor jouw rol is tweestapsverificatie verplicht. Stel eerst een "
                        "authenticator-app in; daarna kun je verder."
                    ),
                )
                return redirect(reverse("mfa_activate_totp"))
            request.session[_SESSION_FLAG] = True
        return self.get_response(request)
