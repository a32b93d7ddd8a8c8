"""Every write in the meetings app."""

from datetime import date, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Least
from django.utils import timezone

from core.tokens import token_hash, token_new
from core.versions import HEALTH, version_bump
from groups.models import Cohort, Membership
from groups.permissions import can_manage_cohort
from meetings import norm_services, notification_kinds, recurrence, runner, selectors
from meetings.models import (
    MAX_TIMES_RAISED,
    OUTCOME_NOTES_MAX,
    AgendaItem,
    Attendance,
    CalendarFeed,
    Commitment,
    Meeting,
    Rsvp,
    Series,
    Topic,
    Vote,
)
from meetings.permissions import can_manage_meeting

HORIZON_DAYS = 365


def _require_manager(actor, cohort) -> None:
    if not can_manage_cohort(actor, cohort):
        raise PermissionDenied("Only this cohort's facilitators and admins change its meetings.")


def _is_member(user, cohort) -> bool:
    return Membership.objects.active().filter(cohort=cohort, member=user).exists()


# Series and occurrences -------------------------------------------------------------------


def series_create(
    *,
    cohort,
    actor,
    title,
    rrule,
    first_date,
    start_time,
    duration_minutes,
    time_zone,
    location="",
    video_url="",
) -> Series:
    _require_manager(actor, cohort)
    rule = recurrence.validate(rrule, first_date, start_time)
    with transaction.atomic():
        series = Series.objects.create(
            cohort=cohort,
            title=title,
            rrule=rule,
            first_date=first_date,
            start_time=start_time,
            duration_minutes=duration_minutes,
            time_zone=time_zone,
            location=location,
            video_url=video_url,
            created_by=actor,
        )
        occurrences_sync(series=series)
    return series


# A paused or closed cohort gets no new meetings; when it resumes, the top-up fills the year
# ahead again (never the months it was paused).
NOT_MEETING = (Cohort.Status.PAUSED, Cohort.Status.CLOSED)


def occurrences_sync(
    *, series: Series, today: date | None = None, since: date | None = None
) -> int:
    """Create the occurrences up to a year ahead (from ``since``, when given) that do not
    exist yet. Idempotent."""
    if Cohort.objects.filter(pk=series.cohort_id, status__in=NOT_MEETING).exists():
        return 0
    today = today or timezone.localdate()
    horizon = today + timedelta(days=HORIZON_DAYS)
    existing = set(series.meetings.values_list("original_date", flat=True))
    new = [
        Meeting(
            cohort_id=series.cohort_id,
            series=series,
            original_date=local.date(),
            title=series.title,
            local_date=local.date(),
            local_time=local.time(),
            time_zone=series.time_zone,
            duration_minutes=series.duration_minutes,
            location=series.location,
            video_url=series.video_url,
        )
        for local in recurrence.expand(
            series.rrule, series.first_date, series.start_time, until=horizon
        )
        if local.date() not in existing and (since is None or local.date() >= since)
    ]
    for meeting in new:
        meeting.save()
    return len(new)


def occurrences_top_up() -> int:
    """The periodic task: keep every series a year ahead."""
    today = timezone.localdate()
    return sum(
        occurrences_sync(series=s, today=today, since=today)
        for s in Series.objects.exclude(cohort__status__in=NOT_MEETING)
    )


def meeting_create(
    *,
    cohort,
    actor,
    title,
    local_date,
    local_time,
    duration_minutes,
    time_zone,
    location="",
    video_url="",
) -> Meeting:
    """A one-off meeting, outside any series."""
    _require_manager(actor, cohort)
    meeting = Meeting(
        cohort=cohort,
        title=title,
        local_date=local_date,
        local_time=local_time,
        duration_minutes=duration_minutes,
        time_zone=time_zone,
        location=location,
        video_url=video_url,
    )
    meeting.save()
    return meeting


def meeting_update(
    *,
    meeting: Meeting,
    actor,
    local_date: date,
    local_time: time,
    duration_minutes: int,
    location: str,
    video_url: str,
    title: str | None = None,
) -> Meeting:
    """Change this occurrence only: it keeps its identity (UID) and tells calendars (SEQUENCE)."""
    _require_manager(actor, meeting.cohort)
    with transaction.atomic():
        locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
        locked.local_date, locked.local_time = local_date, local_time
        locked.duration_minutes, locked.location, locked.video_url = (
            duration_minutes,
            location,
            video_url,
        )
        if title:
            locked.title = title
        locked.detached = locked.series_id is not None
        locked.sequence = F("sequence") + 1
        locked.save()
        locked.refresh_from_db()
        notification_kinds.meeting_changed(meeting=locked)
    return locked


