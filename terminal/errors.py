"""The core's one exception family: every error it raises on purpose carries a reason ``code``.

Faces catch :class:`TerminalError` once and show ``str(exc)`` (in the till's language) and
``code``; a Python class name never reaches a user. The second base of some classes keeps
``except ValueError`` / ``except RuntimeError`` at older call sites working.
"""

from __future__ import annotations

from terminal.messages import text


class TerminalError(Exception):
    """Base of the core's errors; ``code`` is a reason code (a key of :mod:`terminal.messages`)."""

    code = "terminal_error"

    def __init__(self, message: str = "", *, code: str | None = None):
        if code is not None:
            self.code = code
        super().__init__(message or text(self.code))


class Declined(TerminalError):
    """A payment check failed: ``code`` (also ``reason``) is the protocol reason code.

    ``figures`` are amounts that explain it (the token's ``limit``, what is ``left`` of a cap).
    """

    # ``detail`` is for support logs (the journal's declines table, the till's log), not shown as the message:
    # a person reads the reason's catalog text, its advice and ``figures``; so it may stay English.

    def __init__(self, reason: str, detail: str = "", **figures: int):
        super().__init__(f"{reason}: {detail}" if detail else reason, code=reason)
        self.detail = detail
        self.figures = figures

    @property
    def reason(self) -> str:
        return self.code


class TillError(TerminalError):
    """A request the till refuses; ``code`` keys :mod:`terminal.messages`.

    ``detail`` is shown after the code's text, so it is a catalog text in the chosen language or a
    value that reads the same in either (an id, a date, an amount in won).
    """

    def __init__(self, code: str, detail: str = ""):
        super().__init__(text(code) + (f" ({detail})" if detail else ""), code=code)
        self.detail = detail


# The messages of CanonicalError and the JWS errors are parse diagnostics for support logs, in English: a person
# reads them only in the parentheses of a catalog text (``설정 서명이 올바르지 않습니다 ({error})``) or not at all.
class CanonicalError(TerminalError, ValueError):
    """Data that is not allowed in protocol JSON or base64url."""

    code = "malformed"


class JWSError(TerminalError, ValueError):
    """Base of JWS failures; ``code`` is the protocol reason code."""

    code = "malformed"


class MalformedJWS(JWSError):
    """Not a well-formed compact JWS with an acceptable header."""

    code = "malformed"


class UnknownKey(JWSError):
    """The header names a key id the verifier does not hold."""

    code = "unknown_key"


class BadSignature(JWSError):
    """The signature does not verify."""

    code = "bad_signature"


class BadKey(TerminalError, ValueError):
    """A JWK that is not a usable Ed25519 key."""

    code = "bad_key"


class ConfigError(TerminalError, ValueError):
    """A config that cannot be imported; the terminal keeps the one it had."""

    code = "bad_config"


class JournalError(TerminalError, RuntimeError):
    """The journal cannot do what was asked (bad entry, locked file, full disk…)."""

    code = "journal_error"


class NewerJournal(TerminalError, RuntimeError):
    """The journal was written by a newer version of jtill than this one."""

    code = "newer_journal"


class HomeError(TerminalError, RuntimeError):
    """The data directory is missing or not set up."""

    code = "home_error"


class UnreadableImage(TerminalError, ValueError):
    """A file that cannot be opened as a picture (missing, not an image, too large)."""

    code = "unreadable_image"


class MissingQrDetectionLib(TerminalError, RuntimeError):
    """No QR decoding library could be loaded; camera and image scanning are off."""

    code = "no_qr_decoder"
