"""The admins' overview of every cohort, riskiest first, with a CSV export of the same list."""

import csv
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.pagination import page_of
from meetings import overview_selectors
from meetings.norm_forms import OverviewFilterForm
from meetings.overview_selectors import Risk
from members.permissions import is_admin

PAGE_SIZE = 25
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


def _cohorts(request, now: datetime):
    if not is_admin(request.user):
        raise PermissionDenied
    form = OverviewFilterForm(request.GET)
    filters = form.filters()
    return form, overview_selectors.cohorts_by_risk(now=now, filters=filters)


def cohorts_overview(request):
    """Every cohort, riskiest first, a page at a time: the risk, why, an attendance sparkline."""
    now = timezone.now()
    form, cohorts = _cohorts(request, now)
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
    template = "meetings/overview/cohorts.html"
    if request.htmx:
        template += "#overview-results"
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "days": overview_selectors.ATTENDANCE_DAYS,
    }
    return render(request, template, context)


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
