"""Signed terminal config: only the trusted key, only newer versions, the old config kept on refusal."""

import json
import re

import pytest

from conftest import VECTORS, config_key, issuer_key, mint, signed_config
from terminal import jws
from terminal.canonical import b64u_encode
from terminal.catalog import tr
from terminal.checkout import Till
from terminal.config import ConfigError
from terminal.keys import private_from_seed


def unsigned(payload) -> str:
    """A config with ``alg: none`` and an empty signature."""
    header = b64u_encode(json.dumps({"alg": "none", "typ": "jjp-config+jwt"}).encode())
    return header + "." + b64u_encode(json.dumps(payload).encode()) + "."


def said(msgid: str, **params) -> str:
    """A pattern for the catalog's text ``msgid``: all of it with ``params``, else the part before its first blank."""
    return re.escape(tr(msgid, **params) if params else tr(msgid).partition("{")[0])


def refused(till, compact, match):
    """Import must fail with a ConfigError matching ``match`` and leave ver 1 in force, in memory and on disk."""
    with pytest.raises(ConfigError, match=match):
        till.import_config(compact)
    assert till.config.ver == 1
    reopened = Till(till.home, clock=till.clock)
    try:
        assert reopened.config.ver == 1
        assert reopened.config.jws == VECTORS["config"]["jws"]
    finally:
        reopened.close()


def test_vectors_config_is_in_force(till):
    assert till.config.ver == 1
    assert till.config.merchant["name"] == "한옥마을 비빔밥"
    assert till.config.tz == "Asia/Seoul"


def test_unsigned_config_refused(till):
    payload = dict(VECTORS["config"]["payload"], ver=2)
    refused(till, unsigned(payload), said("설정 서명이 올바르지 않습니다 ({error})"))
    refused(till, json.dumps(payload), said("설정 서명이 올바르지 않습니다 ({error})"))


def test_config_signed_by_another_key_refused(till):
    payload = dict(VECTORS["config"]["payload"], ver=2)
    refused(till, jws.sign(payload, issuer_key(), "jeonju-config-test", "jjp-config+jwt"),
            said("설정 서명이 올바르지 않습니다 ({error})"))
    stranger = private_from_seed(bytes(32))
    refused(till, jws.sign(payload, stranger, "city-other", "jjp-config+jwt"),
            said("설정이 신뢰하는 키로 서명되지 않았습니다 ({error})"))


def test_tampered_config_refused(till):
    head, body, sig = signed_config(ver=2).split(".")
    other_body = signed_config(ver=3).split(".")[1]
    refused(till, f"{head}.{other_body}.{sig}", said("설정 서명이 올바르지 않습니다 ({error})"))


def test_wrong_typ_refused(till):
    compact = jws.sign(dict(VECTORS["config"]["payload"], ver=2), config_key(), "jeonju-config-test", "jjp-pay+jwt")
    refused(till, compact, "typ")


def test_older_ver_refused(till):
    till.import_config(signed_config(ver=3))
    older = said("더 오래된 설정입니다 (버전 {new}, 사용 중인 버전 {old})", new=2, old=3)
    with pytest.raises(ConfigError, match=older):
        till.import_config(signed_config(ver=2))
    assert till.config.ver == 3


def test_same_ver_different_content_refused(till):
    refused(till, signed_config(limits={"max_payment": 1, "wallet_daily": 1, "terminal_offline": 1}),
            said("같은 버전의 다른 설정입니다 (버전 {ver})", ver=1))


def test_same_config_again_is_unchanged(till):
    cfg, changed = till.import_config(VECTORS["config"]["jws"] + "\n")
    assert not changed and cfg.ver == 1


def test_other_terminal_refused(till):
    refused(till, signed_config(ver=2, tid="T-999999"), "T-999999")


NOT_INTEGER = "설정의 {name} 값은 0 이상의 정수여야 합니다"


@pytest.mark.parametrize(
    "changes,msgid,params",
    [({"limits": {"max_payment": 1}}, "설정에 {name} 항목이 없습니다", {"name": "'wallet_daily'"}),
     ({"merchant": "shop"}, "설정의 {name} 값은 객체여야 합니다", {"name": "merchant"}),
     ({"keys": {"keys": [{"kty": "RSA"}]}}, "설정에 잘못된 발급 키가 있습니다: {error}", {}),
     ({"revoked": {"wallets": "W-1", "tokens": []}}, "설정의 {name} 값은 문자열 목록이어야 합니다",
      {"name": "revoked.wallets"}),
     ({"tz": "Mars/Olympus"}, "알 수 없는 시간대입니다: {tz}", {"tz": "'Mars/Olympus'"}),
     ({"tz": "../../etc/passwd"}, "알 수 없는 시간대입니다: {tz}", {"tz": "'../../etc/passwd'"}),
     ({"ver": -1}, NOT_INTEGER, {"name": "ver"}),
     ({"ver": True}, NOT_INTEGER, {"name": "ver"}),
     ({"policy": {"on_fork": "shrug"}}, "설정의 {name} 값은 {choices} 중 하나여야 합니다",
      {"name": "policy.on_fork", "choices": "'refuse', 'allow'"})],
    ids=["limits", "merchant", "bad-key", "revoked", "tz", "tz-path", "negative-ver", "bool-ver", "fork-policy"],
)
def test_invalid_payload_refused(till, changes, msgid, params):
    changes.setdefault("ver", 2)
    refused(till, signed_config(**changes), said(msgid, **params))


def test_invalid_payload_refused_in_english(till, monkeypatch):
    monkeypatch.setenv("JTILL_LANG", "en")
    refused(till, signed_config(ver=2, tz="Mars/Olympus"), re.escape("Unknown time zone: 'Mars/Olympus'"))
    refused(till, signed_config(ver=2, keys={"keys": [{"kty": "RSA"}]}),
            re.escape("The config holds a bad issuer key: only OKP/Ed25519 keys are supported"))


def test_newer_ver_applied_and_used(till, clock):
    limits = {"max_payment": 1000, "wallet_daily": 300000, "terminal_offline": 3000000}
    cfg, changed = till.import_config(signed_config(ver=2, limits=limits, tz="UTC"))
    assert changed and cfg.ver == 2 and till.config.limits.max_payment == 1000
    assert till.pay(1001, mint(int(clock()))).reason == "over_limit"
    assert till.pay(1000, mint(int(clock()))).accepted
    reopened = Till(till.home, clock=clock)
    try:
        assert reopened.config.ver == 2 and reopened.config.tz == "UTC"
    finally:
        reopened.close()


def test_new_issuer_key_and_revocation_take_effect(till, clock):
    revoked_jti = b64u_encode(bytes(16))
    till.import_config(signed_config(ver=2, revoked={"wallets": [], "tokens": [revoked_jti]}))
    assert till.pay(1000, mint(int(clock()), jti=revoked_jti)).reason == "revoked"
    assert till.pay(1000, mint(int(clock()), wid="W-STOLEN01")).accepted
    till.import_config(signed_config(ver=3, keys={"keys": []}))
    assert till.pay(1000, mint(int(clock()))).reason == "unknown_key"


def test_pay_before_any_config_is_refused(tmp_path, trust_key_file, clock):
    from terminal.checkout import TillError
    from terminal.home import Home

    home = Home(tmp_path / "fresh")
    home.init(trust_key_file).close()
    till = Till(home, clock=clock)
    try:
        with pytest.raises(TillError) as exc:
            till.pay(1000, mint(int(clock())))
        assert exc.value.code == "not_configured"
    finally:
        till.close()
