"""Receipts to ESC/POS bytes, sent to a real TCP listener on 127.0.0.1 standing in for a network printer."""

from __future__ import annotations

import json
import re
import threading

import pytest

from conftest import pay_now, settle, signed_config
from helpers_printer import refused_uri
from terminal import catalog, escpos, events, operators, printers
from terminal.print_queue import STORE, PrintQueue
from terminal.printers import PrintError
from terminal.receipt import ReceiptError, build_receipt, build_z_report, render_text

MERCHANT = "한옥마을 비빔밥"
HANGUL = re.compile("[\uac00-\ud7a3]")


def receipt_bytes(till, seq, paper_mm=80) -> bytes:
    return escpos.encode_slip(build_receipt(till.journal, till.config, seq).slip(), paper_mm)


def qr_data(data: bytes) -> bytes:
    """The data stored by the printer's QR command (GS ( k, fn 80)."""
    match = re.search(rb"\x1d\(k(..)1P0", data, re.DOTALL)
    assert match, "no QR store command"
    length = int.from_bytes(match.group(1), "little") - 3
    return data[match.end(): match.end() + length]


def text_runs(data: bytes) -> str:
    """The EUC-KR text a printer would print (commands and raster data stripped)."""
    data = re.sub(rb"\x1dv0\x00(..)(..)", b"", data)  # headers only: tests look for text, not in images
    return data.decode("euc_kr", errors="replace")


def test_receipt_has_exactly_the_listed_fields(till):
    entry = pay_now(till, 12000).entry
    receipt = build_receipt(till.journal, till.config, entry["seq"])
    assert (receipt.merchant_name, receipt.merchant_id, receipt.tid) == (MERCHANT, "M-0042", "T-000001")
    assert receipt.kind == "payment" and receipt.amount == 12000 and receipt.seq == entry["seq"]
    assert receipt.biz_date == "2026-01-01" and receipt.local_time == "2026-01-01 09:00:00"
    assert receipt.wallet == "W-7Q****2X" and entry["wid"] not in json.dumps(receipt.__dict__)
    assert receipt.operator == "owner" and receipt.operator_name is None
    assert (receipt.operator_shown("ko"), receipt.operator_shown("en")) == ("사장", "owner")  # no operators yet
    assert receipt.entry_id == entry["id"] and receipt.hash16 == entry["hash"][:16]
    assert receipt.status == "pending"
    assert entry["id"] in receipt.qr and entry["hash"] in receipt.qr
    assert entry["token"] not in json.dumps(receipt.__dict__)
    settle(till, entry["seq"])
    assert build_receipt(till.journal, till.config, entry["seq"]).status == "settled"


def test_the_receipt_names_the_registered_operator(till):
    operators.add(till.journal, "owner", "김사장", "owner", "1234", now_ms=int(till.clock() * 1000))
    receipt = build_receipt(till.journal, till.config, pay_now(till, 5000).entry["seq"])
    assert receipt.operator_name == "김사장" and "김사장" in render_text(receipt.slip())


def test_refund_and_close_receipts(till):
    paid = pay_now(till, 12000).entry
    refund = till.refund(paid["id"], 2000, "반품")
    r = build_receipt(till.journal, till.config, refund["seq"])
    assert r.kind == "refund" and r.amount == 2000 and r.wallet == "W-7Q****2X"
    close = till.close_day()
    c = build_receipt(till.journal, till.config, close["seq"])
    assert c.kind == "close" and c.amount == 10000 and c.wallet is None
    text = render_text(c.slip("ko"))
    assert "영업 마감 DAY CLOSE" in text and "순매출" in text and "10,000원" in text


def test_unknown_seq_is_a_clear_error(till):
    with pytest.raises(ReceiptError) as err:
        build_receipt(till.journal, till.config, 99)
    assert err.value.code == "no_such_entry" and str(err.value).startswith("해당 거래가 없습니다")


def test_plain_text_receipt_is_korean_and_fits_the_paper(till):
    entry = pay_now(till, 12000).entry
    slip = build_receipt(till.journal, till.config, entry["seq"]).slip("ko")
    for paper, columns in ((58, 32), (80, 48)):
        text = render_text(slip, paper)
        assert "영수증 RECEIPT" in text and MERCHANT in text and "12,000원" in text and "결제" in text
        assert "가맹점 번호" in text and "감사합니다 Thank you" in text
        assert all(escpos_width(line) <= columns for line in text.splitlines() if not line.startswith("QR:"))


