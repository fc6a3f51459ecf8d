"""Korean-first, English-second texts for reason and error codes shown to shop owners."""

from __future__ import annotations

from terminal.catalog import N_, ntr, tr

TEXTS = {
    "accepted": N_("결제가 승인되었습니다"),
    "malformed": N_("전주사랑상품권 결제 코드가 아닙니다"),
    "unknown_key": N_("알 수 없는 발급 키입니다 (설정 갱신 필요)"),
    "bad_signature": N_("위조되었거나 손상된 코드입니다"),
    "wrong_issuer": N_("다른 지역의 상품권입니다"),
    "not_yet_valid": N_("아직 사용할 수 없는 코드입니다 (시계 확인)"),
    "expired": N_("만료된 코드입니다. 새 코드를 보여 주세요"),
    "revoked": N_("정지된 지갑 또는 코드입니다"),
    "already_used": N_("이미 사용된 코드입니다"),
    "category_not_allowed": N_("이 업종에서는 쓸 수 없는 상품권입니다"),
    "over_limit": N_("결제 한도를 넘는 금액입니다"),
    "wallet_cap": N_("이 지갑의 오늘 한도를 넘었습니다"),
    "terminal_cap": N_("미정산 금액 한도를 넘었습니다. 인터넷에 연결해 정산하세요"),
    "double_spend": N_("다른 곳에서 이미 사용된 코드입니다"),
    "insufficient_funds": N_("지갑 잔액이 부족합니다"),
    "bad_refund": N_("환불이 거부되었습니다"),
    "totals_mismatch": N_("마감 합계가 맞지 않습니다"),
    "bad_time": N_("거래 시각이 맞지 않습니다. 단말기 시계를 확인하세요"),
    "late": N_("오프라인 기한이 지나 전송된 거래입니다"),
    "not_configured": N_("단말기 설정이 없습니다. 설정을 가져오세요"),
    "fork_alarm": N_("장부가 시청 기록과 다릅니다. 결제를 멈추고 고객센터에 연락하세요"),
    "no_such_payment": N_("해당 결제를 찾을 수 없습니다"),
    "refund_too_large": N_("남은 결제 금액보다 큰 환불입니다"),
    "refund_reason": N_("환불 사유를 입력하세요"),
    "refund_rejected_payment": N_("시청이 거절한 결제는 환불할 수 없습니다"),
    "bad_amount": N_("금액은 1원 이상의 정수여야 합니다"),
    "already_closed": N_("이미 마감된 영업일입니다"),
    "future_date": N_("아직 오지 않은 영업일은 마감할 수 없습니다"),
    "journal_corrupt": N_("장부 파일이 손상되어 결제를 받지 않습니다. 백업에서 복원하세요: jtill restore FILE"),
    "journal_missing": N_("장부 파일이 없어 결제를 받지 않습니다 (새 장부를 만들지 않습니다). 백업에서 복원하세요: "
                        "jtill restore FILE"),
    "journal_mismatch": N_("이 단말기가 만든 장부가 아니어서 결제를 받지 않습니다. 원래 장부를 되돌리거나 백업에서 "
                         "복원하세요: jtill restore FILE"),
    "no_such_entry": N_("해당 거래가 없습니다"),
    "bad_printer_uri": N_("프린터 주소가 잘못되었습니다 (tcp://, usb://, serial://, file://)"),
    "printer_unreachable": N_("프린터에 연결할 수 없습니다. 전원과 케이블을 확인하세요"),
    "printer_stalled": N_("프린터가 응답하지 않습니다. 용지와 덮개를 확인하세요"),
    "printer_paper_out": N_("프린터 용지가 없습니다"),
    "print_error": N_("인쇄하지 못했습니다. 작업은 남겨 두었으니 다시 인쇄하세요"),
    "no_cjk_font": N_("한글 글꼴이 없어 영수증을 그릴 수 없습니다 (fonts-noto-cjk 설치)"),
    "terminal_error": N_("단말기 오류"),
    "bad_key": N_("키 파일이 올바르지 않습니다"),
    "bad_config": N_("설정을 가져올 수 없습니다"),
    "journal_error": N_("장부를 사용할 수 없습니다"),
    "newer_journal": N_("더 새로운 jtill 버전이 만든 장부입니다"),
    "home_error": N_("데이터 폴더가 준비되지 않았습니다"),
    "unreadable_image": N_("이미지를 읽을 수 없습니다"),
    "no_qr_decoder": N_("QR 디코더를 불러올 수 없습니다"),
    "unknown_event": N_("알 수 없는 이벤트입니다"),
    "internal": N_("예기치 못한 오류입니다"),
    "io_error": N_("파일을 읽거나 쓸 수 없습니다"),
    "sync_error": N_("동기화에 실패했습니다"),
    "offline": N_("서버에 연결할 수 없습니다"),
    "fork": N_("장부가 시청 기록과 다릅니다"),
    "no_server": N_("서버 주소가 없습니다"),
    "bad_answer": N_("서버 응답이 올바르지 않습니다"),
    "bad_receipt": N_("정산 확인이 올바르지 않습니다"),
    "bad_file": N_("배치/정산 확인 파일이 아닙니다"),
    "recovery_failed": N_("복구할 수 없습니다"),
    "already_enrolled": N_("이미 등록된 단말기입니다"),
    "unknown_code": N_("없는 등록 코드입니다. 시청이 준 코드를 다시 확인하세요"),
    "code_used": N_("이미 사용된 등록 코드입니다. 시청에 새 코드를 요청하세요"),
    "code_expired": N_("기한이 지난 등록 코드입니다. 시청에 새 코드를 요청하세요"),
    "too_many_attempts": N_("등록에 여러 번 실패했습니다. 잠시 후 다시 하세요"),
    "unauthorized": N_("시청 서버가 이 단말기의 서명을 받지 않았습니다. 고객센터에 연락하세요"),
    "unknown_terminal": N_("시청 서버에 등록되지 않은 단말기입니다"),
    "too_large": N_("시청 서버가 받기에 너무 큰 요청입니다"),
    "busy": N_("시청 서버가 바쁩니다. 잠시 후 다시 하세요"),
    "no_such_operator": N_("등록되지 않은 직원입니다"),
    "operator_exists": N_("이미 등록된 직원 ID입니다"),
    "bad_operator": N_("직원 ID(1–32자, 공백 없이)와 이름(1–40자)을 확인하세요"),
    "bad_role": N_("역할은 사장(owner) 또는 직원(cashier)입니다"),
    "bad_pin": N_("PIN은 숫자 4–12자리입니다"),
    "wrong_pin": N_("PIN이 틀렸습니다"),
    "locked_out": N_("PIN을 여러 번 틀려 잠겼습니다. 잠시 후 다시 하세요"),
    "owner_pin_required": N_("사장님 PIN이 필요합니다"),
    "not_owner": N_("사장님만 할 수 있습니다"),
    "last_owner": N_("마지막 사장님은 지울 수 없습니다"),
    "warn_offline_cap": N_("미정산 금액이 오프라인 한도에 가깝습니다. 인터넷에 연결해 정산하세요"),
    "warn_old_unsent": N_("하루 넘게 전송되지 않은 거래가 있습니다. 전송하거나 파일로 내보내세요"),
    "warn_clock": N_("단말기 시계가 서버 시각과 다릅니다. 시계를 맞추세요"),
    "unsent_at_close": N_("시청에 보내지 않은 거래가 있습니다"),
}

