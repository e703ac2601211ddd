from urllib.parse import urlencode

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from . import network, permissions, reminders, retention, selectors, services
from .adapters import INVITATION_SESSION_KEY
from .csv import csv_response
from .forms import (
    BulkInvitationForm,
    InvitationForm,
    MailPreferencesForm,
    NetworkProfileForm,
    NetworkSearchForm,
    OrganisationForm,
    ProfileForm,
    ProgrammeCoordinatorForm,
    ProgrammeForm,
    RoleGrantForm,
    RoleRevokeForm,
    add_service_error_messages,
    add_service_errors,
    one_time_submission,
)
from .models import RoleReviewLine
from .pagination import CountedPaginator, query_without


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
@one_time_submission
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


@permissions.role_required(permissions.can_invite)
def invitation_revoke(request, pk: int):
    """Ask first (GET): the link stops working for good; then revoke (POST)."""
    invitation = get_object_or_404(selectors.invitation_list(user=request.user), pk=pk)
    if request.method != "POST":
        return render(
            request,
            "portal/confirm.html",
            {
                "heading": _("Uitnodiging voor %(email)s intrekken?") % {"email": invitation.email},
                "consequences": [
                    _("De aanmeldlink in de uitnodiging werkt daarna niet meer."),
                    _("Wil je deze persoon later toch uitnodigen, dan stuur je een nieuwe."),
                ],
                "action": reverse("invitation_revoke", args=[invitation.pk]),
                "confirm_label": _("Ja, intrekken"),
                "cancel_url": reverse("invitation_list"),
                "danger": True,
            },
        )
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


# --- netwerk ---------------------------------------------------------------------------------


NETWORK_MET_PAGE_SIZE = 20


def _search_after(request) -> selectors.NetworkSearchAfter | None:
    """The next page's start from the link (the last person of the page before), if sound."""
    pk, name = request.GET.get("na", ""), request.GET.get("naam")
    if pk.isdigit() and len(pk) < 12 and name is not None and len(name) <= 200:
        return selectors.NetworkSearchAfter(name=name, pk=int(pk))
    return None


@login_required
def network_directory(request):
    """The people I met who are findable, and a search: who do I know at an organisation?"""
    # A search only when one was asked for: paging the people met is not a search.
    searched = any(name in request.GET for name in NetworkSearchForm.base_fields)
    organisations = selectors.network_organisations()
    form = NetworkSearchForm(request.GET if searched else None, organisations=organisations)
    results, more, after = None, None, None
    if form.is_bound and form.is_valid():
        # Whom I met and my programmes, in one read: a search asks both.
        met, programmes = network.acquaintances(request.user.pk)
        after = _search_after(request)
        chosen = form.cleaned_data["organisatie"]
        results, more = selectors.network_search(
            user=request.user,
            organisation_ids=(
                None if chosen is None else selectors.organisation_and_under(organisations, chosen)
            ),
            discipline=form.cleaned_data["discipline"],
            text=form.cleaned_data["rol"],
            met=met,
            programmes=programmes,
            after=after,
        )
    else:
        met = network.meetings(request.user.pk)
    number = request.GET.get("ontmoet", "")
    met_page = selectors.network_met_page(
        user=request.user,
        met=met,
        number=int(number) if number.isdigit() and len(number) < 7 else 1,
        per_page=NETWORK_MET_PAGE_SIZE,
    )
    paginator = CountedPaginator([], NETWORK_MET_PAGE_SIZE, count=met_page.count)
    search_query = query_without(request, "na", "naam", "ontmoet")
    context = {
        "met": met_page.people,
        "met_page": Page(met_page.people, met_page.number, paginator),
        "met_query": query_without(request, "ontmoet"),
        "form": form,
        # The choices for the fields written out in the template, and what was chosen.
        "organisations": organisations,
        "chosen": {name: request.GET.get(name, "") for name in NetworkSearchForm.base_fields},
        "results": results,
        "more": more,
        "searched_further": after is not None,
        "first_results_query": search_query,
        "next_results_query": (
            f"{search_query}&{urlencode({'na': more.pk, 'naam': more.name})}" if more else ""
        ),
        "own_findable": selectors.network_findable(user=request.user),
    }
    return render(request, "portal/network_directory.html", context)


@login_required
def network_person(request, user_pk: int):
    person = selectors.network_person(user=request.user, pk=user_pk)
    if person is None:
        raise Http404
    return render(request, "portal/network_person.html", {"person": person})


