"""Pages of the evaluation after a run and of the samenwerkingsmeter weeks later.

Participants answer (once, anonymously); coordinators edit the programme's questions and
settings and read the results; trainers read their runs' figures where the programme lets
them. What each sees is decided by the selectors and the threshold in ``evaluation``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.forms import add_service_error_messages, add_service_errors, one_time_submission
from portal.models import Programme

from .. import evaluation, permissions, selectors, services
from ..forms import EvaluationForm, EvaluationQuestionForm, EvaluationSettingsForm, FollowupForm
from ..models import EvaluationQuestion, Training

# --- participants ------------------------------------------------------------------------------


def _posted(request):
    """The POST data to bind, also when empty (every scale question left open)."""
    return request.POST if request.method == "POST" else None


def _run_or_404(request, run_id: int):
    run = selectors.run_detail(user=request.user, run_id=run_id)
    if run is None:
        raise Http404
    return run


def _closed_page(request, run, state, *, kind: str):
    return render(
        request,
        "trainings/evaluation_closed.html",
        {"run": run, "state": state, "kind": kind},
        status=200 if state.is_invited else 404,
    )


@login_required
@one_time_submission
def evaluation_answer(request, run_id: int):
    """The questionnaire a participant reaches from the mail or from "Mijn trainingen"."""
    run = _run_or_404(request, run_id)
    state = selectors.evaluation_state(user=request.user, run=run)
    if not state.may_answer:
        return _closed_page(request, run, state, kind="evaluation")
    questions = services.run_evaluation_open(run=run)
    form = EvaluationForm(_posted(request), questions=questions)
    if request.method == "POST" and form.is_valid():
        scores, texts = form.answers()
        try:
            services.evaluation_submit(
                participant=request.user, run=run, scores=scores, texts=texts
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            return redirect("trainings:evaluation_thanks", run_id=run.pk)
    return render(
        request,
        "trainings/evaluation_form.html",
        {"run": run, "form": form, "min_answers": evaluation.MIN_ANSWERS},
    )


@login_required
def evaluation_thanks(request, run_id: int):
    run = _run_or_404(request, run_id)
    state = selectors.evaluation_state(user=request.user, run=run)
    if not state.has_answered:
        raise Http404
    return render(request, "trainings/evaluation_thanks.html", {"run": run, "kind": "evaluation"})


@login_required
@one_time_submission
def followup_answer(request, run_id: int):
    """The samenwerkingsmeter, next to the participant's own look back in their plan."""
    run = _run_or_404(request, run_id)
    state = selectors.followup_state(user=request.user, run=run)
    if not state.may_answer:
        return _closed_page(request, run, state, kind="followup")
    choices = selectors.followup_partner_choices(run=run, user=request.user)
    form = FollowupForm(_posted(request), organisations=choices)
    if request.method == "POST" and form.is_valid():
        try:
            services.followup_submit(participant=request.user, run=run, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            return redirect("trainings:followup_thanks", run_id=run.pk)
    return render(
        request,
        "trainings/followup_form.html",
        {
            "run": run,
            "form": form,
            "enrolment": state.enrolment,
            "plan": selectors.development_plan_of(state.enrolment),
        },
    )


@login_required
def followup_thanks(request, run_id: int):
    run = _run_or_404(request, run_id)
    state = selectors.followup_state(user=request.user, run=run)
    if not state.has_answered:
        raise Http404
    return render(request, "trainings/evaluation_thanks.html", {"run": run, "kind": "followup"})


# --- coordinators: the programme's questions and settings -------------------------------------


def _edited_programme(request, programme_id: int) -> Programme:
    programme = get_object_or_404(Programme, pk=programme_id)
    if not permissions.can_edit_evaluation(request.user, programme.pk):
        raise Http404
    return programme


def _edited_question(request, question_id: int) -> EvaluationQuestion:
    question = get_object_or_404(
        EvaluationQuestion.objects.select_related("programme"), pk=question_id
    )
    if not permissions.can_edit_evaluation(request.user, question.programme_id):
        raise Http404
    return question


@login_required
@one_time_submission
def evaluation_questions(request, programme_id: int):
    """The programme's default questions (add, reword, reorder, take out of use) and settings."""
    programme = _edited_programme(request, programme_id)
    services.evaluation_default_questions_seed(programme=programme)
    form = EvaluationQuestionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_question_create(
                actor=request.user, programme=programme, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De vraag is toegevoegd."))
            return redirect("trainings:evaluation_questions", programme_id=programme.pk)
    current = selectors.evaluation_settings_of(programme.pk)
    return render(
        request,
        "trainings/evaluation_questions.html",
        {
            "programme": programme,
            "questions": list(selectors.programme_questions(programme_id=programme.pk)),
            "form": form,
            "settings_form": EvaluationSettingsForm(
                initial={
                    "followup_weeks": current.followup_weeks,
                    "trainers_see_aggregates": current.trainers_see_aggregates,
                }
            ),
        },
    )


@login_required
def evaluation_settings(request, programme_id: int):
    programme = _edited_programme(request, programme_id)
    form = EvaluationSettingsForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_settings_update(
                actor=request.user, programme=programme, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De instellingen zijn opgeslagen."))
            return redirect("trainings:evaluation_questions", programme_id=programme.pk)
    return render(
        request, "trainings/evaluation_settings.html", {"programme": programme, "form": form}
    )


@login_required
def evaluation_question_edit(request, question_id: int):
    question = _edited_question(request, question_id)
    form = EvaluationQuestionForm(
        _posted(request), initial={"kind": question.kind, "text": question.text}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.evaluation_question_update(
                actor=request.user, question=question, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De vraag is opgeslagen."))
            return redirect("trainings:evaluation_questions", programme_id=question.programme_id)
    return render(
        request, "trainings/evaluation_question_form.html", {"question": question, "form": form}
    )


@require_POST
@login_required
def evaluation_question_move(request, question_id: int):
    question = _edited_question(request, question_id)
    services.evaluation_question_move(
        actor=request.user, question=question, up=request.POST.get("richting") != "omlaag"
    )
    return redirect("trainings:evaluation_questions", programme_id=question.programme_id)


@require_POST
@login_required
def evaluation_question_toggle(request, question_id: int):
    question = _edited_question(request, question_id)
    try:
        services.evaluation_question_set_active(
            actor=request.user, question=question, is_active=not question.is_active
        )
    except ValidationError as error:
        add_service_error_messages(request, error)
    return redirect("trainings:evaluation_questions", programme_id=question.programme_id)


# --- results -----------------------------------------------------------------------------------


@login_required
def run_results(request, run_id: int):
    """A run's results: coordinators see everything allowed, trainers the figures if allowed."""
    run = _run_or_404(request, run_id)
    results = selectors.run_evaluation_results(user=request.user, run=run)
    if results is None:
        raise Http404
    followup, outcomes = None, []
    if permissions.sees_evaluation_details(request.user, run):
        followup = selectors.followup_summary(run_ids=[run.pk])[run.pk]
        outcomes = selectors.followup_outcomes(
            user=request.user, run=run, answered=followup.answered
        )
    return render(
        request,
        "trainings/evaluation_run_results.html",
        {
            "run": run,
            "results": results,
            "followup": followup,
            "outcomes": outcomes,
            "min_answers": evaluation.MIN_ANSWERS,
            "is_coordinator": permissions.can_manage_run(request.user, run),
        },
    )


@login_required
def training_results(request, training_id: int):
    training = get_object_or_404(Training.objects.select_related("programme"), pk=training_id)
    if not permissions.can_manage_training(request.user, training):
        raise Http404
    return render(
        request,
        "trainings/evaluation_training_results.html",
        {
            "results": selectors.training_evaluation_results(training=training),
            "min_answers": evaluation.MIN_ANSWERS,
        },
    )


@login_required
def programme_results(request, programme_id: int):
    """Per quarter, over the programme's runs with enough answers."""
    programme = _edited_programme(request, programme_id)
    return render(
        request,
        "trainings/evaluation_programme_results.html",
        {
            "programme": programme,
            "periods": selectors.programme_evaluation_over_time(programme_id=programme.pk),
            "trainings": Training.objects.filter(programme=programme).order_by("title"),
            "min_answers": evaluation.MIN_ANSWERS,
        },
    )
