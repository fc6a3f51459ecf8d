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
    "terminal_cap": ("미정산 금액 한도를 넘었습니다. 인터넷에 연결해 정산하세요",
                     "Offline limit reached; connect to settle"),
    "double_spend": ("다른 곳에서 이미 사용된 코드입니다", "Code already spent elsewhere"),
    "insufficient_funds": ("지갑 잔액이 부족합니다", "Insufficient wallet balance"),
    "bad_refund": ("환불이 거부되었습니다", "Refund refused"),
    "totals_mismatch": ("마감 합계가 맞지 않습니다", "Day-close totals do not match"),
    "bad_time": ("거래 시각이 맞지 않습니다. 단말기 시계를 확인하세요",
                 "Entry time out of order; check the till's clock"),
    "late": ("오프라인 기한이 지나 전송된 거래입니다", "Sent after the offline time limit"),
    "not_configured": ("단말기 설정이 없습니다. 설정을 가져오세요", "Terminal not configured; import a config"),
    "fork_alarm": ("장부가 시청 기록과 다릅니다. 결제를 멈추고 고객센터에 연락하세요",
                   "Journal differs from the city's record; payments stopped, call support"),
    "no_such_payment": ("해당 결제를 찾을 수 없습니다", "No such payment"),
    "refund_too_large": ("남은 결제 금액보다 큰 환불입니다", "Refund exceeds what is left of the payment"),
    "refund_reason": ("환불 사유를 입력하세요", "A refund needs a reason"),
    "refund_rejected_payment": ("시청이 거절한 결제는 환불할 수 없습니다",
                                "The city rejected this payment; nothing to refund"),
    "bad_amount": ("금액은 1원 이상의 정수여야 합니다", "Amount must be a whole number of won, at least 1"),
    "already_closed": ("이미 마감된 영업일입니다", "That business day is already closed"),
    "future_date": ("아직 오지 않은 영업일은 마감할 수 없습니다", "Cannot close a business day that has not begun"),
    "journal_corrupt": ("장부 파일이 손상되어 결제를 받지 않습니다. 백업에서 복원하세요: jtill restore FILE",
                        "The journal file is damaged; no payments are taken. Restore it from a backup: "
                        "jtill restore FILE"),
    "journal_missing": ("장부 파일이 없어 결제를 받지 않습니다 (새 장부를 만들지 않습니다). 백업에서 복원하세요: "
                        "jtill restore FILE",
                        "The journal file is missing; no payments are taken and no new journal is started. "
                        "Restore it from a backup: jtill restore FILE"),
    "journal_mismatch": ("이 단말기가 만든 장부가 아니어서 결제를 받지 않습니다. 원래 장부를 되돌리거나 백업에서 "
                         "복원하세요: jtill restore FILE",
                         "This is not the journal this till created; no payments are taken. Put the original "
                         "back or restore it from a backup: jtill restore FILE"),
    "no_such_entry": ("해당 거래가 없습니다", "No such entry"),
    "bad_printer_uri": ("프린터 주소가 잘못되었습니다 (tcp://, usb://, serial://, file://)",
                        "Bad printer address (tcp://, usb://, serial://, file://)"),
    "printer_unreachable": ("프린터에 연결할 수 없습니다. 전원과 케이블을 확인하세요",
                            "Cannot reach the printer; check its power and cable"),
    "printer_stalled": ("프린터가 응답하지 않습니다. 용지와 덮개를 확인하세요",
                        "The printer stopped responding; check paper and cover"),
    "printer_paper_out": ("프린터 용지가 없습니다", "The printer is out of paper"),
    "print_error": ("인쇄하지 못했습니다. 작업은 남겨 두었으니 다시 인쇄하세요",
                    "Printing failed; the job is kept for reprint"),
    "no_cjk_font": ("한글 글꼴이 없어 영수증을 그릴 수 없습니다 (fonts-noto-cjk 설치)",
                    "No Korean font to draw the receipt (install fonts-noto-cjk)"),
    "terminal_error": ("단말기 오류", "Till error"),
    "bad_key": ("키 파일이 올바르지 않습니다", "Not a usable key"),
    "bad_config": ("설정을 가져올 수 없습니다", "Config cannot be imported"),
    "journal_error": ("장부를 사용할 수 없습니다", "The journal cannot be used"),
    "newer_journal": ("더 새로운 jtill 버전이 만든 장부입니다", "Journal written by a newer jtill"),
    "home_error": ("데이터 폴더가 준비되지 않았습니다", "Data directory not set up"),
    "unreadable_image": ("이미지를 읽을 수 없습니다", "Cannot read the image"),
    "no_qr_decoder": ("QR 디코더를 불러올 수 없습니다", "No QR decoder could be loaded"),
    "unknown_event": ("알 수 없는 이벤트입니다", "Unknown event"),
    "internal": ("예기치 못한 오류입니다", "Unexpected error"),
    "io_error": ("파일을 읽거나 쓸 수 없습니다", "File error"),
    "sync_error": ("동기화에 실패했습니다", "Sync failed"),
    "offline": ("서버에 연결할 수 없습니다", "Server unreachable"),
    "fork": ("장부가 시청 기록과 다릅니다", "Journal differs from the city's record"),
    "no_server": ("서버 주소가 없습니다", "No server URL"),
    "bad_answer": ("서버 응답이 올바르지 않습니다", "Unexpected answer from the server"),
    "bad_receipt": ("정산 확인이 올바르지 않습니다", "Settlement confirmation refused"),
    "bad_file": ("배치/영수증 파일이 아닙니다", "Not a batch or receipt file"),
    "recovery_failed": ("복구할 수 없습니다", "Recovery refused"),
    "already_enrolled": ("이미 등록된 단말기입니다", "Already enrolled"),
    "no_such_operator": ("등록되지 않은 직원입니다", "No such operator"),
    "operator_exists": ("이미 등록된 직원 ID입니다", "An operator with that id already exists"),
    "bad_operator": ("직원 ID(1–32자, 공백 없이)와 이름(1–40자)을 확인하세요",
                     "Check the operator id (1–32 characters, no spaces) and name (1–40 characters)"),
    "bad_role": ("역할은 사장(owner) 또는 직원(cashier)입니다", "The role is owner or cashier"),
    "bad_pin": ("PIN은 숫자 4–12자리입니다", "A PIN is 4 to 12 digits"),
    "wrong_pin": ("PIN이 틀렸습니다", "Wrong PIN"),
    "locked_out": ("PIN을 여러 번 틀려 잠겼습니다. 잠시 후 다시 하세요",
                   "Too many wrong PINs; locked, try again later"),
    "owner_pin_required": ("사장님 PIN이 필요합니다", "The owner's PIN is needed"),
    "not_owner": ("사장님만 할 수 있습니다", "Only the owner may do this"),
    "last_owner": ("마지막 사장님은 지울 수 없습니다", "The last owner cannot be removed"),
    "warn_offline_cap": ("미정산 금액이 오프라인 한도에 가깝습니다. 인터넷에 연결해 정산하세요",
                         "Unsettled money is close to the offline limit; connect to settle"),
    "warn_old_unsent": ("하루 넘게 전송되지 않은 거래가 있습니다. 전송하거나 파일로 내보내세요",
                        "Entries unsent for over a day; upload them or export the file"),
    "warn_clock": ("단말기 시계가 서버 시각과 다릅니다. 시계를 맞추세요",
                   "The till's clock differs from the server's; set the clock"),
    "unsent_at_close": ("시청에 보내지 않은 거래가 있습니다", "Some entries have not reached the city"),
}

