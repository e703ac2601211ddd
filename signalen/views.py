"""Pages for reporting and triaging signals. Every signal is fetched through a selector
filtered by the user, so a guessed id answers 404; every read and change is audited."""

import logging
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal import permissions as portal_permissions
from portal import selectors as portal_selectors
from portal.cursor_pagination import CursorError
from portal.forms import add_service_errors as _add_errors
from portal.forms import one_time_submission
from portal.models import Organisation
from portal.pagination import query_without
from portal.tokens import client_ip

from . import audit, permissions, selectors, services
from .forms import (
    AssignForm,
    CloseForm,
    ForwardForm,
    QueueFilterForm,
    ReplyForm,
    SignalReportForm,
    TextForm,
)
from .models import AuditEntry, Signal, SignalAttachment, SignalEvent
from .states import Action, allowed_actions
from .templatetags.signalen_nav import remember_attention_count

logger = logging.getLogger(__name__)

# Rows a queue page shows unless the person chooses another of QueueFilterForm.PAGE_SIZES.
QUEUE_PAGE_SIZE = 25
HISTORY_PAGE_SIZE = 100
Act = AuditEntry.Act
Result = AuditEntry.Result


def _audit(request, action: str, object_id: int | None, result: str = Result.OK) -> None:
    """One audit row per request: a refused action that shows the page again is recorded as
    refused only, not also as a view of the page it shows."""
    audit.audit_append(
        actor=request.user,
        action=action,
        object_id=object_id,
        result=result,
        ip_address=client_ip(request),
    )


# --- reporting ---------------------------------------------------------------------------