# What the owner can do about a payment or refund the city rejected, by the city's reason code.
REJECTION_ADVICE = {
    "revoked": N_("시청이 정지한 지갑입니다. 이 돈은 들어오지 않습니다. "
                "손님께 다른 방법으로 받거나 시청 상품권 창구에 문의하세요."),
    "double_spend": N_("같은 코드가 다른 곳에서 먼저 쓰였습니다. 이 돈은 들어오지 않습니다. "
                     "손님께 다시 받고, 되풀이되면 시청에 신고하세요."),
    "insufficient_funds": N_("손님 지갑 잔액이 모자랐습니다. 이 돈은 들어오지 않습니다. 손님께 다시 받으세요."),
    "bad_refund": N_("시청이 이 환불을 인정하지 않았습니다(원래 결제가 정산되지 않음). 시청 고객센터에 문의하세요."),
    "totals_mismatch": N_("마감 합계가 시청 계산과 다릅니다. 고객센터에 연락하세요."),
}
OTHER_REJECTION_ADVICE = N_("시청이 이 결제를 인정하지 않았습니다. 이 돈은 들어오지 않습니다. "
                          "손님께 다시 받거나 시청에 문의하세요.")


# The kinds of journal entry, as shop owners call them.
KIND_TEXTS = {"payment": N_("결제"), "refund": N_("환불"), "close": N_("영업 마감")}

