"""PDF receipts and Z reports read back with pdftotext; ``jtill receipt`` and ``jtill report`` to printers and files."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from conftest import jtill, pay_now
from helpers_printer import refused_uri
from terminal import messages
from terminal.escpos import CUT, KOREA
from terminal.receipt import build_receipt, build_z_report

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="pdftotext (poppler-utils) is not installed")


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True,
                          timeout=60).stdout


def test_pdf_receipt_reads_back(qapp, till, tmp_path):
    from ui.receipt_pdf import write_pdf

    entry = pay_now(till, 12000).entry
    path = write_pdf(build_receipt(till.journal, till.config, entry["seq"]).slip("ko"), tmp_path / "r.pdf")
    text = pdf_text(path)
    for expected in ("한옥마을 비빔밥", "영수증", "결제", "12,000원", "M-0042", "T-000001", "W-7Q****2X",
                     entry["id"], entry["hash"][:16], "미전송", "감사합니다"):
        assert expected in text, expected
    assert entry["hash"][16:] not in text and entry["token"] not in text


def test_the_pdf_slip_keeps_its_margins_on_both_sides(qapp, till, tmp_path):
    """Right-aligned values end where the left labels begin, a margin in from the paper's edge."""
    from ui.receipt_pdf import MARGIN_MM, write_pdf

    entry = pay_now(till, 12000).entry
    path = write_pdf(build_receipt(till.journal, till.config, entry["seq"]).slip("ko"), tmp_path / "r.pdf")
    boxes = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True, check=True,
                           timeout=60).stdout
    page_width = float(re.search(r'<page width="([0-9.]+)"', boxes).group(1))
    words = [tuple(map(float, m)) for m in re.findall(r'<word xMin="([0-9.]+)" yMin="[0-9.]+" xMax="([0-9.]+)"', boxes)]
    left, right = min(x for x, _ in words), page_width - max(x for _, x in words)
    margin = MARGIN_MM * 72 / 25.4
    assert margin * 0.9 <= left and margin * 0.9 <= right and abs(left - right) < margin / 2, (left, right)


def test_pdf_z_report_reads_back(qapp, till, tmp_path):
    from ui.receipt_pdf import write_pdf

    paid = pay_now(till, 12000).entry
    pay_now(till, 3000)
    till.refund(paid["id"], 2000, "반품")
    till.close_day()
    rep = build_z_report(till.journal, till.config, "2026-01-01", int(till.clock() * 1000))
    text = pdf_text(write_pdf(rep.slip("ko"), tmp_path / "z.pdf"))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    for expected in ("Z 리포트 Z REPORT", "결제 2건 15,000원", "환불 1건 2,000원", "순매출 13,000원",
                     "상태 마감됨", "미전송 2건 15,000원"):
        assert expected in lines, (expected, lines)


def test_cli_receipt_text_pdf_and_printer(till, home, tmp_path, fake_printers):
    entry = pay_now(till, 12000).entry
    text = jtill("receipt", entry["seq"], home=home.root).stdout
    assert "영수증" in text and "12,000원" in text and "한옥마을 비빔밥" in text
    assert jtill("receipt", entry["seq"], "--text", "--paper", "58", home=home.root).stdout.count("=" * 32) == 2

    pdf = tmp_path / "receipt.pdf"
    out = json.loads(jtill("--json", "receipt", entry["seq"], "--pdf", pdf, home=home.root).stdout)
    assert out == {"status": "written", "pdf": str(pdf), "seq": entry["seq"]}
    assert "12,000원" in pdf_text(pdf)

    printer = fake_printers()
    jtill("receipt", entry["seq"], "--printer", printer.uri, home=home.root)
    data = printer.wait_jobs(1)[0]
    assert KOREA in data and "12,000원".encode("euc_kr") in data and data.count(CUT) == 1


def test_cli_report_pdf_and_printer(till, home, tmp_path, fake_printers):
    pay_now(till, 12000)
    pdf = tmp_path / "z.pdf"
    jtill("report", "--date", "2026-01-01", "--pdf", pdf, home=home.root)
    assert "12,000원" in pdf_text(pdf) and "Z 리포트" in pdf_text(pdf)
    printer = fake_printers()
    jtill("report", "--date", "2026-01-01", "--printer", printer.uri, "--paper", "58", home=home.root)
    assert "결제 1건".encode("euc_kr") in printer.wait_jobs(1)[0]
    plain = jtill("report", "--date", "2026-01-01", home=home.root).stdout
    assert "Z 리포트" in plain  # without an output option, the report is the text it always was


def test_cli_unreachable_printer_exits_1_in_the_till_language(till, home):
    entry = pay_now(till, 12000).entry
    proc = jtill("receipt", entry["seq"], "--printer", refused_uri(), home=home.root, check=False)
    assert proc.returncode == 1 and proc.stderr.startswith(f"jtill: {messages.text('printer_unreachable', 'ko')} (")
    proc = jtill("receipt", entry["seq"], "--printer", refused_uri(), home=home.root, check=False,
                 env={"JTILL_LANG": "en"})
    assert proc.returncode == 1 and proc.stderr.startswith(f"jtill: {messages.text('printer_unreachable', 'en')} (")
    proc = jtill("--json", "receipt", 99, home=home.root, check=False)
    assert proc.returncode == 1 and json.loads(proc.stdout)["error"] == "no_such_entry"
    proc = jtill("receipt", entry["seq"], "--printer", "lpt1", home=home.root, check=False)
    assert proc.returncode == 1 and "프린터 주소가 잘못되었습니다" in proc.stderr
