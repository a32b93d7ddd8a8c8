"""The agenda: posting a topic to a meeting, votes, order, time boxes, outcomes, publishing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST

from core.http import service_error_show
from meetings import forms, selectors, services
from meetings.models import AgendaItem
from meetings.permissions import can_manage_meeting
from meetings.views.page import fragment


@require_POST
def meeting_post_topic(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    form = forms.PostTopicForm(request.POST, owner=request.user)
    if form.is_valid():
        try:
            services.topic_post(meeting=meeting, actor=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            service_error_show(request, error, form=form)
    if form.errors:
        return fragment(request, meeting, "agenda", post_form=form)
    return fragment(request, meeting, "agenda")


def _item(meeting, item_pk) -> AgendaItem:
    return get_object_or_404(meeting.agenda.all(), pk=item_pk)


@require_POST
def agenda_vote(request, pk: int, item_pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    try:
        services.vote_toggle(item=_item(meeting, item_pk), voter=request.user)
    except ValidationError as error:
        service_error_show(request, error)
    return fragment(request, meeting, "agenda")


@require_POST
def agenda_move(request, pk: int, item_pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    direction = request.POST.get("direction")
    to = request.POST.get("position", "")
    if direction not in {"up", "down", "to"} or (direction == "to" and not to.isdigit()):
        raise Http404
    services.agenda_move(
        item=_item(meeting, item_pk),
        actor=request.user,
        direction=direction,
        to=int(to) if direction == "to" else None,
    )
    return fragment(request, meeting, "agenda")


@require_POST
def agenda_item_update(request, pk: int, item_pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    item = _item(meeting, item_pk)
    form = forms.AgendaItemForm(request.POST)
    if form.is_valid():
        services.agenda_item_update(item=item, actor=request.user, **form.cleaned_data)
    elif not can_manage_meeting(request.user, meeting):
        raise PermissionDenied
    else:
        messages.error(request, "Minutes must be a whole number from 1 to 480.")
    return fragment(request, meeting, "agenda")


@require_POST
def agenda_outcome(request, pk: int, item_pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    item = _item(meeting, item_pk)
    form = forms.OutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.outcome_notes_set(
                item=item, actor=request.user, notes=form.cleaned_data["notes"]
            )
        except ValidationError as error:
            service_error_show(request, error, form=form)
    if form.errors:
        # The text as typed comes back with the error; a null character cannot be shown,
        # so it is marked where it was.
        typed = request.POST.get("notes", "").replace("\x00", "\ufffd")
        return fragment(
            request,
            meeting,
            "agenda",
            outcome_item=item.pk,
            outcome_errors=form.errors["notes"],
            outcome_typed=typed,
        )
    return fragment(request, meeting, "agenda")


@require_POST
def agenda_publish(request, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    services.agenda_publish(meeting=meeting, actor=request.user)
    messages.success(request, "Agenda published.")
    return fragment(request, meeting, "agenda")
