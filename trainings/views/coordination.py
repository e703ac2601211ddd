"""Pages for coordinators and trainers: the programme's trainings, runs, sessions, register
and calendar. Every object is fetched through a selector and checked against its programme."""

import re
from datetime import date, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal import links
from portal import permissions as portal_permissions
from portal.forms import (
    add_service_error_messages,
    one_time_submission,
)
from portal.forms import (
    add_service_errors as _add_errors,
)
from portal.models import Programme
from portal.pagination import CountedPaginator, query_without

from .. import calendar as layout
from .. import mailing, permissions, selectors, services
from ..forms import (
    MaterialForm,
    MaterialToLibraryForm,
    RunCancelForm,
    RunForm,
    RunMailingForm,
    SessionForm,
    TeamEnrolmentForm,
    TrainingForm,
)
from ..models import AttendanceStatus, RunMailing, RunStatus, Session, Training, TrainingFormat
from ..reminders import render_mailing

coordinator_required = portal_permissions.role_required(portal_permissions.is_coordinator)


def _managed_training(request, training_id: int) -> Training:
    training = get_object_or_404(
        Training.objects.select_related(
            "programme", *links.select_related_for("trainings.Training")
        ),
        pk=training_id,
    )
    if not permissions.can_manage_training(request.user, training):
        raise Http404
    return training


def _managed_run(request, run_id: int):
    run = selectors.run_detail(user=request.user, run_id=run_id)
    if run is None or not permissions.can_manage_run(request.user, run):
        raise Http404
    return run


def _programmes(user):
    return Programme.objects.filter(pk__in=portal_permissions.coordinated_programme_ids(user))


@coordinator_required
def manage(request):
    status = request.GET.get("status", "")
    if status not in RunStatus.values:
        status = ""
    return render(
        request,
        "trainings/manage.html",
        {
            "runs": selectors.managed_runs(user=request.user, status=status)[:200],
            "trainings": selectors.managed_trainings(user=request.user),
            "programmes": _programmes(request.user).order_by("name"),
            "status": status,
            "statuses": RunStatus.choices,
        },
    )


@coordinator_required
@one_time_submission
def training_create(request):
    programmes = _programmes(request.user)
    form = TrainingForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        try:
            training = services.training_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("De training is aangemaakt. Plan nu een uitvoering."))
            return redirect("trainings:training_edit", training_id=training.pk)
    return render(request, "trainings/training_form.html", {"form": form, "training": None})


@coordinator_required
def training_edit(request, training_id: int):
    training = _managed_training(request, training_id)
    initial = {
        "programme": training.programme,
        "title": training.title,
        "description": training.description,
        "provider": training.provider,
        "format": training.format,
        "content_goals": training.content_goals,
        "personal_goals": training.personal_goals,
        "audience_organisations": training.audience_organisations.all(),
        "audience_disciplines": training.audience_disciplines,
        "default_capacity": training.default_capacity,
        "min_attendance_percent": training.min_attendance_percent,
        "end_review_required": training.end_review_required,
        "requires_manager_approval": training.requires_manager_approval,
    }
    form = TrainingForm(request.POST or None, initial=initial, programmes=_programmes(request.user))
    form.fields["programme"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "programme"}
        try:
            services.training_update(actor=request.user, training=training, **data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("De training is opgeslagen."))
            return redirect("trainings:training_edit", training_id=training.pk)
    return render(
        request,
        "trainings/training_form.html",
        {
            "form": form,
            "training": training,
            "related_links": links.related_links(request.user, training),
            "runs": training.runs.order_by("-starts_at"),
            # Each material with its own form to publish it to the library (ids of its own).
            "materials": [
                (
                    material,
                    None
                    if hasattr(material, "library_resource")
                    else MaterialToLibraryForm(auto_id=f"id_library_{material.pk}_%s"),
                )
                for material in training.materials.select_related("library_resource")
            ],
            # Its own ids: the training form above has a "title" field too.
            "material_form": MaterialForm(auto_id="id_material_%s"),
        },
    )


@require_POST
@coordinator_required
@one_time_submission
def material_add(request, training_id: int):
    training = _managed_training(request, training_id)
    form = MaterialForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.material_create(actor=request.user, training=training, **form.cleaned_data)
        except ValidationError as error:
            add_service_error_messages(request, error)
        else:
            messages.success(request, _("Het materiaal is toegevoegd."))
    else:
        for error in form.errors.values():
            messages.error(request, " ".join(error))
    return redirect("trainings:training_edit", training_id=training.pk)


