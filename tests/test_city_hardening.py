"""The city server against hostile clients, as a real ``jtill city serve`` process on 127.0.0.1.

Huge bodies on every endpoint, junk input, expiring enrollment codes and the failed-attempt limit,
a thousand slow connections (also under a 1,024 open-files limit), file modes and logs.
"""

import http.client
import json
import os
import resource
import select
import socket
import sqlite3
import stat
import threading
import time

import pytest
import requests

from city.server import serve_in_thread
from city.service import City
from conftest import STORES, jtill
from helpers_sync import ServerProcess, prepare_city
from sync.reads import authorization
from terminal.catalog import tr
from terminal.keys import private_from_seed, public_jwk

MB = 1024 * 1024
KEY = private_from_seed(b"\7" * 32)
JWK = public_jwk(KEY, "unenrolled")
ON_BOTH = pytest.mark.parametrize("store", STORES, indirect=True)


@pytest.fixture
def city_server(tmp_path):
    """``(admin City, ServerProcess, tid)``: a served city with one terminal enrolled under ``KEY``."""
    city = prepare_city(tmp_path / "city")
    tid = city.enroll(city.enroll_code("M-0001"), JWK, "test")["tid"]
    server = ServerProcess(tmp_path / "city").start()
    yield city, server, tid
    server.stop()
    city.close()


def _status_of(response: bytes) -> tuple[int, dict]:
    head, _, body = response.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body) if body.startswith(b"{") else {}


def _send_huge(port: int, method: str, path: str, *, chunked: bool, total: int = 200 * MB) -> tuple[int, dict, int]:
    """Send a ``total``-byte body as fast as the server takes it; ``(status, body, bytes sent)`` of its answer."""
    framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % total
    head = b"%s %s HTTP/1.1\r\nHost: city\r\nContent-Type: application/json\r\n%s\r\n\r\n" % (
        method.encode(), path.encode(), framing)
    piece = b"a" * MB
    if chunked:
        piece = b"%x\r\n%s\r\n" % (len(piece), piece)
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(head)
    sock.setblocking(False)
    sent, pending, response, writing = 0, memoryview(piece), b"", True
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            readable, writable, _ = select.select([sock], [sock] if writing else [], [], 1)
            if readable:
                try:
                    data = sock.recv(65536)
                except ConnectionResetError:
                    break
                if not data:
                    break
                response += data
                if b"\r\n\r\n" in response and response.rstrip().endswith(b"}"):
                    break
            elif writable:
                try:
                    n = sock.send(pending)
                except (BrokenPipeError, ConnectionResetError):
                    writing = False
                    continue
                sent += n
                pending = pending[n:]
                if not pending:
                    pending = memoryview(piece)
                    if sent >= total:
                        writing = False
    finally:
        sock.close()
    assert response, f"no answer to {method} {path} after {sent} bytes"
    status, body = _status_of(response)
    return status, body, sent


def _peak_rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _signed_get(url: str, tid: str, what: str, timeout: float = 10) -> requests.Response:
    path = f"/v1/terminals/{tid}/{what}"
    return requests.get(url + path, headers={"Authorization": authorization(KEY, tid, "GET", path)}, timeout=timeout)


@ON_BOTH
def test_200_mb_bodies_on_every_endpoint_are_413_and_memory_stays_flat(city_server):
    city, server, tid = city_server
    endpoints = [("POST", "/v1/enroll"), ("GET", f"/v1/terminals/{tid}/config"), ("GET", f"/v1/terminals/{tid}/head"),
                 ("POST", f"/v1/terminals/{tid}/batches"), ("POST", "/v1/nowhere")]
    assert _signed_get(server.url, tid, "head").status_code == 200  # warm up
    before = _peak_rss_kb(server.proc.pid)
    limit = city.settings.max_body_bytes
    for method, path in endpoints:
        for chunked in (False, True):
            status, body, sent = _send_huge(server.port, method, path, chunked=chunked)
            assert (status, body.get("error")) == (413, "too_large"), (method, path, chunked, status, body)
            print(f"{method} {path} chunked={chunked}: 413 after the client sent {sent / MB:.1f} MB")
            # The server stops reading at the limit: what the client got in is the limit plus socket buffers.
            assert sent < limit + 16 * MB
    grown = (_peak_rss_kb(server.proc.pid) - before) / 1024
    print(f"peak RSS grew by {grown:.1f} MB over {len(endpoints) * 2} bodies of 200 MB")
    assert grown < 20
    assert _signed_get(server.url, tid, "head").status_code == 200


