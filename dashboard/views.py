"""The home page: what waits for the person, composed from each app's own selectors.

This is the only module that reads several apps at once; each app answers for its own
part (what may be shown to whom), the dashboard only puts the answers side by side.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from portal import permissions
from portal import selectors as portal_selectors
from portal.models import Programme
from signalen import selectors as signal_selectors
from trainings import selectors as training_selectors
from werkplaats import selectors as werkplaats_selectors

from . import funnel, services
from .forms import FunnelForm

# Invitations that expire within this period are pointed out on a coordinator's home.
EXPIRING_SOON = timedelta(days=3)
UPCOMING_LIMIT = 5


@dataclass(frozen=True)
class Upcoming:
    """One training or werkplaats session in "Binnenkort"."""

    title: str
    starts_at: datetime
    place: str
    url: str
    is_werkplaats: bool


def _upcoming(training_sessions, werkplaats_sessions) -> list[Upcoming]:
    """Training and werkplaats sessions together, soonest first."""
    items = [
        Upcoming(
            title=session.run.training.title,
            starts_at=session.starts_at,
            place=session.location or session.run.location,
            url=reverse("trainings:run_detail", args=[session.run_id]),
            is_werkplaats=False,
        )
        for session in training_sessions
    ] + [
        Upcoming(
            title=session.werkplaats.title,
            starts_at=session.starts_at,
            place=session.location,
            url=reverse("werkplaats:session_detail", args=[session.pk]),
            is_werkplaats=True,
        )
        for session in werkplaats_sessions
    ]
    items.sort(key=lambda item: item.starts_at)
    return items[:UPCOMING_LIMIT]


def home(request):
    if not request.user.is_authenticated:
        return render(request, "dashboard/landing.html")
    user = request.user
    trainings = training_selectors.participant_overview(user=user)
    werkplaats = werkplaats_selectors.home_overview(user=user)
    context = {
        "login_summary": portal_selectors.login_summary(user=user),
        "profile_incomplete": not (user.discipline and user.job_title),
        "trainings": trainings,
        "werkplaats": werkplaats,
        "upcoming": _upcoming(trainings.next_sessions, werkplaats.next_sessions),
        "signals": signal_selectors.attention_signals(user=user),
        "runs_closing": training_selectors.runs_closing_soon(user=user),
        "expiring_invitations": [],
    }
    if permissions.is_coordinator(user):
        open_invitations = list(
            portal_selectors.open_invitations(user=user).order_by("expires_at")[:10]
        )
        soon = timezone.now() + EXPIRING_SOON
        context["open_invitations"] = open_invitations
        context["expiring_invitations"] = [i for i in open_invitations if i.expires_at <= soon]
        context["partners"] = portal_selectors.partner_summary(user=user)
    if permissions.is_contact_person(user):
        context["fellow_contact_persons"] = list(
            portal_selectors.contact_persons_of(
                organisation_ids=permissions.contact_organisation_ids(user)
            ).exclude(pk=user.pk)
        )
    context["nothing_waits"] = not any(
        (
            context["login_summary"].failed_since_previous,
            context["profile_incomplete"],
            context["expiring_invitations"],
            context["signals"],
            werkplaats.open_requests,
            werkplaats.logs_due,
            trainings.reflections_due,
            trainings.plan_reviews_due,
            trainings.moved_up,
            context["runs_closing"],
        )
    )
    return render(request, "dashboard/home.html", context)


@permissions.role_required(permissions.is_coordinator)
def awareness_funnel(request):
    """Per quarter: bewustwordingssessies, participants, examples, and signals after them."""
    programmes = list(
        Programme.objects.filter(
            pk__in=permissions.coordinated_programme_ids(request.user)
        ).order_by("name")
    )
    this_year = timezone.localdate().year
    form = FunnelForm(request.GET or None, programmes=programmes, this_year=this_year)
    programme, year = form.choice()
    counted = None
    if programme:
        # Counted by a task (it reads every participant and signal of the year); a count
        # over ten minutes old is asked for again, and shown until the new one is there.
        now = timezone.now()
        counted = funnel.counted_funnel(programme_id=programme.pk, year=year, now=now)
        if counted.due:
            services.awareness_funnel_request(programme_id=programme.pk, year=year, now=now)
            counted = funnel.counted_funnel(programme_id=programme.pk, year=year, now=now)
    return render(
        request,
        "dashboard/awareness_funnel.html",
        {
            "form": form,
            "programme": programme,
            "year": year,
            "quarters": counted.quarters if counted else [],
            "counted_at": counted.counted_at if counted else None,
            "min_group": funnel.MIN_GROUP,
            "follow_up_weeks": training_selectors.AWARENESS_FOLLOW_UP.days // 7,
        },
    )
