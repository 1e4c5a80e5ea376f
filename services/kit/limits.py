"""Requests larger than the service ever needs are refused before anything parses them.

The largest legitimate body is a document of `MAX_DOCUMENT_BYTES` sent base64 in JSON (4/3 of its
size) or as a console upload; `MAX_BODY_BYTES` leaves room for that and nothing more. A declared
`Content-Length` above it is answered 413 at once; a body streamed without one is counted as it
arrives and cut off at the limit.
"""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 15 * 1024 * 1024
TOO_LARGE = (
    f'{{"detail": "the request body is larger than {MAX_BODY_BYTES // (1024 * 1024)} MiB and was not read '
    f'(yêu cầu vượt quá {MAX_BODY_BYTES // (1024 * 1024)} MiB, không được xử lý)"}}'
).encode()


class _Overflow(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await refuse(send)
            return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    if not started and not refused:  # answered here: whatever the app says next is dropped
                        refused = True
                        await refuse(send)
                    raise _Overflow
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _Overflow:
            pass


async def refuse(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(TOO_LARGE)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": TOO_LARGE})
