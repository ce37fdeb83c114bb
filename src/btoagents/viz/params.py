"""The dashboard's sliders and selectors, and the scenario keys they set.

Each control starts at the scenario's own value and, when moved, becomes one ``--set``
override (``KEY=VALUE``, as ``btoagents run --set`` takes them), so a run in the dashboard
can be repeated from the command line. Choices of the selectors are read from the scenario
schema, so a new discipline shows up without a change here; the policy selectors offer the
registered plugins (:func:`btoagents.plugins.names`: the built-ins and installed plugins)
and those the server's operator offers with ``--plugin``. A visitor never makes the server
import a module: a setting that names a policy which is not registered or offered, an
import path ``module:Name`` say, is refused in one line.
"""

from __future__ import annotations

import math
import typing
from typing import Any

from pydantic import BaseModel

from btoagents import plugins
from btoagents.config.dealer_schema import DealersConfig
from btoagents.config.loading import parse_override
from btoagents.config.manufacturer_schema import ManufacturerConfig
from btoagents.config.schema import Scenario
from btoagents.errors import ConfigError
from btoagents.viz.offered import offered as operator_offered

#: Dashboard overrides applied before the controls: KPIs count from day 0 (no warm-up cut),
#: so the plots show lead time, utilization and profit "so far".
DASHBOARD_OVERRIDES: tuple[str, ...] = ("simulation.warmup=0",)


def choices(section: type[BaseModel], field: str) -> list[str]:
    """The allowed values of a ``Literal`` field of a schema section."""
    return [str(v) for v in typing.get_args(section.model_fields[field].annotation)]


def policy_choices(kind: str, current: str) -> list[str]:
    """The policies the selector of ``kind`` offers: the registered plugins, those the
    server's operator offers (``--plugin``, :mod:`btoagents.viz.offered`), and the
    scenario's own policy (chosen by whoever wrote the scenario, not by a visitor)."""
    names = [*plugins.names(kind), *operator_offered(kind)]
    return names if current in names else [*names, current]


def _policy_values(path: list[str], value: Any) -> list[tuple[str, Any]]:
    """The policy keys (``fulfillment.policy``, ...) an override ``path = value`` sets, with
    the value each gets (a table value may set them too: ``fulfillment={policy=...}``)."""
    found = []
    for kind in plugins.KINDS.values():
        key = kind.key.split(".")
        if path == key[: len(path)]:
            node: Any = value
            for part in key[len(path) :]:
                node = node.get(part) if isinstance(node, dict) else None
            if node is not None or path == key:
                found.append((kind.name, node))
    return found


def refuse_unregistered(items: list[str], where: str = "settings") -> list[str]:
    """``items`` (``KEY=VALUE``), unless one sets a policy to anything but a registered
    plugin's name: an import path ``module:Name`` in the dashboard would make the server
    import (and run) a module a visitor names. Raises a one-line ConfigError."""
    for item in items:
        path, value = parse_override(item)
        for kind, name in _policy_values(path, value):
            if isinstance(name, str) and (
                plugins.is_registered(kind, name) or name in operator_offered(kind)
            ):
                continue
            if isinstance(name, str) and plugins.is_import_path(name):
                reason = (
                    "an import path: the dashboard never imports a module named in it "
                    "(run such a policy with btoagents run)"
                )
            else:
                reason = "not a registered policy"
            offered = ", ".join([*plugins.names(kind), *operator_offered(kind)])
            key = plugins.kind_of(kind).key
            raise ConfigError(f"{where}: {key} = {_shown(name)}: {reason}; offered: {offered}")
    return items


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}..."


def total_demand(scn: Scenario) -> float:
    """Final-customer orders per day, summed over products."""
    return sum(p.demand_rate for p in scn.products.values())


def bto_share(scn: Scenario) -> float | None:
    """Share of variants built to order in the build-to-stock families (their tail), or None
    when the scenario has no build-to-stock family."""
    shares = [
        p.tail_share if p.tail_strategy == "bto" else 0.0
        for p in scn.products.values()
        if p.strategy == "bts"
    ]
    return shares[0] if shares else None


