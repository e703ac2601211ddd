"""Werkplaats pages. Every object comes through a selector or a permission rule; a guessed
id someone may not see gives 404, an action they may not take gives 403."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal import answer_links, links
from portal import permissions as portal_permissions
from portal.cursor_pagination import page_or_start
from portal.forms import add_service_error_messages, one_time_submission
from portal.forms import add_service_errors as _add_errors
from portal.pagination import query_without

from . import permissions, selectors, services
from .forms import (
    CaseSketchFollowUpForm,
    CaseSketchForm,
    MoveForm,
    OrganisationalActionForm,
    PairingRuleForm,
    ParticipantsAddForm,
    PracticeLogForm,
    RugdekkingRequestForm,
    SessionForm,
    WerkplaatsForm,
    WerkplaatsListForm,
)
from .models import OrganisationalAction, PairingRule, Participation, RugdekkingStatus, Werkplaats

creator_required = portal_permissions.role_required(permissions.can_create_werkplaats)


def _visible(request, werkplaats_id: int) -> Werkplaats:
    werkplaats = selectors.werkplaats_for(user=request.user, werkplaats_id=werkplaats_id)
    if werkplaats is None:
        raise Http404
    return werkplaats


def _managed(request, werkplaats_id: int) -> Werkplaats:
    werkplaats = _visible(request, werkplaats_id)
    if not permissions.can_manage(request.user, werkplaats):
        raise PermissionDenied
    return werkplaats


# --- werkplaatsen ----------------------------------------------------------------------------


@login_required
def werkplaats_list(request):
    form = WerkplaatsListForm(request.GET or None)
    filters = form.filters()
    page, cursor_refused = page_or_start(
        partial(selectors.werkplaats_list_page, user=request.user, filters=filters), request.GET
    )
    return render(
        request,
        "werkplaats/werkplaats_list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "count": selectors.werkplaats_list_count(user=request.user, filters=filters),
            "query": query_without(request, "na", "voor"),
            "cursor_refused": cursor_refused,
            "can_create": permissions.can_create_werkplaats(request.user),
        },
    )


@creator_required
@one_time_submission
def werkplaats_create(request):
    form = WerkplaatsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            werkplaats = services.werkplaats_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("De werkplaats is aangemaakt. Voeg nu deelnemers toe."))
            return redirect("werkplaats:participants", werkplaats_id=werkplaats.pk)
    return render(request, "werkplaats/werkplaats_form.html", {"form": form, "werkplaats": None})


@login_required
def werkplaats_edit(request, werkplaats_id: int):
    werkplaats = _managed(request, werkplaats_id)
    form = WerkplaatsForm(
        request.POST or None,
        initial={
            "title": werkplaats.title,
            "organisation": werkplaats.organisation,
            "programme": werkplaats.programme,
            "description": werkplaats.description,
            "facilitators": werkplaats.facilitators.all(),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.werkplaats_update(
                actor=request.user, werkplaats=werkplaats, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("De werkplaats is opgeslagen."))
            return redirect("werkplaats:detail", werkplaats_id=werkplaats.pk)
    return render(
        request, "werkplaats/werkplaats_form.html", {"form": form, "werkplaats": werkplaats}
    )


@login_required
def werkplaats_detail(request, werkplaats_id: int):
    werkplaats = _visible(request, werkplaats_id)
    can_manage = permissions.can_manage(request.user, werkplaats)
    own = permissions.participation_of(request.user, werkplaats)
    context = {
        "werkplaats": werkplaats,
        "can_manage": can_manage,
        "own": own,
        "sessions": selectors.sessions(werkplaats=werkplaats),
        "facilitators": werkplaats.facilitators.order_by("full_name"),
        "now": timezone.now(),
        "related_links": links.related_links(request.user, werkplaats),
    }
    if can_manage:
        context["overview"] = selectors.groups_overview(werkplaats=werkplaats)
    if own is not None:
        context["my_group"] = (
            list(selectors.participations(werkplaats=werkplaats).filter(group_id=own.group_id))
            if own.group_id
            else []
        )
        context["my_requests"] = selectors.own_rugdekking_requests(participation=own)
    return render(request, "werkplaats/werkplaats_detail.html", context)


# --- participants, agreements and groups -----------------------------------------------------


@login_required
def participants(request, werkplaats_id: int):
    werkplaats = _managed(request, werkplaats_id)
    add_form = ParticipantsAddForm(request.POST if "add" in request.POST else None)
    rule_form = PairingRuleForm(
        request.POST if "rule" in request.POST else None, werkplaats=werkplaats
    )
    if request.method == "POST":
        try:
            if "add" in request.POST and add_form.is_valid():
                users = add_form.cleaned_data["users"]
                added = services.participants_add(
                    actor=request.user, werkplaats=werkplaats, users=users
                )
                messages.success(
                    request,
                    ngettext(
                        "%(count)s deelnemer toegevoegd.",
                        "%(count)s deelnemers toegevoegd.",
                        added,
                    )
                    % {"count": added},
                )
                if added < len(users):
                    messages.info(
                        request,
                        ngettext(
                            "%(count)s van de adressen deed al mee.",
                            "%(count)s van de adressen deden al mee.",
                            len(users) - added,
                        )
                        % {"count": len(users) - added},
                    )
                return redirect("werkplaats:participants", werkplaats_id=werkplaats.pk)
            if "rule" in request.POST and rule_form.is_valid():
                services.pairing_rule_add(
                    actor=request.user, werkplaats=werkplaats, **rule_form.cleaned_data
                )
                messages.success(request, _("De afspraak is vastgelegd."))
                return redirect("werkplaats:participants", werkplaats_id=werkplaats.pk)
        except ValidationError as error:
            _add_errors(rule_form if "rule" in request.POST else add_form, error)
    return render(
        request,
        "werkplaats/participants.html",
        {
            "werkplaats": werkplaats,
            "participations": selectors.participations(werkplaats=werkplaats),
            "rules": selectors.pairing_rules(werkplaats=werkplaats),
            "add_form": add_form,
            "rule_form": rule_form,
        },
    )


@login_required
def participant_remove(request, werkplaats_id: int, participation_id: int):
    """Ask first (GET): removing someone deletes their practice logs too; then remove (POST)."""
    werkplaats = _managed(request, werkplaats_id)
    participation = get_object_or_404(Participation, pk=participation_id, werkplaats=werkplaats)
    if request.method != "POST":
        logs = selectors.practice_log_count(participation=participation)
        return render(
            request,
            "portal/confirm.html",
            {
                "heading": _("%(name)s uit de werkplaats verwijderen?")
                % {"name": participation.user},
                "consequences": [
                    _("%(name)s staat daarna niet meer op de deelnemerslijst en in geen groep.")
                    % {"name": participation.user},
                    ngettext(
                        "Het ene oefenlogboek van deze deelnemer wordt verwijderd.",
                        "De %(count)d oefenlogboeken van deze deelnemer worden verwijderd.",
                        logs,
                    )
                    % {"count": logs}
                    if logs
                    else _("Deze deelnemer heeft nog geen oefenlogboek geschreven."),
                    _("Dit is niet terug te draaien."),
                ],
                "action": reverse(
                    "werkplaats:participant_remove", args=[werkplaats.pk, participation.pk]
                ),
                "confirm_label": _("Ja, verwijderen"),
                "cancel_url": reverse("werkplaats:participants", args=[werkplaats.pk]),
                "danger": True,
            },
        )
    services.participant_remove(actor=request.user, participation=participation)
    messages.success(request, _("%(name)s is verwijderd.") % {"name": participation.user})
    return redirect("werkplaats:participants", werkplaats_id=werkplaats.pk)


@require_POST
@login_required
def pairing_rule_remove(request, werkplaats_id: int, rule_id: int):
    werkplaats = _managed(request, werkplaats_id)
    rule = get_object_or_404(PairingRule, pk=rule_id, werkplaats=werkplaats)
    services.pairing_rule_remove(actor=request.user, rule=rule)
    messages.success(request, _("De afspraak is verwijderd."))
    return redirect("werkplaats:participants", werkplaats_id=werkplaats.pk)


@login_required
def groups(request, werkplaats_id: int):
    werkplaats = _managed(request, werkplaats_id)
    move_form = MoveForm(request.POST if "move" in request.POST else None, werkplaats=werkplaats)
    if request.method == "POST":
        try:
            if "make" in request.POST and selectors.has_groups(werkplaats=werkplaats):
                # Making groups again undoes hand moves: that goes through the confirmation.
                return redirect("werkplaats:groups_remake", werkplaats_id=werkplaats.pk)
            if "make" in request.POST:
                result = services.groups_make(actor=request.user, werkplaats=werkplaats)
                messages.success(
                    request,
                    _("%(count)s groepen gemaakt.") % {"count": len(result.groups)},
                )
                return redirect("werkplaats:groups", werkplaats_id=werkplaats.pk)
            if "move" in request.POST and move_form.is_valid():
                moved = services.participant_move(actor=request.user, **move_form.cleaned_data)
                messages.success(
                    request,
                    _("%(name)s zit nu in %(group)s.") % {"name": moved.user, "group": moved.group},
                )
                return redirect("werkplaats:groups", werkplaats_id=werkplaats.pk)
        except ValidationError as error:
            if "move" in request.POST:
                _add_errors(move_form, error)
            else:
                add_service_error_messages(request, error)
    overview = selectors.groups_overview(werkplaats=werkplaats)
    move_form.offer(people=overview.people, groups=[view.group for view in overview.groups])
    return render(
        request,
        "werkplaats/groups.html",
        {
            "werkplaats": werkplaats,
            "overview": overview,
            "rules": selectors.pairing_rules(werkplaats=werkplaats),
            "move_form": move_form,
        },
    )


@login_required
def groups_remake(request, werkplaats_id: int):
    """Ask first (GET): new groups replace the old and undo hand moves; then make them (POST)."""
    werkplaats = _managed(request, werkplaats_id)
    if request.method == "POST":
        try:
            result = services.groups_make(actor=request.user, werkplaats=werkplaats)
        except ValidationError as error:
            add_service_error_messages(request, error)
        else:
            messages.success(
                request, _("%(count)s groepen gemaakt.") % {"count": len(result.groups)}
            )
        return redirect("werkplaats:groups", werkplaats_id=werkplaats.pk)
    overview = selectors.groups_overview(werkplaats=werkplaats)
    consequences = [
        _("De huidige %(count)d groepen worden vervangen door een nieuwe indeling.")
        % {"count": len(overview.groups)},
        ngettext(
            "%(count)d verplaatsing met de hand gaat verloren.",
            "%(count)d verplaatsingen met de hand gaan verloren.",
            overview.hand_moves,
        )
        % {"count": overview.hand_moves}
        if overview.hand_moves
        else _("Er is niemand met de hand verplaatst; er gaat geen handwerk verloren."),
        _("Afspraken over wie samen of apart moet, blijven gelden."),
        _("Dit is niet terug te draaien."),
    ]
    return render(
        request,
        "portal/confirm.html",
        {
            "heading": _("Groepen opnieuw maken?"),
            "consequences": consequences,
            "action": reverse("werkplaats:groups_remake", args=[werkplaats.pk]),
            "confirm_label": _("Ja, groepen opnieuw maken"),
            "cancel_url": reverse("werkplaats:groups", args=[werkplaats.pk]),
            "danger": bool(overview.hand_moves),
        },
    )


# --- sessions, practice logs and case sketches -----------------------------------------------


def _session_initial(session) -> dict:
    return {
        "length": session.length,
        "starts_at": timezone.localtime(session.starts_at),
        "ends_at": timezone.localtime(session.ends_at),
        "location": session.location,
        "aim_bewustwording": session.aim_bewustwording,
        "aim_inzicht": session.aim_inzicht,
        "aim_helicopterview": session.aim_helicopterview,
        "aim_vaardigheid": session.aim_vaardigheid,
    }


@login_required
@one_time_submission
def session_create(request, werkplaats_id: int):
    werkplaats = _managed(request, werkplaats_id)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session = services.session_create(
                actor=request.user, werkplaats=werkplaats, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("De sessie is gepland; de deelnemers krijgen een uitnodiging.")
            )
            return redirect("werkplaats:session_detail", session_id=session.pk)
    return render(
        request,
        "werkplaats/session_form.html",
        {"form": form, "werkplaats": werkplaats, "session": None},
    )


def _visible_session(request, session_id: int):
    session = selectors.session_for(user=request.user, session_id=session_id)
    if session is None:
        raise Http404
    return session


@login_required
def session_edit(request, session_id: int):
    session = _visible_session(request, session_id)
    if not permissions.can_manage(request.user, session.werkplaats):
        raise PermissionDenied
    form = SessionForm(request.POST or None, initial=_session_initial(session))
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("De sessie is opgeslagen; herinneringen schuiven mee."))
            return redirect("werkplaats:session_detail", session_id=session.pk)
    return render(
        request,
        "werkplaats/session_form.html",
        {"form": form, "werkplaats": session.werkplaats, "session": session},
    )


@login_required
def session_detail(request, session_id: int):
    session = _visible_session(request, session_id)
    werkplaats = session.werkplaats
    following = selectors.next_session(session)
    own = permissions.participation_of(request.user, werkplaats)
    return render(
        request,
        "werkplaats/session_detail.html",
        {
            "session": session,
            "werkplaats": werkplaats,
            "next_session": following,
            "can_manage": permissions.can_manage(request.user, werkplaats),
            "own": own,
            "log_groups": selectors.practice_logs_by_group(user=request.user, session=session)
            if following
            else [],
            "sketches": selectors.case_sketches_for(user=request.user, session=session),
            "now": timezone.now(),
        },
    )


@login_required
def practice_log(request, session_id: int):
    session = _visible_session(request, session_id)
    own = permissions.participation_of(request.user, session.werkplaats)
    if own is None:
        raise PermissionDenied
    existing = own.practice_logs.filter(after_session=session).first()
    initial = (
        {"tried": existing.tried, "happened": existing.happened, "bring_next": existing.bring_next}
        if existing
        else None
    )
    form = PracticeLogForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.practice_log_save(
                user=request.user, after_session=session, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Je oefenlogboek is opgeslagen."))
            return redirect("werkplaats:session_detail", session_id=session.pk)
    return render(
        request,
        "werkplaats/practice_log_form.html",
        {"form": form, "session": session, "next_session": selectors.next_session(session)},
    )


@login_required
@one_time_submission
def case_sketch_create(request, session_id: int):
    session = _visible_session(request, session_id)
    if permissions.participation_of(request.user, session.werkplaats) is None:
        raise PermissionDenied
    form = CaseSketchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sketch = services.case_sketch_create(
                user=request.user, session=session, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Je casus staat klaar voor je groep."))
            return redirect("werkplaats:case_sketch", sketch_id=sketch.pk)
    return render(request, "werkplaats/case_sketch_form.html", {"form": form, "session": session})


@login_required
def case_sketch_detail(request, sketch_id: int):
    sketch = selectors.case_sketch_for(user=request.user, sketch_id=sketch_id)
    if sketch is None:
        raise Http404
    form = CaseSketchFollowUpForm(
        request.POST or None,
        initial={"discussion": sketch.discussion, "follow_up": sketch.follow_up},
    )
    if request.method == "POST" and form.is_valid():
        services.case_sketch_update(actor=request.user, sketch=sketch, **form.cleaned_data)
        messages.success(request, _("Bespreking en vervolg zijn opgeslagen."))
        return redirect("werkplaats:case_sketch", sketch_id=sketch.pk)
    return render(request, "werkplaats/case_sketch_detail.html", {"sketch": sketch, "form": form})


# --- rugdekking ------------------------------------------------------------------------------


@login_required
@one_time_submission
def rugdekking_create(request, werkplaats_id: int):
    werkplaats = _visible(request, werkplaats_id)
    if permissions.participation_of(request.user, werkplaats) is None:
        raise PermissionDenied
    form = RugdekkingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.rugdekking_request_create(
                user=request.user, werkplaats=werkplaats, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Je verzoek is verstuurd. We herinneren je leidinggevende als het stil blijft."),
            )
            return redirect("werkplaats:detail", werkplaats_id=werkplaats.pk)
    return render(
        request, "werkplaats/rugdekking_form.html", {"form": form, "werkplaats": werkplaats}
    )


def rugdekking_answer(request, token: str):
    """The manager's page: reachable only through the link in their e-mail, no login."""
    found = selectors.rugdekking_by_token(token=token)
    return answer_links.answer_page(
        request,
        row=found,
        is_open=found is not None and found.status == RugdekkingStatus.OPEN,
        answer=partial(services.rugdekking_answer, token=token),
        template="werkplaats/rugdekking_answer.html",
        heading=_("Verzoek om rugdekking"),
        context={"request_obj": found},
        yes=_("Ja, ik geef rugdekking"),
        no=_("Nee, geen rugdekking"),
    )


