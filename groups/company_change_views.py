"""The admins' queue of company changes: a member's new company waits here until an admin
approves or declines it, seeing first whom it would conflict with in the member's cohorts."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.http import service_error_show
from core.pagination import page_of
from groups import selectors
from members import services
from members.models import CompanyChangeRequest
from members.permissions import is_admin

PER_PAGE = 25
DECISIONS = {"approve": True, "decline": False}


def _admin_only(request) -> None:
    if not is_admin(request.user):
        raise Http404


def _page(request, *, page_number=None) -> dict:
    changes = selectors.company_changes_waiting(request.user)
    page = page_of(request, changes, PER_PAGE)
    if page_number is not None:
        page = page.paginator.get_page(page_number)
        page.query = ""
    return {"page": page, "rows": selectors.company_change_rows(list(page.object_list))}


def company_changes(request):
    _admin_only(request)
    template = "groups/company_changes.html"
    if request.htmx:
        template += "#company-changes"
    return render(request, template, _page(request))


@require_POST
def company_change_decide(request, pk: int):
    """Approve or decline one waiting change; with htmx the list comes back in place (the page
    the admin was on), without it the browser goes back to the list."""
    _admin_only(request)
    change = get_object_or_404(CompanyChangeRequest.objects.select_related("user"), pk=pk)
    approve = DECISIONS.get(request.POST.get("decision", ""))
    if approve is None:
        messages.error(request, "Choose Approve or Decline.")
    else:
        try:
            services.company_change_decide(change=change, actor=request.user, approve=approve)
        except ValidationError as refused:
            service_error_show(request, refused)
        else:
            name = change.user.display_name
            messages.success(
                request,
                f"Approved: {name} now works at {change.company}."
                if approve
                else f"Declined: {name}'s change to {change.company}.",
            )
    page_number = request.POST.get("page", "")
    if request.htmx:
        context = _page(request, page_number=page_number or None)
        return render(request, "groups/company_changes.html#company-changes", context)
    if page_number.isdigit():
        return redirect(f"{reverse('company_changes')}?page={page_number}")
    return redirect("company_changes")
