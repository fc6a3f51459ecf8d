"""Fuzzing every endpoint: schemathesis over the committed OpenAPI, and raw byte mutations of valid
requests sent over a socket to a real ``jtill city serve``. Never a 5xx, never a logged error, and the
server stays up.
"""

import json
import socket
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from city.server import serve_in_thread
from conftest import STORES, city_store
from helpers_sync import ServerProcess, enroll_till, pay, prepare_city
from sync.batches import build_batch
from sync.reads import authorization
from terminal.keys import load_private_jwk, private_from_seed, public_jwk

# Batch bodies: random bytes and JWS-shaped junk (three base64url-ish parts).
_B64U = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=200)
schemathesis.openapi.media_type(
    "application/jose",
    st.one_of(st.binary(max_size=2000), st.tuples(_B64U, _B64U, _B64U).map(lambda p: ".".join(p).encode())),
)
SCHEMA = schemathesis.openapi.from_path(Path(__file__).parent.parent / "city" / "openapi.json")


@pytest.fixture(scope="module", params=STORES)
def city_till(tmp_path_factory, request):
    """``(url, tid, terminal key)`` of an in-thread server with one enrolled till, on each store."""
    root = tmp_path_factory.mktemp("fuzz")
    with city_store(request, request.param):
        city = prepare_city(root / "city")
        handle = serve_in_thread(root / "city")
    till = enroll_till(root / "till", city, handle.url)
    yield handle.url, till.config.tid, load_private_jwk(till.home.terminal_key_path)[1]
    till.close()
    handle.stop()
    city.close()


@pytest.mark.slow
@SCHEMA.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_endpoints_answer_with_protocol_errors(case, city_till):
    url, tid, key = city_till
    if "tid" in (case.path_parameters or {}):
        if case.path_parameters["tid"] == "":
            case.path_parameters["tid"] = tid
        if case.method == "GET" and "authorization" not in case.headers:
            # Without a header of its own, a read carries a valid signature: the signed path is fuzzed too.
            path = case.formatted_path
            case.headers["authorization"] = authorization(key, case.path_parameters["tid"], "GET", path)
    response = case.call(base_url=url, timeout=10)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("error"), str) and isinstance(body.get("detail"), str)


@pytest.fixture(scope="module", params=STORES)
def served_process(tmp_path_factory, request):
    """``(ServerProcess, templates)``: a real server and functions building valid raw requests, on each store."""
    root = tmp_path_factory.mktemp("raw")
    with city_store(request, request.param):
        city = prepare_city(root / "city")
        server = ServerProcess(root / "city").start()
    till = enroll_till(root / "till", city, server.url)
    pay(till, city)
    pay(till, city, "W-BOB0001", 2000)
    tid = till.config.tid
    key = load_private_jwk(till.home.terminal_key_path)[1]
    batch = build_batch(till.journal, tid, key, 1).encode()
    enroll_key = public_jwk(private_from_seed(b"\5" * 32), "unenrolled")

    def request(method, path, body=b"", **headers):
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
                 f"Content-Length: {len(body)}", *(f"{k.replace('_', '-')}: {v}" for k, v in headers.items())]
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + body

    def read(what):
        path = f"/v1/terminals/{tid}/{what}"
        return request("GET", path, Authorization=authorization(key, tid, "GET", path))

    templates = [
        lambda: request("POST", "/v1/enroll", json.dumps({"code": city.enroll_code("M-0001"), "key": enroll_key,
                                                          "label": "퍼즈 fuzz"}, ensure_ascii=False).encode(),
                        Content_Type="application/json"),
        lambda: read("config"),
        lambda: read("head"),
        lambda: request("POST", f"/v1/terminals/{tid}/batches", batch, Content_Type="application/jose"),
    ]
    yield server, templates
    till.close()
    server.stop()
    city.close()


MUTATIONS = st.lists(st.tuples(st.sampled_from(["flip", "insert", "delete", "truncate", "repeat"]),
                               st.floats(0, 1), st.binary(min_size=1, max_size=8)), min_size=1, max_size=5)


def mutate(raw: bytes, mutations) -> bytes:
    """Apply ``(operation, relative position, bytes)`` mutations to a raw request."""
    data = bytearray(raw)
    for op, where, some in mutations:
        at = int(where * len(data)) if data else 0
        if op == "flip" and data:
            data[min(at, len(data) - 1)] ^= some[0] or 1
        elif op == "insert":
            data[at:at] = some
        elif op == "delete":
            del data[at:at + len(some)]
        elif op == "truncate":
            del data[at:]
        elif op == "repeat":
            data[at:at] = data[at:at + 64 * len(some)]
    return bytes(data)


def exchange(port: int, raw: bytes, source: str) -> bytes:
    """Send ``raw`` from ``source`` and read what comes back within a second (a cut head gets nothing)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0)) as sock:
        sock.sendall(raw)
        sock.settimeout(1.0)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


@pytest.mark.slow
def test_raw_mutations_of_valid_requests(served_process):
    server, templates = served_process
    for build in templates:  # the templates themselves are valid
        answer = exchange(server.port, build(), "127.0.0.1")
        assert answer.split(b" ", 2)[1] in (b"200", b"201"), answer[:300]
    seen = {}

    @given(template=st.integers(0, len(templates) - 1), mutations=MUTATIONS, host=st.integers(2, 250))
    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    def run(template, mutations, host):
        # Each example from its own loopback address: the failed-enrollment limit is per address.
        answer = exchange(server.port, mutate(templates[template](), mutations), f"127.0.{host}.{host}")
        if answer.startswith(b"HTTP/1.1 "):
            status = answer.split(b" ", 2)[1]
            seen[status] = seen.get(status, 0) + 1
            assert not status.startswith(b"5"), answer[:500]

    run()
    print("statuses:", {k.decode(): v for k, v in sorted(seen.items())})
    assert server.proc.poll() is None
    assert exchange(server.port, templates[2](), "127.0.0.1").split(b" ", 2)[1] == b"200"
    log = (server.data_dir / "server.log").read_text(encoding="utf-8")
    assert " ERROR " not in log and "Traceback" not in log, log[-3000:]
