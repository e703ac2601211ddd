"""Ideas for knowledge exchange: proposing one, and its coordinators giving it a status."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal import permissions as portal_permissions
from portal.forms import add_service_errors, one_time_submission
from portal.models import Programme

from .. import permissions, selectors, services
from ..forms import IdeaProposalForm, IdeaStatusForm
from ..models import IdeaStatus

# The coordinators' list shows the newest this many; filters narrow it down.
IDEAS_SHOWN = 200


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@login_required
def ideas(request):
    user = request.user
    coordinated = portal_permissions.coordinated_programme_ids(user)
    programme_id = _int_or_none(request.GET.get("programma"))
    status = request.GET.get("status", "")
    if status not in IdeaStatus.values:
        status = ""
    context = {
        "mine": selectors.my_ideas(user=user),
        "statuses": IdeaStatus.choices,
        "status": status,
        "programme_id": programme_id,
        "decides": bool(coordinated),
    }
    if coordinated:
        context["programmes"] = Programme.objects.filter(pk__in=coordinated).order_by("name")
        context["to_decide"] = selectors.ideas_to_decide(
            user=user, programme_id=programme_id, status=status
        )[:IDEAS_SHOWN]
    return render(request, "trainings/ideas.html", context)


@login_required
@one_time_submission
def idea_create(request):
    programmes = Programme.objects.filter(is_active=True).order_by("name")
    form = IdeaProposalForm(request.POST or None, programmes=programmes)
    if request.method == "POST" and form.is_valid():
        try:
            idea = services.idea_propose(proposer=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Dank je. De coördinatoren van het programma hebben je idee ontvangen."),
            )
            return redirect("trainings:idea_detail", idea_id=idea.pk)
    return render(request, "trainings/idea_form.html", {"form": form})


@login_required
def idea_detail(request, idea_id: int):
    idea = selectors.idea_for(user=request.user, idea_id=idea_id)
    if idea is None:
        raise Http404
    can_decide = permissions.can_decide_idea(request.user, idea)
    form = None
    if can_decide:
        form = IdeaStatusForm(request.POST or None, initial={"status": idea.status})
        if request.method == "POST" and form.is_valid():
            try:
                services.idea_status_change(actor=request.user, idea=idea, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("De status is gewijzigd; de indiener krijgt bericht."))
                return redirect("trainings:idea_detail", idea_id=idea.pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "trainings/idea_detail.html",
        {"idea": idea, "form": form, "can_decide": can_decide},
    )
