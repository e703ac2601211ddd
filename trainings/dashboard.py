"""The programme dashboard's sections, named and translated.

Each section is one table with its chart and its export sheet (``programme_stats.Section``);
the page, the CSV and the XLSX all come from the list ``sections`` returns, so a new metric is
one selector call (in ``selectors.programme_dashboard``) and one builder added to that list.
"""

from collections import Counter
from dataclasses import replace

from django.utils.formats import get_format
from django.utils.translation import gettext as _

from . import evaluation
from . import programme_stats as stats
from .programme_stats import DATE, DECIMAL, PERCENT, TEXT, Chart, Column, Dataset, Section
from .selectors import DashboardFigures


def sections(figures: DashboardFigures) -> list[Section]:
    """The dashboard's sections, in page order."""
    return [
        key_figures_section(figures),
        fill_section(figures.runs),
        waiting_section(figures.runs),
        attendance_section(figures.runs),
        completion_section(figures),
        evaluation_section(figures),
        followup_section(figures),
        contacts_section(figures),
        matrix_section(figures.matrix),
    ]


def _run_columns() -> tuple[Column, ...]:
    return (Column(_("Training"), TEXT), Column(_("Aanbieder"), TEXT), Column(_("Start"), DATE))


def _run_cells(run: stats.RunFigures) -> tuple:
    return (run.training, run.provider, run.starts_on)


def _run_labels(runs: list[stats.RunFigures]) -> tuple[str, ...]:
    return tuple(f"{run.training} ({stats.display(run.starts_on, DATE)})" for run in runs)


def _chart_of_known(
    runs: list[stats.RunFigures], label: str, values, *, percent: bool = False
) -> Chart | None:
    """A bar per run with a value (a run without one, e.g. hidden or under way, has no bar)."""
    known = [(run, value) for run, value in zip(runs, values, strict=True) if value is not None]
    if not known:
        return None
    return Chart(
        labels=_run_labels([run for run, _value in known]),
        datasets=(Dataset(label, tuple(value for _run, value in known)),),
        percent=percent,
    )


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


def completion_section(figures: DashboardFigures) -> Section:
    """Per run who completed it of who holds a place; a rate only once the run is over (until
    then nobody can have completed it), and the total only over the runs that are over."""
    runs = figures.runs
    counts = [figures.completion.get(run.run_id, (0, 0)) for run in runs]
    rates = tuple(
        stats.ratio(done, eligible) if run.finished else None
        for run, (done, eligible) in zip(runs, counts, strict=True)
    )
    over = [count for run, count in zip(runs, counts, strict=True) if run.finished]
    done = sum(done for done, _eligible in over)
    eligible = sum(eligible for _done, eligible in over)
    rate_column = 5
    return Section(
        key="afronding",
        title=_("Afronding"),
        chart_label=_(
            "Staafdiagram: per afgelopen uitvoering het deel van de deelnemers met een plaats "
            "dat de training afrondde; de cijfers staan in de tabel."
        ),
        columns=(
            *_run_columns(),
            Column(_("Met een plaats")),
            Column(_("Afgerond")),
            Column(_("Afrondingspercentage"), PERCENT),
        ),
        rows=tuple(
            (*_run_cells(run), run_eligible, run_done, rate)
            for run, (run_done, run_eligible), rate in zip(runs, counts, rates, strict=True)
        ),
        footer=(
            _("Totaal afgelopen uitvoeringen"),
            "",
            None,
            eligible,
            done,
            stats.ratio(done, eligible),
        ),
        chart=_chart_of_known(runs, _("Afrondingspercentage"), rates, percent=True),
        marked=frozenset((r, rate_column) for r, run in enumerate(runs) if not run.finished),
        mark_note=_("loopt nog"),
    )


def _hidden_note() -> str:
    return _("minder dan %(n)s antwoorden: niet getoond") % {"n": evaluation.MIN_ANSWERS}


