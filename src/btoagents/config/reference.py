"""The scenario reference: every key of the schema with its type, bounds, default, unit and
description, read from the pydantic models themselves so that the documentation cannot
drift from what a scenario file may hold.

:func:`keys` walks a model (by default :class:`~btoagents.config.schema.Scenario`) into
:class:`Key` rows; :func:`markdown` renders them as one table per section. The units come
from :data:`btoagents.config.units.UNITS`; the documentation build
(``docs/_ext/generated_pages.py``) writes the result into the site, and a test keeps every
numeric key's unit and every key's description present.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal, Union

import annotated_types as at
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from btoagents.config.units import unit_of

#: how a placeholder for a name the scenario chooses (a product, a supplier) is written
ENTITY = "NAME"


@dataclass(frozen=True)
class Key:
    """One key a scenario may hold.

    Attributes:
        path: the dotted key as ``--set`` writes it (``products.NAME.price``;
            ``dealers.markdown[].discount`` for a key of each table of a list).
        section: the table the key sits in (``products.NAME``).
        type: the TOML type in words (``number``, ``'fcfs' | 'bto_priority'``, ...).
        bounds: the allowed range in words (``> 0, <= 36,500``), or ``""``.
        default: the default as TOML would write it, ``required`` or ``""`` (a table).
        unit: the unit (``days``, ``currency/day``), ``-`` for a pure number, ``""`` for a
            key that is not a number.
        description: what the key means, from the schema.
        numeric: whether the key holds a number (and so needs a unit).
    """

    path: str
    section: str
    type: str
    bounds: str
    default: str
    unit: str
    description: str
    numeric: bool


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _args(tp: Any) -> tuple[Any, ...]:
    return typing.get_args(tp)


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    """``(T, True)`` for ``T | None``, else ``(tp, False)``."""
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        rest = [a for a in _args(tp) if a is not type(None)]
        if len(rest) < len(_args(tp)):
            return (rest[0] if len(rest) == 1 else Union[tuple(rest)]), True  # noqa: UP007
    return tp, False


def type_words(tp: Any) -> str:
    """A Python annotation as the TOML type a user writes."""
    tp, optional = _strip_optional(tp)
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        text = type_words(_args(tp)[0])
    elif origin is Literal:
        text = " | ".join(f"'{a}'" if isinstance(a, str) else str(a) for a in _args(tp))
    elif origin in (list, tuple):
        inner = [a for a in _args(tp) if a is not Ellipsis]
        if origin is tuple and len(inner) > 1:
            text = "[" + ", ".join(type_words(a) for a in inner) + "]"
        else:
            text = f"list of {type_words(inner[0]) if inner else 'values'}"
    elif origin is dict or tp is dict:
        text = "table"
    elif origin in (Union, types.UnionType):
        text = " or ".join(type_words(a) for a in _args(tp))
    elif _is_model(tp):
        text = "table"
    else:
        text = {bool: "boolean", int: "integer", float: "number", str: "string"}.get(
            tp, getattr(tp, "__name__", str(tp))
        )
    return f"{text} (optional)" if optional else text


def _is_numeric(tp: Any) -> bool:
    tp, _ = _strip_optional(tp)
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        return _is_numeric(_args(tp)[0])
    if origin in (list, tuple):
        return any(_is_numeric(a) for a in _args(tp) if a is not Ellipsis)
    return tp in (int, float)


def _number(value: float) -> str:
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e4:
        return f"{value:,.0f}"
    if isinstance(value, int) and abs(value) >= 1e4:
        return f"{value:,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def bounds_words(field: FieldInfo) -> str:
    """The field's bounds (``ge``, ``gt``, ``le``, ``lt`` and lengths) in words."""
    parts = []
    for item in field.metadata:
        for attr, sign in (("ge", ">="), ("gt", ">"), ("le", "<="), ("lt", "<")):
            if isinstance(item, getattr(at, attr.capitalize())):
                parts.append(f"{sign} {_number(getattr(item, attr))}")
        if isinstance(item, at.MinLen) and item.min_length:
            parts.append(f"at least {item.min_length} long")
    return ", ".join(parts)


def default_words(field: FieldInfo) -> str:
    """The field's default as a TOML value; ``required`` when it has none."""
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return "required"
    else:
        value = field.default
    return _toml(value)


