from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from portal.models import Organisation
from tests.portal.factories import UserFactory, coordinator, trainer
from trainings import selectors as training_selectors
from trainings.models import Run, RunStatus, Training
from verkenning import services
from werkplaats import permissions as werkplaats_permissions
from werkplaats.models import Participation, Session, SessionLength, Werkplaats

from .factories import TrainingDesignFactory, VerkenningFactory, theme

pytestmark = pytest.mark.django_db


def test_a_design_becomes_a_draft_training_and_run_for_the_verkennings_organisation():
    verkenner = trainer()
    verkenning = VerkenningFactory(verkenners=[verkenner])
    design = TrainingDesignFactory(
        verkenning=verkenning,
        format="workshop",
        content_goals="Signalen herkennen",
        personal_goals="Durven doorvragen",
        target_groups="Wijkteams en consulenten",
    )
    design.themes.set([theme("AVG"), theme("werkdruk")])

    training = services.training_design_convert_to_training(design=design, actor=verkenner)

    assert training.programme == verkenning.programme
    assert training.title == design.title
    assert training.provider == verkenning.organisation
    assert training.format == "workshop"
    assert training.content_goals == "Signalen herkennen"
    assert training.personal_goals == "Durven doorvragen"
    assert training.default_capacity == 14
    assert design.description in training.description
    assert "Wijkteams en consulenten" in training.description
    assert "AVG, werkdruk" in training.description
    assert list(training.audience_organisations.all()) == [verkenning.organisation]
    assert training.created_by == verkenner
    run = Run.objects.get(training=training)
    assert run.status == RunStatus.DRAFT
    assert run.capacity == 14
    assert run.location == "Stadskantoor, zaal 3"
    assert run.starts_at == design.first_session_starts_at
    assert run.enrolment_closes_at == design.first_session_starts_at
    session = run.sessions.get()
    assert session.ends_at == design.first_session_ends_at
    design.refresh_from_db()
    assert design.training == training
    assert training.verkenning_design == design


def test_the_programme_coordinator_finds_the_draft_in_the_calendar():
    boss = coordinator()
    verkenner = trainer()
    verkenning = VerkenningFactory(verkenners=[verkenner])
    verkenning.programme.coordinators.add(boss)
    design = TrainingDesignFactory(verkenning=verkenning)
    services.training_design_convert_to_training(design=design, actor=verkenner)

    entries = training_selectors.calendar_sessions(
        user=boss,
        start=design.first_session_starts_at - timedelta(days=1),
        end=design.first_session_starts_at + timedelta(days=1),
        status=RunStatus.DRAFT,
    )
    assert [(e.title, e.is_draft) for e in entries] == [(design.title, True)]
    # A participant does not see the draft.
    assert not training_selectors.calendar_sessions(
        user=UserFactory(),
        start=design.first_session_starts_at - timedelta(days=1),
        end=design.first_session_starts_at + timedelta(days=1),
    )


def test_another_provider_can_be_chosen_while_the_audience_stays_the_organisation():
    verkenner = trainer()
    verkenning = VerkenningFactory(verkenners=[verkenner])
    bureau = Organisation.objects.create(name="Bureau RVS", kind="bureau_rvs")
    design = TrainingDesignFactory(verkenning=verkenning, provider=bureau)
    training = services.training_design_convert_to_training(design=design, actor=verkenner)
    assert training.provider == bureau
    assert list(training.audience_organisations.all()) == [verkenning.organisation]


def test_a_design_is_converted_only_once():
    verkenner = trainer()
    design = TrainingDesignFactory(verkenning=VerkenningFactory(verkenners=[verkenner]))
    services.training_design_convert_to_training(design=design, actor=verkenner)
    with pytest.raises(ValidationError) as error:
        services.training_design_convert_to_training(design=design, actor=verkenner)
    assert "al omgezet" in str(error.value)
    assert Training.objects.count() == 1


def test_a_design_without_a_first_session_is_refused_with_what_is_missing():
    verkenner = trainer()
    design = TrainingDesignFactory(
        verkenning=VerkenningFactory(verkenners=[verkenner]),
        location="",
        first_session_starts_at=None,
        first_session_ends_at=None,
    )
    with pytest.raises(ValidationError) as error:
        services.training_design_convert_to_training(design=design, actor=verkenner)
    assert "locatie" in str(error.value) and "eerste bijeenkomst" in str(error.value)
    assert not Training.objects.exists()


