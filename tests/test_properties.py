"""Property tests: any input ends in a reason code; pay/refund/close/clock keep the journal's invariants."""

import base64
import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from conftest import VECTOR_NOW, VECTORS, FakeClock, issuer_key, mint, settle, vector_home
from terminal import tokens
from terminal.canonical import b64u_encode
from terminal.checkout import Till, TillError
from terminal.home import Home
from terminal.report import z_report

KID = VECTORS["keys"]["issuer"]["jwk"]["kid"]
ISSUER_KEYS = {KID: issuer_key().public_key()}
OUTCOMES = set(tokens.REASONS) | {"accepted"}
VALID = mint(VECTOR_NOW)
FUZZ = settings(max_examples=200, deadline=None)


def outcome(text) -> str:
    """``parse_and_verify``'s result as a reason code (``accepted`` when it returns a token)."""
    try:
        tokens.parse_and_verify(text, ISSUER_KEYS, "jeonju")
    except tokens.Declined as exc:
        return exc.reason
    return "accepted"


any_char = st.characters(blacklist_categories=())
b64_char = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. \n\t\x00")
junk = st.text(alphabet=st.one_of(any_char, b64_char), max_size=40)


@st.composite
def mutated(draw, text=VALID):
    """A valid token with byte flips, truncation, insertion, part swaps or re-encodings applied."""
    kind = draw(st.sampled_from(["flip", "truncate", "insert", "swap", "reencode", "pad"]))
    if kind == "flip":
        for _ in range(draw(st.integers(1, 4))):
            i = draw(st.integers(0, len(text) - 1))
            text = text[:i] + draw(st.one_of(b64_char, any_char)) + text[i + 1:]
    elif kind == "truncate":
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif kind == "insert":
        i = draw(st.integers(0, len(text)))
        text = text[:i] + draw(junk) + text[i:]
    elif kind == "swap":
        parts = text.split(".") + mint(VECTOR_NOW, wid="W-OTHER01").split(".")
        text = ".".join(draw(st.lists(st.sampled_from(parts), min_size=1, max_size=4)))
    elif kind == "reencode":
        head, body, sig = text.split(".")
        raw = base64.urlsafe_b64decode(body + "==")
        encoder = draw(st.sampled_from([base64.b64encode, base64.urlsafe_b64encode, base64.b32encode]))
        text = ".".join([head, encoder(raw).decode(), sig])
    else:
        text += "=" * draw(st.integers(1, 3))
    return text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=True) | st.text(alphabet=any_char),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=10,
)
claim_names = st.sampled_from(["iss", "wid", "jti", "iat", "exp", "lim", "cats", "x"])


@st.composite
def signed_weird_claims(draw):
    """A correctly signed token whose claims are valid ones with arbitrary values put in or taken out."""
    claims = dict(VECTORS["token_claims_valid"])
    for name in draw(st.lists(claim_names, max_size=3)):
        if draw(st.booleans()):
            claims[name] = draw(json_values)
        else:
            claims.pop(name, None)
    header = b64u_encode(json.dumps({"alg": "EdDSA", "kid": KID, "typ": "jjp-pay+jwt"}).encode())
    signing_input = header + "." + b64u_encode(json.dumps(claims).encode())
    return signing_input + "." + b64u_encode(issuer_key().sign(signing_input.encode()))


@FUZZ
@given(st.text(alphabet=st.one_of(any_char, b64_char), max_size=1200))
def test_arbitrary_text_gives_a_reason(text):
    assert outcome(text) in OUTCOMES


@FUZZ
@given(st.one_of(mutated(), signed_weird_claims()))
def test_mutated_tokens_give_a_reason(text):
    assert outcome(text) in OUTCOMES


@pytest.fixture(scope="module")
def fresh_home(tmp_path_factory):
    """Makes a new copy of one vector home per call: a fresh till for every Hypothesis example, cheaply."""
    template = vector_home(tmp_path_factory.mktemp("template") / "home")
    copies = tmp_path_factory.mktemp("tills")

    def make() -> Home:
        root = Path(tempfile.mkdtemp(dir=copies))
        shutil.copytree(template.root, root, dirs_exist_ok=True)
        return Home(root)

    return make


@FUZZ
@given(st.one_of(st.text(alphabet=st.one_of(any_char, b64_char), max_size=300), mutated(), signed_weird_claims()),
       st.one_of(st.integers(-5, 60000), st.none(), st.floats(), st.booleans()))
