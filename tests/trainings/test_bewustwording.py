"""The bewustwordingssessie: at most 20 places, a room that goes through netwerk, begrip,
signaal and oppakken, anonymous examples, and a live state only the room may read."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone

from portal.models import Discipline, Organisation, SubmissionKey
from tests.portal.factories import (
    OrganisationFactory,
    UserFactory,
    contact_person,
    coordinator,
    force_login_with_mfa,
    trainer,
)
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
    awareness_run,
    coordinator_of,
)
from trainings import selectors, services
from trainings.models import (
    Attendance,
    AttendanceStatus,
    AwarenessDefinition,
    AwarenessExample,
    AwarenessStep,
    EnrolmentStatus,
    Run,
    Training,
    TrainingFormat,
)

pytestmark = pytest.mark.django_db

# Session and user, the room with the person's place, the trainer role, definitions, examples.
STATE_QUERIES = 6
# The same, and the room's netwerk counts (two), the person's contact persons, messages.
ROOM_QUERIES = 10


def _room(day_offset: int = 0):
    """A bewustwordingssessie with its trainer and two participants of two partners."""
    politie = OrganisationFactory(name="Politie Test", kind=Organisation.Kind.POLITIE)
    gemeente = OrganisationFactory(name="Gemeente Test", kind=Organisation.Kind.GEMEENTE)
    run = awareness_run(day_offset=day_offset)
    teacher = trainer(organisation=politie)
    run.trainers.add(teacher)
    first = EnrolmentFactory(
        run=run,
        participant=UserFactory(organisation=gemeente, discipline=Discipline.VASTGOED),
    ).participant
    second = EnrolmentFactory(
        run=run,
        participant=UserFactory(organisation=politie, discipline=Discipline.RECHERCHE),
    ).participant
    return run, run.sessions.get(), teacher, first, second


def _url(name: str, *args) -> str:
    return reverse(f"trainings:{name}", args=args)


def _example(client, session, text: str, key: str = "sleutel-voor-een-voorbeeld-1"):
    return client.post(_url("awareness_example", session.pk), {"text": text, "example_key": key})


# --- at most 20 places -----------------------------------------------------------------------


def test_a_bewustwordingssessie_has_at_most_20_places():
    programme = ProgrammeFactory()
    boss = coordinator_of(programme)
    provider = OrganisationFactory()
    with pytest.raises(ValidationError) as refused:
        services.training_create(
            actor=boss,
            programme=programme,
            title="Bewust",
            description="Vier elementen.",
            provider=provider,
            format=TrainingFormat.AWARENESS,
            default_capacity=21,
        )
    assert "hoogstens 20" in str(refused.value.message_dict["default_capacity"])

    training = TrainingFactory(programme=programme, format=TrainingFormat.AWARENESS)
    with pytest.raises(ValidationError) as refused:
        services.run_create(
            actor=boss, training=training, capacity=25, location="Zaal",
            enrolment_closes_at=timezone.now() + timedelta(days=5),
        )  # fmt: skip
    assert "capacity" in refused.value.message_dict
    run = services.run_create(
        actor=boss, training=training, capacity=20, location="Zaal",
        enrolment_closes_at=timezone.now() + timedelta(days=5),
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.run_update(
            actor=boss, run=run, capacity=21, location="Zaal",
            enrolment_opens_at=run.enrolment_opens_at,
            enrolment_closes_at=run.enrolment_closes_at, trainers=[],
        )  # fmt: skip
    assert Run.objects.get(pk=run.pk).capacity == 20


def test_a_training_with_a_large_run_cannot_become_a_bewustwordingssessie():
    run = RunFactory(capacity=30)
    boss = coordinator_of(run.training.programme)
    training = run.training
    with pytest.raises(ValidationError) as refused:
        services.training_update(
            actor=boss, training=training, title=training.title,
            description=training.description, provider=training.provider,
            format=TrainingFormat.AWARENESS, content_goals="", personal_goals="",
            default_capacity=20, audience_organisations=[], audience_disciplines=[],
        )  # fmt: skip
    assert "30" in str(refused.value.message_dict["format"])
    assert Training.objects.get(pk=training.pk).format == TrainingFormat.TRAINING


def test_the_database_refuses_a_bewustwordingssessie_of_more_than_20():
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingFactory(format=TrainingFormat.AWARENESS, default_capacity=21)


def test_the_run_form_says_why_25_places_are_refused(client):
    training = TrainingFactory(format=TrainingFormat.AWARENESS)
    boss = coordinator()
    training.programme.coordinators.add(boss)
    force_login_with_mfa(client, boss)
    local = timezone.localtime() + timedelta(days=20)
    response = client.post(
        _url("run_create", training.pk),
        {
            "capacity": 25,
            "location": "Zaal",
            "first_starts_at": local.strftime("%Y-%m-%dT09:00"),
            "first_ends_at": local.strftime("%Y-%m-%dT12:00"),
        },
    )
    assert response.status_code == 200
    assert "hoogstens 20 plaatsen" in response.content.decode()
    assert not Run.objects.filter(training=training).exists()


# --- the four elements -----------------------------------------------------------------------


def test_the_trainer_moves_the_room_and_everyone_follows(client):
    _run, session, teacher, first, _second = _room()
    client.force_login(first)
    page = client.get(_url("awareness_room", session.pk)).content.decode()
    assert 'data-step="netwerk" aria-current="step"' in page
    assert json.loads(client.get(_url("awareness_state", session.pk)).content)["step"] == "netwerk"

    for step in (AwarenessStep.BEGRIP, AwarenessStep.SIGNAAL, AwarenessStep.OPPAKKEN):
        services.awareness_step_set(actor=teacher, session=session, step=step)
        state = json.loads(client.get(_url("awareness_state", session.pk)).content)
        assert state["step"] == step
        page = client.get(_url("awareness_room", session.pk)).content.decode()
        assert f'data-step="{step}" aria-current="step"' in page
        # Only the current element is open during the session; the others wait, hidden.
        assert f'data-element="{step}" aria-labelledby="{step}-heading">' in page
        assert page.count(" hidden>") >= 3

    client.force_login(teacher)
    response = client.post(_url("awareness_step", session.pk), {"step": "begrip"})
    assert response.status_code == 302
    assert selectors.awareness_room(user=first, session_id=session.pk).step == "begrip"


def test_only_the_trainer_moves_the_room_and_only_to_one_of_the_four():
    _run, session, teacher, first, _second = _room()
    with pytest.raises(PermissionDenied):
        services.awareness_step_set(actor=first, session=session, step=AwarenessStep.SIGNAAL)
    with pytest.raises(ValidationError):
        services.awareness_step_set(actor=teacher, session=session, step="afsluiten")
    assert selectors.awareness_room(user=first, session_id=session.pk).step == "netwerk"


def test_a_participant_posting_a_step_gets_a_404_and_changes_nothing(client):
    _run, session, _teacher, first, _second = _room()
    client.force_login(first)
    assert client.post(_url("awareness_step", session.pk), {"step": "oppakken"}).status_code == 404
    assert selectors.awareness_room(user=first, session_id=session.pk).step == "netwerk"


def test_the_room_does_not_move_before_the_day_of_the_session():
    _run, session, teacher, _first, _second = _room(day_offset=3)
    with pytest.raises(ValidationError):
        services.awareness_step_set(actor=teacher, session=session, step=AwarenessStep.BEGRIP)


def test_netwerk_counts_who_is_in_the_room_by_partner_and_discipline(client):
    run, session, teacher, first, second = _room()
    absent = EnrolmentFactory(run=run, participant=UserFactory(organisation=first.organisation))
    Attendance.objects.create(enrolment=absent, session=session, status=AttendanceStatus.ABSENT)
    EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED)

    network = selectors.awareness_network(session=session)

    assert network.total == 2
    assert sorted(network.organisations) == [("Gemeente Test", 1), ("Politie Test", 1)]
    assert sorted(network.disciplines) == [("Recherche", 1), ("Vastgoed", 1)]
    client.force_login(first)
    page = client.get(_url("awareness_room", session.pk)).content.decode()
    assert "2 deelnemers" in page and "Gemeente Test" in page
    assert second.full_name not in page  # counts, not a list of names


def test_begrip_the_trainer_writes_the_groups_definitions_a_group_again_replaces_it(client):
    _run, session, teacher, first, _second = _room()
    client.force_login(teacher)
    response = client.post(
        _url("awareness_definition", session.pk),
        {"group": "Groep 1", "text": "Misbruik van de bovenwereld door de onderwereld."},
    )
    assert response.status_code == 302
    services.awareness_definition_save(
        actor=teacher, session=session, group="Groep 2", text="Criminelen die ons gebruiken."
    )
    services.awareness_definition_save(
        actor=teacher, session=session, group="Groep 1", text="Onderwereld in de bovenwereld."
    )

    client.force_login(first)
    state = json.loads(client.get(_url("awareness_state", session.pk)).content)
    assert [(d["group"], d["text"]) for d in state["definitions"]] == [
        ("Groep 1", "Onderwereld in de bovenwereld."),
        ("Groep 2", "Criminelen die ons gebruiken."),
    ]
    assert (
        "Criminelen die ons gebruiken."
        in client.get(_url("awareness_room", session.pk)).content.decode()
    )
    with pytest.raises(PermissionDenied):
        services.awareness_definition_save(actor=first, session=session, group="3", text="Ik")
    with pytest.raises(ValidationError):
        services.awareness_definition_save(actor=teacher, session=session, group="3", text=" ")
    assert AwarenessDefinition.objects.count() == 2


# --- signaal: anonymous examples -------------------------------------------------------------


def test_an_example_is_stored_without_anything_that_points_at_its_author(client):
    _run, session, _teacher, first, _second = _room()
    client.force_login(first)
    response = _example(client, session, "Een kapper zonder klanten met een dure auto.")
    assert response.status_code == 302

    example = AwarenessExample.objects.get()
    assert example.text == "Een kapper zonder klanten met een dure auto."
    # No column of the table refers to a person or an enrolment, and none holds a moment.
    for field in AwarenessExample._meta.concrete_fields:
        assert not isinstance(field, models.DateTimeField | models.DateField), field.name
        if field.is_relation:
            assert field.related_model._meta.label == "trainings.Session", field.name
    # Nor does the portal's record of sent forms: that would say who sent something when.
    assert not SubmissionKey.objects.filter(user=first).exists()
    state = json.loads(client.get(_url("awareness_state", session.pk)).content)
    assert set(state["examples"][0]) == {"id", "text", "theme"}


def test_the_same_example_form_sent_twice_stores_one_example(client):
    _run, session, _teacher, first, second = _room()
    client.force_login(first)
    _example(client, session, "Contant betaalde huur.", key="dezelfde-sleutel-0123456789")
    _example(client, session, "Contant betaalde huur.", key="dezelfde-sleutel-0123456789")
    assert AwarenessExample.objects.count() == 1
    client.force_login(second)
    _example(client, session, "Een nagelstudio die nooit open is.", key="andere-sleutel-0123456789")
    assert AwarenessExample.objects.count() == 2


def test_examples_are_named_on_the_day_of_the_session_only():
    _run, session, _teacher, first, _second = _room(day_offset=-1)
    with pytest.raises(ValidationError):
        services.awareness_example_submit(
            participant=first, session=session, text="Te laat", submission_key="k" * 20
        )
    assert not AwarenessExample.objects.exists()


def test_a_room_takes_a_bounded_number_of_examples(monkeypatch):
    _run, session, _teacher, first, _second = _room()
    monkeypatch.setattr(services, "AWARENESS_EXAMPLES_PER_SESSION", 2)
    for n in range(2):
        services.awareness_example_submit(
            participant=first, session=session, text=f"Nr {n}", submission_key=f"sleutel-{n:020d}"
        )
    with pytest.raises(ValidationError):
        services.awareness_example_submit(
            participant=first, session=session, text="Eén te veel", submission_key="x" * 20
        )
    assert AwarenessExample.objects.count() == 2


def test_the_trainer_groups_the_examples_and_the_room_sees_them_grouped(client):
    _run, session, teacher, first, _second = _room()
    for n, text in enumerate(["Leegstaand pand met licht", "Witwassen via de kassa"]):
        services.awareness_example_submit(
            participant=first, session=session, text=text, submission_key=f"sleutel-{n:020d}"
        )
    pand, kassa = AwarenessExample.objects.order_by("pk")
    client.force_login(teacher)
    assert (
        client.post(_url("awareness_example_group", pand.pk), {"theme": "vastgoed"}).status_code
        == 302
    )
    services.awareness_example_group(actor=teacher, example=kassa, theme="geld")
    with pytest.raises(ValidationError):
        services.awareness_example_group(actor=teacher, example=kassa, theme="onzin")
    with pytest.raises(PermissionDenied):
        services.awareness_example_group(actor=first, example=kassa, theme="drugs")

    client.force_login(first)
    state = json.loads(client.get(_url("awareness_state", session.pk)).content)
    assert {e["text"]: e["theme"] for e in state["examples"]} == {
        "Leegstaand pand met licht": "vastgoed",
        "Witwassen via de kassa": "geld",
    }
    page = client.get(_url("awareness_room", session.pk)).content.decode()
    vastgoed = page.index('data-theme="vastgoed"')
    assert vastgoed < page.index("Leegstaand pand met licht") < page.index('data-theme="horeca"')
    # A participant gets no grouping forms, and a guessed grouping URL is a 404.
    assert "Indelen" not in page
    assert client.post(_url("awareness_example_group", pand.pk), {"theme": ""}).status_code == 404
    assert client.post(_url("awareness_example_remove", pand.pk)).status_code == 404

    client.force_login(teacher)
    assert client.post(_url("awareness_example_remove", kassa.pk)).status_code == 302
    assert list(AwarenessExample.objects.values_list("text", flat=True)) == [
        "Leegstaand pand met licht"
    ]


# --- who may see the room --------------------------------------------------------------------


def test_only_the_trainers_and_the_participants_with_a_place_see_and_name_examples(client):
    run, session, _teacher, first, _second = _room()
    services.awareness_example_submit(
        participant=first, session=session, text="Geheim voorbeeld", submission_key="s" * 20
    )
    waiting = EnrolmentFactory(run=run, status=EnrolmentStatus.WAITLISTED).participant
    boss = coordinator()
    run.training.programme.coordinators.add(boss)
    outsiders = [
        UserFactory(),
        waiting,
        boss,  # coordinators see the programme's counts, not the room
        trainer(),  # a trainer, but not of this run
    ]
    for outsider in outsiders:
        force_login_with_mfa(client, outsider)
        for name in ("awareness_room", "awareness_state"):
            assert client.get(_url(name, session.pk)).status_code == 404, (outsider, name)
        assert (
            _example(client, session, "Van buiten", key="buiten-sleutel-0123456789").status_code
            == 404
        )
        with pytest.raises(PermissionDenied):
            services.awareness_example_submit(
                participant=outsider, session=session, text="Van buiten", submission_key="b" * 20
            )
    assert list(AwarenessExample.objects.values_list("text", flat=True)) == ["Geheim voorbeeld"]
    client.logout()
    assert client.get(_url("awareness_state", session.pk)).status_code == 302


def test_a_session_of_another_format_has_no_room(client):
    run = RunFactory()
    person = EnrolmentFactory(run=run).participant
    client.force_login(person)
    assert client.get(_url("awareness_room", run.sessions.get().pk)).status_code == 404


def test_the_run_page_links_the_room_for_those_in_it(client):
    run, session, teacher, first, _second = _room()
    room_url = _url("awareness_room", session.pk)
    for person in (teacher, first):
        client.force_login(person)
        assert room_url in client.get(_url("run_detail", run.pk)).content.decode()
    boss = coordinator()
    run.training.programme.coordinators.add(boss)
    force_login_with_mfa(client, boss)
    assert room_url not in client.get(_url("run_detail", run.pk)).content.decode()


def test_the_live_state_and_the_room_cost_the_same_queries_for_many_rows(
    client, django_assert_num_queries
):
    _run, session, teacher, first, _second = _room()
    contact_person(organisation=first.organisation)
    client.force_login(first)
    client.get(_url("awareness_state", session.pk))  # the first request reads the login

    def fetch(name: str, queries: int):
        with django_assert_num_queries(queries):
            response = client.get(_url(name, session.pk))
        assert response.status_code == 200
        assert "no-cache" in response["Cache-Control"]

    fetch("awareness_state", STATE_QUERIES)
    fetch("awareness_room", ROOM_QUERIES)
    for n in range(30):
        services.awareness_example_submit(
            participant=first, session=session, text=f"Voorbeeld {n}", submission_key=f"k{n:030d}"
        )
        services.awareness_definition_save(
            actor=teacher, session=session, group=f"Groep {n}", text="Def"
        )
        EnrolmentFactory(
            run=session.run, participant=UserFactory(organisation=OrganisationFactory())
        )
    fetch("awareness_state", STATE_QUERIES)
    fetch("awareness_room", ROOM_QUERIES)


# --- oppakken --------------------------------------------------------------------------------


def test_oppakken_shows_each_participant_the_route_of_their_own_organisation(client):
    _run, session, _teacher, first, second = _room()
    own = contact_person(organisation=first.organisation, full_name="Fatima Contact")
    other = contact_person(organisation=second.organisation, full_name="Erik Contact")
    client.force_login(first)
    page = client.get(_url("awareness_room", session.pk)).content.decode()
    assert own.email in page and other.email not in page
    assert reverse("signalen:report") in page
    assert "0800-7000" in page and "meldmisdaadanoniem.nl" in page
    client.force_login(second)
    page = client.get(_url("awareness_room", session.pk)).content.decode()
    assert other.email in page and own.email not in page


def test_after_the_day_the_room_is_a_look_back_with_all_four_elements(client):
    _run, session, teacher, first, _second = _room(day_offset=-2)
    services.awareness_definition_save(
        actor=teacher, session=session, group="Groep 1", text="Achteraf bijgewerkt."
    )
    client.force_login(first)
    page = client.get(_url("awareness_room", session.pk)).content.decode()
    assert "Terugblik" in page and "Achteraf bijgewerkt." in page
    assert " hidden>" not in page.split('id="netwerk"')[1].split("</section>")[0][:200]
    assert "Voorbeeld noemen" not in page
