"""The programme's funnel of bewustwordingssessies: examples named in the sessions, then
signals reported by their participants within three months.

Composed here because it reads two apps: trainings answers which sessions were held, who
took part and how many examples were named; signalen counts, inside the database, the
signals those participants reported within their windows. Only counts leave either app, and
the signal count passes the small-number rule (``disclosure``) before any page sees it.
"""

from dataclasses import asdict, dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from portal import selectors as portal_selectors
from signalen import selectors as signal_selectors
from trainings import selectors as training_selectors

from .disclosure import MIN_GROUP, ShownCount, shown_count


@dataclass(frozen=True)
class FunnelQuarter:
    number: int
    year: int
    figures: training_selectors.AwarenessFigures
    signals: ShownCount

    @property
    def label(self) -> str:
        return _("K%(quarter)d %(year)d") % {"quarter": self.number, "year": self.year}


def _quarter_bounds(year: int) -> list[tuple[int, datetime, datetime]]:
    months = [(1, 4), (4, 7), (7, 10), (10, 13)]
    bounds = []
    for number, (first, after) in enumerate(months, start=1):
        start = timezone.make_aware(datetime(year, first, 1))
        end = timezone.make_aware(
            datetime(year + 1, 1, 1) if after == 13 else datetime(year, after, 1)
        )
        bounds.append((number, start, end))
    return bounds


def awareness_funnel(*, programme_id: int, year: int) -> list[FunnelQuarter]:
    """The four quarters of ``year`` for one programme. At most four queries a quarter.

    The caller checks that the user coordinates the programme.
    """
    quarters = []
    for number, start, end in _quarter_bounds(year):
        runs = training_selectors.awareness_runs_held(
            programme_ids=[programme_id], start=start, end=end
        )
        figures = training_selectors.awareness_figures(runs=runs)
        if figures.participants < MIN_GROUP:
            # Too few people to show a count about them: it is not even made.
            signals = shown_count(0, group_size=figures.participants)
        else:
            signals = shown_count(
                signal_selectors.signals_reported_in_windows_count(
                    windows=training_selectors.awareness_follow_up_windows(runs=runs)
                ),
                group_size=figures.participants,
            )
        quarters.append(FunnelQuarter(number=number, year=year, figures=figures, signals=signals))
    return quarters


# --- counted by a task, read by the page ------------------------------------------------------

# The task that counts a programme's year, queued by name (``dashboard.tasks`` imports
# ``dashboard.services``, which queue it).
FUNNEL_TASK = "dashboard.tasks.count_awareness_funnel"


def funnel_key(*, programme_id: int, year: int) -> str:
    return f"dashboard.awareness_funnel:{programme_id}:{year}"


def to_json(quarters: list[FunnelQuarter]) -> list[dict]:
    """What is kept: the counts as the small-number rule shows them, never a hidden one."""
    return [
        {
            "number": quarter.number,
            "year": quarter.year,
            "figures": asdict(quarter.figures),
            "signals": asdict(quarter.signals),
        }
        for quarter in quarters
    ]


def from_json(data: list[dict]) -> list[FunnelQuarter]:
    return [
        FunnelQuarter(
            number=item["number"],
            year=item["year"],
            figures=training_selectors.AwarenessFigures(**item["figures"]),
            signals=ShownCount(**item["signals"]),
        )
        for item in data
    ]


@dataclass(frozen=True)
class CountedFunnel:
    """The quarters last counted (None before the first count), when, and whether the page
    should ask for a new count."""

    quarters: list[FunnelQuarter] | None
    counted_at: datetime | None
    due: bool


def counted_funnel(*, programme_id: int, year: int, now: datetime) -> CountedFunnel:
    """One query, however many sessions, participants and signals the year holds."""
    snapshot = portal_selectors.figures_snapshot(
        key=funnel_key(programme_id=programme_id, year=year)
    )
    counted = snapshot is not None and snapshot.figures is not None
    return CountedFunnel(
        quarters=from_json(snapshot.figures) if counted else None,
        counted_at=snapshot.computed_at if counted else None,
        due=portal_selectors.figures_snapshot_due(snapshot, now=now),
    )