def test_till_pay_never_raises(fresh_home, text, amount):
    """Each example on a fresh till, so one example's payment cannot decide another's outcome."""
    till = Till(fresh_home(), clock=FakeClock())
    try:
        result = till.pay(amount, text)
        assert (result.reason or "accepted") in OUTCOMES
        assert till.journal.verify().ok
        assert till.journal.head()[0] == (1 if result.accepted else 0)
    finally:
        till.close()


class CheckoutMachine(RuleBasedStateMachine):
    """Random pay / refund / close / settle / clock steps against a model of what the journal must hold."""

    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="jtill-state-"))
        self.clock = FakeClock()
        self.till = Till(vector_home(self.dir / "home"), clock=self.clock)
        self.limits = self.till.config.limits
        self.payments = {}  # id -> (amount, biz_date, wid)
        self.refunded = {}  # id -> sum
        self.refunds_by_day = {}
        self.closes = {}  # biz_date -> close entry

    def teardown(self):
        self.till.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def spent(self, wid, day):
        return sum(a for a, d, w in self.payments.values() if w == wid and d == day)

    @rule(amount=st.integers(1, 60000), wallet=st.integers(0, 3))
    def pay(self, amount, wallet):
        wid = f"W-STATE{wallet:03d}"
        day = self.till.business_date()
        result = self.till.pay(amount, mint(int(self.clock()), wid=wid))
        if amount > 50000:
            assert result.reason == "over_limit"
        elif self.spent(wid, day) + amount > self.limits.wallet_daily:
            assert result.reason == "wallet_cap"
        else:
            assert result.accepted or result.reason == "terminal_cap", result
        if result.accepted:
            entry = result.entry
            assert entry["biz_date"] == day and day not in self.closes
            self.payments[entry["id"]] = (amount, day, wid)

    @precondition(lambda self: self.payments)
    @rule(data=st.data())
    def refund(self, data):
        pid = data.draw(st.sampled_from(list(self.payments)))  # insertion order: ids differ per run
        left = self.payments[pid][0] - self.refunded.get(pid, 0)
        amount = data.draw(st.integers(1, self.payments[pid][0] + 1))
        try:
            entry = self.till.refund(pid, amount, "state test")
        except TillError as exc:
            assert exc.code == "refund_too_large" and amount > left
            return
        assert amount <= left
        self.refunded[pid] = self.refunded.get(pid, 0) + amount
        self.refunds_by_day[entry["biz_date"]] = self.refunds_by_day.get(entry["biz_date"], 0) + amount

    @rule()
    def close(self):
        try:
            entry = self.till.close_day()
        except TillError as exc:
            assert exc.code == "already_closed"
            return
        self.closes[entry["biz_date"]] = entry

    @rule(seconds=st.sampled_from([60, 3600, 6 * 3600, 86400]))
    def advance(self, seconds):
        self.clock.advance(seconds)

    @precondition(lambda self: self.till.journal.head()[0] > 0)
    @rule()
    def settle_all(self):
        settle(self.till, self.till.journal.head()[0])

    def expected(self, day):
        amounts = [a for a, d, _ in self.payments.values() if d == day]
        refunds = self.refunds_by_day.get(day, 0)
        return {"count": len(amounts), "payments": sum(amounts), "refunds": refunds, "net": sum(amounts) - refunds}

    @invariant()
    def chain_is_valid(self):
        assert self.till.journal.verify().ok

    @invariant()
    def refunds_never_exceed_payments(self):
        for pid, (amount, _, _) in self.payments.items():
            assert self.till.refunded(pid) == self.refunded.get(pid, 0) <= amount

    @invariant()
    def close_totals_match_and_stay_matched(self):
        for day, entry in self.closes.items():
            assert {k: entry[k] for k in ("count", "payments", "refunds", "net")} == self.expected(day)
            assert self.till.day_totals(day) == self.expected(day)

    @invariant()
    def report_totals_match(self):
        for day in {d for _, d, _ in self.payments.values()} | set(self.refunds_by_day):
            rep = z_report(self.till.journal, day, "Asia/Seoul")
            want = self.expected(day)
            assert (rep["payments"]["count"], rep["payments"]["amount"], rep["refunds"]["amount"], rep["net"]) == (
                want["count"], want["payments"], want["refunds"], want["net"],
            )


CheckoutMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)
test_checkout_state_machine = CheckoutMachine.TestCase