def test_a_first_session_in_the_past_is_refused():
    verkenner = trainer()
    start = timezone.now() - timedelta(days=2)
    design = TrainingDesignFactory(
        verkenning=VerkenningFactory(verkenners=[verkenner]),
        first_session_starts_at=start,
        first_session_ends_at=start + timedelta(hours=2),
    )
    with pytest.raises(ValidationError):
        services.training_design_convert_to_training(design=design, actor=verkenner)
    assert not Training.objects.exists() and not Run.objects.exists()


def test_someone_outside_the_verkenning_cannot_convert_it():
    design = TrainingDesignFactory()
    with pytest.raises(PermissionDenied):
        services.training_design_convert_to_training(design=design, actor=trainer())
    assert not Training.objects.exists()


# --- the werkplaats ---------------------------------------------------------------------------


def test_a_design_becomes_a_werkplaats_for_the_verkennings_organisation_and_programme():
    verkenner = trainer()
    colleague = trainer(full_name="Bea Begeleider")
    verkenning = VerkenningFactory(verkenners=[verkenner])
    design = TrainingDesignFactory(verkenning=verkenning, target_groups="Wijkteams en Veiligheid")
    design.themes.set([theme("AVG"), theme("werkdruk")])
    design.trainers.set([colleague])

    werkplaats = services.training_design_convert_to_werkplaats(design=design, actor=verkenner)

    assert werkplaats.title == design.title
    assert werkplaats.organisation == verkenning.organisation
    assert werkplaats.programme == verkenning.programme
    assert design.description in werkplaats.description
    assert "Wijkteams en Veiligheid" in werkplaats.description
    assert "AVG, werkdruk" in werkplaats.description
    assert werkplaats.created_by == verkenner
    assert set(werkplaats.facilitators.all()) == {verkenner, colleague}
    # Not started: nobody takes part yet and there are no groups.
    assert not Participation.objects.filter(werkplaats=werkplaats).exists()
    assert not werkplaats.groups.exists()
    design.refresh_from_db()
    assert design.werkplaats == werkplaats
    assert werkplaats.verkenning_design == design
    # A design can become a werkplaats without becoming a training.
    assert design.training is None and not Training.objects.exists()


def test_the_werkplaats_sessions_start_at_the_first_session_the_chosen_weeks_apart():
    verkenner = trainer()
    design = TrainingDesignFactory(
        verkenning=VerkenningFactory(verkenners=[verkenner]),
        werkplaats_session_count=4,
        werkplaats_weeks_between_sessions=3,
    )

    werkplaats = services.training_design_convert_to_werkplaats(design=design, actor=verkenner)

    sessions = list(Session.objects.filter(werkplaats=werkplaats).order_by("starts_at"))
    first = timezone.localtime(design.first_session_starts_at)
    assert [timezone.localtime(s.starts_at).date() for s in sessions] == [
        (first + timedelta(weeks=3 * i)).date() for i in range(4)
    ]
    assert {timezone.localtime(s.starts_at).time() for s in sessions} == {first.time()}
    assert {s.ends_at - s.starts_at for s in sessions} == {timedelta(hours=3)}
    assert {s.location for s in sessions} == {"Stadskantoor, zaal 3"}
    assert {s.length for s in sessions} == {SessionLength.DAGDEEL}


def test_a_session_longer_than_a_dagdeel_makes_day_sessions():
    verkenner = trainer()
    start = (timezone.now() + timedelta(days=20)).replace(minute=0, second=0, microsecond=0)
    design = TrainingDesignFactory(
        verkenning=VerkenningFactory(verkenners=[verkenner]),
        first_session_starts_at=start,
        first_session_ends_at=start + timedelta(hours=7),
        werkplaats_session_count=2,
    )
    werkplaats = services.training_design_convert_to_werkplaats(design=design, actor=verkenner)
    assert set(werkplaats.sessions.values_list("length", flat=True)) == {SessionLength.DAG}


