"""Fuzzing the command line: mutated presets, ``--set`` items, experiment files and files
that are no scenario at all. Each is either accepted (exit 0) or refused with exactly one
``error:`` line and exit status 2; never a traceback, and never a file outside the results
folder. ``make validate`` runs the thorough profile (thousands of examples)."""

from __future__ import annotations

import os

import pytest
from fuzz_harness import run_case
from hostile import cases
from hypothesis import given, settings

from btoagents.config import budget

#: examples per profile: the fast profile inside ``make test``, thousands under make validate
EXAMPLES = {"fast": 60, "thorough": 2000}


@pytest.fixture(autouse=True)
def small_budget(monkeypatch):
    """Accepted cases must stay quick: a run refused above a small event budget (the same
    check that refuses a run too large for the machine, with a lower limit)."""
    monkeypatch.setattr(budget, "MAX_EVENTS", 2_000_000)


@settings(max_examples=EXAMPLES.get(os.environ.get("HYPOTHESIS_PROFILE", "fast"), 60))
@given(case=cases())
def test_every_hostile_command_line_is_accepted_or_refused_in_one_line(case):
    outcome = run_case(case)
    assert not outcome.problems(case.refuse), (case.kind, case.argv, outcome)
