"""The demo end to end: an in-process city server, an enrolled till, the wallet simulator's QR pays and settles."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QPushButton

from ui.app import DEMO_FUNDS, DEMO_WALLETS, TillSession, connect_wallet, demo_setup
from ui.qr_widget import qr_matrix
from ui.settings_dialog import SettingsDialog
from ui.wallet_window import WalletWindow


@pytest.fixture
def demo(qtbot, tmp_path):
    server, home = demo_setup(tmp_path)
    session = TillSession(home)
    qtbot.addWidget(session.window)
    city = server.city
    wallet = WalletWindow(DEMO_WALLETS, city.mint_token, lambda wid: city.wallet(wid)["balance"])
    qtbot.addWidget(wallet)
    connect_wallet(session, wallet)
    yield session, wallet
    session.close()
    QApplication.processEvents()  # results the bridge queued before the close reach the wallet while the city is up
    server.stop()


def test_wallet_qr_pays_and_the_city_settles_it(qtbot, demo):
    session, wallet = demo
    window = session.window
    assert wallet.qr.matrix == qr_matrix(wallet.token)
    for key in "15000":
        window.pay_tab.press(key)
    settled = qtbot.waitSignal(session.bridge.sync_finished, timeout=20000,
                               check_params_cb=lambda summary: summary.settled == 1)
    with settled, qtbot.waitSignal(window.pay_tab.result_shown, timeout=5000) as paid:
        wallet.findChild(QPushButton, "payWithQr").click()
    assert paid.args[0].accepted
    assert settled.args[0].status == "ok"
    # 10% cashback on a settled payment (the city's default incentive).
    assert wallet.balance_of(wallet.wallet_id()) == DEMO_FUNDS - 15000 + 1500


def test_after_a_language_switch_the_wallet_still_mints_and_shows_the_whole_token(qtbot, demo):
    session, wallet = demo
    window = session.window
    for _ in range(3):
        window.language_action.trigger()
    assert wallet.pay_button.text() == "Pay with this QR"
    assert wallet.token_text.text() == wallet.token and "…" not in wallet.token_text.text()
    first = wallet.token
    for key in "1000":
        window.pay_tab.press(key)
    with qtbot.waitSignal(window.pay_tab.result_shown, timeout=5000) as paid:
        wallet.pay_button.click()
    assert paid.args[0].accepted
    assert wallet.token != first  # a fresh QR for the next customer
    wallet.copy_button.click()
    from PySide6.QtWidgets import QApplication

    assert QApplication.clipboard().text() == wallet.token


def test_the_demo_shows_the_customer_display_as_its_setting(qtbot, demo):
    """Settings shows the demo's display ticked, so accepting Settings unchanged keeps it open."""
    session, _ = demo
    assert session.window.prefs.customer_display
    display = session.peripherals.display
    assert display is not None and display.isVisible()
    dialog = SettingsDialog(session.window.prefs, None, cameras=[])  # no camera probing: none exists here
    qtbot.addWidget(dialog)
    assert dialog.devices.customer_display.isChecked()
    session.window.apply_preferences(dialog.preferences())
    assert session.peripherals.display is display and display.isVisible()
