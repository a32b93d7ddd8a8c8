import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from core.http import posted, service_error_show
from core.page_cache import NOT_KEPT, cached_page
from core.pagination import page_of
from core.versions import (
    COHORTS,
    ORG,
    POOL,
    cached,
    cohort_version,
    person_version,
    template_shape,
)
from groups import forms, selectors, services
from groups.models import Membership
from groups.permissions import (
    can_appoint_facilitators,
    can_create_cohort,
    can_manage_cohort,
    can_override_conflict,
    can_see_pool,
)
from members.models import Role
from members.permissions import is_admin, is_facilitator

COHORTS_PER_PAGE = 50
POOL_PER_PAGE = 25


def _fields(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("facilitators", None)
    themes = data.pop("themes", [])
    if "home_city" in data:
        data.update(services.home_city_fields(data.pop("home_city")))
    return {"themes": list(themes), **data}


def cohort_list(request):
    user = request.user
    if user.role == Role.MEMBER and not is_admin(user):
        cohort = selectors.cohort_of_member(user)
        if cohort is None:
            raise Http404
        return redirect("cohort_detail", slug=cohort.slug)
    if not (is_admin(user) or is_facilitator(user)):
        raise Http404
    form = forms.CohortFilterForm(request.GET)
    results = _cohort_results(request, form)
    if request.htmx:
        return HttpResponse(results)
    return render(
        request,
        "groups/cohort_list.html",
        {"form": form, "cohort_results": results, "can_create": can_create_cohort(user)},
    )


def _cohort_results(request, form) -> str:
    """The results region (`#cohort-results`) of this page of this filter, rendered once and
    cached until a cohort, a seat, a facilitator or a theme changes (core.versions.COHORTS):
    a full page of 50 cards cost most of the list's time. Admins share one copy; a
    facilitator's list is their own."""
    user = request.user

    def render_results() -> str:
        page = page_of(request, selectors.cohort_list(user, **form.filters()), COHORTS_PER_PAGE)
        return render_to_string(
            "groups/cohort_list.html#cohort-results", {"page": page, "cohorts": page.object_list}
        )

    scope = "admins" if is_admin(user) else f"user-{user.pk}"
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()
    shape = template_shape("groups/cohort_list.html", "components/pagination.html")
    return mark_safe(cached(COHORTS, f"list:{scope}:{query}", render_results, shape=shape))


def cohort_create(request):
    if not can_create_cohort(request.user):
        raise Http404
    form = forms.CohortForm(posted(request), can_appoint=True)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(
                actor=request.user,
                facilitators=list(form.cleaned_data["facilitators"]),
                **_fields(form),
            )
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            messages.success(request, f"{cohort.name} is created.")
            return redirect("cohort_detail", slug=cohort.slug)
    return render(request, "groups/cohort_form.html", {"form": form, "cohort": None})


def cohort_detail(request, slug: str):
    """The cohort page, kept for each viewer until the cohort (its settings, seats, members'
    names and profiles, facilitators, themes, history), the viewer or the organisation (the
    names of challenges) changes (core.page_cache). Nothing on it changes by the clock."""
    cohort_id = selectors.cohort_id_at(slug)
    elsewhere = []

    def render_page():
        cohort = selectors.cohort_for(request.user, slug)
        selectors.cohort_at_remember(cohort)
        if cohort.pk != cohort_id:  # the slug moved to another cohort since it was looked up
            elsewhere.append(cohort.pk)
        manage = can_manage_cohort(request.user, cohort)
        return render(
            request,
            "groups/cohort_detail.html",
            {
                "cohort": cohort,
                "roster": cohort.roster,
                "can_manage": manage,
                "events": selectors.roster_events(cohort) if manage else [],
            },
        )

    if cohort_id is None:  # not seen yet, or no such cohort
        return render_page()
    return cached_page(
        request,
        versions=[cohort_version(cohort_id), person_version(request.user.pk), ORG],
        render=render_page,
        until=lambda: NOT_KEPT if elsewhere else None,
    )


def _managed_cohort(request, slug):
    cohort = selectors.cohort_for(request.user, slug)
    if not can_manage_cohort(request.user, cohort):
        raise PermissionDenied("Only this cohort's facilitators and admins can do this.")
    return cohort


def cohort_edit(request, slug: str):
    cohort = _managed_cohort(request, slug)
    appoint = can_appoint_facilitators(request.user)
    form = forms.CohortForm(posted(request), instance=cohort, can_appoint=appoint)
    if request.method == "POST" and form.is_valid():
        extra = {"facilitators": list(form.cleaned_data["facilitators"])} if appoint else {}
        try:
            services.cohort_update(cohort=cohort, actor=request.user, **_fields(form), **extra)
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            messages.success(request, "Cohort settings saved.")
            return redirect("cohort_detail", slug=cohort.slug)
    return render(request, "groups/cohort_form.html", {"form": form, "cohort": cohort})


def _pool_results(request, form, *, cohort=None, can_place=False) -> str:
    """The results region (`#pool-results`) of this page of this filter: the count, the rows
    and their buttons, rendered once and cached until the pool (people, profiles, challenges,
    seats), the organisation (challenge names) or, on a cohort's "add a member" page, that
    cohort changes, and at most for the minute (each row says how long the person has
    waited). Admins share one copy per filter and page; the page query over every waiting
    member and its prefetch cost most of the pool's time at 35,000 members."""

    def render_results() -> str:
        filters = form.filters()
        page = page_of(
            request, selectors.pool(**filters), POOL_PER_PAGE, count=selectors.pool_count(**filters)
        )
        return render_to_string(
            "groups/_pool_table.html", {"page": page, "cohort": cohort, "can_place": can_place}
        )

    names = [POOL, ORG] + ([cohort_version(cohort.pk)] if cohort else [])
    scope = f"cohort-{cohort.pk}" if cohort else f"pool-{int(can_place)}"
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()
    minute = int(timezone.now().timestamp()) // 60
    shape = template_shape("groups/_pool_table.html", "components/pagination.html")
    return mark_safe(
        cached(names, f"pool:{scope}:{minute}:{query}", render_results, 120, shape=shape)
    )


def cohort_add(request, slug: str):
    cohort = _managed_cohort(request, slug)
    form = forms.PoolFilterForm(request.GET)
    context = {
        "cohort": cohort,
        "form": form,
        "pool_results": _pool_results(request, form, cohort=cohort),
        "full": len(cohort.roster) >= cohort.max_size,
    }
    template = "groups/cohort_add.html"
    if request.htmx:
        template += "#pool-results"
    return render(request, template, context)


def cohort_add_member(request, slug: str, user_id: int):
    """GET: what adding this person would mean (inline via htmx). POST: add them."""
    cohort = _managed_cohort(request, slug)
    candidate = get_object_or_404(selectors.pool(), pk=user_id)
    form = forms.AddMemberForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_add(
                cohort=cohort,
                member=candidate,
                actor=request.user,
                override_reason=form.cleaned_data["override_reason"],
            )
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            messages.success(request, f"{candidate.display_name} joined {cohort.name}.")
            if request.htmx:
                response = render(
                    request, "groups/_added.html", {"candidate": candidate, "cohort": cohort}
                )
                return response
            return redirect("cohort_detail", slug=cohort.slug)
    check = services.membership_check(
        cohort=cohort, member=candidate, roster_ids=[m.member_id for m in cohort.roster]
    )
    context = {
        "cohort": cohort,
        "candidate": candidate,
        "check": check,
        "form": form,
        "can_override": can_override_conflict(request.user),
    }
    template = "groups/cohort_add_member.html"
    if request.htmx:
        template += "#candidate-check"
    return render(request, template, context)


def membership_remove(request, slug: str, pk: int):
    cohort = _managed_cohort(request, slug)
    membership = get_object_or_404(
        Membership.objects.active().filter(cohort=cohort).select_related("member", "cohort"),
        pk=pk,
    )
    form = forms.RemoveMemberForm(posted(request))
    if request.method == "POST" and form.is_valid():
        services.membership_remove(
            membership=membership, actor=request.user, reason=form.cleaned_data["reason"]
        )
        messages.success(request, f"{membership.member.display_name} left {cohort.name}.")
        return redirect("cohort_detail", slug=cohort.slug)
    return render(
        request,
        "groups/membership_remove.html",
        {"cohort": cohort, "membership": membership, "form": form},
    )


def pool(request):
    if not can_see_pool(request.user) or not is_admin(request.user):
        raise Http404
    form = forms.PoolFilterForm(request.GET)
    can_place = can_create_cohort(request.user)
    template = "groups/pool.html"
    if request.htmx:
        template += "#pool-results"
    return render(
        request,
        template,
        {
            "form": form,
            "pool_results": _pool_results(request, form, can_place=can_place),
            "can_place": can_place,
        },
    )
