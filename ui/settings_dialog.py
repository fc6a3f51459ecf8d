"""Settings: which camera scans, which city server to sync with, Korean or English labels, and above which
amount a charge asks for confirmation."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from terminal.catalog import LANGUAGE_NAMES, LANGUAGES, tr
from ui.amount_input import AmountField
from ui.camera_scanner import NO_CAMERA
from ui.device_settings import DeviceSettings
from ui.preferences import Preferences, server_url_problem


def camera_choices() -> list[tuple[str, str]]:
    """``(device id in hex, description)`` of each camera (Qt Multimedia is imported only here)."""
    from ui.camera_scanner import CameraScanner

    return [(device_id.hex(), name) for device_id, name in CameraScanner.cameras()]


class SettingsDialog(QDialog):
    """Edits a copy of the preferences; :meth:`preferences` returns the edited copy after ``accept``."""

    def __init__(self, prefs: Preferences, enrolled_url: str | None, parent: QWidget | None = None,
                 cameras: list[tuple[str, str]] | None = None):
        super().__init__(parent)
        self.setWindowTitle(tr("설정"))
        cameras = camera_choices() if cameras is None else cameras
        self.camera = QComboBox(enabled=bool(cameras))
        self.camera.addItem(tr("카메라 사용 안 함"), "")
        for device_id, name in cameras:
            self.camera.addItem(name, device_id)
        self.camera.setCurrentIndex(max(0, self.camera.findData(prefs.camera)))
        self.no_camera = QLabel(objectName="noCamera", wordWrap=True)
        if not cameras:
            self.no_camera.setText(tr(NO_CAMERA))
        self.server = QLineEdit(prefs.server_url, placeholderText=enrolled_url or "https://…")
        self.server_error = QLabel(objectName="inlineError", wordWrap=True)
        self.language = QComboBox()
        for lang in LANGUAGES:
            self.language.addItem(LANGUAGE_NAMES[lang], lang)
        self.language.setCurrentIndex(max(0, self.language.findData(prefs.language)))
        self.confirm_over = AmountField(objectName="confirmOver")
        self.confirm_over.setValue(prefs.confirm_over)
        form = QFormLayout()
        form.addRow(tr("카메라"), self.camera)
        form.addRow(self.no_camera)  # the whole width: wrapped in the field column it was cut off
        form.addRow(tr("서버 주소"), self.server)
        form.addRow("", self.server_error)
        form.addRow("", QLabel(tr("비워 두면 등록한 서버를 씁니다")))
        form.addRow(tr("언어"), self.language)
        form.addRow(tr("확인이 필요한 결제 (원 초과)"), self.confirm_over)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.devices = DeviceSettings(prefs)
        # Side by side: stacked, the dialog outgrew a small tablet's screen and squeezed controls below 44 px.
        columns = QHBoxLayout()
        columns.addLayout(form, 1)
        columns.addWidget(self.devices, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(buttons)

    def accept(self) -> None:
        """Close with the edited values, unless the server URL is unusable: then say why and stay open."""
        problem = server_url_problem(self.server.text().strip())
        if problem:
            self.server_error.setText(problem)
            self.server.setFocus()
            return
        if self.devices.problem():
            return
        super().accept()

    def preferences(self) -> Preferences:
        """The values in the dialog."""
        return self.devices.applied(Preferences(camera=self.camera.currentData(), server_url=self.server.text().strip(),
                                                language=self.language.currentData(),
                                                confirm_over=self.confirm_over.value() or Preferences.confirm_over))
