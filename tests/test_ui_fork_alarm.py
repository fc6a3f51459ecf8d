"""Fork alarm: the core's alarm reaches the status bar as a loud red bilingual banner, and payments stop."""

from __future__ import annotations

from PySide6.QtGui import QColor

from conftest import VECTOR_NOW, mint
from sync import syncer
from terminal import messages
from terminal.catalog import tr
from terminal.checkout import TillError
from ui.status_bar import ALARM_TEXT
from ui.style import STYLE_SHEET


def test_fork_alarm_is_loud_and_stops_payments(qtbot, till_session):
    window, tasks = till_session.window, till_session.tasks
    window.setStyleSheet(STYLE_SHEET.read_text(encoding="utf-8"))  # on the window only: nothing leaks
    window.show()
    qtbot.waitExposed(window)
    alarm = window.status.alarm
    assert not alarm.isVisible()

    # The sync pass's own path: record the alarm in the journal and fire the core event.
    with qtbot.waitSignal(till_session.bridge.fork_alarm, timeout=5000):
        tasks.run_db(lambda till: syncer.raise_fork_alarm(till, "entry 3 differs"))
    assert alarm.isVisible()
    korean, english = alarm.text().splitlines()
    assert (korean, english) == (ALARM_TEXT, f"{tr(ALARM_TEXT, 'en')}  (entry 3 differs)")
    assert alarm.grab().toImage().pixelColor(2, 2) == QColor("#c62828")

    for key in "5000":
        window.pay_tab.press(key)
    with qtbot.waitSignal(window.pay_tab.result_shown, timeout=5000) as refused:
        window.token_scanned.emit(mint(VECTOR_NOW))
    assert isinstance(refused.args[0], TillError) and refused.args[0].code == "fork_alarm"
    banner = window.pay_tab.banner
    assert banner.property("outcome") == "bad"
    assert (banner.korean.text(), banner.english.text()) == (
        messages.text("fork_alarm", "ko"), messages.text("fork_alarm", "en"))
    assert tasks.run_db(lambda till: till.journal.head()[0]).result(timeout=5) == 0
