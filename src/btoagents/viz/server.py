"""Serve the dashboard on 127.0.0.1 with solara's server, offline.

Checks first what would otherwise fail in the browser (the dashboard extra, the front-end
assets, the scenario), then runs ``solara run btoagents.viz.app`` in this process in
production mode, without solara's version check and telemetry (both would call out to the
internet), until Ctrl-C.
"""

from __future__ import annotations

import argparse
import os
import warnings

from btoagents.errors import BtoagentsError

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


def serve(args: argparse.Namespace, console) -> int:
    """Serve the dashboard for ``args.scenario`` on ``127.0.0.1:args.port`` until Ctrl-C.

    Returns:
        The exit status: 0 after Ctrl-C, 1 when the server could not start.
    """
    if not 0 < args.port < 65536:
        raise BtoagentsError(f"--port = {args.port}: must be between 1 and 65535")
    check_ready(args.scenario)
    from btoagents.viz.app import SCENARIO_ENV

    os.environ[SCENARIO_ENV] = args.scenario
    import solara.server.settings as settings
    from solara.__main__ import run as solara_run

    settings.telemetry.mixpanel_enable = False
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
        solara_run.main(args=argv, prog_name="btoagents dashboard", standalone_mode=False)
    except KeyboardInterrupt:
        pass
    except SystemExit as exc:  # uvicorn exits 1 when it cannot bind the port
        code = exc.code if isinstance(exc.code, int) else 1
        if code:
            console.print(f"error: the server stopped (port {args.port} in use?)")
        return code
    return 0
