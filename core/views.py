"""Core's pages: a member's notification preferences and the public one-click unsubscribe.
The admins' log (a role check) lives in the top package, the per-meeting log in the meetings
app; development mail in core/dev_mail_views.py."""

import re

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from core import cities
from core.http import posted
from core.notifications import preferences
from core.notifications.registry import KINDS, unsubscribable_kinds


class PreferencesForm(forms.Form):
    receive = forms.MultipleChoiceField(
        label="Send me", required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receive"].choices = [
            (kind.name, f"{kind.label}: {kind.description}") for kind in unsubscribable_kinds()
        ]


@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    stopped = preferences.stopped_kinds(request.user)
    initial = [k.name for k in unsubscribable_kinds() if k.name not in stopped]
    form = PreferencesForm(posted(request), initial={"receive": initial})
    if request.method == "POST" and form.is_valid():
        preferences.preferences_set(user=request.user, receive=form.cleaned_data["receive"])
        messages.success(request, "Your notification choices are saved.")
        return redirect("notification_preferences")
    return render(request, "core/notification_preferences.html", {"form": form})


# RFC 8058: mail clients POST "List-Unsubscribe=One-Click" to this address without a session
# or a CSRF token; the signed token is the credential. A GET only shows a confirm button, so
# link scanners that follow URLs unsubscribe nobody.
@csrf_exempt
@login_not_required
@require_http_methods(["GET", "POST"])
def notification_unsubscribe(request, token: str):
    read = preferences.unsubscribe_token_read(token)
    if read is None:
        raise Http404("This unsubscribe link is not valid.")
    user_id, kind = read
    done = request.method == "POST"
    if done:
        preferences.unsubscribe(user_id=user_id, kind=kind)
    context = {"kind": KINDS[kind], "done": done}
    return render(request, "core/notification_unsubscribe.html", context)


IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,60}$")


@require_http_methods(["GET"])
def city_search(request):
    """The cities matching what a person types in a city field (components/city_field.html):
    the radio buttons of that field, named after it."""
    name = request.GET.get("field", "")
    element_id = request.GET.get("id", "")
    if not (IDENTIFIER.match(name) and IDENTIFIER.match(element_id)):
        raise Http404("No such city field.")
    search = request.GET.get(f"{name}_search", "").strip()[:100]
    context = {
        "name": name,
        "id": element_id,
        "search": search,
        "matches": cities.search(search) if search else [],
    }
    return render(request, "components/city_results.html", context)
