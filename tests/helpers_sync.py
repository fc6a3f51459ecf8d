"""Helpers for the sync and city tests: vector tills, servers, tokens, a faulty TCP proxy (fixtures: conftest)."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path

from conftest import JTILL, VECTORS, insert_rows, vector_home
from terminal.canonical import is_int
from terminal.checkout import Till
from terminal.home import Home
from terminal.journal import ZERO_HASH
from terminal.keys import private_from_seed, save_private_jwk

REPO = Path(__file__).resolve().parent.parent


def vector_key(role: str):
    """``(kid, private key)`` of a test-only vector key."""
    k = VECTORS["keys"][role]
    return k["jwk"]["kid"], private_from_seed(bytes.fromhex(k["seed_hex"]))


def vector_till(root: Path) -> Till:
    """A till trusting the vectors' config key, holding the vectors' config, chain and terminal key."""
    home = vector_home(root)
    save_private_jwk(home.terminal_key_path, vector_key("terminal")[1], vector_key("terminal")[0])
    till = Till(home)
    insert_rows(till.journal, VECTORS["chain"])
    return till


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """``jtill city serve`` as a real subprocess on 127.0.0.1; restartable on the same port."""

    def __init__(self, data_dir: Path, port: int | None = None, args: tuple[str, ...] = ()):
        self.data_dir = data_dir
        self.args = list(args)  # more ``jtill city serve`` options, e.g. --db and --workers
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        # Restarts come from the proxy's threads: a retried request must not restart a server still starting,
        # and the test's final stop must wait for a restart under way, or the restarted server outlives the test.
        self.lock = threading.RLock()

    def start(self, **popen) -> ServerProcess:
        """Start serving (``popen``: extra ``subprocess.Popen`` arguments, e.g. ``preexec_fn``).

        Its stderr (one log line per request) goes to ``stderr_path``: a pipe nobody reads would fill up.
        """
        with self.lock:
            return self._start(**popen)

    def _start(self, **popen) -> ServerProcess:
        self.stderr_path = self.data_dir.parent / f"server-{self.port}.stderr"
        with open(self.stderr_path, "ab") as stderr:
            self.proc = subprocess.Popen(
                [str(JTILL), "city", "serve", "--data", str(self.data_dir), "--port", str(self.port),
                 *self.args],
                stdout=subprocess.DEVNULL, stderr=stderr, **popen,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                log = self.stderr_path.read_text(errors="replace")
                raise RuntimeError(f"server exited ({self.proc.returncode}): {log}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        with self.lock:
            self._stop()

    def _stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def restart(self) -> None:
        with self.lock:
            self.stop()
            self.start()


class FaultProxy:
    """A TCP proxy between till and server that understands HTTP/1.1 framing and injects faults.

    ``faults`` is a list of ``(path_fragment, action)`` consumed in order by matching requests;
    actions: ``drop_before``, ``drop_after`` (server committed, no answer), ``cut_response``,
    ``("delay", seconds)``, ``("status", code, retry_after)``, ``("call", fn)`` (e.g. restart server).
    """

    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.faults: list = []
        self.seen: list[str] = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def add(self, path_fragment: str, action) -> None:
        with self.lock:
            self.faults.append((path_fragment, action))

    def close(self) -> None:
        self.closed = True
        self.sock.close()

    def _take(self, path: str):
        with self.lock:
            self.seen.append(path)
            for i, (frag, action) in enumerate(self.faults):
                if frag in path:
                    del self.faults[i]
                    return action
        return None

    def _accept(self) -> None:
        while not self.closed:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        buf = b""
        try:
            while True:
                request, buf = _read_message(client, buf)
                if request is None:
                    return
                path = request.split(b" ", 2)[1].decode()
                action = self._take(path)
                if action == "drop_before":
                    return
                if isinstance(action, tuple) and action[0] == "status":
                    _, code, retry_after = action
                    body = json.dumps({"error": "unavailable", "detail": "injected"}).encode()
                    extra = f"Retry-After: {retry_after}\r\n" if retry_after is not None else ""
                    client.sendall(
                        f"HTTP/1.1 {code} Injected\r\nContent-Type: application/json\r\n{extra}"
                        f"Content-Length: {len(body)}\r\n\r\n".encode() + body
                    )
                    continue
                if isinstance(action, tuple) and action[0] == "call":
                    action[1]()
                response = _forward(self.upstream_port, request)
                if action == "drop_after":
                    return
                if action == "cut_response":
                    client.sendall(response[: len(response) // 2])
                    return
                if isinstance(action, tuple) and action[0] == "delay":
                    time.sleep(action[1])
                client.sendall(response)
        except OSError:
            return
        finally:
            client.close()


def _read_message(sock: socket.socket, buf: bytes) -> tuple[bytes | None, bytes]:
    """One HTTP/1.1 message with a Content-Length body (or none); ``(None, b"")`` at EOF."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None, b""
        rest += chunk
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


