"""SIGKILL during payments: every payment is fully there with a valid chain or absent; every reported one is there."""

import json
import random
import subprocess
import sys
import time

import pytest

from conftest import JTILL, freeze_then_kill, holds_open, mint, wait_for, write_locked
from terminal import jws
from terminal.journal import Journal

pytestmark = pytest.mark.slow

# Prints a marker before each payment and the result after it, so a kill shows which payment was in flight.
PAY_LOOP = """
import json, sys
from terminal.checkout import Till
from terminal.home import Home

till = Till(Home(sys.argv[1]))
print(json.dumps({"status": "ready"}), flush=True)
for line in sys.stdin:
    amount, text = line.split()
    print(json.dumps({"paying": text}), flush=True)
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


def committed_jtis(home) -> set[str]:
    with Journal(home.journal_path, create=False) as journal:
        return {e["jti"] for e in journal.entries()}


def test_kill_jtill_pay_at_many_points(home, tmp_path):
    """Real `jtill pay` processes SIGKILLed before the journal is open, during the payment and after its commit.

    Where each kill landed is observed, not assumed from the delay: the process is frozen, its open files
    and the journal's write lock are looked at, then it is killed; the journal tells whether it committed.
    Most kills come after a delay spread from start-up to past the commit; every third is aimed at the
    moment the process opens the journal, the few milliseconds a delay rarely hits.
    """
    tokens_by_jti, accepted, landed = {}, [], []
    out = tmp_path / "out.jsonl"

    def start(i):
        text = mint(int(time.time()), wid=f"W-CRASH{i:04d}")
        tokens_by_jti[jti_of(text)] = (text, 1000 + i)
        with out.open("w") as fh:
            proc = subprocess.Popen([JTILL, "--home", str(home.root), "--json", "pay", str(1000 + i), text], stdout=fh)
        return proc, jti_of(text)

    # One uninterrupted payment: how long the delays must cover.
    began = time.perf_counter()
    proc, _ = start(0)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail("the uninterrupted jtill pay did not finish in 60 s")
    full = time.perf_counter() - began
    accepted += [r for r in reported(out) if r["status"] == "accepted"]
    rng = random.Random(2)
    for i in range(1, 31):
        proc, jti = start(i)
        if i % 3:
            time.sleep(rng.uniform(0, full * 1.2))
        else:
            deadline = time.monotonic() + 30
            while proc.poll() is None and not holds_open(proc.pid, home.journal_path):
                if time.monotonic() > deadline:
                    proc.kill()
                    proc.wait()
                    pytest.fail("jtill pay never opened the journal in 30 s")
                time.sleep(0.0005)
        opened, locked = freeze_then_kill(
            proc, lambda pid=proc.pid: (holds_open(pid, home.journal_path), write_locked(home.journal_path)))
        accepted += [r for r in reported(out) if r["status"] == "accepted"]
        check_journal(home, tokens_by_jti, accepted)
        if jti in committed_jtis(home):
            landed.append("after")
        else:
            landed.append("during (in the append)" if locked else "during" if opened else "before")
    assert {"before", "after"} <= set(landed) and {"during", "during (in the append)"} & set(landed), landed


def test_kill_a_paying_loop_mid_append(home, tmp_path):
    """A child paying as fast as it can is killed at random moments; run on the same journal until a kill has
    landed inside an append (the child holding the journal's write lock), at least 10 times."""
    tokens_by_jti, accepted, in_flight, mid_append = {}, [], [], 0
    rng = random.Random(7)
    for run in range(30):
        if run >= 10 and mid_append:
            break
        lines = []
        for i in range(400):
            text = mint(int(time.time()), wid=f"W-LOOP{run:02d}{i:03d}")
            tokens_by_jti[jti_of(text)] = (text, 100)
            lines.append(f"100 {text}\n")
        out = tmp_path / f"loop{run}.jsonl"
        with out.open("w") as fh:
            proc = subprocess.Popen([sys.executable, "-c", PAY_LOOP, str(home.root)], stdin=subprocess.PIPE,
                                    stdout=fh, text=True)
            wait_for(out.read_text, 30, "the child to be ready")  # so the kill lands among payments
            proc.stdin.write("".join(lines))
            proc.stdin.flush()
            time.sleep(rng.uniform(0.01, 0.3))
            locked = freeze_then_kill(proc, lambda: write_locked(home.journal_path))
        lines_out = reported(out)[1:]
        results = [r for r in lines_out if "paying" not in r]
        assert all(r["status"] == "accepted" for r in results), results
        accepted += results
        check_journal(home, tokens_by_jti, accepted)
        if lines_out and "paying" in lines_out[-1]:  # killed with this payment in flight
            in_flight.append(jti_of(lines_out[-1]["paying"]))
            mid_append += locked
    assert len(accepted) > 10
    assert mid_append, f"no kill landed inside an append ({len(in_flight)} with a payment in flight)"
