"""Korean-first, English-second texts for reason and error codes shown to shop owners."""

from __future__ import annotations

import os

TEXTS = {
    "accepted": ("결제가 승인되었습니다", "Payment accepted"),
    "malformed": ("전주사랑상품권 결제 코드가 아닙니다", "Not a Jeonju payment code"),
    "unknown_key": ("알 수 없는 발급 키입니다 (설정 갱신 필요)", "Unknown issuer key (config update needed)"),
    "bad_signature": ("위조되었거나 손상된 코드입니다", "Forged or damaged code"),
    "wrong_issuer": ("다른 지역의 상품권입니다", "Issued by another issuer"),
    "not_yet_valid": ("아직 사용할 수 없는 코드입니다 (시계 확인)", "Code not yet valid (check the clock)"),
    "expired": ("만료된 코드입니다. 새 코드를 보여 주세요", "Expired code; ask for a fresh one"),
    "revoked": ("정지된 지갑 또는 코드입니다", "Wallet or code revoked"),
    "already_used": ("이미 사용된 코드입니다", "Code already used"),
    "category_not_allowed": ("이 업종에서는 쓸 수 없는 상품권입니다", "Voucher not valid for this shop's category"),
    "over_limit": ("결제 한도를 넘는 금액입니다", "Amount over the limit"),
    "wallet_cap": ("이 지갑의 오늘 한도를 넘었습니다", "Wallet's daily limit reached"),
    "terminal_cap": ("미정산 금액 한도를 넘었습니다. 인터넷에 연결해 정산하세요", "Offline limit reached; connect to settle"),
    "double_spend": ("다른 곳에서 이미 사용된 코드입니다", "Code already spent elsewhere"),
    "insufficient_funds": ("지갑 잔액이 부족합니다", "Insufficient wallet balance"),
    "bad_refund": ("환불이 거부되었습니다", "Refund refused"),
    "totals_mismatch": ("마감 합계가 맞지 않습니다", "Day-close totals do not match"),
    "not_configured": ("단말기 설정이 없습니다. 설정을 가져오세요", "Terminal not configured; import a config"),
    "fork_alarm": ("장부가 시청 기록과 다릅니다. 결제를 멈추고 고객센터에 연락하세요",
                   "Journal differs from the city's record; payments stopped, call support"),
    "no_such_payment": ("해당 결제를 찾을 수 없습니다", "No such payment"),
    "refund_too_large": ("남은 결제 금액보다 큰 환불입니다", "Refund exceeds what is left of the payment"),
    "refund_reason": ("환불 사유를 입력하세요", "A refund needs a reason"),
    "refund_rejected_payment": ("시청이 거절한 결제는 환불할 수 없습니다", "The city rejected this payment; nothing to refund"),
    "bad_amount": ("금액은 1원 이상의 정수여야 합니다", "Amount must be a whole number of won, at least 1"),
    "already_closed": ("이미 마감된 영업일입니다", "That business day is already closed"),
    "future_date": ("아직 오지 않은 영업일은 마감할 수 없습니다", "Cannot close a business day that has not begun"),
}


# Settlement status of a journal entry, as shop owners read it.
STATUS_TEXTS = {
    "pending": ("미전송", "not sent"),
    "sent": ("전송됨", "sent"),
    "settled": ("정산됨", "settled"),
    "rejected": ("거절됨", "rejected"),
}


# What the cashier can do about a declined payment.
ADVICE = {
    "malformed": ("고객 앱의 결제 QR인지 확인하고 다시 스캔하세요", "Check it is the app's payment QR and scan again"),
    "unknown_key": ("지금 동기화를 누른 뒤 다시 스캔하세요", "Press Sync now, then scan again"),
    "bad_signature": ("고객에게 새 QR을 요청하세요", "Ask the customer for a new QR"),
    "wrong_issuer": ("다른 결제 수단을 요청하세요", "Ask for another way to pay"),
    "not_yet_valid": ("단말기와 고객 휴대폰의 시계를 확인하세요", "Check the clocks of the till and the customer's phone"),
    "expired": ("고객에게 새 QR을 요청하세요", "Ask the customer for a new QR"),
    "revoked": ("이 지갑은 쓸 수 없습니다. 다른 결제 수단을 요청하세요", "This wallet cannot pay; ask for another way to pay"),
    "already_used": ("고객에게 새 QR을 요청하세요", "Ask the customer for a new QR"),
    "category_not_allowed": ("다른 결제 수단을 요청하세요", "Ask for another way to pay"),
    "over_limit": ("금액을 나누어 결제하세요", "Split the amount into smaller payments"),
    "wallet_cap": ("금액을 줄이거나 다른 결제 수단을 요청하세요", "Lower the amount or ask for another way to pay"),
    "terminal_cap": ("인터넷에 연결하고 지금 동기화를 누르세요", "Connect to the internet and press Sync now"),
    "bad_amount": ("금액을 입력한 뒤 다시 스캔하세요", "Type the amount, then scan again"),
}
# Figures a decline may carry (amounts in won), as the cashier reads them.
FIGURES = {
    "limit": ("이 코드의 결제 한도 {}", "this code's limit {}"),
    "left": ("남은 한도 {}", "{} left"),
}


def advice(code: str, lang: str | None = None, figures: dict | None = None) -> str:
    """What to do about ``code`` in one language, then the ``figures`` that help; empty when there is no advice."""
    pick = 1 if (lang or language()) == "en" else 0
    parts = [ADVICE[code][pick]] if code in ADVICE else []
    parts += [FIGURES[name][pick].format(won(value)) for name, value in (figures or {}).items() if name in FIGURES]
    return " · ".join(parts)


_DIGITS = "영일이삼사오육칠팔구"
_SMALL_UNITS = ("", "십", "백", "천")
_GROUP_UNITS = ("", "만", "억", "조", "경")


def korean_won_words(amount: int) -> str:
    """An amount in Korean words, as on a cheque: 120000 → ``십이만 원``, 12345 → ``만 이천삼백사십오 원``."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        raise ValueError(f"not a whole number of won: {amount!r}")
    if amount == 0:
        return "영 원"
    groups = []
    for unit in _GROUP_UNITS:
        amount, group = divmod(amount, 10_000)
        if group:
            words = "".join(
                ("" if digit == 1 and place else _DIGITS[digit]) + _SMALL_UNITS[place]
                for place, digit in reversed(list(enumerate(int(d) for d in reversed(f"{group}")))) if digit
            )
            groups.append(("" if words == "일" and unit == "만" else words) + unit)
        if not amount:
            break
    else:
        raise ValueError("amount too large")
    return " ".join(reversed(groups)) + " 원"


def won(amount: int) -> str:
    """``12,000원`` (the won sign reads the same in both languages)."""
    return f"{amount:,}원"


def language() -> str:
    """``ko`` unless ``JTILL_LANG`` (or ``LANG``) asks for English."""
    lang = os.environ.get("JTILL_LANG") or os.environ.get("LANG", "ko")
    return "en" if lang.lower().startswith("en") else "ko"


def text(code: str, lang: str | None = None) -> str:
    """The message for ``code`` in one language."""
    ko, en = TEXTS.get(code, (code, code))
    return en if (lang or language()) == "en" else ko


def both(code: str) -> str:
    """``한국어 / English`` for ``code``."""
    ko, en = TEXTS.get(code, (code, code))
    return f"{ko} / {en}"
