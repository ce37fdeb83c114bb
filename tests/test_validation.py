"""The quick validation subset (the same cases `btoagents validate --quick` runs)."""

from __future__ import annotations

import pytest

from btoagents.cli import main
from btoagents.validation import quick_cases


def test_validate_runs_the_chosen_families_and_writes_their_report(tmp_path, capsys):
    """The command on two fast families (the whole quick subset runs, and its report is
    checked, in ``figures --quick``: tests/test_figures.py)."""
    args = ["validate", "--quick", "--family", "palm", "--family", "little"]
    status = main([*args, "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert status == 0, out
    report = (tmp_path / "report.md").read_text()
    chosen = [c for c in quick_cases() if c.family in ("palm", "little")]
    assert len(chosen) == 3
    for case in quick_cases():
        assert (case.params in report) == (case in chosen), case.name
    assert "**NO**" not in report
    assert (tmp_path / "theory_vs_simulation.png").stat().st_size > 10_000
    assert (tmp_path / "checks.csv").exists()


def test_a_wrong_theory_value_fails_its_check():
    from dataclasses import replace

    from btoagents.validation import run_case

    case = next(c for c in quick_cases() if c.family == "mm1-bto")
    wrong = replace(case, theory={"lead_time_mean": case.theory["lead_time_mean"] * 1.05})
    (check,) = run_case(wrong)
    assert not check.passed and check.z < -3


def test_unknown_validation_family_is_one_line_error(capsys):
    assert main(["validate", "--family", "nonsense"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: --family 'nonsense'") and "\n" not in err


@pytest.mark.parametrize("family", ["little"])
def test_little_identity_catches_a_broken_backlog_accumulator(family, monkeypatch):
    from btoagents.kpis import TimeAverage
    from btoagents.validation import run_case

    case = next(c for c in quick_cases() if c.family == family)
    original = TimeAverage.mean
    monkeypatch.setattr(TimeAverage, "mean", lambda self, now: original(self, now) * 1.01)
    checks = run_case(case)
    assert not all(c.passed for c in checks)


def test_listing_cases_solves_no_ato_chain_and_a_case_solves_its_own_once(monkeypatch):
    from btoagents import theory
    from btoagents.validation import all_cases

    solved = []
    exact = theory.ato_decoupling

    def counting(*args):
        solved.append(args)
        return exact(*args)

    monkeypatch.setattr(theory, "ato_decoupling", counting)
    cases = all_cases()
    assert len(cases) == 82 and solved == []
    assert {c.family for c in quick_cases()} >= {"ato-decoupling"} and solved == []

    (case,) = [c for c in quick_cases() if c.family == "ato-decoupling"]
    assert "component_fill_rate" in case.theory and solved == []
    values = dict(case.theory)
    assert solved == [(1.0, 1.0 / 0.65, 1.0 / 0.6, 2)]
    expected = exact(1.0, 1.0 / 0.65, 1.0 / 0.6, 2)
    assert values == {k: expected[k] for k in values} and len(values) == 8
    assert case.theory["lead_time_p95"] == expected["lead_time_p95"] and len(solved) == 1
