"""Pages for participants: the catalogue, a run, enrolling, and what they write; and the
page behind the link a manager answers a request for approval with."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import answer_links, sql
from portal import permissions as portal_permissions
from portal.forms import add_service_error_messages
from portal.pagination import CappedPaginator, CountedPaginator, query_without

from .. import permissions, selectors, services
from ..forms import CatalogueFilterForm, DevelopmentPlanForm, ManagerForm, ReflectionForm
from ..models import EnrolmentStatus, RunStatus, TrainingFormat

CATALOGUE_PAGE_SIZE = 20

# The catalogue counts its runs up to this many ("meer dan 500"): a national programme has
# thousands of upcoming runs, and counting them all would cost more than the page.
CATALOGUE_COUNT_CAP = 500

# Long-time participants collect many trainings; both lists on "my trainings" come in pages.
UPCOMING_PAGE_SIZE = 10

PAST_PAGE_SIZE = 10


class _ReadAhead:
    """Keys of which the first ones are read already: a slice within them costs no query, a
    slice beyond them is read from ``keys``."""

    def __init__(self, keys, head: list):
        self.keys, self.head = keys, head

    def __getitem__(self, index):
        if isinstance(index, slice) and index.stop is not None and index.stop <= len(self.head):
            return self.head[index]
        return self.keys[index]


class _ReadAheadPaginator(CappedPaginator):
    """A ``CappedPaginator`` that reads the first ``cap + 1`` keys at once: they give the
    count up to the cap and every page within them, in one query instead of two."""

    def __init__(self, keys, per_page, *, cap: int):
        head = sql.column(keys[: cap + 1])
        super().__init__(_ReadAhead(keys, head), per_page, cap=cap)
        self._head_count = len(head)

    @cached_property
    def count(self) -> int:
        return self._head_count


@login_required
def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    filters = form.filters()
    keys = selectors.catalogue_keys(user=request.user, filters=filters)
    page = _ReadAheadPaginator(keys, CATALOGUE_PAGE_SIZE, cap=CATALOGUE_COUNT_CAP).get_page(
        request.GET.get("pagina")
    )
    # The page's runs read by their ids: their counts worked out for these rows only.
    page.object_list = selectors.catalogue_page(user=request.user, run_ids=list(page.object_list))
    return render(
        request,
        "trainings/catalogue.html",
        {
            "form": form,
            "page": page,
            "count_cap": number_format(CATALOGUE_COUNT_CAP, force_grouping=True),
            "query": query_without(request, "pagina"),
            "providers": selectors.training_provider_choices(),
            "selected_provider": filters.organisation_id,
            "now": timezone.now(),
        },
    )


@login_required
def run_detail(request, run_id: int):
    run = selectors.run_page(user=request.user, run_id=run_id)
    if run is None:
        raise Http404
    sessions = selectors.run_sessions(run=run)
    enrolment = selectors.enrolment_of(user=request.user, run=run)
    is_enrolled = enrolment is not None and enrolment.status == EnrolmentStatus.ENROLLED
    sees_participants = permissions.can_view_participants(request.user, run)
    shows_materials = is_enrolled or sees_participants
    now = timezone.now()
    if is_enrolled:
        _attach_completion(enrolment, sessions, run)
    context = {
        "run": run,
        "reflected": selectors.reflected_session_ids(enrolment=enrolment) if is_enrolled else set(),
        "sessions": sessions,
        "trainers": selectors.run_trainers(run=run),
        "materials": selectors.run_materials(run=run) if shows_materials else [],
        "enrolment": enrolment,
        "is_enrolled": is_enrolled,
        "places_left": max(run.capacity - run.enrolled_count, 0),
        "can_manage": permissions.can_manage_run(request.user, run),
        "sees_participants": sees_participants,
        "shows_materials": shows_materials,
        # A bewustwordingssessie's room: for whoever holds a place and the run's trainers.
        "opens_room": run.training.format == TrainingFormat.AWARENESS
        and run.status in (RunStatus.PUBLISHED, RunStatus.COMPLETED)
        and (is_enrolled or permissions.teaches_run(request.user, run)),
        "window_open": run.status == RunStatus.PUBLISHED
        and run.enrolment_opens_at <= now < run.enrolment_closes_at,
        "now": now,
        "sees_results": _sees_results(request.user, run),
        "approval": selectors.latest_approval(enrolment=enrolment)
        if run.training.requires_manager_approval
        else None,
        "manager_form": ManagerForm() if run.training.requires_manager_approval else None,
    }
    if is_enrolled and run.ends_at and run.ends_at <= now:
        context["evaluation_state"] = selectors.evaluation_state(user=request.user, run=run)
        context["followup_state"] = selectors.followup_state(user=request.user, run=run)
    return render(request, "trainings/run_detail.html", context)


@require_POST
@login_required
def enrol(request, run_id: int):
    run = selectors.run_to_enrol(user=request.user, run_id=run_id)
    if run is None:
        raise Http404
    manager = {}
    if run.training.requires_manager_approval:
        form = ManagerForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("trainings:run_detail", run_id=run_id)
        manager = form.cleaned_data
    try:
        enrolment = services.enrolment_create(run=run, participant=request.user, **manager)
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        if enrolment.status == EnrolmentStatus.PENDING:
            messages.success(
                request,
                _(
                    "Je aanvraag is verstuurd naar je leidinggevende. Zodra die akkoord geeft, "
                    "krijg je een plaats of een plaats op de wachtlijst."
                ),
            )
        elif enrolment.status == EnrolmentStatus.ENROLLED:
            messages.success(
                request, _("Je bent ingeschreven. Je krijgt een bevestiging per e-mail.")
            )
        else:
            position = selectors.waitlist_position_of(user=request.user, run=run)
            messages.info(
                request,
                _(
                    "De uitvoering is vol; je staat op plaats %(position)d van de wachtlijst. "
                    "Komt er een plaats vrij, dan schuif je automatisch door en krijg je bericht."
                )
                % {"position": position},
            )
    return redirect("trainings:run_detail", run_id=run_id)


@login_required
def cancel(request, run_id: int):
    """Ask first (GET), then give up the place or the waiting-list spot (POST)."""
    run = selectors.run_detail(user=request.user, run_id=run_id)
    enrolment = selectors.enrolment_of(user=request.user, run=run) if run else None
    if enrolment is None:
        raise Http404
    was_waiting = enrolment.status == EnrolmentStatus.WAITLISTED
    was_pending = enrolment.status == EnrolmentStatus.PENDING
    if request.method != "POST":
        return render(request, "portal/confirm.html", _cancel_confirmation(run, enrolment))
    try:
        services.enrolment_cancel(enrolment=enrolment, actor=request.user)
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        if was_pending:
            done = _("Je aanvraag is ingetrokken; de link van je leidinggevende werkt niet meer.")
        elif was_waiting:
            done = _("Je staat niet meer op de wachtlijst.")
        else:
            done = _("Je bent afgemeld. Je plaats gaat naar de eerste op de wachtlijst.")
        messages.success(request, done)
    return redirect("trainings:run_detail", run_id=run_id)


def _cancel_confirmation(run, enrolment) -> dict:
    title = run.training.title
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        heading = _("Van de wachtlijst af voor „%(title)s”?") % {"title": title}
        consequences = [
            _("Je verliest plaats %(position)d op de wachtlijst.")
            % {"position": enrolment.waitlist_position or 0},
            _("Wil je later toch, dan sluit je achteraan aan."),
        ]
        label = _("Ja, haal me van de wachtlijst")
    elif enrolment.status == EnrolmentStatus.PENDING:
        heading = _("Aanvraag voor „%(title)s” intrekken?") % {"title": title}
        consequences = [
            _("Je leidinggevende kan de aanvraag dan niet meer beantwoorden."),
            _("Wil je later toch, dan vraag je het akkoord opnieuw aan."),
        ]
        label = _("Ja, trek mijn aanvraag in")
    else:
        heading = _("Afmelden voor „%(title)s”?") % {"title": title}
        consequences = [
            _("Je plaats gaat meteen naar de eerste op de wachtlijst."),
            _("Wil je later toch, dan schrijf je je opnieuw in als er plaats is."),
        ]
        label = _("Ja, meld me af")
    return {
        "heading": heading,
        "consequences": consequences,
        "action": reverse("trainings:cancel", args=[run.pk]),
        "confirm_label": label,
        "cancel_url": reverse("trainings:run_detail", args=[run.pk]),
        "danger": True,
    }


def release(request, token: str):
    """The link in the "je bent doorgeschoven" mail: one button, so mail scanners change nothing."""
    if request.method == "POST":
        try:
            enrolment = services.enrolment_release(token=token)
        except ValidationError as error:
            return render(
                request, "trainings/release.html", {"error": " ".join(error.messages)}, status=410
            )
        return render(request, "trainings/release.html", {"released": enrolment})
    return render(request, "trainings/release.html", {"token": token})


@login_required
def my_trainings(request):
    """What is ahead (soonest first) and what is over (newest first), each in pages: the
    database pages both lists, and the rows shown are read, with their sessions, as what
    they show."""
    now = timezone.now()
    upcoming_count, past_count = selectors.my_enrolment_counts(user=request.user, now=now)
    # The counts decide which page a number asks for; the rows of both are then read at once.
    upcoming = CountedPaginator(
        range(upcoming_count), UPCOMING_PAGE_SIZE, count=upcoming_count
    ).get_page(request.GET.get("komend"))
    past = CountedPaginator(range(past_count), PAST_PAGE_SIZE, count=past_count).get_page(
        request.GET.get("pagina")
    )
    upcoming.object_list, past.object_list = selectors.my_training_rows(
        user=request.user,
        now=now,
        upcoming=(upcoming.start_index() - 1 if upcoming_count else 0, UPCOMING_PAGE_SIZE),
        past=(past.start_index() - 1 if past_count else 0, PAST_PAGE_SIZE),
    )
    return render(
        request,
        "trainings/my_trainings.html",
        {
            "upcoming": upcoming,
            "upcoming_rows": upcoming.object_list,
            "upcoming_query": query_without(request, "komend"),
            "past": past,
            "past_rows": past.object_list,
            "past_query": query_without(request, "pagina"),
            "now": now,
        },
    )


def _attach_completion(enrolment, sessions, run=None) -> None:
    """``completion`` and ``certificate`` for the completion block; no query of its own."""
    enrolment.completion = selectors.completion_of(enrolment=enrolment, sessions=sessions, run=run)
    enrolment.certificate = selectors.listed_certificate(enrolment)


def _sees_results(user, run) -> bool:
    """Whether the run's evaluation figures are linked: the programme's setting is read only
    for who could need it, a trainer who does not manage the run."""
    return permissions.sees_evaluation_aggregates(
        user,
        run,
        trainers_allowed=portal_permissions.is_trainer(user)
        and not permissions.can_manage_run(user, run)
        and selectors.evaluation_settings_of(run.training.programme_id).trainers_see_aggregates,
    )


def _enrolment_or_404(request, enrolment_id: int):
    enrolment = selectors.enrolment_for_writing(user=request.user, enrolment_id=enrolment_id)
    if enrolment is None:
        raise Http404
    return enrolment


@login_required
def development_plan(request, enrolment_id: int):
    """The author writes the plan; the run's trainers and coordinators read it and the rest."""
    enrolment = _enrolment_or_404(request, enrolment_id)
    is_author = enrolment.participant_id == request.user.pk
    plan = selectors.development_plan_of(enrolment)
    form = DevelopmentPlanForm(request.POST or None, instance=plan) if is_author else None
    if request.method == "POST":
        if not is_author:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.development_plan_save(
                    enrolment=enrolment, author=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Je ontwikkelplan is opgeslagen."))
                return redirect("trainings:development_plan", enrolment_id=enrolment.pk)
    reflections = {reflection.session_id: reflection for reflection in enrolment.reflections.all()}
    sessions = [(session, reflections.get(session.pk)) for session in enrolment.run.sessions.all()]
    return render(
        request,
        "trainings/development_plan.html",
        {
            "enrolment": enrolment,
            "plan": plan,
            "form": form,
            "is_author": is_author,
            "sessions": sessions,
            "now": timezone.now(),
        },
    )


@login_required
def reflection(request, enrolment_id: int, session_id: int):
    enrolment = _enrolment_or_404(request, enrolment_id)
    if enrolment.participant_id != request.user.pk:
        raise Http404
    session = next((s for s in enrolment.run.sessions.all() if s.pk == session_id), None)
    if session is None:
        raise Http404
    existing = next((r for r in enrolment.reflections.all() if r.session_id == session.pk), None)
    form = ReflectionForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        try:
            services.reflection_save(
                enrolment=enrolment, session=session, author=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Je reflectie is opgeslagen."))
            return redirect("trainings:development_plan", enrolment_id=enrolment.pk)
    return render(
        request,
        "trainings/reflection_form.html",
        {"enrolment": enrolment, "session": session, "form": form},
    )


def approval_answer(request, token: str):
    """The manager's page: reachable only through the link in their e-mail, no login."""
    found = selectors.approval_by_token(token=token)
    enrolment = found.episode.enrolment if found else None
    return answer_links.answer_page(
        request,
        row=found,
        is_open=found is not None and services.approval_is_open(found),
        answer=partial(services.enrolment_approval_answer, token=token),
        template="trainings/approval_answer.html",
        heading=_("Akkoord voor een training"),
        context={
            "approval": found,
            "enrolment": enrolment,
            "training": enrolment.run.training if enrolment else None,
        },
        yes=_("Akkoord: mijn medewerker mag deze training volgen"),
        no=_("Geen akkoord"),
    )