def _forward(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as up:
        up.sendall(request)
        response, _ = _read_message(up, b"")
    if response is None:
        raise OSError("upstream closed")
    return response


# -- a small city and its tills ------------------------------------------------

WALLETS = {"W-ALICE01": 200_000, "W-BOB0001": 200_000, "W-POOR001": 1_000}
FAST = dict(connect=1.0, read=1.0, deadline=8.0, backoff_base=0.02, backoff_cap=0.2)


def prepare_city(data_dir: Path):
    """A city with two merchants and three funded wallets; returns the admin :class:`City`."""
    from city.service import City

    city = City(data_dir)
    city.add_merchant("M-0001", "한옥마을 비빔밥", "food")
    city.add_merchant("M-0002", "풍남문 카페", "cafe")
    for wid, balance in WALLETS.items():
        city.add_wallet(wid, balance)
    return city


def enroll_till(root: Path, city, url: str, merchant: str = "M-0001") -> Till:
    """A till enrolled with ``city`` (served at ``url``)."""
    from sync.enroll import enroll

    home = Home(root)
    enroll(home, url, city.enroll_code(merchant), city.data.public_config_key_path, label=root.name)
    return Till(home)


def fast_client(url: str):
    from sync.client import CityClient, Timing

    return CityClient(url, Timing(**FAST))


def pay(till: Till, city, wid: str = "W-ALICE01", amount: int = 1000):
    """Pay with a freshly minted token; returns the accepted entry."""
    result = till.pay(amount, city.mint_token(wid))
    assert result.accepted, result.reason
    return result.entry


def assert_agree(city, till: Till) -> None:
    """The server holds exactly the till's acknowledged entries, once each, with the same statuses."""
    from terminal.report import history

    tid = till.config.tid
    server = city.storage.entry_rows(tid)
    local = {e["seq"]: e for e in history(till.journal)}
    assert [r[1] for r in server] == list(range(1, len(server) + 1))
    for _, seq, digest, _, status, reason in server:
        assert local[seq]["hash"] == digest
        if local[seq]["status"] in ("settled", "rejected"):
            assert (local[seq]["status"], local[seq]["status_reason"]) == (status, reason)
    assert not [p for p in city.ledger_problems() if p.startswith("jti ")]


# -- a hostile till --------------------------------------------------------------

SEOUL = "Asia/Seoul"


def raw_hash(entry: dict) -> str:
    """An entry's §2 hash over whatever it holds (lists, floats, lone surrogates too), as a modified till would."""
    body = {k: v for k, v in entry.items() if k != "hash"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def sign_raw(payload: dict, key, kid: str, typ: str = "jjp-batch+jwt") -> str:
    """A compact JWS over ``payload`` written as JSON with \\u escapes: any value, no canonical-JSON check."""
    from terminal.canonical import b64u_encode

    header = b64u_encode(json.dumps({"alg": "EdDSA", "kid": kid, "typ": typ}, sort_keys=True,
                                    separators=(",", ":")).encode())
    body = b64u_encode(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())
    return f"{header}.{body}.{b64u_encode(key.sign(f'{header}.{body}'.encode()))}"


class Outcome:
    """A batch's answer: HTTP ``status``, the ``error`` code (None on 200), the receipt's ``results``."""

    def __init__(self, status: int, error: str | None = None, results: list | None = None):
        self.status, self.error, self.results = status, error, results or []

    @property
    def verdicts(self) -> list[tuple[str, str | None]]:
        """``(status, reason)`` per entry."""
        return [(r["status"], r.get("reason")) for r in self.results]

    def __repr__(self) -> str:
        return f"Outcome({self.status}, {self.error}, {self.verdicts})"


class HostileTill:
    """A modified till: a real enrolled terminal key signing whatever chain a test writes.

    Hashes and links are computed for any members (so a batch fails for the member a test chose,
    not a broken chain); batches go to a real server at ``url`` or, without one, straight to ``city``.
    After every batch the city's money invariants are asserted.
    """

    def __init__(self, city, url: str | None = None, merchant: str = "M-0001"):
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        from terminal.keys import public_jwk

        self.city, self.url = city, url
        self.key = Ed25519PrivateKey.generate()
        self.tid = city.enroll(city.enroll_code(merchant), public_jwk(self.key, "hostile"), "hostile")["tid"]
        self.chain: list[dict] = []  # what the city stores
        self.session = None

    def close(self) -> None:
        if self.session is not None:
            self.session.close()

    @staticmethod
    def now_ms() -> int:
        return int(time.time() * 1000)

    @staticmethod
    def biz_date(at_ms: int) -> str:
        import datetime as dt
        from zoneinfo import ZoneInfo

        return dt.datetime.fromtimestamp(at_ms / 1000, ZoneInfo(SEOUL)).date().isoformat()

    def _common(self, kind: str, members: dict) -> dict:
        at = members.get("at", self.now_ms())
        return {"id": str(uuid.uuid4()), "kind": kind, "at": at,
                "biz_date": self.biz_date(at) if is_int(at) and abs(at) < 10**14 else "2026-01-01",
                "operator": "owner", **members}

    def payment(self, wid: str = "W-ALICE01", amount=1000, token: str | None = None, **members) -> dict:
        """A payment entry's members; unless given, the token is minted by the city, valid at the entry's ``at``."""
        from terminal import jws

        at = members.get("at")
        token = token or self.city.mint_token(wid, now=at // 1000 - 60 if is_int(at) and abs(at) < 10**14 else None)
        jti = jws.parse(token, "jjp-pay+jwt").payload["jti"]
        return self._common("payment", {"amount": amount, "token": token, "wid": wid, "jti": jti, **members})

    def refund(self, ref, amount, **members) -> dict:
        return self._common("refund", {"amount": amount, "ref": ref, "reason": "반품", **members})

    def close_entry(self, biz_date: str, count, payments, refunds, net=None, **members) -> dict:
        net = payments - refunds if net is None else net
        return self._common("close", {"biz_date": biz_date, "count": count, "payments": payments,
                                      "refunds": refunds, "net": net, **members})

    def link(self, entries: list) -> list:
        """Give dict entries their next ``seq`` (unless set), ``prev`` and ``hash``; other items stay as they are."""
        prev = self.chain[-1]["hash"] if self.chain else ZERO_HASH
        seq = len(self.chain)
        out = []
        for e in entries:
            seq += 1
            if isinstance(e, dict):
                e = {"seq": seq, **e, "prev": prev}
                e["hash"] = prev = raw_hash(e)
            out.append(e)
        return out

    def batch(self, chosen: list, /, **payload) -> tuple[list, str]:
        """``(linked entries, batch JWS)``; ``payload`` overrides members of the batch payload."""
        linked = self.link(chosen)
        last = linked[-1] if linked and isinstance(linked[-1], dict) else {}
        body = {"tid": self.tid, "from": len(self.chain) + 1, "to": len(self.chain) + len(linked),
                "prev": self.chain[-1]["hash"] if self.chain else ZERO_HASH,
                "head": last.get("hash", ZERO_HASH), "sent": self.now_ms(), "entries": linked, **payload}
        return linked, sign_raw(body, self.key, self.tid)

    def send(self, *entries, **payload) -> Outcome:
        """Sign and upload ``entries`` after the stored chain; on 200 they join it. Asserts the invariants."""
        linked, compact = self.batch(list(entries), **payload)
        outcome = self.upload(compact)
        if outcome.status == 200:
            self.chain += linked
        assert self.city.ledger_problems() == [], outcome
        return outcome

    def upload(self, compact: str) -> Outcome:
        from terminal import jws

        if self.url is None:
            from city.errors import Refused

            try:
                receipt = self.city.ingest(self.tid, compact)
            except Refused as exc:
                return Outcome(exc.status, exc.code)
            return Outcome(200, None, jws.parse(receipt, "jjp-receipt+jwt").payload["results"])
        import requests

        self.session = self.session or requests.Session()
        response = self.session.post(f"{self.url}/v1/terminals/{self.tid}/batches", data=compact.encode(),
                                     headers={"Content-Type": "application/jose"}, timeout=30)
        if response.status_code != 200:
            return Outcome(response.status_code, response.json()["error"])
        return Outcome(200, None, jws.parse(response.text.strip(), "jjp-receipt+jwt").payload["results"])

    def stored_to(self) -> int:
        return self.city.head(self.tid)["to"]
