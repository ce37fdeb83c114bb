"""The built documentation (``make docs``) in headless Chromium: every page opens from a
local server, loads nothing from outside this machine and no local file that is missing,
and every internal link it shows leads to a page and an anchor that exist.

Needs Debian's ``chromium``, Playwright (the dashboard extra) and the built site; without
them the test is skipped, except under CI (``.ci/run`` runs ``make docs`` first), where it
fails.
"""

from __future__ import annotations

import functools
import http.server
import os
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest

from site_links import SITE

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def _unavailable(reason: str) -> None:
    """Skip, or fail under CI, which must provide what the test needs."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must provide it (see .ci/run)")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def site_url() -> Iterator[str]:
    """The built site, served on a free local port for the module's tests."""
    site = ROOT / SITE
    if not (site / "index.html").is_file():
        _unavailable(f"{SITE} is not built: run `make docs`")
    port = _free_port()
    handler = functools.partial(_Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/"
    server.shutdown()
    thread.join()
    server.server_close()


#: every element id of the page, and every link's absolute address (as the browser resolved it)
_READ_PAGE = """() => ({
  ids: Array.from(document.querySelectorAll('[id], a[name]')).map(e => e.id || e.name),
  links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
})"""


def test_every_page_opens_and_every_internal_link_leads_to_a_page_and_anchor(
    site_url, headless_chromium
):
    page = headless_chromium.new_page()
    outside: list[str] = []
    failed: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith((site_url, "data:", "blob:")) else outside.append(r.url),
    )
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    # visit every page the site links to, from the start page on
    ids: dict[str, set[str]] = {}
    links: list[tuple[str, str]] = []
    queue = [site_url + "index.html"]
    while queue:
        url = queue.pop()
        if url in ids:
            continue
        response = page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        found = page.evaluate(_READ_PAGE)
        ids[url] = set(found["ids"])
        for link in found["links"]:
            target, _ = urldefrag(link)
            if not target.startswith(site_url):
                continue  # external: never fetched
            links.append((url, link))
            if urlsplit(target).path.endswith(".html") and target not in ids:
                queue.append(target)
    page.close()

    built = {p.relative_to(ROOT / SITE).as_posix() for p in (ROOT / SITE).rglob("*.html")}
    opened = {u.removeprefix(site_url) for u in ids}
    # every page of the site is reachable by links from the start page (the generated
    # index and search pages aside)
    assert sorted(built - opened - {"genindex.html", "search.html", "py-modindex.html"}) == []
    assert len(opened) >= 40
    broken = []
    for source, link in links:
        target, fragment = urldefrag(link)
        if target.endswith(".html") and fragment and fragment not in ids.get(target, set()):
            broken.append(f"{source} -> {link}")
        path = ROOT / SITE / urlsplit(target).path.removeprefix(urlsplit(site_url).path)
        if not (path.is_file() or (path / "index.html").is_file()):
            broken.append(f"{source} -> {link} (no file)")
    assert broken == []
    assert failed == []
    assert outside == []
