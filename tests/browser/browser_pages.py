"""What the browser tests do again and again: log in as a person does, read the page's words, take screenshots,
and wait for a state that another process brings about (the server's workers) by reloading until it shows."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from browser_store import PASSWORD, USERS
from playwright.sync_api import Locator, Page, expect

from ombud.locale import catalogue


def words(page: Page) -> dict[str, str]:
    """The catalogue of the language the page says it is in (``<html lang>``)."""
    language = page.locator("html").get_attribute("lang")
    assert language, f"the page {page.url} has no <html lang>"
    return catalogue(language)


def log_in(page: Page, role: str) -> None:
    email, _name = USERS[role]
    page.goto("/login")
    text = words(page)
    page.get_by_label(text["login.email"]).fill(email)
    page.get_by_label(text["login.password"]).fill(PASSWORD)
    page.get_by_role("button", name=text["login.submit"]).click()
    expect(page, f"logging in as {role} leads to the inbox").to_have_url(re.compile(r"/inbox$"))


class Camera:
    """Full-page screenshots of one test, numbered in the order they were taken."""

    def __init__(self, folder: Path, test_name: str) -> None:
        self.folder = folder
        self.prefix = re.sub(r"[^\w-]+", "-", test_name).strip("-")
        self.count = 0

    def shoot(self, page: Page, name: str) -> Path:
        self.count += 1
        path = self.folder / f"{self.prefix}-{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


def eventually(condition: Callable[[], bool], what: str, *, timeout: float = 30.0, every: float = 0.25) -> None:
    """Wait until ``condition()`` holds, or fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}, in vain")
        time.sleep(every)


def reload_until(page: Page, locator: Locator, what: str, *, timeout: float = 30.0) -> None:
    """Reload the page until ``locator`` shows: for what the server's workers do between two page loads."""

    def shown() -> bool:
        if locator.count() > 0 and locator.first.is_visible():
            return True
        page.reload()
        return locator.count() > 0 and locator.first.is_visible()

    eventually(shown, what, timeout=timeout, every=0.5)