@coordinator_required
@one_time_submission
def run_create(request, training_id: int):
    training = _managed_training(request, training_id)
    # No window yet: it follows the first session unless the coordinator sets it.
    form = RunForm(
        request.POST or None, initial={"capacity": training.default_capacity}, creating=True
    )
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_create(actor=request.user, training=training, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Concept-uitvoering aangemaakt. Voeg bijeenkomsten toe."))
            return redirect("trainings:run_edit", run_id=run.pk)
    return render(
        request, "trainings/run_form.html", {"form": form, "training": training, "run": None}
    )


@coordinator_required
def run_edit(request, run_id: int):
    run = _managed_run(request, run_id)
    form = RunForm(
        request.POST or None,
        initial={
            "capacity": run.capacity,
            "enrolment_opens_at": timezone.localtime(run.enrolment_opens_at),
            "enrolment_closes_at": timezone.localtime(run.enrolment_closes_at),
            "location": run.location,
            "trainers": run.trainers.all(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.run_update(actor=request.user, run=run, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("De uitvoering is opgeslagen."))
            return redirect("trainings:run_edit", run_id=run.pk)
    return render(
        request,
        "trainings/run_form.html",
        {
            "form": form,
            "training": run.training,
            "run": run,
            "sessions": run.sessions.all(),
            # Its own ids: the run form above has a "location" field too.
            "session_form": SessionForm(auto_id="id_session_%s"),
        },
    )


@require_POST
@coordinator_required
def run_publish(request, run_id: int):
    run = _managed_run(request, run_id)
    try:
        services.run_publish(actor=request.user, run=run)
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        messages.success(request, _("De uitvoering is gepubliceerd en staat in het aanbod."))
    return redirect("trainings:run_edit", run_id=run.pk)


@coordinator_required
def run_complete(request, run_id: int):
    """Ask first (GET): a completed run is closed for changes; then complete it (POST)."""
    run = _managed_run(request, run_id)
    if request.method != "POST":
        return render(
            request,
            "portal/confirm.html",
            {
                "heading": _("Uitvoering van „%(title)s” afronden?")
                % {"title": run.training.title},
                "consequences": [
                    _("De uitvoering krijgt de status Afgerond."),
                    _(
                        "Daarna kun je de uitvoering, haar bijeenkomsten en het aantal plaatsen "
                        "niet meer wijzigen; dat is niet terug te draaien."
                    ),
                    _("Deelnemers houden hun ontwikkelplan en reflecties."),
                ],
                "action": reverse("trainings:run_complete", args=[run.pk]),
                "confirm_label": _("Ja, afronden"),
                "cancel_url": reverse("trainings:run_edit", args=[run.pk]),
            },
        )
    try:
        services.run_complete(actor=request.user, run=run)
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        messages.success(request, _("De uitvoering is afgerond."))
    return redirect("trainings:run_edit", run_id=run.pk)


@coordinator_required
def run_cancel(request, run_id: int):
    run = _managed_run(request, run_id)
    form = RunCancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.run_cancel(actor=request.user, run=run, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("De uitvoering is geannuleerd; iedereen die zich had aangemeld krijgt bericht."),
            )
            return redirect("trainings:run_edit", run_id=run.pk)
    return render(request, "trainings/run_cancel.html", {"form": form, "run": run})


@coordinator_required
@one_time_submission
def session_create(request, run_id: int):
    run = _managed_run(request, run_id)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.session_create(actor=request.user, run=run, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("De bijeenkomst is toegevoegd."))
            return redirect("trainings:run_edit", run_id=run.pk)
    return render(
        request, "trainings/session_form.html", {"form": form, "run": run, "session": None}
    )


def _managed_session(request, session_id: int) -> Session:
    session = get_object_or_404(
        Session.objects.select_related("run", "run__training"), pk=session_id
    )
    if not permissions.can_manage_run(request.user, session.run):
        raise Http404
    return session


@coordinator_required
def session_edit(request, session_id: int):
    session = _managed_session(request, session_id)
    form = SessionForm(
        request.POST or None,
        initial={
            "title": session.title,
            "starts_at": timezone.localtime(session.starts_at),
            "ends_at": timezone.localtime(session.ends_at),
            "location": session.location,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("De bijeenkomst is opgeslagen; agenda's en herinneringen zijn bijgewerkt."),
            )
            return redirect("trainings:run_edit", run_id=session.run_id)
    return render(
        request,
        "trainings/session_form.html",
        {"form": form, "run": session.run, "session": session},
    )


@coordinator_required
def session_cancel(request, session_id: int):
    """Ask first (GET): calling a session off tells everyone; then call it off (POST)."""
    session = _managed_session(request, session_id)
    if request.method != "POST":
        run = _managed_run(request, session.run_id)
        moment = date_format(timezone.localtime(session.starts_at), "l j F Y, H:i")
        consequences = [
            _("De bijeenkomst van %(moment)s vervalt en verdwijnt uit de agenda's.")
            % {"moment": moment},
        ]
        if run.status == RunStatus.PUBLISHED:
            consequences.append(
                ngettext(
                    "%(count)d ingeschreven deelnemer krijgt hiervan bericht.",
                    "%(count)d ingeschreven deelnemers krijgen hiervan bericht.",
                    run.enrolled_count,
                )
                % {"count": run.enrolled_count}
            )
        consequences.append(
            _("Dit is niet terug te draaien; plan zo nodig een nieuwe bijeenkomst.")
        )
        return render(
            request,
            "portal/confirm.html",
            {
                "heading": _("Bijeenkomst laten vervallen?"),
                "consequences": consequences,
                "action": reverse("trainings:session_cancel", args=[session.pk]),
                "confirm_label": _("Ja, laten vervallen"),
                "cancel_url": reverse("trainings:run_edit", args=[session.run_id]),
                "danger": True,
            },
        )
    try:
        services.session_cancel(actor=request.user, session=session)
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        messages.success(request, _("De bijeenkomst is vervallen."))
    return redirect("trainings:run_edit", run_id=session.run_id)


# A run can hold hundreds of people with its waiting list: the register shows them in pages,
# with a name search, so a page costs the same whatever the size of the run.
REGISTER_PAGE_SIZE = 25

# An id no row has, reversed once into a URL pattern that rows fill with their own id.
RUN_ID_PLACEHOLDER = 987654321

MARK_FIELD = re.compile(r"^e(\d{1,12})$")


def _posted_marks(post) -> dict[int, str] | None:
    """The marks of a posted attendance form, ``e<enrolment id>`` to a status; an empty
    choice is no mark. None when a value is not a status."""
    marks = {}
    for name, value in post.items():
        found = MARK_FIELD.match(name)
        if found is None or not value:
            continue
        if value not in AttendanceStatus.values:
            return None
        marks[int(found.group(1))] = value
    return marks


def _save_attendance(request, run, session) -> None:
    """Save the posted marks of the people on one page of the register: every one, or none."""
    marks = _posted_marks(request.POST)
    if marks is None:
        messages.error(request, _("Kies per persoon aanwezig, afwezig of afgemeld met reden."))
        return
    enrolments = {e.pk: e for e in selectors.register_marking(run=run, enrolment_ids=marks)}
    if len(enrolments) != len(marks):
        messages.error(request, _("Deze persoon staat niet ingeschreven voor deze uitvoering."))
        return
    try:
        services.attendance_register_save(
            session=session,
            marks=[(enrolments[pk], status) for pk, status in marks.items()],
            actor=request.user,
        )
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        messages.success(request, _("De aanwezigheid is opgeslagen."))


@login_required
def register(request, run_id: int):
    """Enrolled list, waiting list and attendance: the run's coordinators and trainers.

    Both lists come in pages of ``REGISTER_PAGE_SIZE`` with one name search; the attendance
    form marks the people on the page shown, in one post."""
    run = selectors.run_for_register(user=request.user, run_id=run_id)
    if run is None or not permissions.can_view_participants(request.user, run):
        raise Http404
    all_sessions = selectors.run_sessions(run=run)
    sessions = [s for s in all_sessions if not s.is_cancelled]
    today = timezone.localdate()
    markable = [s for s in sessions if timezone.localdate(s.starts_at) <= today]
    selected = next(
        (
            s
            for s in markable
            if str(s.pk) == request.GET.get("bijeenkomst", request.POST.get("session"))
        ),
        markable[-1] if markable else None,
    )
    if request.method == "POST":
        if selected is None:
            messages.error(
                request, _("Aanwezigheid noteer je op of na de dag van een bijeenkomst.")
            )
            return redirect(request.get_full_path())
        _save_attendance(request, run, selected)
        query = request.GET.copy()
        query["bijeenkomst"] = str(selected.pk)
        return redirect(f"{request.path}?{query.urlencode()}")
    counts = selectors.register_counts(run=run, sessions=all_sessions)
    search = request.GET.get("q", "")[:100].strip()
    enrolled, waiting = (
        selectors.register_enrolled(run=run, search=search),
        selectors.register_waiting(run=run, search=search),
    )
    if search:
        enrolled_pages = Paginator(enrolled, REGISTER_PAGE_SIZE)
        waiting_pages = Paginator(waiting, REGISTER_PAGE_SIZE)
    else:
        # Counted already.
        enrolled_pages = CountedPaginator(enrolled, REGISTER_PAGE_SIZE, count=counts.enrolled)
        waiting_pages = CountedPaginator(waiting, REGISTER_PAGE_SIZE, count=counts.waiting)
    enrolled_page = enrolled_pages.get_page(request.GET.get("pagina"))
    waiting_page = waiting_pages.get_page(request.GET.get("wachtlijst"))
    rows = selectors.register_rows(
        run=run, sessions=all_sessions, selected=selected, fetched=enrolled_page.object_list
    )
    waiting_page.object_list = selectors.waiting_lines(
        waiting_page.object_list, first_position=waiting_page.start_index()
    )
    can_manage = permissions.can_manage_run(request.user, run)
    return render(
        request,
        "trainings/register.html",
        {
            "run": run,
            "rows": rows,
            "enrolled_page": enrolled_page,
            "enrolled_query": query_without(request, "pagina"),
            "counts": counts,
            "waiting": waiting_page,
            "waiting_query": query_without(request, "wachtlijst"),
            "search": search,
            # Read only when someone waits for a manager.
            "pending": selectors.pending_approvals(run=run) if counts.pending else [],
            # Shown to who manages the run only.
            "mailings": selectors.run_mailings(run=run, limit=10) if can_manage else [],
            "sessions": sessions,
            "markable": markable,
            "selected": selected,
            "attendance_choices": AttendanceStatus.choices,
            "can_manage": can_manage,
        },
    )


@coordinator_required
@one_time_submission
def team_enrol(request, run_id: int):
    """Enrol a team from pasted e-mail addresses: everyone or, with any bad address, nobody."""
    run = _managed_run(request, run_id)
    form = TeamEnrolmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            placed = services.enrolment_team_create(
                actor=request.user, run=run, addresses=form.cleaned_data["addresses"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            waiting = sum(1 for e in placed if e.status == "waitlisted")
            messages.success(
                request,
                _(
                    "%(enrolled)d ingeschreven, %(waiting)d op de wachtlijst; "
                    "iedereen krijgt bericht."
                )
                % {"enrolled": len(placed) - waiting, "waiting": waiting},
            )
            return redirect("trainings:register", run_id=run.pk)
    return render(request, "trainings/team_enrol.html", {"form": form, "run": run})


@coordinator_required
@one_time_submission
def run_mailing(request, run_id: int):
    """Write to a group of the run's people from a template: preview first, then send once."""
    run = _managed_run(request, run_id)
    template = mailing.TEMPLATES.get(request.GET.get("sjabloon", ""))
    initial = {"audience": "enrolled"}
    if template is not None:
        initial.update(subject=template.subject, body=template.body)
    form = RunMailingForm(request.POST or None, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if "send" in request.POST:
                sent = services.run_mailing_send(actor=request.user, run=run, **data)
            else:
                services.run_mailing_check(**data)
                recipients = list(
                    selectors.mailing_recipients(run=run, audience=data["audience"])[:1]
                )
                preview = {
                    "count": selectors.mailing_recipients(run=run, audience=data["audience"])
                    .order_by()
                    .count(),
                    "example": render_mailing(_draft(run, data), recipients[0])
                    if recipients
                    else None,
                    "to": recipients[0] if recipients else None,
                }
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if preview is None:
                messages.success(
                    request,
                    ngettext(
                        "Het bericht gaat naar %(n)d persoon.",
                        "Het bericht gaat naar %(n)d personen.",
                        sent.recipient_count,
                    )
                    % {"n": sent.recipient_count},
                )
                return redirect("trainings:run_mailing", run_id=run.pk)
    return render(
        request,
        "trainings/run_mailing.html",
        {
            "run": run,
            "form": form,
            "preview": preview,
            "templates": mailing.TEMPLATES,
            "placeholders": mailing.PLACEHOLDERS,
            "mailings": selectors.run_mailings(run=run, limit=50),
        },
    )


def _draft(run, data):
    """The message as it would be sent, unsaved, for the preview."""
    return RunMailing(
        run=run, audience=data["audience"], subject=data["subject"], body=data["body"]
    )


@portal_permissions.role_required(portal_permissions.is_trainer)
def taught(request):
    return render(
        request, "trainings/taught_runs.html", {"runs": selectors.runs_taught_by(user=request.user)}
    )


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# However busy a period, a day shows this many sessions in the month grid (and its agenda)
# and in the week, with a "nog N meer" link to the day's list; the list and a day come in pages.
MONTH_SESSIONS_PER_DAY = 3

WEEK_SESSIONS_PER_DAY = 5

CALENDAR_PAGE_SIZE = 50


@login_required
def calendar(request):
    """Month grid (default), week, list of a month or one day's list of the sessions of the
    runs the user may see."""
    today = timezone.localdate()
    organisation_id = request.GET.get("organisatie")
    organisation_id = int(organisation_id) if (organisation_id or "").isdigit() else None
    training_format = request.GET.get("vorm", "")
    if training_format not in TrainingFormat.values:
        training_format = ""
    status = request.GET.get("status", "")
    if status not in RunStatus.values:
        status = ""
    period = layout.period(
        month=request.GET.get("maand"),
        week=request.GET.get("week"),
        day=request.GET.get("dag"),
        as_list=request.GET.get("weergave") == "lijst",
        today=today,
    )
    chosen = {
        "user": request.user,
        "start": _aware(period.first),
        "end": _aware(period.end),
        "organisation_id": organisation_id,
        "format": training_format,
        "status": status,
    }
    filters = query_without(request, "maand", "week", "dag", "weergave", "pagina")
    page = None
    more = {}
    if period.view in (layout.LIST, layout.DAY):
        page = Paginator(selectors.calendar_rows(**chosen), CALENDAR_PAGE_SIZE).get_page(
            request.GET.get("pagina")
        )
        entries = selectors.calendar_entries(page.object_list)
    else:
        per_day = MONTH_SESSIONS_PER_DAY if period.view == layout.MONTH else WEEK_SESSIONS_PER_DAY
        entries, totals = selectors.calendar_days(per_day=per_day, **chosen)
        day_url = f"{reverse('trainings:calendar')}?{filters}{'&' if filters else ''}dag="
        more = {
            day: (total - per_day, f"{day_url}{day.isoformat()}")
            for day, total in totals.items()
            if total > per_day
        }
    # One reverse() for every run, its id put in after: a busy month lists many runs.
    run_url = reverse("trainings:run_detail", args=[RUN_ID_PLACEHOLDER]).replace(
        str(RUN_ID_PLACEHOLDER), "{}"
    )
    linked = [(entry, run_url.format(entry.run_id)) for entry in entries]
    by_day = layout.group_by_day((entry.day, (entry, url)) for entry, url in linked)
    return render(
        request,
        "trainings/calendar.html",
        {
            "view": period.view,
            "month": period.month,
            "weeks": layout.month_grid(period.month, by_day) if period.view == layout.MONTH else [],
            "week_days": layout.week_days(period.first, by_day)
            if period.view == layout.WEEK
            else [],
            "week_start": period.first,
            "day": period.first,
            "entries": linked,
            "page": page,
            "page_query": query_without(request, "pagina"),
            "more": more,
            "today": today,
            "draft_label": _("Concept"),
            "off_label": _("Vervalt"),
            "previous_month": period.previous_month,
            "next_month": period.next_month,
            "this_month": period.this_month,
            "previous_week": period.previous_week,
            "next_week": period.next_week,
            "this_week": period.this_week,
            "previous_day": period.previous_day,
            "next_day": period.next_day,
            "this_day": period.this_day,
            "filters": filters,
            "organisations": selectors.training_provider_choices(),
            "formats": TrainingFormat.choices,
            "statuses": RunStatus.choices
            if portal_permissions.is_coordinator(request.user)
            else [],
            "selected_organisation": organisation_id,
            "selected_format": training_format,
            "selected_status": status,
        },
    )
