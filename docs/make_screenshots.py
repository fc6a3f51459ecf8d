"""Regenerate docs/screenshots: every screen of the till, in Korean (``_ko``) and English (``_en``).

Run under a display with CJK fonts, e.g.::

    Xvfb :93 -screen 0 1280x800x24 &
    DISPLAY=:93 .venv/bin/python docs/make_screenshots.py
    kill %1

Each language runs a short day against an in-process city server in a temporary folder: the setup
wizard's pages, the pay screen and its results, history and its detail, a refund, the report and the
close warning, a rejection (alert and inbox), the lock screen, the owner's PIN, settings, operators and
the customer display. Each picture is a widget's own ``grab()``. Look at every one before committing.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from PySide6.QtWidgets import QApplication, QWidget, QWizard  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def wait_until(condition, timeout: float = 20.0) -> None:
    """Run the event loop until ``condition()`` holds."""
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(getattr(condition, "__name__", "condition"))
        QApplication.processEvents()
        time.sleep(0.01)


def settle(seconds: float = 0.3) -> None:
    """Let layouts, paints and queued results finish."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.01)


def shot(widget: QWidget, name: str, lang: str) -> None:
    settle()
    widget.grab().save(str(OUT / f"{name}_{lang}.png"))
    print(f"{name}_{lang}.png")


def set_up(city, handle, home, lang: str) -> None:
    from ui.setup_wizard import SetupWizard

    wizard = SetupWizard(home)
    wizard.show()
    wizard.server_page.server.setText(handle.url)
    wizard.server_page.code.setText(city.enroll_code("M-0001"))
    shot(wizard, "setup_server", lang)
    wizard.next()
    wizard.key_page.text.setPlainText(city.data.public_config_key_path.read_text(encoding="utf-8"))
    wizard.key_page.matches.setChecked(True)
    shot(wizard, "setup_key", lang)
    wizard.next()
    owner = wizard.owner_page
    owner.name.setText("김사장")
    owner.pin.setText("2468")
    owner.again.setText("2468")
    shot(wizard, "setup_owner", lang)
    wizard.next()
    cashiers = wizard.cashiers_page
    for op_id, name, pin in (("mina", "박미나", "5678"), ("jun", "이준", "1357")):
        cashiers.op_id.setText(op_id)
        cashiers.name.setText(name)
        cashiers.pin.setText(pin)
        cashiers.add_button.click()
    shot(wizard, "setup_cashiers", lang)
    wizard.next()
    shot(wizard, "setup_enroll", lang)
    done: list = []
    wizard.enrolled.connect(done.append)
    wizard.button(QWizard.FinishButton).click()
    wait_until(lambda: done)
    wizard.close()


def pay(window, amount: int, token: str):
    results: list = []
    window.pay_tab.result_shown.connect(results.append)
    window.pay_tab.set_amount(amount)
    window.token_scanned.emit(token)
    if window.pay_tab.confirmation is not None:
        window.pay_tab.confirmation.accept()
    wait_until(lambda: results)
    window.pay_tab.result_shown.disconnect(results.append)
    return results[0]


def owner_pin(holder, pin: str = "2468") -> None:
    wait_until(lambda: getattr(holder, "owner_dialog", None) is not None)
    holder.owner_dialog.pin.setText(pin)
    holder.owner_dialog.submit()
    holder.owner_dialog = None


