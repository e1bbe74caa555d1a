"""The config flow in a real browser: headless Chromium (Debian's package) via Playwright.

Screenshots land in tests/e2e/artifacts/ (for the README: docs/images/).
"""

from collections.abc import Iterator
from pathlib import Path
import re
import shutil

import pytest

from .harness import OWNER, STANDIN_TOKEN, STANDIN_TOKEN_ID, HomeAssistant, wait_until

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        if path := shutil.which(name):
            return path
    raise AssertionError("Debian's chromium is missing: scripts/setup installs it")


@pytest.fixture(scope="module")
def page(hass: HomeAssistant) -> Iterator[object]:
    """A logged-in browser page of Home Assistant."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
        page = context.new_page()
        page.set_default_timeout(30_000)
        page.goto(hass.url)
        page.get_by_role("textbox", name="Username").fill(OWNER["username"])
        page.get_by_role("textbox", name="Password").fill(OWNER["password"])
        page.get_by_role("button", name="Log in").click()
        # Logged in once the frontend shows its sidebar (whichever dashboard it opens). On a busy
        # machine the frontend can stay on "Loading..." after the login: a reload gets it going.
        settings = page.get_by_role("link", name="Settings")
        for attempt in range(4):
            try:
                expect(settings).to_be_visible(timeout=60_000)
                break
            except AssertionError:
                if attempt == 3:
                    raise
                page.reload()
        yield page
        context.close()
        browser.close()


def test_config_flow_in_the_browser(page: object, hass: HomeAssistant) -> None:
    """Add the integration as a user does: the form, a wrong token, the right one, success."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{hass.url}/config/integrations/dashboard/add?domain=sipgate")
    expect(page.get_by_text("Do you want to set up sipgate?")).to_be_visible(timeout=60_000)
    page.get_by_role("button", name="OK", exact=True).click()
    dialog = page  # the flow dialog's fields are unique on the page
    expect(dialog.get_by_text("Connect your sipgate account")).to_be_visible(timeout=30_000)
    dialog.get_by_role("textbox", name="Token ID").fill(STANDIN_TOKEN_ID)
    dialog.get_by_role("textbox", name=re.compile(r"^Token\*?$")).fill("wrong-token")
    page.screenshot(path=ARTIFACTS / "config-flow.png")
    dialog.get_by_role("button", name="Submit").click()
    expect(dialog.get_by_text("sipgate did not accept this token ID and token.")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "config-flow-error.png")

    dialog.get_by_role("textbox", name=re.compile(r"^Token\*?$")).fill(STANDIN_TOKEN)
    dialog.get_by_role("button", name="Submit").click()
    # Success: Home Assistant offers to name the new devices (the account's phones and lines).
    finish = page.get_by_role("button", name=re.compile("finish", re.IGNORECASE))
    expect(finish).to_be_visible(timeout=30_000)
    page.screenshot(path=ARTIFACTS / "config-flow-done.png")
    finish.click()

    entries = wait_until(
        lambda: [
            e
            for e in hass.api("GET", "/api/config/config_entries/entry?domain=sipgate")
            if e["state"] == "loaded"
        ],
        timeout=30,
        what="the entry loading",
    )
    assert len(entries) == 1


def test_device_page_shows_the_entities(page: object, hass: HomeAssistant) -> None:
    """The account's device page, with its sensors and controls (a screenshot for the README)."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.goto(f"{hass.url}/config/integrations/integration/sipgate")
    page.wait_for_timeout(2000)
    page.screenshot(path=ARTIFACTS / "integration-page.png", full_page=True)
    assert (ARTIFACTS / "integration-page.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("language", "configure", "title", "regenerate"),
    [
        ("en", "Configure", "sipgate options", "New webhook address"),
        ("de", "Konfigurieren", "sipgate-Optionen", "Neue Webhook-Adresse"),
    ],
)
def test_options_form_in_english_and_german(
    page: object, hass: HomeAssistant, language: str, configure: str, title: str, regenerate: str
) -> None:
    """The options form reads right in both languages (screenshots options-<language>.png)."""
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    page.goto(f"{hass.url}/config/integrations/integration/sipgate")
    page.evaluate(f"localStorage.setItem('selectedLanguage', JSON.stringify('{language}'))")
    page.reload()
    # The entry's cog button: the first visible one (the page may hold hidden copies).
    page.locator(f'button[aria-label="{configure}"]:visible').first.click()
    expect(page.get_by_text(title, exact=True)).to_be_visible(timeout=30_000)
    expect(page.get_by_text(regenerate, exact=True)).to_be_visible()
    page.screenshot(path=ARTIFACTS / f"options-{language}.png", full_page=True)
    page.keyboard.press("Escape")
    expect(page.get_by_text(title, exact=True)).to_be_hidden()
    page.evaluate("localStorage.setItem('selectedLanguage', JSON.stringify('en'))")
