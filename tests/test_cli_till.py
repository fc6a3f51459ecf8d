"""The real ``jtill`` console script: stable JSON shapes, exit statuses, specific messages on bad input."""

import json
import re
import time

import pytest

from conftest import VECTORS, jtill, mint
from terminal import messages
from terminal.canonical import canonical_json
from terminal.catalog import tr
from terminal.journal import Journal

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def now_token(**claims) -> str:
    return mint(int(time.time()), **claims)


def entries(home) -> list[dict]:
    with Journal(home.journal_path, create=False) as j:
        return list(j.entries())


def jtill_json(home, *args, expect=0):
    """Run ``jtill --json`` and return its one JSON object, checking the exit status."""
    proc = jtill("--json", *args, home=home.root, check=False)
    assert proc.returncode == expect, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def paid(home):
    """One accepted 12,000 won payment through the CLI (its JSON)."""
    return jtill_json(home, "pay", "12000", now_token())


def test_init_and_config_import(tmp_path, trust_key_file):
    root = tmp_path / "till"
    proc = jtill("--json", "init", "--trust", trust_key_file, "--operator", "kim", home=root, check=False)
    assert proc.returncode == 0 and json.loads(proc.stdout) == {"status": "ok", "home": str(root)}
    assert (root / "journal.db").is_file()
    config = tmp_path / "config.jws"
    config.write_text(VECTORS["config"]["jws"] + "\n")
    out = json.loads(jtill("--json", "config", "import", config, home=root, check=False).stdout)
    assert (out["status"], out["ver"], out["tid"]) == ("imported", 1, "T-000001")
    again = jtill("config", "import", config, "--json", home=root, check=False)
    assert json.loads(again.stdout)["status"] == "unchanged"
    shown = json.loads(jtill("config", "show", "--json", home=root, check=False).stdout)
    assert shown["merchant"]["name"] == "한옥마을 비빔밥" and shown["limits"]["wallet_daily"] == 300000
    pay = json.loads(jtill("pay", "1000", now_token(), "--json", home=root, check=False).stdout)
    with Journal(root / "journal.db") as j:
        assert j.entry(pay["seq"])["operator"] == "kim"
    assert jtill("init", "--trust", trust_key_file, home=root, check=False).returncode == 0


def test_init_refuses_another_key_and_missing_files(tmp_path, home):
    other = tmp_path / "other.jwk"
    other.write_text(json.dumps(VECTORS["keys"]["issuer"]["jwk"]))
    proc = jtill("init", "--trust", other, home=home.root, check=False)
    trusting = tr("이미 다른 설정 키를 신뢰합니다 (신뢰하는 키: {have}, 받은 키: {kid})").partition("{")[0]
    assert proc.returncode == 1 and trusting in proc.stderr
    absent = tmp_path / "absent.jwk"
    proc = jtill("init", "--trust", absent, home=tmp_path / "new", check=False)
    unreadable = tr("키 파일을 읽을 수 없습니다: {path} ({error})", "ko", path=absent, error="").removesuffix("()")
    assert proc.returncode == 1 and unreadable in proc.stderr and "No such file" in proc.stderr
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_init_with_a_bad_key_says_why_in_the_chosen_language(tmp_path, lang):
    not_an_object = tmp_path / "key.jwk"
    not_an_object.write_text("[]")
    proc = jtill("init", "--trust", not_an_object, home=tmp_path / "new", env={"JTILL_LANG": lang}, check=False)
    why = {"ko": "키(JWK)는 JSON 객체여야 합니다", "en": "A key (JWK) must be a JSON object"}[lang]
    assert proc.returncode == 1 and proc.stderr == f"jtill: {why}\n"
    assert why == tr("키(JWK)는 JSON 객체여야 합니다", lang)
    assert not (tmp_path / "new").exists()


def test_commands_before_init_explain(tmp_path):
    proc = jtill("pay", "1000", now_token(), home=tmp_path / "nowhere", check=False)
    assert proc.returncode == 1 and "jtill init" in proc.stderr


def test_home_from_environment(home):
    import os

    proc = jtill("verify", env={**os.environ, "JTILL_HOME": str(home.root)}, check=False)
    # `--home ""` falls back to the environment.
    assert proc.returncode == 0, proc.stderr


