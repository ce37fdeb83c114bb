"""A plugin the operator offers (``btoagents dashboard --plugin``) is selectable in the
page's policy selector, and a run with it steps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from dashboard_page import TIMEOUT, expect, reset_until, step

pytestmark = pytest.mark.browser

HOT = "examples.custom_policy:StockHot"


@pytest.fixture(scope="module")
def offering(start_dashboard) -> Iterator:
    with start_dashboard("--plugin", f"fulfillment={HOT}") as server:
        yield server


def test_an_offered_plugin_is_chosen_in_the_selector_and_runs(offering, visit_at):
    page = visit_at(offering.url).page
    settings = page.locator(".btoagents-settings")

    def choose() -> None:
        page.get_by_label("Fulfillment policy").click(force=True)
        page.get_by_role("option", name=HOT).click()

    reset_until(
        page,
        lambda timeout: expect()(settings).to_have_text(
            f'Settings: fulfillment.policy="{HOT}"', timeout=timeout
        ),
        enter=choose,
    )
    expect()(page.locator(".btoagents-error")).to_have_count(0)
    step(page, 2, start_day=0)
    expect()(page.locator(".btoagents-error")).to_have_count(0, timeout=TIMEOUT)
