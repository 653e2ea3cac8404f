"""The workbench's web layer: a JSON API (and, next, the page) over the same studies the command
line calls, for a local server (``microsim serve``). It sits on top of the reporting floor, beside
the command line, and imports only floors below it (docs/architecture.md, docs/serve.md)."""
