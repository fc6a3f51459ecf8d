"""The headless till: `jtill sync --watch` uploads a payment right after it is taken."""

import json
import signal
import subprocess
import time

from conftest import JTILL, jtill


def settled(home) -> list[str]:
    rows = jtill("--json", "history", "--all", home=home).stdout.splitlines()
    return [json.loads(row)["status"] for row in rows]


def test_watch_uploads_each_payment_without_waiting_for_the_interval(tmp_path, served_city):
    city, server = served_city
    home = tmp_path / "till"
    jtill("enroll", server.url, city.enroll_code("M-0001"), "--trust", city.data.public_config_key_path, home=home)
    # An hour between passes: only the new-entry trigger can explain a settlement in this test.
    watcher = subprocess.Popen(
        [str(JTILL), "--home", str(home), "sync", "--watch", "--interval", "3600"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        for amount in (1000, 2000):
            jtill("pay", amount, city.mint_token("W-ALICE01"), home=home)
            deadline = time.monotonic() + 30
            while settled(home) != ["settled"] * (amount // 1000) and time.monotonic() < deadline:
                time.sleep(0.25)
            assert settled(home) == ["settled"] * (amount // 1000)
    finally:
        watcher.send_signal(signal.SIGINT)
        out, err = watcher.communicate(timeout=30)
    assert watcher.returncode in (0, 130), err
