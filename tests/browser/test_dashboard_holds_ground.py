"""The dashboard holds its ground against its visitors: hostile settings are one line in the
page, a run over its budget stops with a message, and closed tabs give their memory back."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from dashboard_page import TIMEOUT, day_text, expect, reset_until, step, type_setting

pytestmark = pytest.mark.browser

#: the guarded server's budget: a week of dealer-network takes at most about 1,400 events.
STEP_EVENTS = 5_000
#: seconds a session whose page went away without closing is kept (a backstop here: a
#: closed tab tells the server at once).
SESSION_TIMEOUT = 5

SESSIONS = 30
#: Allowed growth of the server's resident memory after SESSIONS opened, stepped and closed
#: tabs, over its level after the first one (MB). Measured on this machine: a session that
#: stays open holds about 32 MB (12 open tabs with a step each took the server from 328 to
#: 680 MB), so 30 sessions never freed would add about 950 MB; 30 freed but without giving
#: the memory back to the system (no malloc_trim) added 145 MB (328 -> 472 MB). As the
#: dashboard does it, 30 sessions added 29, 39 and 44 MB in three runs. 100 MB is over
#: twice the largest of those, and fails with the trim missing or with 4 sessions leaked.
GROWTH_LIMIT_MB = 100
#: seconds to wait for the server's memory to come down after the last tab closed.
SETTLE_TIMEOUT = 120.0
POLL = 0.5  # seconds between two readings of the server's memory

PATH_HINTS = ("/work", "/home", "/usr", "site-packages", ".venv", ".py", "Traceback")


@pytest.fixture(scope="module")
def guarded(start_dashboard) -> Iterator:
    """A server of its own (its memory is measured) with a small step budget."""
    options = ["--step-events", str(STEP_EVENTS), "--session-timeout", str(SESSION_TIMEOUT)]
    with start_dashboard(*options) as server:
        yield server


def error_line(page):
    return page.locator(".btoagents-error")


def assert_one_line_without_paths(page) -> str:
    errors = error_line(page)
    expect()(errors).to_have_count(1)
    text = errors.inner_text().strip()
    assert "\n" not in text, text
    for hint in PATH_HINTS:
        assert hint not in text, f"{hint!r} in the page's error: {text}"
    return text


HOSTILE = [
    # (typed setting, part of the one-line message)
    ("products.compact.demand_rate=1e308", "products.compact.demand_rate"),
    ("manufacturer.lines=" + "[" * 2000 + "]" * 2000, "nested"),  # a RecursionError once
    ("manufacturer.lines=" + "9" * 5000, "5000 digits"),  # int() of 5,000 digits
    ("simulation.seed=-1", "simulation.seed"),
]


def test_hostile_settings_are_one_error_line_without_paths_and_the_page_stays(visit):
    v = visit()
    page = v.page
    field = page.get_by_label("More settings: KEY=VALUE; KEY=VALUE")
    for text, expected in HOSTILE:
        reset_until(
            page,
            lambda timeout, expected=expected: expect()(error_line(page)).to_contain_text(
                expected, timeout=timeout
            ),
            enter=type_setting(field, text),
        )
        line = assert_one_line_without_paths(page)
        assert line.startswith("error: "), line
        # the page is still the dashboard, not a traceback: its controls answer
        expect()(page.get_by_role("button", name="Reset")).to_be_visible()
        expect()(page.locator("pre")).to_have_count(0)

    # the visitor recovers by clearing the setting
    reset_until(
        page,
        lambda timeout: expect()(error_line(page)).to_have_count(0, timeout=timeout),
        enter=type_setting(field, ""),
    )
    step(page, 1, start_day=0)


def test_a_step_over_its_budget_stops_with_one_line_and_others_go_on(guarded, visit_at):
    v = visit_at(guarded.url)
    page = v.page
    field = page.get_by_label("More settings: KEY=VALUE; KEY=VALUE")
    settings = page.locator(".btoagents-settings")
    reset_until(  # over 17,000 events a week: 3 times the budget
        page,
        lambda timeout: expect()(settings).to_contain_text(
            "products.compact.demand_rate=1000", timeout=timeout
        ),
        enter=type_setting(field, "products.compact.demand_rate=1000"),
    )
    page.get_by_role("button", name="Step").click()
    expect()(error_line(page)).to_contain_text(
        f"this step used its budget of {STEP_EVENTS:,} events", timeout=TIMEOUT
    )
    line = assert_one_line_without_paths(page)
    assert line.startswith("error: the run stopped at day "), line
    expect()(day_text(page)).to_contain_text("stopped")
    expect()(page.get_by_role("button", name="Step")).to_be_disabled()

    other = visit_at(guarded.url)  # another visitor's run is not touched
    step(other.page, 2, start_day=0)
    expect()(error_line(other.page)).to_have_count(0)


def poll_rss(server, done: Callable[[list[float]], bool], timeout: float) -> list[float]:
    """Read the server's memory every POLL seconds until ``done(readings)`` or ``timeout``;
    returns the readings (MB)."""
    readings = [server.rss_mb()]
    deadline = time.monotonic() + timeout
    while not done(readings) and time.monotonic() < deadline:
        time.sleep(POLL)
        readings.append(server.rss_mb())
    return readings


def settled(readings: list[float], window: int = 8, tolerance: float = 2.0) -> bool:
    """The last ``window`` readings set no new low (by more than ``tolerance`` MB)."""
    if len(readings) <= window:
        return False
    before = min(readings[:-window])
    return min(readings[-window:]) >= before - tolerance


def test_closed_tabs_give_the_server_memory_back(guarded, visit_at):
    def session() -> None:
        v = visit_at(guarded.url)
        step(v.page, 1, start_day=0)  # the run, its plots and its picture get drawn
        v.close()

    session()
    first = poll_rss(guarded, settled, timeout=60.0)
    baseline = first[-1]
    for _ in range(SESSIONS - 1):
        session()
    limit = baseline + GROWTH_LIMIT_MB
    after = poll_rss(guarded, lambda r: r[-1] <= limit, timeout=SETTLE_TIMEOUT)
    print(  # shown with pytest -s: the numbers behind GROWTH_LIMIT_MB
        f"server memory: {baseline:.0f} MB after the first session, "
        f"{after[0]:.0f} MB right after {SESSIONS}, {after[-1]:.0f} MB when settled"
    )
    assert after[-1] <= limit, (
        f"after {SESSIONS} closed sessions the server holds {after[-1]:.0f} MB, "
        f"{after[-1] - baseline:.0f} MB over its {baseline:.0f} MB after the first "
        f"(allowed {GROWTH_LIMIT_MB} MB); {len(after)} readings over {SETTLE_TIMEOUT:g} s, "
        f"the last: {[round(r) for r in after[-5:]]}"
    )
