import pytest

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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, args=LAUNCH_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser, live_server):
    """Opens pages in fresh browser contexts (one per person). Any console error, CSP
    violation or page error fails the test."""
    contexts, problems = [], []

    def open_one():
        context = browser.new_context(
            base_url=live_server.url, viewport={"width": 390, "height": 844}
        )
        contexts.append(context)
        new = context.new_page()
        new.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        new.on("pageerror", lambda error: problems.append(str(error)))
        new.set_default_timeout(15_000)
        return new

    yield open_one
    for context in contexts:
        context.close()
    assert problems == [], problems


@pytest.fixture
def page(open_page):
    return open_page()
