"""The order bank: one slot schedule for customer, stock and bulk orders (issue 18).

Placement order, the frozen horizon, slot capacity (a property over random placements),
the lead time rising with load, and the cost of capacity on a hand-computed case.
"""

from __future__ import annotations

import itertools
import math
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import builders
from btoagents.calendar import Calendar
from btoagents.orderbank import OrderBank, slot_capacity
from btoagents.policies.slots import SlotBook
from btoagents.records import FINAL, Job, Order
from btoagents.replications import simulate_one
from btoagents.vocabulary import Priority


class Sink:
    """Records what the bank releases, and when."""

    def __init__(self, cal: Calendar) -> None:
        self.cal = cal
        self.out: list[tuple[float, object]] = []

    def take(self, thing: object) -> None:
        self.out.append((self.cal.now, thing))


def bank(capacity: int, slot_days: float = 1.0, reserved: int = 0) -> tuple[OrderBank, Sink]:
    cal = Calendar()
    sink = Sink(cal)
    return OrderBank(cal, SlotBook(slot_days, capacity, reserved), 3, sink.take, sink.take), sink


def test_stock_and_customer_orders_of_one_day_get_slots_in_placement_order() -> None:
    b, sink = bank(capacity=1)
    stock = Job(0, Priority.STOCK, None, "plant")
    customer = Order(0, 0.0, FINAL)
    t_stock = b.place_job(stock, 21.0)
    t_customer = b.place_order(customer, 21.0)
    assert (t_stock, t_customer) == (21.0, 22.0)  # one unit per slot: the second waits a day
    b2, _ = bank(capacity=1)
    assert b2.place_order(Order(0, 0.0, FINAL), 21.0) == 21.0  # the other way round
    assert b2.place_job(Job(0, Priority.STOCK, None, "plant"), 21.0) == 22.0
    b.cal.run_until(30.0)
    assert [thing for _, thing in sink.out] == [stock, customer]
    assert [t for t, _ in sink.out] == [21.0, 22.0]
    assert b.held() == 0 and b.released == 2


def test_reserve_keeps_a_share_of_each_slot_for_customer_orders() -> None:
    b, _ = bank(capacity=4, reserved=2)
    stock = [b.place_job(Job(0, Priority.STOCK, None, "p"), 5.0) for _ in range(3)]
    customer = [b.place_order(Order(0, 0.0, FINAL), 5.0) for _ in range(3)]
    # day 5 takes two stock units and both reserved units go to customers; the third
    # stock unit moves to day 6, where the third customer order follows it
    assert [math.floor(t) for t in stock] == [5, 5, 6]
    assert [math.floor(t) for t in customer] == [5, 5, 6]


@settings(max_examples=200, deadline=None)
@given(
    capacity=st.integers(1, 6),
    reserve=st.integers(0, 5),
    slot_days=st.sampled_from([0.5, 1.0, 7.0]),
    placements=st.lists(
        st.tuples(st.floats(0, 30), st.floats(0, 25), st.booleans()), min_size=1, max_size=60
    ),
)
def test_slots_never_overfill_and_the_frozen_horizon_holds(
    capacity: int, reserve: int, slot_days: float, placements: list[tuple[float, float, bool]]
) -> None:
    """Random placements (time, frozen horizon, customer?) in time order: no release before
    placement + horizon, no slot above its capacity, stock never in the reserved units."""
    reserved = min(reserve, capacity - 1)
    book = SlotBook(slot_days, capacity, reserved)
    per_slot: dict[int, int] = {}
    others: dict[int, int] = {}
    for now, horizon, customer in sorted(placements):
        t = book.book(now + horizon, now, customer)
        assert t >= now + horizon - 1e-12
        k = math.floor(t / slot_days + 1e-9)
        per_slot[k] = per_slot.get(k, 0) + 1
        assert per_slot[k] <= capacity
        if not customer:
            others[k] = others.get(k, 0) + 1
            assert others[k] <= capacity - reserved
        # releases inside a slot are spread at the booked rate, never past its end
        assert t < (k + 1) * slot_days + 1e-9


