"""Plugins the person who starts the dashboard offers to its visitors (``--plugin``).

A visitor may only pick registered plugins (built-ins and installed entry points): the page
never imports a module a visitor names. Whoever starts the server is trusted like any user
of the command line, so ``btoagents dashboard --plugin fulfillment=pkg.mod:Name`` adds a
plugin named by import path to the selector of its kind. It is imported and checked once,
before the server starts, and handed to the page in the environment.
"""

from __future__ import annotations

import json
import os

from btoagents.errors import BtoagentsError

#: the environment variable holding the offered plugins (JSON: kind -> list of specs)
ENV = "BTOAGENTS_DASHBOARD_PLUGINS"


def parse(items: list[str]) -> dict[str, list[str]]:
    """``KIND=SPEC`` items -> kind -> specs, each resolved (imported) and checked against
    its kind's protocol. Raises a one-line BtoagentsError naming the item otherwise."""
    from btoagents import plugins

    out: dict[str, list[str]] = {}
    for item in items:
        kind, sep, spec = item.partition("=")
        kind, spec = kind.strip(), spec.strip()
        if not sep or kind not in plugins.KINDS or not spec:
            raise BtoagentsError(
                f"--plugin {item!r}: expected KIND=SPEC with KIND one of "
                f"{', '.join(plugins.KINDS)}, e.g. fulfillment=examples.custom_policy:StockHot"
            )
        try:
            plugins.resolve(kind, spec)
        except plugins.PluginError as exc:
            raise BtoagentsError(f"--plugin {item!r}: {exc}") from None
        if spec not in out.setdefault(kind, []):
            out[kind].append(spec)
    return out


def to_env(offered: dict[str, list[str]]) -> dict[str, str]:
    """The environment that hands ``offered`` to the page."""
    return {ENV: json.dumps(offered)}


def offered(kind: str) -> list[str]:
    """The plugins of ``kind`` the server's operator offers (none unless ``--plugin``)."""
    raw = os.environ.get(ENV)
    if not raw:
        return []
    specs = json.loads(raw).get(kind, [])
    return [str(s) for s in specs]
