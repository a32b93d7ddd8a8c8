"""Middleware that knows no roles: login required (htmx-aware) and the user's own time zone.
The two-factor gate, which depends on roles, is in peernet/middleware.py."""

import json
import zoneinfo

from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone


class HtmxAwareLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Login required everywhere; an htmx request is told to navigate, not given a login page
    to swap into a fragment."""

    def handle_no_permission(self, request, view_func):
        if getattr(request, "htmx", False) or request.headers.get("HX-Request") == "true":
            login = resolve_url(self.get_login_url(view_func))
            response = HttpResponse(status=204)
            response["HX-Redirect"] = f"{login}?next={request.get_full_path()}"
            return response
        return super().handle_no_permission(request, view_func)


class UserTimezoneMiddleware:
    """Render times in the signed-in user's own zone; storage stays UTC."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone_name = getattr(request.user, "time_zone", "") if request.user.is_authenticated else ""
        try:
            timezone.activate(zoneinfo.ZoneInfo(zone_name or "UTC"))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class HtmxMessagesMiddleware:
    """An htmx response swaps a fragment, not the page, so the page's message region never
    shows Django messages queued while handling it: they travel as toasts instead, in the
    HX-Trigger header (`peernet:toast`, shown by static/js/app.js). Redirects (plain or htmx)
    leave them for the page they lead to."""

    LEAVE_FOR_NEXT_PAGE = ("HX-Redirect", "HX-Location", "HX-Refresh")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or 300 <= response.status_code < 400:
            return response
        if any(header in response for header in self.LEAVE_FOR_NEXT_PAGE):
            return response
        queued = [
            {"level": m.level_tag or "info", "text": str(m)} for m in messages.get_messages(request)
        ]
        if queued:
            triggers = {}
            if "HX-Trigger" in response:
                try:
                    triggers = json.loads(response["HX-Trigger"])
                except ValueError:
                    # A bare event name (or several, comma-separated) is also valid.
                    triggers = {name.strip(): None for name in response["HX-Trigger"].split(",")}
            triggers["peernet:toast"] = (triggers.get("peernet:toast") or []) + queued
            response["HX-Trigger"] = json.dumps(triggers)
        return response
