import zoneinfo
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import timezone

from members.mfa import session_completed_mfa
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


# Always open, whatever the state of two-factor authentication.
MFA_EXEMPT_PREFIXES = ("/static/", "/healthz")
# Before an authenticator app is set up, the account area (where it is set up) stays open.
MFA_SETUP_PREFIX = "/accounts/"


class MfaRequiredMiddleware:
    """Admins and facilitators hold other people's confidential data: their tools stay closed
    until they have an authenticator app (TOTP) set up, and until this session has passed the
    two-factor step. The account alone is not enough: a session that signed in with the
    password before the authenticator existed must enter a code before it may do anything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and requires_mfa(user)
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            refusal = self._refusal(request)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def _refusal(self, request):
        completed = session_completed_mfa(request)
        in_account_area = request.path.startswith(MFA_SETUP_PREFIX)
        if completed and in_account_area:
            return None
        if mfa_missing(request.user):
            if in_account_area:
                return None
            return self._redirect(
                request,
                reverse("mfa_activate_totp"),
                "Your role gives access to confidential member data. "
                "Set up an authenticator app to continue.",
            )
        if completed or request.path in {
            reverse("mfa_reauthenticate"),
            reverse("account_logout"),
        }:
            return None
        query = urlencode({"next": request.get_full_path()}, safe="/")
        target = f"{reverse('mfa_reauthenticate')}?{query}"
        return self._redirect(
            request,
            target,
            "Your role gives access to confidential member data. "
            "Enter a code from your authenticator app to continue.",
        )

    def _redirect(self, request, target, message):
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        messages.warning(request, message)
        return redirect(target)
