"""A network receipt printer stand-in: a real TCP listener on 127.0.0.1 that keeps every byte it is sent."""

from __future__ import annotations

import socket
import threading
import time

from terminal.escpos import PAPER_STATUS

PAPER_OK, PAPER_OUT = 0x12, 0x72  # DLE EOT 4 replies: fixed bits only / paper end (bits 5 and 6)


class FakePrinter:
    """Listens like a printer on port 9100 would.

    ``mode``: ``ok`` answers each paper-status question; ``paper_out`` answers "no paper";
    ``stall`` answers the first question, then stops reading and never answers again (a jammed
    printer holding the connection open).
    """

    def __init__(self, mode: str = "ok"):
        self.mode = mode
        self.jobs: list[bytes] = []  # one per connection, once it closed
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = self._server.getsockname()[1]
        self.uri = f"tcp://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._server.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.append(conn)
        data = bytearray()
        answered = 0
        conn.settimeout(0.1)
        while not self._stop.is_set():
            if self.mode == "stall" and answered >= 1:
                time.sleep(0.05)  # holding the connection, reading nothing
                continue
            try:
                chunk = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            data += chunk
            while data.count(PAPER_STATUS) > answered:
                answered += 1
                conn.sendall(bytes([PAPER_OUT if self.mode == "paper_out" else PAPER_OK]))
                if self.mode == "stall":
                    break
        conn.close()
        with self._lock:
            self.jobs.append(bytes(data))

    def all_bytes(self) -> bytes:
        """Everything received on connections that have closed."""
        with self._lock:
            return b"".join(self.jobs)

    def wait_jobs(self, count: int, timeout: float = 10) -> list[bytes]:
        """The first ``count`` finished connections' bytes (polls until a deadline)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.jobs) >= count:
                    return list(self.jobs)
            time.sleep(0.02)
        raise AssertionError(f"printer got {len(self.jobs)} jobs, expected {count}")

    def close(self) -> None:
        self._stop.set()
        self._server.close()
        self._thread.join(5)


def refused_uri() -> str:
    """A 127.0.0.1 port nothing listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"
