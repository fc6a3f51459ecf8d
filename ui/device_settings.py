"""The settings for what hangs off the till: receipt printer, cash drawer, customer display."""

from __future__ import annotations

import dataclasses

from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from terminal.catalog import tr
from terminal.printers import PrintError, parse_printer_uri
from ui.preferences import Preferences


class DeviceSettings(QGroupBox):
    """Printer URI, paper width, auto-print, drawer kick and the customer display, as one group of the settings."""

    def __init__(self, prefs: Preferences, parent: QWidget | None = None):
        super().__init__(tr("영수증 · 금전함 · 고객 화면"), parent)
        self.printer = QLineEdit(prefs.printer, placeholderText="tcp://192.168.0.50:9100")
        self.printer_error = QLabel(objectName="inlineError", wordWrap=True)
        self.paper = QComboBox()
        for mm in (80, 58):
            self.paper.addItem(f"{mm} mm", mm)
        self.paper.setCurrentIndex(max(0, self.paper.findData(prefs.paper_mm)))
        self.auto_print = QCheckBox(tr("결제 승인 시 영수증 자동 출력"),
                                    checked=prefs.auto_print)
        self.drawer_kick = QCheckBox(tr("결제 승인 시 금전함 열기"),
                                     checked=prefs.drawer_kick)
        self.customer_display = QCheckBox(tr("고객 화면 표시"),
                                          checked=prefs.customer_display)
        form = QFormLayout(self)
        form.addRow(tr("영수증 프린터"), self.printer)
        form.addRow("", self.printer_error)
        form.addRow(tr("용지 폭"), self.paper)
        for box in (self.auto_print, self.drawer_kick, self.customer_display):
            form.addRow("", box)

    def problem(self) -> str | None:
        """Why the printer address cannot be used (shown under it), or None."""
        uri = self.printer.text().strip()
        try:
            if uri:
                parse_printer_uri(uri)
        except PrintError as exc:
            self.printer_error.setText(str(exc))
            self.printer.setFocus()
            return str(exc)
        self.printer_error.clear()
        return None

    def applied(self, prefs: Preferences) -> Preferences:
        """``prefs`` with this group's values."""
        return dataclasses.replace(
            prefs, printer=self.printer.text().strip(), paper_mm=self.paper.currentData(),
            auto_print=self.auto_print.isChecked(), drawer_kick=self.drawer_kick.isChecked(),
            customer_display=self.customer_display.isChecked(),
        )
