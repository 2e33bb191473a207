"""A throwaway PostgreSQL server in a temporary directory, for tests, benchmarks and trying
things out: ``initdb`` + ``pg_ctl`` from the machine's own PostgreSQL (Debian's ``postgresql``
package puts them in ``/usr/lib/postgresql/<version>/bin``), listening on 127.0.0.1 and a free
port, trusting local connections. As root it runs the server as the ``postgres`` user
(PostgreSQL refuses to run as root).

>>> with TemporaryPostgres() as server:  # doctest: +SKIP
...     store = PostgresStore(server.url)
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

__all__ = ["PostgresNotInstalled", "TemporaryPostgres", "find_bindir"]


class PostgresNotInstalled(RuntimeError):
    """The PostgreSQL server programs (initdb, pg_ctl) are not on this machine."""


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl`` (newest Debian version first)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
        reverse=True,
    )
    found = shutil.which("initdb")
    if found:
        candidates.append(found)
    for candidate in candidates:
        bindir = Path(candidate).parent
        if (bindir / "pg_ctl").exists():
            return bindir
    raise PostgresNotInstalled(
        "PostgreSQL server programs not found (no /usr/lib/postgresql/*/bin/initdb, no initdb "
        "on PATH): install them with `apt-get install -y postgresql` (scripts/test.sh does)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class TemporaryPostgres:
    """Start with :meth:`start` (or ``with``), stop with :meth:`stop`; :meth:`restart` keeps the
    data and the port. ``url`` connects as the ``postgres`` superuser to database ``postgres``."""

    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="threadwidget-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "server.log"
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            self._as_postgres = ["runuser", "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        self.running = False

    def _run(self, *args: str) -> None:
        command = [*self._as_postgres, *args]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = self.logfile.read_text() if self.logfile.exists() else ""
            raise RuntimeError(
                f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}"
                f"{result.stderr}\n{log[-2000:]}"
            )

    def start(self) -> TemporaryPostgres:
        if not self.data.exists():
            self._run(
                str(self.bindir / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            )
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=200"
        )
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.logfile),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self.running = True
        return self

    def stop(self, mode: str = "fast") -> None:
        if self.running:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")
            self.running = False

    def restart(self) -> None:
        self.stop()
        self.start()

    def cleanup(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> TemporaryPostgres:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()
