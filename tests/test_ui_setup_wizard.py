"""First run on screen: server, enrollment code, the city's key (fingerprint confirmed), the owner's PIN and
cashiers, against a real server."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QWizard

from city.server import serve_in_thread
from helpers_ui import fill_in, set_up_staff
from terminal import operators
from terminal.catalog import set_language, tr
from terminal.checkout import Till
from terminal.home import Home
from terminal.keys import thumbprint
from ui.app import TillSession, check_at_start
from ui.setup_wizard import SetupWizard, grouped


@pytest.fixture
def city(tmp_path):
    server = serve_in_thread(tmp_path / "city")
    server.city.add_merchant("M-SETUP-0001", "전주 분식", "food")
    yield server
    server.stop()


@pytest.fixture
def wizard(qtbot, tmp_path):
    home = Home(tmp_path / "till")
    assert check_at_start(home).needs_setup
    wiz = SetupWizard(home)
    qtbot.addWidget(wiz)
    wiz.show()
    qtbot.waitExposed(wiz)
    return wiz


def test_setup_enrolls_and_ends_on_the_checkout_screen(qtbot, wizard, city):
    key_text = city.city.data.public_config_key_path.read_text(encoding="utf-8")
    fill_in(wizard, city.url, city.city.enroll_code("M-SETUP-0001"), key_text)
    page = wizard.key_page
    assert grouped(thumbprint(json.loads(key_text))) in page.fingerprint.text()
    assert not page.isComplete()  # not before the owner compared the fingerprint
    set_up_staff(wizard, ("김사장", "2468"), [("mina", "박미나", "1357"), ("jun", "이준", "9753")])
    assert city.url in wizard.enroll_page.summary.text() and "박미나" in wizard.enroll_page.summary.text()
    with qtbot.waitSignal(wizard.enrolled, timeout=10_000) as done:
        wizard.button(QWizard.FinishButton).click()
    assert done.args[0]["merchant"]["name"] == "전주 분식"
    assert wizard.result() == QWizard.Accepted and not check_at_start(wizard.home).needs_setup
    till = Till(wizard.home)
    try:
        staff = {op.id: (op.name, op.role) for op in operators.all_operators(till.journal)}
        assert staff == {"owner": ("김사장", "owner"), "mina": ("박미나", "cashier"), "jun": ("이준", "cashier")}
        assert operators.verify(till.journal, "mina", "1357", 0).id == "mina"  # the PINs are hers, hashed
        assert till.operator == "owner"
    finally:
        till.close()

    session = TillSession(wizard.home, lock=False)
    qtbot.addWidget(session.window)
    try:
        window = session.window
        qtbot.waitUntil(lambda: "김사장" in window.operator_bar.label.text(), timeout=5_000)
        assert window.lock_screen.isHidden()
        assert window.tabs.currentWidget() is window.pay_tab and window.focusWidget() is window.pay_tab.amount
    finally:
        session.close()


def test_the_owner_pin_must_be_digits_typed_twice(wizard):
    page = wizard.owner_page
    page.name.setText("김사장")
    for pin, again, complete in [("12", "12", False), ("2468", "2469", False), ("2468", "2468", True)]:
        page.pin.setText(pin)
        page.again.setText(again)
        assert page.isComplete() is complete and bool(page.error.text()) is not complete


def test_a_cashier_needs_a_free_id_and_a_pin(wizard):
    page = wizard.cashiers_page
    for op_id, name, pin in [("owner", "누구", "1234"), ("mina", "박미나", "12"), ("", "박미나", "1234")]:
        page.op_id.setText(op_id)
        page.name.setText(name)
        page.pin.setText(pin)
        page.add_button.click()
        assert page.error.text() and page.cashiers == []


def test_a_wrong_enrollment_code_is_shown_and_the_wizard_stays(qtbot, wizard, city):
    key_text = city.city.data.public_config_key_path.read_text(encoding="utf-8")
    fill_in(wizard, city.url, "WRONG-CODE", key_text)
    set_up_staff(wizard, ("김사장", "2468"), [])
    with qtbot.waitSignal(wizard.refused, timeout=10_000):
        wizard.button(QWizard.FinishButton).click()
    assert wizard.isVisible() and wizard.enroll_page.state.text()
    till = Till(wizard.home)
    try:
        assert not till.configured and operators.all_operators(till.journal) == []
    finally:
        till.close()


PRIVATE_JWK = '{"kty": "OKP", "crv": "Ed25519", "kid": "k", "x": "AAAA", "d": "AAAA"}'
HOLDS_A_PRIVATE_KEY = "공개 키가 필요한데 이 키(JWK)에는 개인 키가 들어 있습니다"


@pytest.mark.parametrize("text, reason", [
    ("not json", "JSON이 아닙니다 ({error})"),
    ('{"kty": "RSA", "kid": "k"}', "OKP/Ed25519 키만 쓸 수 있습니다"),
    (PRIVATE_JWK, HOLDS_A_PRIVATE_KEY),
])
def test_an_unusable_key_says_why_and_cannot_be_confirmed(wizard, text, reason):
    fill_in(wizard, "http://127.0.0.1:9", "CODE", text)
    page = wizard.key_page
    unusable = tr("올바른 키가 아닙니다: {error}", "ko", error=tr(reason, "ko").partition("{")[0])
    assert page.error.text().startswith(unusable) and not page.matches.isEnabled() and not page.isComplete()


def test_an_unusable_key_says_why_in_english(wizard):
    set_language("en")
    fill_in(wizard, "http://127.0.0.1:9", "CODE", PRIVATE_JWK)
    why = tr("올바른 키가 아닙니다: {error}", "en", error=tr(HOLDS_A_PRIVATE_KEY, "en"))
    assert wizard.key_page.error.text() == why
    assert why.endswith(": A public key is needed, but this key (JWK) holds a private key")


def test_a_bad_server_address_is_explained(wizard):
    wizard.server_page.server.setText("ftp://city")
    wizard.server_page.code.setText("CODE")
    assert "http" in wizard.server_page.error.text() and not wizard.server_page.isComplete()
