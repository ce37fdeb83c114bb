"""Hostile command lines for the CLI fuzz test: mutated presets, ``--set`` items and
experiment files, extreme and mistyped values, deep nesting, binary and oversized files.

A case is a :class:`Case`: the arguments after ``btoagents`` and the files to write first
(paths relative to a fresh working folder). ``@OUT@`` in any text stands for a folder
outside the results root, so a test can check that nothing was written there.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, field
from typing import Any

import tomli_w
from hypothesis import strategies as st

from btoagents.config.loading import preset_names, preset_text

OUT = "@OUT@"
RESULTS = "results"

#: values that are wrong for most keys: bools for numbers, non-finite, extreme, negative,
#: tiny, too big for 64 bits, texts where numbers belong, paths, empty containers
HOSTILE_VALUES: list[Any] = [
    True,
    False,
    math.nan,
    math.inf,
    -math.inf,
    1e308,
    -1e308,
    1e-308,
    -1,
    0,
    0.5,
    2**63 - 1,
    -(2**63),
    1e9,
    1e7,
    "",
    "bto",
    "x" * 5000,
    "../escape",
    f"{OUT}/abs",
    [],
    [1, 2],
    {},
    {"nested": {"deeper": 1}},
]

#: a short horizon keeps the accepted cases quick; mutations may still change it
QUICK = {"horizon": 40.0, "warmup": 5.0, "replications": 1}

TINY_EXPERIMENT = {
    "name": "fuzz",
    "scenario": "mm1-bts",
    "replications": 2,
    "seed": 5,
    "overrides": ["simulation.horizon=60", "simulation.warmup=5"],
    "kpis": ["fill_rate", "backorders"],
    "design": {"kind": "full_factorial"},
    "factors": {"S": {"key": "products.standard.base_stock", "levels": [0, 2]}},
    "arms": {
        "stock": {"overrides": []},
        "order": {"overrides": ["products.standard.strategy=bto"]},
    },
}


@dataclass
class Case:
    """One command line and the files it reads; ``kind`` names the mutation (for reports)."""

    kind: str
    argv: list[str]
    files: dict[str, bytes] = field(default_factory=dict)
    #: the input is wrong whatever the mutation drew (a misspelt name, an escaping path, a
    #: file that is no TOML): it must be refused, not run
    refuse: bool = False


def leaves(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Dotted paths of every non-table value of a TOML document."""
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in leaves(v, (*prefix, str(k)))] or [prefix]
    return [prefix]


