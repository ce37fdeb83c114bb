"""Design methods (one module each): their points are those the designs have always made,
bit for bit and in order, their sizes are known in advance, and the manifest's design
record round-trips through JSON (also from manifests written before it had settings)."""

from __future__ import annotations

import hashlib
import json
from typing import get_args

import pytest

from btoagents import ConfigError
from btoagents.experiment.designs import (
    METHODS,
    DesignRecord,
    design_points,
    design_record,
    explicit,
    factorial,
    method,
    point_overrides,
    salib_problem,
    saltelli,
)
from btoagents.experiment.spec import DesignKind, ExperimentSpec

FACTORS = {
    "a": {"key": "manufacturer.service_rate", "range": [1.0, 2.0]},
    "b": {"key": "products.standard.base_stock", "range": [0, 6], "integer": True},
    "c": {"key": "products.standard.demand_rate", "range": [0.2, 0.5]},
}


def spec_of(kind: str, factors: dict | None = None, **design) -> ExperimentSpec:
    return ExperimentSpec.model_validate(
        {
            "name": "d",
            "scenario": "mm1-bts",
            "seed": 3,
            "factors": factors or FACTORS,
            "design": {"kind": kind, **design},
        }
    )


def rows(points: list[dict]) -> list[tuple]:
    return [(p["a"], p["b"], p["c"]) for p in points]


# the points of these specs as the designs made them before they became one module per
# method (scipy 1.18.1, SALib 1.6.0); floats compared exactly
EXPECTED = {
    ("latin_hypercube", (("samples", 4),)): [
        (1.728587708214094, 6, 0.4399044151095203),
        (1.354459490983908, 1, 0.24251547948226448),
        (1.8802371754647915, 4, 0.2949067136443089),
        (1.2215819950196491, 2, 0.3862444863033977),
    ],
    ("sobol", (("samples", 4),)): [
        (1.699405879713595, 3, 0.3260965782217682),
        (1.344075539149344, 0, 0.41536660548299553),
        (1.0232345256954432, 5, 0.21449080826714637),
        (1.9332831222563982, 2, 0.4437507677823305),
    ],
    ("saltelli", (("samples", 2),)): [
        (1.699405879713595, 3, 0.3260965782217682),
        (1.3875441057607532, 3, 0.3260965782217682),
        (1.699405879713595, 3, 0.3260965782217682),
        (1.699405879713595, 3, 0.3464479866437614),
        (1.3875441057607532, 3, 0.3464479866437614),
        (1.4209739277139306, 2, 0.36109572034329174),
        (1.8502048896625638, 2, 0.36109572034329174),
        (1.4209739277139306, 3, 0.36109572034329174),
        (1.4209739277139306, 2, 0.49396615400910376),
        (1.8502048896625638, 3, 0.49396615400910376),
    ],
    ("saltelli", (("samples", 2), ("second_order", True))): [
        (1.699405879713595, 3, 0.3260965782217682),
        (1.3875441057607532, 3, 0.3260965782217682),
        (1.699405879713595, 3, 0.3260965782217682),
        (1.699405879713595, 3, 0.3464479866437614),
        (1.699405879713595, 3, 0.3464479866437614),
        (1.3875441057607532, 3, 0.3464479866437614),
        (1.3875441057607532, 3, 0.3260965782217682),
        (1.3875441057607532, 3, 0.3464479866437614),
        (1.4209739277139306, 2, 0.36109572034329174),
        (1.8502048896625638, 2, 0.36109572034329174),
        (1.4209739277139306, 3, 0.36109572034329174),
        (1.4209739277139306, 2, 0.49396615400910376),
        (1.4209739277139306, 3, 0.49396615400910376),
        (1.8502048896625638, 2, 0.49396615400910376),
        (1.8502048896625638, 3, 0.36109572034329174),
        (1.8502048896625638, 3, 0.49396615400910376),
    ],
    ("morris", (("samples", 2),)): [
        (2.0, 6, 0.5),
        (2.0, 6, 0.30000000000000004),
        (2.0, 2, 0.30000000000000004),
        (1.3333333333333335, 2, 0.30000000000000004),
        (1.6666666666666665, 4, 0.2),
        (1.6666666666666665, 0, 0.2),
        (1.0, 0, 0.2),
        (1.0, 0, 0.4),
    ],
    ("morris", (("samples", 2), ("levels", 6), ("seed", 9))): [
        (1.2, 6, 0.5),
        (1.2, 2, 0.5),
        (1.2, 2, 0.32),
        (1.8, 2, 0.32),
        (1.4, 2, 0.32),
        (2.0, 2, 0.32),
        (2.0, 2, 0.5),
        (2.0, 6, 0.5),
    ],
}


