"""The programme dashboard's arithmetic and shapes: periods, rates, the learning matrix, and
the sections (a table, its chart and its export sheet) the page and the downloads share.

Pure: plain values in, dataclasses out, no Django. The selectors count in SQL and hand
``RunFigures`` and ``MatrixEntry`` rows here; ``trainings/dashboard.py`` names the sections.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta

YEAR = "jaar"
QUARTER = "kwartaal"
CUSTOM = "eigen"

TEXT = "text"
INT = "int"
PERCENT = "percent"
DATE = "date"
DECIMAL = "decimal"


# --- the period ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The days the dashboard counts: a year, a quarter of it, or a custom range."""

    kind: str
    first: date
    last: date

    @property
    def end(self) -> date:
        """The day after the last one: the exclusive end."""
        return self.last + timedelta(days=1)

    @property
    def slug(self) -> str:
        """A name for download files: ``2027``, ``2027-K2`` or ``2027-01-15_2027-03-01``."""
        if self.kind == YEAR:
            return str(self.first.year)
        if self.kind == QUARTER:
            return f"{self.first.year}-K{quarter_of(self.first)}"
        return f"{self.first.isoformat()}_{self.last.isoformat()}"


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


def year_period(year: int) -> Period:
    return Period(YEAR, date(year, 1, 1), date(year, 12, 31))


