"""The kinds of plugin a scenario can name, and what a plugin of each kind must provide.

A kind is a place in the scenario where a plugin is chosen (``fulfillment.policy``,
``capacity.policy``): the section holding the choice and its ``params`` table, the module
whose import registers the built-ins of that kind, and the methods a plugin class must have.
Further kinds (``kpi``, ``agent``, ``demand_management``, ``replenishment``) are one more
row of :data:`KINDS` plus the model hook that builds and calls them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One kind of plugin.

    Attributes:
        name: the kind, also the prefix of its entry-point names (``fulfillment.NAME``).
        section: the scenario section holding the choice and its ``params`` (a TOML table).
        builtins: the module whose import registers the built-in plugins of this kind.
        methods: methods a plugin object must have (its protocol), checked at load.
        role: what a plugin of this kind is, as messages name it.
        field: the key of ``section`` that names the plugin.
    """

    name: str
    section: str
    builtins: str
    methods: tuple[str, ...]
    role: str
    field: str = "policy"

    @property
    def key(self) -> str:
        """The scenario key naming the plugin (``fulfillment.policy``)."""
        return f"{self.section}.{self.field}"


KINDS: dict[str, Kind] = {
    "fulfillment": Kind(
        "fulfillment",
        "fulfillment",
        "btoagents.policies.fulfillment",
        ("review",),
        "fulfillment policy",
    ),
    "capacity": Kind(
        "capacity",
        "capacity",
        "btoagents.policies.capacity",
        ("review",),
        "capacity policy",
    ),
}


def kind_of(name: str) -> Kind:
    """The kind called ``name`` (a ``KeyError`` naming the known kinds otherwise)."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown plugin kind {name!r} (known: {', '.join(KINDS)})") from None
