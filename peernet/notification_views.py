"""The admins' global notification log. A member's preferences and the one-click unsubscribe
need no role and live in core (core/views.py); the per-meeting log for
facilitators lives in the meetings app."""

from django.http import Http404
from django.shortcuts import render

from core.models import Notification
from core.notifications.registry import KINDS
from core.pagination import keyset_page_of
from members.permissions import is_admin

PER_PAGE = 100


def notification_log(request):
    """Admins: every notification, newest first; ?state=failed shows what needs attention.

    Pages go by (due_at, id) from the index on those columns ("newer"/"older" links), never by
    OFFSET, and the whole log is never counted: on 270,000 rows a count alone took 40 ms."""
    if not is_admin(request.user):
        raise Http404
    state = request.GET.get("state", "")
    # Only what the table shows: no user join, no `context` JSON to decode.
    rows = Notification.objects.only(
        "kind",
        "scope",
        "recipient",
        "state",
        "due_at",
        "attempts",
        "sent_at",
        "skip_reason",
        "last_error",
    )
    if state in Notification.State.values:
        rows = rows.filter(state=state)
    context = {
        "page": keyset_page_of(request, rows, PER_PAGE, by="due_at"),
        "state": state,
        "states": Notification.State.choices,
        "failed": Notification.objects.filter(state=Notification.State.FAILED).count(),
        "kinds": KINDS,
    }
    return render(request, "peernet/notification_log.html", context)
