"""A participant's completion and certificate block rendered in Python: "my trainings" shows
it on every row of its lists, where an include per row costs more than the rest of the row.
Also the session lines of a run on that page."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.formats import moment_writer

from .. import completion as rule
from ..models import EnrolmentStatus

register = template.Library()

_PLACEHOLDER = 987654321


def _pattern(name: str) -> str:
    """The URL called ``name`` with ``{}`` for its one id: reversed once for a list's rows."""
    return reverse(name, args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")


class _Links:
    """The rows' links of one list, each reversed once."""

    def __init__(self):
        self.plan = _pattern("trainings:development_plan")
        self.certificate = _pattern("trainings:certificate_download")
        self.run = _pattern("trainings:run_detail")
        self.evaluation = _pattern("trainings:evaluation")
        self.followup = _pattern("trainings:followup")


def _reasons(enrolment_id, done, links) -> SafeString:
    items = []
    if rule.ATTENDANCE in done.reasons:
        items.append(
            ngettext(
                "nog %(n)s bijeenkomst bijwonen",
                "nog %(n)s bijeenkomsten bijwonen",
                done.sessions_missing,
            )
            % {"n": done.sessions_missing}
        )
    if rule.ATTENDANCE_MISSED in done.reasons:
        items.append(_("te weinig bijeenkomsten bijgewoond voor een certificaat"))
    if rule.END_REVIEW in done.reasons:
        items.append(
            format_html(
                '<a href="{}">{}</a> {}',
                links.plan.format(enrolment_id),
                _("schrijf je eindreflectie"),
                _("(„wat heb ik geleerd?” in je ontwikkelplan)"),
            )
        )
    if rule.RUN_NOT_FINISHED in done.reasons:
        items.append(_("het certificaat komt na de laatste bijeenkomst"))
    return format_html_join("", "<li>{}</li>", ((item,) for item in items))


def _completion(enrolment_id: int, title: str, done, revoked: bool | None, links) -> SafeString:
    """The completion block of one enrolment: ``done`` is the rule's outcome, ``revoked``
    whether the newest certificate is revoked (None without one)."""
    if not done:
        return SafeString("")
    if done.is_complete:
        if revoked:
            inner = format_html(
                '<p class="mb-1"><span class="badge text-bg-warning">{}</span> {}</p>',
                _("Certificaat ingetrokken"),
                _("Neem contact op met de coördinator van het programma."),
            )
        else:
            inner = format_html(
                '<p class="mb-1"><span class="badge text-bg-success">{}</span></p>'
                '<a class="btn btn-primary btn-sm" href="{}">{}'
                '<span class="visually-hidden"> {}</span></a>',
                _("Voltooid"),
                links.certificate.format(enrolment_id),
                _("Certificaat downloaden (PDF)"),
                title,
            )
    elif done.is_eligible and done.sessions:
        inner = format_html(
            '<p class="mb-1">{}</p><ul class="mb-1">{}</ul>',
            _(
                "Aanwezig bij %(attended)s van %(sessions)s bijeenkomsten; voor het "
                "certificaat zijn er %(required)s nodig."
            )
            % {
                "attended": done.attended,
                "sessions": done.sessions,
                "required": done.sessions_required,
            },
            _reasons(enrolment_id, done, links),
        )
    else:
        inner = ""
    return format_html('<div class="completion">{}</div>', inner)


@register.simple_tag
def completion_block(enrolment) -> SafeString:
    """What ``enrolment.completion`` and ``enrolment.certificate`` say: completed with the
    certificate to download, revoked, or how far the participant is and what is missing."""
    certificate = getattr(enrolment, "certificate", None)
    return _completion(
        enrolment.pk,
        enrolment.run.training.title,
        getattr(enrolment, "completion", None),
        certificate.is_revoked if certificate else None,
        _Links(),
    )


@register.simple_tag
def session_lines(sessions, writers=None) -> SafeString:
    """``<li>`` per session: weekday, date and times, its own place, "Vervallen" when off."""
    moment, time_of_day = writers or _session_writers()
    off = format_html(' <span class="badge text-bg-warning">{}</span>', _("Vervallen"))
    return format_html_join(
        "",
        "<li>{}–{}{}{}</li>",
        (
            (
                moment(session.starts_at),
                time_of_day(session.ends_at),
                f", {session.location}" if session.location else "",
                off if session.is_cancelled else "",
            )
            for session in sessions
        ),
    )


def _session_writers():
    return moment_writer("WEEKDAY_DATETIME_FORMAT"), moment_writer("TIME_FORMAT")


def _place_badge(row) -> SafeString:
    if row.run_status == "cancelled":
        return format_html('<span class="badge text-bg-warning">{}</span>', _("Geannuleerd"))
    if row.status == "waitlisted":
        return format_html(
            '<span class="badge text-bg-info">{}</span>',
            _("Wachtlijst, plaats %(position)s") % {"position": row.waitlist_position},
        )
    if row.status == "pending_approval":
        return format_html(
            '<span class="badge text-bg-secondary">{}</span>', _("Wacht op akkoord leidinggevende")
        )
    return format_html('<span class="badge text-bg-success">{}</span>', _("Ingeschreven"))


def _plan_line(row, links) -> SafeString:
    if row.status != "enrolled":
        return SafeString("")
    todo = len(row.reflection_todo)
    return format_html(
        '<p class="mb-0"><a href="{}">{}</a>{}</p>{}',
        links.plan.format(row.pk),
        _("Ontwikkelplan en reflecties"),
        format_html(
            " · <span>{}</span>",
            ngettext("%(n)s reflectie nog te schrijven", "%(n)s reflecties nog te schrijven", todo)
            % {"n": todo},
        )
        if todo
        else "",
        _completion(row.pk, row.title, row.completion, row.certificate_revoked, links),
    )


@register.simple_tag
def upcoming_cards(rows) -> SafeString:
    """A card per enrolment ahead (``selectors.MyTrainingRow``): training, provider and
    place, the place held, the sessions, and for a place held the plan, reflections owed
    and completion."""
    links = _Links()
    writers = _session_writers()
    return format_html_join(
        "",
        '<li class="card mb-3"><div class="card-body">'
        '<h3 class="h5 card-title"><a href="{}">{}</a></h3>'
        '<p class="mb-1 text-body-secondary">{} · {}</p>'
        '<p class="mb-1">{}</p><ul class="mb-2">{}</ul>{}</div></li>',
        (
            (
                links.run.format(row.run_id),
                row.title,
                row.provider,
                row.location,
                _place_badge(row),
                session_lines(row.sessions, writers),
                _plan_line(row, links),
            )
            for row in rows
        ),
    )


def _questionnaires(row, hidden, links) -> SafeString:
    if not row.questionnaires:
        return "—"
    return format_html_join(
        "",
        '<a class="d-block" href="{}">{}{}</a>',
        (
            (
                (links.evaluation if kind == "evaluation" else links.followup).format(row.run_id),
                _("Evaluatie invullen")
                if kind == "evaluation"
                else _("Samenwerkingsmeter invullen"),
                hidden,
            )
            for kind in row.questionnaires
        ),
    )


@register.simple_tag
def past_rows(rows) -> SafeString:
    """A table row per enrolment that is over (``selectors.MyTrainingRow``): training, date,
    status, plan and reflections open, questionnaires to fill in, completion and
    certificate."""
    links = _Links()
    day = moment_writer("DATE_FORMAT")
    statuses = dict(EnrolmentStatus.choices)
    cancelled = _("Geannuleerd")
    see = _("Bekijken")

    def cells(row):
        title = row.title
        hidden = format_html('<span class="visually-hidden"> {}</span>', title)
        enrolled = row.status == "enrolled"
        todo = len(row.reflection_todo)
        plan = (
            format_html(
                '<a href="{}">{}{}</a>{}',
                links.plan.format(row.pk),
                see,
                hidden,
                format_html(
                    " ({})",
                    ngettext("%(n)s reflectie open", "%(n)s reflecties open", todo) % {"n": todo},
                )
                if todo
                else "",
            )
            if enrolled
            else ""
        )
        return (
            links.run.format(row.run_id),
            title,
            day(row.run_starts_at),
            cancelled if row.run_status == "cancelled" else statuses.get(row.status, row.status),
            plan,
            _questionnaires(row, hidden, links),
            _completion(row.pk, title, row.completion, row.certificate_revoked, links)
            if enrolled
            else "",
        )

    return format_html_join(
        "",
        '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
        "<td>{}</td></tr>",
        (cells(row) for row in rows),
    )
