"""Steps a person takes in the browser, shared by the journeys."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from tests import factories


def sign_in(page, email, password=None, secret=None):
    """Sign in through the real forms; with `secret`, answer the authenticator-app step."""

    page.goto("/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:", exact=True).fill(password or factories.PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if secret:
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Sign In").click()
