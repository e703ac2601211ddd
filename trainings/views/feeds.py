"""The iCal feed, the participant list as CSV and the checked download of materials."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from portal.csv import csv_response

from .. import ical, permissions, selectors, services
from ..models import EnrolmentStatus


@require_safe
def calendar_feed(request, token: str):
    """No login: calendar apps fetch this; the secret token in the address is the key."""
    feed = selectors.feed_by_token(token=token)
    if feed is None:
        raise Http404
    body = ical.build_calendar(
        selectors.feed_sessions(user=feed.user),
        name=_("Werkend Leren — %(name)s") % {"name": feed.user.full_name or feed.user.email},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="werkend-leren.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
def calendar_feed_settings(request):
    feed = services.calendar_feed_get_or_create(user=request.user)
    url = request.build_absolute_uri(reverse("trainings:feed", args=[feed.token]))
    return render(
        request,
        "trainings/feed_settings.html",
        {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]},
    )


@require_POST
@login_required
def calendar_feed_reset(request):
    services.calendar_feed_reset(user=request.user)
    messages.success(
        request,
        _("Je agenda-adres is vernieuwd. Het oude adres werkt niet meer; abonneer je opnieuw."),
    )
    return redirect("trainings:feed_settings")


@login_required
def run_participants_csv(request, run_id: int):
    run = selectors.run_detail(user=request.user, run_id=run_id)
    if run is None or not permissions.can_view_participants(request.user, run):
        raise Http404
    sessions = [s for s in run.sessions.all() if not s.is_cancelled]
    stamp = timezone.localtime().strftime("%Y%m%d")
    header = [
        _("Naam"),
        _("E-mail"),
        _("Organisatie"),
        _("Discipline"),
        _("Functie"),
        _("Status"),
        _("Aangevraagd op"),
        _("Positie wachtlijst"),
        *[
            _("Aanwezig %(moment)s")
            % {"moment": timezone.localtime(s.starts_at).strftime("%d-%m-%Y %H:%M")}
            for s in sessions
        ],
    ]

    def rows():
        yield header
        for enrolment in selectors.run_register(run=run):
            person = enrolment.participant
            attendance = {a.session_id: a for a in enrolment.attendance.all()}
            yield [
                person.full_name,
                person.email,
                person.organisation.name if person.organisation else "",
                person.get_discipline_display(),
                person.job_title,
                enrolment.get_status_display(),
                timezone.localtime(enrolment.requested_at).strftime("%d-%m-%Y %H:%M"),
                enrolment.waitlist_position
                if enrolment.status == EnrolmentStatus.WAITLISTED
                else "",
                *[
                    attendance[s.pk].get_status_display() if s.pk in attendance else ""
                    for s in sessions
                ],
            ]

    return csv_response(filename=f"deelnemers-{run.pk}-{stamp}.csv", rows=rows())


@login_required
def material_download(request, material_id: int):
    material = selectors.material_for(user=request.user, material_id=material_id)
    if material is None:
        raise Http404
    if material.url:
        return redirect(material.url)
    try:
        handle = material.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=material.file.name.rsplit("/", 1)[-1])