@pytest.mark.parametrize("kind, design", list(EXPECTED))
def test_sample_gives_the_points_the_design_always_gave(kind, design):
    spec = spec_of(kind, **dict(design))
    points = METHODS[kind].sample(spec)
    assert rows(points) == EXPECTED[kind, design]
    assert all(type(p["a"]) is float and type(p["b"]) is int for p in points)
    assert design_points(spec) == points


def test_a_paper_sized_saltelli_design_is_unchanged_bit_for_bit():
    """The design of question 5 (seven factors, N = 256, 2,304 points): the SHA-256 of its
    points and overrides as JSON, as the design made them before the split."""
    compact_suv = ("products.compact", "products.suv")
    factors = {
        "bto_share": {"keys": [f"{p}.tail_share" for p in compact_suv], "range": [0.0, 1.0]},
        "service_rate": {"key": "manufacturer.service_rate", "range": [21.0, 31.0]},
        "days_of_supply": {"key": "dealers.days_of_supply", "range": [20.0, 90.0]},
        "patience": {"key": "customers.patience", "range": [30.0, 90.0]},
        "release_days": {"keys": [f"{p}.release_days" for p in compact_suv], "range": [7.0, 35.0]},
        "life_cycle": {
            "keys": [f"{p}.life_cycle" for p in (*compact_suv, "products.van")],
            "range": [90.0, 365.0],
        },
        "variants": {
            "keys": [f"{p}.variants" for p in compact_suv],
            "range": [8.0, 40.0],
            "integer": True,
        },
    }
    spec = ExperimentSpec.model_validate(
        {
            "name": "paper-sensitivity",
            "scenario": "dealer-network",
            "seed": 2505,
            "design": {"kind": "saltelli", "samples": 256, "second_order": False},
            "factors": factors,
        }
    )
    points = saltelli.sample(spec)
    overrides = [point_overrides(spec, p) for p in points]

    def digest(obj) -> str:
        return hashlib.sha256(json.dumps(obj).encode()).hexdigest()[:16]

    assert len(points) == saltelli.size(spec) == 2304
    assert digest(points) == "337e73e493464e02"
    assert digest(overrides) == "ffefd2a6838b8ec7"


def test_full_factorial_and_explicit_points_keep_their_order():
    spec = ExperimentSpec.model_validate(
        {
            "name": "f",
            "scenario": "mm1-bts",
            "factors": {
                "S": {"key": "products.standard.base_stock", "levels": [0, 2, 4]},
                "L": {"key": "manufacturer.lines", "levels": [1, 2]},
            },
        }
    )
    assert factorial.sample(spec) == [
        {"S": s, "L": n} for s in (0, 2, 4) for n in (1, 2)
    ]  # the last factor varies fastest
    listed = [{"S": 4}, {"S": 0, "L": 2}, {"L": 1}]
    spec = spec.model_copy(update={"design": spec.design.model_copy(update={"kind": "points"})})
    spec = spec.model_copy(update={"points": listed})
    points = explicit.sample(spec)
    assert points == listed and points[0] is not listed[0]  # copies, in file order
    assert point_overrides(spec, points[1]) == [
        "products.standard.base_stock=0",
        "manufacturer.lines=2",
    ]


@pytest.mark.parametrize(
    "kind, design",
    [
        ("latin_hypercube", {"samples": 7}),
        ("sobol", {"samples": 8}),
        ("saltelli", {"samples": 4}),
        ("saltelli", {"samples": 4, "second_order": True}),
        ("morris", {"samples": 3, "levels": 6}),
    ],
)
def test_size_is_the_number_of_points_sample_makes(kind, design):
    spec = spec_of(kind, **design)
    assert METHODS[kind].size(spec) == spec.point_count() == len(METHODS[kind].sample(spec))


def test_every_design_kind_has_exactly_one_method_module():
    assert set(METHODS) == set(get_args(DesignKind))
    assert {m.__name__.rsplit(".", 1)[1] for m in METHODS.values()} == {
        "factorial",
        "lhs",
        "sobol",
        "saltelli",
        "morris",
        "explicit",
    }
    for m in METHODS.values():
        assert all(callable(getattr(m, f)) for f in ("check", "size", "sample", "analyze"))
        assert (m.TABLE is None) == (m.FIELDS == ())
    with pytest.raises(ConfigError, match=r"design kind 'grid': expected one of full_factorial"):
        method("grid")


