"""Demo of reaching the right people: a training that requires the manager's approval, with
one request still waiting and one approved, and a message its coordinator sent to the
enrolled (safe to run again).

Everything goes through the services; the approved request was asked two days ago and
answered yesterday through the manager's own link (``demo.clock.at``).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.models import Programme, User
from trainings import mailing, scheduling, selectors, services
from trainings.models import Training

from . import clock
from .trainings import PROGRAMME

TITLE = "Verdiepingsdag ondermijning: de straat op met de wijkagent"
PROVIDER_TRAINER = "trainer@politie.example"
PENDING = "deelnemer@voorbeeldstad.example"
APPROVED = "deelnemer@belastingdienst.example"


def seed() -> None:
    programme = Programme.objects.get(name=PROGRAMME)
    if Training.objects.filter(programme=programme, title=TITLE).exists():
        return
    creator = programme.coordinators.order_by("pk").first()
    trainer = User.objects.get(email=PROVIDER_TRAINER)
    today = timezone.localdate()
    (day,) = clock.on_working_days(today, (24,))
    starts = clock.local_moment(today, day, 9)
    now = timezone.now()
    asked_at = now - timedelta(days=2)
    with clock.at(asked_at - timedelta(days=1)), transaction.atomic():
        training = services.training_create(
            actor=creator,
            programme=programme,
            title=TITLE,
            description=(
                "Een dag meelopen met de wijkagent: signalen van ondermijning in de wijk "
                "herkennen en bespreken wat je als partner met die signalen kunt doen."
            ),
            provider=trainer.organisation,
            content_goals="Je herkent signalen van ondermijning op straat en weet wie je belt.",
            personal_goals="Je durft een signaal te bespreken met een partner die je net kent.",
            default_capacity=12,
            requires_manager_approval=True,
        )
        run = services.run_create(
            actor=creator,
            training=training,
            capacity=12,
            enrolment_opens_at=asked_at - timedelta(hours=1),
            enrolment_closes_at=starts - timedelta(days=3),
            location="Politiebureau Voorbeeldstad",
            trainers=[trainer],
            sessions=[(starts, starts + timedelta(hours=7))],
        )
        services.run_publish(actor=creator, run=run)
    with clock.at(asked_at), transaction.atomic():
        approved = services.enrolment_create(
            run=run,
            participant=User.objects.get(email=APPROVED),
            manager_name="Marloes Verbeek",
            manager_email="teamleider@belastingdienst.example",
        )
    with clock.at(now - timedelta(days=1)), transaction.atomic():
        token = scheduling.approval_token(selectors.latest_approval(enrolment=approved))
        services.enrolment_approval_answer(
            token=token, granted=True, comment="Goed idee; neem je ervaringen mee naar het team."
        )
    with transaction.atomic():
        services.enrolment_create(
            run=run,
            participant=User.objects.get(email=PENDING),
            manager_name="Hanneke Teunissen",
            manager_email="teamleider@voorbeeldstad.example",
        )
    practical = mailing.TEMPLATES["praktisch"]
    services.run_mailing_send(
        actor=creator,
        run=run,
        audience="enrolled",
        subject=practical.subject,
        body=practical.body,
    )
