"""One-line messages for bad scenario input: the first bad key of a pydantic error with its
value and what was expected (the field's unit and bounds), and did-you-mean suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ValidationError

from btoagents.config.schema import Scenario


def unknown(what: str, name: str, known: Iterable[str]) -> str:
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


def shown(value: Any) -> str:
    """A value as the message shows it: its repr, cut to 80 characters."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text):,} characters)"


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
        return f"{label}: {unknown(what, key, [*(_join(loc[:-1], k) for k in known)])}"
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
        return f"{label}: {key} = {shown(value)}: {msg}"
    return f"{label}: {key}: {msg}"


def _join(prefix: tuple[Any, ...], name: str) -> str:
    return ".".join([*(str(p) for p in prefix), name])
