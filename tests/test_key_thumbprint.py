"""The fingerprint a shop owner compares with the city's letter before trusting its config key."""

from __future__ import annotations

import pytest

from terminal.keys import BadKey, thumbprint


def test_key_thumbprint_is_rfc_7638():
    """RFC 8037 appendix A.3: the thumbprint of its example Ed25519 key."""
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", "kid": "any"}
    assert thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
    with pytest.raises(BadKey):
        thumbprint({**jwk, "x": "short"})
