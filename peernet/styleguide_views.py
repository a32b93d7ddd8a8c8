"""The design system's reference page: every component, as the templates use it (admins)."""

import json

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.templatetags.ui import AVATAR_TONES
from members.permissions import is_admin

# Every icon in static/icons/sprite.svg (scripts/icons_build.py lists the same names).
ICONS = [
    "arrow-down arrow-up bell briefcase building-2 calendar calendar-check calendar-clock",
    "calendar-plus check chevron-down chevron-right chevron-up circle-alert circle-check",
    "circle-x clipboard-list clock external-link eye file-text flag globe grip-vertical house",
    "image inbox info list-checks list-ordered log-out mail map-pin menu message-square",
    "palette pencil phone plus rss search send settings shield-check square-parking thumbs-up",
    "trash-2 triangle-alert upload user user-plus users x",
]


@require_GET
def styleguide(request):
    if not is_admin(request.user):
        raise Http404
    if request.htmx:
        # The toast demonstration: the same header a real htmx action answers with.
        response = HttpResponse(status=204)
        level = request.GET.get("level", "success")
        text = "Saved." if level == "success" else "That did not work. Try again."
        response["HX-Trigger"] = json.dumps({"peernet:toast": [{"level": level, "text": text}]})
        return response
    people = ["Ada King", "Bo Lindqvist", "Chioma Eze", "Dev Raman", "Elena Ruiz", "Farah Haddad"]
    context = {
        "icons": " ".join(ICONS).split(),
        "people": people[: max(AVATAR_TONES, 1)],
        "swatches": [
            ("ink", "#1c2430", "Text"),
            ("muted", "#56606e", "Secondary text"),
            ("paper", "#f7f5f1", "Page"),
            ("brand", "#1f3a5f", "Brand, primary buttons"),
            ("accent", "#9a5b13", "Focus, hover"),
            ("ok", "#1d6b3a", "Success"),
            ("warn", "#7a4f00", "Warning"),
            ("error", "#a3221b", "Error, danger"),
            ("line", "#dcd6cc", "Borders"),
        ],
    }
    return render(request, "peernet/styleguide.html", context)
