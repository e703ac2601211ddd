from datetime import datetime, time, timedelta

import factory
from django.utils import timezone

from portal.models import Organisation, Programme, User
from tests.portal.factories import OrganisationFactory, UserFactory, coordinator
from trainings.models import (
    Enrolment,
    EnrolmentStatus,
    Run,
    RunStatus,
    Session,
    Training,
    TrainingFormat,
)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Werkend leren {2027 + n}")


class TrainingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Training

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Hoe werkt organisatie {n}?")
    description = "Een kijkje in de keuken van een partner."
    provider = factory.SubFactory(
        OrganisationFactory, kind=Organisation.Kind.BELASTINGDIENST, name="Belastingdienst Test"
    )
    format = TrainingFormat.TRAINING
    default_capacity = 20


class RunFactory(factory.django.DjangoModelFactory):
    """A published run whose enrolment window is open and whose one session is in two weeks."""

    class Meta:
        model = Run
        skip_postgeneration_save = True

    training = factory.SubFactory(TrainingFactory)
    capacity = 20
    enrolment_opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=7))
    enrolment_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    location = "Stadskantoor, Voorbeeldstad"
    status = RunStatus.PUBLISHED
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=4))

    @factory.post_generation
    def with_session(self, create, extracted, **kwargs):
        """One session over the run's span unless ``with_session=False``."""
        if create and extracted is not False and self.starts_at:
            Session.objects.create(run=self, starts_at=self.starts_at, ends_at=self.ends_at)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    run = factory.SubFactory(RunFactory, with_session=False)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=14))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=4))


class EnrolmentFactory(factory.django.DjangoModelFactory):
    """A direct row, bypassing the rules; use the services to test the rules themselves."""

    class Meta:
        model = Enrolment

    run = factory.SubFactory(RunFactory)
    participant = factory.SubFactory(UserFactory)
    status = EnrolmentStatus.ENROLLED
    requested_at = factory.LazyFunction(timezone.now)
    enrolled_at = factory.LazyAttribute(
        lambda o: o.requested_at if o.status == EnrolmentStatus.ENROLLED else None
    )


def coordinator_of(programme: Programme) -> User:
    """A coordinator named for ``programme``, entitled to manage its trainings and runs."""
    person = coordinator(with_totp=False)
    programme.coordinators.add(person)
    return person


def past_run(programme=None, *, title="Hoe werkt de gemeente?", days_ago=30, **kwargs) -> Run:
    """A run of a training called ``title`` that began ``days_ago`` days ago (negative: ahead)."""
    start = timezone.now() - timedelta(days=days_ago)
    extra = {"training__programme": programme} if programme else {}
    return RunFactory(
        training__title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        enrolment_opens_at=start - timedelta(days=30),
        enrolment_closes_at=start - timedelta(days=1),
        **extra,
        **kwargs,
    )


def enrol(run: Run, *people: User) -> None:
    """Enrol each person in ``run``."""
    for person in people:
        EnrolmentFactory(run=run, participant=person)


def awareness_run(*, day_offset: int = 0, **kwargs) -> Run:
    """A published bewustwordingssessie with one session from 9:00 to 17:00 local time,
    ``day_offset`` days from today (0: today, so its room is live)."""
    day = timezone.localdate() + timedelta(days=day_offset)
    starts_at = timezone.make_aware(datetime.combine(day, time(9)))
    kwargs.setdefault("training", TrainingFactory(format=TrainingFormat.AWARENESS))
    return RunFactory(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=8),
        enrolment_opens_at=starts_at - timedelta(days=30),
        enrolment_closes_at=starts_at - timedelta(days=2),
        **kwargs,
    )
