"""The registry: plugins by kind and name, built-in or installed, or named by import path.

A scenario names a plugin in one of three ways:

- a built-in name (``static``, ``cost``, ``chase``, ...), registered by the module of its
  kind (:func:`register_builtin`);
- a name an installed distribution registers under the entry-point group
  :data:`GROUP` as ``KIND.NAME`` (e.g. ``fulfillment.stock-hot = "mypkg.policies:StockHot"``),
  named in the scenario as ``NAME``; a built-in name always wins over an entry point;
- an import path ``package.module:Name`` (see :mod:`btoagents.plugins.imports`).

A policy class is built as ``Class(params, context)``: ``params`` an instance of its
``Params`` model (a pydantic model, best a :class:`~btoagents.config.section.Section`; none:
no parameters), ``context`` a :class:`~btoagents.plugins.context.PolicyContext`. KPI,
demand-management, review-rule and agent plugins are built by their own hooks
(:mod:`btoagents.kpis.plugin`, :mod:`btoagents.wiring`) from :attr:`Plugin.factory` and
:meth:`Plugin.params_of`, not by :func:`build`.

The entry-point group keeps its first name, ``btoagents.policies``, for every kind (KPIs
and agents too), so that distributions registered before the other kinds keep working.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from typing import Any

from pydantic import BaseModel

from btoagents.plugins.context import PolicyContext
from btoagents.plugins.imports import PluginImportError, import_object, is_import_path
from btoagents.plugins.kinds import Kind, kind_of
from btoagents.plugins.params import NoParams, validate_params

#: the entry-point group of installed plugins; entry names are ``KIND.NAME``
GROUP = "btoagents.policies"

#: where a built-in's parameters sit in its section: a sub-table's key, or SECTION_KEYS
#: for keys of the section itself; a plugin that is not built in reads ``params``
SECTION_KEYS = ""
PARAMS_KEY = "params"


class PluginError(ValueError):
    """A plugin cannot be found, imported, or does not satisfy its kind's protocol.

    A ``ValueError``, so that inside scenario validation it becomes a one-line error on the
    key that names the plugin.
    """


@dataclass(frozen=True)
class Plugin:
    """A registry entry: how to build one plugin, and what parameters it takes.

    Attributes:
        kind: its kind (``fulfillment``, ``capacity``).
        name: the name the scenario uses (a registered name, or the import path).
        factory: called as ``factory(params, context)``; a plugin's class, or a built-in's
            builder.
        params: the pydantic model of its parameters.
        params_at: where the parameters sit in the section (``params``, a built-in's
            sub-table, or ``""`` for keys of the section itself: those of ``params``, or
            with :class:`NoParams` the section's other keys, read by the class itself),
            None: no parameters.
        builtin: shipped with btoagents.
        entry_point: the entry point that registered it, if any.
    """

    kind: str
    name: str
    factory: Callable[[BaseModel, PolicyContext], Any]
    params: type[BaseModel] = NoParams
    params_at: str | None = PARAMS_KEY
    builtin: bool = False
    entry_point: metadata.EntryPoint | None = None

    @property
    def module(self) -> str:
        """The module that defines the plugin."""
        return getattr(self.factory, "__module__", "") or ""

    def params_of(self, section: Any) -> BaseModel:
        """The plugin's parameters as the scenario section holds them."""
        if self.params_at is None:
            return self.params()
        if self.params_at == SECTION_KEYS:
            return self.params.model_validate(
                {k: getattr(section, k) for k in self.params.model_fields}
            )
        value = getattr(section, self.params_at)
        if self.params_at == PARAMS_KEY:
            return validate_params(self.params, value)
        return value

    def create(self, context: PolicyContext) -> Any:
        """A new plugin object for the scenario section ``context.section``.

        An object without its own ``review_period`` reviews every ``review_period`` days
        of its section.
        """
        obj = self.factory(self.params_of(context.section), context)
        if not hasattr(obj, "review_period"):
            obj.review_period = context.review_period
        return obj


_BUILTINS: dict[str, dict[str, Plugin]] = {}


def register_builtin(
    kind: str,
    name: str,
    factory: Callable[[Any, PolicyContext], Any],
    params: type[BaseModel] = NoParams,
    params_at: str | None = None,
) -> Plugin:
    """Register a built-in plugin (done by the module of its kind, when imported)."""
    plugin = Plugin(kind, name, factory, params, params_at, builtin=True)
    _BUILTINS.setdefault(kind, {})[name] = plugin
    return plugin


def builtins(kind: str) -> dict[str, Plugin]:
    """The built-in plugins of ``kind`` by name, in registration order."""
    importlib.import_module(kind_of(kind).builtins)
    return dict(_BUILTINS.get(kind, {}))


def entry_points(kind: str) -> dict[str, metadata.EntryPoint]:
    """Installed plugins of ``kind`` by name (entry points ``KIND.NAME`` of :data:`GROUP`),
    without importing them; names that shadow a built-in are left out."""
    prefix = f"{kind}."
    taken = builtins(kind)
    found: dict[str, metadata.EntryPoint] = {}
    for ep in metadata.entry_points(group=GROUP):
        name = ep.name.removeprefix(prefix)
        if ep.name.startswith(prefix) and name and name not in taken:
            found.setdefault(name, ep)
    return found


def names(kind: str) -> list[str]:
    """Every registered name of ``kind``: the built-ins, then the installed plugins."""
    return [*builtins(kind), *sorted(entry_points(kind))]


def is_registered(kind: str, name: str) -> bool:
    """Whether ``name`` is a registered plugin of ``kind`` (no import path, nothing imported)."""
    return name in builtins(kind) or name in entry_points(kind)


def check_protocol(kind: Kind, obj: Any, spec: str) -> None:
    """Refuse an object that is not a plugin class of ``kind`` (one line, as PluginError)."""
    if not inspect.isclass(obj):
        raise PluginError(f"{spec} is a {type(obj).__name__}, not a {kind.role} class")
    if kind.base is not None:
        base = import_object(kind.base)
        if not issubclass(obj, base):
            raise PluginError(
                f"{spec} is not a {kind.role}: it must subclass {base.__module__}."
                f"{base.__qualname__}"
            )
    missing = [m for m in kind.methods if not callable(getattr(obj, m.split("(")[0], None))]
    if missing:
        raise PluginError(f"{spec} is not a {kind.role}: it has no method {', '.join(missing)}")
    params = getattr(obj, "Params", NoParams)
    if not (inspect.isclass(params) and issubclass(params, BaseModel)):
        raise PluginError(
            f"{spec}.Params must be a pydantic model (a btoagents.config.section.Section), "
            f"not {type(params).__name__}"
        )


def _plugin_class(kind: Kind, name: str, obj: Any, ep: metadata.EntryPoint | None) -> Plugin:
    check_protocol(kind, obj, name)
    return Plugin(kind.name, name, obj, getattr(obj, "Params", NoParams), entry_point=ep)


def resolve(kind: str, spec: str) -> Plugin:
    """The plugin ``spec`` names: a built-in, an installed plugin, or an import path.

    An import path imports (and so runs) its module. Raises :class:`PluginError` with one
    line: an unknown name (with the closest registered name), an import that fails, or a
    class that does not satisfy the kind's protocol.
    """
    k = kind_of(kind)
    known = builtins(kind)
    if spec in known:
        return known[spec]
    if is_import_path(spec):
        try:
            obj = import_object(spec)
        except PluginImportError as exc:
            raise PluginError(str(exc)) from None
        return _plugin_class(k, spec, obj, None)
    installed = entry_points(kind)
    ep = installed.get(spec)
    if ep is None:
        registered = [*known, *sorted(installed)]
        close = difflib.get_close_matches(spec, registered, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise PluginError(
            f"unknown {k.role} {spec!r}{hint} (registered: {', '.join(registered)}; or an "
            "import path 'package.module:Name')"
        )
    try:
        obj = ep.load()
    except Exception as exc:  # noqa: BLE001 - the installed plugin's own error
        first = (str(exc).strip().splitlines() or [""])[0]
        raise PluginError(
            f"the installed plugin {spec!r} ({ep.value}) does not load: "
            f"{type(exc).__name__}: {first}"
        ) from None
    return _plugin_class(k, spec, obj, ep)


def check_params(kind: str, spec: str, data: dict[str, Any]) -> None:
    """Validate the ``params`` table ``data`` of the plugin ``spec`` (see
    :func:`~btoagents.plugins.params.validate_params` for the errors).

    A built-in takes its parameters from its own keys: a non-empty ``params`` is refused.
    """
    plugin = resolve(kind, spec)
    if plugin.builtin:
        if data:
            section = kind_of(kind).section
            if plugin.params_at is None:
                where = "takes no parameters"
            elif plugin.params_at == SECTION_KEYS and plugin.params is NoParams:
                where = f"takes its parameters from the other keys of [{section}]"
            elif plugin.params_at == SECTION_KEYS:
                keys = ", ".join(f"{section}.{k}" for k in plugin.params.model_fields)
                where = f"takes its parameters from {keys}"
            else:
                where = f"takes its parameters from [{section}.{plugin.params_at}]"
            raise PluginError(
                f"the built-in {kind_of(kind).role} {spec!r} {where}; {section}.params is for "
                f"a {kind_of(kind).role} that is not built in"
            )
        return
    validate_params(plugin.params, data)


def build(kind: str, context: PolicyContext) -> Any:
    """A new plugin object of ``kind`` as ``context.section`` names and sets it."""
    return resolve(kind, getattr(context.section, kind_of(kind).field)).create(context)
