"""Every verkenning page for every kind of visitor: only verkenners and coordinators of the
programme get in; everyone else gets a 404, so a guessed id does not even confirm it exists."""

import pytest
from django.urls import reverse

from tests.portal.factories import (
    UserFactory,
    add_totp,
    contact_person,
    coordinator,
    force_login_with_mfa,
    trainer,
)
from werkplaats.models import Werkplaats

from .factories import ContactFactory, InterviewFactory, TrainingDesignFactory, VerkenningFactory

pytestmark = pytest.mark.django_db

PAGES = [
    ("verkenning:detail", {}),
    ("verkenning:edit", {}),
    ("verkenning:contacts", {}),
    ("verkenning:contact_edit", {"contact_id": "contact"}),
    ("verkenning:network", {}),
    ("verkenning:interview_create", {}),
    ("verkenning:interview", {"interview_id": "interview"}),
    ("verkenning:synthesis", {}),
    ("verkenning:synthesis_export", {}),
    ("verkenning:design", {}),
]


@pytest.fixture
def world():
    verkenner = trainer(full_name="Joost Verkenner")
    boss = coordinator(full_name="Sanne Coördinator")
    verkenning = VerkenningFactory(verkenners=[verkenner])
    verkenning.programme.coordinators.add(boss)
    interview = InterviewFactory(verkenning=verkenning, verkenner=verkenner)
    TrainingDesignFactory(verkenning=verkenning)
    superuser = UserFactory(is_superuser=True, is_staff=True)
    add_totp(superuser)
    return {
        "verkenning": verkenning,
        "contact": interview.contact,
        "interview": interview,
        "verkenner": verkenner,
        "programme coordinator": boss,
        "other coordinator": coordinator(),
        "other trainer": trainer(),
        "participant": UserFactory(),
        "contact person": contact_person(),
        "superuser": superuser,
    }


def _url(world, name, extra):
    kwargs = {"verkenning_id": world["verkenning"].pk}
    kwargs.update({key: world[value].pk for key, value in extra.items()})
    return reverse(name, kwargs=kwargs)


def _login(client, user):
    force_login_with_mfa(client, user)


@pytest.mark.parametrize("name,extra", PAGES)
@pytest.mark.parametrize(
    "who,status",
    [
        ("verkenner", 200),
        ("programme coordinator", 200),
        ("other coordinator", 404),
        ("other trainer", 404),
        ("participant", 404),
        ("contact person", 404),
        ("superuser", 404),
    ],
)
def test_each_page_opens_only_for_verkenners_and_programme_coordinators(
    client, world, name, extra, who, status
):
    _login(client, world[who])
    assert client.get(_url(world, name, extra)).status_code == status


@pytest.mark.parametrize("name,extra", PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, world, name, extra):
    response = client.get(_url(world, name, extra))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    "who,status",
    [
        ("verkenner", 302),
        ("programme coordinator", 302),
        ("other coordinator", 404),
        ("participant", 404),
        ("contact person", 404),
    ],
)
def test_converting_a_design_is_closed_to_outsiders(client, world, who, status):
    _login(client, world[who])
    response = client.post(reverse("verkenning:design_convert", args=[world["verkenning"].pk]))
    assert response.status_code == status


@pytest.mark.parametrize(
    "who,status",
    [
        ("verkenner", 302),
        ("programme coordinator", 302),
        ("other coordinator", 404),
        ("other trainer", 404),
        ("participant", 404),
        ("contact person", 404),
        ("superuser", 404),
    ],
)
def test_making_a_werkplaats_of_a_design_is_closed_to_outsiders(client, world, who, status):
    _login(client, world[who])
    response = client.post(reverse("verkenning:design_werkplaats", args=[world["verkenning"].pk]))
    assert response.status_code == status
    assert Werkplaats.objects.exists() is (status == 302)


def test_a_werkplaats_verkenner_without_a_trainer_or_coordinator_role_is_refused(client, world):
    former = UserFactory()
    world["verkenning"].verkenners.add(former)
    _login(client, former)
    response = client.post(reverse("verkenning:design_werkplaats", args=[world["verkenning"].pk]))
    assert response.status_code == 403
    assert not Werkplaats.objects.exists()


@pytest.mark.parametrize("name", ["verkenning:design_convert", "verkenning:design_werkplaats"])
def test_conversion_only_answers_post(client, world, name):
    _login(client, world["verkenner"])
    url = reverse(name, args=[world["verkenning"].pk])
    assert client.get(url).status_code == 405
    assert not Werkplaats.objects.exists()


@pytest.mark.parametrize(
    "who,status",
    [
        ("verkenner", 200),
        ("programme coordinator", 200),
        ("other coordinator", 200),
        ("other trainer", 200),
        ("participant", 403),
        ("contact person", 403),
    ],
)
def test_only_coordinators_and_trainers_may_start_a_verkenning(client, world, who, status):
    _login(client, world[who])
    assert client.get(reverse("verkenning:create")).status_code == status


@pytest.mark.parametrize(
    "who,sees",
    [
        ("verkenner", True),
        ("programme coordinator", True),
        ("other coordinator", False),
        ("participant", False),
    ],
)
def test_the_list_shows_only_ones_own_verkenningen(client, world, who, sees):
    _login(client, world[who])
    response = client.get(reverse("verkenning:list"))
    assert response.status_code == 200
    assert (world["verkenning"].title in response.content.decode()) is sees


def test_a_contact_or_interview_of_another_verkenning_is_not_found_through_mine(client, world):
    _login(client, world["verkenner"])
    mine = world["verkenning"].pk
    foreign_contact = ContactFactory()
    foreign_interview = InterviewFactory()
    assert (
        client.get(reverse("verkenning:contact_edit", args=[mine, foreign_contact.pk])).status_code
        == 404
    )
    assert (
        client.get(reverse("verkenning:interview", args=[mine, foreign_interview.pk])).status_code
        == 404
    )


def test_the_menu_shows_verkenningen_to_coordinators_and_trainers_only(client, world):
    _login(client, world["other trainer"])
    assert "Verkenningen" in client.get(reverse("home")).content.decode()
    _login(client, world["participant"])
    assert "Verkenningen" not in client.get(reverse("home")).content.decode()
