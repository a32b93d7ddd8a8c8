"""A cohort's health line: next meeting and attendance (a fragment the groups pages pull in,
since groups may not import meetings)."""

from django.shortcuts import render

from groups.selectors import cohort_for
from meetings import selectors


def cohort_health(request, slug: str):
    cohort = cohort_for(request.user, slug)
    upcoming = list(selectors.upcoming(cohort, limit=1))
    rate = selectors.attendance_rate(cohort)
    return render(
        request,
        "meetings/cohort_health.html",
        {
            "cohort": cohort,
            "next_meeting": upcoming[0] if upcoming else None,
            "attendance": round(rate * 100) if rate is not None else None,
            "weak": rate is not None and rate < 0.8,
        },
    )
