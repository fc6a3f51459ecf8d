"""Run the city server with uvicorn: in a thread (demos, tests) or in the foreground (``jtill city serve``).

Connections are guarded (docs/city-server.md, "Hostile clients"): a request line and headers must
arrive within ``HEAD_SECONDS``, headers are at most ``MAX_HEAD_BYTES``, and when open connections
near the process's open-files limit the one waiting longest for a request is closed to make room.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import sys
import threading
import time
from logging.handlers import RotatingFileHandler, WatchedFileHandler

import h11
import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.supervisors.multiprocess import Multiprocess

from city.app import create_app
from city.errors import Refused
from city.service import City
from terminal.catalog import tr

log = logging.getLogger("city.server")

HEAD_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
MAX_HEAD_BYTES = 16 * 1024
BACKLOG = 1024
# Files the process needs besides client connections: the database and its WAL and SHM, the log,
# the listening socket, the event loop's own descriptors, standard streams, and slack.
FD_RESERVE = 64
LOG_FILE = "server.log"
DATA_ENV = "JTILL_CITY_DATA"
_BUSY_BODY = b'{"error":"busy","detail":"too many open connections"}'
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\n"
        b"connection: close\r\ncontent-length: %d\r\n\r\n%s" % (len(_BUSY_BODY), _BUSY_BODY))


def connection_cap() -> int:
    """How many client connections fit under the open-files limit, leaving ``FD_RESERVE``."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return 100_000
    return max(16, soft - FD_RESERVE)


class GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for request heads and a cap on open connections."""

    cap = 100_000

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.head_timer: asyncio.TimerHandle | None = None
        self._wait_for_head()
        if len(self.connections) > self.cap:
            self._make_room()

    def _wait_for_head(self) -> None:
        self.waiting_since = self.loop.time()
        self.head_timer = self.loop.call_later(HEAD_SECONDS, self._head_too_slow)

    def _stop_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def waiting(self) -> bool:
        """Between requests or still reading a request's head: nothing is lost by closing it."""
        return self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete)

    def _head_too_slow(self) -> None:
        self.head_timer = None
        if self.waiting() and not self.transport.is_closing():
            self.transport.close()

    def _make_room(self) -> None:
        idle = [c for c in self.connections if c is not self and isinstance(c, GuardedH11) and c.waiting()
                and not c.transport.is_closing()]
        if idle:
            min(idle, key=lambda c: c.waiting_since).transport.close()
        else:
            self.transport.write(BUSY)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.head_timer is not None and self.conn.their_state is not h11.IDLE:
            self._stop_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and self.head_timer is None:
            self._wait_for_head()

    def connection_lost(self, exc) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)


class CityH11(GuardedH11):
    """The protocol the server runs: a module-level class, so that worker processes can import it.

    ``cap`` is set from the open-files limit before serving (and anew in each worker).
    """


class ServerHandle:
    """A server running in a background thread; ``url`` to reach it, ``stop()`` to end it."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread, city: City):
        self.server = server
        self.thread = thread
        self.city = city
        sock = server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        self.port = port
        self.url = f"http://{host}:{port}"

    def stop(self) -> None:
        """Stop serving and close the store."""
        self.server.should_exit = True
        self.thread.join(10)
        self.city.close()


def _config(app, host: str, port: int, log_config=LOGGING_CONFIG, **more) -> uvicorn.Config:
    CityH11.cap = connection_cap()
    return uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False, lifespan="off",
                          http=CityH11, backlog=BACKLOG, timeout_keep_alive=KEEP_ALIVE_SECONDS,
                          h11_max_incomplete_event_size=MAX_HEAD_BYTES, log_config=log_config, **more)


def _server(city: City, host: str, port: int, log_config=LOGGING_CONFIG) -> uvicorn.Server:
    return uvicorn.Server(_config(create_app(city), host, port, log_config))


def serve_in_thread(data_dir: str | os.PathLike, port: int = 0, host: str = "127.0.0.1") -> ServerHandle:
    """Start the server for ``data_dir`` on ``host:port`` (0: a free port) in a daemon thread."""
    city = City(data_dir)
    server = _server(city, host, port)
    server.install_signal_handlers = lambda: None  # not the main thread
    thread = threading.Thread(target=server.run, name="city-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            city.close()
            raise RuntimeError("city server did not start")
        time.sleep(0.01)
    return ServerHandle(server, thread, city)


def log_to(data_dir: str | os.PathLike, rotate: bool = True) -> None:
    """Send the process's logs (requests, errors with tracebacks) to stderr and ``server.log`` in ``data_dir``.

    Several worker processes append to one file and leave rotating it to the system's logrotate
    (``rotate=False``): a process rotating a file that others write to would lose their lines.
    """
    path = os.path.join(data_dir, LOG_FILE)
    handler = (RotatingFileHandler(path, maxBytes=10 * 1024 * 1024, backupCount=5, encoding="utf-8") if rotate
               else WatchedFileHandler(path, encoding="utf-8"))
    os.chmod(path, 0o600)
    formatter = logging.Formatter("%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s")
    root = logging.getLogger()
    for h in (handler, logging.StreamHandler(sys.stderr)):
        h.setFormatter(formatter)
        root.addHandler(h)
    root.setLevel(logging.INFO)


def worker_app():
    """The app of one of several worker processes (``uvicorn`` factory): the city named by the environment."""
    from city.service import DB_ENV

    data_dir = os.environ[DATA_ENV]
    log_to(data_dir, rotate=False)
    CityH11.cap = connection_cap()
    city = City(data_dir, os.environ[DB_ENV])
    log.info("worker %d serving", os.getpid())
    return create_app(city)


def serve(data_dir: str | os.PathLike, port: int = 8000, host: str = "127.0.0.1", db: str | None = None,
          workers: int = 1) -> None:
    """Serve in the foreground until interrupted (this process's files are private: umask 077).

    With ``workers`` above 1 (PostgreSQL only), uvicorn runs that many processes on one socket and
    starts a new one whenever one dies; each opens the city itself.
    """
    os.umask(0o077)  # rotated logs and anything else the server creates
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard and hard != resource.RLIM_INFINITY:  # as many connections as the system allows us
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    city = City(data_dir, db)  # creates the data directory and migrates the database before any worker starts
    if workers > 1:
        from city.pg_storage import PGStorage
        from city.service import DB_ENV

        if not isinstance(city.storage, PGStorage):
            city.close()
            raise Refused("bad_request", tr("여러 프로세스로 실행하려면 PostgreSQL이 필요합니다"))
        dsn = city.storage.dsn
        city.close()
        log_to(data_dir, rotate=False)
        os.environ[DATA_ENV], os.environ[DB_ENV] = os.fspath(data_dir), dsn
        config = _config("city.server:worker_app", host, port, None, factory=True, workers=workers)
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return
    log_to(data_dir)
    try:
        _server(city, host, port, log_config=None).run()
    finally:
        city.close()