def day(lang: str, tmp: Path) -> None:
    from city.server import serve_in_thread
    from helpers_sync import free_port, prepare_city
    from terminal import catalog
    from terminal.home import Home
    from ui import settings_dialog
    from ui.app import TillSession
    from ui.preferences import Preferences
    from ui.settings_dialog import SettingsDialog
    from ui.style import STYLE_SHEET

    settings_dialog.camera_choices = lambda: []  # no camera probing on a virtual display
    city = prepare_city(tmp / "city")
    handle = serve_in_thread(tmp / "city")
    home = Home(tmp / "till")
    catalog.set_language(lang)
    try:
        set_up(city, handle, home, lang)
        Preferences(language=lang).save(home)
        session = TillSession(home, server_url=f"http://127.0.0.1:{free_port()}", lock=False)
        window = session.window
        window.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))
        window.resize(1200, 760)
        window.show()
        try:
            wait_until(lambda: window.issuer is not None and window.staff)
            window.pay_tab.set_amount(12000)
            shot(window, "pay", lang)
            pay(window, 12000, city.mint_token("W-ALICE01"))
            shot(window, "accepted", lang)
            pay(window, 80000, city.mint_token("W-ALICE01", lim=50_000))
            shot(window, "declined", lang)
            window.pay_tab.set_amount(120_000)
            window.token_scanned.emit(city.mint_token("W-ALICE01", lim=500_000))
            shot(window.pay_tab.confirmation, "confirm_large", lang)
            window.pay_tab.confirmation.accept()
            settle(1.0)
            pay(window, 20000, city.mint_token("W-BOB0001"))
            pay(window, 7000, city.mint_token("W-ALICE01"))
            city.storage.revoke_wallet("W-BOB0001")

            if lang == "ko":  # the customer display is Korean first with English under it, whatever the till's language
                display = session.peripherals.open_customer_display()
                display.resize(800, 480)
                display.show_amount(7000)
                settle()
                display.grab().save(str(OUT / "customer_display.png"))
                display.show_result(True, 7000)
                settle()
                display.grab().save(str(OUT / "customer_display_approved.png"))
                display.close()

            history = window.history
            window.tabs.setCurrentWidget(history)
            history.refresh()
            wait_until(lambda: len(history.rows) == 4)
            shot(window, "history", lang)
            history.table.selectRow(0)
            detail = history.show_detail()
            shown: list = []
            detail.loaded.connect(shown.append)
            wait_until(lambda: shown)
            shot(detail, "history_detail", lang)
            detail.close()
            refund = history.refund_selected()
            settle(0.5)
            refund.partial.setChecked(True)
            refund.amount.setValue(5000)
            refund.reason.setText("주문 취소" if lang == "ko" else "Order cancelled")  # what the owner types
            refund.owner_pin.setText("2468")
            shot(refund, "refund", lang)
            refund.submit()
            wait_until(refund.isHidden)

            report = window.report
            window.tabs.setCurrentWidget(report)
            report.refresh()
            wait_until(lambda: report.report is not None and report.report["unsent"] > 0)
            shot(window, "report_close", lang)
            box = report.unsent_box(report.report["unsent"])
            box.show()
            shot(box, "close_unsent", lang)
            box.close()

            window.server_override = handle.url  # the network is back: upload, a rejection comes back
            window.sync.request()
            wait_until(lambda: not window.alerts.isHidden(), timeout=30)
            window.tabs.setCurrentWidget(window.pay_tab)
            window.pay_tab.banner.clear()
            shot(window, "alert", lang)
            inbox = window.open_inbox()
            inbox.resize(1000, 320)
            shot(inbox, "inbox", lang)
            inbox.ack_button.click()
            wait_until(lambda: getattr(inbox, "owner_dialog", None) is not None)
            shot(inbox.owner_dialog, "owner_pin", lang)
            owner_pin(inbox)
            wait_until(window.alerts.isHidden)
            inbox.close()

            window.tabs.setCurrentWidget(report)
            report.refresh()
            wait_until(lambda: report.report is not None and report.report["unsent"] == 0)
            shot(window, "report", lang)

            window.open_settings()
            owner_pin(window)
            wait_until(lambda: bool(window.findChildren(SettingsDialog)))
            settings = window.findChildren(SettingsDialog)[0]
            shot(settings, "settings", lang)
            settings.reject()
            window.open_operators()
            owner_pin(window)
            wait_until(lambda: getattr(window, "operators_dialog", None) is not None)
            wait_until(lambda: window.operators_dialog.list.count() == 3)
            shot(window.operators_dialog, "operators", lang)
            window.operators_dialog.accept()

            window.tabs.setCurrentWidget(window.pay_tab)
            window.lock_screen.lock()
            wait_until(lambda: not window.lock_screen.isHidden())
            shot(window, "lock", lang)
        finally:
            session.close()
            window.close()
    finally:
        handle.stop()
        city.close()


def main() -> None:
    from ui.app import application

    app = application()
    for lang in ("ko", "en"):
        with tempfile.TemporaryDirectory(prefix=f"jtill-shots-{lang}-") as tmp:
            day(lang, Path(tmp))
    app.quit()


if __name__ == "__main__":
    main()
