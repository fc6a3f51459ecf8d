"""Benchmark of receipt printing, next to the cost of the payment itself measured in the same run.

    python benchmarks/bench_print.py [--receipts 200]

Figures (p50, p99 in ms): ``Till.pay`` (the baseline: what a customer waits for anyway);
``PrintQueue.print_receipt`` on the caller's thread (all a payment's side ever pays for a
receipt: the job is recorded in print-queue.json and handed to the worker); building the
receipt from the journal and encoding it as ESC/POS, all text and with one raster line (a
merchant name with 똠); and a whole job sent to a printer stand-in on 127.0.0.1 (status
questions, bytes, answer). Uses the test keys of tests/data/vectors.json in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from conftest import VECTOR_NOW, VECTORS, FakeClock, mint, signed_config  # noqa: E402
from helpers_printer import FakePrinter  # noqa: E402
from terminal import escpos, events, printers  # noqa: E402
from terminal.checkout import Till  # noqa: E402
from terminal.config import import_config  # noqa: E402
from terminal.home import Home  # noqa: E402
from terminal.print_queue import PrintQueue  # noqa: E402
from terminal.receipt import build_receipt  # noqa: E402


def timed(fn, n: int) -> list[float]:
    """Milliseconds of ``n`` calls of ``fn(i)``."""
    out = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - start) * 1000)
    return out


def show(name: str, ms: list[float], baseline: float | None = None) -> None:
    ordered = sorted(ms)
    p50, p99 = statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    ratio = f"  ({p50 / baseline:.2f}× Till.pay)" if baseline else ""
    print(f"{name:<44} p50 {p50:7.3f} ms  p99 {p99:7.3f} ms{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=200, help="receipts per figure (default 200)")
    n = parser.parse_args().receipts
    with tempfile.TemporaryDirectory(prefix="jtill-bench-print-") as tmp:
        key = Path(tmp) / "config-key.jwk"
        key.write_text(json.dumps(VECTORS["keys"]["config"]["jwk"]), encoding="utf-8")
        home = Home(Path(tmp) / "home")
        journal = home.init(key)
        import_config(journal, VECTORS["config"]["jws"], home.trust())
        journal.close()
        till = Till(home, clock=FakeClock(VECTOR_NOW))
        tokens = [mint(VECTOR_NOW, wid=f"W-BENCH{i:05d}") for i in range(n)]
        pay = timed(lambda i: till.pay(1000, tokens[i]), n)
        base = statistics.median(pay)
        show("Till.pay (baseline)", pay)

        printer = FakePrinter()
        queue = PrintQueue(home, printer.uri)
        done = []
        events.register_callback("print_done", done.append)
        submit = []
        for i in range(n):  # one payment at a time, as at a counter: each job printed before the next
            start = time.perf_counter()
            queue.print_receipt(i + 1)
            submit.append((time.perf_counter() - start) * 1000)
            deadline = time.monotonic() + 30
            while len(done) <= i and time.monotonic() < deadline:
                time.sleep(0.001)
        show("print_receipt() on the payment's thread", submit, base)
        queue.close(30)
        events.unregister_callback(done.append)

        slip = lambda i: build_receipt(till.journal, till.config, i + 1).slip()  # noqa: E731
        show("build + encode, all text", timed(lambda i: escpos.encode_slip(slip(i)), n), base)
        data = escpos.encode_slip(slip(0))
        show("send to a printer on 127.0.0.1", timed(lambda i: printers.send(printer.uri, data), n), base)
        till.import_config(signed_config(ver=2, merchant={"id": "M-0042", "name": "똠양꿍 식당", "category": "food"}))
        show("build + encode, one raster line (똠)", timed(lambda i: escpos.encode_slip(slip(i)), n), base)
        print(f"receipt bytes: {len(data)} all text, {len(escpos.encode_slip(slip(0)))} with the raster line")
        printer.close()
        till.close()


if __name__ == "__main__":
    main()