def test_werkplaats_sessions_keep_their_clock_time_across_summer_time():
    verkenner = trainer()
    # Summer time starts on the last Sunday of March: 20 March and 3 April lie either side.
    start = timezone.make_aware(datetime(timezone.localdate().year + 1, 3, 20, 9, 0))
    design = TrainingDesignFactory(
        verkenning=VerkenningFactory(verkenners=[verkenner]),
        first_session_starts_at=start,
        first_session_ends_at=start + timedelta(hours=4),
        werkplaats_session_count=2,
        werkplaats_weeks_between_sessions=2,
    )
    werkplaats = services.training_design_convert_to_werkplaats(design=design, actor=verkenner)
    second = timezone.localtime(werkplaats.sessions.order_by("starts_at").last().starts_at)
    assert (second.month, second.day, second.hour, second.minute) == (4, 3, 9, 0)


def test_without_chosen_trainers_whoever_converts_facilitates_the_werkplaats():
    boss = coordinator()
    verkenning = VerkenningFactory(verkenners=[trainer()])
    verkenning.programme.coordinators.add(boss)
    design = TrainingDesignFactory(verkenning=verkenning)

    werkplaats = services.training_design_convert_to_werkplaats(design=design, actor=boss)

    assert list(werkplaats.facilitators.all()) == [boss]
    assert werkplaats_permissions.can_manage(boss, werkplaats)


def test_a_design_can_become_both_a_training_and_a_werkplaats():
    verkenner = trainer()
    design = TrainingDesignFactory(verkenning=VerkenningFactory(verkenners=[verkenner]))
    training = services.training_design_convert_to_training(design=design, actor=verkenner)
    werkplaats = services.training_design_convert_to_werkplaats(design=design, actor=verkenner)
    design.refresh_from_db()
    assert (design.training, design.werkplaats) == (training, werkplaats)


def _nothing_made(design) -> bool:
    design.refresh_from_db()
    return (
        design.werkplaats_id is None
        and not Werkplaats.objects.exists()
        and not Session.objects.exists()
    )


def test_a_design_becomes_a_werkplaats_only_once():
    verkenner = trainer()
    design = TrainingDesignFactory(verkenning=VerkenningFactory(verkenners=[verkenner]))
    werkplaats = services.training_design_convert_to_werkplaats(design=design, actor=verkenner)
    with pytest.raises(ValidationError) as error:
        services.training_design_convert_to_werkplaats(design=design, actor=verkenner)
    assert "al omgezet in een werkplaats" in str(error.value)
    assert list(Werkplaats.objects.all()) == [werkplaats]
    assert Session.objects.count() == design.werkplaats_session_count


def test_a_werkplaats_needs_a_location_and_a_first_session():
    verkenner = trainer()
    design = TrainingDesignFactory(
        verkenning=VerkenningFactory(verkenners=[verkenner]),
        location="  ",
        first_session_starts_at=None,
        first_session_ends_at=None,
    )
    with pytest.raises(ValidationError) as error:
        services.training_design_convert_to_werkplaats(design=design, actor=verkenner)
    message = str(error.value)
    assert "Vul eerst in: locatie" in message and "eerste bijeenkomst" in message
    assert _nothing_made(design)


def test_a_werkplaats_starting_in_the_past_is_refused():
    verkenner = trainer()
    start = timezone.now() - timedelta(days=1)
    design = TrainingDesignFactory(
        verkenning=VerkenningFactory(verkenners=[verkenner]),
        first_session_starts_at=start,
        first_session_ends_at=start + timedelta(hours=3),
    )
    with pytest.raises(ValidationError) as error:
        services.training_design_convert_to_werkplaats(design=design, actor=verkenner)
    assert "in het verleden" in str(error.value)
    assert _nothing_made(design)


@pytest.mark.parametrize("outsider", [trainer, coordinator, UserFactory])
def test_someone_outside_the_verkenning_cannot_make_it_a_werkplaats(outsider):
    design = TrainingDesignFactory(verkenning=VerkenningFactory(verkenners=[trainer()]))
    with pytest.raises(PermissionDenied):
        services.training_design_convert_to_werkplaats(design=design, actor=outsider())
    assert _nothing_made(design)


def test_a_verkenner_who_is_no_longer_trainer_or_coordinator_cannot_start_a_werkplaats():
    former = UserFactory()
    design = TrainingDesignFactory(verkenning=VerkenningFactory(verkenners=[former]))
    with pytest.raises(PermissionDenied):
        services.training_design_convert_to_werkplaats(design=design, actor=former)
    assert _nothing_made(design)


