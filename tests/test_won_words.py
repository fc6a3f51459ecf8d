"""Amounts in Korean words (the large-amount confirmation) and what a cashier can do about a decline."""

from __future__ import annotations

import pytest

from conftest import pay_now
from terminal import messages
from terminal.messages import korean_won_words


@pytest.mark.parametrize("amount, words", [
    (0, "영 원"),
    (1, "일 원"),
    (10, "십 원"),
    (15, "십오 원"),
    (1_000, "천 원"),
    (10_000, "만 원"),
    (10_001, "만 일 원"),
    (12_345, "만 이천삼백사십오 원"),
    (20_000, "이만 원"),
    (99_999, "구만 구천구백구십구 원"),
    (110_000, "십일만 원"),
    (120_000, "십이만 원"),
    (1_000_000, "백만 원"),
    (100_000_000, "일억 원"),
    (100_010_000, "일억 만 원"),
    (123_456_789, "일억 이천삼백사십오만 육천칠백팔십구 원"),
    (999_999_999, "구억 구천구백구십구만 구천구백구십구 원"),
    (1_000_000_000_000, "일조 원"),
])
def test_korean_won_words(amount, words):
    assert korean_won_words(amount) == words


@pytest.mark.parametrize("bad", [-1, 1.5, "100", True, None])
def test_korean_won_words_refuses_what_is_not_an_amount(bad):
    with pytest.raises(ValueError):
        korean_won_words(bad)


def test_every_declining_reason_has_advice_in_both_languages():
    from terminal.tokens import REASONS

    for reason in REASONS:
        assert messages.advice(reason, "ko") and messages.advice(reason, "en"), reason


def test_advice_carries_the_figures():
    assert messages.advice("already_used", "ko") == "고객에게 새 QR을 요청하세요"
    assert messages.advice("over_limit", "ko", {"limit": 50_000}).endswith("이 코드의 결제 한도 50,000원")
    assert messages.advice("wallet_cap", "en", {"left": 30_000}).endswith("30,000원 left")
    assert messages.advice("accepted", "ko") == ""


def test_declines_carry_the_limit_and_what_is_left(till):
    over = pay_now(till, 60_000, lim=50_000)
    assert (over.reason, over.figures) == ("over_limit", {"limit": 50_000})
    assert pay_now(till, 250_000, lim=500_000).accepted  # the vectors' wallet_daily is 300,000
    capped = pay_now(till, 100_000, lim=500_000)
    assert (capped.reason, capped.figures) == ("wallet_cap", {"left": 50_000})

