"""Fuzz audit of the command line: N hostile command lines through the real ``btoagents``
entry point, each in its own forked process with a time limit, and a report of what came
back: clean refusals, acceptances, problems (tracebacks, several lines, stray files),
cases past 10 s, and peak memory.

The cases are those of the property test ``tests/properties/test_cli_fuzz.py`` (mutated
presets, ``--set`` items, experiment files, binary, oversized and deeply nested files), run
here at the real event budget rather than the test's small one.

    python benchmarks/fuzz_cli.py --examples 1000 --out benchmarks/fuzz_cli.json
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import signal
import sys
import time
import warnings
from pathlib import Path

# each case runs in a fork of this process: no BLAS thread pool before numpy loads. The one
# other thread is jemalloc's background thread (pyarrow), whose locks jemalloc takes around
# fork() itself (pthread_atfork), so Python's generic warning about forking is silenced.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")
warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "properties"))

from fuzz_harness import run_case  # noqa: E402
from hostile import Case, cases  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402

#: a case still running after this long is killed and counted as a hang
HANG_SECONDS = 60.0
#: cases slower than this are listed (the issue's bar: none)
SLOW_SECONDS = 10.0
#: address-space cap of each case's process, so one case cannot take the machine
MEMORY_CAP = 8 * 2**30


def run_forked(case: Case) -> dict:
    """Run ``case`` in a child process; its outcome, wall time and peak RSS (MiB)."""
    read, write = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: one case, its verdict down the pipe
        os.close(read)
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))
        try:
            outcome = run_case(case)
            verdict = {
                "status": outcome.status,
                "problems": outcome.problems(case.refuse),
                "first": (outcome.stderr or [""])[0][:300],
            }
        except BaseException as exc:  # noqa: BLE001 - an escaped exception is the finding
            verdict = {"status": -1, "problems": [f"raised {type(exc).__name__}: {exc}"[:300]]}
        os.write(write, json.dumps(verdict).encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while True:
        done, _, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.perf_counter() - started > HANG_SECONDS:
            os.kill(pid, signal.SIGKILL)
            _, _, usage = os.wait4(pid, 0)
            break
        time.sleep(0.02)
    os.set_blocking(read, False)
    try:
        while chunk := os.read(read, 65536):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    os.close(read)
    elapsed = time.perf_counter() - started
    raw = b"".join(chunks)
    verdict = json.loads(raw) if raw else {"status": None, "problems": ["killed or died"]}
    return {
        "kind": case.kind,
        "argv": case.argv,
        **verdict,
        "seconds": round(elapsed, 3),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }


def audit(examples: int) -> list[dict]:
    results: list[dict] = []

    @settings(
        max_examples=examples,
        database=None,
        derandomize=True,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases())
    def probe(case: Case) -> None:
        results.append(run_forked(case))
        if len(results) % 100 == 0:
            print(f"{len(results)} cases", file=sys.stderr, flush=True)

    probe()
    return results


def summarize(results: list[dict]) -> dict:
    clean = [r for r in results if not r["problems"]]
    by_kind: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for r in results:
        verdict = "problem" if r["problems"] else {0: "accepted", 2: "refused"}[r["status"]]
        by_kind[r["kind"]][verdict] += 1
    return {
        "cases": len(results),
        "refused_cleanly": sum(r["status"] == 2 for r in clean),
        "accepted": sum(r["status"] == 0 for r in clean),
        "problems": len(results) - len(clean),
        "tracebacks": sum(
            any("raised" in p or "traceback" in p for p in r["problems"]) for r in results
        ),
        "past_10_s": sum(r["seconds"] > SLOW_SECONDS for r in results),
        "slowest_seconds": max(r["seconds"] for r in results),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in results),
        "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
        "problem_cases": [r for r in results if r["problems"]][:50],
        "slow_cases": [r for r in results if r["seconds"] > SLOW_SECONDS][:50],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=1000, help="cases to run (default 1000)")
    parser.add_argument("--out", default="benchmarks/fuzz_cli.json", help="report file (JSON)")
    args = parser.parse_args()
    started = time.perf_counter()
    report = summarize(audit(args.examples))
    report["wall_seconds"] = round(time.perf_counter() - started, 1)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    keys = ("cases", "refused_cleanly", "accepted", "problems", "tracebacks", "past_10_s")
    print(", ".join(f"{k}={report[k]}" for k in keys), f"peak_rss={report['peak_rss_mib']} MiB")
    print(f"report: {args.out}")
    return 1 if report["problems"] or report["past_10_s"] else 0


if __name__ == "__main__":
    sys.exit(main())
