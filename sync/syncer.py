"""One sync pass, the watch loop and the till's sync status (Qt-free; faces call these)."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from sync import batches, receipts
from sync.client import CityClient, Timing, backoff
from sync.errors import ApiError, ForkDetected, Offline, SyncError
from sync.summary import SyncSummary
from terminal import alerts, events
from terminal.catalog import tr
from terminal.checkout import ALARM_KEY, FORK_ALARM, Till
from terminal.errors import ConfigError, TerminalError
from terminal.keys import load_private_jwk
from terminal.messages import text

log = logging.getLogger(__name__)

META_SERVER = "server_url"
META_LAST_SYNC = "last_sync"
META_LAST_ERROR = "last_error"
META_ALARM = ALARM_KEY
META_ALARM_DETAIL = "alarm_detail"
META_RECOVERED_FROM = "recovered_from"


def server_url(till: Till) -> str | None:
    """The city server this till enrolled with."""
    return till.journal.get_meta(META_SERVER) or None


def client_for(till: Till, url: str | None = None, timing: Timing | None = None) -> CityClient:
    """A client for ``url`` or the server recorded at enrollment."""
    url = url or server_url(till)
    if not url:
        raise SyncError(tr("서버 주소가 없습니다. 먼저 등록하거나 --server 를 주세요"), code="no_server")
    return CityClient(url, timing)


def raise_fork_alarm(till: Till, detail: str) -> None:
    """Record the fork alarm (``Till.pay`` then refuses unless the city allows it) and tell the faces."""
    till.journal.set_meta(META_ALARM, FORK_ALARM)
    till.journal.set_meta(META_ALARM_DETAIL, detail)
    events.trigger(events.FORK_ALARM, detail)


def _refresh_config(till: Till, client: CityClient, tid: str, key, summary: SyncSummary) -> None:
    try:
        cfg, changed = till.import_config(client.config(tid, key))
        summary.config_ver, summary.config_changed = cfg.ver, changed
    except ConfigError as exc:
        summary.config_ver, summary.config_changed, summary.config_error = till.config.ver, False, str(exc)


def _check_head(till: Till, client: CityClient, tid: str, key) -> int:
    server_to, server_head = client.head(tid, key)
    local_to, _ = till.journal.head()
    if server_to > local_to:
        raise ForkDetected(f"the city holds entries up to {server_to}, our journal ends at {local_to}")
    ours = till.journal.entry(server_to) if server_to else None
    if server_to and (ours is None or ours["hash"] != server_head):
        raise ForkDetected(f"the city's entry {server_to} differs from ours")
    return server_to


def _upload(till: Till, client: CityClient, tid: str, key, server_to: int, summary: SyncSummary) -> None:
    journal = till.journal
    local_to, _ = journal.head()
    # Start at whichever is earlier: our first unreceipted entry or the city's first missing one.
    from_seq = min(batches.unacked_from(journal), server_to + 1)
    while from_seq <= local_to:
        batch = batches.next_batch(journal, tid, key, from_seq, local_to)
        _, _, to_seq = batches.batch_range(batch)
        journal.mark_sent(to_seq)
        try:
            receipt = client.post_batch(tid, batch)
        except ApiError as exc:
            expected = exc.body.get("expected_from")
            if exc.code == "gap" and isinstance(expected, int) and 1 <= expected < from_seq:
                summary.gaps_healed += 1
                from_seq = expected
                continue
            if exc.code == "fork":
                log.error("the city refused batch %d–%d as a fork: %s", from_seq, to_seq, exc.server_detail)
                raise ForkDetected() from exc
            raise
        applied = receipts.apply(journal, receipt, till.trust, tid)
        summary.batches += 1
        summary.uploaded += applied.to_seq - applied.from_seq + 1
        for r in applied.results:
            if r.status == "rejected":
                summary.rejected.append({"seq": r.seq, "reason": r.reason or ""})
            else:
                summary.settled += 1
                summary.cashback += r.cashback or 0
        from_seq = applied.to_seq + 1


def _pass(till: Till, client: CityClient, summary: SyncSummary) -> None:
    journal = till.journal
    summary.tid = tid = till.config.tid
    _, key = load_private_jwk(till.home.terminal_key_path)
    _refresh_config(till, client, tid, key, summary)
    try:
        if journal.get_meta(META_ALARM) == FORK_ALARM:
            raise ForkDetected(journal.get_meta(META_ALARM_DETAIL) or "fork alarm raised earlier")
        summary.server_to = _check_head(till, client, tid, key)
        _upload(till, client, tid, key, summary.server_to, summary)
    except ForkDetected as exc:
        if journal.get_meta(META_ALARM) != FORK_ALARM:
            raise_fork_alarm(till, str(exc))
        raise
    journal.set_meta(META_LAST_SYNC, str(int(till.clock() * 1000)))
    if client.server_time is not None:
        alerts.record_clock_skew(journal, client.server_time, till.clock())
    journal.set_meta(META_LAST_ERROR, "")
    summary.pending, summary.pending_amount = pending_counts(till)


def sync_once(till: Till, client: CityClient) -> SyncSummary:
    """One pass: refresh config, compare heads, upload unacknowledged entries, apply receipts.

    Fires ``sync_started`` and then always exactly one of ``sync_finished`` or ``sync_failed``
    (with the summary), whatever goes wrong; a failure is in the summary's ``status``
    (``offline``, ``fork`` or ``error``), ``error`` (its reason code) and ``message``.
    """
    events.trigger(events.SYNC_STARTED)
    summary = SyncSummary(server=client.base_url)
    try:
        _pass(till, client, summary)
    except Exception as exc:  # every failure ends the pass as failed; unexpected ones keep their traceback
        _record_failure(till, summary, exc)
        events.trigger(events.SYNC_FAILED, summary)
    else:
        events.trigger(events.SYNC_FINISHED, summary)
    return summary


def _failure_code(exc: Exception) -> tuple[str, str]:
    """``(status, reason code)`` of a failed pass."""
    if isinstance(exc, ForkDetected):
        return "fork", exc.code
    if isinstance(exc, Offline):
        return "offline", exc.code
    if isinstance(exc, (SyncError, TerminalError)):
        return "error", exc.code
    log.error("sync pass failed unexpectedly", exc_info=exc)
    return "error", "internal"


def describe_failure(summary: SyncSummary, exc: Exception) -> None:
    """Fill in ``summary``'s ``status``, ``error`` (a reason code, never a class name) and ``message``."""
    summary.status, summary.error = _failure_code(exc)
    summary.message = str(exc) or text(summary.error)
    if isinstance(exc, Offline):
        summary.retry_after = exc.retry_after