@login_required
@one_time_submission
def signal_report(request):
    form = SignalReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signal = services.signal_create(
                reporter=request.user,
                organisation=data["organisation"],
                category=data["category"],
                description=data["description"],
                location=data["location"],
                observed_on=data["observed_on"],
                involved=data["involved"],
                reporter_anonymous=data["reporter_anonymous"],
                attachments=data["attachments"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            _add_errors(form, error)
        except DatabaseError:
            logger.exception("Saving a signal failed")
            form.add_error(
                None,
                _(
                    "Het opslaan is mislukt door een storing; er is niets bewaard. Je tekst staat "
                    "er nog: probeer het zo opnieuw."
                ),
            )
        else:
            messages.success(
                request,
                _("Dank je wel. Je signaal is ontvangen onder referentie %(ref)s.")
                % {"ref": signal.reference},
            )
            return redirect("signalen:my_detail", pk=signal.pk)
    # Browsers cannot refill a file input: say so, the typed text is kept by the form.
    files_dropped = request.method == "POST" and bool(request.FILES)
    # The meldpunten's contact persons the reporter met and who chose to be findable: a
    # familiar name lowers the step to report. Only who the reporter met, nothing of signals.
    met = portal_selectors.network_contact_persons_met(
        user=request.user, organisation_ids=selectors.organisations_with_meldpunt().values("pk")
    )
    context = {"form": form, "files_dropped": files_dropped, "met_contact_persons": met}
    return render(request, "signalen/signal_report.html", context)


@login_required
def signal_own_list(request):
    page = Paginator(selectors.own_signals(user=request.user), 25).get_page(
        request.GET.get("pagina")
    )
    return render(request, "signalen/signal_own_list.html", {"page": page})


def _render_own_detail(request, signal: Signal, reply_form=None, status: int = 200):
    question = selectors.open_question(signal)
    if question is not None and reply_form is None:
        reply_form = ReplyForm()
    return render(
        request,
        "signalen/signal_own_detail.html",
        {
            "signal": signal,
            "events": signal.reporter_events,
            "question": question,
            "reply_form": reply_form if question is not None else None,
        },
        status=status,
    )


def _own_or_404(request, pk: int, action: str) -> Signal:
    try:
        return selectors.own_signal_detail(user=request.user, pk=pk)
    except Signal.DoesNotExist:
        _audit(request, action, pk, Result.DENIED)
        raise Http404 from None


@login_required
@require_GET
def signal_own_detail(request, pk: int):
    signal = _own_or_404(request, pk, Act.SIGNAL_VIEW_OWN)
    _audit(request, Act.SIGNAL_VIEW_OWN, signal.pk)
    return _render_own_detail(request, signal)


@login_required
@require_POST
@one_time_submission
def signal_own_reply(request, pk: int):
    signal = _own_or_404(request, pk, Act.SIGNAL_REPLY)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            services.signal_reporter_reply(
                reporter=request.user,
                signal=signal,
                text=form.cleaned_data["text"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Je antwoord is verstuurd naar het meldpunt."))
            return redirect("signalen:my_detail", pk=signal.pk)
    _audit(request, Act.SIGNAL_REPLY, signal.pk, Result.REJECTED)
    return _render_own_detail(request, signal, reply_form=form, status=400)


# --- triage ------------------------------------------------------------------------------


@portal_permissions.role_required(permissions.can_triage)
def signal_queue(request):
    choices = selectors.queue_choices(user=request.user)
    form = QueueFilterForm(request.GET or None, choices=choices)
    filters = form.filters()
    now = timezone.now()
    # Built once, for the page and its count.
    queue = selectors.signal_queue(user=request.user, filters=filters, now=now)
    page_of = partial(
        selectors.signal_queue_page,
        user=request.user,
        filters=filters,
        size=form.page_size(default=QUEUE_PAGE_SIZE),
        now=now,
        categories=choices.categories,
        queue=queue,
    )
    cursor_refused = False
    try:
        page = page_of(after=request.GET.get("na"), before=request.GET.get("voor"))
    except CursorError:
        # A damaged link, or one from another sort order: the start of the list instead.
        cursor_refused = True
        page = page_of()
    counts = selectors.queue_counts(user=request.user, filters=filters, now=now, queue=queue)
    remember_attention_count(request, counts.attention)
    return render(
        request,
        "signalen/signal_queue.html",
        {
            "form": form,
            "page": page,
            "query": query_without(request, "na", "voor", "pagina"),
            "matching_count": counts.matching,
            "overdue_count": counts.overdue,
            "cursor_refused": cursor_refused,
        },
    )


def _visible_or_404(request, pk: int, action: str) -> Signal:
    try:
        return selectors.signal_detail(user=request.user, pk=pk)
    except Signal.DoesNotExist:
        _audit(request, action, pk, Result.DENIED)
        raise Http404 from None


def _render_detail(request, signal: Signal, bound: dict | None = None, status: int = 200):
    bound = bound or {}
    user = request.user
    can_act = permissions.can_act_on(user, signal)
    actions = allowed_actions(signal.status) if can_act and not signal.is_anonymised else set()
    forms = {}
    if Action.ASSIGN in actions:
        forms["assign"] = bound.get("assign") or AssignForm(signal=signal, user=user)
    if Action.NOTE in actions:
        forms["note"] = bound.get("note") or TextForm(label=_("Interne notitie"), prefix="note")
    if Action.ASK_REPORTER in actions and signal.reporter_id:
        forms["ask"] = bound.get("ask") or TextForm(label=_("Vraag aan de melder"), prefix="ask")
    if Action.SHARE_FEEDBACK in actions and signal.reporter_id:
        forms["feedback"] = bound.get("feedback") or TextForm(
            label=_("Terugkoppeling aan de melder"), prefix="feedback"
        )
    if Action.FORWARD in actions:
        forms["forward"] = bound.get("forward") or ForwardForm(signal=signal)
    if Action.CLOSE in actions:
        forms["close"] = bound.get("close") or CloseForm(user=user)
    duplicate_of = signal.duplicate_of
    if (
        duplicate_of is not None
        and not selectors.signals_visible_to(user).filter(pk=duplicate_of.pk).exists()
    ):
        duplicate_of = None
    return render(
        request,
        "signalen/signal_detail.html",
        {
            "signal": signal,
            "events": selectors.signal_timeline(user=user, signal=signal),
            "assignee_name": selectors.ActorNames(user=user, signal=signal).name(signal.assignee),
            "forms": forms,
            "can_act": can_act,
            "sees_reporter": permissions.sees_reporter(user, signal),
            "duplicate_of": duplicate_of,
            # A signal waiting to be picked up opens on "Toewijzen"; a refused form opens itself.
            "opened": "assign"
            if not bound and "assign" in forms and signal.assignee_id is None
            else "",
            "duplicates": list(selectors.visible_duplicates_of(user=user, signal=signal)),
            "accesses": list(signal.accesses.all()),
            "tab": "detail",
            "kinds": SignalEvent.Kind,
        },
        status=status,
    )


@login_required
@require_GET
def signal_detail(request, pk: int):
    signal = _visible_or_404(request, pk, Act.SIGNAL_VIEW)
    _audit(request, Act.SIGNAL_VIEW, signal.pk)
    return _render_detail(request, signal)


@login_required
@require_GET
def signal_history(request, pk: int):
    signal = _visible_or_404(request, pk, Act.SIGNAL_HISTORY)
    _audit(request, Act.SIGNAL_HISTORY, signal.pk)
    page = Paginator(selectors.signal_history(signal=signal), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("pagina")
    )
    rows = selectors.signal_history_rows(user=request.user, signal=signal, entries=page)
    return render(
        request,
        "signalen/signal_history.html",
        {"signal": signal, "page": page, "rows": rows, "tab": "history"},
    )


def _act(request, signal: Signal, key: str, form, audit_action: str, perform, success: str):
    """Run one triage action: valid → service → redirect; otherwise the page with the form.

    The service records a done action itself; a refused one (its writes rolled back) is
    recorded here, once: the page shown again with the form is part of that same row.
    """
    if not permissions.can_act_on(request.user, signal):
        _audit(request, audit_action, signal.pk, Result.DENIED)
        raise PermissionDenied
    if form.is_valid():
        try:
            perform(form.cleaned_data)
        except PermissionDenied:
            _audit(request, audit_action, signal.pk, Result.DENIED)
            raise
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("signalen:detail", pk=signal.pk)
    _audit(request, audit_action, signal.pk, Result.REJECTED)
    return _render_detail(request, signal, bound={key: form}, status=400)


@login_required
@require_POST
def signal_assign(request, pk: int):
    signal = _visible_or_404(request, pk, Act.SIGNAL_ASSIGN)
    form = AssignForm(request.POST, signal=signal, user=request.user)
    return _act(
        request,
        signal,
        "assign",
        form,
        Act.SIGNAL_ASSIGN,
        lambda data: services.signal_assign(
            actor=request.user,
            signal=signal,
            assignee=data["assignee"],
            ip_address=client_ip(request),
        ),
        _("Het signaal is toegewezen."),
    )


@login_required
@require_POST
@one_time_submission
def signal_note(request, pk: int):
    signal = _visible_or_404(request, pk, Act.SIGNAL_NOTE)
    form = TextForm(request.POST, label=_("Interne notitie"), prefix="note")
    return _act(
        request,
        signal,
        "note",
        form,
        Act.SIGNAL_NOTE,
        lambda data: services.signal_add_note(
            actor=request.user, signal=signal, text=data["text"], ip_address=client_ip(request)
        ),
        _("De notitie is toegevoegd."),
    )


@login_required
@require_POST
@one_time_submission
def signal_ask(request, pk: int):
    signal = _visible_or_404(request, pk, Act.SIGNAL_ASK)
    form = TextForm(request.POST, label=_("Vraag aan de melder"), prefix="ask")
    return _act(
        request,
        signal,
        "ask",
        form,
        Act.SIGNAL_ASK,
        lambda data: services.signal_ask_reporter(
            actor=request.user, signal=signal, question=data["text"], ip_address=client_ip(request)
        ),
        _("De vraag staat klaar voor de melder; die krijgt een e-mail."),
    )


@login_required
@require_POST
@one_time_submission
def signal_feedback(request, pk: int):
    signal = _visible_or_404(request, pk, Act.SIGNAL_FEEDBACK)
    form = TextForm(request.POST, label=_("Terugkoppeling aan de melder"), prefix="feedback")
    return _act(
        request,
        signal,
        "feedback",
        form,
        Act.SIGNAL_FEEDBACK,
        lambda data: services.signal_share_feedback(
            actor=request.user, signal=signal, text=data["text"], ip_address=client_ip(request)
        ),
        _("De terugkoppeling is gedeeld met de melder."),
    )


@login_required
@require_POST
@one_time_submission
def signal_forward(request, pk: int):
    signal = _visible_or_404(request, pk, Act.SIGNAL_FORWARD)
    form = ForwardForm(request.POST, signal=signal)
    return _act(
        request,
        signal,
        "forward",
        form,
        Act.SIGNAL_FORWARD,
        lambda data: services.signal_forward(
            actor=request.user,
            signal=signal,
            organisation=data["organisation"],
            note=data["note"],
            ip_address=client_ip(request),
        ),
        _("Het signaal is doorgestuurd; de contactpersonen daar krijgen een e-mail."),
    )


@login_required
@require_POST
def signal_close(request, pk: int):
    signal = _visible_or_404(request, pk, Act.SIGNAL_CLOSE)
    form = CloseForm(request.POST, user=request.user)
    return _act(
        request,
        signal,
        "close",
        form,
        Act.SIGNAL_CLOSE,
        lambda data: services.signal_close(
            actor=request.user,
            signal=signal,
            reason=data["reason"],
            explanation=data["explanation"],
            duplicate_of=data["duplicate_signal"],
            ip_address=client_ip(request),
        ),
        _("Het signaal is afgesloten."),
    )


@login_required
@require_GET
def attachment_download(request, pk: int):
    try:
        attachment = selectors.visible_attachment(user=request.user, pk=pk)
    except SignalAttachment.DoesNotExist:
        audit.audit_append(
            actor=request.user,
            action=Act.ATTACHMENT_DOWNLOAD,
            object_type="attachment",
            object_id=pk,
            result=Result.DENIED,
            ip_address=client_ip(request),
        )
        raise Http404 from None
    _audit(request, Act.ATTACHMENT_DOWNLOAD, attachment.signal_id)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    # Never rendered in the portal's origin, never kept by a shared cache.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response


@portal_permissions.role_required(permissions.can_triage)
def signal_dashboard(request):
    ids = portal_permissions.contact_organisation_ids(request.user)
    organisations = list(Organisation.objects.filter(pk__in=ids).order_by("name"))
    chosen = request.GET.get("organisatie")
    organisation = organisations[0]
    if chosen:
        matches = [o for o in organisations if str(o.pk) == chosen]
        if not matches:
            raise Http404
        organisation = matches[0]
    stats = selectors.signal_statistics(user=request.user, organisation=organisation)
    chart_data = {
        "categories": {
            "label": _("Signalen"),
            "labels": [name for name, _n in stats.per_category],
            "values": [n for _name, n in stats.per_category],
        },
        "months": {
            "label": _("Nieuwe signalen"),
            "labels": [m for m, _n in stats.per_month],
            "values": [n for _m, n in stats.per_month],
        },
        "status": {
            "label": _("Open signalen"),
            "labels": [label for label, _n in stats.open_per_status],
            "values": [n for _label, n in stats.open_per_status],
        },
        "pickup": {
            "label": _("Uren tot oppakken"),
            "labels": [m for m, _h in stats.pickup_per_month],
            "values": [h for _m, h in stats.pickup_per_month],
        },
    }
    return render(
        request,
        "signalen/signal_dashboard.html",
        {
            "stats": stats,
            "organisations": organisations,
            "organisation": organisation,
            "chart_data": chart_data,
            "month_rows": list(zip(stats.per_month, stats.pickup_per_month, strict=True)),
        },
    )
