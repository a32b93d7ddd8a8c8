import zoneinfo

from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone

from members.permissions import mfa_missing, requires_mfa


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


# Pages a staff member or facilitator may still use before setting up TOTP: the account
# area (where TOTP is set up), signing out, static files.
MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")


class MfaRequiredMiddleware:
    """Admins and facilitators hold other people's confidential data: their tools stay closed
    until they have an authenticator app (TOTP) set up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and requires_mfa(user)
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and mfa_missing(user)
        ):
            target = reverse("mfa_activate_totp")
            if request.headers.get("HX-Request") == "true":
                response = HttpResponse(status=204)
                response["HX-Redirect"] = target
                return response
            messages.warning(
                request,
                "Your role gives access to confidential member data. "
                "Set up an authenticator app to continue.",
            )
            return redirect(target)
        return self.get_response(request)
