"""Batches (PROTOCOL.md §3) reproduce the vectors byte for byte and respect the 1000-entry cap."""

import pytest

from conftest import VECTORS
from helpers_sync import vector_key, vector_till
from sync import batches
from terminal import jws
from terminal.journal import ZERO_HASH


def test_batch_vector_from_entries():
    kid, key = vector_key("terminal")
    vec = VECTORS["batch"]["payload"]
    payload = batches.batch_payload(kid, VECTORS["chain"], ZERO_HASH, vec["sent"])
    assert payload == vec
    assert batches.sign_batch(payload, key) == VECTORS["batch"]["jws"]


def test_batch_vector_from_journal(tmp_path):
    till = vector_till(tmp_path / "till")
    _, key = vector_key("terminal")
    built = batches.build_batch(till.journal, "T-000001", key, 1, sent_ms=VECTORS["batch"]["payload"]["sent"])
    assert built == VECTORS["batch"]["jws"]
    assert batches.batch_range(built) == ("T-000001", 1, 3)


def test_partial_batch_links_to_previous_entry(tmp_path):
    till = vector_till(tmp_path / "till")
    _, key = vector_key("terminal")
    payload = jws.parse(batches.build_batch(till.journal, "T-000001", key, 2), batches.BATCH_TYP).payload
    assert (payload["from"], payload["to"]) == (2, 3)
    assert payload["prev"] == VECTORS["chain"][0]["hash"]
    assert payload["head"] == VECTORS["chain"][2]["hash"]


def test_nothing_to_send(tmp_path):
    till = vector_till(tmp_path / "till")
    _, key = vector_key("terminal")
    assert batches.build_batch(till.journal, "T-000001", key, 4) is None


def test_cap_is_1000_entries():
    entry = dict(VECTORS["chain"][0])
    assert len(batches.batch_payload("T-1", [entry] * 1000, ZERO_HASH, 0)["entries"]) == 1000
    with pytest.raises(ValueError):
        batches.batch_payload("T-1", [entry] * 1001, ZERO_HASH, 0)
