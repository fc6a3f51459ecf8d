"""Run the city server with uvicorn: in a thread (demos, tests) or in the foreground (``jtill city serve``)."""

from __future__ import annotations

import os
import threading
import time

import uvicorn

from city.app import create_app
from city.service import City


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


def _server(city: City, host: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(create_app(city), host=host, port=port, log_level="warning", access_log=False,
                            lifespan="off")
    return uvicorn.Server(config)


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


def serve(data_dir: str | os.PathLike, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Serve in the foreground until interrupted."""
    city = City(data_dir)
    try:
        _server(city, host, port).run()
    finally:
        city.close()
