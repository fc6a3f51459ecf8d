"""SIGKILL during payments: every payment is fully there with a valid chain or absent; every reported one is there."""

import json
import random
import signal
import subprocess
import sys
import time

import pytest

from conftest import JTILL, mint
from terminal import jws
from terminal.journal import Journal

pytestmark = pytest.mark.slow

PAY_LOOP = """
import json, sys
from terminal.checkout import Till
from terminal.home import Home

till = Till(Home(sys.argv[1]))
print(json.dumps({"status": "ready"}), flush=True)
for line in sys.stdin:
    amount, text = line.split()
    print(json.dumps(till.pay(int(amount), text).as_json()), flush=True)
"""


def jti_of(text: str) -> str:
    return jws.parse(text, "jjp-pay+jwt").payload["jti"]


def reported(path) -> list[dict]:
    """The JSON lines a killed child managed to write in full."""
    out = []
    for line in path.read_text().splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            pass  # cut off mid-line by the kill
    return out


def check_journal(home, tokens_by_jti: dict, accepted: list[dict]) -> int:
    """Reopen the journal and check the crash guarantees; returns the number of entries."""
    with Journal(home.journal_path, create=False) as journal:
        result = journal.verify()
        assert result.ok, result
        entries = {e["id"]: e for e in journal.entries()}
    for e in entries.values():
        assert e["kind"] == "payment" and tokens_by_jti[e["jti"]] == (e["token"], e["amount"])
    for r in accepted:
        assert r["id"] in entries and entries[r["id"]]["seq"] == r["seq"] and entries[r["id"]]["amount"] == r["amount"]
    assert len({e["jti"] for e in entries.values()}) == len(entries)
    return result.count


def kill_after(proc, delay):
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()


def test_kill_jtill_pay_at_many_points(home, tmp_path):
    """~30 real `jtill pay` processes, each SIGKILLed after a delay spread from startup to past the commit."""
    tokens_by_jti, accepted = {}, []
    out = tmp_path / "out.jsonl"

    def start(i):
        text = mint(int(time.time()), wid=f"W-CRASH{i:04d}")
        tokens_by_jti[jti_of(text)] = (text, 1000 + i)
        with out.open("w") as fh:
            return subprocess.Popen([JTILL, "--home", str(home.root), "--json", "pay", str(1000 + i), text], stdout=fh)

    # Calibrate: how long one uninterrupted payment takes here, so the delays cover start to commit.
    began = time.perf_counter()
    start(0).wait()
    full = time.perf_counter() - began
    accepted += [r for r in reported(out) if r["status"] == "accepted"]
    runs = 30
    rng = random.Random(2)
    for i in range(1, runs + 1):
        proc = start(i)
        kill_after(proc, full * (0.5 + 0.7 * i / runs) + rng.uniform(-0.02, 0.02))
        accepted += [r for r in reported(out) if r["status"] == "accepted"]
        check_journal(home, tokens_by_jti, accepted)
    assert accepted, "no run got as far as a commit: the delays did not cover the append"


def test_kill_a_paying_loop_mid_append(home, tmp_path):
    """A child paying as fast as it can is killed at random moments; run 10 times on the same journal."""
    tokens_by_jti, accepted = {}, []
    rng = random.Random(7)
    for run in range(10):
        lines = []
        for i in range(400):
            text = mint(int(time.time()), wid=f"W-LOOP{run:02d}{i:03d}")
            tokens_by_jti[jti_of(text)] = (text, 100)
            lines.append(f"100 {text}\n")
        out = tmp_path / f"loop{run}.jsonl"
        with out.open("w") as fh:
            proc = subprocess.Popen([sys.executable, "-c", PAY_LOOP, str(home.root)], stdin=subprocess.PIPE,
                                    stdout=fh, text=True)
            while not out.read_text():
                time.sleep(0.005)  # wait for "ready", so the kill lands among payments
            proc.stdin.write("".join(lines))
            proc.stdin.flush()
            kill_after(proc, rng.uniform(0.01, 0.3))
        results = reported(out)[1:]
        assert all(r["status"] == "accepted" for r in results), results
        accepted += results
        check_journal(home, tokens_by_jti, accepted)
    assert len(accepted) > 10
