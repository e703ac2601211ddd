"""The register rendered in Python: its table rows and the attendance form's radio group per
person on the page, plain markup instead of template lookups and widget templates per row."""

from django import template
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.formats import moment_writer

register = template.Library()


@register.simple_tag
def attendance_fieldsets(rows, choices) -> SafeString:
    """A ``<fieldset>`` per register row, named ``e<enrolment id>``, the current mark checked."""

    def radios(row):
        pk = row.enrolment_id
        return format_html_join(
            "",
            '<div class="form-check form-check-inline"><input type="radio" '
            'class="form-check-input" name="e{}" value="{}" id="id_e{}_{}"{}>'
            '<label class="form-check-label" for="id_e{}_{}">{}</label></div>',
            (
                (pk, value, pk, n, " checked" if row.mark == value else "", pk, n, label)
                for n, (value, label) in enumerate(choices)
            ),
        )

    return format_html_join(
        "",
        '<fieldset class="mb-2"><legend class="fs-6 fw-semibold mb-1">{}</legend>{}</fieldset>',
        ((row.name, radios(row)) for row in rows),
    )


def _day(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


MARK_LABELS = {
    "present": gettext_lazy("Aanwezig"),
    "absent": gettext_lazy("Afwezig"),
    "excused": gettext_lazy("Afgemeld met reden"),
}


def _completion(completion) -> str:
    if completion.is_complete:
        return _("Ja")
    text = _("Nee (%(attended)s van %(sessions)s)") % {
        "attended": completion.attended,
        "sessions": completion.sessions,
    }
    if completion.end_review_missing:
        text += ", " + _("eindreflectie ontbreekt")
    return text


def _certificate(row, can_manage: bool, csrf_token: str, hidden_name, urls) -> SafeString:
    certificate, completion = row.certificate, row.completion
    parts = []
    if certificate:
        code = certificate.code
        parts.append(format_html("<code>{}-{}-{}</code> ", code[:4], code[4:8], code[8:]))
        if certificate.is_revoked:
            parts.append(
                format_html(
                    '<span class="badge text-bg-warning">{}</span> {}',
                    _("Ingetrokken"),
                    _day(certificate.revoked_at),
                )
            )
            if can_manage:
                parts.append(format_html("<br><small>{}</small>", certificate.revocation_reason))
        else:
            parts.append(
                format_html(
                    '<span class="badge text-bg-success">{}</span> {}',
                    _("Uitgegeven"),
                    _day(certificate.issued_at),
                )
            )
    if can_manage:
        if certificate and not certificate.is_revoked:
            parts.append(
                format_html(
                    ' <a class="btn btn-sm btn-outline-danger" href="{}">{}{}</a>',
                    urls.revoke(certificate.pk),
                    _("Intrekken"),
                    hidden_name,
                )
            )
        elif certificate and completion.is_complete:
            parts.append(
                format_html(
                    ' <form method="post" action="{}" class="d-inline">'
                    '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
                    '<button type="submit" class="btn btn-sm btn-outline-primary">{}{}</button>'
                    "</form>",
                    urls.reissue(row.enrolment_id),
                    csrf_token,
                    _("Opnieuw uitgeven"),
                    hidden_name,
                )
            )
        elif not certificate:
            parts.append(_("nog niet gedownload") if completion.is_complete else "—")
    elif not certificate:
        parts.append("—")
    return format_html_join("", "{}", ((part,) for part in parts))


class _Links:
    """The register's links per row, reversed once with a placeholder id."""

    def __init__(self):
        self._plan = _pattern("trainings:development_plan")
        self._revoke = _pattern("trainings:certificate_revoke")
        self._reissue = _pattern("trainings:certificate_reissue")

    def plan(self, pk: int) -> str:
        return self._plan.format(pk)

    def revoke(self, pk: int) -> str:
        return self._revoke.format(pk)

    def reissue(self, pk: int) -> str:
        return self._reissue.format(pk)


_PLACEHOLDER = 987654321


def _pattern(name: str) -> str:
    return reverse(name, args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")


@register.simple_tag(takes_context=True)
def register_rows(context, rows, can_manage: bool) -> SafeString:
    """The register's table rows: name, organisation, plan link, a mark per session,
    completion and certificate; the same cells for every row, without template lookups."""
    csrf_token = str(context.get("csrf_token", ""))
    plan_label = _("Plan en reflecties")
    urls = _Links()
    marks = {status: str(label) for status, label in MARK_LABELS.items()}
    mark_cells = {}

    def marks_of(statuses):
        # Rows repeat few combinations of marks: each is written once.
        key = tuple(statuses)
        if key not in mark_cells:
            mark_cells[key] = format_html_join(
                "", "<td>{}</td>", ((marks.get(s, "—") if s else "—",) for s in statuses)
            )
        return mark_cells[key]

    def cells(row):
        hidden_name = format_html('<span class="visually-hidden"> {}</span>', row.full_name)
        return (
            row.name,
            row.organisation,
            urls.plan(row.enrolment_id),
            plan_label,
            hidden_name,
            row.reflection_count,
            marks_of(row.statuses),
            _completion(row.completion),
            _certificate(row, can_manage, csrf_token, hidden_name, urls),
        )

    return format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td><td><a href="{}">{}{}</a> ({})</td>{}'
        "<td>{}</td><td>{}</td></tr>",
        (cells(row) for row in rows),
    )


@register.simple_tag
def waiting_items(lines) -> SafeString:
    """The waiting list's ``<li>`` items, each numbered with its place on the whole list."""
    moment = moment_writer("DATETIME_FORMAT")
    signed_up = _("aangemeld %(moment)s")
    return format_html_join(
        "",
        '<li value="{}">{} ({}) — {}</li>',
        (
            (
                line.position,
                line.name,
                line.organisation,
                signed_up % {"moment": moment(line.requested_at)},
            )
            for line in lines
        ),
    )


@register.simple_tag
def mailings_section(mailings) -> SafeString:
    """The section of messages sent to the run's people, newest first: when, subject, sender,
    audience and number of recipients."""
    heading = format_html('<h2 id="mailings-heading" class="h4">{}</h2>', _("Verstuurde berichten"))
    if not mailings:
        body = format_html("<p>{}</p>", _("Nog geen berichten verstuurd."))
    else:
        moment = moment_writer("DATETIME_FORMAT")
        line = _("%(moment)s: „%(subject)s” door %(who)s aan %(group)s (%(count)s)")
        body = format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{}</li>",
                (
                    (
                        line
                        % {
                            "moment": moment(sent.created_at),
                            "subject": sent.subject,
                            "who": sent.sender or "—",
                            "group": sent.audience,
                            "count": sent.recipient_count,
                        },
                    )
                    for sent in mailings
                ),
            ),
        )
    return format_html(
        '<section aria-labelledby="mailings-heading" class="mt-4">{}{}</section>', heading, body
    )
