"""Provenance of the plugins a scenario uses: which code ran, so a result can be traced to it.

For every plugin that is not built in, :func:`describe` records where its code came from:
the installed distribution and its version when the module belongs to one (an entry
point's distribution, or the distribution whose files hold the module, editable installs
included), and always the sha256 of the module's source file, which tells two versions of
a module in a working tree apart.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from btoagents.plugins.kinds import KINDS
from btoagents.plugins.registry import Plugin, resolve


def source_file(module: str) -> Path | None:
    """The source file of an imported module, if it has one."""
    mod = sys.modules.get(module)
    path = getattr(mod, "__file__", None)
    return Path(path).resolve() if path else None


def file_sha256(path: Path | None) -> str | None:
    """The sha256 (hex) of a file's bytes, None without a readable file."""
    if path is None:
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _editable_root(dist: metadata.Distribution) -> Path | None:
    """The source folder of an editable install (PEP 610 ``direct_url.json``), if it is one."""
    text = dist.read_text("direct_url.json")
    if not text:
        return None
    try:
        info = json.loads(text)
    except ValueError:
        return None
    if not info.get("dir_info", {}).get("editable"):
        return None
    url = urlparse(info.get("url", ""))
    return Path(unquote(url.path)).resolve() if url.scheme == "file" else None


def distribution_of(module: str, path: Path | None) -> metadata.Distribution | None:
    """The installed distribution that holds ``module`` (its file among the distribution's
    files, or under an editable install's folder); None for a module outside any."""
    if path is None:
        return None
    top = module.split(".", 1)[0]
    for name in metadata.packages_distributions().get(top, []):
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        for f in dist.files or ():
            if Path(dist.locate_file(f)).resolve() == path:
                return dist
        root = _editable_root(dist)
        if root is not None and path.is_relative_to(root):
            return dist
    return None


def plugin_record(plugin: Plugin) -> dict[str, Any]:
    """What :func:`describe` reports for one plugin."""
    module = plugin.module
    path = source_file(module)
    dist = plugin.entry_point.dist if plugin.entry_point is not None else None
    if dist is None:
        dist = distribution_of(module, path)
    return {
        "kind": plugin.kind,
        "spec": plugin.name,
        "module": module,
        "distribution": dist.metadata["Name"] if dist is not None else None,
        "version": dist.version if dist is not None else None,
        "sha256": file_sha256(path),
    }


def describe(scenario: Any) -> list[dict[str, Any]]:
    """For each plugin ``scenario`` uses that is not built in, in kind order (policies, KPIs
    in listed order, agents; :data:`~btoagents.plugins.kinds.KINDS`): ``kind``, ``spec`` (as
    the scenario names it), ``module``, ``distribution`` and ``version`` (None when the
    module comes from no installed distribution) and ``sha256`` of the module's source file
    (None when it has none). Resolving a plugin imports it."""
    out = []
    for kind in KINDS.values():
        section = getattr(scenario, kind.section, None)
        value = getattr(section, kind.field, None)
        if value is None:
            continue
        for spec in value if kind.many else [value]:
            plugin = resolve(kind.name, spec)
            if not plugin.builtin:
                out.append(plugin_record(plugin))
    return out
