"""'Mijn gegevens' (AVG art. 15/20) and requests to erase one's data (art. 17)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from . import erasure, permissions, personal_data, selectors
from .forms import DeletionDecisionForm, DeletionRequestForm, add_service_errors

beheerder_required = permissions.role_required(permissions.can_administer)


def _held(user) -> list[personal_data.KindCount]:
    return [
        personal_data.KindCount(kind=kind, count=len(records))
        for kind, records in personal_data.collect(user)
    ]


@never_cache
@login_required
def overview(request):
    return render(
        request,
        "portal/personal_data/overview.html",
        {
            "held": _held(request.user),
            "pending": selectors.pending_deletion_request(user=request.user),
        },
    )


@never_cache
@login_required
def download(request):
    content = personal_data.build_zip(request.user)
    response = HttpResponse(content, content_type="application/zip")
    stamp = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="mijn-gegevens-{stamp}.zip"'
    return response


@never_cache
@login_required
def request_deletion(request):
    pending = selectors.pending_deletion_request(user=request.user)
    if pending is not None:
        return redirect("personal_data:overview")
    form = DeletionRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        erasure.deletion_request_create(requester=request.user)
        messages.success(
            request,
            _(
                "Je verzoek is verstuurd. Een beheerder besluit erover; "
                "je krijgt bericht per e-mail."
            ),
        )
        return redirect("personal_data:overview")
    return render(
        request,
        "portal/personal_data/request_deletion.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@beheerder_required
def beheer_list(request):
    return render(
        request,
        "portal/personal_data/beheer_list.html",
        {
            "requests": selectors.deletion_requests_for_beheer(user=request.user)[:200],
            "now": timezone.now(),
        },
    )


@never_cache
@beheerder_required
def beheer_decide(request, pk: int):
    deletion_request = get_object_or_404(
        selectors.deletion_requests_for_beheer(user=request.user), pk=pk
    )
    own = deletion_request.requester_id == request.user.pk
    pending = deletion_request.status == deletion_request.Status.PENDING
    form = None
    if pending and not own:
        form = DeletionDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                if form.cleaned_data["decision"] == form.APPROVE:
                    erasure.deletion_request_approve(
                        actor=request.user, deletion_request=deletion_request
                    )
                    messages.success(request, _("De gegevens zijn verwijderd of geanonimiseerd."))
                else:
                    erasure.deletion_request_decline(
                        actor=request.user,
                        deletion_request=deletion_request,
                        reason=form.cleaned_data["reason"],
                    )
                    messages.success(
                        request, _("Het verzoek is afgewezen; de aanvrager krijgt bericht.")
                    )
                return redirect("personal_data:beheer_list")
            except ValidationError as error:
                add_service_errors(form, error)
    return render(
        request,
        "portal/personal_data/beheer_decide.html",
        {
            "deletion_request": deletion_request,
            "held": _held(deletion_request.requester) if pending else [],
            "form": form,
            "own": own,
            "now": timezone.now(),
        },
        status=400 if form is not None and form.errors else 200,
    )
