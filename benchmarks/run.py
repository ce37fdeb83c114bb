"""`make bench`: the performance targets of btoagents, measured in one run.

Writes ``benchmarks/results.json`` and ``benchmarks/results.md``. Timings are best-of-N
wall-clock seconds on this machine; ratios are computed inside the same run, so they
compare like with like. Nothing here is asserted: the table says which target is met.

Targets:
1. mm1-bts, 200,000 orders: >= 0.30 x a plain heapq loop, >= 3 x SimPy (peers/).
2. dealer-network, one simulated year: <= 0.25 s per replication.
3. 16 x the horizon costs 16 x the time (+-15%) and the same peak memory (+-10%).
4. time per order grows at most 2 x from 10 to 1,000 variants and from 1 to 100 dealers.
5. 200 dealer-network runs on 2 Dask workers >= 1.7 x faster than serial; storing
   results costs <= 5% over not storing them.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def model_run(preset: str, overrides: list[str], seed: int = 1):
    from btoagents import load_scenario
    from btoagents.model import SupplyChainModel

    scn = load_scenario(preset, overrides)
    model = SupplyChainModel(scn, seed=seed)  # start-up excluded from the timing
    started = time.perf_counter()
    model.run()
    return time.perf_counter() - started, model


def bench_peers(repeat: int) -> dict:
    """Orders per second of the same M/M/1 line in btoagents, a plain heapq loop and SimPy.

    The three are timed in turns, one run of each per round, and each keeps its best round:
    the speed of a shared machine drifts over seconds, and timing one program's repeats
    after the other's would put that drift into the ratios.
    """
    from peers import heapq_mm1, simpy_mm1

    n, lam = 200_000, 0.8
    rng = np.random.default_rng(1)
    inter = (rng.standard_exponential(n) / lam).tolist()
    service = rng.standard_exponential(n).tolist()
    horizon = n / lam
    overrides = [f"simulation.horizon={horizon}", "simulation.warmup=0", "simulation.drain=false"]
    heap_s = simpy_s = ours_s = float("inf")
    orders = 0
    for _ in range(max(repeat, 5)):
        heap_s = min(heap_s, best_of(lambda: heapq_mm1.run(inter, service, 3), 1))
        simpy_s = min(simpy_s, best_of(lambda: simpy_mm1.run(inter, service, 3), 1))
        seconds, model = model_run("mm1-bts", overrides)
        ours_s = min(ours_s, seconds)
        orders = model.arrived_final
    rates = {"btoagents": orders / ours_s, "heapq": n / heap_s, "simpy": n / simpy_s}
    return {
        "orders_per_second": {k: round(v) for k, v in rates.items()},
        "ratio_to_heapq": round(rates["btoagents"] / rates["heapq"], 3),
        "ratio_to_simpy": round(rates["btoagents"] / rates["simpy"], 2),
        "met": rates["btoagents"] >= 0.30 * rates["heapq"]
        and rates["btoagents"] >= 3 * rates["simpy"],
    }


def bench_dealer_network(repeat: int) -> dict:
    runs = [
        model_run("dealer-network", ["simulation.horizon=425", "simulation.warmup=60"])
        for _ in range(repeat)
    ]
    seconds, model = min(runs, key=lambda r: r[0])
    return {
        "seconds_per_replication": round(seconds, 3),
        "events_per_second": round(model.cal.events / seconds),
        "orders": model.arrived_final,
        "met": seconds <= 0.25,
    }


RSS_SCRIPT = """
import resource, sys, time, json
from btoagents import load_scenario
from btoagents.model import SupplyChainModel
# customers without memory of service: with it, late deliveries lower demand as the run
# goes on, so a long run has less work per day; this target is about the engine's cost
scn = load_scenario("dealer-network", ["simulation.horizon=%s", "simulation.warmup=60",
                                       "customers.memory=false"])
