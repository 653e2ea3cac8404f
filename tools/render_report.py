"""Render a run folder's report.html in headless Chromium and save a screenshot (PNG).

    python tools/render_report.py runs/social_pension_65 [--out report.png] [--height 4000]

Checks that the self-contained report opens and renders in a real browser: Chromium prints the
page to a PNG, and the script fails if the browser cannot be found, exits with an error or makes
an empty image. Chromium is a system package (Debian: ``apt-get install chromium``), not a
Python dependency; tests/test_run_folder.py uses this script when Chromium is installed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")


def browser() -> str | None:
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


def render(report: Path, out: Path, width: int = 1200, height: int = 4000) -> Path:
    exe = browser()
    if exe is None:
        raise RuntimeError("No Chromium found (install the `chromium` system package).")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={profile}", f"--window-size={width},{height}",
                        f"--screenshot={out.resolve()}", report.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    if not out.exists() or out.stat().st_size < 10_000:
        raise RuntimeError(f"Chromium made no usable screenshot of {report}.")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_folder", type=Path)
    parser.add_argument("--out", type=Path, default=None, help="PNG to write (default: RUN_FOLDER/report-screenshot.png)")
    parser.add_argument("--height", type=int, default=4000)
    args = parser.parse_args()
    out = args.out or args.run_folder / "report-screenshot.png"
    render(args.run_folder / "report.html", out, height=args.height)
    print(f"Rendered {args.run_folder / 'report.html'} to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
