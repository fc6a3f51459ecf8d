"""Each sync pass compares the till's clock with the server's HTTP Date and warns when they differ."""

from __future__ import annotations

import re
import time

from conftest import FakeClock
from helpers_sync import enroll_till, fast_client
from sync import syncer
from sync.client import http_date_seconds
from terminal import alerts
from terminal.checkout import Till


def test_http_date_header():
    assert http_date_seconds("Thu, 26 Nov 2026 08:00:00 GMT") == 1795680000
    assert http_date_seconds(None) is None and http_date_seconds("yesterday") is None


def test_a_clock_an_hour_behind_the_server_is_warned_about(tmp_path, served):
    city, handle = served
    enrolled = enroll_till(tmp_path / "till", city, handle.url)
    home = enrolled.home
    enrolled.close()
    behind = Till(home, clock=FakeClock(time.time() - 3600))
    try:
        summary = syncer.sync_once(behind, fast_client(handle.url))
        assert summary.status == "ok"
        (warning,) = [w for w in alerts.warnings(behind) if w["code"] == "warn_clock"]
        skew = re.search(r"[+-]\d+", warning["detail"])  # "서버 시각과 +3601초 차이"
        assert skew and 3500 <= int(skew.group()) <= 3700
    finally:
        behind.close()
    level = Till(home)
    try:
        syncer.sync_once(level, fast_client(handle.url))
        assert [w for w in alerts.warnings(level) if w["code"] == "warn_clock"] == []
    finally:
        level.close()
