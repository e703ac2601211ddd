import pytest

from demo import people
from demo import signalen as demo
from portal.models import User
from signalen import audit, selectors
from signalen.models import Signal
from signalen.states import Status

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_signals_in_every_state_once():
    people.seed()
    demo.seed()
    first = set(Signal.objects.values_list("reference", flat=True))
    demo.seed()

    assert set(Signal.objects.values_list("reference", flat=True)) == first
    assert set(Signal.objects.values_list("status", flat=True)) == set(Status.values)
    assert Signal.objects.filter(close_reason="duplicate", duplicate_of__isnull=False).exists()
    assert Signal.objects.filter(deadline_at__isnull=False).exclude(status="closed").exists()
    assert audit.audit_chain_verify().ok
    riec_contact = User.objects.get(email="contactpersoon@riec.example")
    assert selectors.signals_visible_to(riec_contact).filter(status=Status.FORWARDED).exists()


def test_demo_seed_without_the_demo_people_does_nothing():
    demo.seed()
    assert not Signal.objects.exists()
