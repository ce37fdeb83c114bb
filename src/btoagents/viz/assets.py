"""The dashboard's front-end assets, installed from the npm registry into solara's cdn folder.

Solara's page loads its JavaScript and CSS from ``/_solara/cdn/<package>@<version>/...``
and, when a file is missing from its cdn folder (``<venv>/share/solara/cdn``), fetches it
from a public CDN at run time. The dashboard must work offline, so ``make dashboard`` runs
``python -m btoagents.viz.assets``, which packs each package the page needs with
``npm pack`` and unpacks it into that folder. The versions are read from the installed
solara (its page template, its grid-layout widget and its font settings), so they follow
solara when it is upgraded. Packages already present are skipped.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from btoagents.errors import BtoagentsError

#: The npm packages the dashboard's page loads, each with the solara file that names its
#: version (relative to solara's package folder); ``None``: read from solara's settings.
PACKAGES: tuple[tuple[str, str | None], ...] = (
    ("@widgetti/solara-vuetify-app", "server/templates/solara.html.j2"),
    ("@widgetti/vue-grid-layout", "widgets/vue/gridlayout.vue"),
    ("requirejs", "server/templates/solara.html.j2"),
    ("font-awesome", None),
)

#: A file present in every unpacked npm package: written last, it marks a complete install.
MARKER = "package.json"


@dataclass(frozen=True)
class Asset:
    """One npm package at the version solara asks for."""

    name: str
    version: str

    @property
    def spec(self) -> str:
        """``name@version`` as npm and solara's cdn paths spell it."""
        return f"{self.name}@{self.version}"


def _solara_root() -> Path:
    try:
        import solara
    except ImportError:
        raise BtoagentsError(
            "the dashboard needs its extra: run `make dashboard` (or pip install -e '.[dashboard]')"
        ) from None
    return Path(solara.__file__).parent


def cdn_folder() -> Path:
    """Solara's cdn folder: ``SOLARA_ASSETS_PROXY_CACHE_DIR``, else ``<venv>/share/solara/cdn``."""
    _solara_root()
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def _version_in(text: str, name: str) -> str | None:
    match = re.search(re.escape(name) + r"@(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)/", text)
    return match.group(1) if match else None


def required_assets() -> list[Asset]:
    """The packages and versions the installed solara's page loads from its cdn folder."""
    root = _solara_root()
    import solara.server.settings as settings

    assets = []
    for name, source in PACKAGES:
        if source is None:
            where = "solara's settings (assets.fontawesome_path)"
            version = _version_in(settings.assets.fontawesome_path, name)
        else:
            where = str(root / source)
            try:
                text = (root / source).read_text("utf-8")
            except OSError as exc:
                raise BtoagentsError(f"{where}: cannot read: {exc.strerror}") from None
            version = _version_in(text, name)
        if version is None:
            raise BtoagentsError(f"{where}: no version of {name} found (solara changed?)")
        assets.append(Asset(name, version))
    return assets


def missing_assets(folder: Path | None = None) -> list[Asset]:
    """The required packages not yet unpacked in ``folder`` (default: solara's cdn folder)."""
    folder = cdn_folder() if folder is None else folder
    return [a for a in required_assets() if not (folder / a.spec / MARKER).is_file()]


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise BtoagentsError(
            "npm not found on PATH: install Node.js and npm (e.g. apt-get install npm) to "
            "fetch the dashboard's front-end assets from the npm registry"
        )
    return npm


def _pack(npm: str, asset: Asset, into: Path) -> Path:
    """``npm pack NAME@VERSION`` into ``into``; returns the tarball."""
    try:
        out = subprocess.run(
            [npm, "pack", asset.spec, "--json", "--pack-destination", str(into)],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.CalledProcessError as exc:
        last = (exc.stderr or exc.stdout or "").strip().splitlines()
        detail = last[-1] if last else f"exit status {exc.returncode}"
        raise BtoagentsError(f"npm pack {asset.spec} failed: {detail}") from None
    except subprocess.TimeoutExpired:
        raise BtoagentsError(f"npm pack {asset.spec}: no answer in 300 s") from None
    try:
        filename = json.loads(out.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        raise BtoagentsError(f"npm pack {asset.spec}: unexpected output") from None
    # npm names scoped tarballs "widgetti-name-1.0.0.tgz"; the JSON may keep the "@" or "/"
    tarball = into / filename.replace("@", "").replace("/", "-")
    if not tarball.is_file():
        found = sorted(into.glob("*.tgz"))
        if len(found) != 1:
            raise BtoagentsError(f"npm pack {asset.spec}: tarball {filename} not found")
        tarball = found[0]
    return tarball


def _unpack(tarball: Path, dest: Path) -> None:
    """Unpack an npm tarball without its top folder (``package/``) into ``dest``."""
    with tarfile.open(tarball) as tar:
        members = []
        for m in tar.getmembers():
            parts = Path(m.name).parts
            if len(parts) < 2 or not (m.isfile() or m.isdir()):
                continue
            m.name = str(Path(*parts[1:]))
            members.append(m)
        tar.extractall(dest, members=members, filter="data")


def install_assets(folder: Path | None = None, log: Callable[[str], None] = print) -> list[Asset]:
    """Pack and unpack every missing package into ``folder``; returns those installed.

    Each package is unpacked into a temporary folder beside its destination and renamed
    into place, so a package folder is complete whenever it exists.

    Raises:
        BtoagentsError: npm is missing, a package cannot be fetched or has no package.json.
    """
    folder = cdn_folder() if folder is None else folder
    todo = missing_assets(folder)
    if not todo:
        return []
    npm = _npm()
    done = []
    for asset in todo:
        dest = folder / asset.spec
        dest.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=dest.parent, prefix=".unpack-") as tmp:
            tmp_path = Path(tmp)
            tarball = _pack(npm, asset, tmp_path)
            staged = tmp_path / "package"
            _unpack(tarball, staged)
            if not (staged / MARKER).is_file():
                raise BtoagentsError(f"npm pack {asset.spec}: the package has no {MARKER}")
            if dest.exists():  # an incomplete earlier attempt
                shutil.rmtree(dest)
            os.replace(staged, dest)
        log(f"installed {asset.spec} into {dest}")
        done.append(asset)
    return done


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m btoagents.viz.assets [--check] [--folder DIR]``; returns the exit status."""
    p = argparse.ArgumentParser(
        prog="python -m btoagents.viz.assets",
        description="Install the dashboard's front-end assets from the npm registry into "
        "solara's cdn folder (skips those present).",
    )
    p.add_argument("--check", action="store_true", help="only report missing packages")
    p.add_argument("--folder", type=Path, help="cdn folder (default: solara's)")
    args = p.parse_args(argv)
    try:
        folder = cdn_folder() if args.folder is None else args.folder
        if args.check:
            missing = missing_assets(folder)
            for a in missing:
                print(f"missing: {a.spec}")
            return 1 if missing else 0
        installed = install_assets(folder)
        if not installed:
            print(f"dashboard assets present in {folder}")
    except BtoagentsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
