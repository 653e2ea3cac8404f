"""The screenshots of the workbench in the docs (docs/images/workbench*.png), remade from the page.

Starts `microsim serve` on a free loopback port, opens the page in Debian's headless Chromium
(Playwright) with two reforms side by side, waits for the results and saves the picture. Usage:

    python tools/workbench_screenshot.py            # docs/images/workbench.png
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

HOME = Path(__file__).resolve().parent.parent
PAGE = ("#year=2026&compare=1&a.name=Social%20pension%2065%2B&a.social_pension.active=true"
        "&a.social_pension.amount=133000&b.name=Child%20benefit%202-5&b.child_benefit.active=true"
        "&b.child_benefit.amount=40000")


def main() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "microsim", "serve", "--port", str(port)], cwd=HOME)
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/programmes", timeout=5).read()
                break
            except OSError:
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"])
            page = browser.new_page(viewport={"width": 1600, "height": 1000}, device_scale_factor=1)
            page.goto(f"http://127.0.0.1:{port}/{PAGE}")
            page.wait_for_function("Number(document.body.dataset.ready || 0) > 0", timeout=60_000)
            out = HOME / "docs" / "images" / "workbench.png"
            page.screenshot(path=str(out))
            print(f"wrote {out.relative_to(HOME)}")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
