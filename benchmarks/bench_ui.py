"""The desktop till: start-up to a usable window, peak memory, and the worst event-loop stall while syncing.

Run: ``python benchmarks/bench_ui.py`` (offscreen unless ``DISPLAY`` is set; about a minute).

Each figure is measured in a fresh child process next to a baseline measured in the same run:
start-up and memory against an empty ``QMainWindow``; the stall while the till uploads 2,000 payments
to a real city server behind a proxy that delays every answer (``FaultProxy`` of the sync tests)
against that empty window's idle event loop (the machine's own noise).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "benchmarks")]

PAYMENTS = 2_000
DELAY_S = 0.25  # added to every answer of the city server
TICK_MS = 5  # the stall probe: a timer that should fire every 5 ms
IDLE_S = 2.0
SETTLE_S = 2.0
TARGETS = {"startup_s": 1.0, "peak_rss_mb": 200.0, "stall_ms": 50.0}
RUNS = 3


# -- children -------------------------------------------------------------------------


def _ready_line(**figures) -> None:
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures), flush=True)


def child_baseline(measure_idle: bool) -> None:
    """An empty QMainWindow shown (what any PySide6 window costs), then its idle event loop's stalls."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.resize(1100, 720)
    window.show()
    probe = StallProbe()

    def ready() -> None:
        _ready_line()
        if not measure_idle:
            app.quit()
            return
        probe.start()
        QTimer.singleShot(int(IDLE_S * 1000), lambda: (_ready_line(idle_stall_ms=probe.worst_ms), app.quit()))

    QTimer.singleShot(0, ready)
    app.exec()


class StallProbe:
    """A fast timer; the worst lateness of its ticks is the longest time the event loop did not run."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.worst_ms = 0.0
        self.last = time.perf_counter()
        self.timer = QTimer(interval=TICK_MS)
        self.timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.worst_ms, self.last = 0.0, time.perf_counter()
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst_ms = max(self.worst_ms, (now - self.last) * 1000 - TICK_MS)
        self.last = now


def child_till(home: str, server: str, measure_sync: bool) -> None:
    """The real till window opened as ``jtill gui`` opens it (log file, start check, window shown); READY once it
    is shown with the keyboard on the amount, then the stalls."""
    from PySide6.QtCore import QTimer

    from terminal.home import Home
    from ui import log_file
    from ui.app import application, open_session

    app = application()
    remove_log = log_file.install(Path(home))
    session = open_session(Home(home), server)
    assert session is not None, "the benchmark's till needs no setup and passes the start check"
    window = session.window
    probe = StallProbe()
    figures: dict = {}

    def ready() -> None:
        _ready_line(amount_has_keyboard=window.focusWidget() is window.pay_tab.amount)
        if not measure_sync:
            app.quit()
            return
        QTimer.singleShot(int(SETTLE_S * 1000), start_sync)  # first loads of report and status done

    def start_sync() -> None:
        figures["sync_start"] = time.perf_counter()
        probe.start()
        session.bridge.sync_finished.connect(pass_done)
        session.bridge.sync_failed.connect(pass_done)
        window.sync.request()

    def pass_done(outcome) -> None:
        summary = outcome.as_json()  # a SyncSummary
        figures.setdefault("passes", []).append({k: summary.get(k) for k in ("status", "uploaded", "pending")})
        if summary.get("status") == "ok" and summary.get("pending"):
            window.sync.request()  # not all settled yet: another pass, as the periodic timer would
            return
        QTimer.singleShot(500, finish)  # the history and status refreshes that follow a pass count too

    def finish() -> None:
        figures["sync_stall_ms"] = probe.worst_ms
        figures["sync_s"] = time.perf_counter() - figures.pop("sync_start")
        _ready_line(**figures)
        app.quit()

    QTimer.singleShot(0, ready)
    try:
        app.exec()
    finally:
        session.close()
        remove_log()


# -- parent ---------------------------------------------------------------------------


def spawn(*args: str) -> list[tuple[float, dict]]:
    """Run a child; returns ``(seconds from spawn, figures)`` for each line it printed."""
    env = {**os.environ}
    if not env.get("DISPLAY"):
        env["QT_QPA_PLATFORM"] = "offscreen"
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, "--child", *args], stdout=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)
    lines = []
    for line in proc.stdout:
        lines.append((time.perf_counter() - start, json.loads(line)))
    if proc.wait(timeout=300) != 0:
        raise SystemExit(f"child {args} failed with {proc.returncode}")
    return lines


def setup(root: Path):
    """A city server, a till enrolled with it holding PAYMENTS unsent payments, and a slow proxy to it."""
    from bench_sync import fill_journal

    from city.server import serve_in_thread
    from helpers_sync import FaultProxy
    from sync.enroll import enroll
    from terminal.checkout import Till
    from terminal.home import Home

    server = serve_in_thread(root / "city")
    city = server.city
    city.add_merchant("M-BENCH", "벤치 식당", "food")
    city.storage.add_wallet("W-BENCH001", 100_000_000)
    home = Home(root / "till")
    enroll(home, server.url, city.enroll_code("M-BENCH"), city.data.public_config_key_path)
    till = Till(home)
    fill_journal(till, city, PAYMENTS)
    till.close()
    proxy = FaultProxy(int(server.url.rsplit(":", 1)[1]))
    for _ in range(10_000):
        proxy.add("/", ("delay", DELAY_S))
    return server, proxy, home


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-ui-") as tmp:
        server, proxy, home = setup(Path(tmp))
        try:
            base = [spawn("baseline", "no-idle")[0] for _ in range(RUNS)]
            (_, _), (_, idle) = spawn("baseline", "idle")
            till = [spawn("till", str(home.root), proxy.url, "no-sync")[0] for _ in range(RUNS)]
            (_, _), (_, sync) = spawn("till", str(home.root), proxy.url, "sync")
        finally:
            proxy.close()
            server.stop()
    startup = statistics.median(s for s, _ in till)
    base_startup = statistics.median(s for s, _ in base)
    rss = max(f["peak_rss_mb"] for _, f in till + [(0, sync)])
    base_rss = max(f["peak_rss_mb"] for _, f in base)
    platform = "offscreen" if not os.environ.get("DISPLAY") else f"X display {os.environ['DISPLAY']}"
    print(f"bench_ui ({platform}, {RUNS} runs each, median start-up; {os.cpu_count()} CPUs)")
    print(f"{'what':44} {'till':>10} {'baseline':>10} {'target':>8}")
    print(f"{'start-up to a usable window (s)':44} {startup:10.3f} {base_startup:10.3f} {'< 1.0':>8}")
    print(f"{'peak memory, RSS (MB)':44} {rss:10.1f} {base_rss:10.1f} {'< 200':>8}")
    print(f"{f'worst event-loop stall, sync of {PAYMENTS:,} (ms)':44} {sync['sync_stall_ms']:10.1f} "
          f"{idle['idle_stall_ms']:10.1f} {'< 50':>8}")
    print(f"sync: {sync['sync_s']:.1f} s, {len(sync['passes'])} passes, answers delayed {DELAY_S} s: "
          f"{sync['passes'][-1]}")
    ok = startup < TARGETS["startup_s"] and rss < TARGETS["peak_rss_mb"] and sync["sync_stall_ms"] < TARGETS["stall_ms"]
    print("all targets met" if ok else "a target is missed")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child is None:
        main()
    elif options.child[0] == "baseline":
        child_baseline(options.child[1] == "idle")
    else:
        _, home_dir, url, mode = options.child
        child_till(home_dir, url, mode == "sync")
