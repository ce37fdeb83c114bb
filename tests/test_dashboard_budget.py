"""The dashboard's model holds its ground without a browser: budgets stop a run with one line,
every exception becomes one line without paths, and a released run's memory is freed.

These need only Mesa's core (no solara): they run with ``make test``.
"""

from __future__ import annotations

import gc
import warnings
import weakref

import pytest

from btoagents.config import load_scenario
from btoagents.errors import BtoagentsError, ConfigError
from btoagents.model import SupplyChainModel
from btoagents.viz import budget as budget_module
from btoagents.viz import model as model_module
from btoagents.viz import trim
from btoagents.viz.budget import MB, Budget, BudgetExceeded, check_memory, resident_bytes
from btoagents.viz.messages import MAX_CHARS, one_line, strip_paths
from btoagents.viz.model import DashboardModel

SERVER_PATH = "/srv/app/.venv/lib/python3.13/site-packages/tomllib/_parser.py"


def start(budget: Budget | None = None, **kwargs) -> DashboardModel:
    """dealer-network as the dashboard starts it (a week per step)."""
    return DashboardModel("dealer-network", budget=budget or Budget(), **kwargs)


def assert_one_clean_line(text: str | None) -> None:
    assert text
    assert "\n" not in text
    assert "Traceback" not in text
    assert "/srv/" not in text and ".venv" not in text and "site-packages" not in text
    assert len(text) <= MAX_CHARS + 80  # the model's "the run stopped at day D: " prefix


# -- budgets ------------------------------------------------------------------------------
def test_a_step_over_its_event_budget_stops_with_one_line_where_it_got_to():
    m = start(Budget(step_events=300))  # a week of dealer-network is about 500 events
    m.step()
    assert not m.running
    assert m.chain.cal.events == 300  # the slice ended exactly at the budget
    assert 0 < m.day < 7
    assert "this step used its budget of 300 events" in m.error
    assert m.error.startswith(f"the run stopped at day {m.day:g}: ")
    assert_one_clean_line(m.error)
    assert m.kpis["day"] == m.day  # the page shows where the run stopped
    m.step()  # a further press does nothing
    assert m.chain.cal.events == 300


def test_a_run_over_its_event_budget_stops_after_the_step_that_reaches_it():
    m = start(Budget(run_events=3_000))
    while m.running:
        m.step()
    assert m.chain.cal.events == 3_000
    assert "the run used its budget of 3,000 events" in m.error
    assert 7 * m.steps_run < m.day < 7 * (m.steps_run + 1)  # in the week after the last full step


def test_a_run_over_its_step_budget_stops_with_one_line():
    m = start(Budget(run_steps=3))
    for _ in range(3):
        m.step()
    assert m.running and m.error is None and m.day == 21
    m.step()
    assert not m.running
    assert m.day == 21
    assert "budget of 3 steps" in m.error


def test_a_step_over_its_wall_time_stops_between_slices(monkeypatch):
    clock = iter(range(0, 1000, 6))  # every look at the clock: 6 s later
    monkeypatch.setattr(budget_module, "seconds", lambda: float(next(clock)))
    monkeypatch.setattr(budget_module, "SLICE_EVENTS", 100)
    m = start(Budget(step_seconds=10))
    m.step()
    assert m.chain.cal.events == 200  # 6 s after the first slice, 12 s after the second
    assert "this step took 12.0 s, over its budget of 10 s" in m.error
    assert not m.running


def test_a_step_stops_and_frees_its_run_when_the_server_goes_over_its_memory_budget(
    monkeypatch,
):
    m = start(Budget(memory_mb=1_000))
    readings = iter([500 * MB, 500 * MB, 1_200 * MB])  # at the start, slice 1, slice 2
    monkeypatch.setattr(budget_module, "SLICE_EVENTS", 100)
    monkeypatch.setattr(budget_module, "resident_bytes", lambda: next(readings))
    chain = weakref.ref(m.chain)
    m.step()
    assert not m.running
    assert "the dashboard server holds 1,200 MB, over its memory budget of 1,000 MB" in m.error
    assert_one_clean_line(m.error)
    assert m.chain is None and m.day == 0
    gc.collect()
    assert chain() is None