JUNK = [
    b'{"code":"A","key":%s,"label":"\\ud800"}' % json.dumps(JWK).encode(),
    b'{"code":"\\udfff","key":{},"label":"a"}',
    b"not json", b"", b"[]", b"null", b"1e999999", b'{"code":NaN,"key":{},"label":"a"}',
    b'{"code":1,"key":1,"label":1}',
    b'{"code":"A","key":{"kty":"OKP","crv":"Ed25519","kid":"x","x":123456789012345678901234567890},"label":"a"}',
    b'{"code":' + b"9" * 5000 + b',"key":{},"label":"a"}',
    b'{"code":"A","key":{},"label":"' + b"9" * 5000 + b'"}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"code":"A","key":' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b',"label":"a"}',
    b"\xff\xfe\x00", b'{"code":"a\x00","key":{},"label":"a"}',
    b'{"code":"A","key":{"kty":"OKP","crv":"Ed25519","kid":"\\ud800","x":"%s"},"label":"a"}' % JWK["x"].encode(),
    b'{"code":"A","key":{"kty":"OKP","crv":"Ed25519","kid":"x","x":"%s","d":"x"},"label":"a"}' % JWK["x"].encode(),
]


@ON_BOTH
def test_junk_never_gets_a_500(city_server):
    _, server, tid = city_server
    seen = set()
    for body in JUNK:
        for content_type in ("application/json", "text/plain"):
            r = requests.post(server.url + "/v1/enroll", data=body, headers={"Content-Type": content_type},
                              timeout=30)
            assert 400 <= r.status_code < 500, (body[:80], r.status_code, r.text[:300])
            assert isinstance(r.json()["error"], str) and isinstance(r.json()["detail"], str)
            seen.add(r.json()["error"])
    for path in ("/v1/terminals/%ff/head", "/v1/terminals/%ED%A0%80/config", "/v1/terminals/" + "A" * 5000 + "/head",
                 f"/v1/terminals/{tid}/batches", "/docs"):
        r = requests.get(server.url + path, timeout=30)
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:300])
    for data in (b"a.b.c", b"\xff" * 100, b"", b"." * 10_000):
        for target in (tid, "%ED%A0%80", "T-999999"):
            r = requests.post(f"{server.url}/v1/terminals/{target}/batches", data=data, timeout=30)
            assert 400 <= r.status_code < 500, (data[:20], target, r.status_code, r.text[:300])
    print("refusals seen:", sorted(seen))
    assert server.proc.poll() is None


@ON_BOTH
def test_unexpected_errors_are_500_internal_and_logged_with_traceback(tmp_path, monkeypatch, caplog):
    city = prepare_city(tmp_path / "city")
    tid = city.enroll(city.enroll_code("M-0001"), JWK, "test")["tid"]
    handle = serve_in_thread(tmp_path / "city")
    try:
        def broken(self, tid):
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(City, "head", broken)
        r = _signed_get(handle.url, tid, "head")
        assert r.status_code == 500 and r.json()["error"] == "internal"
        assert "disk on fire" not in r.text
        crash = [rec for rec in caplog.records if rec.name == "city.http" and rec.exc_info]
        assert crash and "disk on fire" in str(crash[0].exc_info[1])
        assert _signed_get(handle.url, tid, "config").status_code == 200
    finally:
        handle.stop()
        city.close()


