import pytest

from verkenning import selectors
from verkenning.models import ContactStatus

from .factories import (
    ContactFactory,
    InterviewFactory,
    InventoryDepartmentFactory,
    ObservationFactory,
    VerkenningFactory,
    theme,
)

pytestmark = pytest.mark.django_db


def test_observations_are_counted_per_kind_and_theme_with_only_marked_quotes():
    verkenning = VerkenningFactory()
    first = InterviewFactory(verkenning=verkenning)
    second = InterviewFactory(verkenning=verkenning)
    avg, werkdruk = theme("AVG"), theme("werkdruk")
    ObservationFactory(interview=first, kind="hindernis", themes=[avg], text="Mag niet delen")
    ObservationFactory(
        interview=second,
        kind="hindernis",
        themes=[avg, werkdruk],
        text="Geen tijd en geen toestemming",
        include_as_quote=True,
    )
    ObservationFactory(interview=second, kind="weerstand", themes=[werkdruk])
    ObservationFactory(interview=first, kind="energie", text="Zonder thema")
    ObservationFactory(kind="energie", themes=[avg])  # another verkenning

    result = selectors.synthesis(verkenning)

    by_kind = {summary.kind: summary for summary in result.kinds}
    assert [summary.kind for summary in result.kinds] == ["energie", "hindernis", "weerstand"]
    assert by_kind["hindernis"].count == 2
    assert [(t.theme, t.count) for t in by_kind["hindernis"].themes] == [
        ("AVG", 2),
        ("werkdruk", 1),
    ]
    assert by_kind["hindernis"].quotes == ["Geen tijd en geen toestemming"]
    assert by_kind["hindernis"].themes[0].quotes == ["Geen tijd en geen toestemming"]
    assert [(t.theme, t.count) for t in by_kind["energie"].themes] == [("", 1)]
    assert by_kind["weerstand"].quotes == []
    assert result.theme_totals == [("AVG", 2), ("werkdruk", 2)]
    assert result.observation_count == 4


def test_time_spent_and_counts_add_up_the_interviews_and_contacts():
    verkenning = VerkenningFactory()
    InterviewFactory(verkenning=verkenning, duration_minutes=45)
    InterviewFactory(verkenning=verkenning, duration_minutes=90)
    ContactFactory(verkenning=verkenning, status=ContactStatus.DECLINED)
    InterviewFactory(duration_minutes=500)  # another verkenning

    result = selectors.synthesis(verkenning)

    assert result.interview_count == 2
    assert result.minutes_spent == 135
    assert result.time_spent == "2:15"
    assert result.contact_count == 3
    assert dict(result.contacts_per_status)["Afgezegd"] == 1


def test_the_gap_list_names_inventory_departments_nobody_has_spoken_to_yet():
    verkenning = VerkenningFactory()
    for name in ["Veiligheid", "Wijkteam Noord", "Schuldhulpverlening", "Werk en inkomen"]:
        InventoryDepartmentFactory(verkenning=verkenning, name=name)
    ContactFactory(verkenning=verkenning, department="veiligheid", status=ContactStatus.SPOKEN)
    ContactFactory(verkenning=verkenning, department="Wijkteam Noord", status=ContactStatus.PLANNED)
    ContactFactory(verkenning=verkenning, department="Werk en inkomen", status=ContactStatus.SPOKEN)
    ContactFactory(verkenning=verkenning, department="Burgerzaken", status=ContactStatus.SPOKEN)
    ContactFactory(department="Schuldhulpverlening", status=ContactStatus.SPOKEN)  # elsewhere

    result = selectors.synthesis(verkenning)

    assert result.departments_not_reached == ["Schuldhulpverlening", "Wijkteam Noord"]
    assert result.departments_reached_not_named == ["Burgerzaken"]
    assert len(result.departments_named) == 4
