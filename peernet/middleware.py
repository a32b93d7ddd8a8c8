"""The two-factor gate: it depends on roles, so it lives in the top package (core/middleware.py
holds the middleware that knows no roles)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from members.mfa import session_completed_mfa
from members.permissions import mfa_missing, requires_mfa

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
