"""The city database carries a schema version: old databases are upgraded, newer ones refused."""

import shutil
from pathlib import Path

import pytest

from city.migrations import PG_MIGRATIONS, SQLITE_MIGRATIONS, SchemaTooNew
from city.service import City
from conftest import STORES
from helpers_sync import HostileTill, prepare_city

# Written by the city server as it was before schema versions (CREATE TABLE IF NOT EXISTS, the
# ALTER TABLE for expires_at, fundings and wallet_days): two merchants, three funded wallets, one
# terminal with four entries (settled payments, a settled refund, a rejected payment), a revoked
# wallet, a later funding, a failed enrollment and an unused code.
V1_DB = Path(__file__).parent / "data" / "city_v1.db"


def test_a_v1_sqlite_city_upgrades_keeping_its_ledger(tmp_path):
    (tmp_path / "city").mkdir()
    shutil.copy(V1_DB, tmp_path / "city" / "city.db")
    city = City(tmp_path / "city")
    try:
        assert city.storage.schema_version() == len(SQLITE_MIGRATIONS)
        ledger = city.ledger()
        assert {m["id"]: m["balance"] for m in ledger["merchants"]} == {"M-0001": 13_000, "M-0002": 0}
        assert {w["wid"]: (w["balance"], w["revoked"]) for w in ledger["wallets"]} == {
            "W-ALICE01": (191_000, False), "W-BOB0001": (197_300, True), "W-POOR001": (1500, False)}
        assert ledger["terminals"] == [{"tid": "T-000001", "merchant": "M-0001", "label": "hostile", "stored_to": 4}]
        assert [(e["kind"], e["status"], e["count"], e["amount"]) for e in ledger["entries"]] == [
            ("payment", "rejected", 1, 5000), ("payment", "settled", 2, 15_000), ("refund", "settled", 1, 2000)]
        assert city.ledger_problems() == []
        till = HostileTill(city)  # the upgraded store goes on working: a new terminal, a payment, the invariants
        assert till.tid == "T-000002"
        assert till.send(till.payment("W-ALICE01", 4000)).verdicts == [("settled", None)]
        till.close()
    finally:
        city.close()
    again = City(tmp_path / "city")  # opening an up-to-date store changes nothing
    try:
        assert again.storage.schema_version() == len(SQLITE_MIGRATIONS)
        assert again.wallet("W-ALICE01")["balance"] == 191_000 - 4000 + 400
    finally:
        again.close()


@pytest.mark.parametrize("store", STORES, indirect=True)
def test_a_newer_schema_is_refused(tmp_path, store):
    known = len(SQLITE_MIGRATIONS if store == "sqlite" else PG_MIGRATIONS)
    city = prepare_city(tmp_path / "city")
    assert city.storage.schema_version() == known
    with city.storage.transaction() as c:
        c.execute("INSERT INTO city_schema (version, name, applied_at) VALUES (?, 'from_the_future', 0)", [known + 1])
    try:
        with pytest.raises(SchemaTooNew) as refused:
            City(tmp_path / "city")
        assert refused.value.code == "schema_too_new"
        assert (refused.value.found, refused.value.known) == (known + 1, known)
    finally:
        with city.storage.transaction() as c:  # the PostgreSQL database is shared by the session's tests
            c.execute("DELETE FROM city_schema WHERE version > ?", [known])
        city.close()