@login_required
def network_settings(request):
    profile = selectors.network_profile_of(user=request.user)
    form = NetworkProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            profile = services.network_profile_update(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if profile.findable:
                messages.success(
                    request, _("Je bent vindbaar in het netwerk. Je keuzes zijn opgeslagen.")
                )
            else:
                messages.success(
                    request, _("Je keuzes zijn opgeslagen. Je bent niet vindbaar in het netwerk.")
                )
            return redirect("network_settings")
    context = {
        "form": form,
        "profile": profile,
        "consent_text": network.CONSENT_TEXT,
        "consent_version": network.CONSENT_VERSION,
        "history": selectors.network_consent_history(user=request.user),
    }
    return render(request, "portal/network_settings.html", context)


@require_POST
@login_required
def network_revoke(request):
    services.network_consent_revoke(user=request.user)
    messages.success(
        request, _("Je toestemming is ingetrokken. Niemand vindt je nu nog in het netwerk.")
    )
    return redirect("network_settings")


# --- functional administration (beheer) ----------------------------------------------------
# Every page is for beheerders only (403 for anyone else); objects come from selectors that
# are empty for others, so a guessed id is a 404 as everywhere in the portal.

beheerder_required = permissions.role_required(permissions.can_administer)


@beheerder_required
def beheer_organisation_list(request):
    organisations = selectors.organisations_administered(user=request.user)
    return render(request, "portal/beheer/organisation_list.html", {"organisations": organisations})


@beheerder_required
@one_time_submission
def beheer_organisation_form(request, pk: int | None = None):
    organisation = None
    initial = {}
    if pk is not None:
        organisation = get_object_or_404(
            selectors.organisations_administered(user=request.user), pk=pk
        )
        initial = {
            "name": organisation.name,
            "kind": organisation.kind,
            "parent": organisation.parent_id,
            "domains": "\n".join(d.domain for d in organisation.email_domains.all()),
            "has_meldpunt": organisation.has_meldpunt,
        }
    form = OrganisationForm(request.POST or None, initial=initial, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            if organisation is None:
                organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
            else:
                services.organisation_update(
                    actor=request.user, organisation=organisation, **form.cleaned_data
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s is opgeslagen.") % {"name": form.cleaned_data["name"]}
            )
            return redirect("beheer_organisation_list")
    return render(
        request,
        "portal/beheer/organisation_form.html",
        {"form": form, "organisation": organisation},
    )


@beheerder_required
def beheer_programme_list(request):
    programmes = selectors.programmes_administered(user=request.user)
    return render(request, "portal/beheer/programme_list.html", {"programmes": programmes})


@beheerder_required
@one_time_submission
def beheer_programme_create(request):
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Het programma is aangemaakt. Voeg nu een coördinator toe.")
            )
            return redirect("beheer_programme_detail", pk=programme.pk)
    return render(request, "portal/beheer/programme_form.html", {"form": form, "programme": None})


@beheerder_required
def beheer_programme_detail(request, pk: int):
    programme = get_object_or_404(selectors.programmes_administered(user=request.user), pk=pk)
    people = selectors.people_for_roles(user=request.user)
    form = ProgrammeForm(
        initial={
            "name": programme.name,
            "description": programme.description,
            "is_active": programme.is_active,
        }
    )
    coordinator_form = ProgrammeCoordinatorForm(people=people)
    if request.method == "POST" and "coordinator" in request.POST:
        coordinator_form = ProgrammeCoordinatorForm(request.POST, people=people)
        if coordinator_form.is_valid():
            try:
                services.programme_coordinator_add(
                    actor=request.user, programme=programme, **coordinator_form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(coordinator_form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s coördineert nu %(programme)s.")
                    % {"name": coordinator_form.cleaned_data["user"], "programme": programme},
                )
                return redirect("beheer_programme_detail", pk=programme.pk)
    elif request.method == "POST":
        form = ProgrammeForm(request.POST)
        if form.is_valid():
            try:
                services.programme_update(
                    actor=request.user, programme=programme, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Het programma is opgeslagen."))
                return redirect("beheer_programme_detail", pk=programme.pk)
    return render(
        request,
        "portal/beheer/programme_form.html",
        {"form": form, "programme": programme, "coordinator_form": coordinator_form},
    )


@require_POST
@beheerder_required
def beheer_programme_coordinator_remove(request, pk: int, user_pk: int):
    programme = get_object_or_404(selectors.programmes_administered(user=request.user), pk=pk)
    person = get_object_or_404(programme.coordinators.all(), pk=user_pk)
    try:
        services.programme_coordinator_remove(actor=request.user, programme=programme, user=person)
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        messages.success(
            request,
            _(
                "%(name)s coördineert %(programme)s niet meer. De rol programmacoördinator blijft; "
                "trek die zo nodig in onder Rollen."
            )
            % {"name": person, "programme": programme},
        )
    return redirect("beheer_programme_detail", pk=programme.pk)


@beheerder_required
@one_time_submission
def beheer_role_list(request):
    form = RoleGrantForm(request.POST or None, people=selectors.people_for_roles(user=request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.role_grant(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(name)s heeft de rol gekregen en krijgt daarover een e-mail.")
                % {"name": form.cleaned_data["user"]},
            )
            return redirect("beheer_role_list")
    assignments = selectors.role_assignments_administered(user=request.user)
    return render(
        request, "portal/beheer/role_list.html", {"form": form, "assignments": assignments}
    )


@beheerder_required
def beheer_role_revoke(request, pk: int):
    assignment = get_object_or_404(
        selectors.role_assignments_administered(user=request.user), pk=pk
    )
    form = RoleRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.role_revoke(
                actor=request.user,
                user=assignment.user,
                role=assignment.role,
                organisation=assignment.organisation,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("De rol is ingetrokken; %(name)s krijgt daarover een e-mail.")
                % {"name": assignment.user},
            )
            return redirect("beheer_role_list")
    return render(
        request, "portal/beheer/role_revoke.html", {"form": form, "assignment": assignment}
    )


@beheerder_required
@one_time_submission
def beheer_invitations(request):
    form = BulkInvitationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitations = services.invitations_create_bulk(
                actor=request.user,
                text=form.cleaned_data["text"],
                organisation=form.cleaned_data["organisation"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d uitnodiging verstuurd.",
                    "%(count)d uitnodigingen verstuurd.",
                    len(invitations),
                )
                % {"count": len(invitations)},
            )
            return redirect("beheer_invitations")
    return render(request, "portal/beheer/invitations.html", {"form": form})


@beheerder_required
def beheer_role_changes(request):
    page = Paginator(selectors.role_changes(user=request.user), 50).get_page(
        request.GET.get("pagina")
    )
    return render(request, "portal/beheer/role_changes.html", {"page": page})


@beheerder_required
def beheer_role_review_list(request):
    if request.method == "POST":
        review = services.role_review_open(actor=request.user)
        messages.success(request, _("De rolreview staat open."))
        return redirect("beheer_role_review_detail", pk=review.pk)
    reviews = selectors.role_reviews(user=request.user)
    return render(request, "portal/beheer/role_review_list.html", {"reviews": reviews})


@beheerder_required
def beheer_role_review_detail(request, pk: int):
    review = get_object_or_404(selectors.role_reviews(user=request.user), pk=pk)
    lines = selectors.role_review_lines(review=review)
    return render(
        request,
        "portal/beheer/role_review_detail.html",
        {"review": review, "lines": lines, "decisions": RoleReviewLine.Decision},
    )


@require_POST
@beheerder_required
def beheer_role_review_decide(request, pk: int, line_pk: int):
    review = get_object_or_404(selectors.role_reviews(user=request.user), pk=pk)
    line = get_object_or_404(review.lines.select_related("user"), pk=line_pk)
    try:
        services.role_review_decide(
            actor=request.user, line=line, decision=request.POST.get("decision", "")
        )
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        messages.success(
            request, _("Het besluit over %(name)s is vastgelegd.") % {"name": line.user}
        )
    return redirect("beheer_role_review_detail", pk=review.pk)


# --- retention and the statements -----------------------------------------------------------


@beheerder_required
def beheer_destruction_register(request):
    """The destruction register and what a retention run would destroy now (a dry run)."""
    page = Paginator(selectors.destruction_records(), 50).get_page(request.GET.get("pagina"))
    for record in page:
        record.label = retention.label_of(record.kind)
    return render(
        request,
        "portal/beheer/destruction_register.html",
        {"page": page, "preview": services.retention_run(dry_run=True)},
    )


@beheerder_required
def beheer_destruction_register_csv(request):
    """The whole destruction register as CSV, for the archive: counts and kinds only."""
    header = [
        _("Uitgevoerd op"),
        _("Soort gegevens"),
        _("Sleutel"),
        _("Handeling"),
        _("Aantal"),
        _("Bewaartermijn"),
        _("Eenheid"),
        _("Peildatum"),
    ]
    rows = (
        [
            record.run_at.isoformat(),
            retention.label_of(record.kind),
            record.kind,
            record.action,
            record.count,
            record.period,
            record.unit,
            record.cutoff.isoformat(),
        ]
        for record in selectors.destruction_records().iterator()
    )
    return csv_response(filename="vernietigingsregister.csv", rows=[header, *rows])


def _personal_data_url() -> str | None:
    """The "Mijn gegevens" page, when the portal has one."""
    try:
        return reverse("personal_data:overview")
    except NoReverseMatch:
        return None


def privacy_statement(request):
    """The privacy statement (AVG art. 13/14), open to everyone; periods read from settings."""
    return render(
        request,
        "portal/privacy_statement.html",
        {
            "controller_name": settings.PRIVACY_CONTROLLER_NAME,
            "contact_email": settings.PRIVACY_CONTACT_EMAIL,
            "dpo_email": settings.PRIVACY_DPO_EMAIL,
            "rules": retention.rules(),
            "personal_data_url": _personal_data_url(),
        },
    )


def accessibility_statement(request):
    """The accessibility statement in the prescribed model, open to everyone."""
    return render(
        request,
        "portal/accessibility_statement.html",
        {
            "organisation": settings.PRIVACY_CONTROLLER_NAME,
            "contact_email": settings.ACCESSIBILITY_CONTACT_EMAIL,
            "response_working_days": settings.ACCESSIBILITY_RESPONSE_WORKING_DAYS,
            "statement_date": settings.ACCESSIBILITY_STATEMENT_DATE,
            "last_test_date": settings.ACCESSIBILITY_LAST_TEST_DATE,
        },
    )


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")
