"""A request body larger than OMBUD_MAX_UPLOAD_MB is refused with 413 before it is read, whatever the route:
by its Content-Length when it says one, else when the bytes received pass the limit. Nothing of it is kept."""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ombud.errors import UploadError

# Room for the multipart framing and the other fields of an upload form.
MARGIN = 64 * 1024


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        jobs = scope["app"].state.imports
        limit = jobs.max_bytes + MARGIN
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, jobs.too_large())
            return
        received = 0
        exceeded = False
        refused = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def watching_send(message: Message) -> None:
            # Whatever the app answers to a body it could not finish reading (FastAPI makes it a 400) is
            # replaced by the 413 that says why.
            nonlocal refused
            if not exceeded:
                await send(message)
            elif not refused:
                refused = True
                await self._refuse(scope, receive, send, jobs.too_large())

        try:
            await self.app(scope, counting_receive, watching_send)
        except BodyTooLarge:
            if not refused:
                await self._refuse(scope, receive, send, jobs.too_large())

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, error: UploadError) -> None:
        from ombud.web.errors import handle_ombud_error

        response = await handle_ombud_error(Request(scope, receive), error)
        await response(scope, receive, send)
