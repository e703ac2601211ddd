"""Every werkplaats page for every role: who gets in, who is refused, whose guess is a 404."""

import pytest
from django.urls import reverse

from tests.werkplaats.conftest import ask_rugdekking
from tests.werkplaats.factories import OrganisationalActionFactory
from werkplaats import services

pytestmark = pytest.mark.django_db

ROLES = (
    "facilitator",
    "coordinator",
    "other_trainer",
    "participant",
    "other_participant",
    "outsider",
    "anonymous",
)
MANAGERS = {"facilitator": 200, "coordinator": 200, "participant": 403, "other_participant": 403}
VIEWERS = {"facilitator": 200, "coordinator": 200, "participant": 200, "other_participant": 200}
PARTICIPANTS = {
    "facilitator": 403,
    "coordinator": 403,
    "participant": 200,
    "other_participant": 200,
}
TRAINERS_AND_COORDINATORS = {
    "facilitator": 200,
    "coordinator": 200,
    "other_trainer": 200,
    "participant": 403,
    "other_participant": 403,
    "outsider": 403,
}
EVERYONE = dict.fromkeys(ROLES[:-1], 200)

# (url name, argument kind, expected status per role; missing roles get 404, anonymous 302)
PAGES = [
    ("list", None, EVERYONE),
    ("create", None, TRAINERS_AND_COORDINATORS),
    ("detail", "werkplaats", VIEWERS),
    ("edit", "werkplaats", MANAGERS),
    ("participants", "werkplaats", MANAGERS),
    ("groups", "werkplaats", MANAGERS),
    ("session_create", "werkplaats", MANAGERS),
    ("session_detail", "session", VIEWERS),
    ("session_edit", "session", MANAGERS),
    ("practice_log", "session", PARTICIPANTS),
    ("case_sketch_create", "session", PARTICIPANTS),
    ("case_sketch", "sketch", {"facilitator": 200, "coordinator": 200, "participant": 200}),
    ("rugdekking_create", "werkplaats", PARTICIPANTS),
    ("rugdekking_open", None, TRAINERS_AND_COORDINATORS),
    ("actions", "werkplaats", VIEWERS),
    ("action_edit", "action", MANAGERS),
]


def _url(world, name, kind):
    if kind is None:
        return reverse(f"werkplaats:{name}")
    if kind == "werkplaats":
        return reverse(f"werkplaats:{name}", args=[world.werkplaats.pk])
    if kind == "session":
        return reverse(f"werkplaats:{name}", args=[world.first.pk])
    if kind == "sketch":
        return reverse(f"werkplaats:{name}", args=[world.sketch.pk])
    action = OrganisationalActionFactory(werkplaats=world.werkplaats)
    return reverse(f"werkplaats:{name}", args=[world.werkplaats.pk, action.pk])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "kind", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_each_page_answers_each_role_as_expected(client, world, role, name, kind, expected):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    url = _url(world, name, kind)

    response = client.get(url)

    wanted = 302 if role == "anonymous" else expected.get(role, 404)
    assert response.status_code == wanted, (name, role)
    if wanted == 302:
        assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [("detail", "werkplaats"), ("groups", "werkplaats"), ("session_detail", "session")],
)
def test_a_guessed_id_that_does_not_exist_is_a_404_even_for_a_facilitator(
    client, world, name, kind
):
    client.force_login(world.facilitator)

    response = client.get(reverse(f"werkplaats:{name}", args=[999_999]))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["participant", "other_trainer", "outsider"])
def test_only_managers_can_make_groups_by_post(client, world, role):
    client.force_login(getattr(world, role))
    before = list(world.werkplaats.participations.values_list("pk", "group_id"))

    response = client.post(reverse("werkplaats:groups", args=[world.werkplaats.pk]), {"make": "1"})

    assert response.status_code in (403, 404)
    assert list(world.werkplaats.participations.values_list("pk", "group_id")) == before


def test_a_participant_sees_only_their_own_groups_logs_on_the_session_page(client, world):
    from tests.werkplaats.factories import PracticeLogFactory

    mine = world.werkplaats.participations.get(user=world.participant)
    theirs = world.werkplaats.participations.get(user=world.other_participant)
    PracticeLogFactory(participation=mine, after_session=world.first, tried="Mijn eigen poging")
    PracticeLogFactory(participation=theirs, after_session=world.first, tried="Geheim van groep 2")
    client.force_login(world.participant)

    page = client.get(reverse("werkplaats:session_detail", args=[world.first.pk])).content.decode()

    assert "Mijn eigen poging" in page
    assert "Geheim van groep 2" not in page
    assert world.other_participant.full_name not in page


def test_a_facilitator_sees_every_groups_logs_and_who_has_not_written(client, world):
    from tests.werkplaats.factories import PracticeLogFactory

    theirs = world.werkplaats.participations.get(user=world.other_participant)
    PracticeLogFactory(
        participation=theirs, after_session=world.first, tried="Geprobeerd in groep 2"
    )
    client.force_login(world.facilitator)

    page = client.get(reverse("werkplaats:session_detail", args=[world.first.pk])).content.decode()

    assert "Geprobeerd in groep 2" in page
    assert world.participant.full_name in page
    assert "Nog niets geschreven" in page


def test_a_participant_of_another_group_cannot_open_or_edit_a_case_sketch(client, world):
    client.force_login(world.other_participant)
    url = reverse("werkplaats:case_sketch", args=[world.sketch.pk])

    assert client.get(url).status_code == 404
    assert client.post(url, {"discussion": "x", "follow_up": "y"}).status_code == 404
    world.sketch.refresh_from_db()
    assert world.sketch.discussion == ""


def test_the_case_sketch_list_shows_a_participant_only_their_groups_sketches(client, world):
    client.force_login(world.other_participant)

    page = client.get(reverse("werkplaats:session_detail", args=[world.first.pk])).content.decode()

    assert world.sketch.title not in page


def test_a_manager_link_shows_only_the_request_it_was_sent_for(client, world):
    asked = ask_rugdekking(world, point="Twee uur per week voor casusoverleg met de politie.")
    services.rugdekking_request_create(
        user=world.other_participant,
        werkplaats=world.werkplaats,
        manager_name="Bert Baas",
        manager_email="bert@handhaving.example",
        point="Een andere vraag die Mira niet mag zien.",
    )
    from werkplaats.scheduling import rugdekking_token

    page = client.get(
        reverse("werkplaats:rugdekking_answer", args=[rugdekking_token(asked)])
    ).content.decode()

    assert "Twee uur per week" in page
    assert "Mira niet mag zien" not in page
    assert client.get(reverse("werkplaats:rugdekking_answer", args=["0" * 64])).status_code == 404


def test_the_open_requests_list_shows_only_the_facilitators_own_werkplaatsen(client, world):
    ask_rugdekking(world, point="Ruimte om signalen te bespreken.")
    client.force_login(world.other_trainer)
    assert "Mira Manager" not in client.get(reverse("werkplaats:rugdekking_open")).content.decode()

    client.force_login(world.facilitator)
    assert "Mira Manager" in client.get(reverse("werkplaats:rugdekking_open")).content.decode()