def test_an_english_till_prints_english_labels_under_the_bilingual_heading(till, monkeypatch):
    catalog.set_language("en")
    entry = pay_now(till, 12000).entry
    slip = build_receipt(till.journal, till.config, entry["seq"]).slip()
    assert (slip.heading, slip.footer) == ("영수증 RECEIPT", "감사합니다 Thank you")
    labels = [row.label for row in slip.rows if row is not None]
    assert labels[0] == catalog.ptr("receipt", "가맹점 번호", "en") and not any(HANGUL.search(t) for t in labels)
    assert catalog.tr("결제", "en") in [row.value for row in slip.rows if row is not None]
    close = build_receipt(till.journal, till.config, till.close_day()["seq"]).slip()
    assert close.heading == "영업 마감 DAY CLOSE"
    z = build_z_report(till.journal, till.config, "2026-01-01", int(till.clock() * 1000)).slip()
    assert z.heading == "Z 리포트 Z REPORT" and not any(HANGUL.search(row.label) for row in z.rows if row is not None)
    for paper, columns in ((58, 32), (80, 48)):
        text = render_text(slip, paper)
        assert all(escpos_width(line) <= columns for line in text.splitlines() if not line.startswith("QR:"))


def escpos_width(line: str) -> int:
    from terminal.receipt import width

    return width(line)


def test_network_printer_gets_korean_text_qr_and_cut(till, fake_printers):
    printer = fake_printers()
    entry = pay_now(till, 12000).entry
    printers.send(printer.uri, receipt_bytes(till, entry["seq"]))
    (data,) = printer.wait_jobs(1)
    assert data.startswith(escpos.PAPER_STATUS + escpos.INIT + escpos.KOREA + escpos.DOUBLE_BYTE_ON)
    assert b"\x1bR\x0d" in data  # ESC R 13: the Korea character set
    assert MERCHANT.encode("euc_kr") in data and "12,000원".encode("euc_kr") in data
    printed = text_runs(data)
    assert MERCHANT in printed and "12,000원" in printed and "영수증" in printed
    assert qr_data(data) == f"jtill-entry:{entry['id']}:{entry['hash']}".encode()
    assert data.count(escpos.CUT) == 1 and data.rindex(escpos.CUT) > data.rindex(b"\x1d(k")
    assert escpos.RASTER not in data  # everything here is in KS X 1001: no images needed
    assert b"?" not in data.replace(qr_data(data), b"")


@pytest.mark.parametrize("name", ["똠양꿍 식당", "뷁 분식"])
def test_syllables_outside_ks_x_1001_print_as_an_image_line(home, clock, fake_printers, name):
    from terminal.checkout import Till

    till = Till(home, clock=clock)
    try:
        till.import_config(signed_config(ver=2, merchant={"id": "M-0042", "name": name, "category": "food"}))
        entry = pay_now(till, 12000).entry
        data = receipt_bytes(till, entry["seq"])
    finally:
        till.close()
    printer = fake_printers()
    printers.send(printer.uri, data)
    (received,) = printer.wait_jobs(1)
    assert name.encode("cp949") not in received  # never sent as CP949 text
    assert name.encode("euc_kr") not in received  # nor as the 8-byte composition sequences
    image = escpos.encode_line(escpos.Line(name, center=True, big=True), escpos.PAPER_DOTS[80])
    assert image.startswith(escpos.ALIGN[False] + escpos.RASTER) and image in received
    header = image[len(escpos.ALIGN[False] + escpos.RASTER):][:4]
    width_bytes, rows = int.from_bytes(header[:2], "little"), int.from_bytes(header[2:], "little")
    assert (width_bytes, rows) == (72, 48)
    bits = image[-width_bytes * rows:]
    assert sum(b.bit_count() for b in bits) > 200  # glyphs were drawn, not a blank strip
    assert "?" not in text_runs(received.split(escpos.RASTER)[0])
    assert "12,000원".encode("euc_kr") in received  # the rest of the receipt is still text


def test_58_and_80_mm_paper(till):
    entry = pay_now(till, 12000).entry
    narrow, wide = receipt_bytes(till, entry["seq"], 58), receipt_bytes(till, entry["seq"], 80)
    assert b"=" * 32 + b"\n" in narrow and b"=" * 33 not in narrow
    assert b"=" * 48 + b"\n" in wide
    line = escpos.encode_line(escpos.Line("똠"), escpos.PAPER_DOTS[58])
    assert line[len(escpos.ALIGN[False] + escpos.RASTER):][:2] == (48).to_bytes(2, "little")


