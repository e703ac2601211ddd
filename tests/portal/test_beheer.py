"""The beheerder's pages: who may see them, what they write, and what they refuse."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import permissions, services
from portal.models import (
    Invitation,
    Organisation,
    OrganisationEmailDomain,
    PlannedReminder,
    Programme,
    Role,
    RoleAssignment,
    RoleChange,
)
from portal.tasks import dispatch_due_reminders
from tests.portal.factories import (
    EmailDomainFactory,
    OrganisationFactory,
    UserFactory,
    add_totp,
    beheerder,
    contact_person,
    coordinator,
    force_login_with_mfa,
    trainer,
)

pytestmark = pytest.mark.django_db


def _pages():
    """Every beheer page, with the objects its URL needs, as (name, args) after setup."""
    organisation = OrganisationFactory()
    programme = Programme.objects.create(name="Werkend leren 2027")
    assignment = services.role_assign(user=UserFactory(), role=Role.TRAINER)
    review = services.role_review_open()
    return [
        ("beheer_organisation_list", []),
        ("beheer_organisation_create", []),
        ("beheer_organisation_edit", [organisation.pk]),
        ("beheer_programme_list", []),
        ("beheer_programme_create", []),
        ("beheer_programme_detail", [programme.pk]),
        ("beheer_role_list", []),
        ("beheer_role_revoke", [assignment.pk]),
        ("beheer_invitations", []),
        ("beheer_role_changes", []),
        ("beheer_role_review_list", []),
        ("beheer_role_review_detail", [review.pk]),
    ]


MAKERS = {
    "participant": UserFactory,
    "trainer": trainer,
    "coordinator": coordinator,
    "contact_person": contact_person,
}


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    for name, args in _pages():
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("account_login")), name


@pytest.mark.parametrize("role", list(MAKERS))
def test_every_other_role_is_refused_on_every_beheer_page(client, role):
    client.force_login(MAKERS[role]())
    statuses = {name: client.get(reverse(name, args=args)).status_code for name, args in _pages()}
    assert set(statuses.values()) == {403}, statuses


def test_a_beheerder_without_an_authenticator_is_sent_to_mfa_setup(client):
    client.force_login(beheerder(with_totp=False))
    for name, args in _pages():
        response = client.get(reverse(name, args=args))
        assert response.status_code == 302, name
        assert response.url == reverse("mfa_activate_totp"), name


def test_a_beheerder_sees_every_page_and_the_beheer_menu(client):
    client.force_login(beheerder())
    pages = _pages()
    statuses = {name: client.get(reverse(name, args=args)).status_code for name, args in pages}
    assert set(statuses.values()) == {200}, statuses
    home = client.get(reverse("home")).content.decode()
    assert reverse("beheer_role_review_list") in home


def test_the_beheer_menu_is_hidden_from_others(client):
    client.force_login(coordinator())
    assert reverse("beheer_role_list") not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "beheer_organisation_edit",
        "beheer_programme_detail",
        "beheer_role_revoke",
        "beheer_role_review_detail",
    ],
)
def test_a_guessed_id_is_a_404(client, name):
    client.force_login(beheerder())
    assert client.get(reverse(name, args=[987654])).status_code == 404


def test_beheerders_need_mfa_and_may_invite():
    person = beheerder()
    assert permissions.is_beheerder(person)
    assert permissions.can_administer(person)
    assert permissions.requires_mfa(person)
    assert permissions.can_invite(person)
    assert not permissions.can_administer(coordinator())


# --- organisations ---------------------------------------------------------------------------


def _counts():
    return (
        Organisation.objects.count(),
        OrganisationEmailDomain.objects.count(),
        Programme.objects.count(),
        RoleAssignment.objects.count(),
        RoleChange.objects.count(),
        Invitation.objects.count(),
    )


def test_a_beheerder_creates_an_organisation_with_domains_and_a_meldpunt(client):
    client.force_login(beheerder())
    response = client.post(
        reverse("beheer_organisation_create"),
        {
            "name": "Gemeente Voorbeeldstad",
            "kind": "gemeente",
            "domains": "voorbeeldstad.nl\n@Wijk.Voorbeeldstad.nl",
            "has_meldpunt": "on",
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Gemeente Voorbeeldstad")
    assert organisation.has_meldpunt
    assert sorted(organisation.email_domains.values_list("domain", flat=True)) == [
        "voorbeeldstad.nl",
        "wijk.voorbeeldstad.nl",
    ]


def test_editing_an_organisation_replaces_its_domains(client):
    client.force_login(beheerder())
    organisation = OrganisationFactory(name="Politie Oost")
    EmailDomainFactory(organisation=organisation, domain="oud.example")
    parent = OrganisationFactory(name="Politie Nederland", kind="politie")
    response = client.post(
        reverse("beheer_organisation_edit", args=[organisation.pk]),
        {
            "name": "Politie Oost",
            "kind": "politie",
            "parent": parent.pk,
            "domains": "nieuw.example",
        },
    )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.parent == parent
    assert list(organisation.email_domains.values_list("domain", flat=True)) == ["nieuw.example"]


@pytest.mark.parametrize(
    ("domains", "message"),
    [
        ("geen domein", "is geen geldige domeinnaam"),
        ("taken.example", "is al geregistreerd door Gemeente Elders"),
        ("dubbel.example\ndubbel.example", "staat er twee keer in"),
    ],
)
def test_bad_domains_are_refused_by_name_and_nothing_is_written(client, domains, message):
    client.force_login(beheerder())
    EmailDomainFactory(
        organisation=OrganisationFactory(name="Gemeente Elders"), domain="taken.example"
    )
    before = _counts()
    response = client.post(
        reverse("beheer_organisation_create"),
        {"name": "Gemeente Nieuw", "kind": "gemeente", "domains": domains},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _counts() == before


def test_an_organisation_cannot_be_part_of_its_own_child(client):
    client.force_login(beheerder())
    parent = OrganisationFactory(name="Regio")
    child = OrganisationFactory(name="Wijk")
    Organisation.objects.filter(pk=child.pk).update(parent=parent)
    response = client.post(
        reverse("beheer_organisation_edit", args=[parent.pk]),
        {"name": "Regio", "kind": "gemeente", "parent": child.pk},
    )
    assert "geen onderdeel van zichzelf" in response.content.decode()
    parent.refresh_from_db()
    assert parent.parent is None


def test_a_duplicate_organisation_name_is_refused(client):
    client.force_login(beheerder())
    OrganisationFactory(name="Belastingdienst")
    before = _counts()
    response = client.post(
        reverse("beheer_organisation_create"),
        {"name": "Belastingdienst", "kind": "belastingdienst"},
    )
    assert response.status_code == 200
    assert "bestaat al" in response.content.decode()
    assert _counts() == before


def test_organisation_services_refuse_anyone_but_a_beheerder():
    for actor in (coordinator(), contact_person(), UserFactory()):
        with pytest.raises(PermissionDenied):
            services.organisation_create(actor=actor, name="X", kind="gemeente")
        with pytest.raises(PermissionDenied):
            services.programme_create(actor=actor, name="Y")
    assert not Organisation.objects.filter(name="X").exists()


def test_a_participant_cannot_post_to_a_beheer_page(client):
    client.force_login(coordinator())
    before = _counts()
    response = client.post(
        reverse("beheer_organisation_create"), {"name": "Stiekem", "kind": "gemeente"}
    )
    assert response.status_code == 403
    assert _counts() == before


# --- programmes ------------------------------------------------------------------------------


def test_a_beheerder_creates_a_programme_and_names_a_coordinator_who_gets_the_role(client):
    admin = beheerder()
    client.force_login(admin)
    response = client.post(
        reverse("beheer_programme_create"),
        {"name": "Werkend leren 2027", "description": "Het eerste jaar.", "is_active": "on"},
    )
    programme = Programme.objects.get(name="Werkend leren 2027")
    assert response.url == reverse("beheer_programme_detail", args=[programme.pk])
    person = UserFactory(email="sanne@voorbeeldstad.example")
    response = client.post(
        reverse("beheer_programme_detail", args=[programme.pk]),
        {"user": "Sanne@Voorbeeldstad.example", "coordinator": "Coördinator toevoegen"},
    )
    assert response.status_code == 302
    assert list(programme.coordinators.all()) == [person]
    change = RoleChange.objects.get(subject=person)
    assert (change.actor, change.role, change.action) == (admin, Role.COORDINATOR, "granted")
    assert "Werkend leren 2027" in change.reason
    assert permissions.coordinates_programme(type(person).objects.get(pk=person.pk), programme.pk)


def test_naming_an_existing_coordinator_records_no_new_role_change(client):
    client.force_login(beheerder())
    programme = Programme.objects.create(name="P")
    person = coordinator()
    client.post(
        reverse("beheer_programme_detail", args=[programme.pk]),
        {"user": person.email, "coordinator": "1"},
    )
    assert programme.coordinators.filter(pk=person.pk).exists()
    assert not RoleChange.objects.exists()


def test_an_unknown_coordinator_address_is_refused_and_nothing_changes(client):
    client.force_login(beheerder())
    programme = Programme.objects.create(name="P")
    before = _counts()
    response = client.post(
        reverse("beheer_programme_detail", args=[programme.pk]),
        {"user": "niemand@nergens.example", "coordinator": "1"},
    )
    assert response.status_code == 200
    assert "Er is geen actief account met dit e-mailadres." in response.content.decode()
    assert _counts() == before
    assert not programme.coordinators.exists()


def test_a_programme_is_renamed_deactivated_and_a_coordinator_removed(client):
    client.force_login(beheerder())
    person = coordinator()
    programme = Programme.objects.create(name="Oud")
    programme.coordinators.add(person)
    response = client.post(
        reverse("beheer_programme_detail", args=[programme.pk]),
        {"name": "Nieuw", "description": "", "is_active": ""},
    )
    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.name, programme.is_active) == ("Nieuw", False)
    response = client.post(
        reverse("beheer_programme_coordinator_remove", args=[programme.pk, person.pk])
    )
    assert response.status_code == 302
    assert not programme.coordinators.exists()
    assert permissions.is_coordinator(person)  # the role itself stays


def test_a_programme_without_a_name_is_refused(client):
    client.force_login(beheerder())
    before = _counts()
    response = client.post(reverse("beheer_programme_create"), {"name": "", "description": "x"})
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.content.decode()
    assert _counts() == before


# --- roles -----------------------------------------------------------------------------------


def test_granting_a_role_records_it_and_mails_the_person(client):
    admin = beheerder(full_name="Bea Beheer")
    client.force_login(admin)
    person = UserFactory(full_name="Fatima el Amrani")
    response = client.post(
        reverse("beheer_role_list"),
        {
            "user": person.email,
            "role": Role.CONTACT_PERSON,
            "organisation": person.organisation_id,
            "reason": "Nieuwe ondermijningsfunctionaris",
        },
    )
    assert response.status_code == 302
    assert permissions.is_contact_person(
        type(person).objects.get(pk=person.pk), person.organisation_id
    )
    change = RoleChange.objects.get()
    assert (change.actor, change.subject, change.organisation) == (
        admin,
        person,
        person.organisation,
    )
    mail.outbox.clear()
    dispatch_due_reminders()
    [message] = mail.outbox
    assert message.to == [person.email]
    assert "Ondermijningscontactpersoon" in message.subject
    assert "Bea Beheer" in message.body
    assert "Nieuwe ondermijningsfunctionaris" in message.body
    assert "tweestapsverificatie" in message.body
    dispatch_due_reminders()
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": Role.CONTACT_PERSON}, "Een contactpersoon hoort bij een organisatie"),
        ({"role": ""}, "Dit veld is verplicht."),
        ({"role": Role.TRAINER, "user": "onbekend@nergens.example"}, "geen actief account"),
        ({"role": "superheld"}, "Selecteer een geldige keuze"),
    ],
)
def test_bad_role_grants_are_refused_and_nothing_is_written(client, data, message):
    client.force_login(beheerder())
    person = UserFactory()
    before = _counts()
    response = client.post(reverse("beheer_role_list"), {"user": person.email, **data})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _counts() == before
    assert not PlannedReminder.objects.exists()


def test_granting_a_role_twice_is_refused(client):
    client.force_login(beheerder())
    person = trainer(full_name="Joost Bakker")
    before = _counts()
    response = client.post(reverse("beheer_role_list"), {"user": person.email, "role": "trainer"})
    assert "Joost Bakker heeft deze rol al." in response.content.decode()
    assert _counts() == before


def test_revoking_a_role_records_it_and_mails_the_person(client):
    admin = beheerder()
    client.force_login(admin)
    person = coordinator()
    assignment = person.role_assignments.get()
    page = client.get(reverse("beheer_role_revoke", args=[assignment.pk]))
    assert "Rol intrekken" in page.content.decode()
    response = client.post(
        reverse("beheer_role_revoke", args=[assignment.pk]), {"reason": "Andere functie"}
    )
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    change = RoleChange.objects.get()
    assert (change.action, change.reason, change.actor) == ("revoked", "Andere functie", admin)
    mail.outbox.clear()
    dispatch_due_reminders()
    [message] = mail.outbox
    assert message.to == [person.email]
    assert "is ingetrokken" in message.subject


def test_the_last_beheerder_cannot_revoke_their_own_role(client):
    admin = beheerder(full_name="Bea Beheer")
    client.force_login(admin)
    own = admin.role_assignments.get(role=Role.BEHEERDER)
    before = _counts()
    response = client.post(reverse("beheer_role_revoke", args=[own.pk]), {"reason": ""})
    assert response.status_code == 200
    assert "Bea Beheer is de laatste beheerder" in response.content.decode()
    assert _counts() == before


def test_a_beheerder_may_step_down_when_another_remains():
    first, second = beheerder(), beheerder()
    services.role_revoke(actor=first, user=first, role=Role.BEHEERDER)
    assert not permissions.is_beheerder(type(first).objects.get(pk=first.pk))
    with pytest.raises(ValidationError):
        services.role_revoke(actor=second, user=second, role=Role.BEHEERDER)


def test_role_services_refuse_anyone_but_a_beheerder():
    person = UserFactory()
    with pytest.raises(PermissionDenied):
        services.role_grant(actor=coordinator(), user=person, role=Role.BEHEERDER)
    with pytest.raises(PermissionDenied):
        services.role_revoke(actor=person, user=coordinator(), role=Role.COORDINATOR)
    assert not RoleChange.objects.exists()


def test_the_role_changes_page_lists_newest_first(client):
    admin = beheerder()
    client.force_login(admin)
    first, second = UserFactory(full_name="Eerste Persoon"), UserFactory(full_name="Tweede Persoon")
    services.role_grant(actor=admin, user=first, role=Role.TRAINER)
    services.role_grant(actor=admin, user=second, role=Role.TRAINER)
    content = client.get(reverse("beheer_role_changes")).content.decode()
    assert content.index("Tweede Persoon") < content.index("Eerste Persoon")


def test_list_pages_use_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    admin = beheerder()
    client.force_login(admin)
    client.get(reverse("home"))  # the MFA check is remembered in the session
    for n in range(12):
        organisation = OrganisationFactory()
        EmailDomainFactory(organisation=organisation)
        person = UserFactory(organisation=organisation)
        services.role_grant(
            actor=admin, user=person, role=Role.CONTACT_PERSON, organisation=organisation
        )
        programme = Programme.objects.create(name=f"Programma {n}")
        programme.coordinators.add(person)
    services.role_review_open(actor=admin)
    review_pk = services.role_review_open(actor=admin).pk
    for name, args in [
        ("beheer_organisation_list", []),
        ("beheer_programme_list", []),
        ("beheer_role_list", []),
        ("beheer_role_changes", []),
        ("beheer_role_review_list", []),
        ("beheer_role_review_detail", [review_pk]),
    ]:
        with django_assert_max_num_queries(12):
            assert client.get(reverse(name, args=args)).status_code == 200


# --- bulk invitations ------------------------------------------------------------------------


def test_a_pasted_list_invites_everyone_and_mails_them(client, django_capture_on_commit_callbacks):
    client.force_login(beheerder())
    organisation = OrganisationFactory(name="Gemeente Elders")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("beheer_invitations"),
            {
                "organisation": organisation.pk,
                "addresses": "anna@elders.example\n\n  Bram@Elders.example  \ncees@elders.example",
            },
        )
    assert response.status_code == 302
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "anna@elders.example",
        "bram@elders.example",
        "cees@elders.example",
    ]
    assert {m.to[0] for m in mail.outbox} == {
        "anna@elders.example",
        "bram@elders.example",
        "cees@elders.example",
    }


def test_an_uploaded_csv_with_a_header_invites_the_column_with_addresses(client):
    client.force_login(beheerder())
    organisation = OrganisationFactory()
    upload = SimpleUploadedFile(
        "lijst.csv",
        "\ufeffnaam;e-mailadres\nAnna;anna@elders.example\nBram;bram@elders.example\n".encode(),
        content_type="text/csv",
    )
    response = client.post(
        reverse("beheer_invitations"), {"organisation": organisation.pk, "file": upload}
    )
    assert response.status_code == 302
    assert Invitation.objects.count() == 2


def test_one_bad_line_names_every_problem_and_invites_nobody(client):
    client.force_login(beheerder())
    organisation = OrganisationFactory()
    UserFactory(email="bestaat@elders.example")
    services.invitation_create(
        invited_by=coordinator(), email="al@elders.example", organisation=organisation
    )
    mail.outbox.clear()
    before = _counts()
    response = client.post(
        reverse("beheer_invitations"),
        {
            "organisation": organisation.pk,
            "addresses": "\n".join(
                [
                    "goed@elders.example",
                    "geen-adres",
                    "half@",
                    "bestaat@elders.example",
                    "al@elders.example",
                    "goed@elders.example",
                ]
            ),
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "Regel 2: „geen-adres” is geen e-mailadres." in content
    assert "Regel 3: half@ is geen geldig e-mailadres." in content
    assert "Regel 4: bestaat@elders.example heeft al een account." in content
    assert "Regel 5: al@elders.example heeft al een openstaande uitnodiging." in content
    assert "Regel 6: goed@elders.example staat ook op regel 1." in content
    assert _counts() == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("lijst.xlsx", b"PK\x03\x04"), "Kies een .txt- of .csv-bestand."),
        (SimpleUploadedFile("lijst.csv", b"\xff\xfe\x00a"), "geen tekstbestand in UTF-8"),
    ],
)
def test_a_wrong_file_is_refused(client, upload, message):
    client.force_login(beheerder())
    organisation = OrganisationFactory()
    before = _counts()
    response = client.post(
        reverse("beheer_invitations"), {"organisation": organisation.pk, "file": upload}
    )
    assert message in response.content.decode()
    assert _counts() == before


def test_an_empty_list_is_refused(client):
    client.force_login(beheerder())
    response = client.post(
        reverse("beheer_invitations"), {"organisation": OrganisationFactory().pk, "addresses": ""}
    )
    assert "Plak e-mailadressen of kies een bestand." in response.content.decode()
    assert not Invitation.objects.exists()


def test_bulk_invitations_are_for_beheerders_only():
    with pytest.raises(PermissionDenied):
        services.invitations_create_bulk(
            actor=coordinator(), text="a@b.example", organisation=OrganisationFactory()
        )
    assert not Invitation.objects.exists()


def test_the_admin_shows_roles_read_only_and_the_role_change_record(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    add_totp(admin)
    force_login_with_mfa(client, admin)
    person = coordinator()
    page = client.get(reverse("admin:portal_user_change", args=[person.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert "Programmacoördinator" in content
    assert 'name="role_assignments-0-role"' not in content
    assert client.get(reverse("admin:portal_rolechange_changelist")).status_code == 200
    assert client.get(reverse("admin:portal_rolechange_add")).status_code == 403
