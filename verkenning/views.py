"""Pages of a verkenning. Every page fetches the verkenning through the selector, so anyone
who is not its verkenner or a coordinator of its programme gets a 404, not a glimpse."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal import permissions as portal_permissions
from portal.csv import csv_response
from portal.cursor_pagination import page_or_start
from portal.forms import add_service_error_messages, one_time_submission
from portal.pagination import query_without
from trainings.permissions import can_manage_training
from werkplaats import permissions as werkplaats_permissions

from . import forms, permissions, selectors, services
from .models import Question, Theme, Verkenning

creator_required = portal_permissions.role_required(permissions.can_create_verkenning)
coordinator_required = portal_permissions.role_required(portal_permissions.is_coordinator)


def _attach(form, error: ValidationError) -> None:
    """Put a service's error on the field it names, or on the form as a whole."""
    by_field = getattr(error, "error_dict", None) or {NON_FIELD_ERRORS: error.error_list}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)


def _verkenning(request, verkenning_id: int) -> Verkenning:
    verkenning = selectors.verkenning_for(user=request.user, verkenning_id=verkenning_id)
    if verkenning is None:
        raise Http404
    return verkenning


@login_required
def verkenning_list(request):
    form = forms.VerkenningListForm(request.GET or None)
    filters = form.filters()
    page, cursor_refused = page_or_start(
        partial(selectors.verkenning_list_page, user=request.user, filters=filters), request.GET
    )
    return render(
        request,
        "verkenning/verkenning_list.html",
        {
            "form": form,
            "filters": filters,
            "page": page,
            "count": selectors.verkenning_list_count(user=request.user, filters=filters),
            "query": query_without(request, "na", "voor"),
            "cursor_refused": cursor_refused,
            "can_create": permissions.can_create_verkenning(request.user),
        },
    )


