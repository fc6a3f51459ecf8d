"""Report tab: the Z report of the open day, and the day close after a confirmation."""

from __future__ import annotations

import pytest

from conftest import VECTOR_NOW, mint, refreshed
from terminal import messages
from ui.report_tab import ReportTab


@pytest.fixture
def report(qtbot, tasks):
    tasks.run_db(lambda till: till.pay(7000, mint(VECTOR_NOW))).result(timeout=5)
    tab = ReportTab(tasks)
    return refreshed(qtbot, tab, tab.report_shown)


def test_report_of_the_open_day(report):
    assert report.report["biz_date"] == "2026-01-01" and not report.report["closed"]
    assert report.values["payments"].text() == "1건  7,000원"
    assert report.values["pending"].text() == "1건  7,000원"
    assert report.state.text() == "영업 중 (2026-01-01)"
    assert report.close_button.text() == "영업 마감 (2026-01-01)" and report.close_button.isEnabled()
    assert not report.unsent.isHidden() and "1건" in report.unsent.text()


def test_close_day_after_confirmation(qtbot, report, tasks, monkeypatch):
    monkeypatch.setattr(report, "confirm_unsent", lambda count: "close")
    with qtbot.waitSignals([report.day_closed, report.report_shown], timeout=5000):
        report.close_button.click()
    assert report.report["closed"] and report.state.text() == "마감됨 (2026-01-01)"
    assert not report.close_button.isEnabled()
    last = tasks.run_db(lambda till: till.journal.entry(till.journal.head()[0])).result(timeout=5)
    assert (last["kind"], last["biz_date"], last["payments"]) == ("close", "2026-01-01", 7000)


def test_close_day_cancelled_changes_nothing(qtbot, report, tasks, monkeypatch):
    monkeypatch.setattr(report, "confirm_unsent", lambda count: "cancel")
    with qtbot.assertNotEmitted(report.day_closed, wait=200):
        report.close_button.click()
    assert tasks.run_db(lambda till: till.last_closed()).result(timeout=5) is None


def test_closing_twice_shows_why_and_changes_nothing(qtbot, report, tasks, monkeypatch):
    monkeypatch.setattr(report, "confirm_unsent", lambda count: "close")
    with qtbot.waitSignals([report.day_closed, report.report_shown], timeout=5000):
        report.close_button.click()
    assert not report.close_button.isEnabled()  # the screen's date is closed: nothing to press
    with qtbot.waitSignal(report.refused, timeout=5000):
        report.ask_close_day()  # as if another window had the old report
    # The refusal names the date on the screen, never the next open day behind it.
    assert messages.text("already_closed", "ko") in report.error.text() and "2026-01-01" in report.error.text()
    assert "2026-01-02" not in report.error.text()
    assert tasks.run_db(lambda till: till.journal.head()[0]).result(timeout=5) == 2
