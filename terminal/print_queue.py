"""Print jobs on their own worker thread: a printer that is off, out of paper or stalled never holds up a payment.

Each job is built and sent on the worker; the outcome is announced as a core event
(:mod:`terminal.events`): ``print_done(job)`` or ``print_failed(job, code, message)``. Receipt
and report jobs wait in ``print-queue.json`` beside the journal until they have printed, so a
receipt that failed (or was pending when the till stopped) can be reprinted after a restart.
Drawer kicks are never kept: a drawer springing open later, unasked, would be worse than none.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from terminal import config as config_mod
from terminal import events, printers
from terminal.atomic import write_atomic
from terminal.home import Home
from terminal.journal import Journal
from terminal.messages import text
from terminal.receipt import ReceiptError, build_receipt, build_z_report

log = logging.getLogger(__name__)

STORE = "print-queue.json"
KINDS = ("receipt", "report", "drawer")


@dataclass(frozen=True)
class PrintJob:
    """A receipt (``seq``), a Z report (``date``) or a drawer kick; ``error`` is the last failure's code."""

    kind: str
    seq: int | None = None
    date: str | None = None
    error: str | None = None

    @property
    def key(self) -> str:
        """One job per receipt or report: asking again re-queues it rather than doubling it."""
        return f"{self.kind}:{self.seq if self.kind == 'receipt' else self.date}"


class PrintQueue:
    """Jobs for one printer URI, printed in order by one worker thread."""

    def __init__(self, home: Home, printer: str, *, paper_mm: int = 80, timeout: float = printers.DEFAULT_TIMEOUT,
                 clock: Callable[[], float] = time.time):
        printers.parse_printer_uri(printer)  # refuse a bad address now, not on the worker
        self.home = home
        self.printer = printer
        self.paper_mm = paper_mm
        self.timeout = timeout
        self.clock = clock
        self._store = Path(home.root) / STORE
        self._lock = threading.Lock()
        self._kept: dict[str, PrintJob] = self._load()
        self._jobs: queue.Queue[PrintJob | None] = queue.Queue()
        self._journal: Journal | None = None  # opened on the worker, used only there
        self._worker = threading.Thread(target=self._run, name="till-print", daemon=True)
        self._worker.start()

    def configure(self, printer: str, paper_mm: int) -> None:
        """Print the next jobs on ``printer`` with ``paper_mm`` paper (kept jobs stay kept)."""
        printers.parse_printer_uri(printer)
        self.printer, self.paper_mm = printer, paper_mm

    # -- asking ------------------------------------------------------------------------

    def print_receipt(self, seq: int) -> PrintJob:
        """Queue the receipt of entry ``seq`` (kept until it has printed)."""
        return self._submit(PrintJob("receipt", seq=seq))

    def print_report(self, biz_date: str) -> PrintJob:
        """Queue the Z report of ``biz_date`` (kept until it has printed)."""
        return self._submit(PrintJob("report", date=biz_date))

    def kick_drawer(self) -> PrintJob:
        """Queue a cash-drawer pulse (never kept)."""
        job = PrintJob("drawer")
        self._jobs.put(job)
        return job

    def pending(self) -> list[PrintJob]:
        """Receipts and reports not printed yet, oldest first, with the last failure's code."""
        with self._lock:
            return list(self._kept.values())

    def reprint_pending(self) -> list[PrintJob]:
        """Queue every kept job again (after the printer is fixed, or after a restart)."""
        jobs = self.pending()
        for job in jobs:
            self._jobs.put(job)
        return jobs

    def idle(self) -> bool:
        """True when no job is waiting or printing."""
        return self._jobs.unfinished_tasks == 0

    def close(self, timeout: float | None = None) -> None:
        """Finish the jobs already queued (each bounded by the printer timeout), then stop the worker."""
        self._jobs.put(None)
        self._worker.join(timeout)

    # -- the worker ---------------------------------------------------------------------

    def _submit(self, job: PrintJob) -> PrintJob:
        with self._lock:
            self._kept[job.key] = job
            self._save()
        self._jobs.put(job)
        return job

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    if self._journal is not None:
                        self._journal.close()
                    return
                self._print(job)
            finally:
                self._jobs.task_done()

    def _print(self, job: PrintJob) -> None:
        try:
            printers.send(self.printer, self._bytes(job), self.timeout)
        except ReceiptError as exc:
            log.warning("print job %s failed: %s", job.key, exc)
            self._settle(job, replace(job, error=exc.code))
            events.trigger(events.PRINT_FAILED, job, exc.code, str(exc))
        except Exception as exc:  # a bug or a broken journal: the job is kept, the cashier told
            log.exception("print job %s failed", job.key)
            self._settle(job, replace(job, error="print_error"))
            events.trigger(events.PRINT_FAILED, job, "print_error", f"{text('print_error')} ({exc})")
        else:
            self._settle(job, None)
            events.trigger(events.PRINT_DONE, job)

    def _settle(self, job: PrintJob, kept: PrintJob | None) -> None:
        if job.kind == "drawer":
            return
        with self._lock:
            if kept is None:
                self._kept.pop(job.key, None)
            else:
                self._kept[job.key] = kept
            self._save()

    def _bytes(self, job: PrintJob) -> bytes:
        from terminal import escpos  # with Pillow and the fonts: on the first job, not at the till's start

        if job.kind == "drawer":
            return escpos.drawer_kick()
        if self._journal is None:
            self._journal = self.home.open_journal()
        cfg = config_mod.current(self._journal, self.home.trust())
        if cfg is None:
            raise ReceiptError("not_configured")
        if job.kind == "receipt" and job.seq is not None:
            slip = build_receipt(self._journal, cfg, job.seq).slip()
        elif job.kind == "report" and job.date is not None:
            slip = build_z_report(self._journal, cfg, job.date, int(self.clock() * 1000)).slip()
        else:
            raise ReceiptError("no_such_entry", f"print job {job.kind} without its seq or date")
        return escpos.encode_slip(slip, self.paper_mm)

    # -- the store ----------------------------------------------------------------------

    def _load(self) -> dict[str, PrintJob]:
        try:
            data = json.loads(self._store.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s: %s", self._store, exc)
            return {}
        jobs = {}
        for item in data.get("jobs", []) if isinstance(data, dict) else []:
            try:
                job = PrintJob(**item)
            except TypeError:
                log.warning("ignoring a malformed print job in %s: %r", self._store, item)
                continue
            if job.kind in KINDS[:2]:
                jobs[job.key] = job
        return jobs

    def _save(self) -> None:
        body = {"jobs": [asdict(job) for job in self._kept.values()]}
        try:
            # Not fsynced: this runs on the caller's (the GUI's) thread, and the journal, not this
            # file, is what matters: any receipt can be printed again from History.
            write_atomic(self._store, json.dumps(body, ensure_ascii=False, indent=1).encode(), durable=False)
        except OSError:  # the jobs stay queued in memory; only a restart would lose them
            log.exception("could not save the print queue to %s", self._store)
