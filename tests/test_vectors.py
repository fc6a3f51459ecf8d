"""Every worked example in tests/data/vectors.json, reproduced byte for byte."""

import uuid

import pytest

from conftest import VECTORS, FakeClock, config_key, insert_rows
from terminal import jws, tokens
from terminal.canonical import canonical_json
from terminal.checkout import Till
from terminal.config import verify_config
from terminal.journal import MEMBERS, ZERO_HASH, entry_hash
from terminal.keys import private_from_seed

TOKEN_VECTORS = VECTORS["tokens"]
CHAIN = VECTORS["chain"]


def vector_config():
    """The vectors' config, verified with the test config key."""
    return verify_config(VECTORS["config"]["jws"], {"jeonju-config-test": config_key().public_key()})


def pure_checks(vector, cfg) -> str:
    """Checks 1–11 through the pure functions of :mod:`terminal.tokens`, on an empty journal."""
    try:
        token = tokens.parse_and_verify(vector["token"], cfg.issuer_keys, cfg.issuer)
        tokens.check_time(token, vector["now"])
        tokens.check_revoked(token, cfg.revoked_wallets, cfg.revoked_tokens)
        tokens.check_category(token, cfg.merchant["category"])
        tokens.check_amount(token, vector["amount"], cfg.limits.max_payment)
    except tokens.Declined as exc:
        return exc.reason
    return "accepted"


@pytest.mark.parametrize("vector", TOKEN_VECTORS, ids=[v["name"] for v in TOKEN_VECTORS])
def test_token_vector_through_till(vector, home):
    till = Till(home, clock=FakeClock(vector["now"]))
    try:
        result = till.pay(vector["amount"], vector["token"])
        assert (result.reason or "accepted") == vector["expect"]
        if result.accepted:
            assert result.entry["token"] == vector["token"]
            assert result.entry["amount"] == vector["amount"]
    finally:
        till.close()


@pytest.mark.parametrize("vector", TOKEN_VECTORS, ids=[v["name"] for v in TOKEN_VECTORS])
def test_token_vector_through_pure_checks(vector):
    cfg = vector_config()
    assert pure_checks(vector, cfg) == vector["expect"]


def test_valid_token_claims_match(vectors):
    cfg = vector_config()
    token = tokens.parse_and_verify(TOKEN_VECTORS[0]["token"], cfg.issuer_keys, cfg.issuer)
    claims = vectors["token_claims_valid"]
    assert (token.iss, token.wid, token.jti, token.iat, token.exp, token.lim, token.cats) == (
        claims["iss"], claims["wid"], claims["jti"], claims["iat"], claims["exp"], claims["lim"], None,
    )


def test_config_vector_verifies_to_its_payload(vectors):
    cfg = vector_config()
    payload = vectors["config"]["payload"]
    assert (cfg.ver, cfg.tid, cfg.issuer, cfg.merchant) == (
        payload["ver"], payload["tid"], payload["issuer"], payload["merchant"],
    )
    assert jws.sign(payload, config_key(), "jeonju-config-test", "jjp-config+jwt") == vectors["config"]["jws"]


def test_canonical_json_example(vectors):
    example = vectors["canonical_json_example"]
    assert canonical_json(example["input"]) == example["output"].encode("utf-8")


def test_chain_hashes_recompute():
    prev = ZERO_HASH
    for entry in CHAIN:
        assert entry["prev"] == prev
        assert entry_hash(entry) == entry["hash"]
        prev = entry["hash"]


def test_chain_through_journal_append(till, monkeypatch):
    """Appending the vectors' three entries with their ids and times gives their hashes."""
    ids = iter(uuid.UUID(e["id"]) for e in CHAIN)
    monkeypatch.setattr("terminal.journal.uuid.uuid4", lambda: next(ids))
    for e in CHAIN:
        fields = {k: e[k] for k in MEMBERS[e["kind"]]}
        appended = till.journal.append(e["kind"], fields, at=e["at"], biz_date=e["biz_date"], operator=e["operator"])
        assert appended == e
    assert list(till.journal.entries()) == CHAIN
    assert till.journal.verify().ok


def test_chain_rows_round_trip(till):
    insert_rows(till.journal, CHAIN)
    assert list(till.journal.entries()) == CHAIN
    assert till.journal.verify().ok


def test_batch_jws_byte_for_byte(vectors):
    terminal = vectors["keys"]["terminal"]
    key = private_from_seed(bytes.fromhex(terminal["seed_hex"]))
    batch = vectors["batch"]
    assert batch["payload"]["entries"] == CHAIN
    assert jws.sign(batch["payload"], key, terminal["tid"], "jjp-batch+jwt") == batch["jws"]


def test_receipt_jws_byte_for_byte(vectors):
    receipt = vectors["receipt"]
    assert jws.sign(receipt["payload"], config_key(), "jeonju-config-test", "jjp-receipt+jwt") == receipt["jws"]