def _record_failure(till: Till, summary: SyncSummary, exc: Exception) -> None:
    """Fill in the failure and remember it as the last error, as far as the journal still lets us."""
    describe_failure(summary, exc)
    record = {"at": int(time.time() * 1000), "error": summary.error, "message": summary.message}
    try:
        till.journal.set_meta(META_LAST_ERROR, json.dumps(record, ensure_ascii=False))
        summary.pending, summary.pending_amount = pending_counts(till)
    except TerminalError as err:
        log.error("could not record the failed sync pass in the journal: %s", err)


def pending_counts(till: Till) -> tuple[int, int]:
    """Entries the city has not answered for yet, and the payment amount among them."""
    _, acked = till.journal.sync_state()
    return till.journal.count_since(acked), till.journal.payments_since(acked)


def status(till: Till, client: CityClient | None = None) -> dict:
    """Online?, pending count and amount, last sync (and the zone to show it in), last error, alarm, the forked
    terminal replaced."""
    journal = till.journal
    sent_to, acked_to = journal.sync_state()
    last_error = journal.get_meta(META_LAST_ERROR) or None
    last_sync = journal.get_meta(META_LAST_SYNC)
    result = {
        "tid": till.config.tid if till.configured else None,
        "server": server_url(till),
        "online": None,
        "sent_to": sent_to,
        "acked_to": acked_to,
        "last_sync": int(last_sync) if last_sync else None,
        "tz": till.tz,
        "last_error": json.loads(last_error) if last_error else None,
        "alarm": journal.get_meta(META_ALARM) or None,
        "alarm_detail": journal.get_meta(META_ALARM_DETAIL) or None,
        "recovered_from": json.loads(recovered) if (recovered := journal.get_meta(META_RECOVERED_FROM)) else None,
    }
    result["pending"], result["pending_amount"] = pending_counts(till)
    if client is not None and till.configured:
        try:
            client.head(till.config.tid, load_private_jwk(till.home.terminal_key_path)[1], retry=False)
            result["online"] = True
        except SyncError:
            result["online"] = False
    return result


def watch(till: Till, client: CityClient, stop: threading.Event, *, interval: float = 30.0,
          max_backoff: float = 300.0, on_summary: Callable[[SyncSummary], Any] | None = None) -> None:
    """Sync every ``interval`` seconds while reachable; back off (with jitter) while not; until ``stop``.

    A failed pass (whatever failed) is logged and retried later; it never ends the loop.
    A new journal entry (a payment taken by any process on this journal) ends the wait early, so
    a payment is uploaded right after it is taken whenever the network is there.
    """
    failures = 0
    while not stop.is_set():
        summary = sync_once(till, client)
        if on_summary is not None:
            on_summary(summary)
        if summary.ok:
            failures, wait = 0, interval
        else:
            failures += 1
            log.warning("sync pass failed (%s): %s", summary.error, summary.message)
            wait = summary.retry_after or max(1.0, backoff(failures, interval / 4, max_backoff))
        _wait_for_entry(till, stop, wait)


def _wait_for_entry(till: Till, stop: threading.Event, wait: float, poll: float = 0.5) -> None:
    """Sleep up to ``wait`` seconds, or until the journal grows or ``stop`` is set."""
    end = time.monotonic() + wait
    try:
        seen = till.journal.head()[0]
        while not stop.wait(max(0.0, min(poll, end - time.monotonic()))):
            if time.monotonic() >= end or till.journal.head()[0] != seen:
                return
    except TerminalError as exc:  # an unreadable journal: wait out the time, the next pass reports it
        log.warning("cannot watch the journal for new entries: %s", exc)
        stop.wait(max(0.0, end - time.monotonic()))
