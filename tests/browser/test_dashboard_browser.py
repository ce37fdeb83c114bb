"""The dashboard as a visitor uses it: a real server, a real headless Chromium."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dashboard_page import TIMEOUT, day_text, expect, kpi, reset_until, slide_to, step, type_setting

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "results" / "dashboard.png"

PLOT_COUNT = 5
DRAWN = f"""() => {{
    const imgs = [...document.querySelectorAll(".vue-grid-item img")];
    return imgs.length === {PLOT_COUNT} && imgs.every(i => i.complete && i.naturalWidth > 100);
}}"""


def drawn_plots(page) -> list[str]:
    """Wait until every plot is an image that has loaded; their sources (PNG data)."""
    page.wait_for_function(DRAWN, timeout=TIMEOUT)
    return page.locator(".vue-grid-item img").evaluate_all("imgs => imgs.map(i => i.src)")


def test_dashboard_shows_plots_and_chain_and_a_moved_slider_changes_the_run(visit):
    v = visit()
    page = v.page
    exp = expect()

    # the page renders: five plots (images that loaded) and the chain picture
    assert len(drawn_plots(page)) == PLOT_COUNT
    chain = page.locator('svg[aria-label="supply chain"]')
    exp(chain).to_contain_text("Plant")
    exp(chain).to_contain_text("Dealer 8")
    exp(chain).to_contain_text("Supplier seats")
    exp(day_text(page)).to_contain_text("dealer-network: day 0 of 425")
    exp(kpi(page, "Orders delivered")).to_have_text("0")
    exp(page.locator(".btoagents-settings")).to_have_text("Settings: as in the scenario")

    # move the capacity slider from 2 to 3 lines and start a run with it
    slider = page.get_by_role("slider", name="Capacity: production lines")
    exp(slider).to_have_attribute("aria-valuenow", "2")
    settings = page.locator(".btoagents-settings")
    reset_until(
        page,
        lambda timeout: exp(settings).to_have_text(
            "Settings: manufacturer.lines=3", timeout=timeout
        ),
        enter=slide_to(page, slider, 3),
    )
    exp(chain).to_contain_text("lines busy 0/3", timeout=TIMEOUT)
    before = drawn_plots(page)

    step(page, 3, start_day=0)

    delivered = kpi(page, "Orders delivered")
    exp(delivered).not_to_have_text("0", timeout=TIMEOUT)
    assert int(delivered.inner_text().replace(",", "")) > 0
    exp(kpi(page, "Fill rate of stocked demand so far")).to_have_text(re.compile(r"^\d+\.\d%$"))
    exp(kpi(page, "Profit so far")).not_to_have_text("n/a")
    exp(chain).to_contain_text(re.compile(r"lines busy [0-3]/3"))
    after = drawn_plots(page)
    assert all(a != b for a, b in zip(after, before, strict=True)), "plots did not redraw"

    page.set_viewport_size({"width": 1400, "height": 1900})  # room for all five plots
    drawn_plots(page)
    # the screenshot waits until every image on the page has loaded (an observed state)
    page.wait_for_function("() => Array.from(document.images).every(i => i.complete)")
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    assert v.outside == [], f"the page fetched from outside this machine: {v.outside}"
    assert v.failed == [], f"requests failed: {v.failed}"


def test_two_visitors_at_once_steer_independent_models(visit):
    exp = expect()
    a = visit()
    step(a.page, 3, start_day=0)
    exp(kpi(a.page, "Orders delivered")).not_to_have_text("0")

    b = visit()
    exp(day_text(b.page)).to_contain_text("day 0 of 425")
    exp(kpi(b.page, "Orders delivered")).to_have_text("0")
    step(b.page, 1, start_day=0)

    exp(day_text(a.page)).to_contain_text("day 21 of 425")
    exp(day_text(b.page)).to_contain_text("day 7 of 425")
    step(a.page, 1, start_day=21)
    exp(day_text(b.page)).to_contain_text("day 7 of 425")

    # B plays (the model runs on by itself) and pauses; A does not move
    b.page.get_by_role("button", name="▶").click()
    exp(day_text(b.page)).to_contain_text(
        re.compile(r"day (2[89]|[3-9]\d|\d{3}) of"), timeout=TIMEOUT
    )
    b.page.get_by_role("button", name="❚❚").click()
    exp(b.page.get_by_role("button", name="▶")).to_be_visible(timeout=TIMEOUT)
    exp(day_text(a.page)).to_contain_text("day 28 of 425")


def test_bad_values_show_an_error_in_the_page_and_the_server_keeps_serving(visit):
    exp = expect()
    v = visit()
    page = v.page

    # a negative demand rate typed into the settings field
    field = page.get_by_label("More settings: KEY=VALUE; KEY=VALUE")
    error = page.locator(".btoagents-error")
    reset_until(
        page,
        lambda timeout: exp(error).to_contain_text(
            "products.compact.demand_rate = -1", timeout=timeout
        ),
        enter=type_setting(field, "products.compact.demand_rate=-1"),
    )
    exp(error).to_contain_text("greater than or equal to 0")
    exp(page.locator(".btoagents-day")).to_have_count(0)
    page.get_by_role("button", name="Step").click()  # does nothing harmful
    exp(error).to_be_visible()

    # the demand slider moved to 0: no product has demand
    slider = page.get_by_role("slider", name="Demand rate (orders/day, all products)")
    clear = type_setting(field, "")

    def demand_to_zero() -> None:
        clear()
        slider.focus()
        page.keyboard.press("Home")
        exp(slider).to_have_attribute("aria-valuenow", "0")

    reset_until(
        page,
        lambda timeout: exp(error).to_contain_text("demand rates add up to 0", timeout=timeout),
        enter=demand_to_zero,
    )

    # the server still serves: a new visitor gets a working run
    other = visit()
    exp(day_text(other.page)).to_contain_text("day 0 of 425")
    step(other.page, 1, start_day=0)

    # and this visitor recovers by fixing the value
    def demand_back() -> None:
        slider.focus()
        page.keyboard.press("End")  # back to a positive rate
        exp(slider).not_to_have_attribute("aria-valuenow", "0")

    reset_until(
        page, lambda timeout: exp(error).to_have_count(0, timeout=timeout), enter=demand_back
    )
    step(page, 1, start_day=0)
