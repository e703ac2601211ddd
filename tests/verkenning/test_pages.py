from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.portal.factories import OrganisationFactory, coordinator, trainer
from tests.trainings.factories import ProgrammeFactory
from trainings.models import Run, RunStatus, Training
from verkenning import services
from verkenning.models import (
    Contact,
    ContactStatus,
    Interview,
    Observation,
    Question,
    TrainingDesign,
    Verkenning,
)

from .factories import ContactFactory, TrainingDesignFactory, VerkenningFactory, theme

pytestmark = pytest.mark.django_db


@pytest.fixture
def verkenner(client):
    person = trainer()
    client.force_login(person)
    return person


def _formset(prefix, rows):
    data = {
        f"{prefix}-TOTAL_FORMS": "3",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


def _interview_post(contact, **overrides):
    hard = Question.objects.get(text="Wat is voor jou lastig?")
    data = {
        "contact": contact.pk,
        "held_on": timezone.localdate().isoformat(),
        "duration_minutes": "60",
        "notes": "",
        f"vraag_{hard.pk}": "Niemand weet wat mag.",
        **_formset(
            "observatie",
            [
                {
                    "kind": "hindernis",
                    "text": "Onduidelijk wat de AVG toestaat.",
                    "themes": [theme("AVG").pk],
                    "include_as_quote": "on",
                }
            ],
        ),
        **_formset(
            "nieuw",
            [
                {"name": "Wim de Wijkcoach", "department": "Wijkteam Noord", "role": "Coach"},
                {"name": "Els Schuldhulp", "department": "Schuldhulpverlening"},
            ],
        ),
    }
    data.update(overrides)
    return data


def test_a_trainer_starts_a_verkenning_and_fills_in_the_inventory(client, verkenner):
    programme = ProgrammeFactory()
    organisation = OrganisationFactory(name="Gemeente X")
    response = client.post(
        reverse("verkenning:create"),
        {"programme": programme.pk, "organisation": organisation.pk, "title": "Sociaal domein X"},
    )
    verkenning = Verkenning.objects.get()
    assert response["Location"] == reverse("verkenning:edit", args=[verkenning.pk])
    response = client.post(
        reverse("verkenning:edit", args=[verkenning.pk]),
        {
            "title": "Sociaal domein X",
            "organisation": organisation.pk,
            "status": "preparing",
            "verkenners": [verkenner.pk],
            "departments": "Veiligheid\nWijkteam Noord\n",
            "acquaintance": "hardly_know",
            "shared_goal": "to_formulate",
            "existing_knowledge": "Weinig.",
        },
    )
    assert response.status_code == 302
    assert list(verkenning.departments.values_list("name", flat=True)) == [
        "Veiligheid",
        "Wijkteam Noord",
    ]
    verkenning.refresh_from_db()
    assert verkenning.acquaintance == "hardly_know"


def test_one_interview_form_records_answers_observations_and_two_new_contacts(client, verkenner):
    verkenning = VerkenningFactory(verkenners=[verkenner])
    contact = ContactFactory(verkenning=verkenning, name="Fatima")

    response = client.post(
        reverse("verkenning:interview_create", args=[verkenning.pk]), _interview_post(contact)
    )

    interview = Interview.objects.get()
    assert response["Location"] == reverse(
        "verkenning:interview", args=[verkenning.pk, interview.pk]
    )
    assert interview.verkenner == verkenner
    assert interview.answers.get().notes == "Niemand weet wat mag."
    observation = Observation.objects.get()
    assert observation.include_as_quote and list(observation.themes.all()) == [theme("AVG")]
    assert sorted(Contact.objects.filter(referred_by=contact).values_list("name", flat=True)) == [
        "Els Schuldhulp",
        "Wim de Wijkcoach",
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Wim de Wijkcoach" in page and "Onduidelijk wat de AVG toestaat." in page


def test_bad_interview_input_shows_clear_messages_and_stores_nothing(client, verkenner):
    verkenning = VerkenningFactory(verkenners=[verkenner])
    contact = ContactFactory(verkenning=verkenning)
    data = _interview_post(contact, duration_minutes="0")
    data["observatie-1-text"] = "Tekst zonder soort"
    data["nieuw-2-department"] = "Burgerzaken"  # a department without a name

    response = client.post(reverse("verkenning:interview_create", args=[verkenning.pk]), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Kies energie, hindernis of weerstand." in page
    assert "Vul de naam in van wie genoemd werd." in page
    assert "Een gesprek duurt minstens één minuut." in page
    assert not Interview.objects.exists() and not Observation.objects.exists()
    assert Contact.objects.filter(verkenning=verkenning).count() == 1
    contact.refresh_from_db()
    assert contact.status == ContactStatus.TO_APPROACH


def test_a_contact_of_another_verkenning_cannot_be_posted_into_an_interview(client, verkenner):
    verkenning = VerkenningFactory(verkenners=[verkenner])
    ContactFactory(verkenning=verkenning)
    stranger = ContactFactory()
    response = client.post(
        reverse("verkenning:interview_create", args=[verkenning.pk]), _interview_post(stranger)
    )
    assert response.status_code == 200
    assert not Interview.objects.exists()


def test_a_loop_in_the_snowball_is_refused_on_the_contact_page(client, verkenner):
    verkenning = VerkenningFactory(verkenners=[verkenner])
    a = ContactFactory(verkenning=verkenning, name="Anna")
    b = ContactFactory(verkenning=verkenning, name="Bram", referred_by=a)
    response = client.post(
        reverse("verkenning:contact_edit", args=[verkenning.pk, a.pk]),
        {"name": "Anna", "referred_by": b.pk, "status": "spoken"},
    )
    assert response.status_code == 200
    assert "rondlopen" in response.content.decode()
    a.refresh_from_db()
    assert a.referred_by is None and a.status == ContactStatus.TO_APPROACH


def test_the_network_picture_grows_with_the_snowball(client, verkenner):
    verkenning = VerkenningFactory(verkenners=[verkenner])
    root = ContactFactory(verkenning=verkenning, name="Fatima", department="Veiligheid")
    url = reverse("verkenning:network", args=[verkenning.pk])
    assert client.get(url).content.decode().count('class="contact"') == 1
    client.post(
        reverse("verkenning:contacts", args=[verkenning.pk]),
        {"name": "Wim", "department": "Wijkteam", "referred_by": root.pk, "status": "to_approach"},
    )
    page = client.get(url).content.decode()
    assert page.count('class="contact"') == 2
    assert page.count("<line ") == 1
    assert "<title>Wim — Wijkteam — Te benaderen</title>" in page


def test_the_design_is_saved_and_turned_into_a_draft_training_from_its_page(client, verkenner):
    verkenning = VerkenningFactory(verkenners=[verkenner])
    colleague = trainer(full_name="Bea Begeleider")
    start = (timezone.localtime() + timedelta(days=40)).replace(hour=9, minute=0)
    response = client.post(
        reverse("verkenning:design", args=[verkenning.pk]),
        {
            "title": "Ondermijning in de wijk",
            "description": "Casuïstiek met wijkteams.",
            "themes": [theme("casuïstiekbespreking").pk],
            "format": "werkplaats_intro",
            "provider": verkenning.organisation.pk,
            "capacity": "12",
            "location": "Wijkcentrum De Brug",
            "manager_approval": "on",
            "budget": "2500.00",
            "first_session_starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "first_session_ends_at": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
            "trainers": [colleague.pk],
            "werkplaats_session_count": "5",
            "werkplaats_weeks_between_sessions": "2",
        },
    )
    assert response.status_code == 302
    verkenning.refresh_from_db()
    assert verkenning.design.budget == 2500 and verkenning.design.manager_approval
    assert list(verkenning.design.trainers.all()) == [colleague]
    assert verkenning.design.werkplaats_session_count == 5
    assert verkenning.design.werkplaats_weeks_between_sessions == 2

    response = client.post(reverse("verkenning:design_convert", args=[verkenning.pk]), follow=True)

    training = Training.objects.get()
    assert training.title == "Ondermijning in de wijk" and training.format == "werkplaats_intro"
    assert Run.objects.get(training=training).status == RunStatus.DRAFT
    assert "concepttraining" in response.content.decode()


def test_converting_an_incomplete_design_says_what_is_missing(client, verkenner):
    verkenning = VerkenningFactory(verkenners=[verkenner])
    TrainingDesignFactory(verkenning=verkenning, location="")
    response = client.post(reverse("verkenning:design_convert", args=[verkenning.pk]), follow=True)
    assert "Vul eerst in: locatie" in response.content.decode()
    assert not Training.objects.exists()


def test_a_design_ending_before_it_starts_is_refused_on_the_form(client, verkenner):
    verkenning = VerkenningFactory(verkenners=[verkenner])
    start = timezone.localtime() + timedelta(days=10)
    response = client.post(
        reverse("verkenning:design", args=[verkenning.pk]),
        {
            "title": "T",
            "description": "D",
            "format": "training",
            "provider": verkenning.organisation.pk,
            "capacity": "12",
            "first_session_starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "first_session_ends_at": (start - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert "De bijeenkomst moet eindigen ná het begin." in response.content.decode()
    assert not TrainingDesign.objects.exists()


def test_the_draft_training_links_back_to_its_verkenning_for_the_coordinator(client):
    boss = coordinator()
    verkenning = VerkenningFactory(verkenners=[trainer()])
    verkenning.programme.coordinators.add(boss)
    design = TrainingDesignFactory(verkenning=verkenning)
    training = services.training_design_convert_to_training(design=design, actor=boss)
    client.force_login(boss)

    training_page = client.get(reverse("trainings:training_edit", args=[training.pk]))
    design_page = client.get(reverse("verkenning:design", args=[verkenning.pk]))

    assert reverse("verkenning:detail", args=[verkenning.pk]) in training_page.content.decode()
    assert reverse("trainings:training_edit", args=[training.pk]) in design_page.content.decode()


@pytest.mark.parametrize(
    "field,value",
    [("werkplaats_session_count", "0"), ("werkplaats_weeks_between_sessions", "13")],
)
def test_a_werkplaats_plan_out_of_range_is_refused_on_the_form(client, verkenner, field, value):
    verkenning = VerkenningFactory(verkenners=[verkenner])
    data = {
        "title": "T",
        "description": "D",
        "format": "training",
        "provider": verkenning.organisation.pk,
        "capacity": "12",
        "werkplaats_session_count": "3",
        "werkplaats_weeks_between_sessions": "4",
    }
    data[field] = value
    response = client.post(reverse("verkenning:design", args=[verkenning.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not TrainingDesign.objects.exists()
