"""HTTP client for the city server (PROTOCOL.md §4): timeouts, a deadline, backoff, Retry-After."""

from __future__ import annotations

import email.utils
import gzip
import random
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.errors import ApiError, BadAnswer, Offline
from sync.reads import authorization
from terminal.catalog import tr

if TYPE_CHECKING:
    import requests

GZIP_ABOVE = 64 * 1024
JOSE = "application/jose"


@dataclass
class Timing:
    """Network patience: per-request timeouts, a deadline for one call, backoff bounds."""

    connect: float = 5.0
    read: float = 20.0
    deadline: float = 60.0
    backoff_base: float = 0.5
    backoff_cap: float = 30.0
    # A refused or unroutable connection means no network; waiting out the deadline only keeps
    # the cashier staring at a spinner. Timeouts and 5xx keep retrying until the deadline.
    connect_failures: int = 3


def describe(exc: requests.RequestException) -> str:
    """A short reason for a network failure in the till's language, without the library's internals."""
    import requests

    if isinstance(exc, requests.ConnectTimeout):
        return tr("연결 시간 초과")
    if isinstance(exc, requests.ConnectionError):
        return tr("서버에 연결할 수 없음")
    if isinstance(exc, requests.Timeout):
        return tr("응답 시간 초과")
    return tr("네트워크 오류")


def backoff(attempt: int, base: float, cap: float) -> float:
    """Full-jitter exponential backoff: uniform in ``[0, min(cap, base * 2**attempt)]``."""
    return random.uniform(0, min(cap, base * (2 ** attempt)))


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Seconds asked for by a ``Retry-After`` header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    when = http_date_seconds(value)
    if when is None:
        return None
    return max(0.0, when - (time.time() if now is None else now))


def http_date_seconds(value: str | None) -> float | None:
    """An HTTP ``Date`` header as epoch seconds, or None when absent or unreadable."""
    try:
        return email.utils.parsedate_to_datetime(value).timestamp() if value else None
    except (TypeError, ValueError):
        return None


def _json_object(response: requests.Response, *members: str) -> dict[str, Any]:
    """The JSON object of a 2xx answer, holding ``members``; anything else is a :class:`BadAnswer`."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or any(m not in body for m in members):
        raise BadAnswer(tr("서버 응답이 올바르지 않습니다 (기대한 JSON 항목: {members}): {answer}",
                           members=", ".join(members), answer=repr(response.text[:200])))
    return body


def _error_of(response: requests.Response) -> ApiError:
    try:
        body = response.json()
        code, detail = str(body.get("error", "http_error")), str(body.get("detail", ""))
    except (ValueError, AttributeError):
        body, code, detail = None, "http_error", response.text[:200]
    return ApiError(response.status_code, code, detail, body if isinstance(body, dict) else None)


class CityClient:
    """Talks to one city server. Every call retries within ``timing.deadline`` and is safe to repeat."""

    def __init__(self, base_url: str, timing: Timing | None = None, *, session: requests.Session | None = None,
                 sleep=time.sleep, clock=time.monotonic):
        self.base_url = base_url.rstrip("/")
        # requests (about a tenth of the till's start-up) is imported by the first client, not at start.
        import requests

        self.timing = timing or Timing()
        self.session = session or requests.Session()
        self.sleep = sleep
        self.clock = clock
        self.server_time: float | None = None  # the server's clock (its HTTP Date) at the last answer

    def close(self) -> None:
        """Close pooled connections."""
        self.session.close()

    def request(self, method: str, path: str, *, retry: bool = True,
                signer: tuple[str, Ed25519PrivateKey] | None = None, **kwargs) -> requests.Response:
        """Send until a non-retryable answer; 4xx raises :class:`ApiError`, giving up raises :class:`Offline`.

        With ``signer`` ``(tid, key)`` every attempt carries its own signature (a nonce is good once).
        """
        import requests

        t = self.timing
        end = self.clock() + t.deadline
        attempt = refused = 0
        while True:
            left = end - self.clock()
            wait = None
            if signer:
                kwargs["headers"] = {**kwargs.get("headers", {}), "Authorization": authorization(
                    signer[1], signer[0], method, path)}
            try:
                response = self.session.request(
                    method, self.base_url + path, timeout=(t.connect, max(0.05, min(t.read, left))), **kwargs
                )
            except requests.RequestException as exc:
                problem = describe(exc)
                unreachable = isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout)
                refused += unreachable
                if refused >= t.connect_failures:
                    raise Offline(f"{method} {path}: {problem}") from exc
            else:
                if response.status_code < 400:
                    self.server_time = http_date_seconds(response.headers.get("Date"))
                    return response
                if response.status_code not in (429, 500, 502, 503, 504):
                    raise _error_of(response)
                problem = f"server answered {response.status_code}"
                wait = retry_after_seconds(response.headers.get("Retry-After"))
            if wait is None:
                wait = backoff(attempt, t.backoff_base, t.backoff_cap)
            attempt += 1
            left = end - self.clock()
            if not retry or wait >= left:
                raise Offline(f"{method} {path}: {problem}", retry_after=wait)
            self.sleep(wait)

    # -- §4 endpoints --------------------------------------------------------

    def enroll(self, code: str, key_jwk: dict, label: str) -> dict:
        """``POST /v1/enroll`` → ``{"tid", "config"}``."""
        response = self.request("POST", "/v1/enroll", json={"code": code, "key": key_jwk, "label": label})
        body = _json_object(response, "tid", "config")
        if not isinstance(body["tid"], str) or not isinstance(body["config"], str):
            raise BadAnswer("enrollment answer without a terminal id and config JWS")
        return body

    def config(self, tid: str, key: Ed25519PrivateKey) -> str:
        """The terminal's current config JWS (a read signed with the terminal's ``key``)."""
        return self.request("GET", f"/v1/terminals/{tid}/config", signer=(tid, key)).text.strip()

    def head(self, tid: str, key: Ed25519PrivateKey, *, retry: bool = True) -> tuple[int, str]:
        """What the server holds for this terminal: ``(to, head)`` (a read signed with its ``key``)."""
        response = self.request("GET", f"/v1/terminals/{tid}/head", retry=retry, signer=(tid, key))
        body = _json_object(response, "to", "head")
        to, head = body["to"], body["head"]
        if not (isinstance(to, int) and not isinstance(to, bool) and to >= 0 and isinstance(head, str)):
            raise BadAnswer(f"head answer malformed: {body!r}"[:300])
        return to, head

    def post_batch(self, tid: str, batch_jws: str) -> str:
        """Upload one batch JWS; returns the receipt JWS."""
        data = batch_jws.encode("ascii")
        headers = {"Content-Type": JOSE}
        if len(data) > GZIP_ABOVE:
            data = gzip.compress(data, compresslevel=1)
            headers["Content-Encoding"] = "gzip"
        return self.request("POST", f"/v1/terminals/{tid}/batches", data=data, headers=headers).text.strip()