def test_a_step_refused_because_the_server_is_over_its_memory_budget_keeps_its_run(
    monkeypatch,
):
    m = start(Budget(memory_mb=1_000))
    m.step()
    monkeypatch.setattr(budget_module, "resident_bytes", lambda: 1_500 * MB)
    m.step()  # another visitor's run holds the memory: this one stops where it is
    assert not m.running
    assert m.error == (
        "the run stopped at day 7: the dashboard server holds 1,500 MB, over its memory "
        "budget of 1,000 MB"
    )
    assert m.chain is not None and m.day == 7


def test_a_run_whose_estimated_memory_does_not_fit_is_not_built(monkeypatch):
    monkeypatch.setattr(budget_module, "resident_bytes", lambda: 300 * MB)
    # stock for 60 days of 100,000 orders/day at eight dealers: gigabytes
    m = start(Budget(memory_mb=2_048), more="products.compact.demand_rate=1e5")
    assert m.chain is None and not m.running
    assert m.error.startswith("this run (mostly ")
    assert "and the dashboard server already holds 300 MB of its 2,048 MB budget" in m.error
    assert_one_clean_line(m.error)


def test_the_server_over_its_memory_budget_builds_no_run(monkeypatch):
    monkeypatch.setattr(budget_module, "resident_bytes", lambda: 3_000 * MB)
    m = start(Budget(memory_mb=2_048))
    assert m.chain is None
    assert "needs about" in m.error and "3,000 MB of its 2,048 MB budget" in m.error


def test_slices_run_the_same_events_as_one_run_until(monkeypatch):
    monkeypatch.setattr(budget_module, "SLICE_EVENTS", 97)
    m = start(step_days=30)
    for _ in range(4):
        m.step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = SupplyChainModel(load_scenario("dealer-network", ["simulation.warmup=0"]))
    plain.cal.run_until(120)
    assert m.day == plain.cal.now == 120
    assert m.chain.cal.events == plain.cal.events
    assert m.chain.kpis() == plain.kpis()


def test_memory_checks_read_this_process_resident_set():
    held = resident_bytes()
    assert held is not None and 10 * MB < held < 100_000 * MB
    check_memory(Budget(memory_mb=100_000))
    with pytest.raises(BudgetExceeded) as caught:
        check_memory(Budget(memory_mb=1))
    assert caught.value.kind == "memory"


def test_the_budget_travels_in_the_environment_and_refuses_non_positive_limits(monkeypatch):
    b = Budget(step_events=123, step_seconds=4.5, run_events=6_789, memory_mb=512)
    for var, value in b.to_env().items():
        monkeypatch.setenv(var, value)
    assert Budget.from_env() == b
    monkeypatch.setenv(budget_module.ENV["step_events"], "many")
    with pytest.raises(BtoagentsError, match="expected a number"):
        Budget.from_env()
    for bad in (0, -1, float("nan"), True):
        with pytest.raises(BtoagentsError, match="must be > 0"):
            Budget(step_seconds=bad)


# -- errors -------------------------------------------------------------------------------
def _raised(kind: type[BaseException]) -> BaseException:
    if kind is MemoryError:
        return MemoryError()  # as Python raises it: no text
    if kind is KeyError:
        return KeyError(SERVER_PATH)
    return kind(
        f'File "{SERVER_PATH}", line 12\n  in parse\n{kind.__name__} detail at {SERVER_PATH}'
    )


EXCEPTIONS = [
    OverflowError,
    RecursionError,
    MemoryError,
    ValueError,
    TypeError,
    KeyError,
    ZeroDivisionError,
    RuntimeError,
    AssertionError,
    ConfigError,
]


