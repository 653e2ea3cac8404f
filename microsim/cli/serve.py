"""The workbench command: ``microsim serve``, a local server of the JSON API (docs/serve.md).

The command imports the web layer inside its body, so that `microsim --help` and an error in the
arguments load none of it (docs/architecture.md).
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from microsim.cli.options import DATA_HELP

SERVE_HELP = """Start the workbench: a local web page and JSON API over the same studies as the command line.

The page (http://127.0.0.1:8050/) has a parameter panel, results that follow a slider, two reforms
side by side, the 2026-2035 path and a household calculator; --open opens it in the browser.
Reads the population once and answers `GET /api/programmes` (every programme and parameter, with
units, values in force, plausible ranges and references) and `POST /api/simulate` (a reform as a
scenario's overrides, in a year: the `summary.json` that `microsim run` writes for it), documented
in docs/serve.md and at /api/openapi.json. It listens on 127.0.0.1 (this computer only) unless
--host says otherwise, needs no network, and stops with Ctrl-C.

\b
DATA: """ + DATA_HELP + """

\b
Examples:
  microsim serve
  microsim serve --port 8060 --data runs/pop20k-cal
  microsim serve --host 0.0.0.0      # a classroom: every computer on the network can reach it
"""


@click.command(help=SERVE_HELP)
@click.option("--data", type=click.Path(path_type=Path), default=None, help="Population (default: the shipped one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on: 127.0.0.1 is this computer only; 0.0.0.0 every network it is on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8050, show_default=True, help="Port to listen on.")
@click.option("--open", "open_browser", is_flag=True, help="Open the page in the default browser once serving.")
def serve(data, host, port, open_browser):
    import threading
    import webbrowser

    import uvicorn  # the web layer stays out of every other command's start-up

    from microsim.errors import MicrosimError
    from microsim.web.api import create_app

    try:
        address = ipaddress.ip_address("127.0.0.1" if host == "localhost" else host)
    except ValueError:
        raise MicrosimError(f"--host {host!r}: expected localhost, an IP address such as 127.0.0.1 "
                            "(this computer only) or 0.0.0.0 (every network).") from None
    app = create_app(data)
    where = ("this computer only" if address.is_loopback else
             f"every computer that can reach this one on port {port}: anyone on the network can run simulations")
    page = f"http://{host if not address.is_unspecified else '127.0.0.1'}:{port}/"
    click.echo(f"Serving the workbench at {page} and its API at {page}api ({where}). Ctrl-C stops it.")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(page,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", limit_concurrency=64)
