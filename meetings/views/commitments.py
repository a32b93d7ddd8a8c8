"""Commitments made at a meeting, marked done, and a member's open ones."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from meetings import forms, selectors, services
from meetings.models import Commitment
from meetings.permissions import can_manage_meeting
from meetings.views.page import page_context


@require_POST
def commitment_add(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    if not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    form = forms.CommitmentForm(request.POST, members=selectors.roster(meeting.cohort))
    if form.is_valid():
        services.commitment_create(meeting=meeting, actor=request.user, **form.cleaned_data)
        messages.success(request, "Commitment recorded.")
        return redirect("meeting_detail", pk=pk)
    return render(
        request,
        "meetings/meeting_detail.html",
        page_context(request, meeting, commitment_form=form),
    )


@require_POST
def commitment_done(request, pk: int):
    commitment = get_object_or_404(
        Commitment.objects.filter(
            meeting__in=selectors.meetings_visible_to(request.user)
        ).select_related("meeting__cohort"),
        pk=pk,
    )
    services.commitment_done(commitment=commitment, actor=request.user)
    messages.success(request, "Marked done.")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = reverse("home")
    return redirect(target or reverse("home"))


def my_commitments(request):
    """The signed-in member's open commitments (a dashboard region)."""
    template = "meetings/my_commitments.html"
    if request.htmx:
        template += "#my-commitments"
    return render(request, template, {"commitments": selectors.member_commitments(request.user)})
