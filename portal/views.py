from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import permissions, reminders, selectors, services
from .adapters import INVITATION_SESSION_KEY
from .forms import InvitationForm, MailPreferencesForm, ProfileForm


@login_required
def profile_edit(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Je profiel is opgeslagen."))
            return redirect("profile")
    return render(request, "portal/profile.html", {"form": form})


@login_required
def login_history(request):
    events = request.user.login_events.all()[:50]
    return render(request, "portal/login_history.html", {"events": events})


@login_required
def reminder_list(request):
    page = Paginator(selectors.reminders_sent_to(user=request.user), 25).get_page(
        request.GET.get("pagina")
    )
    return render(request, "portal/reminder_list.html", {"page": page})


@login_required
def mail_preferences(request):
    form = MailPreferencesForm(
        request.POST or None,
        kinds=reminders.digestible_kinds(),
        initial=selectors.mail_preferences_of(user=request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.mail_preferences_update(user=request.user, deliveries=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Je e-mailvoorkeuren zijn opgeslagen."))
            return redirect("mail_preferences")
    return render(
        request,
        "portal/mail_preferences.html",
        {"form": form, "digest_hour": settings.REMINDER_DIGEST_HOUR},
    )


@permissions.role_required(permissions.can_see_mail_status)
def mail_status(request):
    return render(request, "portal/mail_status.html", {"status": selectors.mail_status()})


@require_POST
@permissions.role_required(permissions.can_see_mail_status)
def mail_status_retry(request, pk: int):
    try:
        services.reminder_retry(actor=request.user, reminder_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("De e-mail wordt opnieuw verstuurd."))
    return redirect("mail_status")


@require_POST
@permissions.role_required(permissions.can_see_mail_status)
def mail_status_retry_all(request):
    count = services.reminders_retry_failed(actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d mislukte e-mail wordt opnieuw verstuurd.",
            "%(count)d mislukte e-mails worden opnieuw verstuurd.",
            count,
        )
        % {"count": count},
    )
    return redirect("mail_status")


@permissions.role_required(permissions.can_invite)
def invitation_list(request):
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = services.invitation_create(
                invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Uitnodiging verstuurd naar %(email)s.") % {"email": invitation.email}
            )
            return redirect("invitation_list")
    invitations = selectors.invitation_list(user=request.user)[:200]
    return render(
        request, "portal/invitation_list.html", {"form": form, "invitations": invitations}
    )


@require_POST
@permissions.role_required(permissions.can_invite)
def invitation_revoke(request, pk: int):
    invitation = get_object_or_404(selectors.invitation_list(user=request.user), pk=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("De uitnodiging is ingetrokken."))
    return redirect("invitation_list")


def invitation_accept(request, token: str):
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    if request.user.is_authenticated:
        messages.info(
            request, _("Je bent al ingelogd; deze uitnodiging is voor een nieuw account.")
        )
        return redirect("home")
    request.session[INVITATION_SESSION_KEY] = token
    # Following the mailed link proves the address, so no second verification mail.
    get_adapter(request).stash_verified_email(request, invitation.email)
    return redirect("account_signup")


@permissions.role_required(permissions.can_view_partners)
def organisation_list(request):
    organisations = selectors.organisation_overview(user=request.user)
    return render(request, "portal/organisation_list.html", {"organisations": organisations})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
