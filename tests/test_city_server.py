"""The city server refuses bad input with the §4 error codes and stays up; its OpenAPI is committed."""

import gzip
import json
from pathlib import Path

import pytest
import requests

from conftest import STORES
from helpers_sync import enroll_till, fast_client, pay
from sync.batches import BATCH_TYP, batch_payload, build_batch
from sync.reads import authorization
from terminal import jws
from terminal.journal import ZERO_HASH
from terminal.keys import load_private_jwk, private_from_seed

pytestmark = pytest.mark.parametrize("store", STORES, indirect=True)

JOSE = {"Content-Type": "application/jose"}


@pytest.fixture
def world(tmp_path, served):
    """``(admin City, server handle, an enrolled till)``."""
    city, handle = served
    till = enroll_till(tmp_path / "till", city, handle.url)
    yield city, handle, till
    till.close()


def _post(handle, tid, data, headers=JOSE):
    return requests.post(f"{handle.url}/v1/terminals/{tid}/batches", data=data, headers=headers, timeout=10)


def _error(response, status, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code and isinstance(body["detail"], str)
    return body


def _key(till):
    return load_private_jwk(till.home.terminal_key_path)[1]


def _read(handle, till, what):
    """A signed ``GET /v1/terminals/{tid}/{what}`` as the till sends it."""
    path = f"/v1/terminals/{till.config.tid}/{what}"
    return requests.get(handle.url + path, headers={"Authorization": authorization(_key(till), till.config.tid,
                                                                                   "GET", path)}, timeout=10)


def test_committed_openapi_is_served(world):
    _, handle, _ = world
    committed = json.loads((Path(__file__).parent.parent / "city" / "openapi.json").read_text(encoding="utf-8"))
    assert requests.get(handle.url + "/openapi.json", timeout=10).json() == committed


def test_enroll_codes_single_use(world):
    city, handle, till = world
    jwk = {"kty": "OKP", "crv": "Ed25519", "kid": "x", "x": "ELrsRk-JeCiIdDRXq0KZJsRo7Ox0zatdoIHyN-1FHv0"}
    url = handle.url + "/v1/enroll"
    _error(requests.post(url, json={"code": "NOPE", "key": jwk, "label": "a"}, timeout=10), 404, "unknown_code")
    code = city.enroll_code("M-0002")
    assert requests.post(url, json={"code": code, "key": jwk, "label": "a"}, timeout=10).status_code == 201
    _error(requests.post(url, json={"code": code, "key": jwk, "label": "a"}, timeout=10), 409, "code_used")
    _error(requests.post(url, data=b"{", headers={"Content-Type": "application/json"}, timeout=10),
           400, "bad_request")


def test_config_version_goes_up_on_revocation(world):
    city, handle, till = world
    first = _read(handle, till, "config")
    assert first.headers["content-type"].startswith("application/jose")
    assert _read(handle, till, "config").text == first.text
    city.storage.revoke_wallet("W-BOB0001")
    cfg, changed = till.import_config(_read(handle, till, "config").text)
    assert changed and cfg.ver == 2 and "W-BOB0001" in cfg.revoked_wallets
    _error(requests.get(f"{handle.url}/v1/terminals/T-404/config", timeout=10), 401, "unauthorized")


def test_wrong_key_is_401(world):
    city, handle, till = world
    pay(till, city)
    batch = build_batch(till.journal, till.config.tid, private_from_seed(b"\1" * 32), 1)
    _error(_post(handle, till.config.tid, batch), 401, "bad_signature")
    _error(_post(handle, till.config.tid, b"\xff\xfe"), 401, "bad_signature")


def test_bad_batches_are_422(world):
    city, handle, till = world
    pay(till, city)
    pay(till, city)
    tid, key = till.config.tid, _key(till)
    entries = list(till.journal.entries(1, 2))
    cases = {
        "tid mismatch": {**batch_payload(tid, entries, ZERO_HASH, 0), "tid": "T-999999"},
        "wrong counts": {**batch_payload(tid, entries, ZERO_HASH, 0), "to": 3},
        "reused seq": batch_payload(tid, [entries[0], entries[0]], ZERO_HASH, 0),
        "bad head": {**batch_payload(tid, entries, ZERO_HASH, 0), "head": "0" * 64},
        "tampered amount": batch_payload(tid, [{**entries[0], "amount": 1}], ZERO_HASH, 0),
        "extra member": batch_payload(tid, [{**entries[0], "x": 1}], ZERO_HASH, 0),
        "bad prev": batch_payload(tid, entries, "1" * 64, 0),
    }
    for name, payload in cases.items():
        response = _post(handle, tid, jws.sign(payload, key, kid=tid, typ=BATCH_TYP))
        assert response.status_code == 422, name
        _error(response, 422, "bad_batch")
    assert _read(handle, till, "head").json()["to"] == 0


def test_huge_body_and_gzip_bomb_are_413(world):
    city, handle, till = world
    tid = till.config.tid
    limit = city.settings.max_body_bytes
    _error(_post(handle, tid, b"a" * (limit + 1)), 413, "too_large")
    bomb = gzip.compress(b"a" * (limit * 4), compresslevel=9)
    assert len(bomb) < limit // 100
    _error(_post(handle, tid, bomb, {**JOSE, "Content-Encoding": "gzip"}), 413, "too_large")
    _error(_post(handle, tid, b"not gzip", {**JOSE, "Content-Encoding": "gzip"}), 400, "bad_request")
    _error(_post(handle, tid, b"x", {**JOSE, "Content-Encoding": "br"}), 415, "unsupported_media")
    assert _read(handle, till, "head").status_code == 200


def test_gzip_batch_and_idempotent_resend(world):
    city, handle, till = world
    for wid in ("W-ALICE01", "W-POOR001"):
        pay(till, city, wid, 5000)
    tid = till.config.tid
    batch = build_batch(till.journal, tid, _key(till), 1)
    first = _post(handle, tid, gzip.compress(batch.encode()), {**JOSE, "Content-Encoding": "gzip"})
    again = _post(handle, tid, batch)
    results = [jws.parse(r.text, "jjp-receipt+jwt").payload["results"] for r in (first, again)]
    assert results[0] == results[1] == [{"seq": 1, "status": "settled", "cashback": 500},
                                        {"seq": 2, "status": "rejected", "reason": "insufficient_funds"}]


def test_server_side_rejections(world):
    city, handle, till = world
    from sync.syncer import sync_once

    cafe_only = city.mint_token("W-ALICE01", cats=["cafe"])
    assert till.pay(1000, cafe_only).reason == "category_not_allowed"
    revoked_later = city.mint_token("W-BOB0001")
    assert till.pay(1000, revoked_later).accepted
    city.storage.revoke_wallet("W-BOB0001")
    unknown_wallet = city.mint_token("W-NOBODY1")
    assert till.pay(1000, unknown_wallet).accepted
    summary = sync_once(till, fast_client(handle.url))
    assert summary.rejected == [{"seq": 1, "reason": "revoked"}, {"seq": 2, "reason": "insufficient_funds"}]
