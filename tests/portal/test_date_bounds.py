"""Every date the portal accepts lies between 2000 and ten years ahead: 0001-01-01 00:00
(a typo) was stored on runs and designs and broke every page that read them."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal import dates
from portal.forms import DateField, DateTimeField
from tests.portal.factories import coordinator, trainer
from tests.trainings.factories import RunFactory
from tests.verkenning.factories import TrainingDesignFactory, VerkenningFactory
from tests.werkplaats.factories import SessionFactory
from trainings.models import Run
from verkenning.models import TrainingDesign

pytestmark = pytest.mark.django_db

FAR_PAST = "0001-01-01T00:00"
FAR_FUTURE = "9999-12-31T23:59"
MESSAGE = "Kies een datum tussen 01-01-2000 en"


@pytest.mark.parametrize("value", [FAR_PAST, FAR_FUTURE, "1999-12-31T23:59"])
def test_the_kits_datetime_field_refuses_a_date_out_of_range(value):
    with pytest.raises(ValidationError) as refusal:
        DateTimeField().clean(value)
    assert MESSAGE in refusal.value.messages[0]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_the_kits_date_field_refuses_a_date_out_of_range(value):
    with pytest.raises(ValidationError):
        DateField().clean(value)


def test_the_range_ends_ten_years_ahead():
    latest = dates.latest_date()
    assert DateField().clean(latest.isoformat()) == latest
    with pytest.raises(ValidationError):
        DateField().clean((latest + timedelta(days=1)).isoformat())
    assert DateField().clean("2000-01-01") == date(2000, 1, 1)


@pytest.mark.parametrize("value", [FAR_PAST, FAR_FUTURE])
def test_a_run_with_a_date_out_of_range_is_refused_and_its_pages_keep_working(client, value):
    run = RunFactory()
    boss = coordinator()
    run.training.programme.coordinators.add(boss)
    client.force_login(boss)
    before = Run.objects.values_list("enrolment_opens_at", flat=True).get(pk=run.pk)
    response = client.post(
        reverse("trainings:run_edit", args=[run.pk]),
        {
            "capacity": 10,
            "enrolment_opens_at": value,
            "enrolment_closes_at": FAR_FUTURE,
            "location": "Zaal 1",
        },
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert Run.objects.values_list("enrolment_opens_at", flat=True).get(pk=run.pk) == before
    assert client.get(reverse("trainings:run_edit", args=[run.pk])).status_code == 200
    assert client.get(reverse("trainings:run_detail", args=[run.pk])).status_code == 200


def test_a_design_with_a_first_session_out_of_range_is_refused(client):
    verkenner = trainer()
    client.force_login(verkenner)
    verkenning = VerkenningFactory(verkenners=[verkenner])
    response = client.post(
        reverse("verkenning:design", args=[verkenning.pk]),
        {
            "title": "T",
            "description": "D",
            "format": "training",
            "provider": verkenning.organisation.pk,
            "capacity": "12",
            "first_session_starts_at": FAR_PAST,
            "first_session_ends_at": "0001-01-01T04:00",
            "werkplaats_session_count": "3",
            "werkplaats_weeks_between_sessions": "4",
        },
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not TrainingDesign.objects.exists()
    assert client.get(reverse("verkenning:design", args=[verkenning.pk])).status_code == 200


def test_models_refuse_dates_a_service_computed_out_of_range():
    far = timezone.make_aware(datetime(2999, 1, 1, 9, 0))
    session = SessionFactory.build(starts_at=far, ends_at=far + timedelta(hours=2))
    with pytest.raises(ValidationError) as refusal:
        session.clean()
    assert set(refusal.value.message_dict) == {"starts_at", "ends_at"}
    design = TrainingDesignFactory.build(first_session_starts_at=far, first_session_ends_at=None)
    with pytest.raises(ValidationError):
        design.clean()
