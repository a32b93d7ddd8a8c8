import pytest
from playwright.sync_api import sync_playwright

LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser(chromium_path):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=LAUNCH_ARGS, headless=True
        )
        yield browser
        browser.close()


# Not every CSP violation reaches the console (an inline style applied by a script during an
# htmx swap, for one), so the page reports each `securitypolicyviolation` event itself. The
# script is injected before any of the page's own and survives navigation.
CSP_REPORTER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.peernetCspViolation(
    `CSP violation on ${location.pathname}: ${event.violatedDirective} ` +
      `(${event.blockedURI || "inline"}, ${event.sourceFile || "?"}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def open_page(browser, live_server):
    """Opens pages in fresh browser contexts (one per person). Any console error, CSP
    violation or page error, on any page or after any htmx swap, fails the test."""
    contexts, problems = [], []

    def open_one():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 390, "height": 844}
        )
        contexts.append(context)
        context.expose_function("peernetCspViolation", lambda text: problems.append(text))
        context.add_init_script(CSP_REPORTER)
        new = context.new_page()
        new.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        new.on("pageerror", lambda error: problems.append(str(error)))
        new.set_default_timeout(15_000)
        return new

    yield open_one
    for context in contexts:
        for each in context.pages:
            # Let violations raised by the last action reach us before judging.
            each.evaluate("() => new Promise((done) => setTimeout(done, 50))")
        context.close()
    assert problems == [], problems


@pytest.fixture
def page(open_page):
    return open_page()