m = SupplyChainModel(scn, seed=1)
t = time.perf_counter(); m.run(); t = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": t, "rss_mb": rss, "events": m.cal.events}))
"""


def bench_horizon(repeat: int) -> dict:
    out = {}
    for scale in (1, 16):
        horizon = 425 * scale  # the whole horizon scales (60-day warm-up kept)
        best = None
        for _ in range(repeat):
            done = subprocess.run(
                [sys.executable, "-c", RSS_SCRIPT % horizon],
                capture_output=True,
                text=True,
                check=True,
            )
            res = json.loads(done.stdout)
            if best is None or res["seconds"] < best["seconds"]:
                best = res
        out[scale] = best
    time_ratio = out[16]["seconds"] / out[1]["seconds"]
    rss_ratio = out[16]["rss_mb"] / out[1]["rss_mb"]
    per_event = [out[k]["seconds"] / out[k]["events"] * 1e6 for k in (1, 16)]
    return {
        "seconds_1x": round(out[1]["seconds"], 3),
        "seconds_16x": round(out[16]["seconds"], 3),
        "time_ratio": round(time_ratio, 2),
        "event_ratio": round(out[16]["events"] / out[1]["events"], 2),
        "us_per_event_1x_16x": [round(x, 2) for x in per_event],
        "peak_rss_mb_1x": round(out[1]["rss_mb"], 1),
        "peak_rss_mb_16x": round(out[16]["rss_mb"], 1),
        "rss_ratio": round(rss_ratio, 3),
        "met": 16 * 0.85 <= time_ratio <= 16 * 1.15 and rss_ratio <= 1.10,
    }


def bench_size(repeat: int) -> dict:
    def per_order(overrides: list[str]) -> float:
        runs = [
            model_run(
                "dealer-network", ["simulation.horizon=245", "simulation.warmup=60", *overrides]
            )
            for _ in range(repeat)
        ]
        seconds, model = min(runs, key=lambda r: r[0])
        return seconds / model.arrived_final * 1e6

    variants = {}
    for n in (10, 100, 1000):
        # the compact family carries the variety; the others keep theirs
        variants[n] = per_order([f"products.compact.variants={n}"])
    dealers = {}
    for n in (1, 10, 100):
        # one region per dealer at most (the preset pools its dealers in two regions)
        dealers[n] = per_order([f"dealers.count={n}", f"dealers.regions={min(n, 2)}"])
    v_ratio = variants[1000] / variants[10]
    d_ratio = dealers[100] / dealers[1]
    return {
        "microseconds_per_order_by_variants": {k: round(v, 1) for k, v in variants.items()},
        "microseconds_per_order_by_dealers": {k: round(v, 1) for k, v in dealers.items()},
        "variants_ratio": round(v_ratio, 2),
        "dealers_ratio": round(d_ratio, 2),
        "met": v_ratio <= 2.0 and d_ratio <= 2.0,
    }


SWEEP = """
name = "bench-sweep"
scenario = "dealer-network"
replications = 20
seed = 1
# runs of a few tenths of a second: this measures the harness (executors, store), not the model
overrides = ["simulation.horizon=150", "simulation.warmup=30"]
kpis = ["fill_rate", "fg_inventory", "lead_time_mean", "profit"]
[design]
kind = "latin_hypercube"
samples = 10
[factors.bto_share]
keys = ["products.compact.tail_share", "products.suv.tail_share"]
range = [0.0, 1.0]
"""


def bench_sweep() -> dict:
    from btoagents.experiment import sweep
    from btoagents.experiment.runs import execute_run
    from btoagents.experiment.sweep import prepare

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "exp.toml"
        path.write_text(SWEEP)
        dask = sweep(
            path, executor="dask", workers=2, folder=Path(tmp) / "dask", progress_every=1e9
        )
        tasks = list(prepare(path).tasks())
        stored, bare = float("inf"), float("inf")
        for attempt in range(2):  # interleaved, best of two: the machine's drift cancels
            serial = sweep(
                path, executor="serial", folder=Path(tmp) / f"serial{attempt}", progress_every=1e9
            )
            stored = min(stored, serial.elapsed)
            started = time.perf_counter()
            for task in tasks:
                execute_run(task)
            bare = min(bare, time.perf_counter() - started)
    speedup = stored / dask.elapsed
    overhead = stored / bare - 1
    return {
        "runs": serial.total,
        "serial_seconds": round(stored, 1),
        "dask_2_workers_seconds": round(dask.elapsed, 1),
        "speedup": round(speedup, 2),
        "runs_without_store_seconds": round(bare, 1),
        "store_overhead": round(overhead, 3),
        "met": speedup >= 1.7 and overhead <= 0.05,
    }


#: mm1-bts's orders per second against SimPy's that a change of the model may not go below
#: (the engine's own speed, measured in the same run as SimPy so the machine's speed cancels)
REGRESSION_FLOOR = 1.8


def markdown(results: dict) -> str:
    p, d, h, s, w = (results[k] for k in ("peers", "dealer_network", "horizon", "size", "sweep"))
    ok = {True: "met", False: "**not met**"}
    rows = [
        (
            "1. mm1-bts vs peers (orders/s)",
            f"btoagents {p['orders_per_second']['btoagents']:,}, heapq "
            f"{p['orders_per_second']['heapq']:,}, SimPy {p['orders_per_second']['simpy']:,}; "
            f"{p['ratio_to_heapq']} x heapq (target 0.30), "
            f"{p['ratio_to_simpy']} x SimPy (target 3)",
            ok[p["met"]],
        ),
        (
            "1b. mm1-bts, no regression",
            f"{p['ratio_to_simpy']} x SimPy in the same run (floor {REGRESSION_FLOOR})",
            ok[p["ratio_to_simpy"] >= REGRESSION_FLOOR],
        ),
        (
            "2. dealer-network, one year",
            f"{d['seconds_per_replication']} s per replication (target 0.25), "
            f"{d['events_per_second']:,} events/s",
            ok[d["met"]],
        ),
        (
            "3. 16 x horizon",
            f"time x {h['time_ratio']} (target 13.6-18.4; events x {h['event_ratio']}, "
            f"us/event {h['us_per_event_1x_16x']}), peak RSS {h['peak_rss_mb_1x']} -> "
            f"{h['peak_rss_mb_16x']} MB (x {h['rss_ratio']}, target <= 1.10)",
            ok[h["met"]],
        ),
        (
            "4. size (us per order)",
            f"variants 10/100/1000: {list(s['microseconds_per_order_by_variants'].values())} "
            f"(x {s['variants_ratio']}); dealers 1/10/100: "
            f"{list(s['microseconds_per_order_by_dealers'].values())} (x {s['dealers_ratio']}); "
            "target <= 2",
            ok[s["met"]],
        ),
        (
            "5. sweep, 200 runs",
            f"serial {w['serial_seconds']} s, Dask 2 workers {w['dask_2_workers_seconds']} s "
            f"(x {w['speedup']}, target 1.7); store overhead {w['store_overhead']:.1%} "
            "(target 5%)",
            ok[w["met"]],
        ),
    ]
    lines = ["| target | measured | verdict |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="best of N")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    parser.add_argument(
        "--only",
        help="comma-separated targets to measure (peers, dealer_network, horizon, size, "
        "sweep); the others are kept from --out",
    )
    args = parser.parse_args()
    benches = {
        "peers": lambda: bench_peers(args.repeat),
        "dealer_network": lambda: bench_dealer_network(args.repeat),
        "horizon": lambda: bench_horizon(args.repeat),
        "size": lambda: bench_size(args.repeat),
        "sweep": bench_sweep,
    }
    chosen = list(benches) if not args.only else args.only.split(",")
    unknown = [name for name in chosen if name not in benches]
    if unknown:
        parser.error(f"--only: unknown target {unknown[0]!r} (one of {', '.join(benches)})")
    results = json.loads(Path(args.out).read_text()) if args.only else {}
    for name in chosen:
        results[name] = benches[name]()
        print(name, results[name], flush=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    table = markdown(results)
    Path(args.out).with_suffix(".md").write_text(table)
    print(table)


if __name__ == "__main__":
    main()
