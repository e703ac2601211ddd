"""The programme dashboard for coordinators (and beheerders): the page and its downloads."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.csv import csv_response
from portal.xlsx import Sheet, xlsx_response

from .. import dashboard, selectors, services
from ..forms import DashboardPeriodForm
from ..programme_stats import DATE, DECIMAL, PERCENT, chart_payload

EXPORT_FORMATS = ("csv", "xlsx")
NUMBER_FORMATS = {PERCENT: "0%", DATE: "dd-mm-yyyy", DECIMAL: "0.0"}
# Rows of a table (and bars of its chart) on the page; the downloads hold them all.
PAGE_ROWS = 50


def _programme(request, programme_id: int):
    programme = selectors.dashboard_programme(user=request.user, programme_id=programme_id)
    if programme is None:
        raise Http404
    return programme


def _period_form(request) -> DashboardPeriodForm:
    period_keys = ("jaar", "kwartaal", "van", "tot")
    data = request.GET if any(key in request.GET for key in period_keys) else None
    return DashboardPeriodForm(data, today=timezone.localdate())


@require_safe
@login_required
def programme_dashboards(request):
    """The programmes whose dashboard this user may open."""
    programmes = selectors.dashboard_programmes(user=request.user)
    return render(request, "trainings/programme_dashboards.html", {"programmes": programmes})


PERIOD_KEYS = ("jaar", "kwartaal", "van", "tot")


def _period_query(request) -> str:
    """The period's part of the query string, for links that keep the period."""
    query = request.GET.copy()
    for key in list(query):
        if key not in PERIOD_KEYS:
            del query[key]
    return query.urlencode()


def _id_param(request, key: str) -> int | None:
    value = request.GET.get(key, "")
    return int(value) if value.isdigit() and len(value) < 12 else None


@require_safe
@login_required
def programme_dashboard(request, programme_id: int):
    """The period's figures per providing partner, as last counted by a task: the page reads
    one row, however many runs the period holds; each partner links to its runs."""
    programme = _programme(request, programme_id)
    form = _period_form(request)
    context = {"programme": programme, "form": form, "definitions": dashboard.definitions()}
    if form.is_valid():
        period = form.period()
        now = timezone.now()
        state = selectors.programme_overview_state(programme=programme, period=period, now=now)
        if state.due:
            services.programme_overview_request(programme=programme, period=period, now=now)
            # Where tasks run at once (no queue configured) the count is there now.
            state = selectors.programme_overview_state(programme=programme, period=period, now=now)
        query = _period_query(request)
        runs = reverse("trainings:programme_dashboard_runs", args=[programme.pk])
        sections = []
        if state.overview is not None:
            sections = [
                section.on_page(PAGE_ROWS)
                for section in dashboard.overview_sections(
                    state.overview,
                    runs_url=lambda provider_id: f"{runs}?{query}&aanbieder={provider_id}",
                )
            ]
        context |= {
            "period": period,
            "counted_at": state.computed_at,
            "sections": sections,
            "chart_data": chart_payload(sections),
            "query": query,
            "runs_url": f"{runs}?{query}",
        }
    return render(request, "trainings/programme_dashboard.html", context)


@require_safe
@login_required
def programme_dashboard_runs(request, programme_id: int):
    """The period's runs with their figures, a page at a time, of one partner or all."""
    programme = _programme(request, programme_id)
    form = _period_form(request)
    if not form.is_valid():
        # The dashboard says what is wrong with the period.
        url = reverse("trainings:programme_dashboard", args=[programme.pk])
        return redirect(f"{url}?{request.GET.urlencode()}")
    period = form.period()
    provider_id = _id_param(request, "aanbieder")
    providers = selectors.dashboard_providers(programme=programme)
    page = selectors.dashboard_run_page(
        programme=programme,
        period=period,
        now=timezone.now(),
        providers=providers,
        provider_id=provider_id,
        after=_id_param(request, "na"),
        before=_id_param(request, "voor"),
    )
    query = _period_query(request)
    filtered = f"{query}&aanbieder={page.provider.pk}" if page.provider else query
    return render(
        request,
        "trainings/programme_dashboard_runs.html",
        {
            "programme": programme,
            "period": period,
            "page": page,
            "providers": providers,
            "unknown_provider": provider_id is not None and page.provider is None,
            "sections": dashboard.run_sections(page.figures),
            "page_size": selectors.RUN_PAGE_SIZE,
            "query": query,
            "filtered_query": filtered,
            "period_fields": [
                (key, request.GET[key]) for key in PERIOD_KEYS if request.GET.get(key)
            ],
        },
    )


@require_safe
@login_required
def programme_dashboard_export(request, programme_id: int):
    """The dashboard as XLSX (one sheet per section) or one section as CSV."""
    programme = _programme(request, programme_id)
    form = _period_form(request)
    if not form.is_valid():
        # The page says what is wrong with the period.
        url = reverse("trainings:programme_dashboard", args=[programme.pk])
        return redirect(f"{url}?{request.GET.urlencode()}")
    export_format = request.GET.get("formaat", "xlsx")
    if export_format not in EXPORT_FORMATS:
        raise Http404
    period = form.period()
    figures = selectors.programme_dashboard(programme=programme, period=period, now=timezone.now())
    sections = dashboard.sections(figures)
    name = f"programmadashboard-{programme.pk}-{period.slug}"
    if export_format == "csv":
        section = next((s for s in sections if s.key == request.GET.get("onderdeel")), None)
        if section is None:
            raise Http404
        header, *rows = section.export_rows
        return csv_response(
            filename=f"{name}-{section.key}.csv", rows=[header, *section.display_rows(rows)]
        )
    about = Sheet(
        title=_("Toelichting"),
        rows=[
            [_("Programma"), programme.name],
            [_("Periode"), f"{date_format(period.first)} – {date_format(period.last)}"],
            [_("Gemaakt op"), date_format(timezone.localtime(), "DATETIME_FORMAT")],
            *([term, text] for term, text in dashboard.definitions()),
        ],
    )
    return xlsx_response(
        filename=f"{name}.xlsx",
        sheets=[
            about,
            *(
                Sheet(
                    title=section.title,
                    rows=section.export_rows,
                    formats={
                        i: NUMBER_FORMATS[column.kind]
                        for i, column in enumerate(section.columns)
                        if column.kind in NUMBER_FORMATS
                    },
                )
                for section in sections
            ),
        ],
    )