def evaluation_section(figures: DashboardFigures) -> Section:
    """Per run its answers and mean; the mean only from 5 answers, the total only over runs
    that reached 5 themselves (``evaluation.combine``)."""
    runs = figures.runs
    none = evaluation.GroupTotals(answers=0, score_sum=0, score_count=0)
    groups = [figures.evaluations.get(run.run_id, none) for run in runs]
    answers = [group.answers for group in groups]
    # Unrounded: the table rounds to one decimal, once.
    means = [
        evaluation.mean_if_shown(g.answers, g.score_sum, g.score_count, rounded=False)
        for g in groups
    ]
    combined = figures.evaluations_combined
    mean_column = 4
    return Section(
        key="evaluatie",
        title=_("Evaluatiescores"),
        chart_label=_(
            "Staafdiagram: de gemiddelde score (1 tot 5) per uitvoering met minstens "
            "%(n)s antwoorden; de cijfers staan in de tabel."
        )
        % {"n": evaluation.MIN_ANSWERS},
        columns=(
            *_run_columns(),
            Column(_("Antwoorden")),
            Column(_("Gemiddelde score (1–5)"), DECIMAL),
        ),
        rows=tuple(
            (*_run_cells(run), count, mean)
            for run, count, mean in zip(runs, answers, means, strict=True)
        ),
        footer=(
            _("Uitvoeringen met minstens %(n)s antwoorden") % {"n": evaluation.MIN_ANSWERS},
            "",
            None,
            combined.answers,
            combined.exact_mean,
        ),
        chart=_chart_of_known(
            runs,
            _("Gemiddelde score"),
            [None if mean is None else stats.one_decimal(mean) for mean in means],
        ),
        marked=frozenset((r, mean_column) for r, mean in enumerate(means) if mean is None),
        mark_note=_hidden_note(),
        decimal_mark=get_format("DECIMAL_SEPARATOR"),
    )


def followup_section(figures: DashboardFigures) -> Section:
    """The samenwerkingsmeter per run: asked and answered always, who contacted another
    partner only from 5 answers; the total of the latter over those runs alone."""
    runs = figures.runs
    totals = [figures.followups.get(run.run_id) for run in runs]
    rows = []
    for run, total in zip(runs, totals, strict=True):
        asked, answered = (total.asked, total.answered) if total else (0, 0)
        contacted = total.contacted if total else None
        rate = stats.ratio(contacted, answered) if contacted is not None else None
        rows.append((*_run_cells(run), asked, answered, contacted, rate))
    shown = [total for total in totals if total and total.shown]
    contacted = sum(total.contacted for total in shown)
    shown_answered = sum(total.answered for total in shown)
    return Section(
        key="samenwerking",
        title=_("Samenwerkingsmeter"),
        chart_label="",
        columns=(
            *_run_columns(),
            Column(_("Gevraagd")),
            Column(_("Beantwoord")),
            Column(_("Contact met een andere partner")),
            Column(_("Deel van de antwoorden"), PERCENT),
        ),
        rows=tuple(rows),
        footer=(
            *_total_cells(),
            sum(row[3] for row in rows),
            sum(row[4] for row in rows),
            contacted if shown else None,
            stats.ratio(contacted, shown_answered),
        ),
        marked=frozenset((r, c) for r, row in enumerate(rows) if row[5] is None for c in (5, 6)),
        mark_note=_hidden_note(),
    )


