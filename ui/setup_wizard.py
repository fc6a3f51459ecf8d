"""First run on screen: the city server, the enrollment code, the city's key, the owner's PIN and
optional cashiers, then the checkout screen with the owner signed in.

``jtill gui`` on a data folder without a journal opens this instead of printing "run `jtill init`".
The key is trusted only after the owner has seen its fingerprint (RFC 7638 thumbprint) and said it
matches the city's letter; enrollment and the operators' Argon2id hashing run off the GUI thread and
any refusal stays on the page.
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
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from sync.enroll import enroll
from terminal import operators
from terminal.business_day import DEFAULT_OPERATOR
from terminal.catalog import ptr, tr
from terminal.checkout import Till
from terminal.home import Home
from terminal.keys import BadKey, load_public_jwk, thumbprint
from terminal.operators import OperatorError
from ui.i18n import error_lines
from ui.operator_gate import pin_field
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
        raise BadKey(tr("JSON이 아닙니다 ({error})", error=exc)) from exc
    load_public_jwk(jwk)
    return jwk


class ServerPage(QWizardPage):
    """Where the city server is and the one-time enrollment code from the city."""

    def __init__(self, server_url: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(tr("1. 시청 서버"))
        self.setSubTitle(tr("시청에서 받은 안내문의 서버 주소와 등록 코드를 입력하세요."))
        self.server = QLineEdit(server_url, objectName="setupServer", placeholderText="https://…")
        self.code = QLineEdit(objectName="setupCode")
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        form = QFormLayout(self)
        form.addRow(ptr("setup_wizard", "서버 주소"), self.server)
        form.addRow(tr("등록 코드"), self.code)
        form.addRow(self.error)
        for field in (self.server, self.code):
            field.textChanged.connect(self._changed)

    def _changed(self) -> None:
        problem = server_url_problem(self.server.text().strip())
        self.error.setText(problem or "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        url = self.server.text().strip()
        return bool(url) and server_url_problem(url) is None and bool(self.code.text().strip())


class KeyPage(QWizardPage):
    """The city's config key, from a file or pasted, trusted only once its fingerprint is confirmed."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.jwk: dict | None = None
        self.setTitle(tr("2. 시청 설정 키"))
        self.setSubTitle(tr("키 파일을 고르거나 키를 붙여넣고, 지문이 안내문과 같은지 확인하세요."))
        self.choose = QPushButton(tr("키 파일 선택…"), objectName="chooseKey")
        self.choose.clicked.connect(self._choose_file)
        self.text = QPlainTextEdit(objectName="keyText")
        self.text.setPlaceholderText('{"kty": "OKP", "crv": "Ed25519", "kid": "…", "x": "…"}')
        self.text.textChanged.connect(self._changed)
        self.fingerprint = QLabel(objectName="fingerprint", wordWrap=True)
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        self.matches = QCheckBox(tr("지문이 시청 안내문과 같습니다"),
                                 objectName="fingerprintMatches", enabled=False)
        self.matches.toggled.connect(lambda _on: self.completeChanged.emit())
        layout = QVBoxLayout(self)
        for widget in (self.choose, self.text, self.fingerprint, self.error, self.matches):
            layout.addWidget(widget)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("시청 설정 키"), "", "JWK (*.jwk *.json);;*")
        if path:
            self.load_file(Path(path))

    def load_file(self, path: Path) -> None:
        """Show the key in ``path`` (as if pasted)."""
        try:
            self.text.setPlainText(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            self.error.setText(tr("키 파일을 읽을 수 없습니다: {error}", error=exc))

    def _changed(self) -> None:
        self.jwk = None
        self.matches.setChecked(False)
        text = self.text.toPlainText().strip()
        try:
            jwk = parse_key(text) if text else None
        except BadKey as exc:
            self.fingerprint.clear()
            self.error.setText(tr("올바른 키가 아닙니다: {error}", error=exc))
        else:
            self.error.clear()
            self.jwk = jwk
            self.fingerprint.setText(tr("지문: {fingerprint}", fingerprint=grouped(thumbprint(jwk))) if jwk else "")
        self.matches.setEnabled(self.jwk is not None)
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.jwk is not None and self.matches.isChecked()


def pin_problem(pin: str, again: str) -> str:
    """Why ``pin`` typed twice cannot be used ("" when it can)."""
    try:
        operators.check_pin_format(pin)
    except OperatorError:
        return tr("PIN은 숫자 4~12자리입니다")
    if pin != again:
        return tr("두 PIN이 같지 않습니다")
    return ""


class OwnerPage(QWizardPage):
    """The owner's name and PIN, typed twice; refunds, day close and settings will ask for it."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setTitle(tr("3. 사장님"))
        self.setSubTitle(tr("환불, 마감, 설정에는 사장님 PIN(숫자 4~12자리)이 필요합니다."))
        self.name = QLineEdit(objectName="ownerName", maxLength=40, placeholderText=tr("예: 김전주"))
        self.pin = pin_field(self)
        self.pin.setObjectName("ownerPin")
        self.again = pin_field(self)
        self.again.setObjectName("ownerPinAgain")
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        form = QFormLayout(self)
        form.addRow(tr("이름"), self.name)
        form.addRow("PIN", self.pin)
        form.addRow(tr("PIN 확인"), self.again)
        form.addRow(self.error)
        for field in (self.name, self.pin, self.again):
            field.textChanged.connect(self._changed)

    def _changed(self) -> None:
        pin, again = self.pin.text(), self.again.text()
        self.error.setText(pin_problem(pin, again) if pin and len(again) >= len(pin) else "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return bool(self.name.text().strip()) and not pin_problem(self.pin.text(), self.again.text())


class CashiersPage(QWizardPage):
    """Optional cashiers (id, name, PIN); more can be added later in 직원 관리."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.cashiers: list[tuple[str, str, str]] = []  # (id, name, PIN)
        self.setTitle(tr("4. 직원 (선택)"))
        self.setSubTitle(tr("직원을 추가하거나 건너뛰세요. 나중에 직원 관리에서도 추가할 수 있습니다."))
        self.op_id = QLineEdit(objectName="cashierId", maxLength=32, placeholderText=tr("예: mina"))
        self.name = QLineEdit(objectName="cashierName", maxLength=40, placeholderText=tr("예: 박미나"))
        self.pin = pin_field(self)
        self.pin.setObjectName("cashierPin")
        self.add_button = QPushButton(tr("추가"), objectName="addCashier")
        self.add_button.clicked.connect(self.add)
        self.list = QListWidget(objectName="cashierList")
        self.error = QLabel(objectName="inlineError", wordWrap=True)
        form = QFormLayout()
        form.addRow(tr("ID (장부에 기록)"), self.op_id)
        form.addRow(tr("이름"), self.name)
        row = QHBoxLayout()
        row.addWidget(self.pin, 1)
        row.addWidget(self.add_button)
        form.addRow("PIN", row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.list, 1)

    def add(self) -> None:
        """Add the cashier typed, once the id, name and PIN are usable."""
        op_id, name, pin = self.op_id.text().strip(), self.name.text().strip(), self.pin.text()
        taken = {DEFAULT_OPERATOR} | {c[0] for c in self.cashiers}
        if not op_id or " " in op_id or not name:
            problem = tr("ID와 이름을 입력하세요 (ID에는 공백 없이)")
        elif op_id in taken:
            problem = tr("이미 있는 ID입니다: {id}", id=op_id)
        else:
            problem = pin_problem(pin, pin)
        self.error.setText(problem)
        if problem:
            return
        self.cashiers.append((op_id, name, pin))
        self.list.addItem(f"{name} ({op_id})")
        for field in (self.op_id, self.name, self.pin):
            field.clear()
        self.op_id.setFocus()


class EnrollPage(QWizardPage):
    """Enrolls on 등록; the wizard finishes only once the city said yes."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.done = False
        self.setTitle(tr("5. 등록"))
        self.setSubTitle(tr("등록을 누르면 시청 서버에 이 단말기를 등록하고 결제 화면을 엽니다."))
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

    enrolled = Signal(object)  # dict
    refused = Signal(object)

    def __init__(self, home: Home, server_url: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.home = home
        self.setObjectName("setupWizard")
        self.setWindowTitle(tr("전주사랑상품권 단말기 설정"))
        self.setWizardStyle(QWizard.ClassicStyle)
        self.setMinimumSize(720, 520)
        self.server_page = ServerPage(server_url or "")
        self.key_page = KeyPage()
        self.owner_page = OwnerPage()
        self.cashiers_page = CashiersPage()
        self.enroll_page = EnrollPage()
        for page in (self.server_page, self.key_page, self.owner_page, self.cashiers_page, self.enroll_page):
            self.addPage(page)
        self.setButtonText(QWizard.FinishButton, tr("등록"))
        self.setButtonText(QWizard.NextButton, tr("다음"))
        self.setButtonText(QWizard.BackButton, tr("이전"))
        self.setButtonText(QWizard.CancelButton, tr("취소"))
        self.relay = _Relay(self)
        self.relay.finished.connect(self._finished)
        self.currentIdChanged.connect(self._page_shown)
        self.busy = False

    def _page_shown(self, _page_id: int) -> None:
        if self.currentPage() is self.enroll_page:
            self.enroll_page.summary.setText(tr(
                "서버: {server}\n키 지문: {fingerprint}\n사장님: {owner}\n직원: {cashiers}\n데이터 폴더: {folder}",
                server=self.server_page.server.text().strip(), fingerprint=grouped(thumbprint(self.key_page.jwk)),
                owner=self.owner_page.name.text().strip(),
                cashiers=", ".join(c[1] for c in self.cashiers_page.cashiers) or "-", folder=self.home.root))

    def accept(self) -> None:
        """On 등록: enroll in the background; the wizard closes when the city said yes."""
        if self.enroll_page.done:
            super().accept()
            return
        if self.busy:
            return
        self.busy = True
        self.button(QWizard.FinishButton).setEnabled(False)
        self.enroll_page.state.setText(tr("등록 중…"))
        server, code = self.server_page.server.text().strip(), self.server_page.code.text().strip()
        jwk = self.key_page.jwk
        owner = (DEFAULT_OPERATOR, self.owner_page.name.text().strip(), self.owner_page.pin.text())
        staff = [owner, *self.cashiers_page.cashiers]
        threading.Thread(target=self._enroll, args=(server, code, jwk, staff), name="setup-enroll",
                         daemon=True).start()

    def _enroll(self, server: str, code: str, jwk: dict, staff: list[tuple[str, str, str]]) -> None:
        with tempfile.TemporaryDirectory(prefix="jtill-setup-") as tmp:
            key_file = Path(tmp) / "config-key.jwk"
            key_file.write_text(json.dumps(jwk), encoding="utf-8")
            try:
                outcome = enroll(self.home, server, code, trust_file=key_file, label="jtill")
                add_staff(self.home, staff)
            except Exception as exc:  # every refusal is shown on the page and logged, none is lost
                outcome = exc
        self.relay.finished.emit(outcome)

    def _finished(self, outcome) -> None:
        self.busy = False
        self.button(QWizard.FinishButton).setEnabled(True)
        if isinstance(outcome, Exception):
            log.warning("enrollment failed", exc_info=outcome)
            self.enroll_page.state.setText(error_lines(outcome))
            self.refused.emit(outcome)
            return
        log.info("enrolled as %s with %s", outcome.get("tid"), outcome.get("server"))
        self.enroll_page.done = True
        self.enrolled.emit(outcome)
        self.accept()


def add_staff(home: Home, staff: list[tuple[str, str, str]]) -> None:
    """Register the owner (first of ``staff``) and the cashiers, and sign the owner in.

    Operators already registered (a wizard run again after a refusal) are kept as they are.
    """
    till = Till(home)
    try:
        now_ms = int(till.clock() * 1000)
        owner_id, _name, owner_pin = staff[0]
        for i, (op_id, name, pin) in enumerate(staff):
            if operators.find(till.journal, op_id) is None:
                operators.add(till.journal, op_id, name, "owner" if i == 0 else "cashier", pin, now_ms=now_ms,
                              owner_pin=owner_pin, owner_id=owner_id)
        operators.sign_in(till, owner_id, owner_pin)
    finally:
        till.close()
