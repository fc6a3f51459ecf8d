"""A throwaway PostgreSQL cluster on 127.0.0.1 for the tests and benchmarks (Debian's postgresql 15).

``initdb`` refuses to run as root, so as root the cluster belongs to the ``postgres`` system user.
``JTILL_TEST_PG_DSN`` names an existing database instead (it is emptied between tests).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from helpers_sync import free_port

DSN_ENV = "JTILL_TEST_PG_DSN"


def pg_bin(name: str) -> str:
    """The path of a PostgreSQL server program (the newest installed version's)."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return found[-1]


class Cluster:
    """``initdb`` into a temporary folder and ``pg_ctl start`` on a free port; ``stop()`` removes it."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="jtill-pg-"))
        self.port = free_port()
        self.dsn = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.data = self.root / "data"
        self.user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.user:
            shutil.chown(self.root, "postgres")
        self.root.chmod(0o700)

    def _run(self, *cmd: str) -> None:
        subprocess.run([*self.user, *cmd], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def start(self) -> Cluster:
        """Create and start the cluster; returns it once it takes connections."""
        self._run(pg_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-locale", "--no-sync")
        # fsync stays on: the kill tests count on committed batches surviving; sockets only on 127.0.0.1.
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c max_connections=200"
        self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w",
                  "-t", "60", "start")
        deadline = time.monotonic() + 30
        while subprocess.run([pg_bin("pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                             stdout=subprocess.DEVNULL).returncode != 0:
            if time.monotonic() > deadline:
                raise RuntimeError("PostgreSQL did not start: " + (self.root / "log").read_text(errors="replace"))
            time.sleep(0.1)
        return self

    def stop(self) -> None:
        """Stop the server and remove its files."""
        try:
            self._run(pg_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
