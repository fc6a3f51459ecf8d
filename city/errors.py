"""The city's one exception family: :class:`Refused` carries a §4 reason code and its HTTP status."""

from __future__ import annotations

from terminal.catalog import both, tr

STATUS = {
    "bad_request": 400,
    "bad_signature": 401,
    "unauthorized": 401,
    "unknown_code": 404,
    "unknown_terminal": 404,
    "unknown_merchant": 404,
    "unknown_wallet": 404,
    "not_found": 404,
    "method_not_allowed": 405,
    "request_timeout": 408,
    "code_used": 409,
    "gap": 409,
    "fork": 409,
    "code_expired": 410,
    "too_large": 413,
    "unsupported_media": 415,
    "bad_batch": 422,
    "too_many_attempts": 429,
    "internal": 500,
    "busy": 503,
}


class Refused(Exception):
    """Base of every error the city answers with: ``{"error": code, "detail": detail, **extra}``.

    ``headers`` go out with the answer (``Retry-After`` of a 429). The app maps this class once.
    """

    def __init__(self, code: str, detail: str, *, headers: dict[str, str] | None = None, **extra):
        super().__init__(detail)
        self.code = code
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra
        self._said: tuple[str, dict] | None = None

    @classmethod
    def said(cls, code: str, msgid: str, *, headers: dict[str, str] | None = None, **params) -> Refused:
        """A refusal whose detail is a catalog text: ``한국어 / English`` on the wire, where the reader's
        language is not known; :meth:`message` gives the one chosen language to a face that knows it."""
        exc = cls(code, both(msgid, **params), headers=headers)
        exc._said = (msgid, params)
        return exc

    def message(self) -> str:
        """The detail in the chosen language (a catalog text), or as written (a protocol diagnostic)."""
        if self._said is None:
            return self.detail
        msgid, params = self._said
        return tr(msgid, **params)

    @property
    def status(self) -> int:
        return STATUS.get(self.code, 400)

    def body(self) -> dict:
        return {"error": self.code, "detail": self.detail, **self.extra}


class Unauthorized(Refused):
    """A terminal read without a valid request signature (PROTOCOL.md §4.1); ``reason`` says which check failed."""

    def __init__(self, reason: str, detail: str):
        super().__init__("unauthorized", detail, reason=reason)
        self.reason = reason
