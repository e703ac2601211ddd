"""Single sign-on pages: the login page's "Inloggen met je organisatie" and the beheerder's form."""

import requests
from allauth.account.utils import get_next_redirect_url
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import permissions, selectors, sso_selectors, sso_services
from .forms import add_service_errors
from .models import IdentityProvider
from .sso_forms import IdentityProviderForm, SsoStartForm


@require_http_methods(["GET", "POST"])
def sso_start(request):
    """E-mail first: an address in a domain with an identity provider goes to that provider."""
    form = SsoStartForm(request.POST or None, initial={"email": request.GET.get("email", "")[:254]})
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].lower()
        row = sso_selectors.identity_provider_for_email(email=email)
        if row is None:
            form.add_error(
                "email",
                _(
                    "Voor dit e-mailadres is geen inloggen via de organisatie ingesteld. Log in "
                    "met je e-mailadres en wachtwoord."
                ),
            )
        else:
            provider = get_social_adapter(request).get_provider(request, row.provider_id)
            try:
                return provider.redirect(
                    request,
                    AuthProcess.LOGIN,
                    next_url=get_next_redirect_url(request),
                    auth_params={**provider.get_auth_params(), "login_hint": email},
                )
            except (requests.RequestException, ValueError, KeyError):
                form.add_error(
                    None,
                    _(
                        "De inlogdienst van %(organisation)s is nu niet bereikbaar. Probeer het "
                        "later opnieuw."
                    )
                    % {"organisation": row.organisation.name},
                )
    return render(request, "portal/sso_start.html", {"form": form})


@permissions.role_required(permissions.can_administer)
def beheer_identity_provider(request, pk: int):
    """The organisation's identity provider: set up, change or switch off."""
    organisation = get_object_or_404(selectors.organisations_administered(user=request.user), pk=pk)
    current = sso_selectors.identity_provider_administered(
        user=request.user, organisation=organisation
    )
    initial = {"password_login_allowed": True, "is_active": True}
    if current is not None:
        initial = {
            "issuer": current.issuer,
            "client_id": current.client_id,
            "domains": "\n".join(row.domain for row in current.domains.all()),
            "accepted_acr_values": current.accepted_acr_values,
            "password_login_allowed": current.password_login_allowed,
            "is_active": current.is_active,
        }
    form = IdentityProviderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sso_services.identity_provider_save(
                actor=request.user, organisation=organisation, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("De inlogdienst van %(name)s is opgeslagen.") % {"name": organisation.name},
            )
            return redirect("beheer_organisation_edit", pk=organisation.pk)
    provider_id = IdentityProvider.provider_id_for(organisation.pk)
    callback_url = request.build_absolute_uri(
        reverse("openid_connect_callback", kwargs={"provider_id": provider_id})
    )
    return render(
        request,
        "portal/beheer/identity_provider_form.html",
        {
            "form": form,
            "organisation": organisation,
            "provider": current,
            "callback_url": callback_url,
        },
    )
