"""Writes for the forum protocol around a meeting: member updates, presentations, evaluations
and facilitator notes. Each checks who may write (again, after the view) and refuses bad input
with field errors, changing nothing."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from meetings import forum_selectors
from meetings.models import (
    EVALUATION_COMMENT_MAX,
    HEADLINE_MAX,
    MAX_HEADLINES,
    NOTE_TEXT_MAX,
    Evaluation,
    FacilitatorNote,
    Meeting,
    MemberUpdate,
    Topic,
    Wants,
)
from meetings.permissions import can_read_facilitator_notes


def _rating_errors(ratings: dict[str, object]) -> dict[str, str]:
    errors = {}
    for name, value in ratings.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10:
            errors[name] = "Rate from 1 (very low) to 10 (excellent)."
    return errors


# Member updates ---------------------------------------------------------------------------


def member_update_save(
    *,
    meeting: Meeting,
    member,
    work: int,
    family: int,
    personal: int,
    headlines: list[str],
    needs_time: bool = False,
    time_topic: str = "",
) -> MemberUpdate:
    """Write or change a member's update: one per member and meeting, from the day updates
    open until the meeting starts."""
    if not forum_selectors.is_cohort_member(member, meeting):
        raise PermissionDenied("Only members of this cohort write updates for its meetings.")
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.")
    opens, closes = forum_selectors.update_window(meeting)
    now = timezone.now()
    if now < opens:
        raise ValidationError(
            f"Updates for this meeting open on {timezone.localtime(opens):%A %-d %B}."
        )
    if forum_selectors.has_started(meeting, now) or now >= closes:
        raise ValidationError("This meeting has started: updates can no longer change.")
    errors = _rating_errors({"work": work, "family": family, "personal": personal})
    headlines = [h.strip() for h in headlines if h and h.strip()]
    if len(headlines) > MAX_HEADLINES:
        errors["headlines"] = (
            f"Give at most {MAX_HEADLINES} headlines (you gave {len(headlines)}): keep the ones "
            "that matter most."
        )
    elif any(len(h) > HEADLINE_MAX for h in headlines):
        errors["headlines"] = f"Keep each headline to {HEADLINE_MAX} characters."
    time_topic = (time_topic or "").strip() if needs_time else ""
    if len(time_topic) > 200:
        errors["time_topic"] = "Keep what you need time for to 200 characters."
    if errors:
        raise ValidationError(errors)
    values = {
        "work": work,
        "family": family,
        "personal": personal,
        "headlines": headlines,
        "needs_time": needs_time,
        "time_topic": time_topic,
    }
    for _ in range(3):
        try:
            with transaction.atomic():
                update, _ = MemberUpdate.objects.update_or_create(
                    meeting=meeting, member=member, defaults=values
                )
                return update
        except IntegrityError:
            continue  # a second submit inserted first; the next round updates that row
    raise ValidationError("Please try again.")


# Presentations ----------------------------------------------------------------------------


def presentation_save(
    *,
    topic: Topic,
    owner,
    statement: str,
    background: str,
    tried: str,
    wants: str,
    decision_by: date | None,
) -> Topic:
    """The owner's presentation of a topic. A decision deadline, when set or changed, may not
    lie in the past."""
    if topic.owner_id != owner.pk:
        raise PermissionDenied("A topic's presentation belongs to its owner.")
    errors = {}
    if wants and wants not in Wants.values:
        errors["wants"] = "Choose experience, ideas, accountability or just listening."
    if decision_by and decision_by != topic.decision_by and decision_by < timezone.localdate():
        errors["decision_by"] = "The decision deadline has passed: choose today or a later date."
    if errors:
        raise ValidationError(errors)
    topic.statement, topic.background, topic.tried = statement, background, tried
    topic.wants, topic.decision_by = wants, decision_by
    topic.full_clean()
    topic.save(update_fields=["statement", "background", "tried", "wants", "decision_by"])
    return topic


# Evaluations ------------------------------------------------------------------------------


def evaluation_submit(
    *, meeting: Meeting, member, rating: int, comment: str = "", most_valuable=None
) -> Evaluation:
    """One evaluation per attendee, once the meeting has ended; it cannot be changed."""
    if not forum_selectors.may_evaluate(meeting, member):
        raise PermissionDenied("Only the meeting's attendees evaluate it.")
    now = timezone.now()
    if meeting.is_cancelled:
        raise ValidationError("This meeting was cancelled.")
    if not forum_selectors.has_ended(meeting, now):
        raise ValidationError("You can evaluate the meeting once it has ended.")
    if now > forum_selectors.evaluation_closes(meeting):
        raise ValidationError("Evaluations for this meeting have closed.")
    errors = _rating_errors({"rating": rating})
    if len(comment) > EVALUATION_COMMENT_MAX:
        errors["comment"] = f"Keep the comment to {EVALUATION_COMMENT_MAX} characters."
    extra = {}
    if most_valuable is not None:
        if getattr(most_valuable, "meeting_id", None) != meeting.pk:
            errors["most_valuable"] = "Choose a segment of this meeting's running order."
        extra["most_valuable"] = most_valuable
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Evaluation.objects.create(
                meeting=meeting, member=member, rating=rating, comment=comment, **extra
            )
    except IntegrityError:
        raise ValidationError("You have already evaluated this meeting.") from None


# Facilitator notes ------------------------------------------------------------------------


def facilitator_note_save(*, meeting: Meeting, actor, text: str) -> FacilitatorNote:
    if not can_read_facilitator_notes(actor, meeting):
        raise PermissionDenied("Facilitator notes are for the cohort's facilitators.")
    if len(text) > NOTE_TEXT_MAX:
        raise ValidationError({"text": f"Keep the notes to {NOTE_TEXT_MAX} characters."})
    if "\x00" in text:
        raise ValidationError({"text": "The notes cannot contain null characters."})
    note, _ = FacilitatorNote.objects.update_or_create(
        meeting=meeting, defaults={"text": text, "updated_by": actor}
    )
    return note
