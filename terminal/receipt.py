"""Receipts (영수증) and Z reports as printable slips, and their plain-text rendering.

A :class:`Slip` is what every output draws: the text renderer here, the ESC/POS encoder
(:mod:`terminal.escpos`) and the PDF painter of the desktop till. Slips hold only what the
issue names for a receipt: no token, no limits, no other customers.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from terminal.business_day import local_time
from terminal.catalog import LANGUAGES, ntr, ptr, tr
from terminal.checkout import TillError
from terminal.config import TerminalConfig
from terminal.journal import Entry, Journal
from terminal.messages import KIND_TEXTS, STATUS_TEXTS, won
from terminal.operators import display_name, find
from terminal.report import z_report

# The heading and the thanks line are printed in Korean and English whatever the till's language (a
# visitor reads them too): ``bilingual(HEADINGS[kind])``. A heading's English is in capitals, hence its context.
HEADINGS = {
    "payment": lambda lang: ptr("receipt heading", "영수증", lang),
    "refund": lambda lang: ptr("receipt heading", "환불 영수증", lang),
    "close": lambda lang: ptr("receipt heading", "영업 마감", lang),
    "z": lambda lang: ptr("receipt heading", "Z 리포트", lang),
    "thanks": lambda lang: ptr("receipt", "감사합니다", lang),
}
QR_PREFIX = "jtill-entry"
HASH_CHARS = 16


class ReceiptError(TillError):
    """No receipt can be made for what was asked (``code`` keys :mod:`terminal.messages`)."""


def bilingual(text: Callable[[str], str]) -> str:
    """``text`` in Korean, then in English: ``영수증 RECEIPT``."""
    return " ".join(text(lang) for lang in LANGUAGES)


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
    operator_name: str | None  # as registered; None when the id is not a registered operator
    seq: int
    entry_id: str
    hash16: str
    status: str | None
    qr: str

    def slip(self, lang: str | None = None) -> Slip:
        """The slip every output draws, labelled in ``lang`` (default: the till's language)."""
        rows: list[Row | None] = [
            Row(ptr("receipt", "가맹점 번호", lang), self.merchant_id),
            Row(ptr("receipt", "단말기", lang), self.tid),
            Row(ptr("receipt", "영업일", lang), self.biz_date),
            Row(ptr("receipt", "일시", lang), self.local_time),
            Row(ptr("receipt", "구분", lang), tr(KIND_TEXTS[self.kind], lang)),
        ]
        if self.wallet:
            rows.append(Row(ptr("receipt", "지갑", lang), self.wallet))
        amount = ptr("receipt", "금액", lang) if self.kind != "close" else ptr("receipt", "순매출", lang)
        rows += [Row(ptr("receipt", "담당", lang), self.operator_shown(lang)), RULE,
                 Row(amount, won(self.amount), True), RULE,
                 Row(ptr("receipt", "거래 번호", lang), f"#{self.seq}"),
                 Row(ptr("receipt", "거래 ID", lang), self.entry_id),
                 Row(ptr("receipt", "해시", lang), self.hash16)]
        if self.status:
            rows.append(Row(ptr("receipt", "정산 상태", lang), tr(STATUS_TEXTS[self.status], lang)))
        return Slip(self.merchant_name, bilingual(HEADINGS[self.kind]), tuple(rows), self.qr,
                    bilingual(HEADINGS["thanks"]))

    def operator_shown(self, lang: str | None = None) -> str:
        """The operator as the slip names them (:func:`terminal.operators.display_name`)."""
        return display_name(self.operator, self.operator_name, lang)


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

    def slip(self, lang: str | None = None) -> Slip:
        """The slip every output draws, labelled in ``lang`` (default: the till's language)."""
        rows: list[Row | None] = [
            Row(ptr("receipt", "가맹점 번호", lang), self.merchant_id),
            Row(ptr("receipt", "단말기", lang), self.tid),
            Row(ptr("receipt", "영업일", lang), self.biz_date),
            Row(ptr("receipt", "상태", lang), ptr("receipt", "마감됨", lang) if self.closed
                else ptr("receipt", "영업 중", lang)),
            Row(ptr("receipt", "출력", lang), self.printed_at),
            RULE,
            Row(ntr("결제 {n}건", "결제 {n}건", self.payments[0], lang), won(self.payments[1])),
            Row(ntr("환불 {n}건", "환불 {n}건", self.refunds[0], lang), won(self.refunds[1])),
            Row(ptr("receipt", "순매출", lang), won(self.net), True),
            RULE,
        ]
        rows += [Row(ntr("{status} {n}건", "{status} {n}건", count, lang, status=tr(STATUS_TEXTS[status], lang)),
                     won(amount))
                 for status, count, amount in self.by_status]
        rows += [Row(f"  {reason}", ntr("{n}건", "{n}건", count, lang)) for reason, count in self.rejected]
        if self.cashback:
            rows.append(Row(ptr("receipt", "시민 캐시백", lang), won(self.cashback)))
        return Slip(self.merchant_name, bilingual(HEADINGS["z"]), tuple(rows), self.qr,
                    bilingual(HEADINGS["thanks"]))


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
        operator_name=operator.name if (operator := find(journal, entry["operator"])) else None,
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
    """The slip as plain text (``jtill receipt --text``): the slip's labels, the QR's content spelled out."""
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
