"""The room of a bewustwordingssessie: its four elements, live for everyone in it.

The page works on its own (every form posts and comes back); ``static/js/awareness.js``
asks ``room_state`` every few seconds and shows what others added and where the trainer
took the room, without a reload.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import selectors as portal_selectors
from portal.forms import add_service_error_messages, one_time_submission

from .. import selectors, services
from ..forms import (
    AwarenessDefinitionForm,
    AwarenessExampleForm,
    AwarenessStepForm,
    AwarenessThemeForm,
)
from ..models import AwarenessStep, ExampleTheme

# How often an open room page asks for news, in milliseconds.
POLL_INTERVAL_MS = 3000
MELD_MISDAAD_ANONIEM_PHONE = "0800-7000"
MELD_MISDAAD_ANONIEM_URL = "https://www.meldmisdaadanoniem.nl/"


def _room_or_404(request, session_id: int) -> selectors.AwarenessRoomView:
    view = selectors.awareness_room(user=request.user, session_id=session_id)
    if view is None:
        raise Http404
    return view


def _led_room_or_404(request, session_id: int) -> selectors.AwarenessRoomView:
    view = _room_or_404(request, session_id)
    if not view.leads:
        raise Http404
    return view


def _back(session_id: int, anchor: str):
    return redirect(reverse("trainings:awareness_room", args=[session_id]) + f"#{anchor}")


def _grouped(examples) -> list[tuple[str, str, list]]:
    """(theme, label, examples) for every theme and for "not grouped yet", in list order."""
    groups = [("", _("Nog niet ingedeeld"), [])] + [
        (value, label, []) for value, label in ExampleTheme.choices
    ]
    by_theme = {value: items for value, _label, items in groups}
    for example in examples:
        by_theme.get(example.theme, by_theme[""]).append(example)
    return groups


@login_required
@never_cache
def room(request, session_id: int):
    view = _room_or_404(request, session_id)
    session = view.session
    today = timezone.localdate()
    session_day = timezone.localdate(session.starts_at)
    is_live = session_day == today
    examples = selectors.awareness_examples(session=session)
    organisation = request.user.organisation
    steps = list(AwarenessStep.choices)
    current = [value for value, _label in steps].index(view.step)
    context = {
        "view": view,
        "session": session,
        "run": session.run,
        "steps": steps,
        "current": current,
        "previous_step": steps[current - 1] if current > 0 else None,
        "next_step": steps[current + 1] if current + 1 < len(steps) else None,
        "is_live": is_live,
        "is_upcoming": session_day > today,
        "network": selectors.awareness_network(session=session),
        "definitions": selectors.awareness_definitions(session=session),
        "groups": _grouped(examples),
        "example_count": len(examples),
        "example_form": AwarenessExampleForm(auto_id="id_example_%s") if is_live else None,
        "definition_form": AwarenessDefinitionForm(auto_id="id_definition_%s")
        if view.leads and session_day <= today
        else None,
        "theme_choices": [("", _("Nog niet ingedeeld")), *ExampleTheme.choices],
        "can_group": view.leads and session_day <= today,
        "organisation": organisation,
        "contact_persons": list(
            portal_selectors.contact_persons_of(organisation_ids=[organisation.pk])
        )
        if organisation
        else [],
        "meldpunt_url": reverse("signalen:report"),
        "mma_phone": MELD_MISDAAD_ANONIEM_PHONE,
        "mma_url": MELD_MISDAAD_ANONIEM_URL,
        "poll_interval": POLL_INTERVAL_MS,
    }
    return render(request, "trainings/awareness_room.html", context)


@login_required
@never_cache
def room_state(request, session_id: int):
    """What the page shows that others change: the element, definitions and examples."""
    view = _room_or_404(request, session_id)
    session = view.session
    return JsonResponse(
        {
            "step": view.step,
            "definitions": [
                {"id": d.pk, "group": d.group, "text": d.text}
                for d in selectors.awareness_definitions(session=session)
            ],
            "examples": [
                {"id": e.pk, "text": e.text, "theme": e.theme}
                for e in selectors.awareness_examples(session=session)
            ],
        }
    )


@require_POST
@login_required
def step(request, session_id: int):
    view = _led_room_or_404(request, session_id)
    form = AwarenessStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies netwerk, begrip, signaal of oppakken."))
        return _back(session_id, "elementen")
    try:
        services.awareness_step_set(
            actor=request.user, session=view.session, step=form.cleaned_data["step"]
        )
    except ValidationError as error:
        add_service_error_messages(request, error)
    return _back(session_id, "elementen")


@require_POST
@login_required
@one_time_submission
def definition(request, session_id: int):
    view = _led_room_or_404(request, session_id)
    form = AwarenessDefinitionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(session_id, "begrip")
    try:
        services.awareness_definition_save(
            actor=request.user, session=view.session, **form.cleaned_data
        )
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        messages.success(request, _("De definitie staat erbij."))
    return _back(session_id, "begrip")


@require_POST
@login_required
def example(request, session_id: int):
    view = _room_or_404(request, session_id)
    form = AwarenessExampleForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return _back(session_id, "signaal")
    try:
        services.awareness_example_submit(
            participant=request.user,
            session=view.session,
            text=form.cleaned_data["text"],
            submission_key=form.cleaned_data["example_key"],
        )
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        messages.success(request, _("Je voorbeeld staat erbij, zonder je naam."))
    return _back(session_id, "signaal")


def _example_or_404(request, example_id: int):
    example = selectors.awareness_example_led_by(user=request.user, example_id=example_id)
    if example is None:
        raise Http404
    return example


@require_POST
@login_required
def example_group(request, example_id: int):
    example = _example_or_404(request, example_id)
    form = AwarenessThemeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies een thema uit de lijst."))
        return _back(example.session_id, "signaal")
    try:
        services.awareness_example_group(
            actor=request.user, example=example, theme=form.cleaned_data["theme"]
        )
    except ValidationError as error:
        add_service_error_messages(request, error)
    return _back(example.session_id, "signaal")


@require_POST
@login_required
def example_remove(request, example_id: int):
    example = _example_or_404(request, example_id)
    session_id = example.session_id
    try:
        services.awareness_example_remove(actor=request.user, example=example)
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        messages.success(request, _("Het voorbeeld is weggehaald."))
    return _back(session_id, "signaal")
