"""Workcenter: FCFS, non-preemptive and preemptive-resume priority, overtime."""

from __future__ import annotations

import pytest

from btoagents.calendar import Calendar
from btoagents.distributions import Duration
from btoagents.production import Workcenter
from btoagents.random import Stream
from btoagents.records import Job


def make_wc(discipline, lines=1, mean=1.0, overtime_lines=0, threshold=10):
    cal = Calendar()
    done: list[tuple[float, Job]] = []
    dur = Duration("deterministic", mean, Stream(0, "t"))
    wc = Workcenter(
        "w",
        cal,
        lines,
        dur,
        discipline,
        lambda j: done.append((cal.now, j)),
        overtime_lines,
        threshold,
    )
    return cal, wc, done


def submit_at(cal, wc, t, job):
    cal.at(t, wc.submit, job)


def test_fcfs_serves_in_arrival_order_whatever_the_class():
    cal, wc, done = make_wc("fcfs")
    jobs = [Job(0, 1), Job(1, 1), Job(2, 0)]
    for j in jobs:
        submit_at(cal, wc, 0.0, j)
    cal.run_until(10)
    assert [j.item for _, j in done] == [0, 1, 2]
    assert [t for t, _ in done] == [1.0, 2.0, 3.0]


def test_bto_priority_starts_customer_work_first_without_interrupting():
    cal, wc, done = make_wc("bto_priority")
    submit_at(cal, wc, 0.0, Job(0, 1))  # stock job starts at once
    submit_at(cal, wc, 0.1, Job(1, 1))
    submit_at(cal, wc, 0.2, Job(2, 0))  # customer job overtakes the waiting stock job
    cal.run_until(10)
    assert [j.item for _, j in done] == [0, 2, 1]
    assert [t for t, _ in done] == [1.0, 2.0, 3.0]
    assert wc.preemptions == 0


def test_bto_preemptive_interrupts_stock_work_which_resumes_its_remaining_time():
    cal, wc, done = make_wc("bto_preemptive")
    submit_at(cal, wc, 0.0, Job(0, 1))
    submit_at(cal, wc, 0.4, Job(1, 0))  # interrupts after 0.4 of 1.0 done
    cal.run_until(10)
    assert [j.item for _, j in done] == [1, 0]
    assert done[0][0] == pytest.approx(1.4)
    assert done[1][0] == pytest.approx(2.0)  # resumed with 0.6 left
    assert wc.preemptions == 1
    assert wc.busy.mean(2.0) == pytest.approx(1.0)  # never idle, never double-booked


def test_parallel_lines_serve_simultaneously():
    cal, wc, done = make_wc("fcfs", lines=2)
    for k in range(4):
        submit_at(cal, wc, 0.0, Job(k, 0))
    cal.run_until(10)
    assert [t for t, _ in done] == [1.0, 1.0, 2.0, 2.0]


def test_overtime_lines_open_only_when_queue_reaches_threshold():
    cal, wc, done = make_wc("fcfs", lines=1, overtime_lines=1, threshold=2)
    submit_at(cal, wc, 0.0, Job(0, 0))
    submit_at(cal, wc, 0.0, Job(1, 0))  # one waiting: below threshold
    cal.run_until(0.5)
    assert wc.busy_overtime.level == 0
    submit_at(cal, wc, 0.5, Job(2, 0))  # two waiting: overtime line opens
    cal.run_until(0.5)
    assert wc.busy_overtime.level == 1
    cal.run_until(10)
    assert len(done) == 3
    assert wc.busy.mean(10.0) <= 1.0


def test_quote_grows_with_the_queue_ahead():
    cal, wc, _ = make_wc("fcfs")
    empty = wc.quote(0)
    for k in range(3):
        wc.submit(Job(k, 1))
    assert empty == pytest.approx(1.0)
    assert wc.quote(0) == pytest.approx(4.0)
