"""End to end against a real server process: enroll, pay offline, sync, receipts, statuses, ledger."""

import json

import pytest

from conftest import jtill
from helpers_sync import assert_agree
from terminal.catalog import tr
from terminal.checkout import Till
from terminal.home import Home
from terminal.messages import text
from terminal.report import history, z_report


def test_enroll_pay_offline_sync_settle(tmp_path, served_city):
    city, server = served_city
    home = tmp_path / "till"
    code = city.enroll_code("M-0001")
    out = jtill("--json", "enroll", server.url, code, "--trust", city.data.public_config_key_path, home=home)
    assert json.loads(out.stdout)["tid"] == "T-000001"
    assert (home / "terminal-key.jwk").stat().st_mode & 0o777 == 0o600

    paid = []
    for amount, wid in ((12_000, "W-ALICE01"), (3_000, "W-BOB0001"), (5_000, "W-POOR001")):
        token = city.mint_token(wid)
        result = json.loads(jtill("--json", "pay", amount, token, home=home).stdout)
        assert result["status"] == "accepted"
        paid.append(result)

    status = json.loads(jtill("status", "--json", home=home).stdout)
    assert (status["online"], status["pending"], status["pending_amount"]) == (True, 3, 20_000)

    summary = json.loads(jtill("--json", "sync", home=home).stdout)
    assert summary["status"] == "ok"
    assert (summary["uploaded"], summary["settled"]) == (3, 2)
    assert summary["rejected"] == [{"seq": 3, "reason": "insufficient_funds"}]
    assert summary["cashback"] == 1_500

    till = Till(Home(home))
    rows = history(till.journal)
    assert [(r["status"], r["status_reason"], r["cashback"]) for r in rows] == [
        ("settled", None, 1200), ("settled", None, 300), ("rejected", "insufficient_funds", None)]
    report = z_report(till.journal, rows[0]["biz_date"], "Asia/Seoul")
    assert report["rejected_reasons"] == {"payment:insufficient_funds": 1}
    assert report["settled_net"] == 15_000
    assert_agree(city, till)

    ledger = json.loads(jtill("city", "ledger", "--data", city.data.root, "--json").stdout)
    balances = {w["wid"]: w["balance"] for w in ledger["wallets"]}
    assert balances["W-ALICE01"] == 200_000 - 12_000 + 1_200
    assert {m["id"]: m["balance"] for m in ledger["merchants"]}["M-0001"] == 15_000

    again = json.loads(jtill("--json", "sync", home=home).stdout)
    assert (again["status"], again["uploaded"], again["pending"]) == ("ok", 0, 0)
    assert "장부가 온전합니다" in jtill("verify", home=home).stdout


def test_status_offline_and_last_error(tmp_path, served_city):
    city, server = served_city
    home = tmp_path / "till"
    jtill("enroll", server.url, city.enroll_code("M-0001"), "--trust", city.data.public_config_key_path,
          home=home)
    jtill("pay", 1000, city.mint_token("W-ALICE01"), home=home)
    server.stop()
    proc = jtill("--json", "sync", "--timeout", "1", home=home, check=False)
    assert proc.returncode == 1 and json.loads(proc.stdout)["status"] == "offline"
    status = json.loads(jtill("--json", "status", home=home).stdout)
    assert status["online"] is False and status["last_error"]["error"] == "offline"
    assert status["pending"] == 1
    server.start()
    assert json.loads(jtill("--json", "sync", home=home).stdout)["status"] == "ok"
    assert json.loads(jtill("--json", "status", home=home).stdout)["last_error"] is None


