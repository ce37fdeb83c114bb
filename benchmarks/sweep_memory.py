"""Parent-process memory of a 10,000-run sweep (the harness issue's target: under 500 MB).

Runs a small build-to-order scenario 10,000 times (200 design points x 50 replications)
on a local process pool and reports the parent's peak resident memory. Results stream to
Parquet parts as they finish, so the peak should not depend on the number of runs: the
script also reports the peak after the first 1,000 runs for comparison.

Usage: python benchmarks/sweep_memory.py [--runs-per-point 50] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

EXPERIMENT = """
name = "memory-bench"
scenario = "mm1-bto"
replications = {reps}
seed = 1
overrides = ["simulation.horizon=60", "simulation.warmup=5"]
kpis = ["lead_time_mean", "backorders", "utilization"]
[design]
kind = "latin_hypercube"
samples = 200
[factors.rate]
key = "products.standard.demand_rate"
range = [0.3, 0.8]
"""


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    from btoagents.experiment import load_results, sweep

    parser = argparse.ArgumentParser()
    parser.add_argument("--runs-per-point", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default=str(Path(__file__).with_name("sweep_memory.json")))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "exp.toml"
        results = {}
        for reps in (5, args.runs_per_point):
            path.write_text(EXPERIMENT.format(reps=reps))
            started = time.perf_counter()
            summary = sweep(
                path,
                executor="process",
                workers=args.workers,
                folder=Path(tmp) / f"res{reps}",
                progress_every=30.0,
            )
            results[summary.total] = {
                "runs": summary.total,
                "seconds": round(time.perf_counter() - started, 1),
                "parent_peak_rss_mb": round(peak_rss_mb(), 1),
                "rows_stored": len(load_results(Path(tmp) / f"res{reps}")),
            }
            print(results[summary.total], flush=True)
    Path(args.out).write_text(json.dumps(list(results.values()), indent=2) + "\n")


if __name__ == "__main__":
    main()
