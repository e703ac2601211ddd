from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.models import Organisation
from tests.portal.factories import UserFactory, coordinator, trainer
from trainings import selectors as training_selectors
from trainings.models import Run, RunStatus, Training
from verkenning import services

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
