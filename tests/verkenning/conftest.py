import pytest

from .factories import ensure_question_bank


@pytest.fixture(autouse=True)
def question_bank(request):
    """Every verkenning test starts with the seeded question bank and themes."""
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("db")
        ensure_question_bank()
