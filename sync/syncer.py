"""One sync pass, the watch loop and the till's sync status (Qt-free; faces call these)."""

from __future__ import annotations

import json
import threading
import time

from terminal import alerts, events, settlement
from terminal.checkout import ALARM_KEY, FORK_ALARM, Till, TillError
from terminal.config import ConfigError
from terminal.keys import load_private_jwk

from sync import batches, receipts
from sync.client import ApiError, CityClient, Offline, SyncError, Timing, backoff

META_SERVER = "server_url"
META_LAST_SYNC = "last_sync"
META_LAST_ERROR = "last_error"
META_ALARM = ALARM_KEY
META_ALARM_DETAIL = "alarm_detail"
META_RECOVERED_FROM = "recovered_from"


class ForkDetected(SyncError):
    """The city's record of this till's chain differs from our journal."""

    code = "fork"


def server_url(till: Till) -> str | None:
    """The city server this till enrolled with."""
    return till.journal.get_meta(META_SERVER) or None


def client_for(till: Till, url: str | None = None, timing: Timing | None = None) -> CityClient:
    """A client for ``url`` or the server recorded at enrollment."""
    url = url or server_url(till)
    if not url:
        raise SyncError("서버 주소가 없습니다 / no server URL (enroll first or pass --server)")
    return CityClient(url, timing)


def raise_fork_alarm(till: Till, detail: str) -> None:
    """Record the fork alarm (``Till.pay`` then refuses unless the city allows it) and tell the faces."""
    till.journal.set_meta(META_ALARM, FORK_ALARM)
    till.journal.set_meta(META_ALARM_DETAIL, detail)
    events.trigger("fork_alarm", detail)


def _refresh_config(till: Till, client: CityClient, tid: str, summary: dict) -> None:
    try:
        cfg, changed = till.import_config(client.config(tid))
        summary.update(config_ver=cfg.ver, config_changed=changed)
    except ConfigError as exc:
        summary.update(config_ver=till.config.ver, config_changed=False, config_error=str(exc))


def _check_head(till: Till, client: CityClient, tid: str) -> int:
    server_to, server_head = client.head(tid)
    local_to, _ = till.journal.head()
    if server_to > local_to:
        raise ForkDetected(f"the city holds entries up to {server_to}, our journal ends at {local_to}")
    if server_to and till.journal.entry(server_to)["hash"] != server_head:
        raise ForkDetected(f"the city's entry {server_to} differs from ours")
    return server_to


def _upload(till: Till, client: CityClient, tid: str, server_to: int, summary: dict) -> None:
    journal = till.journal
    _, key = load_private_jwk(till.home.terminal_key_path)
    local_to, _ = journal.head()
    # Start at whichever is earlier: our first unreceipted entry or the city's first missing one.
    from_seq = min(batches.unacked_from(journal), server_to + 1)
    while from_seq <= local_to:
        batch = batches.build_batch(journal, tid, key, from_seq, local_to)
        _, _, to_seq = batches.batch_range(batch)
        settlement.mark_sent(journal, to_seq)
        try:
            receipt = client.post_batch(tid, batch)
        except ApiError as exc:
            expected = exc.body.get("expected_from")
            if exc.code == "gap" and isinstance(expected, int) and 1 <= expected < from_seq:
                summary["gaps_healed"] += 1
                from_seq = expected
                continue
            if exc.code == "fork":
                raise ForkDetected(exc.detail or "the city refused our batch as a fork") from exc
            raise
        payload = receipts.apply(journal, receipt, till.trust, tid)
        summary["batches"] += 1
        summary["uploaded"] += payload["to"] - payload["from"] + 1
        for r in payload["results"]:
            if r["status"] == "rejected":
                summary["rejected"].append({"seq": r["seq"], "reason": r["reason"]})
            else:
                summary["settled"] += 1
                summary["cashback"] += r.get("cashback", 0)
        from_seq = payload["to"] + 1