def _enroll(url, code, source="127.0.0.1"):
    """POST /v1/enroll from ``source`` (another loopback address is another client)."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    try:
        conn.request("POST", "/v1/enroll", json.dumps({"code": code, "key": JWK, "label": "t"}),
                     {"Content-Type": "application/json"})
        r = conn.getresponse()
        return r.status, json.loads(r.read()), dict(r.getheaders())
    finally:
        conn.close()


@ON_BOTH
def test_expired_code_is_410_and_ttl_parses(city_server):
    city, server, _ = city_server
    status, body, _ = _enroll(server.url, city.enroll_code("M-0001", ttl=0))
    assert (status, body["error"]) == (410, "code_expired")
    proc = jtill("--json", "city", "enroll-code", "M-0001", "--ttl", "15m", "--data", str(city.data.root))
    out = json.loads(proc.stdout)
    expires = city.storage.enroll_code(out["code"])["expires_at"]
    assert out["ttl"] == 900 and abs(expires - (time.time() + 900) * 1000) < 60_000
    default = json.loads(jtill("--json", "city", "enroll-code", "M-0001", "--data", str(city.data.root)).stdout)
    assert default["ttl"] == 72 * 3600
    for bad in ("15", "15x", "0h", "-3h", "h", "366d", "99999999999999999999d"):
        proc = jtill("city", "enroll-code", "M-0001", f"--ttl={bad}", "--data", str(city.data.root), check=False)
        refusal = tr("{text}: 72h, 15m, 30s 같은 기간이어야 합니다 (최대 365d)", "ko", text=repr(bad))
        assert proc.returncode == 2 and refusal in proc.stderr
    assert _enroll(server.url, out["code"])[0] == 201


# SQLite only: a PostgreSQL city never had a schema from before versions and code expiry.
def test_codes_of_an_older_store_expire(tmp_path):
    root = tmp_path / "city"
    City(root).close()
    db = sqlite3.connect(root / "city.db")
    db.executescript("DROP TABLE city_schema; DROP TABLE enroll_codes; "  # as before versions and expiry
                     "CREATE TABLE enroll_codes (code TEXT PRIMARY KEY, "
                     "merchant_id TEXT NOT NULL, used_by TEXT); INSERT INTO merchants VALUES ('M-1', 'a', 'food', 0);"
                     "INSERT INTO enroll_codes VALUES ('OLD-CODE', 'M-1', NULL);")
    db.close()
    city = City(root)
    try:
        with pytest.raises(Exception) as refused:
            city.enroll("OLD-CODE", JWK, "t")
        assert refused.value.code == "code_expired"
    finally:
        city.close()


@ON_BOTH
def test_eleventh_failed_enrollment_is_429_and_survives_a_restart(city_server):
    city, server, _ = city_server
    for _ in range(10):
        assert _enroll(server.url, "GUESS-0000")[0] == 404
    good = city.enroll_code("M-0001")
    status, body, headers = _enroll(server.url, good)
    assert (status, body["error"]) == (429, "too_many_attempts")
    assert 0 < int(headers["retry-after"]) <= 600
    server.restart()  # the attempts are in the database, not in the process
    assert _enroll(server.url, good)[0] == 429
    status, body, _ = _enroll(server.url, good, source="127.0.0.2")
    assert status == 201, body
    # Failures older than ten minutes no longer count.
    with city.storage.transaction() as c:
        c.execute("UPDATE enroll_failures SET at = at - 601000")
    assert _enroll(server.url, "GUESS-0000")[0] == 404


class SlowClients:
    """``count`` connections held open: half send nothing, half trickle a request head a byte a second.

    A connection the server closes is opened again, so that ``count`` stay held until ``stop()``.
    """

    def __init__(self, port: int, count: int):
        self.port = port
        self.count = count
        self.socks: dict[socket.socket, int] = {}
        self.opened = 0
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _open(self, n: int) -> None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        except OSError:
            return
        sock.setblocking(False)
        if n % 2:
            sock.send(b"GET /v1/terminals/T-000001/head HTTP/1.1\r\nHost: city\r\n")
        self.socks[sock] = n
        self.opened += 1

    def _run(self) -> None:
        n = 0
        while not self.done.is_set():
            while len(self.socks) < self.count and not self.done.is_set():
                self._open(n)
                n += 1
            readable, _, _ = select.select(list(self.socks), [], [], 0.2)
            for sock in readable:
                try:
                    gone = not sock.recv(4096)
                except OSError:
                    gone = True
                if gone:
                    del self.socks[sock]
                    sock.close()
            for sock, k in list(self.socks.items()):
                if k % 2 and k % 5 == int(time.monotonic()) % 5:
                    try:
                        sock.send(b"x")
                    except OSError:
                        pass
        for sock in self.socks:
            sock.close()

    def stop(self) -> None:
        self.done.set()
        self.thread.join(30)


@pytest.fixture
def many_files():
    """This process holds the thousand client sockets: at least 2,048 open files while the test runs."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 2048:
        if hard != resource.RLIM_INFINITY and hard < 2048:
            pytest.skip(f"this process may open only {hard} files")
        resource.setrlimit(resource.RLIMIT_NOFILE, (2048, hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@pytest.mark.slow
@ON_BOTH
@pytest.mark.parametrize("nofile", [None, 1024], ids=["default_limit", "nofile_1024"])
def test_a_thousand_slow_clients_do_not_stop_others(tmp_path, nofile, many_files):
    city = prepare_city(tmp_path / "city")
    tid = city.enroll(city.enroll_code("M-0001"), JWK, "test")["tid"]
    server = ServerProcess(tmp_path / "city")
    limit = (lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))) if nofile else None
    server.start(preexec_fn=limit)
    slow = None
    try:
        slow = SlowClients(server.port, 1000)
        deadline = time.monotonic() + 60
        while len(slow.socks) < 1000 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(slow.socks) >= 1000
        times = []
        for i in range(100):
            started = time.monotonic()
            r = _signed_get(server.url, tid, "head" if i % 2 else "config", timeout=10)
            times.append(time.monotonic() - started)
            assert r.status_code == 200, r.text
        held = len(slow.socks)
        fds = len(os.listdir(f"/proc/{server.proc.pid}/fd"))
        times.sort()
        print(f"open-files limit {nofile or 'default'}: 100 normal requests while {held} slow connections held "
              f"({slow.opened} opened in all); p50 {times[49] * 1000:.0f} ms, p99 {times[98] * 1000:.0f} ms, "
              f"max {times[-1] * 1000:.0f} ms; server holds {fds} descriptors")
        assert server.proc.poll() is None
        if nofile:
            assert fds <= nofile
    finally:
        if slow:
            slow.stop()
        server.stop()
        city.close()


