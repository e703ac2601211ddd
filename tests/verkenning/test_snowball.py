import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from verkenning import network, selectors, services
from verkenning.models import Contact

from .factories import ContactFactory, VerkenningFactory

pytestmark = pytest.mark.django_db


def _update(contact, referred_by):
    return services.contact_update(
        actor=contact.verkenning.verkenners.first(),
        contact=contact,
        name=contact.name,
        organisation_name=contact.organisation_name,
        department=contact.department,
        role=contact.role,
        referred_by=referred_by,
        status=contact.status,
    )


def test_a_contact_cannot_be_referred_by_itself():
    contact = ContactFactory()
    with pytest.raises(ValidationError) as error:
        _update(contact, contact)
    assert "zichzelf" in str(error.value)
    contact.refresh_from_db()
    assert contact.referred_by is None


def test_the_database_refuses_a_self_referral_too():
    contact = ContactFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(referred_by=contact)


def test_a_referral_that_closes_a_loop_is_refused_and_nothing_changes():
    verkenning = VerkenningFactory()
    a = ContactFactory(verkenning=verkenning, name="Anna")
    b = ContactFactory(verkenning=verkenning, name="Bram", referred_by=a)
    c = ContactFactory(verkenning=verkenning, name="Cor", referred_by=b)
    with pytest.raises(ValidationError) as error:
        _update(a, c)
    assert "rondlopen" in str(error.value)
    a.refresh_from_db()
    assert a.referred_by is None


def test_moving_a_contact_to_another_branch_is_allowed():
    verkenning = VerkenningFactory()
    a = ContactFactory(verkenning=verkenning)
    b = ContactFactory(verkenning=verkenning)
    c = ContactFactory(verkenning=verkenning, referred_by=a)
    _update(c, b)
    c.refresh_from_db()
    assert c.referred_by == b


def test_a_referrer_from_another_verkenning_is_refused():
    elsewhere = ContactFactory()
    with pytest.raises(ValidationError):
        verkenning = VerkenningFactory()
        services.contact_create(
            actor=verkenning.verkenners.get(),
            verkenning=verkenning,
            name="Dirk",
            referred_by=elsewhere,
        )
    assert not Contact.objects.filter(name="Dirk").exists()


def test_counts_per_depth_follow_the_referral_chain():
    verkenning = VerkenningFactory()
    root = ContactFactory(verkenning=verkenning, name="Ondermijningsfunctionaris")
    other_root = ContactFactory(verkenning=verkenning, name="Sociaal rechercheur")
    first = [ContactFactory(verkenning=verkenning, referred_by=root) for _ in range(3)]
    ContactFactory(verkenning=verkenning, referred_by=other_root)
    ContactFactory(verkenning=verkenning, referred_by=first[0])
    ContactFactory(verkenning=verkenning, referred_by=first[2])
    ContactFactory(verkenning=VerkenningFactory())  # another verkenning's contact

    picture = selectors.snowball(verkenning)

    assert picture.depth_counts == [(0, 2), (1, 4), (2, 2)]
    assert picture.max_depth == 2
    assert len(picture.nodes) == 8
    assert len(picture.edges) == 6


def test_every_referral_is_drawn_below_its_referrer_and_inside_the_picture():
    verkenning = VerkenningFactory()
    root = ContactFactory(verkenning=verkenning, department="Veiligheid")
    child = ContactFactory(verkenning=verkenning, referred_by=root, department="Wijkteam")
    ContactFactory(verkenning=verkenning, referred_by=child, department="Wijkteam")
    picture = selectors.snowball(verkenning)
    by_pk = {node.pk: node for node in picture.nodes}
    for node in picture.nodes:
        assert node.x >= 0 and node.x + network.NODE_WIDTH <= picture.width
        assert node.y + network.NODE_HEIGHT <= picture.height
        if node.referred_by_id:
            assert node.y > by_pk[node.referred_by_id].y
            assert node.referrer_name == by_pk[node.referred_by_id].name
    # Coloured by department: same department, same colour; a legend entry per department.
    assert [name for name, _ in picture.legend] == ["Veiligheid", "Wijkteam"]
    colours = {node.department: node.colour for node in picture.nodes}
    assert colours["Veiligheid"] != colours["Wijkteam"]


def test_contacts_are_listed_depth_first_under_their_referrer():
    verkenning = VerkenningFactory()
    a = ContactFactory(verkenning=verkenning, name="A")
    b = ContactFactory(verkenning=verkenning, name="B")
    ContactFactory(verkenning=verkenning, name="A1", referred_by=a)
    ContactFactory(verkenning=verkenning, name="B1", referred_by=b)
    names = [node.name for node in selectors.snowball(verkenning).nodes]
    assert names == ["A", "A1", "B", "B1"]
