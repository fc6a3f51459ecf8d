"""Receipts are verified against the trusted config key and must describe our own chain."""

import pytest

from conftest import VECTORS, insert_rows
from helpers_sync import vector_key, vector_till
from sync import receipts
from terminal import jws
from terminal.journal import ZERO_HASH, entry_hash
from terminal.report import history
from terminal.settlement import Receipt


def test_vector_receipt_applies(tmp_path):
    till = vector_till(tmp_path / "till")
    receipt = receipts.apply(till.journal, VECTORS["receipt"]["jws"], till.trust)
    assert receipt == Receipt.from_payload(VECTORS["receipt"]["payload"])
    assert till.journal.sync_state() == (3, 3)
    assert receipts.verify_against_receipts(till.journal, till.trust) == []


def test_receipt_signed_by_other_key_refused(tmp_path):
    till = vector_till(tmp_path / "till")
    _, wrong = vector_key("issuer")
    forged = jws.sign(VECTORS["receipt"]["payload"], wrong, "jeonju-config-test", receipts.RECEIPT_TYP)
    with pytest.raises(receipts.ReceiptError):
        receipts.apply(till.journal, forged, till.trust)
    assert till.journal.sync_state() == (0, 0)


@pytest.mark.parametrize("change", [{"tid": "T-999999"}, {"head": "ab" * 32}, {"to": 2}, {"from": 2}])
def test_receipt_for_another_chain_refused(tmp_path, change):
    till = vector_till(tmp_path / "till")
    _, config_key = vector_key("config")
    payload = {**VECTORS["receipt"]["payload"], **change}
    with pytest.raises(receipts.ReceiptError):
        receipts.apply(till.journal, jws.sign(payload, config_key, "jeonju-config-test", receipts.RECEIPT_TYP),
                       till.trust)


def test_rewritten_history_caught_by_receipts(tmp_path):
    """A wholesale rewrite with fresh hashes walks as a valid chain but not against the receipts."""
    till = vector_till(tmp_path / "till")
    receipts.apply(till.journal, VECTORS["receipt"]["jws"], till.trust)
    rows = [dict(e) for e in VECTORS["chain"]]
    rows[0]["amount"] = 1000
    prev = ZERO_HASH
    for e in rows:
        e["prev"] = prev
        e["hash"] = prev = entry_hash(e)
    till.journal._conn.execute("PRAGMA foreign_keys=OFF")
    till.journal._conn.execute("DROP TRIGGER entries_no_delete")
    till.journal._conn.execute("DELETE FROM entries")
    insert_rows(till.journal, rows)
    assert till.journal.verify().ok
    problems = receipts.verify_against_receipts(till.journal, till.trust)
    assert problems == [{"seq": 3, "problem": "entry differs from what the city signed in its receipt"}]


def test_statuses_show_in_history(tmp_path):
    till = vector_till(tmp_path / "till")
    receipts.apply(till.journal, VECTORS["receipt"]["jws"], till.trust)
    assert [r["status"] for r in history(till.journal, "2026-01-01")] == ["settled"] * 3
