"""A plugin's parameters: validated against the model its class declares as ``Params``.

Errors come out as pydantic line errors under the plugin's ``params`` table, so that the
scenario loader words them like any other key (one line, the dotted key, the value, what
was expected, a did-you-mean for a misspelt key; see
:func:`btoagents.config.loading.format_validation_error`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from btoagents.config.section import Section

#: pydantic error types about a number's type or range: the field's description is added
_NUMBER_ERRORS = frozenset(
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


class NoParams(Section):
    """The parameters of a plugin that takes none (any key is refused)."""


def _model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The (sub)model that holds the key at ``loc`` (its parent), if it is a model."""
    current: Any = model
    for part in loc[:-1]:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        current = field.annotation if field is not None else None
    if isinstance(current, type) and issubclass(current, BaseModel):
        return current
    return None


def _line_error(err: Any, model: type[BaseModel]) -> dict[str, Any]:
    """One pydantic line error, its wording fixed now (the loader cannot see ``model``)."""
    loc = tuple(err["loc"])
    parent = _model_at(model, loc)
    out: dict[str, Any] = {"loc": loc, "input": err.get("input")}
    if err["type"] == "extra_forbidden":
        known = list(parent.model_fields) if parent is not None else []
        out["type"] = PydanticCustomError(
            "extra_forbidden", "Extra inputs are not permitted", {"known": known}
        )
        return out
    msg = err["msg"]
    if err["type"] in _NUMBER_ERRORS and parent is not None and loc:
        field = parent.model_fields.get(str(loc[-1]))
        if field is not None and field.description:
            msg += f" ({field.description})"
    out["type"] = PydanticCustomError(err["type"], msg)
    return out


def validate_params(model: type[BaseModel], data: Any) -> BaseModel:
    """``data`` (the ``params`` table) validated by ``model``.

    Raises:
        ValidationError: its line errors located inside the table; an unknown key's error
            carries the known keys (``ctx["known"]``) for the did-you-mean.
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        lines = [_line_error(e, model) for e in exc.errors()]
        raise ValidationError.from_exception_data(exc.title, lines) from None
