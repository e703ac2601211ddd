"""The programme dashboard's sections, named and translated.

Each section is one table with its chart and its export sheet (``programme_stats.Section``);
the page, the CSV and the XLSX all come from the list ``sections`` returns, so a new metric is
one selector call (in ``selectors.programme_dashboard``) and one builder added to that list.
"""

from django.utils.translation import gettext as _

from . import programme_stats as stats
from .programme_stats import DATE, PERCENT, TEXT, Chart, Column, Dataset, Section
from .selectors import DashboardFigures


def sections(figures: DashboardFigures) -> list[Section]:
    """The dashboard's sections, in page order."""
    return [
        key_figures_section(figures),
        fill_section(figures.runs),
        waiting_section(figures.runs),
        attendance_section(figures.runs),
        matrix_section(figures.matrix),
    ]


def _run_columns() -> tuple[Column, ...]:
    return (Column(_("Training"), TEXT), Column(_("Aanbieder"), TEXT), Column(_("Start"), DATE))


def _run_cells(run: stats.RunFigures) -> tuple:
    return (run.training, run.provider, run.starts_on)


def _run_labels(runs: list[stats.RunFigures]) -> tuple[str, ...]:
    return tuple(f"{run.training} ({stats.display(run.starts_on, DATE)})" for run in runs)


def _total_cells() -> tuple:
    return (_("Totaal"), "", None)


def key_figures_section(figures: DashboardFigures) -> Section:
    runs, totals = figures.runs, figures.totals
    capacity = sum(run.capacity for run in runs)
    enrolled = sum(run.enrolled for run in runs)
    recorded = sum(run.recorded for run in runs)
    present = sum(run.present for run in runs)
    absent = sum(run.absent for run in runs)
    rows = (
        (_("Uitvoeringen"), len(runs), None),
        (_("Plaatsen"), capacity, None),
        (_("Ingeschreven (bezettingsgraad)"), enrolled, stats.ratio(enrolled, capacity)),
        (_("Personen ooit op een wachtlijst"), totals.waited, None),
        (
            _("Van hen nooit geplaatst"),
            totals.never_placed,
            stats.ratio(totals.never_placed, totals.waited),
        ),
        (_("Aanwezigheid geregistreerd"), recorded, None),
        (_("Aanwezig"), present, stats.ratio(present, recorded)),
        (_("Afwezig zonder afmelding (no-show)"), absent, stats.ratio(absent, recorded)),
        (_("Getrainde personen"), totals.trained, None),
        (
            _("Van hen bij een andere partner"),
            totals.trained_elsewhere,
            stats.ratio(totals.trained_elsewhere, totals.trained),
        ),
    )
    return Section(
        key="kerncijfers",
        title=_("Kerncijfers"),
        chart_label="",
        columns=(Column(_("Cijfer"), TEXT), Column(_("Aantal")), Column(_("Percentage"), PERCENT)),
        rows=rows,
    )


def fill_section(runs: list[stats.RunFigures]) -> Section:
    capacity = sum(run.capacity for run in runs)
    enrolled = sum(run.enrolled for run in runs)
    rates = tuple(stats.ratio(run.enrolled, run.capacity) for run in runs)
    return Section(
        key="bezetting",
        title=_("Bezetting"),
        chart_label=_(
            "Staafdiagram: bezettingsgraad per uitvoering; de cijfers staan in de tabel."
        ),
        columns=(
            *_run_columns(),
            Column(_("Plaatsen")),
            Column(_("Ingeschreven")),
            Column(_("Bezettingsgraad"), PERCENT),
        ),
        rows=tuple(
            (*_run_cells(run), run.capacity, run.enrolled, rate)
            for run, rate in zip(runs, rates, strict=True)
        ),
        footer=(*_total_cells(), capacity, enrolled, stats.ratio(enrolled, capacity)),
        chart=Chart(
            labels=_run_labels(runs),
            datasets=(Dataset(_("Bezettingsgraad"), rates),),
            percent=True,
        ),
    )


def waiting_section(runs: list[stats.RunFigures]) -> Section:
    return Section(
        key="wachtlijst",
        title=_("Vraag op de wachtlijst"),
        chart_label=_(
            "Staafdiagram: per uitvoering het aantal mensen dat op de wachtlijst stond en dat "
            "nooit geplaatst werd; de cijfers staan in de tabel."
        ),
        columns=(
            *_run_columns(),
            Column(_("Nu op de wachtlijst")),
            Column(_("Ooit op de wachtlijst")),
            Column(_("Nooit geplaatst")),
        ),
        rows=tuple(
            (*_run_cells(run), run.waiting_now, run.ever_waited, run.never_placed) for run in runs
        ),
        footer=(
            *_total_cells(),
            sum(run.waiting_now for run in runs),
            sum(run.ever_waited for run in runs),
            sum(run.never_placed for run in runs),
        ),
        chart=Chart(
            labels=_run_labels(runs),
            datasets=(
                Dataset(_("Ooit op de wachtlijst"), tuple(run.ever_waited for run in runs)),
                Dataset(_("Nooit geplaatst"), tuple(run.never_placed for run in runs)),
            ),
        ),
    )


