"""The facilitator's preparation for a meeting, and their private notes on it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.http import service_error_show
from meetings import forum_forms, forum_selectors, forum_services, selectors
from meetings.models import Rsvp
from meetings.permissions import can_read_facilitator_notes

TEMPLATE = "meetings/prep.html"


def _prep_context(meeting, note_form=None, note_saved=False) -> dict:
    members = selectors.roster(meeting.cohort)
    answers = {
        r.member_id: r
        for r in Rsvp.objects.filter(meeting=meeting, member__in=[m.pk for m in members])
    }
    rows = [(m, answers.get(m.pk)) for m in members]
    previous, previous_averages = forum_selectors.last_evaluation(meeting)
    note = forum_selectors.facilitator_note(meeting)
    return {
        "meeting": meeting,
        "cohort": meeting.cohort,
        "coming": [m for m, r in rows if r and r.answer == Rsvp.Answer.YES],
        "maybe": [m for m, r in rows if r and r.answer == Rsvp.Answer.MAYBE],
        "not_coming": [m for m, r in rows if r and r.answer == Rsvp.Answer.NO],
        "no_answer": [m for m, r in rows if r is None],
        "summary": forum_selectors.updates_summary(meeting),
        "presentations": forum_selectors.presentations(meeting),
        "commitments": list(selectors.open_commitments(meeting.cohort, before=meeting.starts_at)),
        "previous": previous,
        "previous_averages": previous_averages,
        "note": note,
        "note_form": note_form
        or forum_forms.FacilitatorNoteForm(initial={"text": note.text if note else ""}),
        "note_saved": note_saved,
    }


def meeting_prep(request, pk: int):
    meeting = forum_selectors.meeting_scoped(request.user, pk)
    if not can_read_facilitator_notes(request.user, meeting):
        raise PermissionDenied
    return render(request, TEMPLATE, _prep_context(meeting))


@require_POST
def facilitator_note(request, pk: int):
    meeting = forum_selectors.meeting_scoped(request.user, pk)
    if not can_read_facilitator_notes(request.user, meeting):
        raise PermissionDenied
    form = forum_forms.FacilitatorNoteForm(request.POST)
    saved = False
    if form.is_valid():
        try:
            forum_services.facilitator_note_save(
                meeting=meeting, actor=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            service_error_show(request, error, form=form)
        else:
            if not request.htmx:
                return redirect("meeting_prep", pk=pk)
            saved = True
    if form.is_valid() and not form.errors:
        form = None  # show what was saved
    context = _prep_context(meeting, note_form=form, note_saved=saved)
    return render(request, TEMPLATE + ("#facilitator-note" if request.htmx else ""), context)
