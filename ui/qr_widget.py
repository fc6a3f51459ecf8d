"""A QR code painted from the ``qrcode`` module matrix with QPainter: crisp at any size."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

BORDER_MODULES = 4  # the quiet zone scanners need


def qr_matrix(text: str) -> list[list[bool]]:
    """The module matrix of ``text`` (quiet zone included)."""
    qr = qrcode.QRCode(border=BORDER_MODULES, error_correction=qrcode.constants.ERROR_CORRECT_L)
    qr.add_data(text)
    qr.make(fit=True)
    return qr.get_matrix()


class QRWidget(QWidget):
    """Shows the QR code of :meth:`set_data` as large as the widget allows, on white."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setMinimumSize(200, 200)
        self.text = ""
        self.matrix: list[list[bool]] = []
        self.set_data(text)

    def set_data(self, text: str) -> None:
        """Show the code for ``text`` (empty: a blank square)."""
        self.text = text
        self.matrix = qr_matrix(text) if text else []
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(360, 360)

    def paintEvent(self, _event) -> None:
        painter = QPainter(self)
        side = min(self.width(), self.height())
        left, top = (self.width() - side) / 2, (self.height() - side) / 2
        painter.fillRect(QRectF(left, top, side, side), Qt.white)
        if self.matrix:
            n = len(self.matrix)
            # Whole pixels per module keep every module the same width, so cameras read it reliably.
            box = max(1, int(side // n))
            offset_x = left + (side - box * n) / 2
            offset_y = top + (side - box * n) / 2
            black = QColor(Qt.black)
            for r, row in enumerate(self.matrix):
                for c, dark in enumerate(row):
                    if dark:
                        painter.fillRect(QRectF(offset_x + c * box, offset_y + r * box, box, box), black)
        painter.end()
