"""A sync pass always ends with ``sync_finished`` or ``sync_failed``, whatever goes wrong; ``watch`` carries on."""

from __future__ import annotations

import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from helpers_sync import fast_client, vector_till
from sync.syncer import sync_once, watch
from terminal import events


class _NotJSON(BaseHTTPRequestHandler):
    """A server that answers every request 200 with a body that is not the protocol's JSON."""

    def do_GET(self):
        body = b"<html>captive portal</html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def not_json_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotJSON)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=10)


@pytest.fixture
def sync_events():
    seen: list[tuple[str, tuple]] = []
    callbacks = {name: (lambda *args, name=name: seen.append((name, args)))
                 for name in (events.SYNC_STARTED, events.SYNC_FINISHED, events.SYNC_FAILED)}
    for name, fn in callbacks.items():
        events.register_callback(name, fn)
    yield seen
    for fn in callbacks.values():
        events.unregister_callback(fn)


def test_a_body_that_is_not_json_fails_the_pass_with_a_reason_code(tmp_path, not_json_url, sync_events):
    till = vector_till(tmp_path / "till")
    try:
        summary = sync_once(till, fast_client(not_json_url))
    finally:
        till.close()
    assert (summary.status, summary.error) == ("error", "bad_answer")
    assert [name for name, _ in sync_events] == [events.SYNC_STARTED, events.SYNC_FAILED]
    assert sync_events[-1][1] == (summary,)


def test_a_journal_error_mid_pass_fails_the_pass(tmp_path, not_json_url, sync_events):
    till = vector_till(tmp_path / "till")
    # The journal becomes unusable as soon as the pass has started (a disk pulled, a file gone bad).
    breaker = lambda: till.journal.close()  # noqa: E731
    events.register_callback(events.SYNC_STARTED, breaker)
    try:
        summary = sync_once(till, fast_client(not_json_url))
    finally:
        events.unregister_callback(breaker)
    assert (summary.status, summary.error) == ("error", "journal_error")
    assert "ProgrammingError" not in (summary.message or "") and "Error" not in summary.error
    assert [name for name, _ in sync_events] == [events.SYNC_STARTED, events.SYNC_FAILED]


def test_watch_survives_failed_passes_and_logs_them(tmp_path, not_json_url, caplog):
    till = vector_till(tmp_path / "till")
    stop = threading.Event()
    summaries = []
    thread = threading.Thread(target=watch, args=(till, fast_client(not_json_url), stop),
                              kwargs={"interval": 0.1, "max_backoff": 0.2, "on_summary": summaries.append})
    with caplog.at_level(logging.WARNING, logger="sync.syncer"):
        thread.start()
        deadline = time.monotonic() + 30
        while len(summaries) < 2 and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        alive_after_two = thread.is_alive()
        stop.set()
        thread.join(timeout=30)
    till.close()
    assert alive_after_two and len(summaries) >= 2
    assert {(s.status, s.error) for s in summaries} == {("error", "bad_answer")}
    assert sum("sync pass failed (bad_answer)" in r.getMessage() for r in caplog.records) >= 2