# --- the werkplaats, through the pages --------------------------------------------------------


def test_the_button_makes_the_werkplaats_and_opens_it_linked_to_the_verkenning(client):
    verkenner = trainer()
    verkenning = VerkenningFactory(verkenners=[verkenner])
    design = TrainingDesignFactory(verkenning=verkenning, werkplaats_session_count=2)
    client.force_login(verkenner)
    design_url = reverse("verkenning:design", args=[verkenning.pk])
    assert "Maak er een werkplaats van" in client.get(design_url).content.decode()

    response = client.post(reverse("verkenning:design_werkplaats", args=[verkenning.pk]))

    werkplaats = Werkplaats.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("werkplaats:detail", args=[werkplaats.pk])
    page = client.get(response["Location"]).content.decode()
    assert "met 2 geplande sessies" in page
    assert "Voortgekomen uit verkenning" in page
    assert reverse("verkenning:detail", args=[verkenning.pk]) in page
    design_page = client.get(design_url).content.decode()
    assert "Maak er een werkplaats van" not in design_page
    assert reverse("werkplaats:detail", args=[werkplaats.pk]) in design_page
    design.refresh_from_db()
    assert design.werkplaats == werkplaats


def test_a_refused_conversion_returns_to_the_design_with_the_reason(client):
    verkenner = trainer()
    verkenning = VerkenningFactory(verkenners=[verkenner])
    design = TrainingDesignFactory(verkenning=verkenning, location="")
    client.force_login(verkenner)

    response = client.post(
        reverse("verkenning:design_werkplaats", args=[verkenning.pk]), follow=True
    )

    assert response.redirect_chain == [(reverse("verkenning:design", args=[verkenning.pk]), 302)]
    assert "Vul eerst in: locatie" in response.content.decode()
    assert _nothing_made(design)


def test_without_a_saved_design_there_is_nothing_to_convert(client):
    verkenner = trainer()
    verkenning = VerkenningFactory(verkenners=[verkenner])
    client.force_login(verkenner)
    response = client.post(
        reverse("verkenning:design_werkplaats", args=[verkenning.pk]), follow=True
    )
    assert "Sla eerst een trainingsopzet op." in response.content.decode()
    assert not Werkplaats.objects.exists()


def test_participants_of_the_werkplaats_are_not_told_about_the_verkenning(client):
    verkenner = trainer()
    verkenning = VerkenningFactory(verkenners=[verkenner], title="Verkenning Wijk Zuid")
    design = TrainingDesignFactory(verkenning=verkenning)
    werkplaats = services.training_design_convert_to_werkplaats(design=design, actor=verkenner)
    participant = UserFactory()
    Participation.objects.create(werkplaats=werkplaats, user=participant)
    # A facilitator who was not a verkenner does not see it either.
    colleague = trainer()
    werkplaats.facilitators.add(colleague)
    url = reverse("werkplaats:detail", args=[werkplaats.pk])

    for outsider in (participant, colleague):
        client.force_login(outsider)
        page = client.get(url).content.decode()
        assert "Voortgekomen uit verkenning" not in page
        assert "Verkenning Wijk Zuid" not in page

    client.force_login(verkenner)
    assert "Verkenning Wijk Zuid" in client.get(url).content.decode()


@pytest.mark.parametrize("sessions", [2, 12])
@pytest.mark.parametrize("who", ["verkenner", "coordinator"])
def test_the_werkplaats_page_of_a_converted_design_needs_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, sessions, who
):
    people = {"verkenner": trainer(), "coordinator": coordinator()}
    verkenning = VerkenningFactory(verkenners=[people["verkenner"]])
    verkenning.programme.coordinators.add(people["coordinator"])
    design = TrainingDesignFactory(verkenning=verkenning, werkplaats_session_count=sessions)
    werkplaats = services.training_design_convert_to_werkplaats(design=design, actor=people[who])
    client.force_login(people[who])

    # As many with 2 sessions as with 12; the origin costs at most the verkenner check.
    with django_assert_max_num_queries(15):
        response = client.get(reverse("werkplaats:detail", args=[werkplaats.pk]))

    assert response.status_code == 200
    assert verkenning.title in response.content.decode()
