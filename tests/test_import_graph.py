"""No import cycle runs through the model, the agents or the policies.

Every module under ``src/btoagents`` is parsed with :mod:`ast`; its module-level imports
(including those under ``if TYPE_CHECKING:`` and ``try:``, but not imports inside
functions, which run late) give the package's import graph. Agents and policies see the
model through :class:`btoagents.chain.Chain`, so no strongly connected component of that
graph may hold ``btoagents.model`` or a module of ``btoagents.agents`` or
``btoagents.policies`` together with another module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import btoagents

PACKAGE = "btoagents"
ROOT = Path(btoagents.__file__).parent
GUARDED = ("btoagents.model", "btoagents.agents", "btoagents.policies")


def module_names(root: Path = ROOT) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package (a package is its
    ``__init__``)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [PACKAGE, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _top_level(body: list[ast.stmt]):
    """Statements run when the module is imported: the body and the branches of its
    top-level ``if`` and ``try`` blocks (not function or class bodies)."""
    for node in body:
        yield node
        if isinstance(node, ast.If):
            yield from _top_level(node.body)
            yield from _top_level(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                yield from _top_level(block)
            for handler in node.handlers:
                yield from _top_level(handler.body)


def imports_of(name: str, path: Path, modules: set[str]) -> set[str]:
    """The package modules that module ``name`` (file ``path``) imports at module level."""
    is_package = path.name == "__init__.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in _top_level(tree.body):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name in modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules:  # ``from package import submodule``
                    out.add(sub)
                elif target in modules:
                    out.add(target)
    out.discard(name)
    return out


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Module -> the package modules it imports at module level."""
    files = module_names(root)
    names = set(files)
    return {name: imports_of(name, path, names) for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm,
    iterative), each sorted; a module importing itself counts too."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    found.append(sorted(component))
    return found


def path_in(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One closed import path through ``component`` (for the failure message)."""
    members = set(component)
    start = component[0]
    path, seen = [start], {start}
    node = start
    while True:
        nxt = sorted(graph[node] & members)
        back = [n for n in nxt if n == start]
        if back and len(path) > 1:
            return [*path, start]
        fresh = [n for n in nxt if n not in seen]
        node = fresh[0] if fresh else nxt[0]
        path.append(node)
        if node in seen:
            return path
        seen.add(node)


def guarded(module: str) -> bool:
    return any(module == g or module.startswith(g + ".") for g in GUARDED)


def test_the_cycle_finder_finds_a_cycle_and_only_cycles():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert sorted(cycles(graph)) == [["a", "b", "c"], ["e"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    assert path_in(graph, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_relative_and_submodule_imports_resolve_to_package_modules(tmp_path):
    pkg = tmp_path / "btoagents"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from . import leaf\n")
    (pkg / "sub" / "leaf.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from btoagents.top import X\n"
        "def f():\n    import btoagents.late\n"
    )
    (pkg / "top.py").write_text("from btoagents.sub import leaf\nfrom .sub import thing\n")
    (pkg / "late.py").write_text("")
    graph = import_graph(pkg)
    assert graph["btoagents.sub"] == {"btoagents.sub.leaf"}
    assert graph["btoagents.sub.leaf"] == {"btoagents.top"}  # the late import is not counted
    assert graph["btoagents.top"] == {"btoagents.sub.leaf", "btoagents.sub"}
    assert cycles(graph) == [["btoagents.sub", "btoagents.sub.leaf", "btoagents.top"]]


def test_no_import_cycle_runs_through_the_model_agents_or_policies():
    graph = import_graph()
    assert "btoagents.model" in graph and "btoagents.agents.customer" in graph
    bad = [c for c in cycles(graph) if any(guarded(m) for m in c)]
    assert not bad, "import cycles: " + "; ".join(" -> ".join(path_in(graph, c)) for c in bad)


def test_agents_and_policies_never_import_the_model():
    graph = import_graph()
    offenders = sorted(
        m
        for m, deps in graph.items()
        if guarded(m) and m != "btoagents.model" and ("btoagents.model" in deps)
    )
    assert not offenders, f"import btoagents.model: {offenders}"
