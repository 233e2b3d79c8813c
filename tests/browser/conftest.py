"""Headless Debian chromium through Playwright, against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls made there are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Launch Debian's chromium once per session (never a downloaded browser build)."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make system-packages` installs it")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies) sized like a laptop screen, in Chinese."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


# -- reader pages: a phone beside the desktop, screenshots kept as artefacts, axe-core from npm ------------------

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"  # test artefacts, not committed (.gitignore)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DEVICES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    # An ordinary phone: 390x844 CSS pixels at 3x, touch, the mobile viewport meta honoured.
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 3,
        "is_mobile": True,
        "has_touch": True,
    },
}


def new_reader_context(browser: Any, device: str, **options: Any) -> Any:
    """Open a fresh context (no cookies) shaped like `device`, in Chinese, with a 15 s action timeout."""
    context = browser.new_context(**DEVICES[device], locale="zh-CN", **options)
    context.set_default_timeout(15_000)
    return context


@pytest.fixture
def phone_page(browser: Any) -> Iterator[Any]:
    """A fresh phone-sized touch context (390x844, is_mobile, has_touch) in Chinese."""
    context = new_reader_context(browser, "phone")
    yield context.new_page()
    context.close()


@pytest.fixture(params=list(DEVICES))
def device(request: pytest.FixtureRequest) -> str:
    """Run the test on a laptop screen and again on a phone."""
    return str(request.param)


@pytest.fixture
def device_page(browser: Any, device: str) -> Iterator[Any]:
    """A fresh context shaped like `device` (desktop or phone), in Chinese."""
    context = new_reader_context(browser, device)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """The directory screenshots are saved in, made at run time."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


def require_axe() -> Path:
    """Return axe-core's script from node_modules (`make install` runs `npm ci`): fail in CI, skip elsewhere."""
    if not AXE.exists():
        message = f"{AXE} is missing: run `npm ci --no-audit --no-fund` (make install does)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return AXE


@pytest.fixture(scope="session")
def axe_script() -> Path:
    return require_axe()


def axe_violations(page: Any, script: Path, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """Run axe-core (WCAG 2.x A and AA rules, plus best practices) on the page; name each violation of `impacts`."""
    page.add_script_tag(path=str(script))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    return [
        f"{violation['impact']} {violation['id']}: {violation['help']} at "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"][:5])
        for violation in result["violations"]
        if violation["impact"] in impacts
    ]
