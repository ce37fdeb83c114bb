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
"""

from __future__ import annotations

import difflib
import re
import tomllib
import typing
import warnings
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from btoagents.config.limits import MAX_TOML_BYTES, MAX_TOML_DEPTH
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
    hint = (
        f"; did you mean {last[close[0]]!r}?"
        if close
        else f" (known: {', '.join(known) or 'none'})"
    )
    return f"unknown {what} {name!r}{hint}"


def read_text(path: Path, max_bytes: int = MAX_TOML_BYTES) -> str:
    """A text file's content, or a one-line ConfigError naming the file.

    A file over ``max_bytes`` bytes is refused before it is read.
    """
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ConfigError(
                f"{path}: {size:,} bytes; expected at most {max_bytes:,} bytes "
                "(scenario and experiment files are a few kilobytes)"
            )
        return path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def look_up(path: Path) -> bool:
    """Whether ``path`` exists. A path the system cannot even look up (a name longer than it
    allows, say) is a one-line ConfigError, not an OSError."""
    try:
        return path.exists()
    except OSError as exc:
        raise ConfigError(
            f"{_shown(str(path))}: cannot look up this path: {exc.strerror}"
        ) from None


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


# strings and comments (whose brackets do not nest) and the brackets themselves
_TOML_TOKENS = re.compile(
    r'"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#[^\n]*|[\[\]{}]',
    re.S,
)


def check_toml_text(text: str, label: str) -> None:
    """Refuse TOML text over ``MAX_TOML_BYTES`` bytes or nested deeper than
    ``MAX_TOML_DEPTH`` levels of arrays and inline tables, before any parser sees it."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_TOML_BYTES:
        raise ConfigError(f"{label}: {size:,} bytes of TOML; expected at most {MAX_TOML_BYTES:,}")
    depth = 0
    for match in _TOML_TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_TOML_DEPTH:
                line = text.count("\n", 0, match.start()) + 1
                raise ConfigError(
                    f"{label}: line {line}: arrays or inline tables nested deeper than "
                    f"{MAX_TOML_DEPTH} levels; expected a scenario's few levels"
                )
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)


def _document_depth(data: Any) -> int:
    """Levels of nested tables and arrays in a parsed document (iteratively: no recursion)."""
    deepest = 0
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_TOML_DEPTH:
            break
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest


def _loads(text: str, label: str) -> dict[str, Any]:
    """tomllib.loads after the size and depth checks; raises TOMLDecodeError as it does."""
    check_toml_text(text, label)
    try:
        data = tomllib.loads(text)
    except RecursionError:  # a nesting the bracket scan did not see
        raise ConfigError(
            f"{label}: nested too deeply; expected at most {MAX_TOML_DEPTH} levels"
        ) from None
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as exc:  # an integer of more than Python's 4,300 digits
        raise ConfigError(f"{label}: {str(exc).split(';')[0]}") from None
    if _document_depth(data) > MAX_TOML_DEPTH:
        raise ConfigError(f"{label}: tables nested deeper than {MAX_TOML_DEPTH} levels")
    return data


def parse_toml(text: str, label: str) -> dict[str, Any]:
    """Parse TOML text; a one-line ConfigError naming ``label`` when it is larger than
    ``MAX_TOML_BYTES``, nested deeper than ``MAX_TOML_DEPTH`` or malformed."""
    try:
        return _loads(text, label)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: malformed TOML: {exc}") from None