def contacts_section(figures: DashboardFigures) -> Section:
    """How often each organisation was named as contacted, over the runs with 5+ answers."""
    named: Counter[str] = Counter()
    for total in figures.followups.values():
        if total.shown:
            named.update(total.per_organisation or {})
    ordered = sorted(named.items(), key=lambda item: (-item[1], item[0].lower()))
    return Section(
        key="contacten",
        title=_("Contact per organisatie"),
        chart_label=_(
            "Liggend staafdiagram: hoe vaak elke organisatie genoemd werd als partner met wie "
            "contact was; de cijfers staan in de tabel."
        ),
        columns=(Column(_("Organisatie"), TEXT), Column(_("Keer genoemd"))),
        rows=tuple(ordered),
        chart=Chart(
            labels=tuple(name for name, _n in ordered),
            datasets=(Dataset(_("Keer genoemd"), tuple(n for _name, n in ordered)),),
            horizontal=True,
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
            _("Per aanbieder"),
            _(
                "Elke rij telt de uitvoeringen van één aanbiedende partner bij elkaar op. De "
                "cijfers per uitvoering staan achter de naam van de aanbieder en in de "
                "downloads. De cijfers zijn geteld op het moment dat onder de periode staat."
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
            _("Afronding"),
            _(
                "Per uitvoering: wie er een plaats heeft en de training volgens de afrondingsregel "
                "van de training heeft afgerond (de regel van het certificaat), gedeeld door "
                "iedereen met een plaats. Wie zich afmeldde of op de wachtlijst staat, telt niet "
                "mee. Een uitvoering die nog loopt, heeft nog geen percentage en telt niet mee "
                "in het totaal."
            ),
        ),
        (
            _("Evaluatiescores"),
            _(
                "Het aantal ingevulde evaluaties per uitvoering en het gemiddelde van alle "
                "antwoorden op de schaalvragen (1 tot 5). Onder de %(n)s antwoorden staat er "
                "geen gemiddelde (—), om de deelnemers te beschermen. Het totaal telt alleen de "
                "uitvoeringen met minstens %(n)s antwoorden, gewogen naar hun antwoorden."
            )
            % {"n": evaluation.MIN_ANSWERS},
        ),
        (
            _("Samenwerkingsmeter"),
            _(
                "Gevraagd: wie aan het eind een plaats had, behalve wie volgens de registratie bij "
                "geen enkele bijeenkomst was, zodra de weken na de uitvoering voorbij zijn. "
                "Beantwoord: wie de vragen invulde. Contact met een andere partner en de "
                "organisaties met wie er contact was, tellen alleen bij uitvoeringen met "
                "minstens %(n)s antwoorden, en in het totaal alleen die uitvoeringen. Een "
                "antwoord kan meer organisaties noemen."
            )
            % {"n": evaluation.MIN_ANSWERS},
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


# --- the page: the overview per providing partner --------------------------------------------


def overview_sections(overview: stats.Overview, *, runs_url) -> list[Section]:
    """The page's sections: per providing partner, each name linking to its runs
    (``runs_url(provider_id)``); the downloads keep a row per run (``sections``)."""
    partners = overview.partners
    links = tuple(runs_url(partner.provider_id) for partner in partners)
    per_run = _("Download per uitvoering als CSV")
    return [
        _overview_key_figures(overview),
        *(
            replace(section, row_links=links, download_label=per_run)
            for section in (
                _partner_fill(partners),
                _partner_waiting(partners),
                _partner_attendance(partners),
                _partner_completion(partners),
                _partner_evaluation(partners),
                _partner_followup(partners),
            )
        ),
        _contacts(overview.contacts),
        matrix_section(overview.matrix),
    ]


def run_sections(figures: DashboardFigures) -> list[Section]:
    """The per-run sections for one page of runs: no footers (they would total one page;
    the overview has the totals) and no charts (the tables are short)."""
    return [
        replace(
            section, footer=None, chart=None, download_label=_("Download alle uitvoeringen als CSV")
        )
        for section in (
            fill_section(figures.runs),
            waiting_section(figures.runs),
            attendance_section(figures.runs),
            completion_section(figures),
            evaluation_section(figures),
            followup_section(figures),
        )
    ]


def _partner_columns() -> tuple[Column, ...]:
    return (Column(_("Aanbieder"), TEXT), Column(_("Uitvoeringen")))


def _partner_total(partners: list[stats.PartnerFigures], label: str | None = None) -> tuple:
    return (label or _("Totaal"), sum(p.runs for p in partners))


def _partner_names(partners: list[stats.PartnerFigures]) -> tuple[str, ...]:
    return tuple(partner.provider for partner in partners)


def _overview_key_figures(overview: stats.Overview) -> Section:
    partners, totals = overview.partners, overview.totals

    def total(name: str) -> int:
        return sum(getattr(partner, name) for partner in partners)

    capacity, enrolled = total("capacity"), total("enrolled")
    recorded = total("present") + total("excused") + total("absent")
    rows = (
        (_("Uitvoeringen"), total("runs"), None),
        (_("Plaatsen"), capacity, None),
        (_("Ingeschreven (bezettingsgraad)"), enrolled, stats.ratio(enrolled, capacity)),
        (_("Personen ooit op een wachtlijst"), totals.waited, None),
        (
            _("Van hen nooit geplaatst"),
            totals.never_placed,
            stats.ratio(totals.never_placed, totals.waited),
        ),
        (_("Aanwezigheid geregistreerd"), recorded, None),
        (_("Aanwezig"), total("present"), stats.ratio(total("present"), recorded)),
        (
            _("Afwezig zonder afmelding (no-show)"),
            total("absent"),
            stats.ratio(total("absent"), recorded),
        ),
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


def _partner_fill(partners: list[stats.PartnerFigures]) -> Section:
    capacity = sum(p.capacity for p in partners)
    enrolled = sum(p.enrolled for p in partners)
    rates = tuple(stats.ratio(p.enrolled, p.capacity) for p in partners)
    return Section(
        key="bezetting",
        title=_("Bezetting"),
        chart_label=_("Staafdiagram: bezettingsgraad per aanbieder; de cijfers staan in de tabel."),
        columns=(
            *_partner_columns(),
            Column(_("Plaatsen")),
            Column(_("Ingeschreven")),
            Column(_("Bezettingsgraad"), PERCENT),
        ),
        rows=tuple(
            (p.provider, p.runs, p.capacity, p.enrolled, rate)
            for p, rate in zip(partners, rates, strict=True)
        ),
        footer=(*_partner_total(partners), capacity, enrolled, stats.ratio(enrolled, capacity)),
        chart=Chart(
            labels=_partner_names(partners),
            datasets=(Dataset(_("Bezettingsgraad"), rates),),
            percent=True,
        ),
    )


def _partner_waiting(partners: list[stats.PartnerFigures]) -> Section:
    return Section(
        key="wachtlijst",
        title=_("Vraag op de wachtlijst"),
        chart_label=_(
            "Staafdiagram: per aanbieder het aantal mensen dat op de wachtlijst stond en dat "
            "nooit geplaatst werd; de cijfers staan in de tabel."
        ),
        columns=(
            *_partner_columns(),
            Column(_("Nu op de wachtlijst")),
            Column(_("Ooit op de wachtlijst")),
            Column(_("Nooit geplaatst")),
        ),
        rows=tuple(
            (p.provider, p.runs, p.waiting_now, p.ever_waited, p.never_placed) for p in partners
        ),
        footer=(
            *_partner_total(partners),
            sum(p.waiting_now for p in partners),
            sum(p.ever_waited for p in partners),
            sum(p.never_placed for p in partners),
        ),
        chart=Chart(
            labels=_partner_names(partners),
            datasets=(
                Dataset(_("Ooit op de wachtlijst"), tuple(p.ever_waited for p in partners)),
                Dataset(_("Nooit geplaatst"), tuple(p.never_placed for p in partners)),
            ),
        ),
    )


def _partner_attendance(partners: list[stats.PartnerFigures]) -> Section:
    present = sum(p.present for p in partners)
    excused = sum(p.excused for p in partners)
    absent = sum(p.absent for p in partners)
    recorded = present + excused + absent
    return Section(
        key="aanwezigheid",
        title=_("Aanwezigheid en no-show"),
        chart_label=_(
            "Gestapeld staafdiagram: per aanbieder de registraties aanwezig, afgemeld met "
            "reden en afwezig; de cijfers staan in de tabel."
        ),
        columns=(
            *_partner_columns(),
            Column(_("Aanwezig")),
            Column(_("Afgemeld met reden")),
            Column(_("Afwezig (no-show)")),
            Column(_("Aanwezigheid"), PERCENT),
            Column(_("No-show"), PERCENT),
        ),
        rows=tuple(
            (
                p.provider,
                p.runs,
                p.present,
                p.excused,
                p.absent,
                stats.ratio(p.present, p.recorded),
                stats.ratio(p.absent, p.recorded),
            )
            for p in partners
        ),
        footer=(
            *_partner_total(partners),
            present,
            excused,
            absent,
            stats.ratio(present, recorded),
            stats.ratio(absent, recorded),
        ),
        chart=Chart(
            labels=_partner_names(partners),
            datasets=(
                Dataset(_("Aanwezig"), tuple(p.present for p in partners)),
                Dataset(_("Afgemeld met reden"), tuple(p.excused for p in partners)),
                Dataset(_("Afwezig (no-show)"), tuple(p.absent for p in partners)),
            ),
            stacked=True,
        ),
    )


def _partner_completion(partners: list[stats.PartnerFigures]) -> Section:
    """Over the runs that are over only: until then nobody can have completed them."""
    rates = tuple(stats.ratio(p.completed, p.eligible) for p in partners)
    eligible = sum(p.eligible for p in partners)
    done = sum(p.completed for p in partners)
    return Section(
        key="afronding",
        title=_("Afronding"),
        chart_label=_(
            "Staafdiagram: per aanbieder het deel van de deelnemers met een plaats in een "
            "afgelopen uitvoering dat de training afrondde; de cijfers staan in de tabel."
        ),
        columns=(
            Column(_("Aanbieder"), TEXT),
            Column(_("Afgelopen uitvoeringen")),
            Column(_("Met een plaats")),
            Column(_("Afgerond")),
            Column(_("Afrondingspercentage"), PERCENT),
        ),
        rows=tuple(
            (p.provider, p.finished_runs, p.eligible, p.completed, rate)
            for p, rate in zip(partners, rates, strict=True)
        ),
        footer=(
            _("Totaal afgelopen uitvoeringen"),
            sum(p.finished_runs for p in partners),
            eligible,
            done,
            stats.ratio(done, eligible),
        ),
        chart=_partner_chart(partners, _("Afrondingspercentage"), rates, percent=True),
    )


def _partner_chart(partners, label: str, values, *, percent: bool = False) -> Chart | None:
    known = [(p, v) for p, v in zip(partners, values, strict=True) if v is not None]
    if not known:
        return None
    return Chart(
        labels=tuple(p.provider for p, _v in known),
        datasets=(Dataset(label, tuple(v for _p, v in known)),),
        percent=percent,
    )


def _partner_evaluation(partners: list[stats.PartnerFigures]) -> Section:
    """All answers counted; the mean only over the runs with 5+ answers (as the total)."""
    means = [partner.mean for partner in partners]
    shown = [p for p in partners if p.shown_runs]
    score_count = sum(p.score_count for p in shown)
    mean_column = 4
    return Section(
        key="evaluatie",
        title=_("Evaluatiescores"),
        chart_label=_(
            "Staafdiagram: de gemiddelde score (1 tot 5) per aanbieder over de uitvoeringen "
            "met minstens %(n)s antwoorden; de cijfers staan in de tabel."
        )
        % {"n": evaluation.MIN_ANSWERS},
        columns=(
            *_partner_columns(),
            Column(_("Antwoorden")),
            Column(_("Uitvoeringen met minstens %(n)s antwoorden") % {"n": evaluation.MIN_ANSWERS}),
            Column(_("Gemiddelde score (1–5)"), DECIMAL),
        ),
        rows=tuple(
            (p.provider, p.runs, p.answers, p.shown_runs, mean)
            for p, mean in zip(partners, means, strict=True)
        ),
        footer=(
            *_partner_total(partners),
            sum(p.answers for p in partners),
            sum(p.shown_runs for p in partners),
            sum(p.score_sum for p in shown) / score_count if score_count else None,
        ),
        chart=_partner_chart(
            partners,
            _("Gemiddelde score"),
            [None if mean is None else stats.one_decimal(mean) for mean in means],
        ),
        marked=frozenset((r, mean_column) for r, mean in enumerate(means) if mean is None),
        mark_note=_hidden_note(),
        decimal_mark=get_format("DECIMAL_SEPARATOR"),
    )


def _partner_followup(partners: list[stats.PartnerFigures]) -> Section:
    """Asked and answered always; contact only over the runs with 5+ answers."""
    rows = []
    for p in partners:
        contacted = p.contacted if p.followup_shown_runs else None
        rate = (
            stats.ratio(p.contacted, p.followup_shown_answered) if contacted is not None else None
        )
        rows.append((p.provider, p.runs, p.asked, p.answered, contacted, rate))
    shown = [p for p in partners if p.followup_shown_runs]
    contacted = sum(p.contacted for p in shown)
    return Section(
        key="samenwerking",
        title=_("Samenwerkingsmeter"),
        chart_label="",
        columns=(
            *_partner_columns(),
            Column(_("Gevraagd")),
            Column(_("Beantwoord")),
            Column(_("Contact met een andere partner")),
            Column(_("Deel van de antwoorden"), PERCENT),
        ),
        rows=tuple(rows),
        footer=(
            *_partner_total(partners),
            sum(p.asked for p in partners),
            sum(p.answered for p in partners),
            contacted if shown else None,
            stats.ratio(contacted, sum(p.followup_shown_answered for p in shown)),
        ),
        marked=frozenset((r, c) for r, row in enumerate(rows) if row[4] is None for c in (4, 5)),
        mark_note=_hidden_note(),
    )


def _contacts(named: dict[str, int]) -> Section:
    ordered = tuple(named.items())
    return Section(
        key="contacten",
        title=_("Contact per organisatie"),
        chart_label=_(
            "Liggend staafdiagram: hoe vaak elke organisatie genoemd werd als partner met wie "
            "contact was; de cijfers staan in de tabel."
        ),
        columns=(Column(_("Organisatie"), TEXT), Column(_("Keer genoemd"))),
        rows=ordered,
        chart=Chart(
            labels=tuple(name for name, _n in ordered),
            datasets=(Dataset(_("Keer genoemd"), tuple(n for _name, n in ordered)),),
            horizontal=True,
        ),
    )
