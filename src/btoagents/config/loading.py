"""Reading scenarios: TOML files or built-in presets, dotted overrides, one-line errors.

A bad scenario raises :class:`~btoagents.errors.ConfigError` whose message names the file,
the dotted key, the value and what was expected, with a did-you-mean for unknown keys.
"""

from __future__ import annotations

import difflib
import tomllib
import warnings
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from btoagents.config.schema import Scenario
from btoagents.errors import ConfigError


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
        raise ConfigError(_unknown("preset", name, preset_names()))
    return resources.files(PRESET_PACKAGE).joinpath(f"{name}.toml").read_text("utf-8")


def _unknown(what: str, name: str, known: Iterable[str]) -> str:
    """'unknown KEY' with the closest known key, compared on the last dotted part only (the
    shared section prefix would make every key look close), or the list of known keys."""
    known = list(known)
    last = {k.rsplit(".", 1)[-1]: k for k in known}
    close = difflib.get_close_matches(name.rsplit(".", 1)[-1], list(last), n=1)
    hint = f"; did you mean {last[close[0]]!r}?" if close else f" (known: {', '.join(known)})"
    return f"unknown {what} {name!r}{hint}"


def read_text(path: Path) -> str:
    """A text file's content, or a one-line ConfigError naming the file."""
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def read_scenario_dict(source: str | Path) -> tuple[dict[str, Any], str]:
    """Parse a scenario source (TOML path or preset name) into a dict and its label."""
    path = Path(source)
    if path.suffix == ".toml" or path.exists() or "/" in str(source):
        if not path.is_file():
            raise ConfigError(f"{source}: no such scenario file")
        label = str(path)
        text = read_text(path)
    else:
        label = str(source)
        text = preset_text(str(source))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: malformed TOML: {exc}") from None
    return data, label


def parse_override(item: str) -> tuple[list[str], Any]:
    """Split ``a.b.c=VALUE`` into its key path and a TOML-typed value (bare words are text)."""
    if "=" not in item:
        raise ConfigError(f"--set {item!r}: expected KEY=VALUE, e.g. manufacturer.lines=2")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ConfigError(f"--set {item!r}: the key is empty or has an empty part")
    raw = raw.strip()
    try:
        value = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.split("."), value


def apply_overrides(data: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``--set`` items to a scenario dict in place and return it."""
    for item in overrides:
        path, value = parse_override(item)
        node = data
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"--set {item!r}: {part!r} is a value, not a table")
            node = child
        node[path[-1]] = value
    return data


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """Field names of the (sub)model reached by following ``loc`` from ``model``."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
        else:  # dict[str, Model] or list[Model]: step into the value type
            args = getattr(current, "__args__", ())
            current = args[-1] if args else None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    args = getattr(current, "__args__", ())
    inner = args[-1] if args else None
    if isinstance(inner, type) and issubclass(inner, BaseModel):
        return list(inner.model_fields)
    return []


def format_validation_error(
    exc: ValidationError,
    label: str,
    model: type[BaseModel] = Scenario,
) -> str:
    """One line naming the first bad key of a pydantic error, its value and what was expected.

    ``model`` is the schema the data was validated against (for did-you-mean suggestions).
    """
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    key = ".".join(str(p) for p in loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        known = _fields_at(model, loc[:-1])
        what = "section" if isinstance(err.get("input"), dict) else "key"
        return f"{label}: {_unknown(what, key, [*(_join(loc[:-1], k) for k in known)])}"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "value_error" and not loc:
        return f"{label}: {msg}"
    if "input" in err and not isinstance(err["input"], dict) and err["type"] != "missing":
        return f"{label}: {key} = {err['input']!r}: {msg}"
    return f"{label}: {key}: {msg}"


def _join(prefix: tuple[Any, ...], name: str) -> str:
    return ".".join([*(str(p) for p in prefix), name])


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


def load_scenario(source: str | Path | Scenario, overrides: Iterable[str] = ()) -> Scenario:
    """Load a scenario from a TOML file, a preset name, or pass a Scenario through.

    Args:
        source: path to a ``.toml`` file, a preset name (see ``preset_names()``), or a Scenario.
        overrides: ``KEY=VALUE`` strings with dotted keys, e.g. ``"manufacturer.lines=2"``.

    Returns:
        The validated scenario.

    Raises:
        ConfigError: one line naming the file or key that is wrong.
    """
    overrides = list(overrides)
    if isinstance(source, Scenario):
        if not overrides:
            return source  # already validated (and warned about)
        data: dict[str, Any] = source.model_dump()
        label = source.name
    else:
        data, label = read_scenario_dict(source)
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
