"""The catalogue's cards written in Python: twenty runs a page, each with a link, dates,
places and the reader's own status, without a template loop of tags and filters per run."""

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.formats import moment_writer

from ..models import EnrolmentStatus, TrainingFormat

register = template.Library()

_PLACEHOLDER = 987654321


@register.simple_tag
def catalogue_cards(runs, now) -> SafeString:
    """A card per run of ``selectors.catalogue_page``: training, provider and form, start and
    place, whether enrolment is open and how full it is, and the reader's own place."""
    detail = reverse("trainings:run_detail", args=[_PLACEHOLDER]).replace(str(_PLACEHOLDER), "{}")
    formats = dict(TrainingFormat.choices)
    starts = moment_writer("WEEKDAY_DATETIME_FORMAT")
    moment = moment_writer("DATETIME_FORMAT")
    start_label, location_label = _("Start"), _("Locatie")
    closed = format_html(
        '<span class="badge text-bg-secondary">{}</span>', _("Inschrijving gesloten")
    )
    full = format_html('<span class="badge text-bg-warning">{}</span>', _("Vol"))
    free = format_html('<span class="badge text-bg-success">{}</span>', _("Plaatsen vrij"))
    mine = {
        EnrolmentStatus.ENROLLED: format_html(
            '<span class="badge text-bg-primary ms-2">{}</span>', _("Je bent ingeschreven")
        ),
        EnrolmentStatus.WAITLISTED: format_html(
            '<span class="badge text-bg-info ms-2">{}</span>', _("Je staat op de wachtlijst")
        ),
        EnrolmentStatus.PENDING: format_html(
            '<span class="badge text-bg-secondary ms-2">{}</span>',
            _("Wacht op akkoord leidinggevende"),
        ),
    }

    def state(run) -> SafeString:
        if run.enrolment_opens_at > now:
            return format_html(
                '<span class="badge text-bg-light border border-dark-subtle">'
                '<span aria-hidden="true">◷ </span>{}</span> {}',
                _("Inschrijving opent op %(moment)s") % {"moment": moment(run.enrolment_opens_at)},
                ngettext("%(n)s plaats", "%(n)s plaatsen", run.capacity) % {"n": run.capacity},
            )
        if run.enrolment_closes_at <= now:
            return closed
        if run.enrolled_count >= run.capacity:
            waiting = run.waitlist_count
            return format_html(
                "{} {}",
                full,
                ngettext(
                    "%(n)s persoon op de wachtlijst", "%(n)s personen op de wachtlijst", waiting
                )
                % {"n": waiting},
            )
        return format_html(
            "{} {}",
            free,
            _("%(taken)s van %(capacity)s plaatsen bezet")
            % {"taken": run.enrolled_count, "capacity": run.capacity},
        )

    return format_html_join(
        "",
        '<li class="card mb-3"><div class="card-body">'
        '<h3 class="h5 card-title"><a href="{}">{}</a></h3>'
        '<p class="mb-1 text-body-secondary">{} · {}</p>'
        '<p class="mb-1"><strong>{}:</strong> {} · <strong>{}:</strong> {}</p>'
        '<p class="mb-0">{} {}</p></div></li>',
        (
            (
                detail.format(run.pk),
                run.training.title,
                run.training.provider.name,
                formats.get(run.training.format, run.training.format),
                start_label,
                starts(run.starts_at),
                location_label,
                run.location,
                state(run),
                mine.get(run.my_status, ""),
            )
            for run in runs
        ),
    )
