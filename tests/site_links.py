"""Internal links of a built HTML site (the documentation, ``docs/_build/html``): every
page's ``href`` and ``src`` that stays inside the site must name a file that exists and,
with a ``#fragment``, an element of that page with that id.

Used by ``tests/test_docs_links.py`` (after ``make docs``, which runs it) and the browser
test of the site. Only the standard library: the default test suite has no HTML parser
package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

#: where the documentation is built, relative to the repository root
SITE = Path("docs") / "_build" / "html"


@dataclass
class Page:
    """What one HTML file holds: the ids its elements have and the links it makes."""

    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for key in ("id",) + (("name",) if tag == "a" else ()):
            if values.get(key):
                self.page.ids.add(values[key])  # type: ignore[arg-type]
        for key in ("href", "src"):
            if values.get(key) and not (tag == "link" and values.get("rel") == "canonical"):
                self.page.links.append(values[key])  # type: ignore[arg-type]


def read_page(path: Path) -> Page:
    """The ids and links of one HTML file."""
    collector = _Collector()
    collector.feed(path.read_text(encoding="utf-8", errors="replace"))
    return collector.page


def is_internal(link: str) -> bool:
    """Whether ``link`` points into the site (no scheme, no host, not only a query)."""
    parts = urlsplit(link)
    return not parts.scheme and not parts.netloc and not link.startswith("//")


def broken_links(site: Path) -> list[str]:
    """Every internal link of every page of ``site`` whose file or anchor is missing, as
    ``page: link (why)``; empty when all resolve."""
    site = site.resolve()
    pages = {p: read_page(p) for p in sorted(site.rglob("*.html"))}
    problems = []
    for path, page in pages.items():
        for link in page.links:
            if not is_internal(link):
                continue
            parts = urlsplit(link)
            target = path if not parts.path else (path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{path.relative_to(site)}: {link}"
            if not target.is_relative_to(site):
                problems.append(f"{where} (leaves the site)")
            elif not target.is_file():
                problems.append(f"{where} (no file {os.path.relpath(target, site)})")
            elif parts.fragment and target.suffix == ".html":
                ids = pages[target].ids if target in pages else read_page(target).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{where} (no anchor #{parts.fragment})")
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python tests/site_links.py [SITE]``: print each broken link; 1 when there are any."""
    import sys

    args = sys.argv[1:] if argv is None else argv
    site = Path(args[0]) if args else SITE
    if not (site / "index.html").is_file():
        print(f"error: {site}: no built site (run make docs)", file=sys.stderr)
        return 2
    problems = broken_links(site)
    for line in problems:
        print(f"broken link: {line}", file=sys.stderr)
    pages = sum(1 for _ in site.rglob("*.html"))
    print(f"{site}: {pages} pages, {len(problems)} broken internal links")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
