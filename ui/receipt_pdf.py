"""Receipts and Z reports through Qt's printing: a PDF file, or a real printer chosen in ``QPrintDialog``."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import QWidget

from terminal.catalog import tr
from terminal.receipt import RULE, Slip
from ui.qr_widget import qr_matrix
from ui.style import FONT_FAMILIES

PAGE_WIDTH_MM = 80  # a receipt roll's width, so the PDF reads like the paper slip
MARGIN_MM = 4
ROW_MM = 5.2
QR_MM = 34


def _page_height_mm(slip: Slip) -> float:
    return 2 * MARGIN_MM + 26 + ROW_MM * (len(slip.rows) + 2) + (QR_MM + 4 if slip.qr else 0) + 10


def _font(point_size: float, bold: bool = False) -> QFont:
    font = QFont()
    # Latin and digits from DejaVu Sans: drawn from the CJK font, some of them get no text-layer
    # mapping in Qt's PDF (pdftotext and searching lose "0042" in "M-0042"); Hangul falls back.
    font.setFamilies(["DejaVu Sans", *FONT_FAMILIES])
    font.setFeature(QFont.Tag("liga"), 0)  # ids and hashes must read back letter by letter ("ff", not "ﬀ")
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def paint_slip(painter: QPainter, slip: Slip, area: QRectF) -> None:
    """Draw ``slip`` top-down inside ``area`` (device pixels): title, heading, rows, QR, footer."""
    mm = area.width() / (PAGE_WIDTH_MM - 2 * MARGIN_MM)  # device pixels per millimetre of the slip
    y = area.top()

    def text_line(text: str, size: float, height_mm: float, align=Qt.AlignHCenter, bold=False) -> None:
        nonlocal y
        painter.setFont(_font(size, bold))
        painter.drawText(QRectF(area.left(), y, area.width(), height_mm * mm), align | Qt.AlignVCenter, text)
        y += height_mm * mm

    def rule() -> None:
        nonlocal y
        painter.drawLine(int(area.left()), int(y + mm), int(area.right()), int(y + mm))
        y += 2 * mm

    text_line(slip.title, 14, 10, bold=True)
    text_line(slip.heading, 9, 6)
    rule()
    for row in slip.rows:
        if row is RULE:
            rule()
            continue
        height = ROW_MM * (1.6 if row.big else 1)
        size = 12 if row.big else 7.5
        start = y
        text_line(row.label, size, height, Qt.AlignLeft, row.big)
        y = start
        text_line(row.value, size, height, Qt.AlignRight, row.big)
    rule()
    if slip.qr:
        matrix = qr_matrix(slip.qr)
        box = QR_MM * mm / len(matrix)
        left = area.center().x() - QR_MM * mm / 2
        for r, line in enumerate(matrix):
            for c, dark in enumerate(line):
                if dark:
                    painter.fillRect(QRectF(left + c * box, y + r * box, box + 0.5, box + 0.5), QColor(Qt.black))
        y += (QR_MM + 2) * mm
    text_line(slip.footer, 9, 7)


def _paint(printer: QPrinter, slip: Slip) -> None:
    painter = QPainter()
    if not painter.begin(printer):
        target = printer.outputFileName() or printer.printerName()
        raise OSError(tr("인쇄를 시작할 수 없습니다: {target}", target=target))
    try:
        painter.setRenderHint(QPainter.Antialiasing)
        paint = printer.pageLayout().paintRectPixels(printer.resolution())
        # The painter's origin is already the corner inside the margins: offsetting by them again put the
        # slip a margin too far right, its right-aligned values at the paper's edge.
        paint_slip(painter, slip, QRectF(0, 0, paint.width(), paint.height()))
    finally:
        painter.end()


def write_pdf(slip: Slip, path: str | os.PathLike) -> Path:
    """Write ``slip`` as a one-page PDF the width of a receipt roll; returns the path."""
    printer = QPrinter(QPrinter.HighResolution)
    printer.setOutputFormat(QPrinter.PdfFormat)
    printer.setOutputFileName(os.fspath(path))
    printer.setCreator("jtill")
    printer.setDocName(slip.heading)
    size = QPageSize(QSizeF(PAGE_WIDTH_MM, _page_height_mm(slip)), QPageSize.Millimeter, "receipt")
    printer.setPageLayout(QPageLayout(size, QPageLayout.Portrait, QMarginsF(*(MARGIN_MM,) * 4),
                                      QPageLayout.Millimeter))
    _paint(printer, slip)
    return Path(path)


def has_system_printer() -> bool:
    """True when the system has a printer installed (else a PDF file is the only Qt output)."""
    return bool(QPrinterInfo.availablePrinterNames())


def print_with_dialog(slip: Slip, parent: QWidget | None = None) -> QPrintDialog:
    """Open ``QPrintDialog`` (non-modal); the slip prints on the printer chosen when it is accepted."""
    printer = QPrinter(QPrinter.HighResolution)
    printer.setDocName(slip.heading)
    dialog = QPrintDialog(printer, parent)
    dialog.accepted.connect(lambda: _paint(printer, slip))
    dialog.open()
    return dialog
