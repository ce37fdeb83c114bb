"""StockPoint: FIFO stock, FCFS claims and (s,S) / base-stock replenishment."""

from __future__ import annotations

import pytest

from btoagents.calendar import Calendar
from btoagents.kpis import TimeAverage
from btoagents.stock import StockPoint


def make_point(base, reorder, periodic=False):
    cal = Calendar()
    filled, ordered = [], []
    level = TimeAverage()
    sp = StockPoint(
        "test",
        len(base),
        cal,
        lambda claim, item, sp, age: filled.append((claim, item, age)),
        lambda item, q, sp: ordered.append((item, q)),
        [[(level, 1.0)] for _ in base],
        base,
        reorder,
        periodic,
    )
    return cal, sp, filled, ordered, level


def test_base_stock_orders_one_unit_per_unit_of_demand():
    cal, sp, filled, ordered, _ = make_point([3], [2])
    sp.stock_up(0, 3)
    for k in range(5):
        sp.demand(0, f"c{k}")
    assert ordered == [(0, 1)] * 5
    assert sp.position(0) == 3
    assert [c for c, _, _ in filled] == ["c0", "c1", "c2"]
    assert sp.on_hand[0] == 0 and len(sp.waiting[0]) == 2


def test_s_S_orders_up_to_S_only_at_or_below_s():
    cal, sp, _, ordered, _ = make_point([10], [4])
    sp.stock_up(0, 10)
    for k in range(5):
        sp.demand(0, k)
    assert ordered == []  # position 5 > s = 4
    sp.demand(0, 5)
    assert ordered == [(0, 6)]  # position 4 <= s: order 10 - 4
    assert sp.position(0) == 10


def test_waiting_claims_are_served_first_come_first_served_on_receipt():
    cal, sp, filled, _, _ = make_point([0], [-1])
    for k in range(3):
        sp.demand(0, k)
    sp.receive(0, 2, ordered=False)
    assert [c for c, _, _ in filled] == [0, 1]
    sp.receive(0, 2, ordered=False)
    assert [c for c, _, _ in filled] == [0, 1, 2]
    assert sp.on_hand[0] == 1


def test_take_returns_age_of_oldest_unit_and_stock_never_goes_negative():
    cal, sp, _, _, _ = make_point([2], [1])
    sp.stock_up(0, 1)
    cal.now = 5.0
    sp.receive(0, 1, ordered=False)
    cal.now = 12.0
    assert sp.take(0) == pytest.approx(12.0)
    assert sp.take(0) == pytest.approx(7.0)
    with pytest.raises(RuntimeError):
        sp.take(0)
    assert sp.on_hand[0] == 0


def test_level_accumulator_integrates_on_hand_over_time():
    cal, sp, _, _, level = make_point([2], [-1])
    sp.stock_up(0, 2)
    cal.now = 10.0
    sp.take(0)
    cal.now = 20.0
    assert level.mean(20.0) == pytest.approx((2 * 10 + 1 * 10) / 20)


def test_periodic_items_do_not_reorder_on_demand():
    cal, sp, _, ordered, _ = make_point([5], [4], periodic=True)
    sp.stock_up(0, 5)
    sp.demand(0, "a")
    assert ordered == []


def test_welford_zeros_in_bulk_equal_zeros_one_by_one():
    from btoagents.kpis import Welford

    a, b = Welford(), Welford()
    for x in (3.0, 5.0, 4.0):
        a.add(x)
        b.add(x)
    for _ in range(7):
        a.add(0.0)
    b.add_zeros(7)
    assert (a.n, a.mean) == (b.n, pytest.approx(b.mean))
    assert a.variance == pytest.approx(b.variance)


def test_stage_periods_count_empty_periods_after_warmup_only():
    from btoagents.kpis import StagePeriods

    st = StagePeriods(1.0, start=2.0)
    st.roll(0.5)
    st.demand += 4  # period [0, 1): in the warm-up, not counted
    st.roll(1.2)
    st.demand += 2  # period [1, 2): in the warm-up
    st.roll(2.0)
    st.demand += 3  # period [2, 3)
    st.roll(10.0)  # closes [2, 3) and the empty [3, 4) ... [9, 10)
    assert st.demands.n == 8
    assert st.demands.mean == pytest.approx(3 / 8)