def attendance_section(runs: list[stats.RunFigures]) -> Section:
    present = sum(run.present for run in runs)
    excused = sum(run.excused for run in runs)
    absent = sum(run.absent for run in runs)
    recorded = present + excused + absent
    return Section(
        key="aanwezigheid",
        title=_("Aanwezigheid en no-show"),
        chart_label=_(
            "Gestapeld staafdiagram: per uitvoering de registraties aanwezig, afgemeld met "
            "reden en afwezig; de cijfers staan in de tabel."
        ),
        columns=(
            *_run_columns(),
            Column(_("Aanwezig")),
            Column(_("Afgemeld met reden")),
            Column(_("Afwezig (no-show)")),
            Column(_("Aanwezigheid"), PERCENT),
            Column(_("No-show"), PERCENT),
        ),
        rows=tuple(
            (
                *_run_cells(run),
                run.present,
                run.excused,
                run.absent,
                stats.ratio(run.present, run.recorded),
                stats.ratio(run.absent, run.recorded),
            )
            for run in runs
        ),
        footer=(
            *_total_cells(),
            present,
            excused,
            absent,
            stats.ratio(present, recorded),
            stats.ratio(absent, recorded),
        ),
        chart=Chart(
            labels=_run_labels(runs),
            datasets=(
                Dataset(_("Aanwezig"), tuple(run.present for run in runs)),
                Dataset(_("Afgemeld met reden"), tuple(run.excused for run in runs)),
                Dataset(_("Afwezig (no-show)"), tuple(run.absent for run in runs)),
            ),
            stacked=True,
        ),
    )


def matrix_section(entries: list[stats.MatrixEntry]) -> Section:
    matrix = stats.pivot(entries, unknown=_("Zonder organisatie"))
    rows = tuple(
        (name, *(matrix.value(row_id, column_id) for column_id, _name in matrix.columns))
        for row_id, name in matrix.rows
    )
    diagonal = frozenset(
        (r, c + 1)
        for r, (row_id, _row) in enumerate(matrix.rows)
        for c, (column_id, _column) in enumerate(matrix.columns)
        if row_id == column_id
    )
    return Section(
        key="leermatrix",
        title=_("Leermatrix: wie leert van wie?"),
        chart_label=_(
            "Gestapeld staafdiagram: per organisatie van de deelnemers het aantal getrainde "
            "personen per aanbiedende partner; de cijfers staan in de tabel."
        ),
        columns=(
            Column(_("Deelnemers van ↓ / training van →"), TEXT),
            *(Column(name) for _id, name in matrix.columns),
        ),
        rows=rows,
        chart=Chart(
            labels=tuple(name for _id, name in matrix.rows),
            datasets=tuple(
                Dataset(name, tuple(row[c + 1] for row in rows))
                for c, (_id, name) in enumerate(matrix.columns)
            ),
            stacked=True,
            horizontal=True,
        ),
        marked=diagonal,
        mark_note=_("eigen organisatie"),
    )


def definitions() -> list[tuple[str, str]]:
    """How each figure is counted: shown on the page ("Hoe tellen we?") and in the XLSX."""
    return [
        (
            _("Periode"),
            _(
                "Een uitvoering telt mee als ze in de periode minstens één bijeenkomst heeft die "
                "niet is vervallen. Concepten en geannuleerde uitvoeringen tellen niet mee."
            ),
        ),
        (
            _("Bezettingsgraad"),
            _(
                "Het aantal mensen dat nu ingeschreven is, gedeeld door het aantal plaatsen, "
                "per uitvoering en opgeteld over alle uitvoeringen."
            ),
        ),
        (
            _("Wachtlijst"),
            _(
                "Ooit op de wachtlijst: wie bij de laatste aanvraag niet meteen een plaats kreeg "
                "(later doorgeschoven of nooit geplaatst). Nooit geplaatst: wie nog wacht of "
                "zich van de wachtlijst afmeldde. In de tabel telt iemand per uitvoering; bij de "
                "kerncijfers telt ieder persoon één keer."
            ),
        ),
        (
            _("Aanwezigheid en no-show"),
            _(
                "Over de registraties bij bijeenkomsten in de periode die al begonnen zijn: "
                "aanwezig, afgemeld met reden, of afwezig zonder afmelding (no-show), gedeeld "
                "door alle registraties. Wie (nog) niet geregistreerd is, telt niet mee."
            ),
        ),
        (
            _("Leermatrix"),
            _(
                "Een cel telt de verschillende personen van de organisatie in de rij die in de "
                "periode bij minstens één bijeenkomst aanwezig waren van een training die de "
                "partner in de kolom aanbiedt. De diagonaal (de eigen organisatie) staat erin, "
                "maar is gemarkeerd: het programma gaat om leren over de andere partners."
            ),
        ),
    ]
