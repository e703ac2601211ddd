"""Every list page reads the same number of queries in a small world and after more rows.

Each case builds a small world, opens the page once (a client's first request also saves its
session), counts the queries of the next request, adds rows the page lists or counts, and
asserts exactly that count again. The programme dashboard and the library have tests of
their own at two volumes (tests/trainings/test_programme_dashboard.py, test_library.py).
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.portal.factories import UserFactory, add_totp, findable, force_login_with_mfa
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
    awareness_run,
    coordinator_of,
    enrol,
)
from tests.verkenning.factories import InterviewFactory, ObservationFactory, VerkenningFactory
from tests.werkplaats.factories import ParticipationFactory, SessionFactory, WerkplaatsFactory
from trainings.models import EnrolmentStatus

pytestmark = pytest.mark.django_db

# A generous ceiling for the first count; the assertion that matters is the equality after.
CEILING = 40


class World:
    """One programme with a coordinator and a participant, and a way to add volume."""

    def __init__(self, client):
        self.client = client
        self.programme = ProgrammeFactory()
        self.coordinator = coordinator_of(self.programme)
        add_totp(self.coordinator)
        self.participant = UserFactory()
        self.run = RunFactory(training__programme=self.programme)
        self.werkplaats = WerkplaatsFactory(
            programme=self.programme, facilitators=[self.coordinator]
        )
        self.verkenning = VerkenningFactory(programme=self.programme, verkenners=[self.coordinator])
        self.grow(3)

    def grow(self, n: int) -> None:
        """``n`` more runs the participant is in, people in the run, the werkplaats and
        the verkenning, werkplaatsen, interviews, findable people met, bewustwordingssessies."""
        month = timezone.now() + timedelta(days=14)
        for _ in range(n):
            run = RunFactory(training=TrainingFactory(programme=self.programme), starts_at=month)
            enrol(run, self.participant, *(UserFactory() for _ in range(2)))
            met = UserFactory()
            findable(met)
            enrol(run, met)
            EnrolmentFactory(run=self.run, status=EnrolmentStatus.WAITLISTED, enrolled_at=None)
            enrol(self.run, UserFactory())
            ParticipationFactory(werkplaats=self.werkplaats)
            WerkplaatsFactory(programme=self.programme, facilitators=[self.coordinator])
            SessionFactory(werkplaats=self.werkplaats)
            interview = InterviewFactory(verkenning=self.verkenning)
            ObservationFactory(interview=interview)
            ObservationFactory(interview=interview, include_as_quote=True)
            held = awareness_run(
                day_offset=-10,
                training=TrainingFactory(programme=self.programme, format="bewustwordingssessie"),
            )
            # Two a session: past the funnel's small-number rule from the first count on,
            # where the signal count is asked.
            enrol(held, UserFactory(), UserFactory())


@pytest.fixture
def world(client):
    return World(client)


def _as(world: World, who: str):
    if who == "coordinator":
        force_login_with_mfa(world.client, world.coordinator)
    else:
        world.client.force_login(world.participant)


PAGES = [
    ("catalogue", "participant", lambda w: reverse("trainings:catalogue")),
    (
        "calendar",
        "coordinator",
        lambda w: (
            reverse("trainings:calendar")
            + f"?maand={timezone.localdate(timezone.now() + timedelta(days=14)):%Y-%m}"
        ),
    ),
    (
        "calendar day",
        "coordinator",
        lambda w: (
            reverse("trainings:calendar")
            + f"?dag={timezone.localdate(timezone.now() + timedelta(days=14)).isoformat()}"
        ),
    ),
    (
        "calendar list",
        "coordinator",
        lambda w: (
            reverse("trainings:calendar")
            + f"?maand={timezone.localdate(timezone.now() + timedelta(days=14)):%Y-%m}"
            + "&weergave=lijst"
        ),
    ),
    ("catalogue page 2", "participant", lambda w: reverse("trainings:catalogue") + "?pagina=2"),
    ("my trainings", "participant", lambda w: reverse("trainings:my_trainings")),
    (
        "my trainings, past page 2",
        "participant",
        lambda w: reverse("trainings:my_trainings") + "?pagina=2",
    ),
    (
        "run register search",
        "coordinator",
        lambda w: reverse("trainings:register", args=[w.run.pk]) + "?q=a",
    ),
    ("run detail", "participant", lambda w: reverse("trainings:run_detail", args=[w.run.pk])),
    (
        "run detail (coordinator)",
        "coordinator",
        lambda w: reverse("trainings:run_detail", args=[w.run.pk]),
    ),
    ("run register", "coordinator", lambda w: reverse("trainings:register", args=[w.run.pk])),
    ("werkplaats list", "coordinator", lambda w: reverse("werkplaats:list")),
    (
        "werkplaats detail",
        "coordinator",
        lambda w: reverse("werkplaats:detail", args=[w.werkplaats.pk]),
    ),
    (
        "werkplaats groups",
        "coordinator",
        lambda w: reverse("werkplaats:groups", args=[w.werkplaats.pk]),
    ),
    ("verkenning list", "coordinator", lambda w: reverse("verkenning:list")),
    (
        "verkenning synthesis",
        "coordinator",
        lambda w: reverse("verkenning:synthesis", args=[w.verkenning.pk]),
    ),
    (
        "programme dashboard",
        "coordinator",
        lambda w: reverse("trainings:programme_dashboard", args=[w.programme.pk]),
    ),
    (
        "programme dashboard runs",
        "coordinator",
        lambda w: reverse("trainings:programme_dashboard_runs", args=[w.programme.pk]),
    ),
    ("bewustwording funnel", "coordinator", lambda w: reverse("awareness_funnel")),
    ("home (participant)", "participant", lambda w: reverse("home")),
    ("home (coordinator)", "coordinator", lambda w: reverse("home")),
    ("library", "participant", lambda w: reverse("trainings:library")),
    ("netwerk", "participant", lambda w: reverse("network")),
    (
        "netwerk search",
        "participant",
        lambda w: reverse("network") + f"?organisatie={w.participant.organisation_id}",
    ),
]


@pytest.mark.parametrize("name,who,url", PAGES, ids=[name for name, _w, _u in PAGES])
def test_the_page_reads_as_many_queries_after_more_rows(
    world,
    name,
    who,
    url,
    django_assert_max_num_queries,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    _as(world, who)
    address = url(world)
    # What a page queues after the commit runs here (the programme dashboard's count).
    with django_capture_on_commit_callbacks(execute=True):
        assert world.client.get(address).status_code == 200
    with django_assert_max_num_queries(CEILING) as small:
        assert world.client.get(address).status_code == 200
    # Read now: the connection's query log is a ring that growing the world may turn over.
    queries = len(small.captured_queries)

    world.grow(6)
    # Opened once more first, as before the first count: a cached read then counts alike.
    world.client.get(address)
    with django_assert_num_queries(queries):
        assert world.client.get(address).status_code == 200