def test_no_cjk_font_is_a_clear_error_not_question_marks(till, monkeypatch):
    monkeypatch.setenv(escpos.FONT_ENV, "/nonexistent/font.ttc")
    escpos.cjk_font_file.cache_clear()
    escpos._font.cache_clear()
    try:
        with pytest.raises(ReceiptError) as err:
            escpos.encode_line(escpos.Line("똠"), 576)
        assert err.value.code == "no_cjk_font" and "글꼴" in str(err.value)
        assert escpos.encode_line(escpos.Line("가"), 576).endswith("가".encode("euc_kr") + b"\n" + escpos.SIZE[False])
    finally:
        monkeypatch.delenv(escpos.FONT_ENV)
        escpos.cjk_font_file.cache_clear()
        escpos._font.cache_clear()


def test_z_report_bytes(till, fake_printers):
    pay_now(till, 12000)
    pay_now(till, 3000)
    till.close_day()
    rep = build_z_report(till.journal, till.config, "2026-01-01", int(till.clock() * 1000))
    printer = fake_printers()
    printers.send(printer.uri, escpos.encode_slip(rep.slip(), 58))
    printed = text_runs(printer.wait_jobs(1)[0])
    assert "Z 리포트" in printed and "결제 2건" in printed and "15,000원" in printed and "마감됨" in printed


def test_drawer_kick_bytes(fake_printers):
    printer = fake_printers()
    printers.send(printer.uri, escpos.drawer_kick())
    assert printer.wait_jobs(1)[0].count(b"\x1bp\x00") == 1


def test_bad_uris_are_refused():
    for uri in ("lpt1", "tcp://", "usb://04b8", "usb://zz:01", "http://printer", "serial://"):
        with pytest.raises(PrintError) as err:
            printers.parse_printer_uri(uri)
        assert err.value.code == "bad_printer_uri"
    assert printers.parse_printer_uri("tcp://10.0.0.5").port == 9100
    assert printers.parse_printer_uri("usb://04b8:0202").target == "04b8:0202"
    assert printers.parse_printer_uri("serial:///dev/ttyUSB0?baud=9600").baud == 9600


def test_file_printer(tmp_path):
    out = tmp_path / "lp0"
    printers.send(f"file://{out}", escpos.drawer_kick())
    assert out.read_bytes() == escpos.drawer_kick()


def test_refused_stalled_and_paper_out_are_named(fake_printers):
    with pytest.raises(PrintError) as err:
        printers.send(refused_uri(), b"x", timeout=2)
    assert err.value.code == "printer_unreachable"
    with pytest.raises(PrintError) as err:
        printers.send(fake_printers("stall").uri, b"x" * 1000, timeout=0.5)
    assert err.value.code == "printer_stalled"
    paper_out = fake_printers("paper_out")
    with pytest.raises(PrintError) as err:
        printers.send(paper_out.uri, b"RECEIPT", timeout=2)
    assert err.value.code == "printer_paper_out"
    assert b"RECEIPT" not in b"".join(paper_out.wait_jobs(1))  # refused before anything printed


# -- the queue ---------------------------------------------------------------------------------

class Events:
    """Collects print_done / print_failed core events."""

    def __init__(self):
        self.done, self.failed = [], []
        self.changed = threading.Condition()
        events.register_callback("print_done", self._done)
        events.register_callback("print_failed", self._failed)

    def _done(self, job):
        with self.changed:
            self.done.append(job)
            self.changed.notify_all()

    def _failed(self, job, code, message):
        with self.changed:
            self.failed.append((job, code, message))
            self.changed.notify_all()

    def wait(self, predicate, timeout=15):
        with self.changed:
            assert self.changed.wait_for(predicate, timeout), (self.done, self.failed)

    def close(self):
        events.unregister_callback(self._done)
        events.unregister_callback(self._failed)


@pytest.fixture
def print_events():
    collector = Events()
    yield collector
    collector.close()


