"""The city server's HTTP face (PROTOCOL.md §4) on FastAPI; the work is done by :class:`City`."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import zlib
from typing import Annotated

import anyio
from fastapi import FastAPI, Header, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from city import auth
from city.errors import Refused
from city.service import City

log = logging.getLogger("city.http")
BODY_SECONDS = 30.0
# Batches settled at once by one process; more wait their turn here. The batch that holds the paying
# wallets' row locks shares the GIL with the process's other batches, whose signature checks are CPU
# work: with many of them it runs in short slices, and every batch that needs those wallets waits longer.
INGESTS_AT_ONCE = 4

JOSE = "application/jose"
JOSE_BODY = {"requestBody": {"required": True, "content": {JOSE: {"schema": {"type": "string"}}}}}


class EnrollIn(BaseModel):
    code: str
    key: dict
    label: str


class EnrollOut(BaseModel):
    tid: str
    config: str


class HeadOut(BaseModel):
    to: int
    head: str


class ErrorOut(BaseModel):
    error: str
    detail: str


def _errors(*codes: int) -> dict:
    return {code: {"model": ErrorOut} for code in codes}


def _jose(description: str, *errors: int) -> dict:
    return {200: {"description": description, "content": {JOSE: {"schema": {"type": "string"}}}}, **_errors(*errors)}


class ErrorResponse(JSONResponse):
    """A §4 error body in ASCII JSON: what a client sent (even a lone surrogate) can be echoed safely."""

    def render(self, content) -> bytes:
        return json.dumps(content, ensure_ascii=True, separators=(",", ":")).encode("ascii")


def refusal(exc: Refused, **headers: str) -> ErrorResponse:
    """The response for a refusal."""
    return ErrorResponse(exc.body(), status_code=exc.status, headers={**exc.headers, **headers})


class Guard:
    """ASGI middleware around every route: the body read whole under the size limit and a deadline
    (so no endpoint can be fed more than ``limit`` + one chunk), then one log line per request.
    """

    def __init__(self, app, limit: int, body_seconds: float):
        self.app = app
        self.limit = limit
        self.body_seconds = body_seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = time.perf_counter()
        status = None

        async def sending(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self._serve(scope, receive, sending)
        except Exception:
            log.exception("unexpected error in %s %s", scope["method"], scope["path"])
            if status is None:
                await ErrorResponse({"error": "internal", "detail": "internal error (logged)"},
                                    status_code=500)(scope, receive, sending)
        finally:
            tid = scope.get("path_params", {}).get("tid") or scope.get("state", {}).get("tid") or "-"
            log.info("%s %s %s %.1f ms tid=%s", scope["method"], scope["path"], status,
                     (time.perf_counter() - started) * 1000, tid)

    async def _serve(self, scope, receive, send):
        try:
            body = await self._read(scope, receive)
        except Refused as exc:
            # Connection: close, so that the rest of an oversized body is never read.
            await refusal(exc, connection="close")(scope, receive, send)
        else:
            await self.app(scope, _replay(body, receive), send)

    async def _read(self, scope, receive) -> bytes:
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.limit:
            raise Refused("too_large", f"body over {self.limit} bytes")
        body = bytearray()
        try:
            async with asyncio.timeout(self.body_seconds):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise Refused("bad_request", "the client went away before its body was complete")
                    body += message.get("body", b"")
                    if len(body) > self.limit:
                        raise Refused("too_large", f"body over {self.limit} bytes")
                    if not message.get("more_body", False):
                        break
        except TimeoutError:
            raise Refused("request_timeout", f"the body did not arrive within {self.body_seconds:.0f} s") from None
        return bytes(body)


def _replay(body: bytes, receive):
    """A ``receive`` giving the body already read, then the connection's own messages (disconnect)."""
    pending = [{"type": "http.request", "body": body, "more_body": False}]

    async def replay():
        return pending.pop() if pending else await receive()

    return replay


def gunzip(body: bytes, encoding: str, limit: int) -> bytes:
    """The request body, refused past ``limit`` bytes once decompressed (no gzip bombs)."""
    encoding = encoding.lower()
    if encoding not in ("identity", "gzip"):
        raise Refused("unsupported_media", f"content-encoding {encoding} not supported")
    if encoding == "identity":
        return body
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
        if len(out) > limit or inflater.unconsumed_tail:
            raise Refused("too_large", f"body over {limit} bytes once decompressed")
        if not inflater.eof:
            raise Refused("bad_request", "truncated gzip body")
    except zlib.error as exc:
        raise Refused("bad_request", f"bad gzip body: {exc}") from None
    return out


def create_app(city: City) -> FastAPI:
    """The FastAPI application serving ``city``."""
    app = FastAPI(title="Jeonju city server (JJP1 reference)", version="1.0.0",
                  description="Reference implementation of PROTOCOL.md §4.", docs_url=None, redoc_url=None)
    app.add_middleware(Guard, limit=city.settings.max_body_bytes, body_seconds=BODY_SECONDS)
    ingests = anyio.CapacityLimiter(INGESTS_AT_ONCE)

    @app.exception_handler(Refused)
    async def refused(_, exc: Refused):
        return refusal(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(_, exc: RequestValidationError):
        return refusal(Refused("bad_request", str(exc.errors())[:500]))

    @app.exception_handler(HTTPException)
    async def http_error(_, exc: HTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request")
        return ErrorResponse({"error": code, "detail": str(exc.detail)}, status_code=exc.status_code)

    @app.post("/v1/enroll", status_code=201, response_model=EnrollOut,
              responses=_errors(400, 404, 408, 409, 410, 413, 429))
    def enroll(body: EnrollIn, request: Request):
        """Enroll a terminal with a single-use code."""
        answer = city.enroll(body.code, body.key, body.label, request.client.host if request.client else "-")
        request.state.tid = answer["tid"]
        return answer

    @app.get("/v1/terminals/{tid}/config", response_class=Response,
             responses=_jose("The config JWS (typ jjp-config+jwt).", 401, 404, 408, 413))
    def config(tid: str, request: Request, authorization: Annotated[str | None, Header()] = None):
        """The terminal's current signed config (a read signed by the terminal, §4.1)."""
        auth.check_read(city.storage, tid, "GET", request.scope["path"], authorization)
        return Response(city.config(tid), media_type=JOSE)

    @app.get("/v1/terminals/{tid}/head", response_model=HeadOut, responses=_errors(401, 404, 408, 413))
    def head(tid: str, request: Request, authorization: Annotated[str | None, Header()] = None):
        """The last entry the server holds for the terminal (a read signed by the terminal, §4.1)."""
        auth.check_read(city.storage, tid, "GET", request.scope["path"], authorization)
        return city.head(tid)

    @app.post("/v1/terminals/{tid}/batches", response_class=Response, openapi_extra=JOSE_BODY,
              responses=_jose("The receipt JWS (typ jjp-receipt+jwt).", 400, 401, 404, 408, 409, 413, 415, 422))
    async def batches(tid: str, request: Request):
        """Upload a signed batch (optionally gzip); answers with a signed receipt."""
        limit = city.settings.max_body_bytes
        body = gunzip(await request.body(), request.headers.get("content-encoding", "identity"), limit)
        try:
            compact = body.decode("ascii").strip()
        except UnicodeDecodeError:
            raise Refused("bad_signature", "a batch is an ASCII compact JWS") from None
        receipt = await anyio.to_thread.run_sync(city.ingest, tid, compact, limiter=ingests)
        return Response(receipt, media_type=JOSE)

    return app
