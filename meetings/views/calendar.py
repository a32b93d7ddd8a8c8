"""The private calendar feed: its settings page and the feed itself."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from meetings import calendar, selectors, services


def calendar_settings(request):
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.feed_revoke(user=request.user)
            messages.success(request, "Your calendar feed is switched off.")
        else:
            token = services.feed_regenerate(user=request.user)
            messages.success(request, "New feed address created; the old one no longer works.")
    feed_url = None
    if token:
        path = reverse("calendar_feed", args=[token])
        feed_url = settings.BASE_URL + path
    has_feed = hasattr(request.user, "calendar_feed") and request.user.calendar_feed.pk
    return render(
        request,
        "meetings/calendar_settings.html",
        {
            "feed_url": feed_url,
            "webcal_url": feed_url.replace("https://", "webcal://").replace("http://", "webcal://")
            if feed_url
            else None,
            "has_feed": bool(has_feed) or bool(token),
        },
    )


@login_not_required
def calendar_feed(request, token: str):
    user = selectors.feed_user(token)
    if user is None:
        raise Http404
    body = calendar.calendar_for(selectors.feed_meetings(user), name="PeerNet meetings")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
