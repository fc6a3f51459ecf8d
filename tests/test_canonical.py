"""Canonical JSON and strict base64url, as PROTOCOL.md's conventions define them."""

import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from terminal.canonical import CanonicalError, b64u_decode, b64u_encode, canonical_json, strict_loads


@pytest.mark.parametrize("data", [b"", b"\x00", b"ab", b"abc", bytes(range(256))])
def test_b64u_round_trip(data):
    text = b64u_encode(data)
    assert "=" not in text and "+" not in text and "/" not in text
    assert b64u_decode(text) == data


@pytest.mark.parametrize(
    "text",
    ["YWI=", "YQ==", "a+b/", "YW Jj", "YWJj\n", " YWJj", "YWJj\t", "Y", "YR", "é", "YWJ!", None, b"YWJj"],
    ids=["padding", "double-padding", "plus-slash", "space", "newline", "leading-space", "tab",
         "one-char", "non-canonical-bits", "non-ascii", "punctuation", "none", "bytes"],
)
def test_b64u_rejects(text):
    with pytest.raises(CanonicalError):
        b64u_decode(text)


def test_canonical_sorts_keys_by_code_point_and_keeps_hangul():
    assert canonical_json({"b": 1, "B": 2, "a": "전주"}) == '{"B":2,"a":"전주","b":1}'.encode()


def test_canonical_escapes_only_what_json_must():
    assert canonical_json({"s": 'q"\\\n'}) == b'{"s":"q\\"\\\\\\n"}'


@pytest.mark.parametrize("value", [1.0, {"a": 0.5}, [float("nan")], {1: "int key"}, b"bytes", {"s": {1, 2}}])
def test_canonical_refuses_non_protocol_values(value):
    with pytest.raises(CanonicalError):
        canonical_json(value)


def test_bools_and_null_are_not_ints():
    assert canonical_json([True, False, None, 1, 0]) == b"[true,false,null,1,0]"
    assert strict_loads(b"[true,1]") == [True, 1]
    assert strict_loads(b"true") is True


@pytest.mark.parametrize(
    "text",
    ['{"a":1,"a":2}', '{"a":{"b":1,"b":1}}', "1.0", "1e3", '{"lim":5E4}', "NaN", "Infinity", "-Infinity",
     "{", "", '"\\ud800', b"\xff"],
    ids=["dup", "nested-dup", "float", "exponent", "exponent-upper", "nan", "inf", "-inf", "truncated",
         "empty", "bad-escape", "bad-utf8"],
)
def test_strict_loads_rejects(text):
    with pytest.raises(CanonicalError):
        strict_loads(text)


def test_strict_loads_accepts_canonical_output():
    value = {"a": "전주", "b": [1, -2, None, True, {"c": ""}]}
    assert strict_loads(canonical_json(value)) == value


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(CanonicalError):
        strict_loads("[" * 100_000 + "]" * 100_000)
    deep = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(CanonicalError):
        canonical_json(deep)


JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                           lambda inner: st.lists(inner, max_size=200) | st.dictionaries(st.text(), inner),
                           max_leaves=400)


@given(JSON_VALUES)
@example({"tid": "T-1", "entries": [{"seq": i, "memo": "한글"} for i in range(100)], "a": [[1, 2]] * 70})
def test_writing_member_by_member_gives_json_dumps_bytes(value):
    """canonical_json writes long arrays item by item (so a big batch does not hold the GIL): same bytes."""
    whole = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    assert canonical_json(value) == whole
