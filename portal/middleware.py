from django.conf import settings
from django.contrib import messages
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
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


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Dutch unless the person chose another language in the portal.

    The browser's Accept-Language is ignored on purpose: the portal is Dutch
    first, and a colleague with an English browser should not get a mixed page.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
