"""``jtill receipt`` and the printing options of ``jtill report``: ESC/POS printer, PDF file or plain text."""

from __future__ import annotations

import os

from cli.output import command, emit, open_till
from terminal.catalog import tr
from terminal.receipt import PAPER_COLUMNS, Slip, build_receipt, render_text


def add_output_options(parser, *, text: bool) -> None:
    """``--printer URI | --pdf FILE`` (and ``--text`` when ``text``), plus ``--paper``."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--printer", metavar="URI",
                       help=tr("ESC/POS 프린터: tcp://HOST:9100, usb://VID:PID, serial:///dev/…, file:///path"))
    group.add_argument("--pdf", metavar="FILE", help=tr("PDF 파일로 저장"))
    if text:
        group.add_argument("--text", action="store_true", help=tr("표준 출력에 텍스트로 (기본)"))
    parser.add_argument("--paper", type=int, choices=sorted(PAPER_COLUMNS), default=80,
                        help=tr("용지 폭 mm (기본 80)"))


def register(sub) -> None:
    """Add ``receipt``."""
    p = command(sub, "receipt", tr("영수증 출력"), cmd_receipt)
    p.add_argument("seq", type=int, help=tr("거래 번호 seq (jtill history 참고)"))
    add_output_options(p, text=True)


def output(args, slip: Slip, what: dict) -> None:
    """Send ``slip`` where the options say: a printer, a PDF file, or stdout as text."""
    if args.printer:
        from terminal.escpos import encode_slip
        from terminal.printers import send

        send(args.printer, encode_slip(slip, args.paper))
        emit(args, {"status": "printed", "printer": args.printer, **what},
             tr("출력했습니다: {printer}", printer=args.printer))
    elif args.pdf:
        write_pdf(slip, args.pdf)
        emit(args, {"status": "written", "pdf": args.pdf, **what}, tr("PDF 저장: {file}", file=args.pdf))
    else:
        emit(args, {"status": "ok", "text": render_text(slip, args.paper), **what}, render_text(slip, args.paper))


def write_pdf(slip: Slip, path: str) -> None:
    """The PDF through Qt's printing, without a screen (Qt is imported only here)."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # the command line never shows a window
    from PySide6.QtGui import QGuiApplication

    from ui.receipt_pdf import write_pdf as qt_write_pdf

    _app = QGuiApplication.instance() or QGuiApplication(["jtill"])
    qt_write_pdf(slip, path)


def cmd_receipt(args) -> int:
    till = open_till(args)
    slip = build_receipt(till.journal, till.config, args.seq).slip()
    output(args, slip, {"seq": args.seq})
