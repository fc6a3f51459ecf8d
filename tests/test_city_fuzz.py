"""Schemathesis against the committed OpenAPI: every generated request gets a §4-shaped answer, never a 5xx."""

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from city.server import serve_in_thread
from helpers_sync import enroll_till, prepare_city

# Batch bodies: random bytes and JWS-shaped junk (three base64url-ish parts).
_B64U = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=200)
schemathesis.openapi.media_type(
    "application/jose",
    st.one_of(st.binary(max_size=2000), st.tuples(_B64U, _B64U, _B64U).map(lambda p: ".".join(p).encode())),
)
SCHEMA = schemathesis.openapi.from_path(Path(__file__).parent.parent / "city" / "openapi.json")


@pytest.fixture(scope="module")
def city_url(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz")
    city = prepare_city(root / "city")
    handle = serve_in_thread(root / "city")
    enroll_till(root / "till", city, handle.url).close()
    yield handle.url
    handle.stop()
    city.close()


@pytest.mark.slow
@SCHEMA.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_endpoints_answer_with_protocol_errors(case, city_url):
    if "tid" in (case.path_parameters or {}) and case.path_parameters["tid"] == "":
        case.path_parameters["tid"] = "T-000001"
    response = case.call(base_url=city_url, timeout=10)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("error"), str) and isinstance(body.get("detail"), str)
