"""A limit on request bodies: a request larger than ``limit`` bytes is answered 413 and never read
whole, whether it says its length (Content-Length) or streams it (chunked)."""

from __future__ import annotations

import json

MAX_BODY_BYTES = 64 * 1024  # a reform is a few hundred bytes; a scenario with every parameter a few kilobytes


class BodyLimit:
    """ASGI middleware: read a request's body first, at most ``limit`` bytes of it; a longer one is
    refused with HTTP 413 and a JSON detail, before the app sees anything. A body within the limit
    is handed to the app as it came (one message)."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            return await self._refuse(send)
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                return await self._refuse(send)
        delivered = False

        async def replay():
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send):
        detail = {"detail": [{"loc": ["body"], "msg": f"the request body is larger than {self.limit:,} bytes; a "
                              "reform needs a few hundred", "type": "too_large"}]}
        body = json.dumps(detail).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
