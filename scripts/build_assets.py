"""Copy the front-end packages installed by npm into keel/static/vendor.

Run by the Makefile after ``npm ci``. Keel serves these files itself
(WhiteNoise in production), so no page loads anything from a CDN. The target
folder is git-ignored: nothing third-party is committed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "keel" / "static" / "vendor"

# (source inside node_modules, destination inside keel/static/vendor)
COPIES: tuple[tuple[str, str], ...] = (
    ("@uswds/uswds/dist/css/uswds.min.css", "uswds/css/uswds.min.css"),
    ("@uswds/uswds/dist/js/uswds.min.js", "uswds/js/uswds.min.js"),
    ("@uswds/uswds/dist/js/uswds-init.min.js", "uswds/js/uswds-init.min.js"),
    ("@uswds/uswds/dist/fonts", "uswds/fonts"),
    ("@uswds/uswds/dist/img", "uswds/img"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
)

# (source inside an installed Python package, destination inside keel/static/vendor):
# Plotly's JS comes from the plotly wheel pinned in requirements/dev.lock, not from npm.
PACKAGE_COPIES: tuple[tuple[str, str, str], ...] = (
    ("plotly", "package_data/plotly.min.js", "plotly/plotly.min.js"),
)


def _package_file(package: str, relative: str) -> Path | None:
    """The path of a file shipped inside an installed Python package (None when absent)."""
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).resolve().parent / relative
    return path if path.exists() else None


def main() -> int:
    """Copy every listed asset; fail loudly when npm has not installed one."""
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for source, destination in COPIES:
        src = NODE_MODULES / source
        dst = VENDOR / destination
        if not src.exists():
            sys.stderr.write(f"missing {src}: run `npm ci` (the Makefile does)\n")
            return 1
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    for package, relative, destination in PACKAGE_COPIES:
        found = _package_file(package, relative)
        if found is None:
            sys.stderr.write(f"missing {relative} in the {package} package: run `make setup`\n")
            return 1
        dst = VENDOR / destination
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(found, dst)
    return 0


if __name__ == "__main__":
    sys.exit(main())