@pytest.mark.parametrize("fault", ["refused", "stall", "paper_out"])
def test_a_failing_printer_leaves_the_payment_warns_and_keeps_the_job(home, till, fake_printers, print_events,
                                                                        fault):
    uri = refused_uri() if fault == "refused" else fake_printers(fault).uri
    queue = PrintQueue(home, uri, timeout=0.5)
    try:
        paid = pay_now(till, 12000)
        assert paid.accepted
        queue.print_receipt(paid.entry["seq"])
        print_events.wait(lambda: print_events.failed)
        (job, code, message), = print_events.failed
        assert job.seq == paid.entry["seq"]
        assert code == {"refused": "printer_unreachable", "stall": "printer_stalled",
                        "paper_out": "printer_paper_out"}[fault]
        assert message.split(" / ")[0]  # Korean first
        assert till.journal.entry(paid.entry["seq"]) == paid.entry and till.journal.verify().ok
        assert [(j.seq, j.error) for j in queue.pending()] == [(paid.entry["seq"], code)]
    finally:
        queue.close(10)
    stored = json.loads((home.root / STORE).read_text())
    assert stored["jobs"][0]["seq"] == paid.entry["seq"]


def test_a_kept_job_survives_a_restart_and_reprints_once(home, till, fake_printers, print_events):
    paid = pay_now(till, 12000).entry
    queue = PrintQueue(home, refused_uri(), timeout=0.5)
    queue.print_receipt(paid["seq"])
    queue.print_receipt(paid["seq"])  # asked twice: still one job
    print_events.wait(lambda: len(print_events.failed) == 2)
    queue.close(10)

    printer = fake_printers()
    restarted = PrintQueue(home, printer.uri, timeout=2)
    try:
        assert [j.seq for j in restarted.pending()] == [paid["seq"]]
        restarted.reprint_pending()
        print_events.wait(lambda: print_events.done)
        data = printer.wait_jobs(1)[0]
        assert qr_data(data) == f"jtill-entry:{paid['id']}:{paid['hash']}".encode()
        assert restarted.pending() == []
    finally:
        restarted.close(10)
    assert json.loads((home.root / STORE).read_text()) == {"jobs": []}


def test_a_stalled_printer_does_not_hold_the_next_payment(home, till, fake_printers, print_events):
    queue = PrintQueue(home, fake_printers("stall").uri, timeout=1)
    try:
        first = pay_now(till, 1000).entry
        queue.print_receipt(first["seq"])
        second = pay_now(till, 2000)  # while the worker waits on the stalled printer
        assert second.accepted and not print_events.failed
        queue.print_receipt(second.entry["seq"])
        print_events.wait(lambda: len(print_events.failed) == 2)
        assert sorted(j.seq for j in queue.pending()) == [first["seq"], second.entry["seq"]]
    finally:
        queue.close(10)


def test_drawer_kicks_are_never_kept(home, print_events):
    queue = PrintQueue(home, refused_uri(), timeout=0.5)
    try:
        queue.kick_drawer()
        print_events.wait(lambda: print_events.failed)
        assert queue.pending() == []
    finally:
        queue.close(10)


def test_a_bad_printer_uri_is_refused_up_front(home):
    with pytest.raises(PrintError):
        PrintQueue(home, "lpt1:")


def test_serial_printer_on_a_pty(till):
    """``serial://`` through pyserial, against a pseudo-terminal playing the printer."""
    import os
    import select

    entry = pay_now(till, 12000).entry
    master, slave = os.openpty()
    received = bytearray()
    stop = threading.Event()

    def printer_side():
        answered = 0
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            received.extend(os.read(master, 65536))
            while received.count(escpos.PAPER_STATUS) > answered:
                answered += 1
                os.write(master, bytes([0x12]))

    thread = threading.Thread(target=printer_side, daemon=True)
    thread.start()
    try:
        printers.send(f"serial://{os.ttyname(slave)}?baud=9600", receipt_bytes(till, entry["seq"]), timeout=3)
        # The printer answered the status question sent after the job: it has read the whole job.
        assert "12,000원".encode("euc_kr") in received and escpos.CUT in received
    finally:
        stop.set()
        thread.join(5)
        os.close(slave)
        os.close(master)


def test_serial_printer_that_never_answers_is_stalled():
    import os

    master, slave = os.openpty()
    try:
        with pytest.raises(PrintError) as err:
            printers.send(f"serial://{os.ttyname(slave)}", b"x", timeout=0.5)
        assert err.value.code == "printer_stalled"
    finally:
        os.close(slave)
        os.close(master)
