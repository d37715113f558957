#!/usr/bin/env python3
"""Vendor the front-end libraries into static/vendor/ from the npm registry.

Pinned versions; each tarball is checked against the registry's sha512 integrity before use and its
licence file is copied beside the assets. Run: python scripts/vendor_static.py
"""

import base64
import hashlib
import io
import json
import shutil
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
DEST = Path(__file__).resolve().parent.parent / "static" / "vendor"

# package, version, {path inside the package: path under static/vendor/<name>/}. Source maps come
# along because the minified files name them and the static files manifest checks every reference.
PACKAGES = [
    (
        "bootstrap",
        "5.3.9",
        {
            "dist/css/bootstrap.min.css": "css/bootstrap.min.css",
            "dist/css/bootstrap.min.css.map": "css/bootstrap.min.css.map",
            "dist/js/bootstrap.bundle.min.js": "js/bootstrap.bundle.min.js",
            "dist/js/bootstrap.bundle.min.js.map": "js/bootstrap.bundle.min.js.map",
            "LICENSE": "LICENSE",
        },
    ),
    (
        "bootstrap-icons",
        "1.13.2",
        {
            "font/bootstrap-icons.min.css": "font/bootstrap-icons.min.css",
            "font/fonts/bootstrap-icons.woff2": "font/fonts/bootstrap-icons.woff2",
            "font/fonts/bootstrap-icons.woff": "font/fonts/bootstrap-icons.woff",
            "LICENSE": "LICENSE",
        },
    ),
    ("htmx.org", "2.0.11", {"dist/htmx.min.js": "htmx.min.js", "LICENSE": "LICENSE"}),
    (
        "chart.js",
        "4.6.1",
        {
            "dist/chart.umd.min.js": "chart.umd.min.js",
            "dist/chart.umd.min.js.map": "chart.umd.min.js.map",
            "LICENSE.md": "LICENSE.md",
        },
    ),
]


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (fixed https registry URL)
        return response.read()


def main() -> None:
    manifest = {}
    for name, version, files in PACKAGES:
        meta = json.loads(fetch(f"{REGISTRY}/{name}/{version}"))
        tarball = fetch(meta["dist"]["tarball"])
        algo, _, expected = meta["dist"]["integrity"].partition("-")
        actual = base64.b64encode(hashlib.new(algo, tarball).digest()).decode()
        if actual != expected:
            raise SystemExit(f"{name}@{version}: integrity mismatch")
        target = DEST / name.replace(".", "-")
        shutil.rmtree(target, ignore_errors=True)
        with tarfile.open(fileobj=io.BytesIO(tarball)) as tar:
            for source, dest in files.items():
                member = tar.getmember(f"package/{source}")
                out = target / dest
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(tar.extractfile(member).read())
        manifest[name] = {
            "version": version,
            "license": meta.get("license"),
            "integrity": meta["dist"]["integrity"],
        }
        print(f"{name}@{version} → {target.relative_to(DEST.parent.parent)}")
    (DEST / "VERSIONS.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
