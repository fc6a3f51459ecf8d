"""``jtill operator``, the owner's PIN for ``refund``/``close-day`` (JTILL_PIN), and ``jtill inbox``."""

import json
import subprocess
import time

from conftest import jtill, mint
from terminal import messages
from terminal.checkout import Till
from terminal.journal import Journal


def run(home, *args, expect=0, pin=None, new_pin=None):
    env = {"JTILL_PIN": pin} if pin else {}
    if new_pin:
        env["JTILL_NEW_PIN"] = new_pin
    proc = jtill("--json", *args, home=home.root, check=False, env=env, stdin=subprocess.DEVNULL)  # never a PIN prompt
    assert proc.returncode == expect, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def test_operators_pins_and_owner_only_commands(home):
    boss = run(home, "operator", "add", "boss", "--name", "김사장", "--role", "owner", new_pin="1234")
    assert boss["role"] == "owner"
    refused = run(home, "operator", "add", "mina", "--name", "박미나", new_pin="5678", expect=1)
    assert refused["error"] == "owner_pin_required"
    run(home, "operator", "add", "mina", "--name", "박미나", new_pin="5678", pin="1234")
    assert [o["id"] for o in run(home, "operator", "list")] == ["boss", "mina"]

    refused = run(home, "pay", "12000", mint(int(time.time())), "--operator", "nobody", expect=1)
    assert refused["error"] == "no_such_operator"
    paid = run(home, "pay", "12000", mint(int(time.time())), "--operator", "mina")
    assert run(home, "refund", paid["id"], "2000", "--reason", "r", expect=1)["error"] == "owner_pin_required"
    assert run(home, "refund", paid["id"], "2000", "--reason", "r", pin="0000", expect=1)["error"] == "wrong_pin"
    out = run(home, "refund", paid["id"], "2000", "--reason", "r", "--operator", "mina", pin="1234")
    assert out["status"] == "refunded"
    assert run(home, "close-day", expect=1)["error"] == "owner_pin_required"
    assert run(home, "close-day", pin="1234")["status"] == "closed"
    with Journal(home.journal_path, create=False) as j:
        assert [e["operator"] for e in j.entries()][:2] == ["mina", "mina"]

    assert run(home, "operator", "remove", "boss", pin="1234", expect=1)["error"] == "last_owner"
    run(home, "operator", "remove", "mina", pin="1234")
    assert [o["id"] for o in run(home, "operator", "list")] == ["boss"]


def test_inbox_lists_rejections_until_acknowledged(home):
    from conftest import settle

    run(home, "operator", "add", "boss", "--name", "김사장", "--role", "owner", new_pin="1234")
    run(home, "pay", "20000", mint(int(time.time())))
    till = Till(home)
    try:
        settle(till, 1, {1: ("rejected", "revoked")})
    finally:
        till.close()
    inbox = run(home, "inbox")
    assert [(r["seq"], r["status_reason"]) for r in inbox["rejected"]] == [(1, "revoked")]
    human = jtill("inbox", home=home.root, stdin=subprocess.DEVNULL).stdout
    assert messages.text("revoked", "ko") in human and messages.rejection_advice("revoked")[0] in human
    assert messages.rejection_advice("revoked")[1] not in human  # one language: no English half
    report = run(home, "report", "--date", inbox["rejected"][0]["biz_date"])
    assert report["net"] == 0 and report["rejected_amount"] == 20000
    assert run(home, "inbox", "--ack", "1", expect=1)["error"] == "owner_pin_required"
    run(home, "inbox", "--ack", "1", pin="1234")
    assert run(home, "inbox")["rejected"] == []
