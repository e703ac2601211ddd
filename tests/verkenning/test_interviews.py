from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from verkenning import services
from verkenning.models import (
    Answer,
    Contact,
    ContactStatus,
    Interview,
    Observation,
    Question,
    VerkenningStatus,
)

from .factories import ContactFactory, VerkenningFactory, theme

pytestmark = pytest.mark.django_db


def _data(contact, **overrides):
    values = {
        "contact": contact,
        "held_on": timezone.localdate(),
        "duration_minutes": 75,
    }
    values.update(overrides)
    return services.InterviewInput(**values)


def test_recording_an_interview_stores_notes_observations_and_the_people_it_named():
    verkenning = VerkenningFactory()
    verkenner = verkenning.verkenners.get()
    contact = ContactFactory(verkenning=verkenning, name="Fatima", department="Veiligheid")
    hard = Question.objects.get(text="Wat is voor jou lastig?")
    who = Question.objects.get(text="Wie heb je nodig?")
    skipped = Question.objects.get(text="Wat heb je zelf ondernomen?")
    data = _data(
        contact,
        answers={hard: "De AVG: ik mag niets delen.", who: "Het wijkteam.", skipped: "  "},
        observations=[
            services.ObservationInput(
                kind="hindernis", text="Niemand durft te delen.", themes=[theme("AVG")]
            ),
            services.ObservationInput(
                kind="energie",
                text="Wil graag casussen bespreken.",
                themes=[theme("casuïstiekbespreking"), theme("interne samenwerking")],
                include_as_quote=True,
            ),
        ],
        new_contacts=[
            services.NewContactInput(name="Wim", department="Wijkteam Noord", role="Coach"),
            services.NewContactInput(name="Els", department="Schuldhulp"),
        ],
    )

    interview = services.interview_record(verkenning=verkenning, verkenner=verkenner, data=data)

    assert interview.duration_minutes == 75
    assert interview.verkenner == verkenner
    assert dict(
        Answer.objects.filter(interview=interview).values_list("question__text", "notes")
    ) == {
        "Wat is voor jou lastig?": "De AVG: ik mag niets delen.",
        "Wie heb je nodig?": "Het wijkteam.",
    }
    energy = Observation.objects.get(interview=interview, kind="energie")
    assert energy.include_as_quote
    assert sorted(energy.themes.values_list("name", flat=True)) == [
        "casuïstiekbespreking",
        "interne samenwerking",
    ]
    named = Contact.objects.filter(referred_by=contact).order_by("name")
    assert [(c.name, c.department, c.status) for c in named] == [
        ("Els", "Schuldhulp", ContactStatus.TO_APPROACH),
        ("Wim", "Wijkteam Noord", ContactStatus.TO_APPROACH),
    ]
    contact.refresh_from_db()
    assert contact.status == ContactStatus.SPOKEN
    verkenning.refresh_from_db()
    assert verkenning.status == VerkenningStatus.IN_CONVERSATIONS


def test_an_interview_with_another_verkennings_contact_is_refused():
    verkenning = VerkenningFactory()
    stranger = ContactFactory()
    with pytest.raises(ValidationError):
        services.interview_record(
            verkenning=verkenning, verkenner=verkenning.verkenners.get(), data=_data(stranger)
        )
    assert not Interview.objects.exists()


@pytest.mark.parametrize("minutes", [0, 2000])
def test_an_impossible_duration_is_refused_and_nothing_is_stored(minutes):
    verkenning = VerkenningFactory()
    contact = ContactFactory(verkenning=verkenning)
    data = _data(
        contact,
        duration_minutes=minutes,
        new_contacts=[services.NewContactInput(name="Wim")],
    )
    with pytest.raises(ValidationError) as error:
        services.interview_record(
            verkenning=verkenning, verkenner=verkenning.verkenners.get(), data=data
        )
    assert "duration_minutes" in error.value.error_dict
    assert not Interview.objects.exists()
    assert Contact.objects.filter(verkenning=verkenning).count() == 1


def test_an_interview_in_the_future_is_refused():
    verkenning = VerkenningFactory()
    contact = ContactFactory(verkenning=verkenning)
    with pytest.raises(ValidationError) as error:
        services.interview_record(
            verkenning=verkenning,
            verkenner=verkenning.verkenners.get(),
            data=_data(contact, held_on=timezone.localdate() + timedelta(days=7)),
        )
    assert "held_on" in error.value.error_dict


def test_an_observation_without_a_known_kind_rolls_back_the_whole_interview():
    verkenning = VerkenningFactory()
    contact = ContactFactory(verkenning=verkenning)
    data = _data(contact, observations=[services.ObservationInput(kind="blij", text="Hoera")])
    with pytest.raises(ValidationError):
        services.interview_record(
            verkenning=verkenning, verkenner=verkenning.verkenners.get(), data=data
        )
    assert not Interview.objects.exists()
    contact.refresh_from_db()
    assert contact.status == ContactStatus.TO_APPROACH


def test_the_question_bank_holds_the_uncomfortable_questions_of_the_handreiking():
    uncomfortable = set(
        Question.objects.filter(is_uncomfortable=True).values_list("text", flat=True)
    )
    assert uncomfortable == {
        "Wat is voor jou lastig?",
        "Wat vind je zelf van deze situatie?",
        "Hoe zou je het graag anders zien?",
        "Wie heb je nodig?",
        "Waarom denk je dat er met diegenen geen connectie tot stand komt?",
        "Wat heb je zelf ondernomen?",
    }
    assert Question.objects.filter(is_uncomfortable=False).count() >= 3
