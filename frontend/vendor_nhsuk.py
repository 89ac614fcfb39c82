#!/usr/bin/env python3
"""Vendor the pre-built NHS.UK frontend into ``frontend/static/nhsuk/``.

Usage::

    npm pack nhsuk-frontend@10 && tar xzf nhsuk-frontend-*.tgz   # -> ./package
    python frontend/vendor_nhsuk.py /path/to/package

Why: the project serves the NHS.UK frontend straight from Django static files
(WhiteNoise) with no Node build step, so we copy the package's pre-built,
minified CSS/JS plus the few images the CSS needs, and adjust the CSS:

* Every ``@font-face`` rule is removed and "Frutiger W01" is dropped from the
  font stack. The Frutiger typeface (loaded from assets.nhs.uk) is licensed
  for NHS organisations only, so this service must not use it; the stack
  falls back to Arial / sans-serif.
* ``url(/assets/...)`` references are rewritten to ``url(assets/...)``, i.e.
  relative to the CSS file, so they resolve under Django's
  ``/static/nhsuk/`` (and survive ManifestStaticFilesStorage hashing).
* ``sourceMappingURL`` comments are removed because the ``.map`` files are
  not vendored (ManifestStaticFilesStorage would fail on the missing maps).
* Only images the CSS actually references are copied. The favicons, app
  icons, manifest and Open Graph image are the NHS logo, which is also
  restricted to NHS organisations, so they are deliberately not copied.

The script is idempotent: it rewrites the output files and rebuilds the
``assets/`` folder from scratch on each run, then verifies the result.
Standard library only.
"""

# Vendored version: nhsuk-frontend 10.6.1 (npm), see static/nhsuk/VERSION.

import json
import re
import shutil
import sys
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent / "static" / "nhsuk"

FONT_FACE_RE = re.compile(r"@font-face\s*\{[^}]*\}")
FRUTIGER_IN_STACK_RE = re.compile(r"""(["']?)Frutiger W01\1\s*,\s*""")
ABS_ASSET_URL_RE = re.compile(r"""url\(\s*(["']?)/assets/""")
SOURCEMAP_RE = re.compile(r"\s*/\*# sourceMappingURL=[^*]*\*/\s*$|\s*//# sourceMappingURL=\S*\s*$")
URL_RE = re.compile(r"""url\(\s*(["']?)([^"')]+)\1\s*\)""")


def fail(msg):
    sys.exit(f"vendor_nhsuk: {msg}")


def transform_css(css):
    css = FONT_FACE_RE.sub("", css)
    css = FRUTIGER_IN_STACK_RE.sub("", css)
    css = ABS_ASSET_URL_RE.sub(r"url(\1assets/", css)
    css = SOURCEMAP_RE.sub("\n", css)
    return css


def verify_css(css):
    problems = []
    if "@font-face" in css:
        problems.append("@font-face rule remains")
    if "Frutiger" in css:
        problems.append("Frutiger reference remains")
    urls = [m.group(2) for m in URL_RE.finditer(css)]
    for url in urls:
        if url.startswith("data:"):
            continue
        if url.startswith(("/", "http:", "https:", "//")):
            problems.append(f"absolute url remains: {url}")
    if problems:
        fail("; ".join(problems))
    return sorted({u for u in urls if not u.startswith("data:")})


def main(argv):
    if len(argv) != 2:
        fail("usage: python frontend/vendor_nhsuk.py /path/to/unpacked/nhsuk-frontend")
    pkg = Path(argv[1]).resolve()
    dist = pkg / "dist" / "nhsuk"
    version = json.loads((pkg / "package.json").read_text(encoding="utf-8"))["version"]
    if not version.startswith("10."):
        print(f"vendor_nhsuk: warning: expected nhsuk-frontend 10.x, got {version}")

    src_css = dist / "nhsuk-frontend.min.css"
    src_js = dist / "nhsuk-frontend.min.js"
    for p in (src_css, src_js):
        if not p.is_file():
            fail(f"missing {p}")

    OUT_DIR.mkdir(parents=True, exist_ok=True)

    css = transform_css(src_css.read_text(encoding="utf-8"))
    referenced = verify_css(css)

    js = SOURCEMAP_RE.sub("\n", src_js.read_text(encoding="utf-8"))

    # Rebuild assets/ with only the files the CSS references.
    out_assets = OUT_DIR / "assets"
    if out_assets.exists():
        shutil.rmtree(out_assets)
    for rel in referenced:
        if not rel.startswith("assets/"):
            fail(f"unexpected url target: {rel}")
        src = dist / rel
        if not src.is_file():
            fail(f"url target not in package: {rel}")
        dest = OUT_DIR / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)

    (OUT_DIR / "nhsuk-frontend.min.css").write_text(css, encoding="utf-8")
    (OUT_DIR / "nhsuk-frontend.min.js").write_text(js, encoding="utf-8")
    (OUT_DIR / "VERSION").write_text(version + "\n", encoding="utf-8")

    # Final check: every url() target exists next to the written CSS.
    for rel in referenced:
        if not (OUT_DIR / rel).is_file():
            fail(f"missing copied asset: {rel}")

    print(f"vendored nhsuk-frontend {version} into {OUT_DIR}")
    for p in sorted(OUT_DIR.rglob("*")):
        if p.is_file():
            print(f"  {p.relative_to(OUT_DIR)}  {p.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv)
