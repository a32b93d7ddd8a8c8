"""Steps a person takes in the browser, shared by the journeys."""

from pathlib import Path

from tests import factories
from tests.totp import totp_code


def sign_in(page, email, password=None, secret=None):
    """Sign in through the real forms; with `secret`, answer the authenticator-app step."""

    page.goto("/accounts/login/")
    page.get_by_label("Email:").fill(email)
    page.get_by_label("Password:", exact=True).fill(password or factories.PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    if secret:
        page.get_by_label("Code").fill(totp_code(secret))
        page.get_by_role("button", name="Sign In").click()


def menu_open(page) -> None:
    """On a phone the main navigation sits behind "Menu": open it, as a person would. On a
    wide screen the links are already there."""
    summary = page.get_by_role("navigation", name="Main").locator("details.nav-menu > summary")
    if summary.is_visible() and summary.locator("xpath=..").get_attribute("open") is None:
        summary.click()


def nav_click(page, name: str, *, role: str = "link") -> None:
    """Follow a link (or press a button, e.g. "Sign out") of the main navigation."""
    menu_open(page)
    page.get_by_role("navigation", name="Main").get_by_role(role, name=name).click()


AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
# WCAG 2.0, 2.1 and 2.2 A and AA, and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page) -> list[str]:
    """Runs axe-core in the page and returns one line per violation (empty: none).

    The script is evaluated through the browser's debugging protocol, not added as a <script>,
    so the page's Content-Security-Policy stays as strict as it is for people."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)
    results = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        f"{v['id']} ({v['impact']}) on {page.url}: {v['help']} -> "
        + "; ".join(
            node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
            for node in v["nodes"][:5]
        )
        for v in results["violations"]
    ]


def no_horizontal_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


# The live runner (meetings/runner/runner.html) ---------------------------------------------

# Every participant's page must follow the meeting within this long, without a reload.
RUNNER_FOLLOW_MS = 2000


def runner_open(page, meeting) -> None:
    """Open a meeting's live runner and mark the page, so that a reload would show."""
    page.goto(f"/meetings/{meeting.pk}/run/")
    page.evaluate("window.peernetNoReload = true")


def runner_heading(page):
    """The runner's state line: "Not started yet", "Now: <segment>", "The meeting has ended"."""
    return page.locator("#runner-heading")


def runner_press(page, name: str) -> None:
    """Press a runner control (start, next, extend, skip, end, I'm here) by its label."""
    page.locator("#runner-live").get_by_role("button", name=name).click()


def runner_not_reloaded(page) -> bool:
    return page.evaluate("window.peernetNoReload === true")
