"""Fixtures of the browser tests: one store, one SMTP sink, one `ombud serve` and one headless Chromium (Debian's,
driven by Playwright; no browser is downloaded) for the whole session — every browser test is in the xdist group
"browser", so one worker runs them all against one server. Each test gets fresh browser contexts (no cookies).

They run on SQLite, or on PostgreSQL with OMBUD_BROWSER_DATABASE=postgresql. Screenshots of every page visited go
to OMBUD_SCREENSHOTS_DIR (default tests/browser/screenshots/, git-ignored); when a test fails, the screenshot and
the HTML of each of its pages go to failures/ there, and the report names them with the end of the server's log."""

from __future__ import annotations

import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest
from browser_mail import MailSink
from browser_pages import Camera, eventually
from browser_server import Server
from browser_store import Store, fill_store, read_store
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

CHROMIUM = os.environ.get("OMBUD_TEST_CHROMIUM", "/usr/bin/chromium")
# Without the background-networking flags Chromium's own connections are refused on a closed network and slow it.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOCALES = {"sv": "sv-SE", "nb": "nb-NO", "nn": "nn-NO", "da": "da-DK", "en": "en-GB"}
TIMEOUT_MS = 30_000  # generous: on a busy machine a page can wait for the server's workers
PAGES = pytest.StashKey[list[Page]]()
SERVER = pytest.StashKey[Server]()


def screenshots_folder() -> Path:
    chosen = os.environ.get("OMBUD_SCREENSHOTS_DIR")
    folder = Path(chosen) if chosen else Path(__file__).parent / "screenshots"
    (folder / "failures").mkdir(parents=True, exist_ok=True)
    return folder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, object, object]:
    """On a failure, keep what the browser showed: a screenshot and the HTML of each page, and the server log."""
    report = yield
    if not isinstance(report, pytest.TestReport) or report.passed or report.when != "call":
        return report
    saved = []
    for number, page in enumerate(item.stash.get(PAGES, []), start=1):
        if page.is_closed():
            continue
        stem = screenshots_folder() / "failures" / f"{Camera(Path(), item.name).prefix}-page{number}"
        try:
            page.screenshot(path=f"{stem}.png", full_page=True)
            Path(f"{stem}.html").write_text(page.content(), encoding="utf-8")
            saved.append(f"{page.url}\n  screenshot {stem}.png\n  HTML {stem}.html")
        except Exception as error:  # the page may have crashed; say so rather than hide the test's failure
            saved.append(f"{page.url}: could not be saved ({error})")
    if saved:
        report.sections.append(("browser pages at the failure", "\n".join(saved)))
    server = item.stash.get(SERVER, None)
    if server is not None:
        report.sections.append(("end of the `ombud serve` log", server.log_tail()))
    return report


@pytest.fixture(scope="session")
def screenshots() -> Path:
    return screenshots_folder()


@pytest.fixture(scope="session")
def mail_sink() -> Iterator[MailSink]:
    sink = MailSink().start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """SQLite by default: the API and page tests already run on both databases, here the browser is what is
    tested. OMBUD_BROWSER_DATABASE=postgresql runs them on a PostgreSQL database of their own."""
    folder = tmp_path_factory.mktemp("browser-store")
    kind = os.environ.get("OMBUD_BROWSER_DATABASE", "sqlite")
    if kind not in ("sqlite", "postgresql"):
        pytest.fail(f"OMBUD_BROWSER_DATABASE={kind!r}: choose sqlite or postgresql")
    url = f"sqlite:///{folder / 'ombud.db'}" if kind == "sqlite" else str(request.getfixturevalue("postgres_url"))
    fill_store(url, folder)
    return url


@pytest.fixture(scope="session")
def server(store_url: str, mail_sink: MailSink, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = Server(store_url, tmp_path_factory.mktemp("browser-server"), mail_sink.port).start()
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser_store(store_url: str, server: Server) -> Store:
    """The store once the server's upkeep has read it (its first pass, at start)."""
    ready: list[Store] = []

    def read() -> bool:
        found = read_store(store_url)
        ready.extend([found] if found else [])
        return found is not None

    try:
        eventually(read, "`ombud serve` to read the voices, place them in cases and on the wish board", timeout=180)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{server.log_tail()}") from None
    return ready[0]


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        driver.selectors.set_test_id_attribute("data-test")
        expect.set_options(timeout=TIMEOUT_MS)
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: run `make chromium` (scripts/ensure-chromium.sh installs Debian's chromium) "
            "or set OMBUD_TEST_CHROMIUM to the browser to use"
        )
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield launched
    launched.close()


@pytest.fixture
def open_page(
    request: pytest.FixtureRequest, browser: Browser, server: Server, browser_store: Store
) -> Iterator[Callable[..., Page]]:
    """``open_page(language="en")``: a page in a browser of its own (no cookies) whose language is ``language``,
    once the store is ready."""
    contexts: list[BrowserContext] = []
    request.node.stash[PAGES] = []
    request.node.stash[SERVER] = server

    def opened(language: str = "en") -> Page:
        context = browser.new_context(
            base_url=server.url, locale=LOCALES[language], viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        request.node.stash[PAGES].append(page)
        return page

    yield opened
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    return open_page()


@pytest.fixture
def camera(request: pytest.FixtureRequest, screenshots: Path) -> Camera:
    return Camera(screenshots, request.node.name)
