"""First run on screen: the city server, the enrollment code and the city's key, then the checkout screen.

``jtill gui`` on a data folder without a journal opens this instead of printing "run `jtill init`".
The key is trusted only after the owner has seen its fingerprint (RFC 7638 thumbprint) and said it
matches the city's letter; enrollment runs off the GUI thread and any refusal stays on the page.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from sync.enroll import enroll
from terminal.home import Home
from terminal.keys import BadKey, load_public_jwk, thumbprint
from ui.i18n import error_texts, t
from ui.preferences import server_url_problem

log = logging.getLogger(__name__)


def grouped(text: str, size: int = 4) -> str:
    """``abcdefgh`` → ``abcd efgh``: easier to compare by eye."""
    return " ".join(text[i:i + size] for i in range(0, len(text), size))


def parse_key(text: str) -> dict:
    """The public JWK in ``text``; raises :class:`BadKey` with the reason."""
    try:
        jwk = json.loads(text)
    except ValueError as exc:
        raise BadKey(f"not JSON: {exc}") from exc
    load_public_jwk(jwk)
    return jwk


class ServerPage(QWizardPage):
    """Where the city server is and the one-time enrollment code from the city."""

    def __init__(self, server_url: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(t("1. 시청 서버", "1. The city server"))
        self.setSubTitle(t("시청에서 받은 안내문의 서버 주소와 등록 코드를 입력하세요.",
                           "Type the server address and enrollment code from the city's letter."))
        self.server = QLineEdit(server_url, objectName="setupServer", placeholderText="https://…")
        self.code = QLineEdit(objectName="setupCode")
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        form = QFormLayout(self)
        form.addRow(t("서버 주소", "Server address"), self.server)
        form.addRow(t("등록 코드", "Enrollment code"), self.code)
        form.addRow(self.error)
        for field in (self.server, self.code):
            field.textChanged.connect(self._changed)

    def _changed(self) -> None:
        problem = server_url_problem(self.server.text().strip())
        self.error.setText(" / ".join(problem) if problem else "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        url = self.server.text().strip()
        return bool(url) and server_url_problem(url) is None and bool(self.code.text().strip())


class KeyPage(QWizardPage):
    """The city's config key, from a file or pasted, trusted only once its fingerprint is confirmed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.jwk: dict | None = None
        self.setTitle(t("2. 시청 설정 키", "2. The city's key"))
        self.setSubTitle(t("키 파일을 고르거나 키를 붙여넣고, 지문이 안내문과 같은지 확인하세요.",
                           "Choose the key file or paste the key, then check its fingerprint against the letter."))
        self.choose = QPushButton(t("키 파일 선택…", "Choose key file…"), objectName="chooseKey")
        self.choose.clicked.connect(self._choose_file)
        self.text = QPlainTextEdit(objectName="keyText")
        self.text.setPlaceholderText('{"kty": "OKP", "crv": "Ed25519", "kid": "…", "x": "…"}')
        self.text.textChanged.connect(self._changed)
        self.fingerprint = QLabel(objectName="fingerprint", wordWrap=True)
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        self.matches = QCheckBox(t("지문이 시청 안내문과 같습니다", "The fingerprint matches the city's letter"),
                                 objectName="fingerprintMatches", enabled=False)
        self.matches.toggled.connect(lambda _on: self.completeChanged.emit())
        layout = QVBoxLayout(self)
        for widget in (self.choose, self.text, self.fingerprint, self.error, self.matches):
            layout.addWidget(widget)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, t("시청 설정 키", "The city's key"), "", "JWK (*.jwk *.json);;*")
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        """Show the key in ``path`` (as if pasted)."""
        try:
            self.text.setPlainText(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.error.setText(f"키 파일을 읽을 수 없습니다 / Cannot read the key file: {exc}")

    def _changed(self) -> None:
        self.jwk = None
        self.matches.setChecked(False)
        text = self.text.toPlainText().strip()
        try:
            jwk = parse_key(text) if text else None
        except BadKey as exc:
            self.fingerprint.clear()
            self.error.setText(f"올바른 키가 아닙니다 / Not a usable key: {exc}")
        else:
            self.error.clear()
            self.jwk = jwk
            self.fingerprint.setText(f"{t('지문', 'Fingerprint')}: {grouped(thumbprint(jwk))}" if jwk else "")
        self.matches.setEnabled(self.jwk is not None)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.jwk is not None and self.matches.isChecked()


class EnrollPage(QWizardPage):
    """Enrolls on 등록; the wizard finishes only once the city said yes."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.done = False
        self.setTitle(t("3. 등록", "3. Enroll"))
        self.setSubTitle(t("등록을 누르면 시청 서버에 이 단말기를 등록하고 결제 화면을 엽니다.",
                           "Enroll registers this till with the city server, then opens the checkout screen."))
        self.summary = QLabel(objectName="setupSummary", wordWrap=True)
        self.state = QLabel(objectName="setupState", wordWrap=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.state)
        layout.addStretch(1)

    def isComplete(self) -> bool:
        return True


class _Relay(QObject):
    """Hands the enrollment's outcome from its thread to the GUI thread."""

    finished = Signal(object)  # the enroll answer dict, or the exception


class SetupWizard(QWizard):
    """The first-run wizard for ``home``; ``enrolled(answer)`` once the till is enrolled and configured."""

    enrolled = Signal(dict)
    refused = Signal(object)

    def __init__(self, home: Home, server_url: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.home = home
        self.setObjectName("setupWizard")
        self.setWindowTitle(t("전주사랑상품권 단말기 설정", "Jeonju Till setup"))
        self.setWizardStyle(QWizard.ClassicStyle)
        self.setMinimumSize(720, 520)
        self.server_page = ServerPage(server_url or "")
        self.key_page = KeyPage()
        self.enroll_page = EnrollPage()
        for page in (self.server_page, self.key_page, self.enroll_page):
            self.addPage(page)
        self.setButtonText(QWizard.FinishButton, t("등록", "Enroll"))
        self.setButtonText(QWizard.NextButton, t("다음", "Next"))
        self.setButtonText(QWizard.BackButton, t("이전", "Back"))
        self.setButtonText(QWizard.CancelButton, t("취소", "Cancel"))
        self.relay = _Relay(self)
        self.relay.finished.connect(self._finished)
        self.currentIdChanged.connect(self._page_shown)
        self.busy = False

    def _page_shown(self, _page_id: int) -> None:
        if self.currentPage() is self.enroll_page:
            self.enroll_page.summary.setText(
                f"{t('서버', 'Server')}: {self.server_page.server.text().strip()}\n"
                f"{t('키 지문', 'Key fingerprint')}: {grouped(thumbprint(self.key_page.jwk))}\n"
                f"{t('데이터 폴더', 'Data folder')}: {self.home.root}")

    def accept(self) -> None:
        """On 등록: enroll in the background; the wizard closes when the city said yes."""
        if self.enroll_page.done:
            super().accept()
            return
        if self.busy:
            return
        self.busy = True
        self.button(QWizard.FinishButton).setEnabled(False)
        self.enroll_page.state.setText(t("등록 중…", "Enrolling…"))
        server, code = self.server_page.server.text().strip(), self.server_page.code.text().strip()
        jwk = self.key_page.jwk
        threading.Thread(target=self._enroll, args=(server, code, jwk), name="setup-enroll", daemon=True).start()

    def _enroll(self, server: str, code: str, jwk: dict) -> None:
        with tempfile.TemporaryDirectory(prefix="jtill-setup-") as tmp:
            key_file = Path(tmp) / "config-key.jwk"
            key_file.write_text(json.dumps(jwk), encoding="utf-8")
            try:
                outcome = enroll(self.home, server, code, trust_file=key_file, label="jtill")
            except Exception as exc:  # every refusal is shown on the page and logged, none is lost
                outcome = exc
        self.relay.finished.emit(outcome)

    def _finished(self, outcome) -> None:
        self.busy = False
        self.button(QWizard.FinishButton).setEnabled(True)
        if isinstance(outcome, Exception):
            log.warning("enrollment failed", exc_info=outcome)
            self.enroll_page.state.setText("\n".join(error_texts(outcome)))
            self.refused.emit(outcome)
            return
        log.info("enrolled as %s with %s", outcome.get("tid"), outcome.get("server"))
        self.enroll_page.done = True
        self.enrolled.emit(outcome)
        self.accept()