def parse_override(item: str) -> tuple[list[str], Any]:
    """Split ``a.b.c=VALUE`` into its key path and a TOML-typed value (bare words are text).

    The value is parsed as TOML after the checks of :func:`check_toml_text`.
    """
    if len(item) > MAX_TOML_BYTES:
        raise ConfigError(f"--set {_shown(item)}: expected at most {MAX_TOML_BYTES:,} characters")
    if "=" not in item:
        raise ConfigError(f"--set {_shown(item)}: expected KEY=VALUE, e.g. manufacturer.lines=2")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ConfigError(f"--set {_shown(item)}: the key is empty or has an empty part")
    raw = raw.strip()
    try:
        value = _loads(f"v = {raw}", f"--set {_shown(item)}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    return key.split("."), value


#: how the entries of each entity table are called in messages (others: "TABLE entry")
ENTITY_WORDS = {
    "products": "product",
    "suppliers": "supplier",
    "components": "component",
    "intermediaries": "intermediary",
}
#: a name ``--add`` may declare (a TOML bare key, so ``--set`` can reach it)
ENTITY_NAME = re.compile(r"[A-Za-z0-9_-]+")


@cache
def entity_tables(model: type[BaseModel] = Scenario) -> tuple[tuple[str, ...], ...]:
    """Key paths of the tables keyed by entity name: every ``dict[str, Model]`` field of the
    schema, at any depth (for the Scenario: products, suppliers, components,
    intermediaries)."""
    found: list[tuple[str, ...]] = []

    def walk(current: type[BaseModel], prefix: tuple[str, ...]) -> None:
        for name, field in current.model_fields.items():
            annotation = field.annotation
            args = typing.get_args(annotation)
            if typing.get_origin(annotation) is dict and len(args) == 2:
                value = args[1]
                if isinstance(value, type) and issubclass(value, BaseModel):
                    found.append((*prefix, name))
            elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
                walk(annotation, (*prefix, name))

    walk(model, ())
    return tuple(found)


def _table_at(data: Any, path: tuple[str, ...]) -> dict[str, Any] | None:
    node = data
    for part in path:
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node if isinstance(node, dict) else None


def _entity_word(table: tuple[str, ...]) -> str:
    name = ".".join(table)
    return ENTITY_WORDS.get(name, f"{name} entry")


def _undeclared(item: str, table: tuple[str, ...], name: str, known: Iterable[str]) -> str:
    """The refusal of a ``--set`` item naming entity ``name`` that ``table`` lacks."""
    known = sorted(known)
    word = _entity_word(table)
    close = difflib.get_close_matches(name, known, n=1)
    if close:
        hint = f"; did you mean {close[0]!r}?"
    else:
        hint = f" (declared: {', '.join(known)})" if known else " (none declared)"
    where = ".".join((*table, name))
    return (
        f"--set {_shown(item)}: unknown {word} {name!r}: a new {word} needs --add {where} or a "
        f"[{where}] table in the scenario file{hint}"
    )


def _check_entities(item: str, path: list[str], value: Any, data: dict[str, Any]) -> None:
    """Refuse an override that would create an entity the scenario does not declare."""
    for table in entity_tables():
        n = len(table)
        known = _table_at(data, table) or {}
        if len(path) > n and tuple(path[:n]) == table:
            if path[n] not in known:
                raise ConfigError(_undeclared(item, table, path[n], known))
        elif tuple(path) == table[: len(path)]:
            # the value replaces a table holding this entity table: no new names in it
            new = _table_at({path[-1]: value}, (path[-1], *table[len(path) :]))
            for name in new or {}:
                if name not in known:
                    raise ConfigError(_undeclared(item, table, name, known))


def add_entities(data: dict[str, Any], add: Iterable[str]) -> dict[str, Any]:
    """Declare new entities ``TABLE.NAME`` (e.g. ``products.flatpack``) with default values,
    in place; returns ``data``. A name already declared is refused."""
    tables = {".".join(t): t for t in entity_tables()}
    for item in add:
        table_name, _, name = item.strip().rpartition(".")
        table = tables.get(table_name)
        if table is None:
            raise ConfigError(
                f"--add {_shown(item)}: expected TABLE.NAME with TABLE one of {', '.join(tables)}"
            )
        if not ENTITY_NAME.fullmatch(name):
            raise ConfigError(
                f"--add {_shown(item)}: expected a name of letters, digits, '-' and '_'"
            )
        node: Any = data
        for part in table:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--add {_shown(item)}: {part!r} is a value, not a table")
        if name in node:
            raise ConfigError(
                f"--add {_shown(item)}: {_entity_word(table)} {name!r} is already declared "
                f"(set its keys with --set {item.strip()}.KEY=VALUE)"
            )
        node[name] = {}
    return data


def apply_overrides(data: dict[str, Any], overrides: Iterable[str]) -> dict[str, Any]:
    """Apply ``--set`` items to a scenario dict in place and return it.

    An item may set keys of the entities ``data`` declares (see :func:`add_entities`), not
    create new ones: ``products.flatpak.base_stock=3`` on a scenario whose family is
    ``flatpack`` is refused with a did-you-mean.
    """
    for item in overrides:
        path, value = parse_override(item)
        _check_entities(item, path, value, data)
        node = data
        for part in path[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"--set {_shown(item)}: {part!r} is a value, not a table")
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


def _description_at(model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    """The description (unit and bounds) of the field at ``loc``, if it has one."""
    if not loc:
        return None
    *parents, last = loc
    current: Any = model
    for part in parents:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            current = field.annotation if field is not None else None
        else:  # dict[str, Model] or list[Model]: step into the value type
            args = getattr(current, "__args__", ())
            current = args[-1] if args else None
    if isinstance(current, type) and issubclass(current, BaseModel):
        field = current.model_fields.get(str(last))
        return field.description if field is not None else None
    return None


#: pydantic error types about a number's type or range: the field's description is added
NUMBER_ERRORS = frozenset(
    {
        "greater_than",
        "greater_than_equal",
        "less_than",
        "less_than_equal",
        "finite_number",
        "float_type",
        "int_type",
    }
)


def _shown(value: Any) -> str:
    """A value as the message shows it: its repr, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text):,} characters)"


def format_validation_error(
    exc: ValidationError,
    label: str,
    model: type[BaseModel] = Scenario,
) -> str:
    """One line naming the first bad key of a pydantic error, its value and what was expected.

    ``model`` is the schema the data was validated against (for did-you-mean suggestions
    and the field's description, which states its unit and bounds).
    """
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    key = ".".join(str(p) for p in loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        # a plugin's params table names its known keys (its model is not the schema's)
        known = (err.get("ctx") or {}).get("known")
        if known is None:
            known = _fields_at(model, loc[:-1])
        what = "section" if isinstance(err.get("input"), dict) else "key"
        return f"{label}: {_unknown(what, key, [*(_join(loc[:-1], k) for k in known)])}"
    msg = err["msg"].removeprefix("Value error, ")
    value = err.get("input")
    kind = err["type"]
    if kind in ("float_type", "int_type") and isinstance(value, bool):
        msg = f"expected {'an integer' if kind == 'int_type' else 'a number'}, not true/false"
    elif kind == "int_type" and isinstance(value, float):
        msg = "expected an integer (a whole number, no decimal point or exponent)"
    if kind in NUMBER_ERRORS:
        described = _description_at(model, loc)
        if described:
            msg += f" ({described})"
    if err["type"] == "value_error" and not loc:
        return f"{label}: {msg}"
    if "input" in err and not isinstance(value, dict) and err["type"] != "missing":
        return f"{label}: {key} = {_shown(value)}: {msg}"
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
