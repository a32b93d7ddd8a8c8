from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from core.http import service_error_messages
from core.models import Heartbeat, Notification
from core.page_cache import cached_page, next_moment
from core.versions import (
    APPLICATIONS,
    COHORTS,
    cached,
    cached_with_version,
    cohort_version,
    person_version,
)
from groups.models import Cohort, Membership
from meetings.forms import RsvpForm
from meetings.selectors import meeting_for
from meetings.services import rsvp_set
from members.models import Application, Role
from members.permissions import role_of
from members.selectors import queue_counts
from peernet import home_selectors


@login_not_required
@require_GET
def home(request):
    """Visitors get the landing page; everyone else their role's dashboard."""
    if not request.user.is_authenticated:
        return render(request, "peernet/landing.html")
    role = role_of(request.user)
    if role == Role.ADMIN:
        return _dashboard_admin(request)
    if role == Role.FACILITATOR:
        return _dashboard_facilitator(request)
    if role == Role.MEMBER:
        return _dashboard_member(request)
    application = Application.objects.filter(applicant=request.user).first()
    return render(request, "peernet/dashboard_applicant.html", {"application": application})


# The admin dashboard lists the newest cohorts only; the cohort list pages through them all.
DASHBOARD_COHORTS = 10


def _active_count():
    return Count("memberships", filter=Membership.active_q("memberships"))


# Where the admin dashboard's background-work card goes in the kept page: it shows the
# scheduler's last heartbeat (a minute old at most) and failed notifications (rows no version
# covers), so it is read and rendered afresh for every request. Markup cannot come from data.
BACKGROUND_WORK = "<!--peernet:background-work-->"


def _cohort_status_counts() -> dict:
    """How many cohorts there are in each status, in one query, every status present (0 too)."""
    counts = dict(Cohort.objects.values_list("status").annotate(n=Count("id")).order_by())
    parts = [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Cohort.Status.choices
    ]
    return {"total": sum(p["count"] for p in parts), "parts": parts}


def _background_work() -> str:
    beat_at = Heartbeat.objects.filter(name="scheduler").values_list("beat_at", flat=True).first()
    failed = Notification.objects.filter(state=Notification.State.FAILED).count()
    return render_to_string(
        "peernet/dashboard_admin.html#background-work",
        {"beat_at": beat_at, "failed_notifications": failed},
    )


def _dashboard_admin(request):
    """Kept for each admin until a cohort, a seat or an application changes (core.page_cache),
    with the background-work card put in afresh."""

    def render_page():
        # The newest first, then their member counts: counting before the limit would count
        # the members of every cohort in the organisation.
        newest = Cohort.objects.order_by("-created_at", "-pk").values("pk")[:DASHBOARD_COHORTS]
        cohorts = (
            Cohort.objects.filter(pk__in=newest)
            .annotate(active_members=_active_count())
            .order_by("-created_at", "-pk")
        )
        context = {
            # Both cached until a cohort or a seat changes (core.versions.COHORTS).
            **cached(
                COHORTS,
                "admin-dashboard",
                lambda: {"cohorts": list(cohorts), "cohort_counts": _cohort_status_counts()},
                shape="cohorts-and-counts",
            ),
            "queue_counts": queue_counts(request.user),
            "background_work": mark_safe(BACKGROUND_WORK),
        }
        return render(request, "peernet/dashboard_admin.html", context)

    response = cached_page(
        request,
        versions=[person_version(request.user.pk), COHORTS, APPLICATIONS],
        render=render_page,
    )
    response.content = response.content.replace(
        BACKGROUND_WORK.encode(), _background_work().encode()
    )
    return response


def _kept(request, key: str, cohort_ids_of, render_page, moments: list):
    """A dashboard kept for its viewer (core.page_cache) under their person version and the
    versions of the cohorts ``cohort_ids_of(user)`` gives (cached under the person version,
    which every change to those cohorts' list changes), until the first of ``moments``."""
    user = request.user
    cohort_ids = cached_with_version(
        person_version(user.pk), key, lambda: cohort_ids_of(user), shape="cohort-ids"
    )
    return cached_page(
        request,
        versions=[person_version(user.pk), *map(cohort_version, cohort_ids)],
        render=render_page,
        until=lambda: next_moment(moments),
    )


def _dashboard_facilitator(request):
    """Kept for each facilitator until one of their cohorts or their own rows change
    (core.page_cache), or the clock moves it on (home_selectors.FacilitatorHome.moments)."""
    user = request.user
    moments = []

    def render_page():
        home = home_selectors.facilitator_home(user)
        moments.extend(home.moments())
        context = {"cohorts": home.cohorts, "to_prepare": home.to_prepare, "coming": home.coming}
        return render(request, "peernet/dashboard_facilitator.html", context)

    # Their cohorts change only with their person version (a facilitator added or removed).
    return _kept(
        request, "facilitated-cohorts", home_selectors.facilitated_cohort_ids, render_page, moments
    )


def _member_context(request) -> dict:
    return {"home": home_selectors.member_home(request.user), "today": timezone.localdate()}


def _dashboard_member(request):
    """Kept for each member until their cohort or their own rows change (core.page_cache), or
    the clock moves it on (home_selectors.MemberHome.moments)."""
    moments = []

    def render_page():
        context = _member_context(request)
        moments.extend(context["home"].moments())
        return render(request, "peernet/dashboard_member.html", context)

    # The cohorts it shows change only with their person version (a seat, a commitment).
    return _kept(
        request, "dashboard-cohorts", home_selectors.member_cohort_ids, render_page, moments
    )


@require_POST
def home_rsvp(request, pk: int):
    """The RSVP of the dashboard's next-meeting card: answers, then shows the card again (the
    fragment for htmx, the page otherwise)."""
    meeting = meeting_for(request.user, pk)
    form = RsvpForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose yes, no or maybe.")
    else:
        try:
            rsvp_set(meeting=meeting, member=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as refused:
            for text in service_error_messages(refused):
                messages.error(request, text)
        else:
            messages.success(request, "Your answer is saved.")
    if not request.htmx:
        return redirect("home")
    return render(request, "peernet/dashboard_member.html#next-meeting", _member_context(request))


@login_not_required
@require_GET
def healthz(request):
    """For load balancers: the app answers and reaches its database."""
    Heartbeat.objects.exists()
    return JsonResponse({"status": "ok"})