BTO = {
    "simulation": {"horizon": 420.0, "warmup": 60.0, "seed": 3},
    "products": {"custom": {"strategy": "bto", "demand_rate": 7.0, "release_days": 5.0}},
    "manufacturer": {
        "lines": 1,
        "service_rate": 10.0,
        "service_distribution": "gamma",
        "service_cv": 0.5,
    },
    "order_bank": {"enabled": True, "slot_days": 1.0, "load_factor": 1.0},
}


def test_the_frozen_horizon_holds_in_a_run_for_customer_stock_and_bulk_orders() -> None:
    m = builders.model(
        {
            "simulation": {"horizon": 120.0, "warmup": 0.0},
            "products": {
                "standard": {
                    "strategy": "bts",
                    "demand_rate": 3.0,
                    "base_stock": 3,
                    "release_days": 4.0,
                },
                "custom": {"strategy": "bto", "demand_rate": 3.0, "release_days": 6.0},
            },
            "manufacturer": {"lines": 1, "service_rate": 8.0},
            "intermediaries": {"fleet": {"rate": 0.1, "size_mean": 5.0}},
            "order_bank": {"enabled": True},
        }
    )
    bk = m.plant.bank
    placed: dict[int, float] = {}
    horizon = m.plant.horizon
    seen = {"orders": 0, "jobs": 0}
    place_job, release_order, submit = bk.place_job, bk.release_order, bk.submit

    def place(job: Job, earliest: float) -> float:
        placed[id(job)] = m.cal.now
        return place_job(job, earliest)

    def order_out(order: Order) -> None:
        assert m.cal.now >= order.arrival + horizon[order.variant] - 1e-9
        seen["orders"] += 1
        release_order(order)

    def job_out(job: Job) -> None:
        assert m.cal.now >= placed.pop(id(job)) + horizon[job.item] - 1e-9
        seen["jobs"] += 1
        submit(job)

    bk.place_job, bk.release_order, bk.submit = place, order_out, job_out
    m.run()
    assert seen["orders"] > 100 and seen["jobs"] > 100


def lead_times(rate: float, n: int = 6) -> tuple[list[float], list[float]]:
    means, p95s = [], []
    for seed in range(1, n + 1):
        k = simulate_one(
            builders.scenario(
                builders.merge(BTO, {"products": {"custom": {"demand_rate": rate}}}),
                replace_products=True,
            ),
            seed,
        )
        means.append(k["lead_time_mean"])
        p95s.append(k["lead_time_p95"])
    return means, p95s


def test_bto_lead_time_rises_with_the_load_and_has_a_spread() -> None:
    """Three loads (0.6, 0.8, 0.95 of a 10-unit daily slot): the mean lead time rises by
    more than the two 95% confidence half-widths (t, 5 degrees of freedom) together."""
    t95 = 2.571
    rows = []
    for rate in (6.0, 8.0, 9.5):
        means, p95s = lead_times(rate)
        half = t95 * statistics.stdev(means) / math.sqrt(len(means))
        rows.append((statistics.mean(means), half, statistics.mean(p95s)))
    for (m0, h0, _), (m1, h1, _) in itertools.pairwise(rows):
        assert m1 - m0 > h0 + h1
    for mean, _, p95 in rows:
        assert mean >= 5.0  # never before the frozen horizon
        assert p95 > mean  # a distribution, not a fixed delay
    mean, half, p95 = rows[-1]
    assert p95 > mean + 1.0  # near full slots the tail is days long


def test_without_the_bank_the_release_delay_is_fixed() -> None:
    """The simpler behaviour (order_bank.enabled = false): the lead time does not respond."""
    data = builders.merge(
        BTO,
        {
            "order_bank": {"enabled": False},
            "manufacturer": {"service_distribution": "deterministic"},
        },
    )
    lows = simulate_one(
        builders.scenario(
            builders.merge(data, {"products": {"custom": {"demand_rate": 2.0}}}),
            replace_products=True,
        ),
        1,
    )
    assert lows["lead_time_p95"] < 5.0 + 0.1 + 0.2  # release_days + one service + rounding