@pytest.mark.parametrize("kind", EXCEPTIONS, ids=lambda k: k.__name__)
def test_any_exception_building_the_run_is_one_line_without_paths(monkeypatch, kind):
    def fail(*args, **kwargs):
        raise _raised(kind)

    monkeypatch.setattr(model_module, "load_scenario", fail)
    m = start()
    assert m.chain is None and not m.running
    assert_one_clean_line(m.error)
    assert "_parser.py" in m.error or kind in (MemoryError,)
    if kind is not ConfigError:
        assert m.error.startswith(kind.__name__)
    m.step()  # a press of Step does nothing
    assert m.day == 0


@pytest.mark.parametrize("kind", EXCEPTIONS, ids=lambda k: k.__name__)
def test_any_exception_in_a_step_stops_the_run_with_one_line_without_paths(kind):
    m = start()
    m.step()

    def fail(_=None) -> None:
        raise _raised(kind)

    m.chain.cal.at(8.5, fail)  # an event of the chain fails
    m.step()
    assert not m.running
    assert m.error.startswith("the run stopped at day 8.5: ")
    assert_one_clean_line(m.error)


def test_a_seed_numpy_refuses_is_one_line():
    m = start(seed=-5)
    assert m.chain is None
    assert m.error == "ValueError: expected non-negative integer"


def test_one_line_names_the_type_explains_empty_messages_and_cuts_long_ones():
    assert one_line(MemoryError()) == "MemoryError: out of memory"
    assert one_line(RecursionError("maximum recursion depth exceeded")) == (
        "RecursionError (too deeply nested): maximum recursion depth exceeded"
    )
    assert one_line(ConfigError("x.y = 3: too big")) == "x.y = 3: too big"
    assert one_line(ValueError("a\n\n  b")) == "ValueError: a"
    long = one_line(ValueError("x" * 10_000))
    assert len(long) == MAX_CHARS and long.endswith("…")

    class Broken(Exception):
        def __str__(self) -> str:
            raise RuntimeError("no text")

    assert one_line(Broken()) == "Broken"


def test_paths_are_cut_to_their_last_part_but_units_and_urls_stay():
    assert strip_paths(f"cannot read {SERVER_PATH}") == "cannot read …/_parser.py"
    assert strip_paths(r"in C:\Users\me\app\x.py:3") == "in …/x.py:3"
    assert strip_paths("rate 2 orders/day, see https://errors.pydantic.dev/2.5/v") == (
        "rate 2 orders/day, see https://errors.pydantic.dev/2.5/v"
    )
    assert strip_paths("preset 'scenarios/dealer.toml'") == "preset 'scenarios/dealer.toml'"


# -- release ------------------------------------------------------------------------------
def test_a_released_run_is_freed_and_asks_for_a_trim(monkeypatch):
    monkeypatch.setattr(trim, "_freed", False)
    m = start()
    m.step()
    chain = weakref.ref(m.chain)
    m.release()
    assert m.chain is None and not m.running
    gc.collect()
    assert chain() is None
    assert trim._freed  # the collection that freed it is followed by a trim
    m.step()  # does nothing
    assert m.day == 0


def test_a_trim_follows_the_collection_that_freed_a_run_once(monkeypatch):
    calls = []
    monkeypatch.setattr(trim, "release_free_memory", lambda: calls.append(1))
    monkeypatch.setattr(trim, "_freed", False)
    trim._after_collection("stop", {})
    assert calls == []  # nothing freed, no trim
    trim.note_freed()
    trim._after_collection("start", {})
    assert calls == []
    trim._after_collection("stop", {})
    trim._after_collection("stop", {})
    assert calls == [1]


def test_a_release_during_a_step_stops_it_at_once():
    m = start(step_days=30)

    def close_session(_=None) -> None:
        m.release()

    m.chain.cal.at(2.0, close_session)
    chain = m.chain
    m.step()
    assert m.chain is None and not m.running
    assert chain.cal.now == 2.0  # nothing ran after the release
    assert m.error is None  # nobody is there to read it
