"""Group norms: a cohort's health and standing (its facilitators and admins), excusing an
absence, the admins' review queue and decisions, and a member's own standing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from core.http import posted, redirect_done, service_error_show
from core.pagination import page_of
from groups.permissions import can_manage_cohort
from groups.selectors import cohort_for, cohorts_visible_to
from meetings import health_charts, norm_forms, norm_selectors, norm_services, selectors
from meetings.models import Attendance, NormBreach
from members.permissions import is_admin


def _standing_rows(cohort, facts, members) -> list[dict]:
    rows = []
    for member in members:
        standing = facts.standings.get((cohort.pk, member.pk))
        if standing is None:
            continue
        breaches = [
            b
            for (c, m, _, _), b in facts.open_breaches.items()
            if c == cohort.pk and m == member.pk
        ]
        rows.append(
            {
                "member": member,
                "standing": standing,
                "breaches": sorted(breaches, key=lambda b: (b.kind, b.level)),
                "at_risk": bool(breaches),
            }
        )
    return rows


def cohort_health(request, slug: str):
    """The facilitator's view of a cohort's health: charts, each member's standing against
    the norms with absences to excuse, and the norms' audit."""
    cohort = cohort_for(request.user, slug)
    if not can_manage_cohort(request.user, cohort):
        raise PermissionDenied
    now = timezone.now()
    facts = norm_selectors.norm_facts(cohort_ids=[cohort.pk], now=now)
    members = selectors.roster(cohort)
    context = {
        "cohort": cohort,
        "policy": facts.policies[cohort.pk],
        "rows": _standing_rows(cohort, facts, members),
        "events": norm_selectors.norm_events(cohort),
        "charts": health_charts.cohort_charts(cohort, now=now),
    }
    return render(request, "meetings/norms/cohort_health.html", context)


def absence_excuse(request, pk: int, member_id: int):
    meeting = selectors.meeting_for(request.user, pk)
    if not can_manage_cohort(request.user, meeting.cohort):
        raise PermissionDenied
    attendance = get_object_or_404(
        Attendance.objects.select_related("member"),
        meeting=meeting,
        member_id=member_id,
        status=Attendance.Status.ABSENT,
    )
    form = norm_forms.ExcuseForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            norm_services.absence_excuse(
                meeting=meeting,
                member=attendance.member,
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            messages.success(request, f"Absence of {attendance.member.display_name} excused.")
            return redirect_done(request, reverse("cohort_health_page", args=[meeting.cohort.slug]))
    template = "meetings/norms/excuse.html"
    if request.htmx:
        template += "#excuse-form"
    return render(
        request,
        template,
        {"meeting": meeting, "member": attendance.member, "form": form},
    )


REVIEW_PAGE_SIZE = 50


def review_queue(request):
    if not is_admin(request.user):
        raise PermissionDenied
    page = page_of(request, norm_selectors.review_queue(), REVIEW_PAGE_SIZE)
    template = "meetings/norms/review_queue.html"
    if request.htmx:
        template += "#review-items"
    return render(request, template, {"page": page})


def review_decide(request, pk: int):
    if not is_admin(request.user):
        raise PermissionDenied
    item = norm_selectors.review_item_for(pk)
    form = norm_forms.DecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            norm_services.review_decide(
                breach=item,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as error:
            service_error_show(request, error, form=form)
        else:
            messages.success(request, "Decision recorded.")
            return redirect_done(request, reverse("norm_review_queue"))
    template = "meetings/norms/review_decide.html"
    if request.htmx:
        template += "#decision-form"
    events = norm_selectors.norm_events(item.cohort, member_id=item.member_id)
    return render(request, template, {"item": item, "form": form, "events": events})


def my_standing(request):
    """A member's own standing in each of their cohorts, and their own numbers over time."""
    now = timezone.now()
    cohorts = list(
        cohorts_visible_to(request.user).filter(memberships__member=request.user).distinct()
    )
    facts = norm_selectors.norm_facts(
        cohort_ids=[c.pk for c in cohorts], now=now, member_id=request.user.pk
    )
    sections = []
    for cohort in cohorts:
        standing = facts.standings.get((cohort.pk, request.user.pk))
        if standing is None:
            continue
        sections.append(
            {
                "cohort": cohort,
                "policy": facts.policies[cohort.pk],
                "standing": standing,
                "breaches": [
                    b
                    for (c, _, _, _), b in facts.open_breaches.items()
                    if c == cohort.pk and b.level == NormBreach.Level.WARNING
                ],
                "charts": health_charts.member_charts(cohort, request.user, now=now),
            }
        )
    return render(request, "meetings/norms/my_standing.html", {"sections": sections})


def _policy_edit(request, cohort):
    current = (
        norm_selectors.policies_for([cohort.pk])[cohort.pk]
        if cohort
        else norm_selectors.organisation_policy()
    )
    initial = {name: getattr(current, name) for name in norm_forms.PolicyForm.Meta.fields}
    form = norm_forms.PolicyForm(posted(request), initial=initial)
    back = reverse("cohort_health_page", args=[cohort.slug]) if cohort else reverse("home")
    if request.method == "POST" and form.is_valid():
        try:
            norm_services.policy_save(cohort=cohort, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            service_error_show(request, error, form=form)
        else:
            messages.success(request, "Norms saved.")
            return redirect_done(request, back)
    template = "meetings/norms/policy_form.html"
    if request.htmx:
        template += "#norms-form"
    return render(request, template, {"cohort": cohort, "form": form, "back": back})


def cohort_norms_edit(request, slug: str):
    cohort = cohort_for(request.user, slug)
    if not can_manage_cohort(request.user, cohort):
        raise PermissionDenied
    return _policy_edit(request, cohort)


def norm_defaults(request):
    if not is_admin(request.user):
        raise PermissionDenied
    return _policy_edit(request, None)
