"""Fixtures shared by the desk tests: an isolated data folder per test, a migrated
template database copied per test (the Anki way), and the real CLI as a subprocess.

Nothing here mocks storage: every desk test works on a real SQLite file.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.helpers.desk_files import connect_desk

if TYPE_CHECKING:
    from desk_app.clock import FixedClock
    from desk_app.context import DeskContext

# desk_app is imported inside the fixtures: the district server and document tests share
# this conftest and must still collect while someone is half-way through editing the core.

REPO_ROOT = Path(__file__).resolve().parents[1]
DATABASE_FILE = "desk.sqlite3"  # desk_app.config.DATABASE_FILE, checked in test_cli

# Qt must be told before the QApplication exists (pytest-qt makes one per session).
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Every CLI test logs in: hash with the cheapest Argon2 parameters (desk_app.auth
# FAST_HASHES_ENV), here and in the child processes. The timing and lock-out tests use
# the real parameters explicitly.
os.environ.setdefault("DESK_APP_TEST_FAST_HASHES", "1")
# The desk databases' keys (desk_app.db.keys): in files of this run's own, never in the
# credential store or the configuration folder of whoever runs the tests; child
# processes inherit both.
os.environ.setdefault("DESK_APP_KEYSTORE", "file")
os.environ.setdefault("DESK_APP_KEY_DIR", tempfile.mkdtemp(prefix="desk-test-keys-"))

# The administrator of ``inited_dir`` (created by the real ``users add``) and the password
# every CLI child process proves by default ($DESK_APP_PASSWORD, set per test below).
TEST_OFFICER = "can.bo"
TEST_PASSWORD = "mat-khau-thu-nghiem"

# Monday 23 November 2026, 09:00 local: the day before Ngày Văn hóa Việt Nam (24/11).
DESK_NOW = dt.datetime(2026, 11, 23, 9, 0)

COMMUNE = "Xã Tân Phú"
PROVINCE = "Đồng Nai"
AGENCY = "000.20.33.H12"
INIT_ARGS = (
    "init",
    *("--commune", COMMUNE, "--province", PROVINCE),
    *("--agency-code", AGENCY, "--desk", "1"),
)

RunCli = Callable[..., subprocess.CompletedProcess[str]]


# ------------------------------------------------------------------ plugins


def pytest_configure(config: pytest.Config) -> None:
    """Keep pytest-alembic from binding its built-in tests to this very file.

    pytest-alembic 0.13.1 attaches a synthetic collector to ``tests/conftest.py`` by
    default, and that collector assigns ``Node._nodeid``, which pytest 9 removed: the
    mere existence of this conftest would make every run of the suite fail at collection
    ("'TestCollector' object has no attribute '_nodeid'"). The built-in tests are
    imported explicitly in ``tests/unit/db/test_migrations.py`` instead; unless someone
    chose a binding path, point it at one that is never collected.
    """
    option = config.option
    if hasattr(option, "pytest_alembic_tests_path") and not (
        option.pytest_alembic_tests_path or config.getini("pytest_alembic_tests_path")
    ):
        option.pytest_alembic_tests_path = "tests/.pytest-alembic-binding-disabled"


# ------------------------------------------------------------------ isolation


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's desk data folder; ``$DESK_APP_DATA_DIR`` points at it.

    Autouse: no test (nor a child process it starts) can touch the developer's real
    data folder. The folder itself is not created, so "was anything written" stays
    a question a test can ask.
    """
    folder = tmp_path / "desk-data"
    monkeypatch.setenv("DESK_APP_DATA_DIR", str(folder))
    monkeypatch.setenv("DESK_APP_PASSWORD", TEST_PASSWORD)
    if not os.environ.get("QT_QPA_PLATFORM"):
        monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    return folder


# ------------------------------------------------------------------ databases


def _no_wal_left(folder: Path) -> None:
    # A template copied without its -wal file would lose the committed pages in it.
    wal = folder / f"{DATABASE_FILE}-wal"
    assert not wal.exists() or wal.stat().st_size == 0, f"{wal} not checkpointed"


@pytest.fixture(scope="session")
def desk_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated database with the shipped catalogue, made once per session."""
    from desk_app.context import DeskContext

    folder = tmp_path_factory.mktemp("desk-template")
    DeskContext.open(folder).close()
    _no_wal_left(folder)
    return folder / DATABASE_FILE


@pytest.fixture(scope="session")
def profiled_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder set up by the real ``desk-app init`` (Xã Tân Phú, desk 1), once."""
    folder = tmp_path_factory.mktemp("profiled-template")
    result = run_desk_app(INIT_ARGS, data_dir=folder)
    assert result.returncode == 0, result.stderr
    _no_wal_left(folder)
    return folder / DATABASE_FILE