def series_update_following(
    *,
    meeting: Meeting,
    actor,
    start_time: time,
    duration_minutes: int,
    location: str,
    video_url: str,
    title: str | None = None,
) -> int:
    """Change this occurrence and every later one of its series (not those changed on their
    own). Each keeps its date and identity; calendars see a new SEQUENCE."""
    _require_manager(actor, meeting.cohort)
    if meeting.series_id is None:
        meeting_update(
            meeting=meeting,
            actor=actor,
            local_date=meeting.local_date,
            local_time=start_time,
            duration_minutes=duration_minutes,
            location=location,
            video_url=video_url,
            title=title,
        )
        return 1
    with transaction.atomic():
        series = Series.objects.select_for_update().get(pk=meeting.series_id)
        following = list(
            series.meetings.select_for_update().filter(
                original_date__gte=meeting.original_date, detached=False
            )
        )
        if meeting.original_date == series.first_date:
            series.start_time, series.duration_minutes = start_time, duration_minutes
            series.location, series.video_url = location, video_url
            series.title = title or series.title
            series.save()
        for occurrence in following:
            occurrence.local_time = start_time
            occurrence.duration_minutes = duration_minutes
            occurrence.location, occurrence.video_url = location, video_url
            occurrence.title = title or occurrence.title
            occurrence.sequence += 1
            occurrence.save()
        # One notice, about the occurrence the facilitator changed; calendar feeds carry the
        # later ones.
        if following:
            notification_kinds.meeting_changed(meeting=following[0], following=len(following))
    return len(following)


def meeting_cancel(*, meeting: Meeting, actor) -> Meeting:
    _require_manager(actor, meeting.cohort)
    if meeting.is_cancelled:
        raise ValidationError("This meeting is already cancelled.")
    with transaction.atomic():
        Meeting.objects.filter(pk=meeting.pk).update(
            status=Meeting.Status.CANCELLED, sequence=F("sequence") + 1, detached=True
        )
        version_bump(HEALTH)
        meeting.refresh_from_db()
        notification_kinds.meeting_changed(meeting=meeting)
    return meeting


# RSVP -----------------------------------------------------------------------------------


def rsvp_set(*, meeting: Meeting, member, answer: str, note: str = "") -> Rsvp:
    """One answer per member, changeable until the start; concurrent clicks keep one row."""
    if answer not in Rsvp.Answer.values:
        raise ValidationError({"answer": "Answer yes, no or maybe."})
    if not _is_member(member, meeting.cohort):
        raise PermissionDenied("Only members of this cohort answer for its meetings.")
    if meeting.is_cancelled:
        raise ValidationError("This meeting is cancelled.")
    if meeting.starts_at <= timezone.now():
        raise ValidationError("This meeting has started; answers can no longer change.")
    for _ in range(3):
        try:
            with transaction.atomic():
                rsvp, _ = Rsvp.objects.update_or_create(
                    meeting=meeting, member=member, defaults={"answer": answer, "note": note}
                )
                return rsvp
        except IntegrityError:
            # Another click inserted first; the next round updates that row.
            continue
    raise ValidationError("Please try again.")


# Topics and agenda ------------------------------------------------------------------------


def topic_save(*, owner, topic: Topic | None = None, **fields) -> Topic:
    if topic is not None and topic.owner_id != owner.pk:
        raise PermissionDenied("A topic belongs to its owner.")
    topic = topic or Topic(owner=owner)
    for name, value in fields.items():
        setattr(topic, name, value)
    topic.full_clean()
    topic.save()
    return topic


def topic_delete(*, owner, topic: Topic) -> None:
    if topic.owner_id != owner.pk:
        raise PermissionDenied("A topic belongs to its owner.")
    topic.delete()


def topic_post(
    *,
    topic: Topic,
    meeting: Meeting,
    actor,
    minutes: int,
    priority: str = AgendaItem.Priority.NORMAL,
) -> AgendaItem:
    if topic.owner_id != actor.pk:
        raise PermissionDenied("Only the topic's owner posts it.")
    if not _is_member(actor, meeting.cohort):
        raise PermissionDenied("Only members of this cohort post to its meetings.")
    if meeting.is_cancelled or meeting.starts_at <= timezone.now():
        raise ValidationError("Topics can only be posted to coming meetings.")
    with transaction.atomic():
        if AgendaItem.objects.filter(meeting=meeting, topic=topic).exists():
            raise ValidationError("This topic is already on that meeting's agenda.")
        last = meeting.agenda.aggregate(last=Max("position"))["last"] or 0
        item = AgendaItem.objects.create(
            meeting=meeting,
            topic=topic,
            presenter=actor,
            minutes=minutes,
            priority=priority,
            position=last + 1,
        )
        Topic.objects.filter(pk=topic.pk).update(
            times_raised=Least(F("times_raised") + 1, Value(MAX_TIMES_RAISED))
        )
    return item


def vote_toggle(*, item: AgendaItem, voter) -> bool:
    """Vote, or take the vote back. True when the voter now has a vote on the item."""
    if item.presenter_id == voter.pk:
        raise ValidationError("You cannot vote for your own topic.")
    if not _is_member(voter, item.meeting.cohort):
        raise PermissionDenied("Only cohort members vote.")
    with transaction.atomic():
        deleted, _ = Vote.objects.filter(item=item, voter=voter).delete()
        if deleted:
            return False
        try:
            with transaction.atomic():
                Vote.objects.create(item=item, voter=voter)
        except IntegrityError:
            pass
    return True


