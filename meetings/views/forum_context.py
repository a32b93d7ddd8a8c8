"""What the meeting page shows of the forum protocol: member updates, the evaluation, and the
facilitators' links (preparation, individual evaluations). Two queries: the updates written,
and when updates open (before the start) or the evaluation averages (once ended)."""

from django.db.models import Avg, Count, Q
from django.utils import timezone

from meetings import forum_selectors
from meetings.models import Evaluation


def forum_context(request, meeting, *, manage: bool, is_member: bool) -> dict:
    now = timezone.now()
    started = forum_selectors.has_started(meeting, now)
    # When updates open matters only before the start (it costs a query).
    opens = now if started else forum_selectors.update_window(meeting)[0]
    ended = forum_selectors.has_ended(meeting, now)
    n, mine = forum_selectors.update_counts(meeting, request.user)
    context = {
        "updates_written": n,
        "my_update_written": mine,
        "updates_open": not meeting.is_cancelled and opens <= now and not started,
        "updates_open_on": opens,
        "updates_not_yet": not meeting.is_cancelled and now < opens,
        "meeting_ended": ended and not meeting.is_cancelled,
        "evaluation": None,
    }
    if context["meeting_ended"]:
        row = Evaluation.objects.filter(meeting=meeting).aggregate(
            average=Avg("rating"),
            count=Count("id"),
            mine=Count("id", filter=Q(member=request.user.pk)),
        )
        away = {a.member_id for a in meeting.attendance.all() if a.status in forum_selectors.AWAY}
        context["evaluation"] = {
            **row,
            "can_submit": is_member
            and not row["mine"]
            and request.user.pk not in away
            and now <= forum_selectors.evaluation_closes(meeting),
        }
    return context