@pytest.fixture(scope="session")
def staffed_template(profiled_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``profiled_template`` with one administrator, ``TEST_OFFICER``, added by the real
    ``desk-app users add`` with ``TEST_PASSWORD``."""
    folder = tmp_path_factory.mktemp("staffed-template")
    copy_database(profiled_template, folder)
    result = run_desk_app(
        ("users", "add", TEST_OFFICER, "--role", "admin", "--full-name", "Cán Bộ Thử"),
        data_dir=folder,
        input=TEST_PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    _no_wal_left(folder)
    return folder / DATABASE_FILE


def copy_database(template: Path, folder: Path) -> Path:
    from tests.helpers.desk_files import copy_desk_database

    return copy_desk_database(template, folder)


@pytest.fixture
def desk_clock() -> FixedClock:
    from desk_app.clock import FixedClock

    return FixedClock(DESK_NOW)


@pytest.fixture
def desk_ctx(desk_template: Path, data_dir: Path, desk_clock: FixedClock) -> Iterator[DeskContext]:
    """A ``DeskContext`` on a fresh copy of the template, its clock fixed at ``DESK_NOW``."""
    from desk_app.context import DeskContext

    copy_database(desk_template, data_dir)
    ctx = DeskContext.open(data_dir, clock=desk_clock)
    yield ctx
    ctx.close()


@pytest.fixture
def profiled_ctx(desk_ctx: DeskContext) -> DeskContext:
    """``desk_ctx`` with the commune profile of Xã Tân Phú, Đồng Nai, desk 1 saved."""
    from desk_app.clock import utc_naive
    from desk_app.profile import Profile

    profile = Profile(commune_name=COMMUNE, province=PROVINCE, agency_code=AGENCY, desk_number=1)
    desk_ctx.profiles.save(profile, utc_naive(desk_ctx.clock))
    return desk_ctx


@pytest.fixture
def inited_dir(staffed_template: Path, data_dir: Path) -> Path:
    """This test's data folder holding a copy of the ``desk-app init``-ed database with
    its one administrator ``TEST_OFFICER`` (password ``TEST_PASSWORD``, which
    ``$DESK_APP_PASSWORD`` holds in every test)."""
    copy_database(staffed_template, data_dir)
    return data_dir


def database_digest(folder: Path) -> list[str]:
    """The full SQL content of the desk database in ``folder`` (to prove nothing changed).

    Every table's rows and the schema, like ``iterdump`` — which cannot be used: it
    reads virtual tables row by row, and the search index (FTS5, contentless) cannot be
    read that way. Its shadow tables, where the index really lives, are compared.

    The audit entries of successful logins are left out: a refused command still proved
    its officer first (``desk_app.cli.common.acting_officer``), and that is not the
    command writing.
    """
    conn = connect_desk(folder / DATABASE_FILE)
    try:
        schema = conn.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
        ).fetchall()
        out = [f"{kind} {name}: {sql}" for kind, name, sql in schema]
        for kind, name, sql in schema:
            if kind != "table" or sql.startswith("CREATE VIRTUAL TABLE"):
                continue
            query = f'SELECT * FROM "{name}"'
            if name == "audit_log":
                query += " WHERE NOT (action = 'login' AND object_type = 'session')"
            rows = conn.execute(query).fetchall()
            out += [f"{name} {row!r}" for row in rows]
        return out
    finally:
        conn.close()


# ------------------------------------------------------------------ the real CLI


def cli_env(extra: dict[str, str] | None = None, drop: Sequence[str] = ()) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUTF8"] = "1"
    for name in drop:
        env.pop(name, None)
    env.update(extra or {})
    return env


def run_desk_app(
    args: Sequence[str],
    *,
    data_dir: Path | None,
    env: dict[str, str] | None = None,
    drop_env: Sequence[str] = (),
    timeout: float = 60,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``python -m desk_app [--data-dir DIR] ARGS`` as a real child process."""
    command = [sys.executable, "-m", "desk_app"]
    if data_dir is not None:
        command += ["--data-dir", str(data_dir)]
    return subprocess.run(
        [*command, *args],
        input=input,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=REPO_ROOT,
        env=cli_env(env, drop_env),
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def run_cli(data_dir: Path) -> RunCli:
    """Run the real CLI on this test's data folder (or ``data_dir=None`` for none)."""

    def run(
        *args: str,
        data_dir: Path | None = data_dir,
        env: dict[str, str] | None = None,
        drop_env: Sequence[str] = (),
        timeout: float = 60,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        return run_desk_app(
            args, data_dir=data_dir, env=env, drop_env=drop_env, timeout=timeout, input=input
        )

    return run