# SQLite only: what is checked here is city.db and its WAL files in the data directory.
def test_data_directory_is_private_even_when_it_existed(tmp_path):
    root = tmp_path / "city"
    root.mkdir(mode=0o755)
    root.chmod(0o755)
    sqlite3.connect(root / "city.db").close()
    (root / "city.db").chmod(0o644)
    city = prepare_city(root)
    code = city.enroll_code("M-0001")
    server = ServerProcess(root).start()
    try:
        assert _enroll(server.url, code)[0] == 201
        expected = {"city.db", "city.db-wal", "city.db-shm", "settings.json", "config-key.jwk", "keys/config.jwk",
                    "keys/issuer.jwk", "server.log"}
        files = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}
        assert expected <= files
        assert stat.S_IMODE(root.stat().st_mode) == 0o700
        assert stat.S_IMODE((root / "keys").stat().st_mode) == 0o700
        for name in files:
            assert stat.S_IMODE((root / name).stat().st_mode) == 0o600, name
    finally:
        server.stop()
        city.close()


@ON_BOTH
def test_requests_and_errors_are_logged_to_stderr_and_a_file(city_server):
    _, server, tid = city_server
    assert _signed_get(server.url, tid, "head").status_code == 200
    assert requests.get(server.url + f"/v1/terminals/{tid}/config", timeout=10).status_code == 401
    log_file = server.data_dir / "server.log"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "/config 401" not in log_file.read_text(encoding="utf-8"):
        time.sleep(0.05)
    for text in (log_file.read_text(encoding="utf-8"), server.stderr_path.read_text(encoding="utf-8")):
        head = [line for line in text.splitlines() if f"GET /v1/terminals/{tid}/head 200" in line]
        assert head and f"tid={tid}" in head[0] and " ms " in head[0]
        assert f" [{server.proc.pid}] city.http: " in head[0]  # several workers' lines in one file stay apart
        assert f"GET /v1/terminals/{tid}/config 401" in text