def _nice_step(span: float) -> float:
    """A round slider step near ``span / 40`` (1, 2 or 5 times a power of ten)."""
    raw = span / 40
    power = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if raw <= m * power:
            return m * power
    return 10 * power


def _round(x: float) -> float:
    return float(f"{x:.6g}")


def _grid(value: float, low: float, high: float) -> dict[str, float]:
    """Slider ``value``, ``min``, ``max`` and ``step`` with the value and both ends on the
    step grid (the browser's slider snaps its value to that grid, which would otherwise
    move the scenario's value before anyone touched the slider)."""
    largest = _nice_step(high - low)
    power = math.floor(math.log10(largest))
    candidates = [_round(m * 10.0**e) for e in range(power, power - 7, -1) for m in (5, 2, 1)]
    fits = [
        c
        for c in candidates
        if c <= largest * (1 + 1e-9) and abs(value / c - round(value / c)) < 1e-6
    ]
    step = fits[0] if fits else candidates[-1]  # else the value moves by under one step

    def snap(x: float) -> float:
        return _round(round(x / step) * step)

    return {"value": snap(value), "min": snap(low), "max": snap(high), "step": step}


def model_params(source: str, scn: Scenario) -> dict[str, Any]:
    """SolaraViz ``model_params`` for scenario ``scn`` (loaded from ``source``).

    Keys are the keyword arguments of :class:`btoagents.viz.model.DashboardModel`.
    """
    m = scn.manufacturer
    demand = total_demand(scn)
    params: dict[str, Any] = {
        "preset": source,
        "demand_rate": {
            "type": "SliderFloat",
            "label": "Demand rate (orders/day, all products)",
            **_grid(demand, 0.0, 2 * demand),
        },
        "amplitude": {
            "type": "SliderFloat",
            "label": "Seasonality amplitude",
            **_grid(scn.demand.amplitude if scn.demand.process == "seasonal" else 0.0, 0, 0.95),
        },
    }
    share = bto_share(scn)
    if share is not None:
        params["bto_share"] = {
            "type": "SliderFloat",
            "label": "Share of BTO variants (tail of BTS families)",
            **_grid(share, 0.0, 1.0),
        }
    params["lines"] = {
        "type": "SliderInt",
        "label": "Capacity: production lines",
        "value": m.lines,
        "min": 1,
        "max": max(4, 2 * m.lines),
        "step": 1,
    }
    params["service_rate"] = {
        "type": "SliderFloat",
        "label": "Capacity: units/day per line",
        **_grid(m.service_rate, m.service_rate / 4, 2 * m.service_rate),
    }
    if params["service_rate"]["min"] <= 0:
        params["service_rate"]["min"] = params["service_rate"]["step"]
    params["discipline"] = {
        "type": "Select",
        "label": "Queue discipline",
        "value": m.discipline,
        "values": choices(ManufacturerConfig, "discipline"),
    }
    params["fulfillment_policy"] = {
        "type": "Select",
        "label": "Fulfillment policy",
        "value": scn.fulfillment.policy,
        "values": policy_choices("fulfillment", scn.fulfillment.policy),
    }
    params["capacity_policy"] = {
        "type": "Select",
        "label": "Capacity policy",
        "value": scn.capacity.policy,
        "values": policy_choices("capacity", scn.capacity.policy),
    }
    params["demand_policy"] = {
        "type": "Select",
        "label": "Demand management",
        "value": scn.demand_management.policy,
        "values": policy_choices("demand_management", scn.demand_management.policy),
    }
    if scn.dealers.count > 0:
        params["dealer_policy"] = {
            "type": "Select",
            "label": "Dealer replenishment policy",
            "value": scn.dealers.policy,
            "values": choices(DealersConfig, "policy"),
        }
        params["review_rule"] = {
            "type": "Select",
            "label": "Order-up-to review rule",
            "value": scn.forecast.rule,
            "values": policy_choices("replenishment", scn.forecast.rule),
        }
    params["step_days"] = {
        "type": "SliderInt",
        "label": "Days per step",
        "value": 7,
        "min": 1,
        "max": 30,
        "step": 1,
    }
    params["more"] = {
        "type": "InputText",
        "label": "More settings: KEY=VALUE; KEY=VALUE",
        "value": "",
    }
    return params