def sync_once(till: Till, client: CityClient) -> dict:
    """One pass: refresh config, compare heads, upload unacknowledged entries, apply receipts.

    Returns a JSON-able summary whose ``status`` is ``ok``, ``offline``, ``fork`` or ``error``.
    """
    events.trigger("sync_started")
    journal = till.journal
    summary = {"status": "ok", "server": client.base_url, "batches": 0, "uploaded": 0, "settled": 0,
               "rejected": [], "cashback": 0, "gaps_healed": 0}
    try:
        tid = till.config.tid
        summary["tid"] = tid
        _refresh_config(till, client, tid, summary)
        if journal.get_meta(META_ALARM) == FORK_ALARM:
            raise ForkDetected(journal.get_meta(META_ALARM_DETAIL, "fork alarm raised earlier"))
        summary["server_to"] = _check_head(till, client, tid)
        _upload(till, client, tid, summary["server_to"], summary)
    except ForkDetected as exc:
        if journal.get_meta(META_ALARM) != FORK_ALARM:
            raise_fork_alarm(till, str(exc))
        _record_failure(till, summary, exc, "fork")
    except Offline as exc:
        _record_failure(till, summary, exc, "offline")
        summary["retry_after"] = exc.retry_after
    except (SyncError, ConfigError, TillError, receipts.ReceiptError) as exc:
        _record_failure(till, summary, exc, "error")
    else:
        journal.set_meta(META_LAST_SYNC, str(int(time.time() * 1000)))
        if client.server_time is not None:
            alerts.record_clock_skew(journal, client.server_time, till.clock())
        journal.set_meta(META_LAST_ERROR, "")
        events.trigger("sync_finished", summary)
    summary.update(pending_counts(till))
    return summary


def _record_failure(till: Till, summary: dict, exc: Exception, status: str) -> None:
    code = getattr(exc, "code", "error")
    summary.update(status=status, error=code, message=str(exc))
    till.journal.set_meta(
        META_LAST_ERROR, json.dumps({"at": int(time.time() * 1000), "error": code, "message": str(exc)},
                                    ensure_ascii=False)
    )
    events.trigger("sync_failed", exc)


def pending_counts(till: Till) -> dict:
    """Entries the city has not answered for yet, and the payment amount among them."""
    _, acked = settlement.sync_state(till.journal)
    (count,) = till.journal.conn.execute("SELECT COUNT(*) FROM entries WHERE seq > ?", [acked]).fetchone()
    return {"pending": count, "pending_amount": settlement.unsettled_payment_total(till.journal)}


def status(till: Till, client: CityClient | None = None) -> dict:
    """Online?, pending count and amount, last sync, last error, alarm, the forked terminal replaced."""
    journal = till.journal
    sent_to, acked_to = settlement.sync_state(journal)
    last_error = journal.get_meta(META_LAST_ERROR) or None
    last_sync = journal.get_meta(META_LAST_SYNC)
    result = {
        "tid": till.config.tid if till.configured else None,
        "server": server_url(till),
        "online": None,
        "sent_to": sent_to,
        "acked_to": acked_to,
        "last_sync": int(last_sync) if last_sync else None,
        "last_error": json.loads(last_error) if last_error else None,
        "alarm": journal.get_meta(META_ALARM) or None,
        "alarm_detail": journal.get_meta(META_ALARM_DETAIL) or None,
        "recovered_from": json.loads(recovered) if (recovered := journal.get_meta(META_RECOVERED_FROM)) else None,
        **pending_counts(till),
    }
    if client is not None and till.configured:
        try:
            client.head(till.config.tid, retry=False)
            result["online"] = True
        except SyncError:
            result["online"] = False
    return result


def watch(till: Till, client: CityClient, stop: threading.Event, *, interval: float = 30.0,
          max_backoff: float = 300.0, on_summary=None) -> None:
    """Sync every ``interval`` seconds while reachable; back off (with jitter) while not; until ``stop``.

    A new journal entry (a payment taken by any process on this journal) ends the wait early, so
    a payment is uploaded right after it is taken whenever the network is there.
    """
    failures = 0
    while not stop.is_set():
        summary = sync_once(till, client)
        if on_summary is not None:
            on_summary(summary)
        if summary["status"] == "ok":
            failures, wait = 0, interval
        else:
            failures += 1
            wait = summary.get("retry_after") or max(1.0, backoff(failures, interval / 4, max_backoff))
        _wait_for_entry(till, stop, wait)


def _wait_for_entry(till: Till, stop: threading.Event, wait: float, poll: float = 0.5) -> None:
    """Sleep up to ``wait`` seconds, or until the journal grows or ``stop`` is set."""
    seen = till.journal.head()[0]
    end = time.monotonic() + wait
    while not stop.wait(max(0.0, min(poll, end - time.monotonic()))):
        if time.monotonic() >= end or till.journal.head()[0] != seen:
            return
