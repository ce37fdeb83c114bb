"""Reading scenarios: TOML files or built-in presets, dotted overrides, one-line errors.

A bad scenario raises :class:`~btoagents.errors.ConfigError` whose message names the file,
the dotted key, the value and what was expected, with a did-you-mean for unknown keys.

TOML text (a file, a preset, a ``--set`` value) is checked before it is parsed: at most
``MAX_TOML_BYTES`` bytes and ``MAX_TOML_DEPTH`` levels of nesting (see
:mod:`btoagents.config.limits`).

Entities are declared, never created by a typo: the tables keyed by name (``products``,
``suppliers``, ``components``, ``intermediaries``: every ``dict[str, Model]`` of the
schema) get new entries only from a scenario file's own tables or an explicit ``add``
(``btoagents run --add products.NAME``). A ``--set`` item (or an experiment's factor or
override) that names an undeclared entity is refused with a did-you-mean.

The parts live in their own modules and are re-exported here: :mod:`.toml_text` (safe
TOML text), :mod:`.overrides` (dotted overrides, declared entities) and :mod:`.messages`
(one-line errors).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import ValidationError

from btoagents.config.messages import format_validation_error, unknown
from btoagents.config.overrides import add_entities, apply_overrides, entity_tables, parse_override
from btoagents.config.schema import Scenario
from btoagents.config.toml_text import check_toml_text, look_up, parse_toml, read_text
from btoagents.errors import ConfigError

__all__ = [
    "SteadyStateWarning",
    "add_entities",
    "apply_overrides",
    "build_scenario",
    "check_toml_text",
    "dump_scenario",
    "entity_tables",
    "format_validation_error",
    "load_scenario",
    "look_up",
    "parse_override",
    "parse_toml",
    "preset_names",
    "preset_text",
    "read_scenario_dict",
    "read_text",
    "write_scenario",
]


class SteadyStateWarning(UserWarning):
    """The plant's offered load is at or above 1: queues grow without bound."""


PRESET_PACKAGE = "btoagents.config.presets"


def preset_names() -> list[str]:
    """Names of the scenarios shipped inside the package, sorted."""
    files = resources.files(PRESET_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".toml") for f in files if f.name.endswith(".toml"))


def preset_text(name: str) -> str:
    """The TOML text of preset ``name``."""
    if name not in preset_names():
        raise ConfigError(unknown("preset", name, preset_names()))
    return resources.files(PRESET_PACKAGE).joinpath(f"{name}.toml").read_text("utf-8")


def read_scenario_dict(source: str | Path) -> tuple[dict[str, Any], str]:
    """Parse a scenario source (TOML path or preset name) into a dict and its label."""
    path = Path(source)
    if path.suffix == ".toml" or look_up(path) or "/" in str(source):
        if not look_up(path) or not path.is_file():
            raise ConfigError(f"{source}: no such scenario file")
        label = str(path)
        text = read_text(path)
    else:
        label = str(source)
        text = preset_text(str(source))
    return parse_toml(text, label), label


def build_scenario(data: dict[str, Any], label: str) -> Scenario:
    """Validate a scenario dict, raising a one-line ConfigError; warn when rho >= 1."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, label)) from None
    rho = scenario.offered_load()
    if rho >= 1:
        warnings.warn(
            f"{label}: the plant's offered load is {rho:.3f} >= 1 "
            "(demand_rate summed over products / (manufacturer.lines * service_rate)): "
            "queues grow without bound and there is no steady state",
            SteadyStateWarning,
            stacklevel=2,
        )
    return scenario


def load_scenario(
    source: str | Path | Scenario,
    overrides: Iterable[str] = (),
    add: Iterable[str] = (),
) -> Scenario:
    """Load a scenario from a TOML file, a preset name, or pass a Scenario through.

    Args:
        source: path to a ``.toml`` file, a preset name (see ``preset_names()``), or a Scenario.
        overrides: ``KEY=VALUE`` strings with dotted keys, e.g. ``"manufacturer.lines=2"``.
            They set keys of entities the scenario declares; an unknown product, supplier,
            component or intermediary is refused (see :func:`apply_overrides`).
        add: entities to declare first, with default values, as ``TABLE.NAME`` (e.g.
            ``"products.flatpack"``); the overrides may then set their keys.

    Returns:
        The validated scenario.

    Raises:
        ConfigError: one line naming the file or key that is wrong.
    """
    overrides = list(overrides)
    add = list(add)
    if isinstance(source, Scenario):
        if not overrides and not add:
            return source  # already validated (and warned about)
        data: dict[str, Any] = source.model_dump()
        label = source.name
    else:
        data, label = read_scenario_dict(source)
    add_entities(data, add)
    apply_overrides(data, overrides)
    return build_scenario(data, label)


def dump_scenario(scenario: Scenario) -> str:
    """The scenario as TOML text that :func:`load_scenario` reads back to an equal scenario."""
    return tomli_w.dumps(scenario.model_dump(mode="json", exclude_none=True))


def write_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write the scenario as a TOML file (see :func:`dump_scenario`)."""
    path = Path(path)
    path.write_text(dump_scenario(scenario), "utf-8")
    return path
