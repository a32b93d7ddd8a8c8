from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from core.http import service_error_messages
from core.models import Heartbeat, Notification
from core.versions import COHORTS, cached
from groups.models import Cohort, Membership
from groups.selectors import cohorts_facilitated_by
from meetings.forms import RsvpForm
from meetings.forum_selectors import meetings_to_prepare
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


def _active_count():
    return Count("memberships", filter=Membership.active_q("memberships"))


# The admin dashboard lists the newest cohorts only; the cohort list pages through them all.
DASHBOARD_COHORTS = 10


def _cohort_status_counts() -> dict:
    """How many cohorts there are in each status, in one query, every status present (0 too)."""
    counts = dict(Cohort.objects.values_list("status").annotate(n=Count("id")).order_by())
    parts = [
        {"status": value, "label": label, "count": counts.get(value, 0)}
        for value, label in Cohort.Status.choices
    ]
    return {"total": sum(p["count"] for p in parts), "parts": parts}


def _dashboard_admin(request):
    # The newest first, then their member counts: counting before the limit would count the
    # members of every cohort in the organisation.
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
        "heartbeat": Heartbeat.objects.filter(name="scheduler").first(),
        "failed_notifications": Notification.objects.filter(
            state=Notification.State.FAILED
        ).count(),
    }
    return render(request, "peernet/dashboard_admin.html", context)


def _dashboard_facilitator(request):
    cohorts = (
        cohorts_facilitated_by(request.user)
        .annotate(active_members=_active_count())
        .order_by("name")
    )
    return render(
        request,
        "peernet/dashboard_facilitator.html",
        {
            "cohorts": cohorts,
            "to_prepare": meetings_to_prepare(request.user),
            "coming": home_selectors.facilitator_coming(request.user),
        },
    )


def _member_context(request) -> dict:
    return {"home": home_selectors.member_home(request.user), "today": timezone.localdate()}


def _dashboard_member(request):
    return render(request, "peernet/dashboard_member.html", _member_context(request))


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
