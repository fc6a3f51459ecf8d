"""What a scan found, and whether a text is shaped like a Jeonju payment token."""

from __future__ import annotations

from dataclasses import dataclass

from terminal import jws
from terminal.catalog import N_, tr
from terminal.tokens import MAX_TOKEN_CHARS, TOKEN_TYP

NO_QR_FOUND = N_("QR 코드를 찾지 못했습니다")
NOT_A_PAYMENT_CODE = N_("전주사랑상품권 결제 코드가 아닙니다")
PAYMENT_CODE = N_("전주사랑상품권 결제 코드")


def looks_like_token(text: str) -> bool:
    """True when ``text`` is shaped like a citizen token (compact JWS, ``typ`` jjp-pay+jwt).

    Only the shape: the signature and the claims are checked later by ``terminal.tokens``.
    """
    if not isinstance(text, str) or not text.isascii():
        return False
    try:
        jws.parse(text, TOKEN_TYP, MAX_TOKEN_CHARS)
    except Exception:  # any text, however odd, is only "not a token"
        return False
    return True


@dataclass(frozen=True)
class ScanResult:
    """The outcome of scanning one source (a file path or a camera): never an exception."""

    source: str
    texts: tuple[str, ...] = ()
    backend: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when at least one QR code was read."""
        return self.error is None and bool(self.texts)

    @property
    def tokens(self) -> tuple[str, ...]:
        """The texts shaped like payment tokens."""
        return tuple(t for t in self.texts if looks_like_token(t))

    def message(self) -> str:
        """One line saying what was found, in the till's language."""
        if self.error:
            return self.error
        if not self.texts:
            return tr(NO_QR_FOUND)
        return tr(PAYMENT_CODE) if self.tokens else tr(NOT_A_PAYMENT_CODE)

    def as_json(self) -> dict:
        """``{"path", "texts", "backend", "ok", "error"}`` as ``jtill scan --json`` prints it."""
        error = self.error if self.error or self.texts else tr(NO_QR_FOUND)
        return {"path": self.source, "texts": list(self.texts), "backend": self.backend, "ok": self.ok, "error": error}
