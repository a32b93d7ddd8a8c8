"""Notification pages: a member's preferences, the public one-click unsubscribe, and the
admins' global log. The per-meeting log for facilitators lives in the meetings app."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from members.permissions import is_admin
from peernet import notifications
from peernet.http import posted
from peernet.models import Notification


class PreferencesForm(forms.Form):
    receive = forms.MultipleChoiceField(
        label="Send me", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receive"].choices = [
            (kind.name, f"{kind.label}: {kind.description}")
            for kind in notifications.unsubscribable_kinds()
        ]


@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    stopped = notifications.stopped_kinds(request.user)
    initial = [k.name for k in notifications.unsubscribable_kinds() if k.name not in stopped]
    form = PreferencesForm(posted(request), initial={"receive": initial})
    if request.method == "POST" and form.is_valid():
        notifications.preferences_set(user=request.user, receive=form.cleaned_data["receive"])
        messages.success(request, "Your notification choices are saved.")
        return redirect("notification_preferences")
    return render(request, "peernet/notification_preferences.html", {"form": form})


# RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to this address without a session
# or a CSRF token; the signed token is the credential. A GET only shows a confirm button, so
# link scanners that follow URLs unsubscribe nobody.
@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request, token: str):
    read = notifications.unsubscribe_token_read(token)
    if read is None:
        raise Http404("This unsubscribe link is not valid.")
    user_id, kind = read
    done = request.method == "POST"
    if done:
        notifications.unsubscribe(user_id=user_id, kind=kind)
    context = {"kind": notifications.KINDS[kind], "done": done}
    return render(request, "peernet/notification_unsubscribe.html", context)


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
        "kinds": notifications.KINDS,
    }
    return render(request, "peernet/notification_log.html", context)