# What the owner can do about a payment or refund the city rejected, by the city's reason code.
REJECTION_ADVICE = {
    "revoked": ("시청이 정지한 지갑입니다. 이 돈은 들어오지 않습니다. "
                "손님께 다른 방법으로 받거나 시청 상품권 창구에 문의하세요.",
                "The city had suspended this wallet; this money will not arrive. Collect it another way "
                "or call the city's voucher desk."),
    "double_spend": ("같은 코드가 다른 곳에서 먼저 쓰였습니다. 이 돈은 들어오지 않습니다. "
                     "손님께 다시 받고, 되풀이되면 시청에 신고하세요.",
                     "The same code was spent elsewhere first; this money will not arrive. Collect it again "
                     "and report it to the city if it happens again."),
    "insufficient_funds": ("손님 지갑 잔액이 모자랐습니다. 이 돈은 들어오지 않습니다. 손님께 다시 받으세요.",
                           "The customer's wallet did not hold enough; this money will not arrive. Collect it again."),
    "bad_refund": ("시청이 이 환불을 인정하지 않았습니다(원래 결제가 정산되지 않음). 시청 고객센터에 문의하세요.",
                   "The city did not accept this refund (its payment was not settled). Call the city's help desk."),
    "totals_mismatch": ("마감 합계가 시청 계산과 다릅니다. 고객센터에 연락하세요.",
                        "The day-close totals differ from the city's; call the help desk."),
}
OTHER_REJECTION_ADVICE = ("시청이 이 결제를 인정하지 않았습니다. 이 돈은 들어오지 않습니다. "
                          "손님께 다시 받거나 시청에 문의하세요.",
                          "The city did not accept this payment; this money will not arrive. Collect it again "
                          "or ask the city.")


# Settlement status of a journal entry, as shop owners read it.
STATUS_TEXTS = {
    "pending": ("미전송", "not sent"),
    "sent": ("전송됨", "sent"),
    "settled": ("정산됨", "settled"),
    "rejected": ("거절됨", "rejected"),
}


def rejection_advice(reason: str | None) -> tuple[str, str]:
    """``(korean, english)``: what the owner can do about an entry the city rejected for ``reason``."""
    return REJECTION_ADVICE.get(reason or "", OTHER_REJECTION_ADVICE)


# What the cashier can do about a declined payment.
ADVICE = {
    "malformed": ("고객 앱의 결제 QR인지 확인하고 다시 스캔하세요", "Check it is the app's payment QR and scan again"),
    "unknown_key": ("지금 동기화를 누른 뒤 다시 스캔하세요", "Press Sync now, then scan again"),
    "bad_signature": ("고객에게 새 QR을 요청하세요", "Ask the customer for a new QR"),
    "wrong_issuer": ("다른 결제 수단을 요청하세요", "Ask for another way to pay"),
    "not_yet_valid": ("단말기와 고객 휴대폰의 시계를 확인하세요",
                      "Check the clocks of the till and the customer's phone"),
    "expired": ("고객에게 새 QR을 요청하세요", "Ask the customer for a new QR"),
    "revoked": ("이 지갑은 쓸 수 없습니다. 다른 결제 수단을 요청하세요",
                "This wallet cannot pay; ask for another way to pay"),
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


def about_file(code: str, path, detail: str = "") -> str:
    """``한국어 (PATH) / English (PATH: detail)`` for ``code``: a refusal that names the file at fault."""
    ko, en = TEXTS[code]
    return f"{ko} ({path}) / {en} ({path}{': ' + detail if detail else ''})"
