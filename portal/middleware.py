from urllib.parse import urlencode

from allauth.account.authentication import get_authentication_records
from django.conf import settings
from django.contrib import messages
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from . import permissions
from .selectors import user_has_totp
from .sso_rules import IDP_MFA_METHOD

_SESSION_FLAG = "portal_mfa_checked"
_ALWAYS_REACHABLE = ("/accounts/", "/static/", "/i18n/", "/healthz/")


# The portal's own TOTP ("mfa"), or a second factor the organisation's identity provider
# asserted at this session's single sign-on (portal.sso_rules).
_SECOND_FACTOR_METHODS = ("mfa", IDP_MFA_METHOD)


def _session_passed_mfa(request, user) -> bool:
    """Whether a second factor was entered in this session (at login or to reauthenticate)."""
    return any(
        record.get("method") in _SECOND_FACTOR_METHODS
        for record in get_authentication_records(request, user)
    )


class RequireMFAMiddleware:
    """Send coordinators, contact persons, beheerders, staff and superusers to set up TOTP
    before anything else; staff and superusers must also have entered a code in this session.

    allauth asks for the code at login once an authenticator exists; this closes
    the gap before one exists. Removing the authenticator is refused by the MFA
    adapter, so the session flag cannot go stale. For the admin's users the flag is
    not enough: a session that did not pass the second factor (whatever logged it
    in) is asked for a code before any page.

    A single sign-on whose identity provider asserted a second factor (amr/acr, see
    portal.sso_rules) counts as one for this session: no TOTP is asked or set up then.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not request.path.startswith(_ALWAYS_REACHABLE)
            and permissions.requires_mfa(user)
        ):
            if not request.session.get(_SESSION_FLAG):
                if not user_has_totp(user=user) and not _session_passed_mfa(request, user):
                    messages.warning(
                        request,
                        _(
                            "Voor jouw rol is tweestapsverificatie verplicht. Stel eerst een "
                            "authenticator-app in; daarna kun je verder."
                        ),
                    )
                    return redirect(reverse("mfa_activate_totp"))
                request.session[_SESSION_FLAG] = True
            if permissions.requires_mfa_in_session(user) and not _session_passed_mfa(request, user):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
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
