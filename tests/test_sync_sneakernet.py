"""Sneakernet: export to a file, upload from another machine, import the receipt on the till."""

import json

from conftest import jtill
from helpers_sync import assert_agree, enroll_till, pay
from sync.receipts import RECEIPT_TYP
from terminal import jws
from terminal.catalog import tr
from terminal.report import history


def receipt_results(path) -> list[tuple]:
    """``(seq, status, reason)`` of every result in a receipt file, in order (signatures not checked)."""
    return [(r["seq"], r["status"], r.get("reason"))
            for line in path.read_text().splitlines()
            for r in jws.parse(line, RECEIPT_TYP).payload["results"]]


def test_usb_round_trip(tmp_path, served):
    city, handle = served
    till = enroll_till(tmp_path / "till", city, handle.url)
    for wid in ("W-ALICE01", "W-POOR001"):
        pay(till, city, wid, 3000)
    home = tmp_path / "till"
    stick = tmp_path / "usb" / "batch.jws"
    stick.parent.mkdir()
    out = json.loads(jtill("--json", "export-batch", "--out", stick, home=home).stdout)
    assert (out["batches"], out["entries"]) == (1, 2)
    assert [r["status"] for r in history(till.journal)] == ["sent", "sent"]

    # Uploaded twice (a nervous owner): same statuses both times.
    receipts = [tmp_path / "usb" / f"receipt-{n}.jws" for n in (1, 2)]
    for receipt in receipts:
        jtill("upload", stick, "--server", handle.url, "--out", receipt)
    first, second = (receipt_results(receipt) for receipt in receipts)
    assert first == second == [(1, "settled", None), (2, "rejected", "insufficient_funds")]
    result = json.loads(jtill("--json", "import-receipt", receipts[1], home=home).stdout)
    assert result == {"receipts": 1, "settled": 1, "rejected": [{"seq": 2, "reason": "insufficient_funds"}]}
    assert [r["status"] for r in history(till.journal)] == ["settled", "rejected"]
    assert_agree(city, till)
    assert tr("보낼 거래가 없습니다") in jtill("export-batch", "--out", stick, home=home).stdout


def test_receipt_of_another_till_refused(tmp_path, served):
    city, handle = served
    a = enroll_till(tmp_path / "a", city, handle.url)
    enroll_till(tmp_path / "b", city, handle.url)
    pay(a, city)
    jtill("export-batch", "--out", tmp_path / "a.jws", home=tmp_path / "a")
    jtill("upload", tmp_path / "a.jws", "--server", handle.url, "--out", tmp_path / "a.receipt")
    proc = jtill("import-receipt", tmp_path / "a.receipt", home=tmp_path / "b", check=False)
    assert proc.returncode == 1 and "T-000001" in proc.stderr
