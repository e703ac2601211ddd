"""The catalogue's cards written in Python: twenty runs a page, each with a link, dates,
places and the reader's own status, without a template loop of tags and filters per run."""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.formats import moment_writer

from ..models import EnrolmentStatus, TrainingFormat

register = template.Library()

_PLACEHOLDER = 987654321


@register.simple_tag
def catalogue_cards(runs, now) -> SafeString:
    """A card per ``CatalogueCard`` of ``selectors.catalogue_page``: training, provider and
    form, start and place, whether enrolment is open and how full it is, and the reader's
    own place."""
    # Plain ``html.escape`` on plain values, as ``format_html`` would write them: its lazy
    # escaping costs more than the rest of a card.
    detail = escape(
        reverse("trainings:run_detail", args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")
    )
    formats = {value: escape(str(label)) for value, label in TrainingFormat.choices}
    starts = moment_writer("WEEKDAY_DATETIME_FORMAT")
    moment = moment_writer("DATETIME_FORMAT")
    start_label, location_label = escape(_("Start")), escape(_("Locatie"))
    closed = f'<span class="badge text-bg-secondary">{escape(_("Inschrijving gesloten"))}</span>'
    full = f'<span class="badge text-bg-warning">{escape(_("Vol"))}</span>'
    free = f'<span class="badge text-bg-success">{escape(_("Plaatsen vrij"))}</span>'
    mine = {
        EnrolmentStatus.ENROLLED: '<span class="badge text-bg-primary ms-2">'
        f"{escape(_('Je bent ingeschreven'))}</span>",
        EnrolmentStatus.WAITLISTED: '<span class="badge text-bg-info ms-2">'
        f"{escape(_('Je staat op de wachtlijst'))}</span>",
        EnrolmentStatus.PENDING: '<span class="badge text-bg-secondary ms-2">'
        f"{escape(_('Wacht op akkoord leidinggevende'))}</span>",
    }

    def state(run) -> str:
        if run.enrolment_opens_at > now:
            opens = _("Inschrijving opent op %(moment)s") % {
                "moment": moment(run.enrolment_opens_at)
            }
            places = ngettext("%(n)s plaats", "%(n)s plaatsen", run.capacity) % {"n": run.capacity}
            return (
                '<span class="badge text-bg-light border border-dark-subtle">'
                f'<span aria-hidden="true">◷ </span>{escape(opens)}</span> {escape(places)}'
            )
        if run.enrolment_closes_at <= now:
            return closed
        if run.enrolled_count >= run.capacity:
            waiting = run.waitlist_count
            return f"{full} " + escape(
                ngettext(
                    "%(n)s persoon op de wachtlijst",
                    "%(n)s personen op de wachtlijst",
                    waiting,
                )
                % {"n": waiting}
            )
        return f"{free} " + escape(
            _("%(taken)s van %(capacity)s plaatsen bezet")
            % {"taken": run.enrolled_count, "capacity": run.capacity}
        )

    return mark_safe(  # noqa: S308  (every value below is escaped)
        "".join(
            '<li class="card mb-3"><div class="card-body">'
            f'<h3 class="h5 card-title"><a href="{detail.format(run.pk)}">{escape(run.title)}</a>'
            "</h3>"
            f'<p class="mb-1 text-body-secondary">{escape(run.provider)} · '
            f"{formats.get(run.format) or escape(run.format)}</p>"
            f'<p class="mb-1"><strong>{start_label}:</strong> {escape(starts(run.starts_at))} · '
            f"<strong>{location_label}:</strong> {escape(run.location)}</p>"
            f'<p class="mb-0">{state(run)} {mine.get(run.my_status, "")}</p></div></li>'
            for run in runs
        )
    )