def test_config_import_refusals_keep_the_old_config(tmp_path, home):
    from conftest import signed_config

    bad = tmp_path / "bad.jws"
    bad.write_text(signed_config(ver=2, tid="T-999999"))
    proc = jtill("config", "import", bad, home=home.root, check=False)
    assert proc.returncode == 1 and "T-999999" in proc.stderr
    bad.write_text("not a config")
    proc = jtill("--json", "config", "import", bad, home=home.root, check=False)
    assert proc.returncode == 1 and json.loads(proc.stdout)["error"] == "bad_config"
    proc = jtill("config", "import", tmp_path / "absent.jws", home=home.root, check=False)
    assert proc.returncode == 2 and f"파일을 읽을 수 없습니다: {tmp_path / 'absent.jws'}: " in proc.stderr
    assert json.loads(jtill("config", "show", "--json", home=home.root, check=False).stdout)["ver"] == 1


def test_json_errors_are_reason_codes_never_class_names(tmp_path, home):
    not_a_key = tmp_path / "key.jwk"
    not_a_key.write_text("{}")
    proc = jtill("--json", "init", "--trust", not_a_key, home=tmp_path / "fresh", check=False)
    assert proc.returncode == 1 and json.loads(proc.stdout)["error"] == "bad_key"
    (home.root / "journal.db").write_bytes(b"not a database " * 512)
    proc = jtill("--json", "history", home=home.root, check=False)
    assert proc.returncode == 1 and json.loads(proc.stdout)["error"] == "journal_corrupt"
    assert "Traceback" not in proc.stderr


def test_pay_accepted_json_shape(home, paid):
    assert set(paid) == {"status", "seq", "id", "amount"}
    assert paid["status"] == "accepted" and paid["seq"] == 1 and paid["amount"] == 12000
    assert UUID.fullmatch(paid["id"])
    assert entries(home)[0]["id"] == paid["id"]


def test_pay_declined_json_shape(home):
    out = jtill_json(home, "pay", "12000", "https://example.com/menu", expect=3)
    assert out == {"status": "declined", "reason": "malformed", "message": out["message"]}
    assert out["message"] == messages.text("malformed")
    text = now_token()
    jtill_json(home, "pay", "1000", text)
    assert jtill_json(home, "pay", "1000", text, expect=3)["reason"] == "already_used"
    assert jtill_json(home, "pay", "50001", now_token(), expect=3)["reason"] == "over_limit"
    assert len(entries(home)) == 1


def test_pay_human_output_korean_first(home):
    proc = jtill("pay", "12,000", now_token(), home=home.root, check=False)
    assert proc.returncode == 0 and proc.stdout.startswith("승인: 12,000원")
    proc = jtill("pay", "1000", "garbage", home=home.root, check=False)
    assert proc.returncode == 3 and proc.stdout == f"거절 [malformed]: {messages.text('malformed', 'ko')}\n"


BAD_AMOUNTS = ["abc", "0", "1.5", "12,00", "1,2345", "", " ", "-5", "1e3", "٣٠٠", "１２", "99999999999999999999999999",
               "9007199254740992", "9,007,199,254,740,992", "1" * 5000, "-0", "0x10", "½"]


