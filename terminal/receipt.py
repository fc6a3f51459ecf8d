"""Receipts (영수증) and Z reports as printable slips, and their plain-text rendering.

A :class:`Slip` is what every output draws: the text renderer here, the ESC/POS encoder
(:mod:`terminal.escpos`) and the PDF painter of the desktop till. Slips hold only what the
issue names for a receipt: no token, no limits, no other customers.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from terminal.business_day import local_time
from terminal.checkout import TillError
from terminal.config import TerminalConfig
from terminal.journal import Entry, Journal
from terminal.messages import STATUS_TEXTS, won
from terminal.report import z_report

KIND_TEXTS = {"payment": ("결제", "payment"), "refund": ("환불", "refund"), "close": ("영업 마감", "day close")}
HEADINGS = {"payment": "영수증 RECEIPT", "refund": "환불 영수증 REFUND", "close": "영업 마감 DAY CLOSE"}
Z_HEADING = "Z 리포트 Z REPORT"
THANKS = "감사합니다 Thank you"
QR_PREFIX = "jtill-entry"
HASH_CHARS = 16


class ReceiptError(TillError):
    """No receipt can be made for what was asked (``code`` keys :mod:`terminal.messages`)."""


@dataclass(frozen=True)
class Row:
    """``label`` on the left, ``value`` on the right; ``big`` rows print double size."""

    label: str
    value: str
    big: bool = False


RULE = None  # a horizontal rule between groups of rows


@dataclass(frozen=True)
class Slip:
    """A receipt or report ready to draw: merchant name, heading, rows (``RULE`` between groups), QR, footer."""

    title: str
    heading: str
    rows: tuple[Row | None, ...]
    qr: str | None
    footer: str


@dataclass(frozen=True)
class Receipt:
    """The receipt of one journal entry: exactly the fields the shop and support need."""

    merchant_name: str
    merchant_id: str
    tid: str
    biz_date: str
    local_time: str
    kind: str
    amount: int
    wallet: str | None
    operator: str
    seq: int
    entry_id: str
    hash16: str
    status: str | None
    qr: str

    def slip(self) -> Slip:
        """The slip every output draws."""
        ko, en = KIND_TEXTS[self.kind]
        rows: list[Row | None] = [
            Row("가맹점 번호", self.merchant_id),
            Row("단말기", self.tid),
            Row("영업일", self.biz_date),
            Row("일시", self.local_time),
            Row("구분", f"{ko} {en}"),
        ]
        if self.wallet:
            rows.append(Row("지갑", self.wallet))
        rows += [Row("담당", self.operator), RULE,
                 Row("금액" if self.kind != "close" else "순매출", won(self.amount), True),
                 RULE, Row("거래 번호", f"#{self.seq}"), Row("거래 ID", self.entry_id), Row("해시", self.hash16)]
        if self.status:
            rows.append(Row("정산 상태", " ".join(STATUS_TEXTS[self.status])))
        return Slip(self.merchant_name, HEADINGS[self.kind], tuple(rows), self.qr, THANKS)


@dataclass(frozen=True)
class ZReceipt:
    """A Z report (one business date's counts and sums) as the shop prints it."""

    merchant_name: str
    merchant_id: str
    tid: str
    biz_date: str
    closed: bool
    printed_at: str
    payments: tuple[int, int]  # (count, amount)
    refunds: tuple[int, int]
    net: int
    by_status: tuple[tuple[str, int, int], ...]  # payments by settlement status: (status, count, amount)
    rejected: tuple[tuple[str, int], ...]  # (kind:reason, count)
    cashback: int
    qr: str | None  # the close entry's id and hash, once the day is closed

    def slip(self) -> Slip:
        """The slip every output draws."""
        rows: list[Row | None] = [
            Row("가맹점 번호", self.merchant_id),
            Row("단말기", self.tid),
            Row("영업일", self.biz_date),
            Row("상태", "마감됨 closed" if self.closed else "영업 중 open"),
            Row("출력", self.printed_at),
            RULE,
            Row(f"결제 {self.payments[0]}건", won(self.payments[1])),
            Row(f"환불 {self.refunds[0]}건", won(self.refunds[1])),
            Row("순매출", won(self.net), True),
            RULE,
        ]
        rows += [Row(f"{STATUS_TEXTS[status][0]} {count}건", won(amount)) for status, count, amount in self.by_status]
        rows += [Row(f"  {reason}", f"{count}건") for reason, count in self.rejected]
        if self.cashback:
            rows.append(Row("시민 캐시백", won(self.cashback)))
        return Slip(self.merchant_name, Z_HEADING, tuple(rows), self.qr, THANKS)


def entry_qr(entry: Entry) -> str:
    """What the receipt's QR holds: the entry's id and full hash, for support to look it up."""
    return f"{QR_PREFIX}:{entry['id']}:{entry['hash']}"


def short_wallet(wid: str) -> str:
    """A wallet id with its middle masked (``W-7Q****2X``), as card receipts mask card numbers."""
    if len(wid) <= 6:
        return wid[:2] + "*" * (len(wid) - 2)
    return wid[:4] + "*" * (len(wid) - 6) + wid[-2:]


def build_receipt(journal: Journal, config: TerminalConfig, seq: int) -> Receipt:
    """The receipt of entry ``seq``, with its settlement status as far as the till knows it."""
    entry = journal.entry(seq)
    if entry is None:
        raise ReceiptError("no_such_entry", f"#{seq}")
    status = journal.settlement_status(seq)
    wid = entry.get("wid")
    if entry["kind"] == "refund":
        paid = journal.entry_by_id(entry["ref"])
        wid = paid["wid"] if paid else None
    return Receipt(
        merchant_name=config.merchant["name"],
        merchant_id=config.merchant["id"],
        tid=config.tid,
        biz_date=entry["biz_date"],
        local_time=local_time(entry["at"], config.tz),
        kind=entry["kind"],
        amount=entry["amount"] if entry["kind"] != "close" else entry["net"],
        wallet=short_wallet(wid) if wid else None,
        operator=entry["operator"],
        seq=entry["seq"],
        entry_id=entry["id"],
        hash16=entry["hash"][:HASH_CHARS],
        status=status,
        qr=entry_qr(entry),
    )


def build_z_report(journal: Journal, config: TerminalConfig, biz_date: str, now_ms: int) -> ZReceipt:
    """The Z report of ``biz_date`` as printed at ``now_ms``."""
    rep = z_report(journal, biz_date, config.tz)
    pay, ref = rep["payments"], rep["refunds"]
    close = rep["close"]
    return ZReceipt(
        merchant_name=config.merchant["name"],
        merchant_id=config.merchant["id"],
        tid=config.tid,
        biz_date=biz_date,
        closed=rep["closed"],
        printed_at=local_time(now_ms, config.tz),
        payments=(pay["count"], pay["amount"]),
        refunds=(ref["count"], ref["amount"]),
        net=rep["net"],
        by_status=tuple((s, v["count"], v["amount"]) for s, v in pay["by_status"].items()),
        rejected=tuple(sorted(rep["rejected_reasons"].items())),
        cashback=rep["cashback"],
        qr=entry_qr(close) if close else None,
    )


# -- plain text ------------------------------------------------------------------------------

PAPER_COLUMNS = {58: 32, 80: 48}  # Font A characters per line; Hangul takes two


@dataclass(frozen=True)
class Line:
    """One printed line: its text, ``center`` or not, double size or not."""

    text: str
    center: bool = False
    big: bool = False


def width(text: str) -> int:
    """Columns ``text`` takes on a receipt: East Asian wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def layout(slip: Slip, columns: int, double: bool = True) -> list[Line]:
    """The slip as lines of at most ``columns`` (half that for big lines when ``double``); the QR is left out."""
    lines = [Line(slip.title, center=True, big=True), Line(slip.heading, center=True), Line("=" * columns)]
    for row in slip.rows:
        if row is RULE:
            lines.append(Line("-" * columns))
            continue
        room = columns // 2 if row.big and double else columns
        gap = room - width(row.label) - width(row.value)
        if gap >= 1:
            lines.append(Line(row.label + " " * gap + row.value, big=row.big))
            continue
        # Too long for one line: the value goes right-aligned below, cut into pieces if need be.
        lines.append(Line(row.label, big=row.big))
        value = row.value
        while value:
            piece, value = value[:room], value[room:]
            lines.append(Line(" " * max(0, room - width(piece)) + piece, big=row.big))
    lines.append(Line("=" * columns))
    return lines


def render_text(slip: Slip, paper_mm: int = 80) -> str:
    """The slip as plain text (``jtill receipt --text``): Korean labels, the QR's content spelled out."""
    columns = PAPER_COLUMNS[paper_mm]
    out = []
    for line in layout(slip, columns, double=False):
        text = line.text
        if line.center:
            text = " " * max(0, (columns - width(text)) // 2) + text
        out.append(text.rstrip())
    if slip.qr:
        out.append(f"QR: {slip.qr}")
    out.append(" " * max(0, (columns - width(slip.footer)) // 2) + slip.footer)
    return "\n".join(out)
