"""The web server: one FastAPI app holding the HTTP API (/api), the document viewer (/documents) and the Gradio
chat (/), behind an optional login (HTTP Basic, users from ``PA_LOGIN_USERS``) that covers all three.

Why HTTP Basic rather than Gradio's own login page: Gradio's login protects only the Gradio routes, and the API
and the document files would need a second mechanism; one check in front of everything cannot be forgotten
on a new route, and API clients send the same credentials (``curl -u name:password``).
"""

from __future__ import annotations

import hmac
import socket
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from programme_assistant.config import is_loopback
from programme_assistant.errors import ConfigError
from programme_assistant.ui.identity import basic_credentials

if TYPE_CHECKING:
    from programme_assistant.appdata.state import AppData
    from programme_assistant.assistant import Assistant

REALM = "programme-assistant"


class BasicAuthMiddleware:
    """Every HTTP and WebSocket request needs a valid ``Authorization: Basic`` header."""

    def __init__(self, app: ASGIApp, users: dict[str, str]) -> None:
        self.app = app
        self.users = {name: password.encode() for name, password in users.items()}

    def authorised(self, header: bytes | None) -> bool:
        credentials = basic_credentials(header.decode("latin-1") if header else None)
        if credentials is None:
            return False
        name, password = credentials
        expected = self.users.get(name)
        # compare against something even for an unknown name, so timing does not tell which names exist
        ok = hmac.compare_digest(password.encode(), expected if expected is not None else b"\x00" * 16)
        return ok and expected is not None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        header = dict(scope.get("headers") or []).get(b"authorization")
        if self.authorised(header):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = PlainTextResponse(
            "Login required.", status_code=401, headers={"WWW-Authenticate": f'Basic realm="{REALM}", charset="UTF-8"'}
        )
        await response(scope, receive, send)


class BodyLimitMiddleware:
    """Requests under ``prefix`` with a body over ``limit`` bytes get 413 with a JSON message, whether the size
    is announced (Content-Length) or only found while reading (chunked)."""

    def __init__(self, app: ASGIApp, limit: int, prefix: str = "/api/") -> None:
        self.app = app
        self.limit = limit
        self.prefix = prefix

    def _too_large(self) -> JSONResponse:
        return JSONResponse({"error": f"the request body is larger than {self.limit // 1024} KB",
                             "fix": "send a shorter question or history (PA_MAX_REQUEST_KB)"}, status_code=413)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await self._too_large()(scope, receive, send)
            return
        seen = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await self._too_large()(scope, receive, send)


class _BodyTooLarge(Exception):
    pass


def _printable(value: Any) -> Any:
    """``value`` with every string made encodable (a lone surrogate shown as its escape, ``\\ud800``)."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_printable(v) for v in value]
    return value


async def validation_error(request: Any, exc: Exception) -> JSONResponse:
    """422 with FastAPI's usual body, written out even when the bad input cannot be (a lone surrogate)."""
    from fastapi.encoders import jsonable_encoder

    errors = exc.errors() if isinstance(exc, RequestValidationError) else [{"msg": str(exc)}]
    return JSONResponse({"detail": _printable(jsonable_encoder(errors))}, status_code=422)


def create_app(assistant: Assistant, data: AppData | None = None) -> FastAPI:
    """The whole app: API, document viewer and chat UI, with the login when one is configured. ``data`` keeps
    feedback and conversations (without it the app keeps neither)."""
    import gradio as gr

    from programme_assistant.ui import build_ui
    from programme_assistant.ui.api import api_router
    from programme_assistant.ui.render import SOURCES_CSS
    from programme_assistant.ui.style import APP_CSS, theme
    from programme_assistant.ui.timeline import TIMELINE_CSS
    from programme_assistant.ui.viewer import document_router

    settings = assistant.settings
    settings.check_exposure()  # no document editing for other machines without a password or login
    from fastapi_offline import FastAPIOffline

    # the API docs page with Swagger UI's files served from here, not from a CDN: it works offline
    app = FastAPIOffline(
        title="programme-assistant",
        summary="Answers about a programme's documents, with sources.",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        static_url="/api/docs-static",
    )
    app.add_middleware(BodyLimitMiddleware, limit=settings.max_request_kb * 1024)
    app.add_exception_handler(RequestValidationError, validation_error)
    users = settings.login_credentials()
    if users:
        app.add_middleware(BasicAuthMiddleware, users=users)
    app.include_router(api_router(assistant, data))
    app.include_router(document_router(assistant))
    blocks = build_ui(assistant, data)
    blocks.queue(default_concurrency_limit=settings.concurrency_limit)
    mounted = gr.mount_gradio_app(
        app,
        blocks,
        path="/",
        footer_links=[],
        run_history=False,
        theme=theme(),
        css=APP_CSS + SOURCES_CSS + TIMELINE_CSS,
        max_file_size=settings.max_file_bytes,
        allowed_paths=[],
        ssr_mode=False,
        mcp_server=False,
        server_name=settings.host,
        server_port=settings.port,
    )
    # Gradio checks that a file handed to an event came through its upload route only once the Blocks "has
    # launched", which mount_gradio_app never marks: without this, any server path sent as a FileData was copied
    # into Gradio's cache and on into the corpus (gradio 6.31, processing_utils._check_allowed).
    blocks.has_launched = True
    return mounted


def bind(host: str, port: int) -> socket.socket:
    """Listen on host:port now, so a busy port is reported before anything says the app is ready."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror or exc})",
            "stop the program using that port, or set PA_PORT (and PA_HOST) to another",
        ) from exc
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def url_for(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    return f"http://[{shown}]:{port}" if ":" in shown else f"http://{shown}:{port}"


def serve(app: FastAPI, host: str, port: int, *, login: bool, log_level: str = "warning") -> None:
    """Run the app until interrupted, printing its address once it listens."""
    import uvicorn

    sock = bind(host, port)
    url = url_for(host, port)
    print(f"programme-assistant is ready: {url}", flush=True)
    print(f"  HTTP API: POST {url}/api/ask, GET {url}/api/health (docs: {url}/api/docs)", flush=True)
    if not is_loopback(host) and not login:
        print(f"  warning: listening on {host} without a login; set PA_LOGIN_USERS to require one", flush=True)
    server = uvicorn.Server(uvicorn.Config(app, log_level=log_level, timeout_graceful_shutdown=5))
    server.run(sockets=[sock])