def test_city_admin_commands(tmp_path):
    data = tmp_path / "city"
    jtill("city", "merchant", "add", "M-9", "시장 국밥", "food", "--data", data)
    code = json.loads(jtill("city", "enroll-code", "M-9", "--data", data, "--json").stdout)["code"]
    assert code
    jtill("city", "wallet", "add", "W-CAROL01", "5000", "--data", data)
    fund = json.loads(jtill("city", "wallet", "fund", "W-CAROL01", "2500", "--data", data, "--json").stdout)
    assert fund["balance"] == 7500
    jtill("city", "wallet", "revoke", "W-CAROL01", "--data", data)
    png = tmp_path / "qr.png"
    token = json.loads(jtill("city", "token", "W-CAROL01", "--png", png, "--data", data, "--json").stdout)
    assert token["token"].count(".") == 2 and png.stat().st_size > 0
    ledger = json.loads(jtill("--json", "city", "ledger", "--data", data).stdout)
    assert ledger["wallets"] == [{"wid": "W-CAROL01", "balance": 7500, "revoked": True}]


@pytest.mark.parametrize(("args", "code", "korean", "english"), [
    (("enroll-code", "M-NOPE"), "unknown_merchant", "가맹점이 없습니다: M-NOPE", "No such merchant: M-NOPE"),
    (("wallet", "add", "bad"), "bad_request", "지갑 ID는 A-Z, 0-9, - 중 6–32자입니다: 'bad'",
     "A wallet id is 6–32 characters of A-Z, 0-9 and -: 'bad'"),
    (("wallet", "fund", "W-NOBODY1", "100"), "unknown_wallet", "지갑이 없습니다: W-NOBODY1",
     "No such wallet: W-NOBODY1"),
    (("wallet", "revoke", "x"), "bad_request", "지갑 ID는 A-Z, 0-9, - 중 6–32자입니다: 'x'",
     "A wallet id is 6–32 characters of A-Z, 0-9 and -: 'x'"),
])
def test_city_admin_refusals_in_one_language(tmp_path, args, code, korean, english):
    """The city's admin commands are a face too: one language, the reason code in JSON, nothing changed."""
    data = tmp_path / "city"
    for lang, expected in (("ko", korean), ("en", english)):
        proc = jtill("city", *args, "--data", data, check=False, env={"JTILL_LANG": lang})
        assert (proc.returncode, proc.stderr.strip()) == (1, f"jtill: {expected}")
    out = json.loads(jtill("--json", "city", *args, "--data", data, check=False).stdout)
    assert (out["error"], out["message"]) == (code, korean)
    assert json.loads(jtill("--json", "city", "ledger", "--data", data).stdout)["wallets"] == []


def test_enroll_errors_are_reported(tmp_path, served_city):
    city, server = served_city
    home = tmp_path / "till"
    key = city.data.public_config_key_path
    bad = jtill("--json", "enroll", server.url, "NO-SUCH", "--trust", key, home=home, check=False)
    assert bad.returncode == 1 and json.loads(bad.stdout)["error"] == "unknown_code"
    code = city.enroll_code("M-0001")
    tid = json.loads(jtill("--json", "enroll", server.url, code, "--trust", key, home=home).stdout)["tid"]
    again = jtill("enroll", server.url, city.enroll_code("M-0001"), home=home, check=False)
    assert again.returncode == 1 and tr("이미 등록된 단말기입니다: {tid}", tid=tid) in again.stderr


def test_the_citys_refusals_read_in_the_tills_language(tmp_path, served_city):
    """The server's detail is its own English; the owner reads the catalog's text for the code."""
    city, server = served_city
    key = city.data.public_config_key_path
    code = city.enroll_code("M-0001")
    jtill("enroll", server.url, code, "--trust", key, home=tmp_path / "first")
    for lang in ("ko", "en"):
        used = jtill("enroll", server.url, code, "--trust", key, home=tmp_path / lang, check=False,
                     env={"JTILL_LANG": lang})
        assert used.returncode == 1 and used.stderr.strip() == f"jtill: {text('code_used', lang)} (409 code_used)"
    unknown = jtill("enroll", server.url, "NO-SUCH", "--trust", key, home=tmp_path / "third", check=False)
    assert unknown.stderr.strip() == f"jtill: {text('unknown_code', 'ko')} (404 unknown_code)"