def defaults(params: dict[str, Any]) -> dict[str, Any]:
    """Keyword arguments that build the model as the controls start."""
    return {k: v["value"] if isinstance(v, dict) else v for k, v in params.items()}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(_round(value))
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def control_overrides(scn: Scenario, values: dict[str, Any]) -> list[str]:
    """``KEY=VALUE`` overrides for the controls whose value differs from scenario ``scn``.

    ``values`` holds the controls by keyword (missing or None: left as in the scenario).
    """
    out: dict[str, Any] = {}
    moved = values.get
    rate = moved("demand_rate")
    total = total_demand(scn)
    if rate is not None and not math.isclose(float(rate), total, rel_tol=1e-4):
        for name, prod in scn.products.items():
            scaled = prod.demand_rate * float(rate) / total
            out[f"products.{name}.demand_rate"] = _round(scaled)
    amp = moved("amplitude")
    current_amp = scn.demand.amplitude if scn.demand.process == "seasonal" else 0.0
    if amp is not None and not math.isclose(float(amp), current_amp, abs_tol=1e-6):
        if float(amp) > 0:
            out["demand.process"] = "seasonal"
        out["demand.amplitude"] = float(amp)
    share = moved("bto_share")
    if (
        share is not None
        and bto_share(scn) is not None
        and not math.isclose(float(share), bto_share(scn) or 0.0, abs_tol=1e-6)
    ):
        for name, prod in scn.products.items():
            if prod.strategy == "bts":
                out[f"products.{name}.tail_share"] = float(share)
                out[f"products.{name}.tail_strategy"] = "bto"
    keys = {
        "lines": ("manufacturer.lines", scn.manufacturer.lines),
        "service_rate": ("manufacturer.service_rate", scn.manufacturer.service_rate),
        "discipline": ("manufacturer.discipline", scn.manufacturer.discipline),
        "fulfillment_policy": ("fulfillment.policy", scn.fulfillment.policy),
        "capacity_policy": ("capacity.policy", scn.capacity.policy),
        "demand_policy": ("demand_management.policy", scn.demand_management.policy),
        "dealer_policy": ("dealers.policy", scn.dealers.policy),
        "review_rule": ("forecast.rule", scn.forecast.rule),
    }
    for name, (key, current) in keys.items():
        value = moved(name)
        if value is None:
            continue
        if isinstance(current, float):
            if not math.isclose(float(value), current, rel_tol=1e-4):
                out[key] = float(value)
        elif isinstance(current, int):
            if int(value) != current:
                out[key] = int(value)
        elif str(value) != current:
            out[key] = str(value)
    return refuse_unregistered([f"{k}={_toml(v)}" for k, v in out.items()], "controls")


def typed_overrides(text: str) -> list[str]:
    """The ``KEY=VALUE`` items typed into the "more settings" field (``;`` or new lines);
    a policy that is not registered is refused (see :func:`refuse_unregistered`)."""
    items = text.replace("\n", ";").split(";") if text else []
    return refuse_unregistered([item.strip() for item in items if item.strip()])


def describe(scn: Scenario) -> str:
    """The controls' keys as the scenario holds them, in one line (what a run is using)."""
    m = scn.manufacturer
    amp = scn.demand.amplitude if scn.demand.process == "seasonal" else 0.0
    parts = [f"demand {total_demand(scn):.4g}/day", f"amplitude {amp:g}"]
    share = bto_share(scn)
    if share is not None:
        parts.append(f"BTO share {share:g}")
    parts += [
        f"{m.lines} lines x {m.service_rate:.4g}/day",
        f"discipline {m.discipline}",
        f"fulfillment {scn.fulfillment.policy}",
        f"capacity {scn.capacity.policy}",
    ]
    if scn.dealers.count > 0:
        parts.append(f"dealers {scn.dealers.policy}")
    return ", ".join(parts)
