"""How far an experiment's sweeps are: runs stored ok, failed (with their error), lost,
missing and damaged, and the sweeps that wrote the folder; read-only (takes no lock)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from btoagents.experiment.store import ResultStore


def error_line(error: str | None) -> str:
    """The line of a stored traceback that names the exception and its message.

    That is the first line after the last stack frame (``RuntimeError: boom``), which stays
    right for chained exceptions and multi-line messages; an error without a traceback
    (a lost run's) gives its first line.
    """
    lines = [ln for ln in (error or "").splitlines() if ln.strip()]
    last_frame = max((i for i, ln in enumerate(lines) if ln.startswith("  File ")), default=-1)
    for ln in lines[last_frame + 1 :]:
        if not ln[0].isspace():
            return ln.strip()
    return lines[0].strip() if lines else ""


def status(folder: str | Path) -> dict[str, Any]:
    """How far a sweep is: runs in the design, stored ok, failed (with their error line),
    lost, missing, damaged parts skipped, and the sweeps that wrote the folder."""
    store = ResultStore(folder)
    manifest = store.require_manifest()
    rows, damaged = store.load()
    counts = rows["status"].value_counts() if len(rows) else pd.Series(dtype=int)
    ok, failed, lost = (int(counts.get(s, 0)) for s in ("ok", "failed", "lost"))
    failures = []
    if failed:
        for _, row in rows[rows["status"] == "failed"].iterrows():
            failures.append(
                {
                    **{k: row[k] for k in ("run_key", "point", "arm", "replication")},
                    "error": error_line(row.get("error")),
                }
            )
    total = int(manifest["runs_total"])
    return {
        "name": manifest["name"],
        "experiment_file": manifest.get("experiment_file"),
        "total": total,
        "ok": ok,
        "failed": failed,
        "lost": lost,
        "missing": max(0, total - ok - failed),
        "parts": len(store.part_files()),
        "damaged": [str(d.path) for d in damaged],
        "failures": failures,
        "sweeps": manifest.get("sweeps", []),
        "created": manifest.get("created"),
        "finished": manifest.get("finished"),
    }


#: failed runs listed by ``btoagents status`` (the rest are counted)
STATUS_FAILURES = 20


def status_lines(s: dict[str, Any]) -> list[str]:
    """What ``btoagents status`` prints for a :func:`status` record."""
    lines = [
        f"{s['name']}: {s['ok']} ok, {s['failed']} failed, {s['missing']} missing "
        f"({s['lost']} lost to dead workers, to run again) of "
        f"{s['total']} runs in {s['parts']} parts (created {s['created']}, last finished "
        f"{s['finished']})"
    ]
    if s["damaged"]:
        lines.append(
            f"{len(s['damaged'])} damaged parts skipped (their runs count as missing): the "
            "next sweep sets them aside in quarantine/ and runs their runs again"
        )
    failures = s["failures"]
    if failures:
        lines.append("failed runs (the traceback's last line, naming the exception):")
        for f in failures[:STATUS_FAILURES]:
            lines.append(
                f"  point {f['point']}, arm {f['arm']}, replication {f['replication']}: "
                f"{f['error']}"
            )
        if len(failures) > STATUS_FAILURES:
            lines.append(
                f"  ... and {len(failures) - STATUS_FAILURES} more (column 'error' of load_results)"
            )
        lines.append(
            f"once the cause is fixed, `btoagents sweep {s['experiment_file']} --retry-failed` "
            "runs them again"
        )
    if s["sweeps"]:
        last = s["sweeps"][-1]
        if last.get("finished") is None:
            end = "has not recorded its end (still running, or killed)"
        else:
            end = (
                f"ended {last['finished']}, ran {last.get('ran')} ({last.get('ok')} ok, "
                f"{last.get('failed')} failed, {last.get('lost')} lost)"
            )
            if last.get("interrupted"):
                end += f", interrupted by {last.get('stopped_by')}"
        retry = ", retrying failed runs" if last.get("retry_failed") else ""
        lines.append(
            f"{len(s['sweeps'])} sweeps so far; the last started {last.get('started')}{retry} "
            f"and {end}"
        )
    return lines
