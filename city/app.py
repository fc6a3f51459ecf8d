"""The city server's HTTP face (PROTOCOL.md §4) on FastAPI; the work is done by :class:`City`."""

from __future__ import annotations

import zlib

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from city.errors import Refused
from city.service import City

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


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused past ``limit`` bytes before or after gunzip (no gzip bombs)."""
    encoding = request.headers.get("content-encoding", "identity").lower()
    if encoding not in ("identity", "gzip"):
        raise Refused("unsupported_media", f"content-encoding {encoding} not supported")
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise Refused("too_large", f"body over {limit} bytes")
    if encoding == "identity":
        return bytes(raw)
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(bytes(raw), limit + 1)
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
                  description="Reference implementation of PROTOCOL.md §4.")

    @app.exception_handler(Refused)
    async def refused(_, exc: Refused):
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(_, exc: RequestValidationError):
        return JSONResponse({"error": "bad_request", "detail": str(exc.errors())[:500]}, status_code=400)

    @app.exception_handler(HTTPException)
    async def http_error(_, exc: HTTPException):
        code = "not_found" if exc.status_code == 404 else "bad_request"
        return JSONResponse({"error": code, "detail": str(exc.detail)}, status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def crashed(_, exc: Exception):
        return JSONResponse({"error": "internal", "detail": type(exc).__name__}, status_code=500)

    @app.post("/v1/enroll", status_code=201, response_model=EnrollOut, responses=_errors(400, 404, 409))
    def enroll(body: EnrollIn):
        """Enroll a terminal with a single-use code."""
        return city.enroll(body.code, body.key, body.label)

    @app.get("/v1/terminals/{tid}/config", response_class=Response,
             responses=_jose("The config JWS (typ jjp-config+jwt).", 404))
    def config(tid: str):
        """The terminal's current signed config."""
        return Response(city.config(tid), media_type=JOSE)

    @app.get("/v1/terminals/{tid}/head", response_model=HeadOut, responses=_errors(404))
    def head(tid: str):
        """The last entry the server holds for the terminal."""
        return city.head(tid)

    @app.post("/v1/terminals/{tid}/batches", response_class=Response, openapi_extra=JOSE_BODY,
              responses=_jose("The receipt JWS (typ jjp-receipt+jwt).", 400, 401, 404, 409, 413, 415, 422))
    async def batches(tid: str, request: Request):
        """Upload a signed batch (optionally gzip); answers with a signed receipt."""
        body = await read_body(request, city.settings.max_body_bytes)
        try:
            compact = body.decode("ascii").strip()
        except UnicodeDecodeError:
            raise Refused("bad_signature", "a batch is an ASCII compact JWS") from None
        receipt = await run_in_threadpool(city.ingest, tid, compact)
        return Response(receipt, media_type=JOSE)

    return app
