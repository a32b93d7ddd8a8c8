"""Middleware that knows no roles: login required (htmx-aware) and the user's own time zone.
The two-factor gate, which depends on roles, is in peernet/middleware.py."""

import zoneinfo

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
