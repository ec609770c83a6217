"""Front-end assets for the web page, installed once so the page works offline.

Solara serves some of its browser code (requirejs, its Vuetify app bundle,
Font Awesome, the draggable grid Mesa uses) through a proxy at
`/_solara/cdn/`: on a miss the server fetches the file from a public CDN
(jsdelivr) and keeps it in its proxy cache. Offline, or where that CDN is
blocked, the page then breaks. This module fills the proxy cache ahead of
time from the npm registry (the same files the CDN serves: the contents of
the npm packages), checking each tarball against its pinned sha512, so that
at run time nothing is fetched from outside the machine.

    python -m model.app.assets           # install what is missing (make does this)
    python -m model.app.assets --check   # exit 1 if something is missing

The list is what Solara (1.64, with ipyvuetify 1.x, i.e. Vuetify 2) and Mesa
3.5's SolaraViz ask for; the browser test (tests/test_app_browser.py) fails
on any failed request, so a new requirement after an upgrade shows there.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

NPM_REGISTRY = "https://registry.npmjs.org"


@dataclass(frozen=True)
class NpmPackage:
    """One npm package version, as Solara's proxy cache stores it.

    Attributes:
        name: the npm name ("requirejs", "@widgetti/solara-vuetify-app").
        version: the exact version (npm never republishes a version).
        integrity: the registry's `dist.integrity` ("sha512-<base64>").
    """

    name: str
    version: str
    integrity: str

    @property
    def folder(self) -> str:
        """Its folder in the cache (what follows `/_solara/cdn/` in a URL)."""
        return f"{self.name}@{self.version}"

    def tarball_url(self, registry: str = NPM_REGISTRY) -> str:
        """Where the registry keeps its tarball."""
        basename = self.name.rsplit("/", 1)[-1]
        return f"{registry.rstrip('/')}/{self.name}/-/{basename}-{self.version}.tgz"


# Integrity values from the npm registry (`npm view NAME@VERSION dist.integrity`).
ASSETS: tuple[NpmPackage, ...] = (
    NpmPackage(
        "requirejs",
        "2.3.6",
        "sha512-ipEzlWQe6RK3jkzikgCupiTbTvm4S0/CAU5GlgptkN5SO6F3u0UD0K18wy6ErDqiCyP4J4YYe1HuAShvsxePLg==",
    ),
    NpmPackage(
        "font-awesome",
        "4.5.0",
        "sha512-XGGY8CN/NT8e5fKOC/K7CESNQ3+2oYOfZqwZcKgEMtcmTiHtFIH+XZWRoU0HtcdwhtSkpWXLfTIUlTdJ4PhX8A==",
    ),
    NpmPackage(
        "@widgetti/solara-vuetify-app",
        "10.1.1",
        "sha512-Cdu6G7KIBeohT2jyeQUEDr61dhEozY23St+iDwfA3+ZyPZyoIza/nS4W2g8+dbs0Xhb+WQnXlaRI92TLgeY/Jw==",
    ),
    NpmPackage(
        "@widgetti/vue-grid-layout",
        "2.3.13-alpha.2",
        "sha512-zCPKe2r09eLUDl1NcdL66oPELDsbC07Z2xejPiQpPbE8hLITcr0DHvPEdL5UITQQilordKJwcxJXDE/QWo/KUA==",
    ),
)


def cache_dir() -> Path:
    """Solara's proxy cache folder (`SOLARA_ASSETS_PROXY_CACHE_DIR`, else under the venv)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)


def missing(cache: Path | None = None, assets: Sequence[NpmPackage] = ASSETS) -> list[NpmPackage]:
    """The assets not yet in the cache."""
    cache = cache_dir() if cache is None else cache
    return [a for a in assets if not (cache / a.folder).is_dir()]


def check_integrity(data: bytes, integrity: str) -> None:
    """Raise ValueError unless `data` matches an npm `sha512-...` integrity string."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise ValueError(f"unsupported integrity algorithm {algorithm!r}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise ValueError(f"integrity mismatch: expected sha512-{expected}, got sha512-{actual}")


def unpack(data: bytes, target: Path) -> None:
    """Unpack an npm tarball into `target`, atomically.

    npm tarballs hold one top folder (usually `package/`); its contents
    become `target`'s. The files are unpacked next to `target` and renamed
    into place, so `target` exists only once it is complete.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=target.parent))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            tar.extractall(staging, filter="data")  # refuses absolute paths and links out
        tops = [p for p in staging.iterdir()]
        root = tops[0] if len(tops) == 1 and tops[0].is_dir() else staging
        # Directories from npm tarballs can lack the execute bit; make them readable.
        for folder in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
            folder.chmod(0o755)
        os.replace(root, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def fetch(package: NpmPackage, registry: str = NPM_REGISTRY, timeout: float = 60.0) -> bytes:
    """Download a package's tarball and check its integrity."""
    with urllib.request.urlopen(package.tarball_url(registry), timeout=timeout) as response:
        data = response.read()
    check_integrity(data, package.integrity)
    return data


def install(
    cache: Path | None = None,
    *,
    registry: str = NPM_REGISTRY,
    assets: Sequence[NpmPackage] = ASSETS,
    log: bool = True,
) -> list[Path]:
    """Put every missing asset into the cache.

    Args:
        cache: the proxy cache folder (default Solara's).
        registry: the npm registry URL.
        assets: the packages to install.
        log: print one line per package installed.

    Returns:
        The folders created (empty if everything was there).
    """
    cache = cache_dir() if cache is None else cache
    created = []
    for package in missing(cache, assets):
        if log:
            print(f"installing {package.folder} from {registry} into {cache}")
        unpack(fetch(package, registry), cache / package.folder)
        created.append(cache / package.folder)
    return created


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m model.app.assets [--check] [--cache DIR]`."""
    parser = argparse.ArgumentParser(prog="python -m model.app.assets", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if missing")
    parser.add_argument("--cache", type=Path, help="proxy cache folder (default: Solara's)")
    parser.add_argument("--registry", default=NPM_REGISTRY, help="npm registry URL")
    args = parser.parse_args(argv)
    cache = args.cache or cache_dir()
    if args.check:
        absent = missing(cache)
        for package in absent:
            print(f"missing: {package.folder} (in {cache})")
        return 1 if absent else 0
    try:
        install(cache, registry=args.registry)
    except (OSError, ValueError) as err:
        print(f"error: could not install the web page's assets: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