def tables(data: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Dotted paths of every table of a TOML document (the root is ``()``)."""
    if not isinstance(data, dict):
        return []
    return [prefix, *(p for k, v in data.items() for p in tables(v, (*prefix, str(k))))]


def set_in(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value


def toml_value(value: Any) -> str:
    """``value`` as TOML text (for ``--set KEY=VALUE``)."""
    if isinstance(value, dict):  # tomli_w writes a table as a [section]: inline it here
        return "{" + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + "}"
    return tomli_w.dumps({"v": value}).split("=", 1)[1].strip()


def deep(depth: int, kind: str) -> str:
    """A value nested ``depth`` levels: arrays ``[[[...]]]`` or inline tables."""
    if kind == "array":
        return "[" * depth + "1" + "]" * depth
    return "{a = " * depth + "1" + "}" * depth


def preset(name: str) -> dict[str, Any]:
    data = tomllib.loads(preset_text(name))
    data.setdefault("simulation", {}).update(QUICK)
    return data


def typo(word: str, draw: st.DrawFn) -> str:
    """``word`` with one letter dropped, doubled or swapped (never ``word`` itself)."""
    i = draw(st.integers(0, max(len(word) - 1, 0)))
    edits = [word[:i] + word[i + 1 :], word[:i] + word[i] * 2 + word[i + 1 :]]
    if i + 1 < len(word) and word[i] != word[i + 1]:
        edits.append(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
    candidates = [w for w in edits if w and w != word]
    return draw(st.sampled_from(candidates or [word + "x"]))


@st.composite
def scenario_cases(draw: st.DrawFn) -> Case:
    """``btoagents run FILE`` on a preset with one value, key or entity name mutated."""
    data = preset(draw(st.sampled_from(preset_names())))
    how = draw(st.sampled_from(["value", "unknown-key", "entity-typo", "drop-table"]))
    if how == "value":
        path = draw(st.sampled_from(leaves(data)))
        set_in(data, path, draw(st.sampled_from(HOSTILE_VALUES)))
    elif how == "unknown-key":
        where = draw(st.sampled_from(tables(data)))
        set_in(data, (*where, draw(st.sampled_from(["colour", "demand", "lnes", "x"]))), 1)
    elif how == "entity-typo":
        family = draw(st.sampled_from(sorted(data["products"])))
        data["products"][typo(family, draw)] = {"base_stock": 3}
    else:
        section = draw(st.sampled_from(sorted(k for k, v in data.items() if isinstance(v, dict))))
        del data[section]
    text = tomli_w.dumps(data)
    return Case(f"scenario:{how}", ["run", "in/s.toml", "--json"], {"in/s.toml": text.encode()})


@st.composite
def set_cases(draw: st.DrawFn) -> Case:
    """``btoagents run PRESET --set KEY=VALUE`` with a hostile value or a misspelt name."""
    name = draw(st.sampled_from(preset_names()))
    data = preset(name)
    quick = [f"simulation.{k}={v}" for k, v in QUICK.items()]
    path = draw(st.sampled_from(leaves(data)))
    how = draw(st.sampled_from(["value", "entity-typo", "key-typo", "raw"]))
    if how == "value":
        item = ".".join(path) + "=" + toml_value(draw(st.sampled_from(HOSTILE_VALUES)))
    elif how == "entity-typo":
        family = draw(st.sampled_from(sorted(data["products"])))
        item = f"products.{typo(family, draw)}.base_stock=3"
    elif how == "key-typo":
        item = ".".join([*path[:-1], typo(path[-1], draw)]) + "=1"
    else:
        raw = draw(
            st.sampled_from(
                [
                    "",
                    "=",
                    "nan",
                    "inf",
                    "1e99999",
                    "9" * 5000,
                    "[",
                    deep(600, "array"),
                    deep(600, "table"),
                ]
            )
        )
        item = ".".join(path) + "=" + raw
    argv = ["run", name, "--json", *(x for q in quick for x in ("--set", q)), "--set", item]
    return Case(f"set:{how}", argv, refuse=how in ("entity-typo", "key-typo"))


@st.composite
def experiment_cases(draw: st.DrawFn) -> Case:
    """``btoagents sweep FILE`` with one part of a tiny experiment mutated."""
    data = tomllib.loads(tomli_w.dumps(TINY_EXPERIMENT))
    how = draw(
        st.sampled_from(
            ["name", "factor-key", "levels", "samples", "replications", "kpis", "value", "arm"]
        )
    )
    if how == "name":
        data["name"] = draw(
            st.sampled_from(["../x", f"{OUT}/abs", "", ".", "..", "a/b", "a\\b", "x\0y"])
        )
    elif how == "factor-key":
        data["factors"]["S"]["key"] = draw(
            st.sampled_from(
                ["products.standrd.base_stock", "products.standard.base_stok", "nope", "a..b"]
            )
        )
    elif how == "levels":
        data["factors"]["S"]["levels"] = [draw(st.sampled_from(HOSTILE_VALUES))]
    elif how == "samples":
        data["design"] = {
            "kind": "latin_hypercube",
            "samples": draw(st.sampled_from(HOSTILE_VALUES)),
        }
        data["factors"]["S"] = {"key": "products.standard.base_stock", "range": [0, 4]}
    elif how == "replications":
        data["replications"] = draw(st.sampled_from(HOSTILE_VALUES))
    elif how == "kpis":
        data["kpis"] = draw(st.sampled_from([["fil_rate"], [], ["x" * 100], [1]]))
    elif how == "value":
        path = draw(st.sampled_from(leaves(data)))
        set_in(data, path, draw(st.sampled_from(HOSTILE_VALUES)))
    else:
        data["arms"]["order"]["overrides"] = [
            draw(st.sampled_from(["products.standrd.strategy=bto", "x=1", "products=1", "a"]))
        ]
    text = tomli_w.dumps(data)
    argv = ["sweep", "in/e.toml", "--executor", "serial", "--results", RESULTS]
    # no hostile value is a usable sample count (bools, non-integers, <= 0, >= 1e7)
    refuse = how in ("name", "factor-key", "arm", "samples")
    return Case(f"experiment:{how}", argv, {"in/e.toml": text.encode()}, refuse)


@st.composite
def file_cases(draw: st.DrawFn) -> Case:
    """Files that are not scenarios: binary, oversized, deeply nested, missing."""
    command = draw(st.sampled_from(["run", "sweep"]))
    how = draw(st.sampled_from(["binary", "huge", "deep-array", "deep-table", "missing", "dir"]))
    depth = 0
    if how == "binary":
        body = draw(st.binary(min_size=1, max_size=200))
    elif how == "huge":
        body = b"".join(b"k%d = %d\n" % (i, i) for i in range(400_000))
    elif how in ("deep-array", "deep-table"):
        depth = draw(st.sampled_from([64, 600, 5000]))
        body = f"name = 'x'\nv = {deep(depth, how[5:])}\n".encode()
    else:
        body = b""
    files = {} if how in ("missing", "dir") else {"in/f.toml": body}
    target = "in" if how == "dir" else "in/f.toml"
    argv = [command, target]
    if command == "sweep":
        argv += ["--executor", "serial", "--results", RESULTS]
    # random bytes may by chance be valid TOML, and 64 levels may be within the depth limit
    refuse = how in ("huge", "missing", "dir") or depth > 64
    return Case(f"file:{how}", argv, files, refuse)


def cases() -> st.SearchStrategy[Case]:
    """Every kind of hostile case."""
    return st.one_of(scenario_cases(), set_cases(), experiment_cases(), file_cases())
