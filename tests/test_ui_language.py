"""The language button re-sets every visible text of the main window: nothing stays in the old language."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QGroupBox, QLabel, QLineEdit, QTabBar, QTableView, QWidget

from conftest import VECTOR_NOW, mint, rejected_payment
from helpers_ui import pay_with, sign_in, staff
from ui.app import TillSession

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
AMOUNT = re.compile(r"\d[\d,]*\s?원")  # 12,000원 reads the same in both languages
NAMES = ("김사장", "박미나", "이준")  # the operators' own names


@pytest.fixture
def session(qtbot, home, clock):
    """A till with staff and a payment the city rejected: the alert bar, History and the report all have text."""
    staff(home)
    rejected_payment(home, clock, 20000, "revoked")
    session = TillSession(home, clock=clock)
    window = session.window
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.lock_screen.isHidden() and bool(window.merchant_name), timeout=10_000)
    sign_in(qtbot, window, "mina", "5678")
    qtbot.waitUntil(lambda: not window.alerts.isHidden(), timeout=10_000)
    yield session
    session.close()


def visible_texts(root: QWidget) -> list[str]:
    """Every text ``root`` shows: labels, buttons, tabs, group titles, list choices, hints, table cells, title."""
    texts = [root.windowTitle()]
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root):
            continue
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append(widget.text())
        elif isinstance(widget, QGroupBox):
            texts.append(widget.title())
        elif isinstance(widget, QTabBar):
            texts += [widget.tabText(i) for i in range(widget.count())]
        elif isinstance(widget, QComboBox):
            texts += [widget.itemText(i) for i in range(widget.count())]
        elif isinstance(widget, QLineEdit):
            texts.append(widget.placeholderText())
        elif isinstance(widget, QTableView):  # History's model and the inbox's item table alike
            model, columns = widget.model(), range(widget.model().columnCount())
            texts += [model.headerData(c, Qt.Horizontal) or "" for c in columns]
            texts += [model.index(r, c).data() or "" for r in range(model.rowCount()) for c in columns]
    return texts


def korean_left(window, root: QWidget) -> list[str]:
    """Texts of ``root`` still holding Hangul once amounts and proper names are set aside."""
    spared = (*NAMES, window.merchant_name, window.language_action.text())  # the button names the other language
    left = []
    for text in visible_texts(root):
        rest = AMOUNT.sub("", text)
        for name in spared:
            rest = rest.replace(name, "")
        if HANGUL.search(rest.replace("원", "")):  # the currency sign beside the amount field
            left.append(text)
    return left


def test_english_leaves_no_korean_on_any_tab_and_korean_comes_back(qtbot, session):
    window = session.window
    with qtbot.waitSignal(window.language_changed, timeout=5000):
        qtbot.mouseClick(window.toolbar.widgetForAction(window.language_action), Qt.LeftButton)
    qtbot.waitUntil(lambda: window.status.pending.text().startswith("pending"), timeout=5000)
    window.tabs.setCurrentWidget(window.history)  # History and the report load when shown
    qtbot.waitUntil(lambda: bool(window.history.rows), timeout=5000)
    window.tabs.setCurrentWidget(window.report)
    qtbot.waitUntil(lambda: bool(window.report.report), timeout=5000)
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        assert korean_left(window, window) == [], window.tabs.tabText(index)
    assert window.operator_bar.label.text() == "At the till: 박미나 (cashier)"
    assert "rejected" in window.alerts.rejected.text()

    window.lock_screen.lock()
    qtbot.waitUntil(lambda: not window.lock_screen.isHidden(), timeout=5000)
    assert korean_left(window, window.lock_screen) == []
    assert "박미나\ncashier" in visible_texts(window.lock_screen)
    sign_in(qtbot, window, "mina", "5678")

    window.language_action.trigger()
    qtbot.waitUntil(lambda: window.status.pending.text().startswith("미정산"), timeout=5000)
    assert [window.tabs.tabText(i) for i in range(3)] == ["결제", "거래 내역", "리포트 · 마감"]
    assert window.operator_bar.label.text() == "계산원: 박미나 (직원)"
    assert window.operator_bar.lock_button.text() == "잠금 · 교대"
    assert window.alerts.review_button.text() == "확인하기"
    assert window.history.status.itemText(0) == "모든 상태"
    assert window.report.print_button.text() == "Z 리포트 출력"
    assert window.language_action.text() == "English"


def test_without_operators_the_bar_names_the_owner_by_role_in_either_language(qtbot, till_session):
    window = till_session.window
    bar = window.operator_bar
    qtbot.waitUntil(lambda: bar.label.text() == "계산원: 사장", timeout=5000)
    window.language_action.trigger()
    assert bar.label.text() == "At the till: owner"


def test_a_result_on_screen_follows_the_switch(qtbot, till_session):
    """The title, wallet line and hint of a shown result change language; the reason stays Korean over English."""
    window = till_session.window
    for key in "5000":
        window.pay_tab.press(key)
    result = pay_with(qtbot, window, mint(VECTOR_NOW))
    assert result.accepted
    banner = window.pay_tab.banner
    assert banner.title.text() == "✓ 승인" and banner.details.text().startswith("지갑 ")
    window.language_action.trigger()
    assert not banner.isHidden() and banner.title.text() == "✓ Accepted"
    assert banner.details.text().startswith("Wallet ") and not HANGUL.search(banner.hint.text())
    assert (banner.korean.text(), banner.english.text()) == ("결제가 승인되었습니다", "Payment accepted")


def test_a_warnings_figures_follow_the_switch(qtbot, home):
    """A warning's detail is worded on the DB worker: the switch reads it again in the new language."""
    from terminal.alerts import record_clock_skew
    from terminal.checkout import Till

    till = Till(home)
    record_clock_skew(till.journal, 1_000_900, 1_000_000)  # the server 900 s ahead at the last sync
    till.close()
    session = TillSession(home)
    qtbot.addWidget(session.window)
    try:
        alerts = session.window.alerts
        qtbot.waitUntil(lambda: "+900초" in alerts.warnings.text(), timeout=5000)
        session.window.language_action.trigger()
        qtbot.waitUntil(lambda: "+900 s" in alerts.warnings.text(), timeout=5000)
        assert not HANGUL.search(alerts.warnings.text())
    finally:
        session.close()
