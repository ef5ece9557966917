"""A throwaway PostgreSQL server from Debian's binaries, for tests and benchmarks.

It listens on 127.0.0.1 only, with trust authentication, in a temporary folder. As root
(CI), initdb refuses to run, so the commands run as the ``postgres`` system user that the
Debian package creates (``runuser``). Errors raise ``PostgresUnavailableError`` with the
reason; test fixtures turn it into a failure (never a skip: the suite promises PostgreSQL).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

SUPERUSER = "postgres"


class PostgresUnavailableError(RuntimeError):
    """PostgreSQL could not be found or started; the message says why."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _version(initdb: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", initdb.parent.parent.name)) or (0,)


def find_pg_bin() -> Path:
    """The newest PostgreSQL server binary folder."""
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=_version)
    if candidates:
        return candidates[-1].parent
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    raise PostgresUnavailableError(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found under "
        "/usr/lib/postgresql/*/bin or on PATH. Install the Debian package 'postgresql' "
        "(scripts/bootstrap.sh test does it when run as root)."
    )


@dataclass
class PostgresCluster:
    """One server. ``durable=False`` (tests) turns fsync off; benchmarks keep it on."""

    bin_dir: Path
    base_dir: Path
    durable: bool = False
    port: int = 0
    as_postgres_user: bool = field(default_factory=lambda: os.geteuid() == 0)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "postgres.log"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin_dir / tool), *args]
        if self.as_postgres_user:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=120, cwd=self.base_dir, check=False
        )
        if result.returncode != 0:
            log = self.log_file.read_text() if self.log_file.exists() else ""
            raise PostgresUnavailableError(
                f"{tool} failed ({result.returncode}): {result.stderr.strip()}\n{log}"
            )

    def start(self) -> None:
        if self.as_postgres_user:
            try:
                owner = pwd.getpwnam(SUPERUSER)
            except KeyError:
                raise PostgresUnavailableError(
                    "running as root, but there is no 'postgres' system user to run "
                    "PostgreSQL (the Debian package 'postgresql' creates it)"
                ) from None
            os.chown(self.base_dir, owner.pw_uid, owner.pw_gid)
        self._run(
            "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync",
        )  # fmt: skip
        self.port = free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.base_dir} -c max_connections=200"
        )
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-o", options,
            "-w", "-t", "30", "start",
        )  # fmt: skip

    def stop(self) -> None:
        mode = "fast" if self.durable else "immediate"
        self._run("pg_ctl", "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def new_database(self, prefix: str = "db") -> str:
        """Create an empty database and return its SQLAlchemy URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True
        ) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextlib.contextmanager
def running_cluster(prefix: str, *, durable: bool = False) -> Iterator[PostgresCluster]:
    """Start a cluster in a new temporary folder; stop it and delete the folder after."""
    base = Path(tempfile.mkdtemp(prefix=prefix))
    cluster = PostgresCluster(find_pg_bin(), base, durable=durable)
    try:
        cluster.start()
        yield cluster
    finally:
        if cluster.port:
            with contextlib.suppress(Exception):
                cluster.stop()
        shutil.rmtree(base, ignore_errors=True)
