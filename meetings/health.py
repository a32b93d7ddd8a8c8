"""The health of cohorts: next meeting and attendance. One fragment for the cohorts of a whole
list page (groups may not import meetings, so its pages pull it in); each cohort's line is
swapped out of band into its row's ``#health-<slug>``."""

from django.http import Http404
from django.shortcuts import render

from groups.selectors import cohorts_visible_to
from meetings import selectors

MAX_COHORTS = 100


def cohorts_health(request):
    """``?cohort=<slug>&cohort=<slug>…``: the cohorts the user may see among them, in a fixed
    number of queries whatever their number; none visible is a 404."""
    slugs = request.GET.getlist("cohort")[:MAX_COHORTS]
    cohorts = list(cohorts_visible_to(request.user).filter(slug__in=slugs).order_by("name", "pk"))
    if not cohorts:
        raise Http404
    health = selectors.cohorts_health(cohorts)
    rows = []
    for cohort in cohorts:
        next_meeting, rate = health[cohort.pk]
        rows.append(
            {
                "cohort": cohort,
                "next_meeting": next_meeting,
                "attendance": round(rate * 100) if rate is not None else None,
                "weak": rate is not None and rate < 0.8,
            }
        )
    return render(request, "meetings/cohort_health.html", {"rows": rows})
