"""What the browser tests do on the dashboard page: step, reset, type, read."""

from __future__ import annotations

TIMEOUT = 30_000  # ms for one page update


def expect():
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


def day_text(page):
    return page.locator(".btoagents-day")


def kpi(page, label: str):
    return page.locator(f'td[data-kpi="{label}"]')


def step(page, times: int, start_day: int, days: int = 7) -> None:
    """Press Step ``times`` times, waiting for the day shown after each press."""
    for i in range(1, times + 1):
        page.get_by_role("button", name="Step").click()
        expect()(day_text(page)).to_contain_text(f"day {start_day + i * days} of", timeout=TIMEOUT)


def reset_until(page, check, enter=None, attempts: int = 5) -> None:
    """Enter a value with ``enter()`` (if given) and press Reset until ``check(timeout=ms)``
    passes. A typed value reaches the server asynchronously: a Reset that overtakes it
    rebuilds the model from the old settings, and a redraw of the controls that overtakes
    it clears the field. So the value is entered again and Reset pressed again (both are
    idempotent) rather than the check weakened."""
    for i in range(attempts):
        if enter is not None:
            enter()
        page.get_by_role("button", name="Reset").click()
        try:
            check(timeout=TIMEOUT // attempts)
            return
        except AssertionError:
            if i == attempts - 1:
                raise


def slide_to(page, slider, value: int):
    """A function that moves ``slider`` to ``value`` with the arrow keys from wherever it
    is (so it can be called again after a redraw put the slider back)."""

    def enter() -> None:
        slider.focus()
        for _ in range(20):
            now = int(float(slider.get_attribute("aria-valuenow")))
            if now == value:
                break
            page.keyboard.press("ArrowRight" if now < value else "ArrowLeft")
            expect()(slider).not_to_have_attribute("aria-valuenow", str(now))
        expect()(slider).to_have_attribute("aria-valuenow", str(value))

    return enter


def type_setting(field, text: str):
    """A function that types ``text`` into the settings field and sends it with Enter."""

    def enter() -> None:
        field.fill(text)
        field.press("Enter")
        expect()(field).to_have_value(text)

    return enter
