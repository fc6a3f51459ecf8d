"""Enrollment: a fresh terminal key, ``POST /v1/enroll``, and the first signed config."""

from __future__ import annotations

import os

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from sync.client import CityClient, Timing
from sync.errors import AlreadyEnrolled, SyncError
from sync.syncer import META_SERVER
from terminal.catalog import tr
from terminal.checkout import Till
from terminal.home import Home
from terminal.keys import load_private_jwk, public_jwk, save_private_jwk

UNENROLLED_KID = "unenrolled"


def _terminal_key(home: Home) -> Ed25519PrivateKey:
    # A key left by an enrollment that failed half-way is reused: the server may already hold it.
    if home.terminal_key_path.exists():
        kid, key = load_private_jwk(home.terminal_key_path)
        if kid == UNENROLLED_KID:
            return key
    key = Ed25519PrivateKey.generate()
    save_private_jwk(home.terminal_key_path, key, UNENROLLED_KID)
    return key


def enroll(home: Home, server: str, code: str, trust_file: str | os.PathLike | None = None,
           label: str = "", timing: Timing | None = None) -> dict:
    """Enroll this till with ``code``; returns ``{"tid", "config_ver", "merchant"}``."""
    if trust_file is not None or not home.exists():
        if trust_file is None:
            raise SyncError(tr("처음 등록할 때는 --trust 가 필요합니다"),
                            code="trust_needed")
        home.init(trust_file).close()
    till = Till(home)
    try:
        if till.configured:
            raise AlreadyEnrolled(tr("이미 등록된 단말기입니다: {tid}", tid=till.config.tid))
        key = _terminal_key(home)
        client = CityClient(server, timing)
        answer = client.enroll(code, public_jwk(key, UNENROLLED_KID), label or "jtill")
        tid = answer["tid"]
        save_private_jwk(home.terminal_key_path, key, tid)
        cfg, _ = till.import_config(answer["config"])
        if cfg.tid != tid:
            raise SyncError(f"config is for {cfg.tid}, enrollment gave {tid}", code="bad_answer")
        till.journal.set_meta(META_SERVER, client.base_url)
        return {"tid": tid, "config_ver": cfg.ver, "merchant": cfg.merchant, "server": client.base_url}
    finally:
        till.close()