# Settlement status of a journal entry, as shop owners read it.
STATUS_TEXTS = {
    "pending": N_("미전송"),
    "sent": N_("전송됨"),
    "settled": N_("정산됨"),
    "rejected": N_("거절됨"),
}


def rejection_advice(reason: str | None) -> tuple[str, str]:
    """``(korean, english)``: what the owner can do about an entry the city rejected for ``reason``."""
    msgid = REJECTION_ADVICE.get(reason or "", OTHER_REJECTION_ADVICE)
    return tr(msgid, "ko"), tr(msgid, "en")


# What the cashier can do about a declined payment.
ADVICE = {
    "malformed": N_("고객 앱의 결제 QR인지 확인하고 다시 스캔하세요"),
    "unknown_key": N_("지금 동기화를 누른 뒤 다시 스캔하세요"),
    "bad_signature": N_("고객에게 새 QR을 요청하세요"),
    "wrong_issuer": N_("다른 결제 수단을 요청하세요"),
    "not_yet_valid": N_("단말기와 고객 휴대폰의 시계를 확인하세요"),
    "expired": N_("고객에게 새 QR을 요청하세요"),
    "revoked": N_("이 지갑은 쓸 수 없습니다. 다른 결제 수단을 요청하세요"),
    "already_used": N_("고객에게 새 QR을 요청하세요"),
    "category_not_allowed": N_("다른 결제 수단을 요청하세요"),
    "over_limit": N_("금액을 나누어 결제하세요"),
    "wallet_cap": N_("금액을 줄이거나 다른 결제 수단을 요청하세요"),
    "terminal_cap": N_("인터넷에 연결하고 지금 동기화를 누르세요"),
    "bad_amount": N_("금액을 입력한 뒤 다시 스캔하세요"),
}
# Figures a decline may carry (amounts in won), as the cashier reads them.
FIGURES = {
    "limit": N_("이 코드의 결제 한도 {amount}"),
    "left": N_("남은 한도 {amount}"),
}


def advice(code: str, lang: str | None = None, figures: dict | None = None) -> str:
    """What to do about ``code`` in one language, then the ``figures`` that help; empty when there is no advice."""
    parts = [tr(ADVICE[code], lang)] if code in ADVICE else []
    parts += [tr(FIGURES[name], lang, amount=won(value)) for name, value in (figures or {}).items() if name in FIGURES]
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


def counted(figures: dict) -> str:
    """``3건  12,000원``: how many entries (``count``) and how much money (``amount``), as a Z report shows them."""
    return ntr("{n}건  {amount}", "{n}건  {amount}", figures["count"], amount=won(figures["amount"]))


def won(amount: int) -> str:
    """``12,000원`` (the won sign reads the same in both languages)."""
    return f"{amount:,}원"


def text(code: str, lang: str | None = None) -> str:
    """The message for ``code`` in one language (the code itself when the catalog has no text for it)."""
    return tr(TEXTS[code], lang) if code in TEXTS else code


def about_file(code: str, path, detail: str = "") -> str:
    """The message for ``code`` naming the file at fault (and what went wrong with it)."""
    return f"{text(code)} ({path}{': ' + detail if detail else ''})"
