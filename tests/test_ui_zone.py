"""Clock times on screen follow the till's configured zone (Asia/Seoul), not the computer's."""

from __future__ import annotations

import time

import pytest

from conftest import VECTOR_NOW, FakeClock
from helpers_sync import enroll_till
from ui.app import TillSession

SYNC_AT = VECTOR_NOW + 3723  # 2026-01-01 01:02:03 UTC, 10:02:03 in Seoul


@pytest.fixture
def utc_process(monkeypatch):
    """The computer's own zone is UTC, nine hours off the till's."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_last_sync_shows_seoul_time_on_a_utc_computer(qtbot, tmp_path, served, utc_process):
    city, handle = served
    till = enroll_till(tmp_path / "till", city, handle.url)
    till.close()
    session = TillSession(till.home, handle.url, clock=FakeClock(SYNC_AT), lock=False)
    window = session.window
    qtbot.addWidget(window)
    try:
        with qtbot.waitSignal(window.bridge.sync_finished, timeout=30_000):
            window.sync.request()
        last_sync = window.status.last_sync
        qtbot.waitUntil(lambda: "10:02:03" in last_sync.text(), timeout=5000)
        assert last_sync.text() == "마지막 동기화 10:02:03"
    finally:
        session.close()