def agenda_move(*, item: AgendaItem, actor, direction: str, to: int | None = None) -> None:
    """Swap with the neighbour above or below (keyboard-friendly ordering), or, with
    direction "to", put the item at place ``to`` (1 = first; what a drag drops)."""
    if not can_manage_meeting(actor, item.meeting):
        raise PermissionDenied("Only facilitators order the agenda.")
    with transaction.atomic():
        items = list(
            AgendaItem.objects.select_for_update()
            .filter(meeting_id=item.meeting_id)
            .order_by("position", "posted_at")
        )
        for index, each in enumerate(items, start=1):
            each.position = index
        at = next(i for i, each in enumerate(items) if each.pk == item.pk)
        if direction == "to" and to is not None:
            moved = items.pop(at)
            items.insert(min(max(to, 1), len(items) + 1) - 1, moved)
            for index, each in enumerate(items, start=1):
                each.position = index
        else:
            other = at - 1 if direction == "up" else at + 1
            if 0 <= other < len(items):
                items[at].position, items[other].position = (
                    items[other].position,
                    items[at].position,
                )
        AgendaItem.objects.bulk_update(items, ["position"])


def agenda_item_update(*, item: AgendaItem, actor, minutes: int, state: str) -> AgendaItem:
    if not can_manage_meeting(actor, item.meeting):
        raise PermissionDenied("Only facilitators time-box the agenda.")
    item.minutes, item.state = minutes, state
    item.full_clean()
    item.save(update_fields=["minutes", "state"])
    return item


def agenda_publish(*, meeting: Meeting, actor) -> Meeting:
    if not can_manage_meeting(actor, meeting):
        raise PermissionDenied("Only facilitators publish the agenda.")
    with transaction.atomic():
        meeting.agenda.filter(state=AgendaItem.State.PROPOSED).update(
            state=AgendaItem.State.SCHEDULED
        )
        Meeting.objects.filter(pk=meeting.pk).update(agenda_published_at=timezone.now())
        meeting.refresh_from_db()
        notification_kinds.agenda_published(meeting=meeting)
    return meeting


def outcome_notes_set(*, item: AgendaItem, actor, notes: str) -> AgendaItem:
    if not (item.presenter_id == actor.pk or can_manage_meeting(actor, item.meeting)):
        raise PermissionDenied("Outcome notes belong to the presenter and the facilitators.")
    if len(notes) > OUTCOME_NOTES_MAX:
        raise ValidationError(
            {"notes": f"Outcome notes can be at most {OUTCOME_NOTES_MAX} characters."}
        )
    if "\x00" in notes:
        raise ValidationError({"notes": "Outcome notes cannot contain null characters."})
    item.outcome_notes = notes
    item.save(update_fields=["outcome_notes"])
    return item


# After the meeting ------------------------------------------------------------------------


def attendance_record(*, meeting: Meeting, actor, statuses: dict[int, str]) -> None:
    """Who came, for those who were members when the meeting started (some have left since)."""
    if not can_manage_meeting(actor, meeting):
        raise PermissionDenied("Only facilitators record attendance.")
    if meeting.is_cancelled:
        raise ValidationError("This meeting was cancelled: there is no attendance to record.")
    if not runner.has_begun(meeting):
        raise ValidationError("Attendance can be recorded once the meeting has started.")
    members = {m.pk for m in selectors.roster(meeting.cohort, at=meeting.starts_at)}
    with transaction.atomic():
        for member_id, status in statuses.items():
            if member_id not in members or status not in Attendance.Status.values:
                raise ValidationError(
                    "Attendance can only be recorded for the cohort's members at the meeting."
                )
            Attendance.objects.update_or_create(
                meeting=meeting,
                member_id=member_id,
                defaults={"status": status, "recorded_by": actor},
            )
        # The live runner's check-in shows attendance: its pages follow.
        runner.run_version_bump(meeting=meeting)
        norm_services.norms_evaluate_soon(cohort_id=meeting.cohort_id)


def commitment_create(
    *, meeting: Meeting, actor, owner, text: str, due_date: date | None = None
) -> Commitment:
    if not (can_manage_meeting(actor, meeting) or actor.pk == owner.pk):
        raise PermissionDenied("Commitments are recorded by their owner or a facilitator.")
    if not _is_member(owner, meeting.cohort):
        raise ValidationError({"owner": "The owner must be a member of this cohort."})
    return Commitment.objects.create(
        meeting=meeting, owner=owner, text=text, due_date=due_date, created_by=actor
    )


def commitment_done(*, commitment: Commitment, actor) -> Commitment:
    if not (commitment.owner_id == actor.pk or can_manage_meeting(actor, commitment.meeting)):
        raise PermissionDenied("Only the owner or a facilitator marks a commitment done.")
    commitment.done_at = commitment.done_at or timezone.now()
    commitment.save(update_fields=["done_at"])
    return commitment


# Calendar feed ----------------------------------------------------------------------------


def feed_regenerate(*, user) -> str:
    """A new private feed address; the previous one stops working at once."""
    token = token_new(24)
    CalendarFeed.objects.update_or_create(user=user, defaults={"token_hash": token_hash(token)})
    return token


def feed_revoke(*, user) -> None:
    CalendarFeed.objects.filter(user=user).delete()
