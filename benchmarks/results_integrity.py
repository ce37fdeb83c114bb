"""Audit of the results folder under abuse: repeated SIGKILLs of real sweeps on the process
and Dask executors, two sweeps of one file started together, and a damaged part.

Each audit runs ``btoagents sweep`` as a real subprocess and counts the raw Parquet rows
afterwards (not ``load_results``, which would hide a duplicate):

- ``kills``: the sweep is killed (SIGKILL) again and again, each time after it showed
  progress (a new part file) plus a random delay, or at start-up; then it is run to the
  end. Reports rows expected, found, lost and duplicated per executor.
- ``together``: two sweeps of the same file into the same folder, started at once.
- ``damage``: a finished folder gets one part overwritten with random bytes, one truncated
  and one emptied; a plain rerun must set them aside and recompute their runs.

    python benchmarks/results_integrity.py --kills 16 --out benchmarks/results_integrity.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq

EXPERIMENT = """
name = "integrity"
scenario = "mm1-bts"
replications = {replications}
seed = 11
overrides = ["simulation.horizon=3000", "simulation.warmup=30"]
kpis = ["fill_rate", "backorders"]
[design]
kind = "full_factorial"
[factors.S]
key = "products.standard.base_stock"
levels = [0, 2, 4]
[arms.stock]
overrides = []
[arms.order]
overrides = ["products.standard.strategy=bto"]
"""


def write_experiment(folder: Path, replications: int) -> tuple[Path, int]:
    path = folder / "integrity.toml"
    path.write_text(EXPERIMENT.format(replications=replications))
    return path, replications * 3 * 2


def sweep_cmd(path: Path, root: Path, executor: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "btoagents.cli",
        "sweep",
        str(path),
        "--executor",
        executor,
        "--workers",
        "2",
        "--results",
        str(root),
    ]


def parts(folder: Path) -> list[Path]:
    return sorted((folder / "parts").glob("part-*.parquet"))


def raw_keys(folder: Path) -> list[str]:
    """Every run key in every part, duplicates included (what a DuckDB query sees)."""
    return [
        k
        for p in parts(folder)
        for k in pq.read_table(p, columns=["run_key"])["run_key"].to_pylist()
    ]


def wait_until(event: Callable[[], bool], proc: subprocess.Popen, limit: float = 300) -> bool:
    """Poll until ``event()`` holds; False if the process ended first."""
    end = time.monotonic() + limit
    while not event():
        if proc.poll() is not None or time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


def counts(folder: Path, expected: int) -> dict[str, int]:
    keys = raw_keys(folder)
    return {
        "rows_expected": expected,
        "raw_rows": len(keys),
        "unique_runs": len(set(keys)),
        "lost": expected - len(set(keys)),
        "duplicated": len(keys) - len(set(keys)),
    }


def kills(executor: str, n_kills: int, rng: random.Random, work: Path) -> dict:
    """SIGKILL a real sweep ``n_kills`` times after observed progress, then finish it."""
    path, expected = write_experiment(work, replications=100)
    root = work / "results"
    folder = root / "integrity"
    done_kills = 0
    started = time.perf_counter()
    while done_kills < n_kills:
        before = len(parts(folder))
        proc = subprocess.Popen(
            sweep_cmd(path, root, executor), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if rng.random() < 0.3:  # at start-up: once the manifest is there
            seen = wait_until((folder / "manifest.json").exists, proc)
        else:  # after a new part, at a random moment of the next batch
            seen = wait_until(lambda b=before: len(parts(folder)) > b, proc)
        if seen:
            time.sleep(rng.uniform(0.0, 1.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            done_kills += 1
        proc.wait()
        if len(set(raw_keys(folder))) >= expected:  # finished between kills: start again
            break
    final = subprocess.run(sweep_cmd(path, root, executor), capture_output=True, text=True)
    return {
        "executor": executor,
        "sigkills": done_kills,
        "final_exit": final.returncode,
        "seconds": round(time.perf_counter() - started, 1),
        **counts(folder, expected),
    }


def together(executor: str, work: Path) -> dict:
    """Two sweeps of one file into one folder, started at the same moment."""
    path, expected = write_experiment(work, replications=20)
    root = work / "results"
    procs = [
        subprocess.Popen(
            sweep_cmd(path, root, executor),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = [p.communicate() for p in procs]
    # whichever was refused, a plain rerun completes the folder
    rerun = subprocess.run(sweep_cmd(path, root, executor), capture_output=True, text=True)
    return {
        "executor": executor,
        "exits": [p.returncode for p in procs],
        "stderr_last_lines": [(err.strip().splitlines() or [""])[-1] for _, err in outs],
        "rerun_exit": rerun.returncode,
        **counts(root / "integrity", expected),
    }


def damage(work: Path, rng: random.Random) -> dict:
    """Damage three parts of a finished folder; a plain rerun recovers every run."""
    path, expected = write_experiment(work, replications=20)
    root = work / "results"
    folder = root / "integrity"
    cmd = [*sweep_cmd(path, root, "serial")]
    subprocess.run(cmd, capture_output=True, check=True)
    victims = parts(folder)[:3]
    victims[0].write_bytes(rng.randbytes(4096))
    victims[1].write_bytes(victims[1].read_bytes()[:100])
    victims[2].write_bytes(b"")
    status = subprocess.run([*cmd[:3], "status", str(folder)], capture_output=True, text=True)
    rerun = subprocess.run(cmd, capture_output=True, text=True)
    return {
        "damaged_parts": [v.name for v in victims],
        "status_exit": status.returncode,
        "status_traceback": "Traceback" in status.stderr,
        "rerun_exit": rerun.returncode,
        "rerun_stderr": rerun.stderr.strip().splitlines()[:5],
        "quarantined": sorted(p.name for p in (folder / "quarantine").glob("*"))
        if (folder / "quarantine").exists()
        else [],
        **counts(folder, expected),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=16, help="SIGKILLs per executor (default 16)")
    parser.add_argument("--seed", type=int, default=3, help="seed of the kill moments")
    parser.add_argument("--out", default="benchmarks/results_integrity.json", help="report (JSON)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    report: dict = {"kills": [], "together": [], "damage": None}
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for i, executor in enumerate(("process", "dask")):
            work = base / f"kills-{i}"
            work.mkdir()
            report["kills"].append(kills(executor, args.kills, rng, work))
            print(json.dumps(report["kills"][-1]), flush=True)
        for i, executor in enumerate(("serial", "process")):
            work = base / f"together-{i}"
            work.mkdir()
            report["together"].append(together(executor, work))
            print(json.dumps(report["together"][-1]), flush=True)
        work = base / "damage"
        work.mkdir()
        report["damage"] = damage(work, rng)
        print(json.dumps(report["damage"]), flush=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(f"report: {args.out}")
    bad = [
        r
        for r in report["kills"] + report["together"] + [report["damage"]]
        if r["lost"] or r["duplicated"]
    ]
    return 1 if bad else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