def test_the_salib_problem_lists_ranged_factors_in_order():
    assert salib_problem(spec_of("sobol")) == {
        "num_vars": 3,
        "names": ["a", "b", "c"],
        "bounds": [[1.0, 2.0], [0, 6], [0.2, 0.5]],
    }
    with pytest.raises(ValueError, match=r"factors \['S'\] have no `range`"):
        salib_problem(
            ExperimentSpec.model_validate(
                {
                    "name": "f",
                    "scenario": "mm1-bts",
                    "factors": {"S": {"key": "products.standard.base_stock", "levels": [0, 2]}},
                }
            )
        )


# -- the manifest's design record -----------------------------------------------------------


@pytest.mark.parametrize(
    "kind, design, settings",
    [
        ("latin_hypercube", {"samples": 4}, {"samples": 4, "seed": 3}),
        ("sobol", {"samples": 4, "seed": 8}, {"samples": 4, "seed": 8, "scramble": True}),
        ("saltelli", {"samples": 2}, {"samples": 2, "seed": 3, "second_order": False}),
        ("morris", {"samples": 2, "levels": 6}, {"samples": 2, "seed": 3, "levels": 6}),
    ],
)
def test_the_design_record_survives_json_and_says_what_the_analysis_needs(kind, design, settings):
    spec = spec_of(kind, **design)
    points = design_points(spec)
    stored = json.loads(json.dumps({"design": design_record(spec, points).to_json()}))
    record = DesignRecord.from_manifest(stored)
    assert record.kind == kind and record.settings == settings
    assert record.problem == salib_problem(spec) and record.names == ["a", "b", "c"]
    assert record.points == points  # design order, floats bit for bit


def test_factorial_and_explicit_records_have_no_salib_problem():
    spec = ExperimentSpec.model_validate(
        {
            "name": "f",
            "scenario": "mm1-bts",
            "factors": {"S": {"key": "products.standard.base_stock", "levels": [0, 2]}},
        }
    )
    record = design_record(spec, design_points(spec))
    assert record.problem is None and record.settings == {"levels": {"S": [0, 2]}}
    with pytest.raises(ConfigError, match="'full_factorial' design has no SALib problem"):
        record.require_problem()


def test_an_older_manifest_is_completed_from_its_factors_and_design_table():
    spec = spec_of("morris", samples=2, levels=6)
    points = design_points(spec)
    old = {
        "design": {"kind": "morris", "points": points},
        "factors": {n: f.model_dump(mode="json") for n, f in spec.factors.items()},
        "experiment_text": "[design]\nkind = 'morris'\nsamples = 2\nlevels = 6\n",
    }
    record = DesignRecord.from_manifest(old)
    assert record.problem == salib_problem(spec) and record.points == points
    assert record.settings["levels"] == 6 and record.settings["second_order"] is False
    del old["experiment_text"]
    with pytest.raises(ConfigError, match="no design settings and no experiment text.*--new"):
        DesignRecord.from_manifest(old)
    with pytest.raises(ConfigError, match="no design record"):
        DesignRecord.from_manifest({"design": {"kind": "morris"}})


@pytest.mark.parametrize(
    "kind, factors, points, message",
    [
        ("points", {}, [], r"design.kind = 'points' needs a \[\[points\]\] list"),
        ("points", {}, [{"x": 1}], r"points\[0\]: unknown factor\(s\) \['x'\]"),
        ("full_factorial", {}, [], "factors: at least one factor is needed"),
        ("full_factorial", {"a": FACTORS["a"]}, [], "factors.a: full_factorial needs `levels`"),
        ("latin_hypercube", {}, [], "factors: at least one factor is needed"),
        (
            "sobol",
            {"S": {"key": "products.standard.base_stock", "levels": [0, 2]}},
            [],
            r"factors.S: design 'sobol' needs `range = \[low, high\]`",
        ),
        ("saltelli", {"a": FACTORS["a"]}, [], "design 'saltelli' needs at least two factors"),
        ("morris", {"a": FACTORS["a"]}, [], "design 'morris' needs at least two factors"),
    ],
)
def test_each_method_refuses_factors_that_do_not_suit_it(kind, factors, points, message):
    from pydantic import ValidationError

    data = {"name": "d", "scenario": "mm1-bts", "factors": factors, "design": {"kind": kind}}
    with pytest.raises(ValidationError, match=message):
        ExperimentSpec.model_validate({**data, "points": points})
