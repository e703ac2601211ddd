import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from demo.werkplaats import TITLE
from portal.models import User
from werkplaats.models import CaseSketch, Group, Participation, PracticeLog, Werkplaats

pytestmark = pytest.mark.django_db


def seed(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_the_demo_werkplaats_has_17_people_in_three_mixed_groups_and_two_sessions(settings):
    seed(settings)

    werkplaats = Werkplaats.objects.get(title=TITLE)
    people = Participation.objects.filter(werkplaats=werkplaats)
    assert people.count() == 17
    assert not people.filter(group__isnull=True).exists()
    groups = Group.objects.filter(werkplaats=werkplaats)
    assert groups.count() == 3
    for group in groups:
        members = people.filter(group=group)
        assert members.count() in (5, 6)
        assert members.values("user__organisation").distinct().count() >= 2
    first, second = werkplaats.sessions.order_by("starts_at")
    assert (second.starts_at - first.starts_at).days == 28
    # The practice period between them is under way: some logs and cases are there.
    assert first.starts_at < timezone.now() < second.starts_at
    assert PracticeLog.objects.filter(after_session=first).count() == 5
    sketches = CaseSketch.objects.filter(session=first)
    assert sketches.count() == 2
    assert sketches.exclude(follow_up="").count() == 1
    assert werkplaats.facilitators.filter(email="trainer@voorbeeldstad.example").exists()


def test_seeding_twice_adds_nothing(settings):
    seed(settings)
    counts = (User.objects.count(), Werkplaats.objects.count(), Participation.objects.count())

    seed(settings)

    assert counts == (
        User.objects.count(),
        Werkplaats.objects.count(),
        Participation.objects.count(),
    )
