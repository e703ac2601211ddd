"""Demo netwerk: several people chose to be findable, one revoked it again (safe to run again).

The Belastingdienst's contact person Yvonne Hendriks followed "Hoe werkt de gemeente?" with
the demo participants (as the Belastingdienst's teams did in the seed story), so the
Belastingdienst participant's signal form names her. Consent goes through the portal's
service at a moment in the past (``demo.clock.at``), so the consent history has real dates.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal import services
from portal.models import NetworkConsentEvent, User
from trainings import services as training_services
from trainings.models import Enrolment, Run

from . import clock

MET_TRAINING = "Hoe werkt de gemeente?"
CONTACT_PERSON_AT_TRAINING = "contactpersoon@belastingdienst.example"

# e-mail, days ago, what they show beyond name and organisation.
FINDABLE = [
    (
        "deelnemer@voorbeeldstad.example",
        6,
        {"ask_me_about": "Schuldhulp en signalen achter de voordeur"},
    ),
    ("deelnemer@politie.example", 6, {"show_department": True}),
    ("deelnemer@belastingdienst.example", 5, {"ask_me_about": "Fiscale kant van vastgoed"}),
    (
        CONTACT_PERSON_AT_TRAINING,
        5,
        {"show_email": True, "ask_me_about": "Signalen over fraude, witwassen en zwarte omzet"},
    ),
    ("trainer@voorbeeldstad.example", 4, {"show_email": True, "phone": "06 1234 5678"}),
    ("trainer@belastingdienst.example", 4, {}),
    ("werkplaats10@belastingdienst.example", 3, {"ask_me_about": "Toeslagen en zorgfraude"}),
    ("werkplaats08@politie.example", 3, {}),
]
# Gave consent, then revoked it: findable nowhere, with both lines in the history.
REVOKED = ("deelnemer@om.example", 10, 2)


def seed() -> None:
    """The contact person at the training, and the findable people (skipped when done)."""
    _contact_person_at_training()
    now = timezone.now()
    people = User.objects.in_bulk(
        [email for email, _days, _shown in FINDABLE] + [REVOKED[0]], field_name="email"
    )
    decided = set(
        NetworkConsentEvent.objects.filter(user__in=people.values()).values_list(
            "user__email", flat=True
        )
    )
    for email, days_ago, shown in FINDABLE:
        if email in people and email not in decided:
            with clock.at(now - timedelta(days=days_ago)):
                services.network_profile_update(user=people[email], findable=True, **shown)
    email, given_days_ago, revoked_days_ago = REVOKED
    if email in people and email not in decided:
        with clock.at(now - timedelta(days=given_days_ago)):
            services.network_profile_update(user=people[email], findable=True)
        with clock.at(now - timedelta(days=revoked_days_ago)):
            services.network_consent_revoke(user=people[email])


def _contact_person_at_training() -> None:
    """Yvonne enrols in the run that already began, while its enrolment was still open."""
    run = Run.objects.filter(training__title=MET_TRAINING).order_by("pk").first()
    person = User.objects.filter(email=CONTACT_PERSON_AT_TRAINING).first()
    if run is None or person is None:
        return
    if Enrolment.objects.filter(run=run, participant=person).exists():
        return
    if run.enrolment_closes_at > timezone.now():
        # Not begun yet (the demo was seeded otherwise): she enrols now.
        with transaction.atomic():
            training_services.enrolment_create(run=run, participant=person)
        return
    with clock.at(run.enrolment_closes_at - timedelta(minutes=30)), transaction.atomic():
        training_services.enrolment_create(run=run, participant=person)
