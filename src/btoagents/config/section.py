"""The base of every scenario section: unknown keys refused, strict types, finite numbers."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Strict

#: a number inside a list or tuple: an int or a float, never a bool
Number = Annotated[float, Strict()]


class Section(BaseModel):
    """Common base: unknown keys are refused, assignments are validated, types are strict
    (no bool for a number, no decimal for an integer; an integer is a valid float), and
    numbers must be finite (``inf`` and ``nan`` are refused) except where a field allows
    infinity."""

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, allow_inf_nan=False, strict=True
    )