@pytest.mark.parametrize("amount", BAD_AMOUNTS)
def test_pay_bad_amount_is_usage_error(home, amount):
    proc = jtill("pay", amount, now_token(), home=home.root, check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert messages.text("bad_amount", "ko") in proc.stderr or "usage" in proc.stderr
    assert entries(home) == []


@pytest.mark.parametrize("amount", ["99999999999999999999999999", "0", "-5", "٣٠٠", "abc"])
def test_bad_amount_has_its_reason_code(home, paid, amount):
    out = jtill_json(home, "pay", amount, now_token(), expect=2)
    assert (out["status"], out["error"]) == ("error", "bad_amount")
    out = jtill_json(home, "refund", paid["id"], amount, "--reason", "r", expect=2)
    assert (out["status"], out["error"]) == ("error", "bad_amount")
    assert len(entries(home)) == 1


def test_largest_amount_reaches_the_rules(home):
    out = jtill_json(home, "pay", "9,007,199,254,740,991", now_token(), expect=3)
    assert (out["status"], out["reason"]) == ("declined", "over_limit")


def test_pay_missing_arguments_is_usage_error(home):
    assert jtill("pay", "1000", home=home.root, check=False).returncode == 2
    assert jtill("pay", home=home.root, check=False).returncode == 2
    assert jtill(home=home.root, check=False).returncode == 2


def test_pay_image(home, tmp_path):
    pytest.importorskip("terminal.scanning")
    qrcode = pytest.importorskip("qrcode")
    image = tmp_path / "qr.png"
    qrcode.make(now_token()).save(image)
    out = jtill_json(home, "pay", "3000", f"@{image}")
    assert out["status"] == "accepted" and out["amount"] == 3000


def test_pay_missing_image_is_usage_error(home, tmp_path):
    pytest.importorskip("terminal.scanning")
    proc = jtill("pay", "1000", f"@{tmp_path / 'absent.png'}", home=home.root, check=False)
    missing = tr("이미지 파일이 없습니다: {file}", "ko", file=repr(str(tmp_path / "absent.png")))
    assert proc.returncode == 2 and missing in proc.stderr


def test_refund(home, paid):
    out = jtill_json(home, "refund", paid["id"], "2,000", "--reason", "반찬 추가 취소")
    assert out == {"status": "refunded", "seq": 2, "id": out["id"], "amount": 2000, "ref": paid["id"]}
    assert entries(home)[1]["reason"] == "반찬 추가 취소"


@pytest.mark.parametrize(
    "args,status,message",
    [
        (["12001"], 1, messages.text("refund_too_large")),
        (["100", "--reason", " "], 1, messages.text("refund_reason")),
        (["0"], 2, messages.TEXTS["bad_amount"]),
        (["abc"], 2, messages.TEXTS["bad_amount"]),
    ],
)
def test_refund_refusals_change_nothing(home, paid, args, status, message):
    reason = [] if "--reason" in args else ["--reason", "r"]
    proc = jtill("refund", paid["id"], *args, *reason, home=home.root, check=False)
    assert proc.returncode == status and message in proc.stderr
    assert len(entries(home)) == 1


def test_refund_needs_reason_flag_and_known_id(home, paid):
    assert jtill("refund", paid["id"], "100", home=home.root, check=False).returncode == 2
    proc = jtill("--json", "refund", "no-such-id", "100", "--reason", "r", home=home.root, check=False)
    assert proc.returncode == 1 and json.loads(proc.stdout)["error"] == "no_such_payment"
    assert len(entries(home)) == 1


def test_close_day_report_history(home, paid):
    jtill_json(home, "refund", paid["id"], "2000", "--reason", "r")
    close = jtill_json(home, "close-day")
    assert {k: close[k] for k in ("status", "count", "payments", "refunds", "net")} == {
        "status": "closed", "count": 1, "payments": 12000, "refunds": 2000, "net": 10000,
    }
    proc = jtill("close-day", home=home.root, check=False)
    assert proc.returncode == 1 and messages.text("already_closed") in proc.stderr
    report = jtill_json(home, "report", "--date", close["biz_date"])
    assert report["closed"] and report["net"] == 10000 and report["payments"]["by_status"]["pending"]["count"] == 1
    human = jtill("report", "--date", close["biz_date"], home=home.root, check=False).stdout
    assert human.startswith(f"Z 리포트  {close['biz_date']}") and "10,000원" in human
    proc = jtill("history", "--all", "--json", home=home.root, check=False)
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(r["seq"], r["kind"], r["status"]) for r in lines] == [
        (1, "payment", "pending"), (2, "refund", "pending"), (3, "close", "pending"),
    ]
    dated = jtill("history", "--date", close["biz_date"], "--json", home=home.root, check=False).stdout.splitlines()
    assert len(dated) == 3


def test_history_default_is_today(home, paid):
    proc = jtill("history", home=home.root, check=False)
    assert proc.returncode == 0 and paid["id"] in proc.stdout and "미전송" in proc.stdout


@pytest.mark.parametrize("command", ["close-day", "report", "history"])
def test_bad_date_is_usage_error(home, command):
    proc = jtill(command, "--date", "2026-13-01", home=home.root, check=False)
    assert proc.returncode == 2 and "YYYY-MM-DD" in proc.stderr


def test_verify_ok(home, paid):
    assert jtill_json(home, "verify") == {"status": "ok", "entries": 1}


def test_export_is_the_journal_as_canonical_json_lines(home, paid, tmp_path):
    jtill_json(home, "refund", paid["id"], "1", "--reason", "전주 r")
    out = tmp_path / "export.jsonl"
    assert jtill_json(home, "export", "--out", out) == {"status": "ok", "entries": 2, "out": str(out)}
    assert out.read_bytes() == b"".join(canonical_json(e) + b"\n" for e in entries(home))
    jtill_json(home, "export", "--from", "2", "--out", out)
    assert [json.loads(line)["seq"] for line in out.read_text(encoding="utf-8").splitlines()] == [2]
    assert jtill("export", "--from", "0", "--out", out, home=home.root, check=False).returncode == 2
    assert jtill("export", home=home.root, check=False).returncode == 2