def quarter_period(year: int, quarter: int) -> Period:
    if quarter not in (1, 2, 3, 4):
        raise ValueError(f"no quarter {quarter}")
    first = date(year, 3 * quarter - 2, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(QUARTER, first, following - timedelta(days=1))


def custom_period(first: date, last: date) -> Period:
    if last < first:
        raise ValueError("the period ends before it starts")
    return Period(CUSTOM, first, last)


# --- what the selectors count ----------------------------------------------------------------


@dataclass(frozen=True)
class RunFigures:
    """One run in the period, as counted by the selector."""

    run_id: int
    training: str
    provider: str
    starts_on: date | None
    capacity: int
    enrolled: int
    waiting_now: int
    ever_waited: int
    never_placed: int
    present: int
    absent: int
    excused: int
    # Over: marked completed, or its last session has ended (completion is judged only then).
    finished: bool = True
    provider_id: int = 0

    @property
    def recorded(self) -> int:
        return self.present + self.absent + self.excused


@dataclass(frozen=True)
class PartnerFigures:
    """The runs of one providing partner in the period, added up.

    Completion counts only the runs that are over; the evaluation mean and the contacts only
    the runs at the threshold of answers (``shown_*``), as the totals over all runs do.
    """

    provider_id: int
    provider: str
    runs: int = 0
    capacity: int = 0
    enrolled: int = 0
    waiting_now: int = 0
    ever_waited: int = 0
    never_placed: int = 0
    present: int = 0
    excused: int = 0
    absent: int = 0
    finished_runs: int = 0
    eligible: int = 0
    completed: int = 0
    answers: int = 0
    shown_runs: int = 0
    score_sum: int = 0
    score_count: int = 0
    asked: int = 0
    answered: int = 0
    followup_shown_runs: int = 0
    followup_shown_answered: int = 0
    contacted: int = 0

    @property
    def recorded(self) -> int:
        return self.present + self.absent + self.excused

    @property
    def mean(self) -> float | None:
        """The mean score over the runs at the threshold, unrounded; None without such runs."""
        if not self.shown_runs or not self.score_count:
            return None
        return self.score_sum / self.score_count


@dataclass(frozen=True)
class RunEvaluation:
    """What one run adds to its partner's evaluation and samenwerkingsmeter figures."""

    answers: int
    score_sum: int
    score_count: int
    evaluation_shown: bool
    asked: int
    answered: int
    contacted: int | None


def partner_rows(
    runs: Iterable[RunFigures],
    completion: dict[int, tuple[int, int]],
    evaluations: dict[int, RunEvaluation],
) -> list[PartnerFigures]:
    """The runs added up per providing partner, ordered by the partner's name."""
    partners: dict[int, dict] = {}
    for run in runs:
        row = partners.setdefault(
            run.provider_id,
            {"provider_id": run.provider_id, "provider": run.provider}
            | {
                name: 0
                for name in PartnerFigures.__dataclass_fields__
                if name not in ("provider_id", "provider")
            },
        )
        row["runs"] += 1
        for name in (
            "capacity",
            "enrolled",
            "waiting_now",
            "ever_waited",
            "never_placed",
            "present",
            "excused",
            "absent",
        ):
            row[name] += getattr(run, name)
        if run.finished:
            done, eligible = completion.get(run.run_id, (0, 0))
            row["finished_runs"] += 1
            row["completed"] += done
            row["eligible"] += eligible
        figures = evaluations.get(run.run_id)
        if figures is None:
            continue
        row["answers"] += figures.answers
        if figures.evaluation_shown:
            row["shown_runs"] += 1
            row["score_sum"] += figures.score_sum
            row["score_count"] += figures.score_count
        row["asked"] += figures.asked
        row["answered"] += figures.answered
        if figures.contacted is not None:
            row["followup_shown_runs"] += 1
            row["followup_shown_answered"] += figures.answered
            row["contacted"] += figures.contacted
    return sorted(
        (PartnerFigures(**row) for row in partners.values()),
        key=lambda partner: (partner.provider.lower(), partner.provider_id),
    )


@dataclass(frozen=True)
class MatrixEntry:
    """People of one organisation who attended a training provided by another (or the same)."""

    row_id: int | None
    row_name: str
    column_id: int
    column_name: str
    people: int


@dataclass(frozen=True)
class Totals:
    """Distinct people over all runs of the period (a person counts once, however many runs)."""

    waited: int
    never_placed: int
    trained: int
    trained_elsewhere: int


def ratio(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    return part / whole if whole else None


# --- the learning matrix ---------------------------------------------------------------------


@dataclass(frozen=True)
class Matrix:
    rows: tuple[tuple[int | None, str], ...]
    columns: tuple[tuple[int, str], ...]
    cells: dict[tuple[int | None, int], int]

    def value(self, row_id: int | None, column_id: int) -> int:
        return self.cells.get((row_id, column_id), 0)


def pivot(entries: Iterable[MatrixEntry], *, unknown: str) -> Matrix:
    """Rows and columns by name (organisations without a name last), cells by id pair."""
    rows: dict[int | None, str] = {}
    columns: dict[int, str] = {}
    cells: dict[tuple[int | None, int], int] = {}
    for entry in entries:
        rows[entry.row_id] = entry.row_name if entry.row_id is not None else unknown
        columns[entry.column_id] = entry.column_name
        cells[(entry.row_id, entry.column_id)] = entry.people
    return Matrix(
        rows=tuple(sorted(rows.items(), key=lambda item: (item[0] is None, item[1].lower()))),
        columns=tuple(sorted(columns.items(), key=lambda item: item[1].lower())),
        cells=cells,
    )


# --- sections: one table, its chart, its export sheet ----------------------------------------


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = INT


@dataclass(frozen=True)
class Dataset:
    label: str
    values: tuple[float | int | None, ...]


@dataclass(frozen=True)
class Chart:
    """What Chart.js draws: ``bar`` charts, grouped or stacked, vertical or horizontal."""

    labels: tuple[str, ...]
    datasets: tuple[Dataset, ...]
    stacked: bool = False
    horizontal: bool = False
    percent: bool = False


@dataclass(frozen=True)
class Section:
    """One block of the dashboard. The first column holds the row headers.

    ``marked`` lists (row index, column index) cells to set apart, with ``mark_note`` as
    their text for screen readers and the note under the table.
    """

    key: str
    title: str
    chart_label: str
    columns: tuple[Column, ...]
    rows: tuple[tuple, ...]
    footer: tuple | None = None
    chart: Chart | None = None
    marked: frozenset[tuple[int, int]] = field(default_factory=frozenset)
    mark_note: str = ""
    decimal_mark: str = ","
    # Rows left off the page by ``on_page``; the downloads hold every row.
    rows_left_off: int = 0
    # Per row, where its header links to (its runs), or empty.
    row_links: tuple[str, ...] = ()
    # The CSV link's text when it is not "Download als CSV" (the file holds a row per run).
    download_label: str = ""

    def on_page(self, limit: int) -> "Section":
        """The section as the page shows it: at most ``limit`` rows, and as many bars.

        A programme with hundreds of runs in the period would otherwise print every run three
        times over and draw as many bars; the totals (footer) still count all of them.
        """
        if len(self.rows) <= limit:
            return self
        chart = self.chart
        if chart is not None:
            chart = replace(
                chart,
                labels=chart.labels[:limit],
                datasets=tuple(
                    replace(dataset, values=dataset.values[:limit]) for dataset in chart.datasets
                ),
            )
        return replace(
            self,
            rows=self.rows[:limit],
            chart=chart,
            marked=frozenset((r, c) for r, c in self.marked if r < limit),
            rows_left_off=len(self.rows) - limit,
            row_links=self.row_links[:limit],
        )

    @property
    def export_rows(self) -> list[list]:
        """Header, rows and footer, as raw values (numbers stay numbers)."""
        return [
            [column.title for column in self.columns],
            *(list(row) for row in self.rows),
            *([list(self.footer)] if self.footer else []),
        ]

    def display_rows(self, rows: Iterable[Sequence]) -> list[list[str]]:
        """Rows as the text a reader sees (the CSV is written from these)."""
        return [
            [
                display(value, column.kind, decimal_mark=self.decimal_mark)
                for value, column in zip(row, self.columns, strict=True)
            ]
            for row in rows
        ]

    def table_rows(self) -> list[list["Cell"]]:
        """The body rows as the page's table cells."""
        return [
            [
                Cell(
                    text,
                    (r, c) in self.marked,
                    column.kind != TEXT,
                    self.row_links[r] if c == 0 and r < len(self.row_links) else "",
                )
                for c, (text, column) in enumerate(zip(row, self.columns, strict=True))
            ]
            for r, row in enumerate(self.display_rows(self.rows))
        ]

    def table_footer(self) -> list["Cell"]:
        if self.footer is None:
            return []
        return [
            Cell(text, False, column.kind != TEXT)
            for text, column in zip(self.display_rows([self.footer])[0], self.columns, strict=True)
        ]


@dataclass(frozen=True)
class Cell:
    text: str
    marked: bool
    numeric: bool
    link: str = ""


def percent(share: float) -> int:
    """A share as a whole percentage, halves rounded up (12.5% is 13%, as people round)."""
    return math.floor(share * 100 + 0.5)


def one_decimal(value: float) -> float:
    """A figure to one decimal, halves rounded up (3.45 is 3.5)."""
    return math.floor(value * 10 + 0.5) / 10


def display(value, kind: str, *, decimal_mark: str = ",") -> str:
    """A cell as text: ``—`` for nothing, whole percentages, one decimal (with the language's
    decimal mark), dates as dd-mm-jjjj."""
    if value is None or value == "":
        return "—"
    if kind == PERCENT:
        return f"{percent(value)}%"
    if kind == DECIMAL:
        return f"{one_decimal(value):.1f}".replace(".", decimal_mark)
    if kind == DATE:
        return value.strftime("%d-%m-%Y")
    return str(value)


def chart_payload(sections: Iterable[Section]) -> list[dict]:
    """The JSON the page's script draws from: one entry per section that has a chart."""
    return [
        {
            "id": f"chart-{section.key}",
            "labels": list(section.chart.labels),
            "stacked": section.chart.stacked,
            "horizontal": section.chart.horizontal,
            "percent": section.chart.percent,
            "datasets": [
                {
                    "label": dataset.label,
                    "values": [
                        None if v is None else percent(v) if section.chart.percent else v
                        for v in dataset.values
                    ],
                }
                for dataset in section.chart.datasets
            ],
        }
        for section in sections
        if section.chart is not None
    ]


# --- the overview: what the page shows, counted by a task ------------------------------------


@dataclass(frozen=True)
class Overview:
    """The period's figures per partner, the distinct people, the matrix and the contacts
    named: a size set by the number of partners, whatever the number of runs."""

    partners: list[PartnerFigures]
    totals: Totals
    matrix: list[MatrixEntry]
    # Organisation name -> times named as contacted, over the runs at the threshold; ordered.
    contacts: dict[str, int]

    def to_json(self) -> dict:
        return {
            "partners": [asdict(partner) for partner in self.partners],
            "totals": asdict(self.totals),
            "matrix": [asdict(entry) for entry in self.matrix],
            "contacts": [[name, count] for name, count in self.contacts.items()],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Overview":
        return cls(
            partners=[PartnerFigures(**partner) for partner in data["partners"]],
            totals=Totals(**data["totals"]),
            matrix=[MatrixEntry(**entry) for entry in data["matrix"]],
            contacts={name: count for name, count in data["contacts"]},
        )
