"""Sneakernet: export to a file, upload from another machine, import the receipt on the till."""

import json

from conftest import jtill
from helpers_sync import assert_agree, enroll_till, pay
from terminal.report import history


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
    for _ in range(2):
        jtill("upload", stick, "--server", handle.url, "--out", tmp_path / "usb" / "receipt.jws")
    result = json.loads(jtill("--json", "import-receipt", tmp_path / "usb" / "receipt.jws", home=home).stdout)
    assert result == {"receipts": 1, "settled": 1, "rejected": [{"seq": 2, "reason": "insufficient_funds"}]}
    assert [r["status"] for r in history(till.journal)] == ["settled", "rejected"]
    assert_agree(city, till)
    assert "nothing" in jtill("export-batch", "--out", stick, home=home).stdout


def test_receipt_of_another_till_refused(tmp_path, served):
    city, handle = served
    a = enroll_till(tmp_path / "a", city, handle.url)
    enroll_till(tmp_path / "b", city, handle.url)
    pay(a, city)
    jtill("export-batch", "--out", tmp_path / "a.jws", home=tmp_path / "a")
    jtill("upload", tmp_path / "a.jws", "--server", handle.url, "--out", tmp_path / "a.receipt")
    proc = jtill("import-receipt", tmp_path / "a.receipt", home=tmp_path / "b", check=False)
    assert proc.returncode == 1 and "T-000001" in proc.stderr