@creator_required
@one_time_submission
def verkenning_create(request):
    form = forms.VerkenningCreateForm(
        request.POST or None, initial={"organisation": request.user.organisation}
    )
    if request.method == "POST" and form.is_valid():
        try:
            verkenning = services.verkenning_create(created_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(
                request, _("De verkenning is aangemaakt. Vul nu de inventarisatie in.")
            )
            return redirect("verkenning:edit", verkenning_id=verkenning.pk)
    return render(request, "verkenning/verkenning_create.html", {"form": form})


@login_required
def verkenning_detail(request, verkenning_id: int):
    verkenning = _verkenning(request, verkenning_id)
    return render(
        request,
        "verkenning/verkenning_detail.html",
        {
            "verkenning": verkenning,
            "verkenners": selectors.verkenners_of(verkenning),
            "departments": verkenning.departments.all(),
            "interviews": selectors.interviews_of(verkenning),
            "contact_count": verkenning.contacts.count(),
            "design": selectors.design_of(verkenning),
        },
    )


@login_required
def verkenning_edit(request, verkenning_id: int):
    verkenning = _verkenning(request, verkenning_id)
    initial = {
        "title": verkenning.title,
        "purpose": verkenning.purpose,
        "organisation": verkenning.organisation,
        "status": verkenning.status,
        "verkenners": verkenning.verkenners.all(),
        "departments": "\n".join(verkenning.departments.values_list("name", flat=True)),
        "professionals": verkenning.professionals,
        "managers": verkenning.managers,
        "policy_staff": verkenning.policy_staff,
        "acquaintance": verkenning.acquaintance,
        "shared_goal": verkenning.shared_goal,
        "existing_knowledge": verkenning.existing_knowledge,
    }
    form = forms.VerkenningForm(request.POST or None, initial=initial, verkenning=verkenning)
    if request.method == "POST" and form.is_valid():
        try:
            services.verkenning_update(
                actor=request.user, verkenning=verkenning, **form.cleaned_data
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("De verkenning en de inventarisatie zijn opgeslagen."))
            if not permissions.can_work_on(request.user, verkenning):
                # They took themselves off the verkenning: its pages are closed to them now.
                return redirect("verkenning:list")
            return redirect("verkenning:detail", verkenning_id=verkenning.pk)
    return render(
        request, "verkenning/verkenning_edit.html", {"verkenning": verkenning, "form": form}
    )


# --- the snowball ----------------------------------------------------------------------------


@login_required
@one_time_submission
def contact_list(request, verkenning_id: int):
    """The snowball as a list with depth, and a form to add someone."""
    verkenning = _verkenning(request, verkenning_id)
    form = forms.ContactForm(request.POST or None, verkenning=verkenning)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.contact_create(
                actor=request.user, verkenning=verkenning, **form.cleaned_data
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(
                request, _("%(name)s is toegevoegd aan de sneeuwbal.") % {"name": contact.name}
            )
            return redirect("verkenning:contacts", verkenning_id=verkenning.pk)
    return render(
        request,
        "verkenning/contact_list.html",
        {"verkenning": verkenning, "snowball": selectors.snowball(verkenning), "form": form},
    )


@login_required
def contact_edit(request, verkenning_id: int, contact_id: int):
    verkenning = _verkenning(request, verkenning_id)
    contact = selectors.contact_of(verkenning=verkenning, contact_id=contact_id)
    if contact is None:
        raise Http404
    initial = {
        "name": contact.name,
        "organisation_name": contact.organisation_name,
        "department": contact.department,
        "role": contact.role,
        "referred_by": contact.referred_by_id,
        "status": contact.status,
    }
    form = forms.ContactForm(request.POST or None, initial=initial, verkenning=verkenning)
    form.fields["referred_by"].queryset = form.fields["referred_by"].queryset.exclude(pk=contact.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(actor=request.user, contact=contact, **form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("Het contact is opgeslagen."))
            return redirect("verkenning:contacts", verkenning_id=verkenning.pk)
    return render(
        request,
        "verkenning/contact_edit.html",
        {"verkenning": verkenning, "contact": contact, "form": form},
    )


@login_required
def network(request, verkenning_id: int):
    verkenning = _verkenning(request, verkenning_id)
    return render(
        request,
        "verkenning/network.html",
        {"verkenning": verkenning, "snowball": selectors.snowball(verkenning)},
    )


# --- interviews ------------------------------------------------------------------------------


@login_required
@one_time_submission
def interview_create(request, verkenning_id: int):
    """One form: notes per question, observations, and the people this contact named."""
    verkenning = _verkenning(request, verkenning_id)
    questions = list(Question.objects.filter(is_active=True))
    contact_id = request.GET.get("contact", "")
    initial = {
        "held_on": timezone.localdate(),
        "contact": int(contact_id) if contact_id.isdigit() else None,
    }
    data = request.POST or None
    form = forms.InterviewForm(data, initial=initial, verkenning=verkenning, questions=questions)
    observations = forms.ObservationFormSet(data, prefix="observatie")
    new_contacts = forms.NewContactFormSet(data, prefix="nieuw")
    if request.method == "POST" and all(
        [form.is_valid(), observations.is_valid(), new_contacts.is_valid()]
    ):
        try:
            interview = services.interview_record(
                verkenning=verkenning,
                verkenner=request.user,
                data=forms.interview_input(form, observations, new_contacts),
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("Het gesprek is vastgelegd."))
            return redirect(
                "verkenning:interview", verkenning_id=verkenning.pk, interview_id=interview.pk
            )
    return render(
        request,
        "verkenning/interview_form.html",
        {
            "verkenning": verkenning,
            "form": form,
            "observations": observations,
            "new_contacts": new_contacts,
        },
    )


@login_required
def interview_detail(request, verkenning_id: int, interview_id: int):
    verkenning = _verkenning(request, verkenning_id)
    interview = selectors.interview_detail(verkenning=verkenning, interview_id=interview_id)
    if interview is None:
        raise Http404
    return render(
        request,
        "verkenning/interview_detail.html",
        {
            "verkenning": verkenning,
            "interview": interview,
            "answers": selectors.interview_answers(interview),
            "observations": selectors.interview_observations(interview),
            "named": interview.contact.referrals.order_by("name"),
        },
    )


# --- synthesis and design --------------------------------------------------------------------


@login_required
def synthesis(request, verkenning_id: int):
    verkenning = _verkenning(request, verkenning_id)
    return render(
        request,
        "verkenning/synthesis.html",
        {"verkenning": verkenning, "synthesis": selectors.synthesis(verkenning)},
    )


@login_required
def synthesis_export(request, verkenning_id: int):
    """Themes and counts without names; only observations marked as quote, word for word."""
    verkenning = _verkenning(request, verkenning_id)
    result = selectors.synthesis(verkenning)
    filename = f"synthese-{slugify(verkenning.title) or verkenning.pk}.csv"
    rows = [
        [_("Onderdeel"), _("Soort"), _("Thema"), _("Aantal"), _("Tekst")],
        [_("Verkenning"), "", "", "", verkenning.title],
        [_("Gesprekken"), "", "", result.interview_count, ""],
        [_("Tijdsbesteding (uur:min)"), "", "", "", result.time_spent],
        [_("Contacten"), "", "", result.contact_count, ""],
    ]
    for kind in result.kinds:
        rows.append([_("Observaties"), kind.label, "", kind.count, ""])
        for theme in kind.themes:
            rows.append(
                [_("Observaties"), kind.label, theme.theme or _("zonder thema"), theme.count, ""]
            )
    for kind in result.kinds:
        for quote in kind.quotes:
            rows.append([_("Citaat"), kind.label, "", "", quote])
    for name in result.departments_not_reached:
        rows.append([_("Afdeling nog niet gesproken"), "", "", "", name])
    return csv_response(filename=filename, rows=rows)


@login_required
def design(request, verkenning_id: int):
    verkenning = _verkenning(request, verkenning_id)
    existing = selectors.design_of(verkenning)
    if existing:
        many = ("themes", "trainers")
        initial = {
            name: getattr(existing, name)
            for name in forms.TrainingDesignForm.base_fields
            if name not in many
        }
        initial["themes"] = existing.themes.all()
        initial["trainers"] = existing.trainers.all()
    else:
        initial = {
            "title": verkenning.title,
            "description": verkenning.purpose,
            "provider": verkenning.organisation,
            "capacity": 12,
        }
    form = forms.TrainingDesignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.training_design_save(
                actor=request.user, verkenning=verkenning, **form.cleaned_data
            )
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("De trainingsopzet is opgeslagen."))
            return redirect("verkenning:design", verkenning_id=verkenning.pk)
    training = existing.training if existing else None
    werkplaats = existing.werkplaats if existing else None
    return render(
        request,
        "verkenning/design.html",
        {
            "verkenning": verkenning,
            "design": existing,
            "form": form,
            "synthesis": selectors.synthesis(verkenning),
            "training": training,
            "can_open_training": bool(training and can_manage_training(request.user, training)),
            "werkplaats": werkplaats,
            "can_open_werkplaats": bool(
                werkplaats and werkplaats_permissions.can_view(request.user, werkplaats)
            ),
        },
    )


def _convert_design(request, verkenning_id: int, convert: Callable) -> tuple[Verkenning, Any]:
    """Run one of the design's conversions; a refusal becomes messages and no result."""
    verkenning = _verkenning(request, verkenning_id)
    existing = selectors.design_of(verkenning)
    if existing is None:
        messages.error(request, _("Sla eerst een trainingsopzet op."))
        return verkenning, None
    try:
        return verkenning, convert(design=existing, actor=request.user)
    except ValidationError as error:
        add_service_error_messages(request, error)
        return verkenning, None


@require_POST
@login_required
def design_convert(request, verkenning_id: int):
    """Turn the saved design into a draft training with a draft run."""
    verkenning, training = _convert_design(
        request, verkenning_id, services.training_design_convert_to_training
    )
    if training is not None:
        messages.success(
            request,
            _(
                "De concepttraining “%(title)s” is aangemaakt met een conceptuitvoering. "
                "De coördinator vindt haar bij de concepten in de kalender."
            )
            % {"title": training.title},
        )
    return redirect("verkenning:design", verkenning_id=verkenning.pk)


@require_POST
@login_required
def design_convert_to_werkplaats(request, verkenning_id: int):
    """Turn the saved design into a werkplaats with its sessions planned, and open it."""
    verkenning, werkplaats = _convert_design(
        request, verkenning_id, services.training_design_convert_to_werkplaats
    )
    if werkplaats is None:
        return redirect("verkenning:design", verkenning_id=verkenning.pk)
    count = werkplaats.sessions.count()
    messages.success(
        request,
        ngettext(
            "De werkplaats “%(title)s” is aangemaakt met %(count)s geplande sessie. "
            "Voeg nu deelnemers toe.",
            "De werkplaats “%(title)s” is aangemaakt met %(count)s geplande sessies. "
            "Voeg nu deelnemers toe.",
            count,
        )
        % {"title": werkplaats.title, "count": count},
    )
    return redirect("werkplaats:detail", werkplaats_id=werkplaats.pk)


# --- themes ----------------------------------------------------------------------------------


@coordinator_required
@one_time_submission
def theme_list(request):
    """The shared theme list: add a theme, or retire one from the forms."""
    form = forms.ThemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            theme = services.theme_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("Het thema “%(name)s” is toegevoegd.") % {"name": theme})
            return redirect("verkenning:themes")
    return render(
        request, "verkenning/theme_list.html", {"themes": selectors.theme_list(), "form": form}
    )


@require_POST
@coordinator_required
def theme_toggle(request, theme_id: int):
    theme = get_object_or_404(Theme, pk=theme_id)
    services.theme_set_active(actor=request.user, theme=theme, is_active=not theme.is_active)
    if theme.is_active:
        messages.success(request, _("Het thema “%(name)s” is weer in gebruik.") % {"name": theme})
    else:
        messages.success(
            request, _("Het thema “%(name)s” staat niet meer in de formulieren.") % {"name": theme}
        )
    return redirect("verkenning:themes")