@login_required
def rugdekking_open(request):
    if not permissions.can_create_werkplaats(request.user):
        raise PermissionDenied
    return render(
        request,
        "werkplaats/rugdekking_open.html",
        {"requests": selectors.open_rugdekking_requests(user=request.user)[:500]},
    )


# --- organisational actions ------------------------------------------------------------------


@login_required
@one_time_submission
def actions(request, werkplaats_id: int):
    werkplaats = _visible(request, werkplaats_id)
    can_manage = permissions.can_manage(request.user, werkplaats)
    form = OrganisationalActionForm(request.POST or None) if can_manage else None
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            services.organisational_action_save(
                actor=request.user, werkplaats=werkplaats, **form.cleaned_data
            )
            messages.success(request, _("De actie is toegevoegd."))
            return redirect("werkplaats:actions", werkplaats_id=werkplaats.pk)
    return render(
        request,
        "werkplaats/actions.html",
        {
            "werkplaats": werkplaats,
            "actions": selectors.organisational_actions(werkplaats=werkplaats),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
def action_edit(request, werkplaats_id: int, action_id: int):
    werkplaats = _managed(request, werkplaats_id)
    action = get_object_or_404(OrganisationalAction, pk=action_id, werkplaats=werkplaats)
    form = OrganisationalActionForm(
        request.POST or None,
        initial={
            "title": action.title,
            "owner": action.owner,
            "due_date": action.due_date,
            "status": action.status,
            "notes": action.notes,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.organisational_action_save(
            actor=request.user, werkplaats=werkplaats, action=action, **form.cleaned_data
        )
        messages.success(request, _("De actie is opgeslagen."))
        return redirect("werkplaats:actions", werkplaats_id=werkplaats.pk)
    return render(
        request,
        "werkplaats/action_form.html",
        {"werkplaats": werkplaats, "action": action, "form": form},
    )
