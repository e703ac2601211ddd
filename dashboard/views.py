"""The home page: what waits for the person, composed from each app's own selectors.

This is the only module that reads several apps at once; each app answers for its own
part (what may be shown to whom), the dashboard only puts the answers side by side.
"""

from datetime import timedelta

from django.shortcuts import render
from django.utils import timezone

from portal import permissions
from portal import selectors as portal_selectors
from trainings import selectors as training_selectors
from werkplaats import selectors as werkplaats_selectors

# Invitations that expire within this period are pointed out on a coordinator's home.
EXPIRING_SOON = timedelta(days=3)


def home(request):
    if not request.user.is_authenticated:
        return render(request, "dashboard/landing.html")
    user = request.user
    context = {
        "login_summary": portal_selectors.login_summary(user=user),
        "profile_incomplete": not (user.discipline and user.job_title),
        "trainings": training_selectors.participant_overview(user=user),
        "werkplaats": werkplaats_selectors.home_overview(user=user),
    }
    if permissions.is_coordinator(user):
        open_invitations = list(
            portal_selectors.open_invitations(user=user).order_by("expires_at")[:10]
        )
        soon = timezone.now() + EXPIRING_SOON
        context["open_invitations"] = open_invitations
        context["expiring_invitations"] = [i for i in open_invitations if i.expires_at <= soon]
        context["organisations"] = list(portal_selectors.organisation_overview(user=user))
    if permissions.is_contact_person(user):
        context["fellow_contact_persons"] = list(
            portal_selectors.contact_persons_of(
                organisation_ids=permissions.contact_organisation_ids(user)
            ).exclude(pk=user.pk)
        )
    return render(request, "dashboard/home.html", context)
