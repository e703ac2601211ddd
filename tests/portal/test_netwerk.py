"""The netwerk: who is findable, to whom, with which fields, and what revoking does."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from portal import network, selectors, services
from portal.models import Discipline, NetworkConsentEvent, NetworkProfile, Organisation
from tests.portal.factories import (
    OrganisationFactory,
    UserFactory,
    add_totp,
    contact_person,
    findable,
    force_login_with_mfa,
)
from tests.signalen.factories import CategoryFactory
from tests.trainings.factories import EnrolmentFactory, ProgrammeFactory, enrol, past_run
from tests.verkenning.factories import VerkenningFactory
from tests.werkplaats.factories import ParticipationFactory, SessionFactory, WerkplaatsFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def belastingdienst():
    return OrganisationFactory(name="Belastingdienst", kind=Organisation.Kind.BELASTINGDIENST)


@pytest.fixture
def world(belastingdienst):
    """Me and three others in one past run: Anna findable, Bram not, Cas findable elsewhere."""
    programme = ProgrammeFactory()
    me = UserFactory(full_name="Mirjam Mij")
    anna = UserFactory(full_name="Anna Akkerman", organisation=belastingdienst)
    bram = UserFactory(full_name="Bram Bos", organisation=belastingdienst)
    run = past_run(programme)
    enrol(run, me, anna, bram)
    # Cas takes part in the same programme (a later run) but never met me.
    cas = UserFactory(full_name="Cas Claassen", organisation=belastingdienst)
    enrol(past_run(programme, title="Hoe werkt de politie?", days_ago=-20), cas)
    # Dirk met nobody and is in another programme: an outsider.
    dirk = UserFactory(full_name="Dirk Dekker", organisation=belastingdienst)
    enrol(past_run(ProgrammeFactory(), title="Elders"), dirk)
    for person in (anna, cas, dirk):
        findable(person)
    return {"me": me, "anna": anna, "bram": bram, "cas": cas, "dirk": dirk, "run": run}


def names(people):
    return {p.name for p in people}


def search(user, **filters):
    found, _more = selectors.network_search(user=user, **filters)
    return names(found)


# --- the visibility matrix ------------------------------------------------------------------


def test_nobody_is_findable_by_default():
    person = UserFactory()
    assert selectors.network_profile_of(user=person).findable is False
    assert not NetworkProfile.objects.filter(findable=True).exists()


def test_met_lists_only_consenting_people_i_met_with_where(world):
    met = selectors.network_met(user=world["me"])
    assert names(met) == {"Anna Akkerman"}
    (anna,) = met
    assert anna.meetings[0].place.startswith("Hoe werkt de gemeente?, ")
    # Anna's side: I am not findable, so she does not see me though we met.
    assert selectors.network_met(user=world["anna"]) == []


def test_search_by_organisation_reaches_programme_participants_not_outsiders(
    world, belastingdienst
):
    assert search(world["me"], organisation=belastingdienst) == {"Anna Akkerman", "Cas Claassen"}
    # The outsider shares no programme with me, and does not find me or Anna.
    findable(world["me"])
    assert search(world["dirk"], organisation=None) == set()


def test_a_programme_is_shared_through_every_app_and_only_where_it_took_place(belastingdienst):
    programme = ProgrammeFactory()

    def person(name):
        someone = UserFactory(full_name=name, organisation=belastingdienst)
        findable(someone)
        return someone

    # I take part in the programme through a werkplaats alone, and met nobody.
    me = UserFactory()
    ParticipationFactory(werkplaats=WerkplaatsFactory(programme=programme), user=me)
    assert network.programmes_of(me.pk) == {programme.pk}
    assert network.acquaintances(me.pk) == ({}, frozenset({programme.pk}))
    # Each way of taking part in the programme, in each app.
    past_run(programme, days_ago=-10).trainers.add(person("Tom Trainer"))
    enrol(past_run(programme, days_ago=-5), person("Eef Ingeschreven"))
    WerkplaatsFactory(programme=programme, facilitators=[person("Fien Facilitator")])
    ParticipationFactory(
        werkplaats=WerkplaatsFactory(programme=programme), user=person("Pim Deelnemer")
    )
    VerkenningFactory(programme=programme, verkenners=[person("Vik Verkenner")])
    # Not taking part: a cancelled or draft run, the waiting list, another programme.
    enrol(past_run(programme, status="cancelled"), person("Cor Geannuleerd"))
    enrol(past_run(programme, status="draft"), person("Dirk Concept"))
    EnrolmentFactory(
        run=past_run(programme), participant=person("Wim Wachtlijst"), status="waitlisted"
    )
    ParticipationFactory(
        werkplaats=WerkplaatsFactory(programme=ProgrammeFactory()), user=person("Els Elders")
    )
    assert search(me, organisation=belastingdienst) == {
        "Tom Trainer",
        "Eef Ingeschreven",
        "Fien Facilitator",
        "Pim Deelnemer",
        "Vik Verkenner",
    }
    # A verkenner's programme is theirs too.
    verkenner = UserFactory()
    VerkenningFactory(programme=programme, verkenners=[verkenner])
    assert network.programmes_of(verkenner.pk) == {programme.pk}
    assert "Pim Deelnemer" in search(verkenner, organisation=belastingdienst)


def test_search_counts_the_organisations_under_the_one_chosen(world, belastingdienst):
    team = OrganisationFactory(name="Team Ondermijning Noord", parent=belastingdienst)
    eva = UserFactory(full_name="Eva Eland", organisation=team)
    enrol(world["run"], eva)
    findable(eva)
    assert "Eva Eland" in search(world["me"], organisation=belastingdienst)
    assert search(world["me"], organisation=team) == {"Eva Eland"}


def test_a_hidden_field_is_never_searched_nor_shown(world):
    anna = world["anna"]
    anna.job_title, anna.department = "Fraudespecialist", "Toezicht Zuid"
    anna.save()
    findable(anna, show_job_title=False, show_department=False, show_discipline=False)
    assert search(world["me"], text="Fraude") == set()
    assert search(world["me"], text="Toezicht") == set()
    assert search(world["me"], discipline=Discipline.SOCIAAL_DOMEIN) == {"Cas Claassen"}
    page = selectors.network_person(user=world["me"], pk=anna.pk)
    assert (page.job_title, page.department, page.discipline, page.email) == ("", "", "", "")

    findable(anna, show_job_title=True, show_email=True, ask_me_about="Bibob en vastgoed")
    assert search(world["me"], text="fraude") == {"Anna Akkerman"}
    assert search(world["me"], text="bibob") == {"Anna Akkerman"}
    page = selectors.network_person(user=world["me"], pk=anna.pk)
    assert (page.job_title, page.email) == ("Fraudespecialist", anna.email)


def test_profile_page_of_a_non_consenting_or_unknown_person_is_a_404(world, client):
    client.force_login(world["me"])
    for person in ("bram", "dirk"):  # met but not findable; findable but a stranger
        url = reverse("network_person", args=[world[person].pk])
        assert client.get(url).status_code == 404
    assert client.get(reverse("network_person", args=[world["anna"].pk])).status_code == 200
    assert client.get(reverse("network_person", args=[world["cas"].pk])).status_code == 200
    assert client.get(reverse("network_person", args=[999_999])).status_code == 404


def test_my_own_page_shows_what_others_would_see_even_before_consent(client):
    me = UserFactory(full_name="Mirjam Mij", job_title="Wijkregisseur")
    client.force_login(me)
    page = client.get(reverse("network_person", args=[me.pk])).content.decode()
    assert "Mirjam Mij" in page and "Wijkregisseur" in page
    assert "Jij bent niet vindbaar" in client.get(reverse("network")).content.decode()


def test_the_page_says_whether_i_am_findable_from_the_next_request_on(client):
    me = UserFactory(full_name="Mirjam Mij")
    client.force_login(me)
    findable(me)
    assert "Jij bent vindbaar in het netwerk." in client.get(reverse("network")).content.decode()
    services.network_consent_revoke(user=me)
    assert "Jij bent niet vindbaar" in client.get(reverse("network")).content.decode()


def test_a_discipline_is_named_in_the_reader_s_language(world):
    world["anna"].discipline = Discipline.JURIDISCH
    world["anna"].save()
    for language, label in (("nl", "Juridisch / vervolging"), ("en", "Legal / prosecution")):
        with translation.override(language):
            (anna,) = [
                p for p in selectors.network_met(user=world["me"]) if p.name == "Anna Akkerman"
            ]
        assert anna.discipline == label


def test_a_bad_search_is_refused_with_a_message(world, client):
    client.force_login(world["me"])
    response = client.get(reverse("network") + "?organisatie=abc&discipline=geen")
    assert response.status_code == 200
    assert response.context["results"] is None
    assert response.context["form"].errors.keys() == {"organisatie", "discipline"}


def test_a_non_consenting_person_appears_nowhere(world, client, belastingdienst):
    bram = world["bram"]
    bram.job_title = "Unieke functie Bram"
    bram.save()
    contact = contact_person(organisation=belastingdienst, full_name="Bram Bos de Tweede")
    enrol(world["run"], contact)  # a contact person I met, who never consented
    client.force_login(world["me"])
    pages = [
        reverse("network"),
        reverse("network") + f"?organisatie={belastingdienst.pk}",
        reverse("network") + "?rol=Unieke",
        reverse("signalen:report"),
    ]
    for url in pages:
        content = client.get(url).content.decode()
        assert "Bram Bos" not in content, url
        assert "Unieke functie" not in content, url
    assert (
        selectors.network_contact_persons_met(
            user=world["me"], organisation_ids=[belastingdienst.pk]
        )
        == []
    )


def test_revoking_removes_a_person_everywhere_in_one_step(world, client, belastingdienst):
    CategoryFactory()
    anna = world["anna"]
    services.role_assign(user=anna, role="contact_person", organisation=belastingdienst)
    client.force_login(world["me"])
    person_url = reverse("network_person", args=[anna.pk])
    search_url = reverse("network") + f"?organisatie={belastingdienst.pk}"
    for url in (reverse("network"), search_url, reverse("signalen:report"), person_url):
        assert "Anna Akkerman" in client.get(url).content.decode(), url
    report = client.get(reverse("signalen:report")).content.decode()
    assert "Je ontmoette Anna Akkerman bij Hoe werkt de gemeente?" in report

    # Anna, now a contact person, revokes in her own browser (with her second factor).
    add_totp(anna)
    anna_client = Client()
    force_login_with_mfa(anna_client, anna)
    response = anna_client.post(reverse("network_revoke"))
    assert response.status_code == 302 and response["Location"] == reverse("network_settings")
    assert NetworkProfile.objects.get(user=anna).findable is False

    for url in (reverse("network"), search_url, reverse("signalen:report")):
        assert "Anna Akkerman" not in client.get(url).content.decode(), url
    assert client.get(person_url).status_code == 404


# --- consent and its history ----------------------------------------------------------------


def test_consent_history_records_given_changed_revoked_with_the_text_version():
    person = UserFactory()
    findable(person)
    findable(person)  # the same choices again: nothing new to record
    findable(person, show_email=True, phone="06 1234 5678")
    services.network_consent_revoke(user=person)
    services.network_consent_revoke(user=person)  # already revoked: nothing to record
    history = list(selectors.network_consent_history(user=person))
    actions = [event.action for event in reversed(history)]
    assert actions == [
        NetworkConsentEvent.Action.GIVEN,
        NetworkConsentEvent.Action.CHANGED,
        NetworkConsentEvent.Action.REVOKED,
    ]
    assert {event.consent_version for event in history} == {network.CONSENT_VERSION}
    assert "show_email" in history[1].shown and "phone" in history[1].shown
    profile = NetworkProfile.objects.get(user=person)
    assert profile.findable is False and profile.revoked_at is not None
    # Giving consent again is a new line; the earlier ones stay.
    findable(person)
    assert NetworkConsentEvent.objects.filter(user=person).count() == 4


def test_the_admin_shows_the_consent_history_and_cannot_change_it(client):
    person = UserFactory(full_name="Hanna Historie")
    findable(person)
    superuser = UserFactory(is_staff=True, is_superuser=True)
    add_totp(superuser)
    force_login_with_mfa(client, superuser)
    changelist = reverse("admin:portal_networkconsentevent_changelist")
    assert "Hanna Historie" in client.get(changelist).content.decode()
    assert client.get(reverse("admin:portal_networkconsentevent_add")).status_code == 403
    event = NetworkConsentEvent.objects.get(user=person)
    delete = reverse("admin:portal_networkconsentevent_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert NetworkConsentEvent.objects.filter(pk=event.pk).exists()


def test_settings_page_gives_and_revokes_consent(client):
    person = UserFactory()
    client.force_login(person)
    page = client.get(reverse("network_settings")).content.decode()
    assert "Wat vindbaar zijn betekent" in page and network.CONSENT_VERSION in page
    data = {"findable": "on", "show_job_title": "on", "phone": "", "ask_me_about": "Horeca"}
    assert client.post(reverse("network_settings"), data).status_code == 302
    profile = NetworkProfile.objects.get(user=person)
    assert profile.findable and profile.show_job_title and not profile.show_discipline
    assert profile.consent_version == network.CONSENT_VERSION
    page = client.get(reverse("network_settings")).content.decode()
    assert "Toestemming gegeven" in page

    assert client.post(reverse("network_settings"), {"phone": ""}).status_code == 302
    assert NetworkProfile.objects.get(user=person).findable is False
    assert "Toestemming ingetrokken" in client.get(reverse("network_settings")).content.decode()


def test_a_bad_phone_number_changes_nothing(client):
    person = UserFactory()
    client.force_login(person)
    response = client.post(reverse("network_settings"), {"findable": "on", "phone": "bel me!"})
    assert response.status_code == 200
    assert "telefoonnummer" in response.content.decode()
    assert not NetworkProfile.objects.filter(user=person, findable=True).exists()
    assert not NetworkConsentEvent.objects.filter(user=person).exists()


def test_findable_requires_recorded_consent_in_the_database():
    person = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        NetworkProfile.objects.create(user=person, findable=True)


# --- who met whom, through each app ---------------------------------------------------------


def test_trainers_meet_their_participants_but_a_future_or_cancelled_run_meets_nobody():
    me, teacher = UserFactory(), UserFactory(full_name="Tineke Trainer")
    run = past_run()
    run.trainers.add(teacher)
    enrol(run, me)
    findable(teacher)
    assert names(selectors.network_met(user=me)) == {"Tineke Trainer"}

    other, later = UserFactory(), UserFactory(full_name="Later Lotte")
    enrol(past_run(days_ago=-10), other, later)
    cancelled = past_run(status="cancelled")
    enrol(cancelled, other, UserFactory(full_name="Geannuleerd"))
    findable(later)
    assert selectors.network_met(user=other) == []


def test_werkplaats_and_verkenning_meetings(world):
    me = world["me"]
    facilitator = UserFactory(full_name="Fenna Facilitator")
    werkplaats = WerkplaatsFactory(title="Samen signaleren", facilitators=[facilitator])
    ParticipationFactory(werkplaats=werkplaats, user=me)
    SessionFactory(werkplaats=werkplaats, starts_at=timezone.now() - timedelta(days=3))
    colleague = UserFactory(full_name="Vera Verkenner")
    VerkenningFactory(title="Sociaal domein Kruipstad", verkenners=[me, colleague])
    findable(facilitator)
    findable(colleague)
    met = {p.name: p.meetings[0].place for p in selectors.network_met(user=me)}
    assert met["Fenna Facilitator"].startswith("Samen signaleren")
    assert met["Vera Verkenner"].startswith("Sociaal domein Kruipstad")
    # A werkplaats that has not begun meets nobody yet.
    later = WerkplaatsFactory(facilitators=[UserFactory(full_name="Nog Niet")])
    ParticipationFactory(werkplaats=later, user=me)
    SessionFactory(werkplaats=later)
    findable(later.facilitators.get())
    assert "Nog Niet" not in names(selectors.network_met(user=me))


def test_place_names_the_season():
    moment = timezone.make_aware(timezone.datetime(2026, 4, 14, 10))
    assert (
        network.place("Hoe werkt de gemeente?", moment) == "Hoe werkt de gemeente?, voorjaar 2026"
    )
    assert network.place("Zonder datum", None) == "Zonder datum"


# --- query counts ---------------------------------------------------------------------------


def _met_in_runs(me, count, programme):
    for number in range(count):
        run = past_run(programme, title=f"Training {number}", days_ago=10 + number)
        other = UserFactory()
        enrol(run, me, other)
        run.trainers.add(UserFactory())
        findable(other)


@pytest.mark.parametrize("runs", [1, 6])
def test_directory_and_signal_form_queries_do_not_grow_with_runs(
    runs, client, django_assert_max_num_queries
):
    me = UserFactory()
    _met_in_runs(me, runs, ProgrammeFactory())
    client.force_login(me)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("network") + "?rol=Consulent")
    assert response.context["results"] and len(response.context["met"]) == runs
    with django_assert_max_num_queries(8):
        response = client.get(reverse("signalen:report"))
    assert response.status_code == 200
    # Whom the user met, through every app, in one statement; the consent: one query.
    with django_assert_max_num_queries(2):
        assert len(selectors.network_met(user=me)) == runs


def test_query_count_is_the_same_for_one_and_many_runs():
    counts = []
    for runs in (1, 5):
        me = UserFactory()
        _met_in_runs(me, runs, ProgrammeFactory())
        with CaptureQueriesContext(connection) as captured:
            selectors.network_met(user=me)
            selectors.network_search(user=me)
            selectors.network_contact_persons_met(user=me, organisation_ids=[1])
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- paging: every person reachable, a page read whatever the volume --------------------------


def test_the_search_pages_by_name_and_names_only_people_shown(
    world, client, belastingdienst, monkeypatch
):
    monkeypatch.setattr(selectors, "NETWORK_SEARCH_LIMIT", 1)
    eva = UserFactory(full_name="Eva Eland", organisation=belastingdienst)
    enrol(past_run(world["run"].training.programme, title="Nog een"), eva)
    findable(eva)
    client.force_login(world["me"])
    url = reverse("network") + f"?organisatie={belastingdienst.pk}"

    seen, pages = [], 0
    while url and pages < 10:
        response = client.get(url)
        pages += 1
        seen += [p.name for p in response.context["results"]]
        body = response.content.decode()
        # Dirk (findable, another programme) is never shown, nor named in a link.
        assert "Dirk" not in body
        following = response.context["next_results_query"]
        url = reverse("network") + "?" + following if following else ""
        if pages > 1:
            assert "Terug naar de eerste personen" in body

    assert seen == ["Anna Akkerman", "Cas Claassen", "Eva Eland"]
    # A hand-made start is only a place in the alphabet: it shows nobody the user doesn't know.
    response = client.get(
        reverse("network") + f"?organisatie={belastingdienst.pk}&na=0&naam=B&rol="
    )
    assert [p.name for p in response.context["results"]] == ["Cas Claassen"]
    assert client.get(reverse("network") + "?na=x&naam=" + "z" * 300).status_code == 200


def test_people_met_are_paged_most_recent_first(client, monkeypatch):
    from portal import views

    monkeypatch.setattr(views, "NETWORK_MET_PAGE_SIZE", 2)
    me = UserFactory()
    programme = ProgrammeFactory()
    for number in range(5):
        other = UserFactory(full_name=f"Persoon {number}")
        enrol(past_run(programme, title=f"Training {number}", days_ago=10 + number), me, other)
        findable(other)
    client.force_login(me)

    names_by_page = [
        [p.name for p in client.get(reverse("network") + f"?ontmoet={n}").context["met"]]
        for n in (1, 2, 3, 99, "x")
    ]

    assert names_by_page == [
        ["Persoon 0", "Persoon 1"],
        ["Persoon 2", "Persoon 3"],
        ["Persoon 4"],
        ["Persoon 4"],
        ["Persoon 0", "Persoon 1"],
    ]
    response = client.get(reverse("network") + "?ontmoet=2")
    assert response.context["results"] is None  # paging the people met is not a search
    page = client.get(reverse("network")).content.decode()
    assert "ontmoet=2" in page and "5 personen, de laatst ontmoete eerst." in page


def test_the_search_and_the_met_list_read_as_many_queries_at_two_volumes(
    world, client, belastingdienst, django_assert_num_queries
):
    client.force_login(world["me"])
    url = reverse("network") + f"?organisatie={belastingdienst.pk}&ontmoet=1"
    client.get(url)
    with django_assert_num_queries(8) as small:
        client.get(url)
    programme = world["run"].training.programme
    for number in range(8):
        # Known (same programme, met in a run) and unknown (another programme) people alike.
        known = UserFactory(full_name=f"Bekende {number}", organisation=belastingdienst)
        stranger = UserFactory(full_name=f"Vreemde {number}", organisation=belastingdienst)
        enrol(past_run(programme, title=f"Run {number}"), world["me"], known)
        enrol(past_run(ProgrammeFactory(), title=f"Elders {number}"), stranger)
        findable(known)
        findable(stranger)
    with django_assert_num_queries(len(small.captured_queries)):
        response = client.get(url)
    names_found = [p.name for p in response.context["results"]]
    assert "Bekende 7" in names_found and not any(n.startswith("Vreemde") for n in names_found)
