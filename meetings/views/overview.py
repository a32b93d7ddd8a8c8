"""The admins' overview of every cohort, riskiest first, with a CSV export of the same list."""

import csv
import hashlib
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.pagination import page_of
from core.versions import COHORTS, HEALTH, cached, template_shape
from meetings import overview_selectors
from meetings.norm_forms import OverviewFilterForm
from meetings.overview_selectors import Risk
from members.permissions import is_admin

PAGE_SIZE = 25
TEMPLATE = "meetings/overview/cohorts.html"
# What the results are rendered from besides the templates: bump when the rows change form.
RESULTS_SHAPE = "rows-2"
CSV_HEADER = [
    "cohort",
    "risk",
    "why",
    f"attendance, last {overview_selectors.ATTENDANCE_DAYS} days (%)",
    "open warnings",
    "open review items",
    "members",
    "minimum size",
    "maximum size",
    "status",
    "format",
    "facilitators",
]


def _admin_only(request) -> None:
    if not is_admin(request.user):
        raise PermissionDenied


def _cohorts(request, now: datetime):
    _admin_only(request)
    form = OverviewFilterForm(request.GET)
    return form, overview_selectors.cohorts_by_risk(now=now, filters=form.filters())


def cohorts_overview(request):
    """Every cohort, riskiest first, a page at a time: the risk, why, an attendance sparkline."""
    _admin_only(request)
    form = OverviewFilterForm(request.GET)
    results = _overview_results(request, form)
    if request.htmx:
        return HttpResponse(results)
    context = {
        "form": form,
        "overview_results": results,
        "days": overview_selectors.ATTENDANCE_DAYS,
    }
    return render(request, TEMPLATE, context)


def _overview_results(request, form) -> str:
    """The results region (`#overview-results`: the CSV link, the table, the pages) of this
    filter and page, rendered once and shared by every admin (it holds nothing of the viewer):
    cached under the versions and the hour its figures are (ranked_figures), so it is rendered
    afresh when a cohort, a seat, a facilitator's name, a meeting, an attendance or a breach
    changes, and when the hour turns (the windows of the figures and sparklines move on)."""
    now = timezone.now()

    def render_results() -> str:
        cohorts = overview_selectors.cohorts_by_risk(now=now, filters=form.filters())
        page = page_of(request, cohorts, PAGE_SIZE)
        lines = overview_selectors.sparklines([c.pk for c in page], now=now)
        rows = [
            {
                "cohort": cohort,
                "risk": Risk.LABEL[cohort.risk],
                "risk_css": Risk.LABEL[cohort.risk].lower(),
                "reasons": overview_selectors.risk_reasons(cohort),
                "attendance": round(cohort.attendance) if cohort.attendance is not None else None,
                "spark": lines[cohort.pk],
            }
            for cohort in page
        ]
        return render_to_string(f"{TEMPLATE}#overview-results", {"page": page, "rows": rows})

    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()
    key = f"cohorts-by-risk:results:{now:%Y-%m-%dT%H}:{query}"
    shape = f"{RESULTS_SHAPE}:{template_shape(TEMPLATE, 'components/pagination.html')}"
    return mark_safe(cached((COHORTS, HEALTH), key, render_results, timeout=3600, shape=shape))


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    """A spreadsheet does not run a cell that starts like a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv_rows(cohorts):
    yield CSV_HEADER
    for cohort in cohorts:  # a chunk at a time
        yield [
            _cell(cohort.name),
            Risk.LABEL[cohort.risk],
            "; ".join(overview_selectors.risk_reasons(cohort)),
            "" if cohort.attendance is None else round(cohort.attendance, 1),
            cohort.open_warnings,
            cohort.open_reviews,
            cohort.seated,
            cohort.min_size,
            cohort.max_size,
            cohort.get_status_display(),
            cohort.get_format_display(),
            _cell(", ".join(f.display_name for f in cohort.facilitators.all())),
        ]


def cohorts_overview_csv(request):
    """The overview's filtered list, every page of it, streamed as CSV."""
    now = timezone.now()
    _form, cohorts = _cohorts(request, now)
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in _csv_rows(cohorts)), content_type="text/csv"
    )
    response["Content-Disposition"] = f'attachment; filename="cohorts-by-risk-{now:%Y-%m-%d}.csv"'
    return response
