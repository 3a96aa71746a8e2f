"""Browser journeys: Playwright drives the machine's Chromium (never a downloaded browser)
against the portal served as production serves it (gunicorn, on loopback) on the real
PostgreSQL, its mail going to a real SMTP server the journey reads.

Every page a journey visits is checked with axe-core (no serious or critical finding) and, at
375 px, for controls pushed off the screen; a journey fails on any console error, uncaught
script error or failed request of the site's own.
Each step saves a screenshot, at desktop width and at 375 px, under SCREENSHOTS_DIR (`make
screenshots` points it at docs/screenshots/; otherwise a folder of the test run)."""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from tests.conftest import current_totp_code
from tests.factories import PASSWORD
from tests.support.mailserver import MailServer, free_port
from tests.support.processes import child_env, start_web

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
SERIOUS = {"serious", "critical"}

# What a person on a phone cannot reach: the page scrolling sideways, or a control of the page's
# main part lying outside the screen (a table's Remove button beyond its right edge). A control
# inside a table that scrolls sideways counts too: nothing tells the person to scroll it.
CUT_OFF_CONTROLS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  if (document.documentElement.scrollWidth > width + 1) {
    found.push(`the page is ${document.documentElement.scrollWidth}px wide`);
  }
  const controls = 'main a[href], main button, main input:not([type=hidden]), main select, ' +
                   'main textarea';
  for (const control of document.querySelectorAll(controls)) {
    const box = control.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown (a closed dialog)
    if (getComputedStyle(control).visibility === 'hidden') continue;
    if (box.right > width + 1 || box.left < -1) {
      const name = (control.innerText || control.getAttribute('aria-label') || control.name ||
                    '').trim().slice(0, 40);
      found.push(`${control.tagName.toLowerCase()} "${name}" at ${Math.round(box.left)}` +
                 `-${Math.round(box.right)}px`);
    }
  }
  return found;
}"""


def chromium_path() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which(
        "chromium-browser")
    if not path:
        pytest.fail("No Chromium: `make test` installs Debian's package; or set CHROMIUM.")
    return path


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch):
    # Playwright's synchronous API runs an event loop in the test's thread; the ORM calls a
    # journey makes between browser steps are still plain synchronous calls, one at a time.
    # Only for these tests: a child process (the deploy check) must not inherit it.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    # Per test, not per session: Playwright's event loop must not outlive the journey, or the
    # tests that run after it in this process would find themselves "in an async context".
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True,
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots_dir(tmp_path_factory) -> Path:
    configured = os.environ.get("SCREENSHOTS_DIR")
    return Path(configured) if configured else tmp_path_factory.mktemp("screenshots")


class Visitor:
    """One person's browser tab on the portal: visits pages, checks each one, keeps evidence."""

    def __init__(self, browser, base_url: str, folder: Path, name: str):
        self.base_url, self.name = base_url, name
        # A browser in Singapore, as the programme's people use it (dates read day first).
        self.context = browser.new_context(viewport=DESKTOP, base_url=base_url,
                                           locale="en-SG", timezone_id="Asia/Singapore")
        self.page = self.context.new_page()
        self.folder, self.step = folder, 0
        self.problems: list[str] = []
        self.pages_checked: list[str] = []
        site = urlsplit(base_url).netloc
        self.page.on("console", lambda message: message.type == "error" and self.problems.append(
            f"console error on {self.page.url}: {message.text}"))
        self.page.on("pageerror", lambda error: self.problems.append(
            f"script error on {self.page.url}: {error}"))
        self.page.on("requestfailed", lambda request: urlsplit(request.url).netloc == site
                     and self.problems.append(f"request failed: {request.url} "
                                              f"({request.failure})"))
        self.page.on("response", lambda response: urlsplit(response.url).netloc == site
                     and response.status >= 500 and self.problems.append(
                         f"{response.status} from {response.url}"))
        self.axe = Axe()

    def go(self, path: str, *, label: str = ""):
        self.page.goto(path)
        self.page.wait_for_load_state("networkidle")
        self.check(label or path)
        return self.page

    def check(self, label: str) -> None:
        """Axe on the page as it now stands, and a screenshot at both widths."""
        results = self.axe.run(self.page)
        for violation in results.response["violations"]:
            if violation["impact"] in SERIOUS:
                nodes = ", ".join(node["target"][0] for node in violation["nodes"][:3])
                self.problems.append(f"axe {violation['impact']} {violation['id']} on "
                                     f"{self.page.url}: {violation['help']} ({nodes})")
        self.pages_checked.append(self.page.url)
        self.step += 1
        stem = f"{self.name}-{self.step:02d}-{re.sub(r'[^a-z0-9]+', '-', label.lower())}"
        stem = stem.strip("-")[:80]
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=self.folder / f"{stem}-desktop.png", full_page=True)
        self.page.set_viewport_size(PHONE)
        for cut_off in self.page.evaluate(CUT_OFF_CONTROLS):
            self.problems.append(f"cut off at 375 px on {self.page.url}: {cut_off}")
        self.page.screenshot(path=self.folder / f"{stem}-phone.png", full_page=True)
        self.page.set_viewport_size(DESKTOP)

    def sign_in(self, email: str, *, totp_secret: str = "", next_path: str = "") -> None:
        self.go(f"/accounts/login/?next={next_path}" if next_path else "/accounts/login/",
                label="sign in")
        self.page.fill("input[name=login]", email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form button[type=submit]")
        self.page.wait_for_load_state("networkidle")
        if totp_secret:
            self.page.fill("input[name=code]", current_totp_code(totp_secret))
            self.page.click("form button[type=submit]")
            self.page.wait_for_load_state("networkidle")

    def submit(self, form_selector: str = "main form") -> None:
        self.page.locator(f"{form_selector} button[type=submit]").first.click()
        self.page.wait_for_load_state("networkidle")

    def assert_clean(self) -> None:
        assert not self.problems, "\n".join(self.problems)

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def mail_server():
    server = MailServer().start()
    yield server
    server.stop()


@pytest.fixture
def portal(transactional_db, mail_server):
    """The portal under gunicorn on this run's test database; tasks run in its process, mail
    goes to `mail_server`. Stopped before the database is flushed."""
    port = free_port()
    # Links in e-mails point at this very server, as PORTAL_BASE_URL does in production.
    web, address = start_web(port=port, env=child_env(
        **mail_server.django_settings(), CELERY_TASK_ALWAYS_EAGER="true",
        PORTAL_BASE_URL=f"http://127.0.0.1:{port}"))
    yield address
    web.stop()


@pytest.fixture
def visitor(browser, portal, screenshots_dir, request):
    """`visitor("name")` opens a tab for one person; every tab is checked when the test ends."""
    opened: list[Visitor] = []
    # One folder a journey, named by its module: tests/browser/test_new_partner_journey.py ->
    # new_partner_journey/.
    journey = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")

    def open_tab(name: str) -> Visitor:
        tab = Visitor(browser, portal, screenshots_dir / journey, name)
        opened.append(tab)
        return tab

    yield open_tab
    problems = [problem for tab in opened for problem in tab.problems]
    for tab in opened:
        tab.close()
    assert not problems, "\n".join(problems)
