"""What hangs off the till, wired to its events: the receipt printer's queue, the cash drawer, the customer display.

Payment outcomes come from the core bridge (``payment_accepted`` / ``payment_declined``: the one
place results are delivered); the typed amount from the pay tab. Printing goes through
:class:`terminal.print_queue.PrintQueue` on its own thread, so a printer can only ever warn.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from terminal import messages
from terminal.catalog import ntr, tr
from ui.bridge import CoreBridge
from ui.i18n import error_lines
from ui.operations import TillOp
from ui.preferences import Preferences

if TYPE_CHECKING:
    from terminal.print_queue import PrintQueue
    from ui.customer_display import CustomerDisplay

log = logging.getLogger(__name__)

PDF_FOLDER = "receipts"  # inside the data directory, when no printer is set up


class Peripherals(QObject):
    """Owns the print queue and the customer display of one till window."""

    warned = Signal(str)  # "한국어 / English" warning for the cashier (also on the status bar)
    pdf_written = Signal(str)  # path of a receipt or report saved as PDF (no printer set up)

    def __init__(self, window, bridge: CoreBridge, parent: QObject | None = None):
        super().__init__(parent)
        self.window = window
        self.home = window.home
        self.queue: PrintQueue | None = None
        self.display: CustomerDisplay | None = None
        bridge.payment_accepted.connect(self._accepted)
        bridge.payment_declined.connect(self._declined)
        bridge.print_failed.connect(self._print_failed)
        bridge.print_done.connect(self._print_done)
        window.built.connect(self._attach)
        window.preferences_applied.connect(self.apply)
        self._attach()
        self.apply(window.prefs)

    def _attach(self) -> None:
        pay_tab = self.window.pay_tab
        pay_tab.amount.textChanged.connect(lambda _text: self._amount_typed(pay_tab.amount_value()))
        self.window.history.receipt_requested.connect(self.reprint)
        self.window.report.print_requested.connect(self.print_report)

    def apply(self, prefs: Preferences) -> None:
        """Follow the settings: open, move or close the print queue and the customer display."""
        if prefs.printer:
            # The printing core (receipts, ESC/POS, the queue) is imported only on a till with a printer.
            from terminal.print_queue import PrintQueue
            from terminal.printers import PrintError

            try:
                if self.queue is None:
                    self.queue = PrintQueue(self.home, prefs.printer, paper_mm=prefs.paper_mm)
                    kept = self.queue.pending()
                    if kept:
                        self._warn(ntr("출력하지 못한 영수증 {n}건", "출력하지 못한 영수증 {n}건", len(kept)))
                else:
                    self.queue.configure(prefs.printer, prefs.paper_mm)
            except PrintError as exc:
                self._warn(str(exc))
        elif self.queue is not None:
            self.queue.close(0)  # its kept jobs stay on disk for the next printer
            self.queue = None
        if prefs.customer_display:
            self.open_customer_display()
        elif self.display is not None:
            self.display.close()
            self.display = None

    def open_customer_display(self) -> CustomerDisplay:
        """Show the customer display (on the second screen when there is one)."""
        if self.display is None:
            from ui.customer_display import CustomerDisplay  # only on a till that has one

            self.display = CustomerDisplay()
            self.display.show_amount(self.window.pay_tab.amount_value())
        self.display.open(self.window)
        return self.display

    # -- events ---------------------------------------------------------------------------

    def _amount_typed(self, amount: int | None) -> None:
        if self.display is not None:
            self.display.show_amount(amount)

    def _accepted(self, entry: dict) -> None:
        prefs = self.window.prefs
        if self.queue is not None:
            if prefs.drawer_kick:
                self.queue.kick_drawer()
            if prefs.auto_print:
                self.queue.print_receipt(entry["seq"])
        if self.display is not None:
            self.display.show_result(True, entry["amount"])

    def _declined(self, _reason: str, amount) -> None:
        if self.display is not None:
            self.display.show_result(False, amount)

    def _print_failed(self, job, code: str, message: str) -> None:
        # The status bar has room for the reason and what to do; the printer's own words go to the log.
        reason = messages.text(code)
        if job.kind == "drawer":
            self._warn(tr("금전함을 열지 못했습니다: {error}", error=reason), message)
        else:
            self._warn(tr("{error} — 거래 내역의 '영수증'으로 다시 출력하세요", error=reason), message)

    def _print_done(self, job) -> None:
        if job.kind == "receipt":
            self.window.status.showMessage(tr("영수증 출력 #{seq}", seq=job.seq), 5000)

    def _warn(self, text: str, detail: str = "") -> None:
        log.warning("%s%s", text, f" ({detail})" if detail else "")
        self.window.status.showMessage(f"⚠ {text}")
        self.warned.emit(text)

    # -- reprint ----------------------------------------------------------------------------

    def reprint(self, entry: dict | None) -> None:
        """The receipt of ``entry`` again: on the receipt printer, else through Qt (a system printer or a PDF)."""
        if not entry:
            return
        if self.queue is not None:
            self.queue.print_receipt(entry["seq"])
            return
        from terminal.receipt import build_receipt

        seq = entry["seq"]
        self._print_with_qt(lambda till: build_receipt(till.journal, till.config, seq).slip(), f"receipt-{seq}.pdf")

    def print_report(self, biz_date: str) -> None:
        """The Z report of ``biz_date``: on the receipt printer, else through Qt (a system printer or a PDF)."""
        if self.queue is not None:
            self.queue.print_report(biz_date)
            return
        from terminal.receipt import build_z_report

        self._print_with_qt(
            lambda till: build_z_report(till.journal, till.config, biz_date, int(till.clock() * 1000)).slip(),
            f"z-report-{biz_date}.pdf",
        )

    def _print_with_qt(self, make_slip, filename: str) -> None:
        TillOp(self.window.tasks, make_slip).success(lambda slip: self._qt_print(slip, filename)).failure(
            lambda exc: self._warn(error_lines(exc, " / "))
        ).run()

    def _qt_print(self, slip, filename: str) -> None:
        from ui.receipt_pdf import has_system_printer, print_with_dialog, write_pdf

        if has_system_printer():
            print_with_dialog(slip, self.window)
            return
        folder = Path(self.home.root) / PDF_FOLDER
        folder.mkdir(exist_ok=True)
        path = write_pdf(slip, folder / filename)
        self.window.status.showMessage(tr("PDF 저장: {path}", path=path), 15000)
        self.pdf_written.emit(str(path))

    def close(self) -> None:
        """Stop the print worker (jobs not printed stay kept) and close the customer display."""
        if self.queue is not None:
            self.queue.close(0)
        if self.display is not None:
            self.display.close()
