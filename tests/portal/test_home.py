import pytest
from django.urls import reverse

from portal import services
from tests.portal.factories import (
    OrganisationFactory,
    UserFactory,
    contact_person,
    coordinator,
    trainer,
)

pytestmark = pytest.mark.django_db


def test_anonymous_visitor_sees_the_landing_page_with_login(client):
    page = client.get(reverse("home")).content.decode()
    assert "Inloggen" in page
    assert reverse("account_login") in page


def test_coordinator_home_lists_open_invitations_and_partners(client):
    user = coordinator()
    organisation = OrganisationFactory(name="Gemeente Rivierstad")
    services.invitation_create(
        invited_by=user, email="nieuw@extern.example", organisation=organisation
    )
    client.force_login(user)
    page = client.get(reverse("home")).content.decode()
    assert "Programmacoördinatie" in page
    assert "nieuw@extern.example" in page
    assert "Gemeente Rivierstad" in page


def test_contact_person_home_lists_fellow_contact_persons_of_their_organisation_only(client):
    organisation = OrganisationFactory()
    me = contact_person(organisation=organisation)
    colleague = contact_person(organisation=organisation, full_name="Collega Contact")
    outsider = contact_person(full_name="Iemand Anders")
    client.force_login(me)
    page = client.get(reverse("home")).content.decode()
    assert "Meldpunt ondermijning" in page
    assert colleague.full_name in page
    assert outsider.full_name not in page


def test_participant_home_asks_to_complete_the_profile_and_shows_no_role_sections(client):
    client.force_login(UserFactory(job_title="", discipline=""))
    page = client.get(reverse("home")).content.decode()
    assert "Profiel aanvullen" in page
    assert "Programmacoördinatie" not in page
    assert "Meldpunt ondermijning" not in page


def test_profile_edit_saves_and_rejects_bad_input(client):
    user = UserFactory()
    client.force_login(user)
    bad = client.post(reverse("profile"), {"full_name": "", "discipline": "astrologie"})
    assert bad.status_code == 200
    user.refresh_from_db()
    assert user.full_name != ""
    good = client.post(
        reverse("profile"),
        {
            "full_name": "Nieuwe Naam",
            "job_title": "Wijkagent",
            "department": "Noord",
            "discipline": "handhaving",
        },
    )
    assert good.status_code == 302
    user.refresh_from_db()
    assert (user.full_name, user.discipline) == ("Nieuwe Naam", "handhaving")


@pytest.mark.parametrize("make_user", [UserFactory, trainer, contact_person, coordinator])
def test_home_page_query_count_does_not_grow_with_data(
    client, django_assert_max_num_queries, make_user
):
    user = make_user()
    inviter = coordinator()
    for n in range(12):
        organisation = OrganisationFactory()
        contact_person(organisation=organisation)
        services.invitation_create(
            invited_by=inviter, email=f"p{n}@x.example", organisation=organisation
        )
    client.force_login(user)
    # Each app's part of "Aandacht nodig" and "Binnenkort" is a fixed number of queries.
    with django_assert_max_num_queries(23):
        assert client.get(reverse("home")).status_code == 200


def test_partner_page_query_count_is_bounded(client, django_assert_max_num_queries):
    for _ in range(20):
        contact_person(organisation=OrganisationFactory())
    client.force_login(coordinator())
    with django_assert_max_num_queries(10):
        assert client.get(reverse("organisation_list")).status_code == 200
