"""The documentation's internal links: every link of the built site (``make docs``, which
runs this file after the build) names a page and an anchor that exist.

``make test`` does not build the site; without one the check of the real site is skipped,
unless ``BTOAGENTS_DOCS_SITE`` names the site (``make docs`` sets it), where a missing site
fails. The checker itself is tested on a small site written here.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from site_links import SITE, broken_links, is_internal, main

ROOT = Path(__file__).resolve().parents[1]


def _site() -> Path:
    named = os.environ.get("BTOAGENTS_DOCS_SITE")
    site = Path(named) if named else ROOT / SITE
    if not (site / "index.html").is_file():
        if named:
            pytest.fail(f"{site}: no built site")
        pytest.skip("the documentation is not built (make docs)")
    return site


def test_every_internal_link_of_the_built_site_resolves():
    site = _site()
    assert broken_links(site) == []


def test_the_built_site_has_every_part_the_documentation_promises():
    site = _site()
    for page in (
        "getting-started.html",
        "concepts/strategies.html",
        "concepts/model.html",
        "concepts/kpis.html",
        "concepts/scenario-reference.html",
        "tutorials/01-compare-strategies.html",
        "tutorials/05-your-own-policy.html",
        "tutorials/07-slurm-cluster.html",
        "howto/reproduce-the-paper.html",
        "howto/validate-the-model.html",
        "howto/dashboard.html",
        "api/index.html",
        "validation.html",
        "changelog.html",
    ):
        assert (site / page).is_file(), page
    reference = (site / "concepts/scenario-reference.html").read_text(encoding="utf-8")
    assert "order_bank" in reference and "holding_rate" in reference


# --- the checker can fail -----------------------------------------------------------------


def _write(root: Path, name: str, html: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body>{html}</body></html>", encoding="utf-8")


def test_the_checker_finds_a_missing_page_a_missing_anchor_and_a_link_out_of_the_site(
    tmp_path,
):
    _write(
        tmp_path,
        "index.html",
        '<a href="a/page.html#here">ok</a> <a href="#top" id="top">self</a>'
        '<a href="https://example.org/x">external</a> <img src="img.png">'
        '<a href="a/">folder index</a>',
    )
    _write(
        tmp_path,
        "a/page.html",
        '<h1 id="here">x</h1><a href="../gone.html">gone</a>'
        '<a href="../index.html#nowhere">bad anchor</a><a href="../../out.html">out</a>',
    )
    _write(tmp_path, "a/index.html", "")
    (tmp_path / "img.png").write_bytes(b"")
    assert broken_links(tmp_path) == [
        "a/page.html: ../gone.html (no file gone.html)",
        "a/page.html: ../index.html#nowhere (no anchor #nowhere)",
        "a/page.html: ../../out.html (leaves the site)",
    ]
    assert main([str(tmp_path)]) == 1
    assert main([str(tmp_path / "a" / "missing")]) == 2


def test_only_links_without_scheme_or_host_are_internal():
    assert is_internal("page.html#x") and is_internal("#x") and is_internal("../_static/a.css")
    for external in ("https://x.org", "mailto:a@b.c", "//cdn.example/x.js", "data:image/png,"):
        assert not is_internal(external)
