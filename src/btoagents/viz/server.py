"""Serve the dashboard on 127.0.0.1 with solara's server, offline.

Checks first what would otherwise fail in the browser (the dashboard extra, the front-end
assets, the scenario, the budget), then runs ``solara run btoagents.viz.app`` in this
process in production mode, without solara's version check and telemetry (both would call
out to the internet), until Ctrl-C.

The server holds its ground against its visitors: each run has a budget
(:mod:`btoagents.viz.budget`, passed to the page in the environment), a session whose page
went away is closed after ``--session-timeout`` seconds (solara's default keeps it a day),
and the memory of freed runs goes back to the system (:mod:`btoagents.viz.trim`).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import warnings

from btoagents.errors import BtoagentsError
from btoagents.viz.budget import Budget

HOST = "127.0.0.1"

#: Environment for solara, set before it is imported: no telemetry calls.
SOLARA_ENV = {"SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False"}


def check_ready(scenario: str) -> None:
    """Raise a one-line BtoagentsError when the dashboard cannot serve ``scenario``."""
    for key, value in SOLARA_ENV.items():
        os.environ.setdefault(key, value)
    from btoagents.config import load_scenario
    from btoagents.viz.assets import missing_assets

    missing = missing_assets()
    if missing:
        names = ", ".join(a.spec for a in missing)
        raise BtoagentsError(
            f"the dashboard's front-end assets are missing ({names}): run `make dashboard` "
            "(or python -m btoagents.viz.assets)"
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the page shows the steady-state warning
        load_scenario(scenario)


def budget_of(args: argparse.Namespace) -> Budget:
    """The run budget the command line asks for; a one-line BtoagentsError if it is bad."""
    options = {
        "step_events": "--step-events",
        "step_seconds": "--step-seconds",
        "run_events": "--run-events",
        "memory_mb": "--memory-mb",
    }
    for name, option in options.items():
        value = getattr(args, name)
        if not (value > 0 and math.isfinite(value)):
            raise BtoagentsError(f"{option} = {value}: must be a positive number")
    return Budget(**{name: getattr(args, name) for name in options})


def _log_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Print a warning raised while serving as one line on stderr (the server's log)."""
    first = str(message).strip().splitlines()[0] if str(message).strip() else ""
    print(f"warning: {category.__name__}: {first}", file=sys.stderr, flush=True)


def serve(args: argparse.Namespace, console) -> int:
    """Serve the dashboard for ``args.scenario`` on ``127.0.0.1:args.port`` until Ctrl-C.

    Returns:
        The exit status: 0 after Ctrl-C, 1 when the server could not start.
    """
    if not 0 < args.port < 65536:
        raise BtoagentsError(f"--port = {args.port}: must be between 1 and 65535")
    budget = budget_of(args)
    timeout = args.session_timeout
    if not (timeout > 0 and math.isfinite(timeout)):
        raise BtoagentsError(f"--session-timeout = {timeout}: must be a positive number")
    from btoagents.viz import offered

    # the operator's plugins are checked first: that needs no dashboard extra
    plugin_env = offered.to_env(offered.parse(getattr(args, "plugin", [])))
    check_ready(args.scenario)
    from btoagents.viz import trim
    from btoagents.viz.app import SCENARIO_ENV

    os.environ.update(plugin_env)

    os.environ[SCENARIO_ENV] = args.scenario
    os.environ.update(budget.to_env())
    trim.install()
    import click
    import solara.server.settings as settings
    from solara.__main__ import run as solara_run

    settings.telemetry.mixpanel_enable = False
    settings.kernel.cull_timeout = f"{timeout:g}s"
    console.print(
        f"btoagents dashboard: {args.scenario} on http://{HOST}:{args.port}/ (Ctrl-C stops)",
        highlight=False,
        soft_wrap=True,
    )
    argv = [
        "btoagents.viz.app",
        "--host",
        HOST,
        "--port",
        str(args.port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level-uvicorn",
        "warning",
    ]
    try:
        with warnings.catch_warnings():
            # the command line records warnings to print them at the end: a server that runs
            # for weeks would pile them up, so they go to its log as they come
            warnings.simplefilter("default")
            warnings.showwarning = _log_warning
            solara_run.main(args=argv, prog_name="btoagents dashboard", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):  # click turns Ctrl-C into Abort
        pass
    except SystemExit as exc:  # uvicorn exits 1 when it cannot bind the port
        code = exc.code if isinstance(exc.code, int) else 1
        if code:
            console.print(f"error: the server stopped (port {args.port} in use?)")
        return code
    return 0
