"""The §4 error codes the server answers with, and their HTTP statuses."""

from __future__ import annotations

STATUS = {
    "bad_request": 400,
    "bad_signature": 401,
    "unknown_code": 404,
    "unknown_terminal": 404,
    "unknown_merchant": 404,
    "unknown_wallet": 404,
    "not_found": 404,
    "code_used": 409,
    "gap": 409,
    "fork": 409,
    "too_large": 413,
    "unsupported_media": 415,
    "bad_batch": 422,
    "internal": 500,
}


class Refused(Exception):
    """A request the server refuses: ``{"error": code, "detail": detail, **extra}``."""

    def __init__(self, code: str, detail: str, **extra):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.extra = extra

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    def body(self) -> dict:
        return {"error": self.code, "detail": self.detail, **self.extra}
