"""First run on screen: server, enrollment code and the city's key (fingerprint confirmed) against a real server."""

from __future__ import annotations

import json

import pytest
from PySide6.QtWidgets import QWizard

from city.server import serve_in_thread
from terminal.checkout import Till
from terminal.home import Home
from terminal.keys import thumbprint
from ui.app import TillSession, needs_setup
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
    assert needs_setup(home)
    wiz = SetupWizard(home)
    qtbot.addWidget(wiz)
    wiz.show()
    qtbot.waitExposed(wiz)
    return wiz


def fill_in(wiz, url: str, code: str, key_text: str) -> None:
    wiz.server_page.server.setText(url)
    wiz.server_page.code.setText(code)
    assert wiz.server_page.isComplete()
    wiz.next()
    wiz.key_page.text.setPlainText(key_text)


def test_setup_enrolls_and_ends_on_the_checkout_screen(qtbot, wizard, city):
    key_text = city.city.data.public_config_key_path.read_text(encoding="utf-8")
    fill_in(wizard, city.url, city.city.enroll_code("M-SETUP-0001"), key_text)
    page = wizard.key_page
    assert grouped(thumbprint(json.loads(key_text))) in page.fingerprint.text()
    assert not page.isComplete()  # not before the owner compared the fingerprint
    page.matches.setChecked(True)
    wizard.next()
    assert wizard.currentPage() is wizard.enroll_page and city.url in wizard.enroll_page.summary.text()
    with qtbot.waitSignal(wizard.enrolled, timeout=10_000) as done:
        wizard.button(QWizard.FinishButton).click()
    assert done.args[0]["merchant"]["name"] == "전주 분식"
    assert wizard.result() == QWizard.Accepted and not needs_setup(wizard.home)

    session = TillSession(wizard.home)
    qtbot.addWidget(session.window)
    try:
        window = session.window
        assert window.tabs.currentWidget() is window.pay_tab and window.focusWidget() is window.pay_tab.amount
    finally:
        session.close()


def test_a_wrong_enrollment_code_is_shown_and_the_wizard_stays(qtbot, wizard, city):
    key_text = city.city.data.public_config_key_path.read_text(encoding="utf-8")
    fill_in(wizard, city.url, "WRONG-CODE", key_text)
    wizard.key_page.matches.setChecked(True)
    wizard.next()
    with qtbot.waitSignal(wizard.refused, timeout=10_000):
        wizard.button(QWizard.FinishButton).click()
    assert wizard.isVisible() and wizard.enroll_page.state.text()
    till = Till(wizard.home)
    try:
        assert not till.configured
    finally:
        till.close()


@pytest.mark.parametrize("text, reason", [
    ("not json", "not JSON"),
    ('{"kty": "RSA", "kid": "k"}', "Ed25519"),
    ('{"kty": "OKP", "crv": "Ed25519", "kid": "k", "x": "AAAA", "d": "AAAA"}', "private key"),
])
def test_an_unusable_key_says_why_and_cannot_be_confirmed(wizard, text, reason):
    fill_in(wizard, "http://127.0.0.1:9", "CODE", text)
    page = wizard.key_page
    assert reason in page.error.text() and not page.matches.isEnabled() and not page.isComplete()


def test_a_bad_server_address_is_explained(wizard):
    wizard.server_page.server.setText("ftp://city")
    wizard.server_page.code.setText("CODE")
    assert "http" in wizard.server_page.error.text() and not wizard.server_page.isComplete()
