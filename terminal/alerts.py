"""What the owner must see: payments the city rejected (until acknowledged) and early warnings.

Acknowledgements are kept in the journal file beside the chain (``rejection_acks``), never in it.
"""

from __future__ import annotations

import logging

from terminal import operators, settlement
from terminal.catalog import ntr, tr
from terminal.checkout import Till
from terminal.journal import Journal
from terminal.messages import rejection_advice, won

log = logging.getLogger(__name__)

CAP_WARN_SHARE = 0.8  # warn when unsettled payments reach this share of the offline cap
OLD_UNSENT_MS = 24 * 3600 * 1000
CLOCK_SKEW_LIMIT_S = 300  # tokens carry iat/exp: a clock this far off starts refusing good codes
META_CLOCK_SKEW = "clock_skew"  # the server's time minus ours, in seconds, at the last sync


def rejected(journal: Journal, *, unacknowledged: bool = True) -> list[dict]:
    """Entries the city rejected (by default those not yet acknowledged), each with ``reason`` and ``advice``."""
    out = []
    for seq, reason, ack_at, ack_by in journal.rejected_payments(unacknowledged=unacknowledged):
        entry = journal.entry(seq)
        if entry is None:  # settlement rows name journaled entries only
            continue
        ko, en = rejection_advice(reason)
        out.append({**entry, "status": "rejected", "status_reason": reason, "advice": {"ko": ko, "en": en},
                    "acknowledged_at": ack_at, "acknowledged_by": ack_by})
    return out


def acknowledge(till: Till, seqs: list[int], *, owner_pin: str | None, owner_id: str | None = None) -> int:
    """Record that the owner has seen these rejections; needs an owner's PIN once an owner exists."""
    now_ms = int(till.clock() * 1000)
    owner = operators.authorize(till.journal, "acknowledge", owner_pin, now_ms, owner_id)
    by = owner.id if owner else till.operator
    with till.journal.locked():
        till.journal.acknowledge_rejections(list(seqs), now_ms, by)
    log.info("rejections %s acknowledged by %s", list(seqs), by)
    return len(seqs)


def record_clock_skew(journal: Journal, server_time_s: float, our_time_s: float) -> None:
    """Remember how far our clock was from the server's at a sync."""
    journal.set_meta(META_CLOCK_SKEW, str(round(server_time_s - our_time_s)))


def warnings(till: Till) -> list[dict]:
    """``[{code, detail}]`` for an offline cap nearly reached, old unsent entries, a clock that looks wrong;
    the detail is in the chosen language, with the figures that matter."""
    out = []
    journal = till.journal
    if till.configured:
        cap = till.config.limits.terminal_offline
        unsettled = settlement.unsettled_payment_total(journal)
        if cap and unsettled >= cap * CAP_WARN_SHARE:
            detail = tr("한도의 {percent}%: {unsettled} / {cap}", percent=unsettled * 100 // cap,
                        unsettled=won(unsettled), cap=won(cap))
            out.append({"code": "warn_offline_cap", "detail": detail})
    _, acked = journal.sync_state()
    oldest = journal.oldest_after(acked)
    if oldest is not None and till.clock() * 1000 - oldest > OLD_UNSENT_MS:
        hours = int((till.clock() * 1000 - oldest) // 3_600_000)
        out.append({"code": "warn_old_unsent",
                    "detail": ntr("가장 오래된 거래 {n}시간 전", "가장 오래된 거래 {n}시간 전", hours)})
    skew = journal.get_meta(META_CLOCK_SKEW)
    if skew is not None and abs(int(skew)) > CLOCK_SKEW_LIMIT_S:
        out.append({"code": "warn_clock", "detail": tr("서버 시각과 {seconds}초 차이", seconds=f"{int(skew):+d}")})
    return out
