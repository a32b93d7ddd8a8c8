"""The admins' global notification log. A member's preferences and the one-click unsubscribe
need no role and live in core (core/views.py); the per-meeting log for
facilitators lives in the meetings app."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from core.models import Notification
from core.notifications.registry import KINDS
from members.permissions import is_admin


def notification_log(request):
    """Admins: every notification, newest first; ?state=failed shows what needs attention."""
    if not is_admin(request.user):
        raise Http404
    state = request.GET.get("state", "")
    rows = Notification.objects.select_related("user").order_by("-due_at", "-id")
    if state in Notification.State.values:
        rows = rows.filter(state=state)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "states": Notification.State.choices,
        "failed": Notification.objects.filter(state=Notification.State.FAILED).count(),
        "kinds": KINDS,
    }
    return render(request, "peernet/notification_log.html", context)