def test_default_slot_capacity_comes_from_the_lines() -> None:
    scn = builders.scenario(
        {"manufacturer": {"lines": 2, "service_rate": 25.0}, "order_bank": {"enabled": True}}
    )
    assert slot_capacity(scn) == 47  # floor(2 x 25 x 1 day x 0.95)
    scn = builders.scenario({"order_bank": {"enabled": True, "capacity": 3}})
    assert slot_capacity(scn) == 3


def test_a_bad_order_bank_key_is_one_clear_error() -> None:
    with pytest.raises(Exception, match="customer_share"):
        builders.scenario({"order_bank": {"customer_share": 0.3}})
    with pytest.raises(Exception, match="load_factor"):
        builders.scenario({"order_bank": {"load_factor": 1.5}})


# -- cost of capacity --------------------------------------------------------------------
def test_capacity_cost_on_a_hand_computed_case() -> None:
    """3 lines at 100 a day over a 100-day window: 30,000, i.e. 300 a day, busy or not;
    profit falls by exactly that against the same run at no line cost."""
    base = {
        "simulation": {"horizon": 120.0, "warmup": 20.0},
        "manufacturer": {"lines": 3, "service_rate": 1.0},
    }
    free = simulate_one(builders.scenario(base), 1)
    paid = simulate_one(
        builders.scenario(builders.merge(base, {"manufacturer": {"line_cost": 100.0}})), 1
    )
    assert free["capacity_cost"] == 0.0
    assert paid["capacity_cost"] * 100.0 == pytest.approx(3 * 100 * 100.0, rel=1e-12)
    assert free["profit"] - paid["profit"] == pytest.approx(300.0, rel=1e-9)


def test_overtime_costs_the_premium_over_a_line() -> None:
    m = builders.model(
        {
            "simulation": {"horizon": 200.0},
            "products": {"standard": {"demand_rate": 0.95}},
            "manufacturer": {
                "lines": 1,
                "service_rate": 1.0,
                "line_cost": 10.0,
                "overtime_premium": 0.5,
                "overtime_lines": 1,
                "overtime_threshold": 2,
            },
        }
    )
    k = m.run()
    busy_ot = m.plant.workcenter.busy_overtime.mean(m.horizon)
    assert busy_ot > 0.01
    assert k["capacity_cost"] == pytest.approx(10.0 * (1 + 1.5 * busy_ot), rel=1e-9)


@pytest.mark.filterwarnings("ignore::btoagents.config.loading.SteadyStateWarning")
def test_chase_overtime_gets_slots_in_the_bank() -> None:
    """Overloaded slots (11 orders a day for 10 units a day): the chase policy sees the
    bank's backlog beyond the frozen horizon, opens an overtime line and the bank plans its
    slots, so the lead time falls back towards the horizon, at the cost of overtime."""
    data = builders.merge(
        BTO,
        {
            "products": {"custom": {"demand_rate": 11.0}},
            "manufacturer": {"line_cost": 100.0},
            "simulation": {"horizon": 300.0},
        },
    )
    level = simulate_one(builders.scenario(data, replace_products=True), 1)
    chase = simulate_one(
        builders.scenario(
            builders.merge(data, {"capacity": {"policy": "chase"}}), replace_products=True
        ),
        1,
    )
    assert level["capacity_cost"] == 100.0  # no overtime without a capacity policy
    assert chase["capacity_cost"] > 100.0 + 1.0  # busy overtime at line_cost x 1.5
    assert chase["lead_time_mean"] < level["lead_time_mean"] - 5.0
    assert chase["lead_time_mean"] >= 5.0


def test_the_bank_takes_the_place_of_demand_managements_slot_booking() -> None:
    both = builders.model(
        {"demand_management": {"slot_days": 1.0}, "order_bank": {"enabled": True}}
    )
    assert both.plant.bank is not None and both.plant.slots is None
    dm_only = builders.model({"demand_management": {"slot_days": 1.0}})
    assert dm_only.plant.bank is None and dm_only.plant.slots is not None
    assert builders.model().plant.matcher is None
