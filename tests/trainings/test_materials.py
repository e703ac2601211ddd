"""Materials: files served only through the checked view, links redirected, others 404."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from tests.portal.factories import UserFactory, coordinator, trainer
from tests.trainings.factories import ProgrammeFactory, RunFactory, TrainingFactory
from trainings import services
from trainings.models import Material

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_material_root(settings, tmp_path):
    settings.TRAININGS_MATERIAL_ROOT = tmp_path / "materiaal"


@pytest.fixture
def hand_out():
    """A file of a training whose one run has one place: one person in it, one waiting."""
    programme = ProgrammeFactory(name="Materiaal programma")
    training = TrainingFactory(programme=programme)
    run = RunFactory(training=training, capacity=1)
    material = Material(training=training, title="Hand-out")
    material.file.save("hand-out.pdf", ContentFile(b"%PDF-1.4 hand-out"), save=True)
    enrolled, waiting = UserFactory(), UserFactory()
    services.enrolment_create(run=run, participant=enrolled)
    services.enrolment_create(run=run, participant=waiting)
    teacher = trainer()
    run.trainers.add(teacher)
    boss = coordinator()
    programme.coordinators.add(boss)
    return material, {"enrolled": enrolled, "waiting": waiting, "teacher": teacher, "boss": boss}


@pytest.mark.parametrize("who", ["enrolled", "teacher", "boss"])
def test_a_file_downloads_for_the_enrolled_the_trainers_and_the_coordinators(
    client, hand_out, who, django_assert_max_num_queries
):
    material, people = hand_out
    client.force_login(people[who])

    with django_assert_max_num_queries(10):
        response = client.get(reverse("trainings:material", args=[material.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 hand-out"
    assert response["Content-Disposition"] == 'attachment; filename="hand-out.pdf"'


def test_a_file_is_not_found_for_the_waiting_list_and_outsiders(client, hand_out):
    material, people = hand_out
    other_coordinator = coordinator()
    ProgrammeFactory(name="Ander programma").coordinators.add(other_coordinator)
    other_trainer = trainer()
    RunFactory().trainers.add(other_trainer)
    url = reverse("trainings:material", args=[material.pk])

    for person in [people["waiting"], UserFactory(), other_coordinator, other_trainer]:
        client.force_login(person)
        assert client.get(url).status_code == 404, person


def test_giving_up_ones_place_ends_access_to_the_materials(client, hand_out):
    material, people = hand_out
    enrolment = people["enrolled"].enrolments.get()
    services.enrolment_cancel(enrolment=enrolment, actor=people["enrolled"])
    client.force_login(people["enrolled"])

    assert client.get(reverse("trainings:material", args=[material.pk])).status_code == 404


def test_a_guessed_id_is_not_found_and_a_visitor_must_log_in(client, hand_out):
    material, people = hand_out
    response = client.get(reverse("trainings:material", args=[material.pk]))
    assert response.status_code == 302
    client.force_login(people["enrolled"])
    assert client.get(reverse("trainings:material", args=[material.pk + 999])).status_code == 404


def test_a_file_missing_from_disk_is_not_found_rather_than_an_error(client, hand_out):
    material, people = hand_out
    material.file.delete(save=False)
    Material.objects.filter(pk=material.pk).update(file="1/weg.pdf")
    client.force_login(people["enrolled"])

    assert client.get(reverse("trainings:material", args=[material.pk])).status_code == 404


def test_a_material_link_redirects_for_those_allowed_only(client):
    training = TrainingFactory()
    run = RunFactory(training=training)
    link = Material.objects.create(training=training, title="Film", url="https://example.org/f")
    person = UserFactory()
    services.enrolment_create(run=run, participant=person)
    url = reverse("trainings:material", args=[link.pk])

    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "https://example.org/f"

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_material_files_are_stored_outside_the_public_media_root(settings):
    material = Material(training=TrainingFactory(), title="Geheim")
    material.file.save("x.pdf", ContentFile(b"%PDF"), save=True)

    assert material.file.path.startswith(str(settings.TRAININGS_MATERIAL_ROOT))
    assert not material.file.path.startswith(str(settings.MEDIA_ROOT))
