"""The sync package's one exception family: every failure carries a short reason ``code``.

Faces catch :class:`SyncError` once; ``str(exc)`` is the explanation in the till's language.
"""

from __future__ import annotations

from typing import Any

from terminal.messages import TEXTS, text


class SyncError(RuntimeError):
    """Base of sync failures; ``code`` is a short machine-readable reason."""

    code = "sync_error"

    def __init__(self, message: str = "", *, code: str | None = None):
        if code is not None:
            self.code = code
        super().__init__(message or text(self.code))


class Offline(SyncError):
    """The server could not be reached (or kept failing) before the deadline."""

    code = "offline"

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class ApiError(SyncError):
    """The server answered with a §4 error ``{"error", "detail"}``; ``code`` is the server's.

    The message is the catalog's text for a code the till knows; the server's own ``server_detail`` (in
    whatever language the server speaks) is kept for logs and support, not shown in place of it.
    """

    def __init__(self, status: int, code: str, detail: str, body: dict[str, Any] | None = None):
        known = code in TEXTS
        super().__init__(f"{text(code)} ({status} {code})" if known else f"{status} {code}: {detail}", code=code)
        self.status = status
        self.server_detail = detail
        self.body = body or {}


class BadAnswer(SyncError):
    """The server answered 2xx with a body that is not what PROTOCOL.md §4 says it is."""

    code = "bad_answer"


class ForkDetected(SyncError):
    """The city's record of this till's chain differs from our journal."""

    code = "fork"


class ReceiptError(SyncError, ValueError):
    """A receipt that is not signed by the trusted key or does not describe our journal."""

    code = "bad_receipt"


class RecoveryError(SyncError):
    """The till cannot be recovered as asked; nothing was changed."""

    code = "recovery_failed"


class AlreadyEnrolled(SyncError):
    """This till already holds a config (a terminal id)."""

    code = "already_enrolled"
