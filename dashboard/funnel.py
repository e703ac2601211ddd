"""The programme's funnel of bewustwordingssessies: examples named in the sessions, then
signals reported by their participants within three months.

Composed here because it reads two apps: trainings answers which sessions were held, who
took part and how many examples were named; signalen counts, inside the database, the
signals those participants reported within their windows. Only counts leave either app, and
the signal count passes the small-number rule (``disclosure``) before any page sees it.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from signalen import selectors as signal_selectors
from trainings import selectors as training_selectors

from .disclosure import MIN_GROUP, ShownCount, shown_count


@dataclass(frozen=True)
class FunnelQuarter:
    label: str
    figures: training_selectors.AwarenessFigures
    signals: ShownCount


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
        quarters.append(
            FunnelQuarter(
                label=_("K%(quarter)d %(year)d") % {"quarter": number, "year": year},
                figures=figures,
                signals=signals,
            )
        )
    return quarters