def _toml(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{}" if not value else "{...}"
    if isinstance(value, BaseModel):
        return "(table)"
    return str(value)


def _container_model(tp: Any) -> tuple[str, type[BaseModel]] | None:
    """``("table", M)``, ``("dict", M)`` or ``("list", M)`` when ``tp`` nests a model."""
    tp, _ = _strip_optional(tp)
    if _is_model(tp):
        return "table", tp
    origin = typing.get_origin(tp)
    args = _args(tp)
    if origin is dict and len(args) == 2 and _is_model(args[1]):
        return "dict", args[1]
    if origin is list and args and _is_model(args[0]):
        return "list", args[0]
    return None


def keys(model: type[BaseModel] | None = None, prefix: str = "") -> Iterator[Key]:
    """Every key of ``model`` (default: the whole scenario), nested tables included, in the
    order the schema declares them; ``prefix`` is the dotted path of the table it fills."""
    if model is None:
        from btoagents.config.schema import Scenario

        model = Scenario
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        nested = _container_model(field.annotation)
        if nested is not None:
            how, sub = nested
            inner = {"table": f"{path}.", "dict": f"{path}.{ENTITY}.", "list": f"{path}[]."}
            yield from keys(sub, inner[how])
            continue
        numeric = _is_numeric(field.annotation)
        yield Key(
            path=path,
            section=prefix.rstrip(".") or "(top level)",
            type=type_words(field.annotation),
            bounds=bounds_words(field),
            default=default_words(field),
            unit=unit_of(path) if numeric else "",
            description=(field.description or "").strip(),
            numeric=numeric,
        )


def sections(model: type[BaseModel] | None = None, prefix: str = "") -> dict[str, str]:
    """Each table of ``model`` (its dotted path, as :attr:`Key.section`) and the docstring's
    first paragraph of the model that defines it."""
    if model is None:
        from btoagents.config.schema import Scenario

        model = Scenario
    out = {prefix.rstrip(".") or "(top level)": _first_paragraph(model)}
    for name, field in model.model_fields.items():
        nested = _container_model(field.annotation)
        if nested is not None:
            how, sub = nested
            inner = {"table": f"{name}.", "dict": f"{name}.{ENTITY}.", "list": f"{name}[]."}
            out.update(sections(sub, prefix + inner[how]))
    return out


def _first_paragraph(model: type[BaseModel]) -> str:
    doc = (model.__doc__ or "").strip().split("\n\n")[0]
    return " ".join(doc.split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ") or " "


def markdown(model: type[BaseModel] | None = None, prefix: str = "", level: int = 2) -> str:
    """The keys of ``model`` as Markdown: per table a heading (``level``), its docstring's
    first paragraph and a table of key, type and bounds, default, unit and description."""
    about = sections(model, prefix)
    by_section: dict[str, list[Key]] = {}
    for key in keys(model, prefix):
        by_section.setdefault(key.section, []).append(key)
    out = []
    for section, rows in by_section.items():
        top = section == "(top level)"
        out.append(f"{'#' * level} " + ("Top level\n" if top else f"`[{section}]`\n"))
        if about.get(section):
            out.append(about[section] + "\n")
        out.append("| key | type | default | unit | description |")
        out.append("| --- | --- | --- | --- | --- |")
        for k in rows:
            kind = k.type + (f"; {k.bounds}" if k.bounds else "")
            leaf = k.path if top else k.path[len(section) + 1 :]
            out.append(
                f"| `{leaf}` | {_cell(kind)} | `{k.default}` | {_cell(k.unit)} "
                f"| {_cell(k.description)} |"
            )
        out.append("")
    return "\n".join(out)


def plugins_markdown() -> str:
    """The plugin kinds as a Markdown table: the key that chooses one, the built-ins and
    where their parameters sit, what a plugin class must be, and where its own
    parameters go (read from :data:`btoagents.plugins.kinds.KINDS` and the registry)."""
    from btoagents.plugins.kinds import KINDS
    from btoagents.plugins.registry import SECTION_KEYS, builtins

    out = [
        "| kind | chosen by | built-ins (their parameters) | a plugin class must | "
        "its own parameters go in |",
        "| --- | --- | --- | --- | --- |",
    ]
    for kind in KINDS.values():
        names = []
        for name, plugin in builtins(kind.name).items():
            if plugin.params_at is None or not plugin.params.model_fields:
                where = ""
            elif plugin.params_at == SECTION_KEYS:
                fields = ", ".join(f"`{kind.section}.{f}`" for f in plugin.params.model_fields)
                where = f" ({fields})"
            else:
                where = f" (`[{kind.section}.{plugin.params_at}]`)"
            names.append(f"`{name}`{where}")
        must = f"subclass `{kind.base.replace(':', '.')}`" if kind.base else ""
        if kind.methods:
            must = "have " + ", ".join(f"`{m}`" for m in kind.methods)
        params = "`kpis.params.<short name>`" if kind.many else f"`{kind.section}.params`"
        out.append(
            f"| {kind.name} | `{kind.key}` | {', '.join(names) or ' '} | {must} | {params} |"
        )
    return "\n".join(out) + "\n"
