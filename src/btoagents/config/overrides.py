"""Dotted overrides (``--set KEY=VALUE``, experiment factors and arms) applied to a scenario
document, and the rule that entities are declared, never created by a typo.

The tables keyed by name (``products``, ``suppliers``, ``components``, ``intermediaries``:
every ``dict[str, Model]`` of the schema) get new entries only from a scenario file's own
tables or an explicit ``add`` (``btoagents run --add products.NAME``). An override that
names an undeclared entity is refused with a did-you-mean.
"""

from __future__ import annotations

import difflib
import re
import tomllib
import typing
from collections.abc import Iterable
from functools import cache
from typing import Any

from pydantic import BaseModel

from btoagents.config.limits import MAX_TOML_BYTES
from btoagents.config.messages import shown
from btoagents.config.schema import Scenario
from btoagents.config.toml_text import loads_checked
from btoagents.errors import ConfigError


def parse_override(item: str) -> tuple[list[str], Any]:
    """Split ``a.b.c=VALUE`` into its key path and a TOML-typed value (bare words are text).

    The value is parsed as TOML after the checks of :func:`check_toml_text`.
    """
    if len(item) > MAX_TOML_BYTES:
        raise ConfigError(f"--set {shown(item)}: expected at most {MAX_TOML_BYTES:,} characters")
    if "=" not in item:
        raise ConfigError(f"--set {shown(item)}: expected KEY=VALUE, e.g. manufacturer.lines=2")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key or any(not part for part in key.split(".")):
        raise ConfigError(f"--set {shown(item)}: the key is empty or has an empty part")
    raw = raw.strip()
    try:
        value = loads_checked(f"v = {raw}", f"--set {shown(item)}")["v"]
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
        f"--set {shown(item)}: unknown {word} {name!r}: a new {word} needs --add {where} or a "
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
                f"--add {shown(item)}: expected TABLE.NAME with TABLE one of {', '.join(tables)}"
            )
        if not ENTITY_NAME.fullmatch(name):
            raise ConfigError(
                f"--add {shown(item)}: expected a name of letters, digits, '-' and '_'"
            )
        node: Any = data
        for part in table:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--add {shown(item)}: {part!r} is a value, not a table")
        if name in node:
            raise ConfigError(
                f"--add {shown(item)}: {_entity_word(table)} {name!r} is already declared "
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
                raise ConfigError(f"--set {shown(item)}: {part!r} is a value, not a table")
            node = child
        node[path[-1]] = value
    return data
