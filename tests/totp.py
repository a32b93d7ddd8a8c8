"""Codes an authenticator app would show, for tests that sign in with a second factor."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

PERIOD = 30
# A code read with fewer seconds than this left in its window could expire on its way in.
MARGIN = 3

_last_window: dict[str, int] = {}


def totp_code(secret: str) -> str:
    """The code for `secret` now, never one this process already used and never one about to
    expire: the server refuses a code used once (replay protection) and one whose window has
    passed, so wait for the next window when either would happen."""
    for _ in range(3):
        now = time.time()
        window = int(now) // PERIOD
        if _last_window.get(secret) != window and now - window * PERIOD < PERIOD - MARGIN:
            _last_window[secret] = window
            return format_hotp_value(hotp_value(secret, window))
        time.sleep((window + 1) * PERIOD - now + 0.05)
    raise RuntimeError("The clock does not move (frozen by time_machine?): no fresh TOTP code.")
