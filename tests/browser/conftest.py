"""Fixtures of the browser tests: a dashboard server on a free local port and Chromium.

The tests need Debian's ``chromium``, the dashboard extra (solara, Playwright) and its
front-end assets (``make dashboard``). Without them they are skipped with the reason,
except under CI (``CI`` set), where ``.ci/run`` installs them and a skip would hide that
the dashboard went untested: there they fail.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT = 90.0  # seconds
LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must provide it (see .ci/run)")
    pytest.skip(reason)


def chromium_path() -> str | None:
    """Debian's Chromium, if installed."""
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        _unavailable("chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def dashboard_stack() -> None:
    """The dashboard extra and its front-end assets are installed."""
    for module in ("solara", "playwright", "mesa.visualization"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            _unavailable(f"{module} is not installed: run `make dashboard`")
    from btoagents.viz.assets import missing_assets

    missing = missing_assets()
    if missing:
        names = ", ".join(a.spec for a in missing)
        _unavailable(f"dashboard assets missing ({names}): run `make dashboard`")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


class Server:
    """A ``btoagents dashboard`` process serving on a free local port."""

    def __init__(self, url: str, proc: subprocess.Popen, log_path: Path) -> None:
        self.url = url
        self.proc = proc
        self.log_path = log_path

    def rss_mb(self) -> float:
        """The server's resident memory now (VmRSS of /proc/PID/status), MB."""
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmRSS in /proc/PID/status")

    def log(self) -> str:
        return self.log_path.read_text()


@contextmanager
def dashboard_server(tmp_path_factory, *options: str) -> Iterator[Server]:
    """``btoagents dashboard dealer-network --port N OPTIONS...`` running until the end."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log_path = tmp_path_factory.mktemp("dashboard") / "server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "btoagents.cli", "dashboard", "dealer-network"]
            + ["--port", str(port), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=ROOT,
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while not _answers(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text()[-3000:]
                pytest.fail(f"dashboard server did not start on {url}:\n{tail}")
            time.sleep(0.5)
        yield Server(url, proc, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def start_dashboard(dashboard_stack, tmp_path_factory):
    """``start_dashboard(*options)``: a context manager that runs a server of one's own."""
    return functools.partial(dashboard_server, tmp_path_factory)


@pytest.fixture(scope="session")
def dashboard_url(start_dashboard) -> Iterator[str]:
    """``btoagents dashboard dealer-network --port N`` running; its URL."""
    with start_dashboard() as server:
        yield server.url


@pytest.fixture(scope="session")
def headless_chromium(chromium):
    """The one headless Chromium of the session, driven by Playwright (Debian's binary: no
    playwright install). One for all browser tests: Playwright's sync API refuses a second
    ``sync_playwright()`` in a thread while the first is open."""
    if importlib.util.find_spec("playwright") is None:
        _unavailable("playwright is not installed: run `make dashboard`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def browser(headless_chromium, dashboard_stack):
    """The session's headless Chromium, once the dashboard stack is known to be installed."""
    return headless_chromium


class Visitor:
    """One browser context on the dashboard: its page and what it fetched."""

    def __init__(self, browser, url: str) -> None:
        self.closed = False
        self.context = browser.new_context(viewport={"width": 1400, "height": 1100})
        self.page = self.context.new_page()
        self.outside: list[str] = []  # requests that left this machine
        self.failed: list[str] = []  # responses with an HTTP error status
        self.page.on(
            "request", lambda r: None if r.url.startswith(LOCAL) else self.outside.append(r.url)
        )
        self.page.on(
            "response",
            lambda r: self.failed.append(f"{r.status} {r.url}") if r.status >= 400 else None,
        )
        self.page.goto(url, wait_until="domcontentloaded")
        self.page.get_by_text("Orders delivered").wait_for(timeout=60_000)

    def close(self) -> None:
        """Close the visitor's tab and browser context, as a person closing the window."""
        if not self.closed:
            self.context.close()
            self.closed = True


@pytest.fixture
def visit_at(browser):
    """Open a dashboard at a URL as a new visitor (own browser context); any left open are
    closed after the test."""
    visitors: list[Visitor] = []

    def open_one(url: str) -> Visitor:
        v = Visitor(browser, url)
        visitors.append(v)
        return v

    yield open_one
    for v in visitors:
        v.close()


@pytest.fixture
def visit(visit_at, dashboard_url):
    """Open the shared test server's dashboard as a new visitor."""
    return lambda: visit_at(dashboard_url)
