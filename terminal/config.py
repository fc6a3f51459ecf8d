"""The terminal's signed config (PROTOCOL.md §4): issuer keys, revocations, limits, merchant."""

from __future__ import annotations

import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from terminal import jws
from terminal.business_day import DEFAULT_TZ
from terminal.canonical import is_int
from terminal.catalog import tr
from terminal.errors import ConfigError
from terminal.journal import Journal
from terminal.keys import BadKey, load_public_jwk

CONFIG_TYP = "jjp-config+jwt"


@dataclass(frozen=True)
class Limits:
    max_payment: int
    wallet_daily: int
    terminal_offline: int


@dataclass(frozen=True)
class TerminalConfig:
    """A verified config payload in usable form."""

    ver: int
    iat: int
    issuer: str
    tid: str
    merchant: dict
    issuer_keys: dict
    revoked_wallets: frozenset
    revoked_tokens: frozenset
    limits: Limits
    tz: str
    fork_policy: str
    jws: str


def _int(value, name: str) -> int:
    if not is_int(value) or value < 0:
        raise ConfigError(tr("설정의 {name} 값은 0 이상의 정수여야 합니다", name=name))
    return value


def _str(value, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(tr("설정의 {name} 값은 비어 있지 않은 문자열이어야 합니다", name=name))
    return value


def _str_list(value, name: str) -> frozenset:
    if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
        raise ConfigError(tr("설정의 {name} 값은 문자열 목록이어야 합니다", name=name))
    return frozenset(value)


def parse_payload(payload: dict, compact: str) -> TerminalConfig:
    """Validate a config payload. Optional members beyond §4: ``tz`` and ``policy.on_fork``."""
    try:
        merchant = payload["merchant"]
        if not isinstance(merchant, dict):
            raise ConfigError(tr("설정의 {name} 값은 객체여야 합니다", name="merchant"))
        for k in ("id", "name", "category"):
            _str(merchant.get(k), f"merchant.{k}")
        keys = {}
        key_list = payload["keys"]["keys"]
        if not isinstance(key_list, list):
            raise ConfigError(tr("설정의 {name} 값은 목록이어야 합니다", name="keys.keys"))
        for jwk in key_list:
            kid, key = load_public_jwk(jwk)
            keys[kid] = key
        limits = payload["limits"]
        tz = payload.get("tz", DEFAULT_TZ)
        try:
            ZoneInfo(_str(tz, "tz"))
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(tr("알 수 없는 시간대입니다: {tz}", tz=repr(tz))) from exc
        policy = payload.get("policy", {})
        fork_policy = policy.get("on_fork", "refuse") if isinstance(policy, dict) else None
        if fork_policy not in ("refuse", "allow"):
            raise ConfigError(tr("설정의 {name} 값은 {choices} 중 하나여야 합니다", name="policy.on_fork",
                                 choices="'refuse', 'allow'"))
        return TerminalConfig(
            ver=_int(payload["ver"], "ver"),
            iat=_int(payload["iat"], "iat"),
            issuer=_str(payload["issuer"], "issuer"),
            tid=_str(payload["tid"], "tid"),
            merchant={k: merchant[k] for k in ("id", "name", "category")},
            issuer_keys=keys,
            revoked_wallets=_str_list(payload["revoked"]["wallets"], "revoked.wallets"),
            revoked_tokens=_str_list(payload["revoked"]["tokens"], "revoked.tokens"),
            limits=Limits(
                _int(limits["max_payment"], "limits.max_payment"),
                _int(limits["wallet_daily"], "limits.wallet_daily"),
                _int(limits["terminal_offline"], "limits.terminal_offline"),
            ),
            tz=tz,
            fork_policy=fork_policy,
            jws=compact,
        )
    except KeyError as exc:
        raise ConfigError(tr("설정에 {name} 항목이 없습니다", name=repr(exc.args[0]) if exc.args else "?")) from exc
    except TypeError as exc:  # a member of the wrong shape where the payload is indexed (e.g. a list as ``keys``)
        raise ConfigError(tr("설정의 형식이 올바르지 않습니다 ({error})", error=exc)) from exc
    except BadKey as exc:
        raise ConfigError(tr("설정에 잘못된 발급 키가 있습니다: {error}", error=exc)) from exc


def verify_config(compact: str, trust: dict) -> TerminalConfig:
    """Verify a config JWS against the trusted config key(s) ``{kid: key}``."""
    if isinstance(compact, str):
        compact = compact.strip()
    try:
        parsed = jws.verify(compact, CONFIG_TYP, trust)
    except jws.UnknownKey as exc:
        raise ConfigError(tr("설정이 신뢰하는 키로 서명되지 않았습니다 ({error})", error=exc)) from exc
    except jws.JWSError as exc:
        raise ConfigError(tr("설정 서명이 올바르지 않습니다 ({error})", error=exc)) from exc
    return parse_payload(parsed.payload, compact)


def current(journal: Journal, trust: dict) -> TerminalConfig | None:
    """The newest imported config, re-verified, or None before the first import."""
    compact = journal.latest_config()
    return verify_config(compact, trust) if compact is not None else None


def import_config(journal: Journal, compact: str, trust: dict) -> tuple[TerminalConfig, bool]:
    """Import a config if it is signed by the trusted key and newer; returns ``(config, changed)``."""
    new = verify_config(compact, trust)
    same: list[TerminalConfig] = []  # the config in use, when ``compact`` is that very one

    def accept(old_jws: str | None) -> bool:
        if old_jws is None:
            return True
        old = parse_payload(jws.parse(old_jws, CONFIG_TYP).payload, old_jws)
        if new.tid != old.tid:
            raise ConfigError(tr("설정이 다른 단말기용입니다 (설정: {new}, 이 단말기: {old})",
                                 new=new.tid, old=old.tid))
        if new.ver < old.ver:
            raise ConfigError(tr("더 오래된 설정입니다 (버전 {new}, 사용 중인 버전 {old})", new=new.ver, old=old.ver))
        if new.ver == old.ver:
            if new.jws == old.jws:
                same.append(old)
                return False
            raise ConfigError(tr("같은 버전의 다른 설정입니다 (버전 {ver})", ver=new.ver))
        return True

    if journal.store_config(new.ver, new.jws, int(time.time()), accept):
        return new, True
    return same[0], False
