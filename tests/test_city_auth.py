"""Signed terminal reads (PROTOCOL.md §4.1): only the terminal itself reads its config and head."""

import json

import pytest
import requests

from city.auth import check_read
from city.errors import Unauthorized
from city.storage import now_ms
from conftest import STORES, VECTORS
from helpers_sync import enroll_till, fast_client, pay
from sync.reads import AUTH_SCHEME, REQUEST_TYP, authorization, request_jws
from sync.syncer import sync_once
from terminal import jws
from terminal.keys import load_private_jwk, private_from_seed

pytestmark = pytest.mark.parametrize("store", STORES, indirect=True)

NONCE = "AAECAwQFBgcICQoLDA0ODw"


@pytest.fixture
def tills(tmp_path, served):
    """``(admin City, server handle, till A, till B)``: two enrolled tills."""
    city, handle = served
    a = enroll_till(tmp_path / "a", city, handle.url)
    b = enroll_till(tmp_path / "b", city, handle.url, "M-0002")
    yield city, handle, a, b
    a.close()
    b.close()


def _key(till):
    return load_private_jwk(till.home.terminal_key_path)[1]


def _path(tid, what="head"):
    return f"/v1/terminals/{tid}/{what}"


def _get(handle, path, header):
    return requests.get(handle.url + path, headers={"Authorization": header} if header else {}, timeout=10)


def _refused(response, reason):
    assert response.status_code == 401, response.text
    body = response.json()
    assert (body["error"], body["reason"]) == ("unauthorized", reason), body
    assert body["detail"]


def _signed(key, tid, path, *, kid=None, iat=None, nonce=NONCE, **payload):
    claims = {"tid": tid, "m": "GET", "p": path, "iat": now_ms() if iat is None else iat, "nonce": nonce, **payload}
    return f"{AUTH_SCHEME} {jws.sign(claims, key, kid or tid, REQUEST_TYP)}"


def test_request_vector_byte_for_byte():
    vector = VECTORS["request"]
    terminal = VECTORS["keys"]["terminal"]
    key = private_from_seed(bytes.fromhex(terminal["seed_hex"]))
    p = vector["payload"]
    signed = request_jws(key, p["tid"], p["m"], p["p"], p["iat"], p["nonce"])
    assert signed == vector["jws"]
    assert vector["authorization"] == f"JJP1 {signed}"
    parsed = jws.parse(signed, "jjp-req+jwt")
    assert parsed.header == {"alg": "EdDSA", "kid": "T-000001", "typ": "jjp-req+jwt"}
    assert parsed.payload == p and parsed.signing_input.split(b".")[1].decode() == signed.split(".")[1]


def test_signed_reads_are_served(tills):
    _, handle, a, _ = tills
    tid = a.config.tid
    for what in ("config", "head"):
        response = _get(handle, _path(tid, what), authorization(_key(a), tid, "GET", _path(tid, what)))
        assert response.status_code == 200, response.text
    assert _get(handle, _path(tid), authorization(_key(a), tid, "GET", _path(tid))).json() == {"to": 0,
                                                                                             "head": "0" * 64}


def test_the_till_signs_its_reads(tills):
    city, handle, a, _ = tills
    pay(a, city)
    summary = sync_once(a, fast_client(handle.url))
    assert summary.status == "ok" and summary.settled == 1, summary


def test_unsigned_and_malformed_reads_are_refused(tills):
    _, handle, a, _ = tills
    tid, key = a.config.tid, _key(a)
    for what in ("config", "head"):
        _refused(_get(handle, _path(tid, what), None), "missing")
    path = _path(tid)
    _refused(_get(handle, path, "Bearer x"), "missing")
    _refused(_get(handle, path, "JJP1 not.a.jws"), "malformed")
    _refused(_get(handle, path, "JJP1 " + jws.sign({"tid": tid}, key, tid, "jjp-batch+jwt")), "malformed")
    _refused(_get(handle, path, _signed(key, tid, path, nonce="short")), "malformed")
    _refused(_get(handle, path, _signed(key, tid, path, nonce="x" * 65)), "malformed")
    _refused(_get(handle, path, _signed(key, tid, path, extra=1)), "malformed")
    _refused(_get(handle, path, _signed(key, tid, path, iat=str(now_ms()))), "malformed")
    _refused(_get(handle, path, _signed(key, tid, path, iat=10 ** 400)), "stale")


def test_mis_signed_reads_are_refused(tills):
    _, handle, a, b = tills
    ta, tb = a.config.tid, b.config.tid
    path = _path(ta)
    # B's key, signing as A; B signing as itself for A's path; a key nobody enrolled.
    _refused(_get(handle, path, _signed(_key(b), ta, path)), "bad_signature")
    _refused(_get(handle, path, _signed(_key(b), tb, path)), "wrong_terminal")
    _refused(_get(handle, path, _signed(private_from_seed(b"\1" * 32), ta, path)), "bad_signature")
    # A's key, but the payload names another terminal, path or method.
    _refused(_get(handle, path, _signed(_key(a), tb, path, kid=ta)), "wrong_terminal")
    _refused(_get(handle, path, _signed(_key(a), ta, _path(ta, "config"))), "wrong_request")
    _refused(_get(handle, path, _signed(_key(a), ta, path, m="POST")), "wrong_request")
    # Unknown terminal ids look the same as a bad signature: ids cannot be probed.
    ghost = _path("T-999999")
    _refused(_get(handle, ghost, _signed(_key(a), "T-999999", ghost)), "bad_signature")


def test_stale_and_replayed_reads_are_refused(tills):
    _, handle, a, _ = tills
    tid, key = a.config.tid, _key(a)
    path = _path(tid)
    _refused(_get(handle, path, _signed(key, tid, path, iat=now_ms() - 301_000)), "stale")
    _refused(_get(handle, path, _signed(key, tid, path, iat=now_ms() + 301_000)), "stale")
    assert _get(handle, path, _signed(key, tid, path, iat=now_ms() - 290_000)).status_code == 200
    header = authorization(key, tid, "GET", path)
    assert _get(handle, path, header).status_code == 200
    _refused(_get(handle, path, header), "replayed")
    # The same nonce on the other endpoint is a replay as well: nonces are per terminal.
    _refused(_get(handle, _path(tid, "config"), _signed(key, tid, _path(tid, "config"), nonce=NONCE)), "replayed")


def test_nonces_are_forgotten_after_600_s(tills):
    city, _, a, _ = tills
    tid, key = a.config.tid, _key(a)
    path = _path(tid)
    t0 = now_ms()
    header = _signed(key, tid, path, iat=t0)
    check_read(city.storage, tid, "GET", path, header, now=t0)
    with pytest.raises(Unauthorized) as refused:
        check_read(city.storage, tid, "GET", path, header, now=t0 + 299_000)
    assert refused.value.reason == "replayed"
    later = t0 + 601_000
    check_read(city.storage, tid, "GET", path, _signed(key, tid, path, iat=later, nonce="B" * 22), now=later)
    assert city.storage.nonces(tid) == ["B" * 22]


def test_refusals_change_nothing(tills):
    city, handle, a, _ = tills
    tid = a.config.tid
    before = json.dumps(city.storage.ledger())
    nonces = city.storage.nonces(tid)
    _refused(_get(handle, _path(tid), _signed(_key(a), tid, _path(tid), iat=now_ms() - 400_000)), "stale")
    assert city.storage.nonces(tid) == nonces
    assert json.dumps(city.storage.ledger()) == before
