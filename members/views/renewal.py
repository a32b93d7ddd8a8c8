"""Annual renewal in the browser: the member's own renewal, and the admins' renewal queue."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.http import posted, service_error_show
from core.pagination import page_of
from members import renewal_forms, renewal_selectors, renewal_services, selectors, services
from members.permissions import can_renew, is_admin

QUEUE_PER_PAGE = 25
FLAGS_PER_PAGE = 25


def renewal(request):
    """The member's renewal: its date and status, and while it is open the form, pre-filled
    with the facts stored on their profile."""
    if not can_renew(request.user):
        raise Http404
    standing = renewal_selectors.renewal_standing(request.user)
    profile = services.profile_get_or_create(user=request.user)
    agreement = selectors.current_agreement()
    initial = {name: getattr(profile, name) for name in renewal_forms.RenewalForm.FACTS}
    form = renewal_forms.RenewalForm(posted(request), initial=initial)
    if request.method == "POST":
        if not standing.can_answer or agreement is None:
            raise Http404
        if form.is_valid():
            try:
                renewal_services.renewal_submit(
                    renewal=standing.renewal,
                    user=request.user,
                    agreement_id=agreement.pk,
                    **form.facts(),
                )
            except ValidationError as refused:
                service_error_show(request, refused, form=form)
            else:
                messages.success(
                    request, "Thank you. Your renewal is with the membership team for approval."
                )
                return redirect("renewal")
    context = {"standing": standing, "form": form, "agreement": agreement}
    return render(request, "members/renewal.html", context)


def _admin_only(request) -> None:
    if not is_admin(request.user):
        raise Http404


def renewal_queue(request):
    _admin_only(request)
    today = renewal_services.today_utc()
    form = renewal_forms.RenewalQueueFilterForm(request.GET)
    queue = renewal_selectors.renewal_queue(request.user, today=today, **form.filters())
    context = {
        "form": form,
        "page": page_of(request, queue, QUEUE_PER_PAGE),
        "counts": renewal_selectors.renewal_counts(today=today),
        "changes_waiting": renewal_selectors.company_changes_waiting_count(),
        "today": today,
    }
    template = "members/renewal_queue.html"
    if request.htmx:
        template += "#renewal-results"
    return render(request, template, context)


def _detail_context(request, renewal, **forms_) -> dict:
    return {
        "renewal": renewal,
        "profile": renewal.user.profile,
        "grace_ends_on": renewal.grace_ends_on,
        "decision_form": forms_.get("decision_form") or renewal_forms.RenewalDecisionForm(),
        "date_form": forms_.get("date_form")
        or renewal_forms.RenewalDateForm(initial={"due_on": renewal.user.profile.renewal_due_on}),
    }


def renewal_detail(request, pk: int):
    renewal = renewal_selectors.renewal_for_admin(request.user, pk)
    return render(request, "members/renewal_detail.html", _detail_context(request, renewal))


@require_POST
def renewal_decide(request, pk: int):
    renewal = renewal_selectors.renewal_for_admin(request.user, pk)
    form = renewal_forms.RenewalDecisionForm(request.POST)
    if form.is_valid():
        try:
            renewal_services.renewal_decide(
                renewal=renewal,
                actor=request.user,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except (ValidationError, PermissionDenied) as refused:
            service_error_show(request, refused, form=form)
        else:
            messages.success(request, f"Renewal of {renewal.user.display_name} decided.")
            return redirect("renewal_queue")
    context = _detail_context(request, renewal, decision_form=form)
    return render(request, "members/renewal_detail.html", context)


@require_POST
def renewal_date(request, pk: int):
    renewal = renewal_selectors.renewal_for_admin(request.user, pk)
    form = renewal_forms.RenewalDateForm(request.POST)
    if form.is_valid():
        try:
            renewal_services.renewal_date_set(
                user=renewal.user, due_on=form.cleaned_data["due_on"], actor=request.user
            )
        except (ValidationError, PermissionDenied) as refused:
            service_error_show(request, refused, form=form)
        else:
            messages.success(request, "Renewal date changed.")
            return redirect("renewal_detail", pk=renewal.pk)
    context = _detail_context(request, renewal, date_form=form)
    return render(request, "members/renewal_detail.html", context)


def company_flags(request):
    _admin_only(request)
    flags = renewal_selectors.company_flags(request.user)
    context = {"page": page_of(request, flags, FLAGS_PER_PAGE)}
    template = "members/company_flags.html"
    if request.htmx:
        template += "#flags"
    return render(request, template, context)


@require_POST
def company_flag_handled(request, pk: int):
    _admin_only(request)
    flag = get_object_or_404(renewal_selectors.company_flags(request.user), pk=pk)
    renewal_services.company_flag_handled(flag=flag, actor=request.user)
    messages.success(request, f"Marked as handled: {flag.user.display_name}, {flag.company}.")
    return redirect("company_flags")
