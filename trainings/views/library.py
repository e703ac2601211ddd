"""The library (middelen): search, suggest, curate, download, and publishing a material."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal import permissions as portal_permissions
from portal.forms import add_service_error_messages, add_service_errors, one_time_submission
from portal.models import Programme
from portal.pagination import CountedPaginator, query_without

from .. import permissions, selectors, services
from ..forms import LibraryFilterForm, MaterialToLibraryForm, ResourceForm, ResourceRejectForm
from ..models import Material, ResourceStatus

LIBRARY_PAGE_SIZE = 20
LIBRARY_COUNT_CAP = 1000
# The suggestions page lists at most this many of each list; older ones are decided long ago.
SUGGESTIONS_SHOWN = 100


@login_required
def library(request):
    form = LibraryFilterForm(request.GET or None)
    filters = form.filters()
    number = request.GET.get("pagina", "")
    result = selectors.library_page(
        user=request.user,
        filters=filters,
        number=int(number) if number.isdigit() and len(number) < 7 else 1,
        per_page=LIBRARY_PAGE_SIZE,
        cap=LIBRARY_COUNT_CAP,
    )
    paginator = CountedPaginator([], LIBRARY_PAGE_SIZE, count=result.count)
    page = Page(result.resources, result.number, paginator)
    organisations, themes = selectors.library_filter_options()
    return render(
        request,
        "trainings/library.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "more_than_cap": result.more_than_count,
            "query": query_without(request, "pagina"),
            "organisations": organisations,
            "themes": themes,
        },
    )


@login_required
def suggestions(request):
    """The user's own suggestions with their status; for coordinators also those to decide."""
    return render(
        request,
        "trainings/library_suggestions.html",
        {
            "mine": selectors.my_resource_suggestions(user=request.user)[:SUGGESTIONS_SHOWN],
            "to_curate": selectors.resources_to_curate(user=request.user)[:SUGGESTIONS_SHOWN],
            "is_coordinator": portal_permissions.is_coordinator(request.user),
        },
    )


def _resource_form(request, *, resource=None) -> ResourceForm:
    if resource is None:
        programmes = Programme.objects.filter(is_active=True).order_by("name")
        return ResourceForm(request.POST or None, request.FILES or None, programmes=programmes)
    initial = {
        "programme": resource.programme,
        "kind": resource.kind,
        "title": resource.title,
        "description": resource.description,
        "url": resource.url,
        "contact_details": resource.contact_details,
        "organisations": list(resource.organisations.all()),
        "themes": list(resource.themes.all()),
        "elements": resource.elements,
    }
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        programmes=Programme.objects.filter(pk=resource.programme_id),
        has_file=bool(resource.file),
    )
    form.fields["programme"].disabled = True
    return form


@login_required
@one_time_submission
def resource_create(request):
    form = _resource_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            resource = services.resource_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if resource.status == ResourceStatus.PUBLISHED:
                messages.success(request, _("Het middel staat in de bibliotheek."))
            else:
                messages.success(
                    request,
                    _(
                        "Dank je. De coördinatoren van het programma beoordelen je voorstel; "
                        "de status zie je onder „Mijn voorstellen”."
                    ),
                )
            return redirect("trainings:resource_detail", resource_id=resource.pk)
    return render(request, "trainings/resource_form.html", {"form": form, "resource": None})


def _visible_resource(request, resource_id: int):
    resource = selectors.resource_for(user=request.user, resource_id=resource_id)
    if resource is None:
        raise Http404
    return resource


def _curated_resource(request, resource_id: int):
    resource = _visible_resource(request, resource_id)
    if not permissions.can_curate_resource(request.user, resource):
        raise Http404
    return resource


@login_required
def resource_detail(request, resource_id: int):
    resource = _visible_resource(request, resource_id)
    can_curate = permissions.can_curate_resource(request.user, resource)
    return render(
        request,
        "trainings/resource_detail.html",
        {
            "resource": resource,
            "can_curate": can_curate,
            "reject_form": ResourceRejectForm() if can_curate else None,
        },
    )


@login_required
def resource_edit(request, resource_id: int):
    resource = _curated_resource(request, resource_id)
    form = _resource_form(request, resource=resource)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "programme"}
        try:
            services.resource_update(actor=request.user, resource=resource, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Het middel is opgeslagen."))
            return redirect("trainings:resource_detail", resource_id=resource.pk)
    return render(request, "trainings/resource_form.html", {"form": form, "resource": resource})


@require_POST
@login_required
def resource_publish(request, resource_id: int):
    resource = _curated_resource(request, resource_id)
    try:
        services.resource_publish(actor=request.user, resource=resource)
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        messages.success(request, _("Het middel is gepubliceerd."))
    return redirect("trainings:resource_detail", resource_id=resource.pk)


@require_POST
@login_required
def resource_reject(request, resource_id: int):
    resource = _curated_resource(request, resource_id)
    form = ResourceRejectForm(request.POST)
    if form.is_valid():
        try:
            services.resource_reject(
                actor=request.user, resource=resource, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error_messages(request, error)
        else:
            messages.success(request, _("Het middel is afgewezen."))
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("trainings:resource_detail", resource_id=resource.pk)


@login_required
def resource_download(request, resource_id: int):
    resource = _visible_resource(request, resource_id)
    if not resource.file:
        if resource.url:
            return redirect(resource.url)
        raise Http404
    try:
        handle = resource.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=resource.file.name.rsplit("/", 1)[-1])


@require_POST
@login_required
@one_time_submission
def material_to_library(request, material_id: int):
    material = get_object_or_404(Material.objects.select_related("training"), pk=material_id)
    if not permissions.can_manage_training(request.user, material.training):
        raise Http404
    form = MaterialToLibraryForm(request.POST, auto_id=f"id_library_{material.pk}_%s")
    if form.is_valid():
        try:
            resource = services.resource_from_material(
                actor=request.user, material=material, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_error_messages(request, error)
        else:
            messages.success(request, _("Het materiaal staat nu in de bibliotheek."))
            return redirect("trainings:resource_detail", resource_id=resource.pk)
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect("trainings:training_edit", training_id=material.training_id)
