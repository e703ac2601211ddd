import pytest

from demo import people
from demo import verkenning as demo
from verkenning import selectors
from verkenning.models import Contact, Interview, Observation, Verkenning

pytestmark = pytest.mark.django_db


def test_the_demo_verkenning_has_a_three_level_snowball_and_eight_interviews_once():
    people.seed()
    demo.seed()
    demo.seed()

    verkenning = Verkenning.objects.get()
    assert Contact.objects.filter(verkenning=verkenning).count() == 12
    assert Interview.objects.filter(verkenning=verkenning).count() == 8
    assert Observation.objects.filter(interview__verkenning=verkenning).count() >= 8
    assert [depth for depth, _ in selectors.snowball(verkenning).depth_counts] == [0, 1, 2]
    synthesis = selectors.synthesis(verkenning)
    assert synthesis.departments_not_reached == ["Jeugd", "Leerplicht"]
    assert verkenning.verkenners.get().email == demo.VERKENNER
    assert verkenning.design.training is None


def test_the_demo_verkenning_needs_the_demo_people():
    demo.seed()
    assert not Verkenning.objects.exists()
