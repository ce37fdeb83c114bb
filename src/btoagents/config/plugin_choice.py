"""Sections that choose a plugin: the key naming it and the ``params`` table it reads.

Every section in which a scenario picks a plugin (``fulfillment.policy``,
``dealers.agent``, ``forecast.rule``, ...) derives from :func:`plugin_choice`, which checks
at load that the name resolves to a plugin of its kind (:mod:`btoagents.plugins`) and that
``params`` are the parameters that plugin declares, with the same one-line errors as every
other key. The registry is imported only when a section is validated, so the schema stays
cheap to import.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationInfo, field_validator

from btoagents.config.section import Section


def check_policy(kind: str, spec: str) -> str:
    """``spec`` if it names a plugin of ``kind`` that loads and satisfies the protocol
    (a PluginError, a ValueError, with one line otherwise)."""
    from btoagents.plugins import resolve

    resolve(kind, spec)
    return spec


def check_policy_params(kind: str, params: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
    """``params`` if the section's plugin accepts them (line errors inside the table
    otherwise); not checked when the plugin itself was refused."""
    from btoagents.plugins import check_params, kind_of

    spec = info.data.get(kind_of(kind).field)
    if spec is not None:
        check_params(kind, spec, params)
    return params


def plugin_choice(kind: str, field: str = "policy") -> type[Section]:
    """A base section whose key ``field`` names a plugin of ``kind`` and whose ``params``
    hold that plugin's parameters; the subclass declares both fields (``field`` first)."""

    class PluginChoice(Section):
        @field_validator(field, check_fields=False)
        @classmethod
        def _known_plugin(cls, v: str) -> str:
            return check_policy(kind, v)

        @field_validator("params", check_fields=False)
        @classmethod
        def _plugin_params(cls, v: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
            return check_policy_params(kind, v, info)

    PluginChoice.__name__ = PluginChoice.__qualname__ = f"{kind.title()}Choice"
    return PluginChoice
