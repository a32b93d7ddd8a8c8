"""Placing approved members from the pool in existing cohorts (admins only; others 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.http import service_error_show
from groups import placement, selectors
from groups.models import Cohort
from groups.permissions import can_create_cohort

# The whole pool's suggestions are computed a page at a time.
POOL_PER_PAGE = 10


def _admin_only(request) -> None:
    if not can_create_cohort(request.user):
        raise Http404


def member_placement(request, user_id: int):
    """Ranked cohorts for one waiting member, each with a button that seats them."""
    _admin_only(request)
    member = get_object_or_404(selectors.pool(), pk=user_id)
    return render(
        request,
        "groups/placement.html",
        {"member": member, "placement": placement.placement_suggestions(member)},
    )


@require_POST
def member_place(request, user_id: int, slug: str):
    _admin_only(request)
    member = get_object_or_404(selectors.pool(), pk=user_id)
    cohort = get_object_or_404(Cohort.objects.filter(status__in=placement.OPEN), slug=slug)
    try:
        placement.member_place(cohort=cohort, member=member, actor=request.user)
    except ValidationError as error:
        service_error_show(request, error)
        return redirect("member_placement", user_id=member.pk)
    messages.success(
        request,
        f"{member.display_name} joined {cohort.name}. Its facilitators are notified.",
    )
    following = request.POST.get("next", "")
    if following and url_has_allowed_host_and_scheme(
        following, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(following)
    return redirect("cohort_detail", slug=cohort.slug)


def pool_placements(request):
    """The whole pool, longest waiting first, with each member's best cohort (a page at a
    time: each suggestion is a search over every open cohort)."""
    _admin_only(request)
    page = Paginator(selectors.pool(), POOL_PER_PAGE).get_page(request.GET.get("page"))
    page.query = ""
    rows = [(member, placement.placement_suggestions(member, limit=1)) for member in page]
    return render(request, "groups/pool_placements.html", {"page": page, "rows": rows})
