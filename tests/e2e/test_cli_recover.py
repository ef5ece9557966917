"""``desk-app users recover``: the first administrator's recovery code, printed once by
``users add``, resets a forgotten password offline, once; a new code replaces it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.conftest import DATABASE_FILE, INIT_ARGS, RunCli
from tests.helpers.desk_files import connect_desk

CODE = re.compile(r"recovery code: ([A-Z0-9-]{24})")


def test_recover_resets_the_forgotten_password_once(run_cli: RunCli, data_dir: Path) -> None:
    assert run_cli(*INIT_ARGS).returncode == 0
    added = run_cli("users", "add", "quantri", "--role", "admin", input="mat-khau-cu-1\n")
    assert added.returncode == 0, added.stderr
    match = CODE.search(added.stdout)
    assert match, added.stdout
    code = match.group(1)

    wrong = run_cli("users", "recover", input="AAAA-BBBB-CCCC-DDDD-EEEE\nmat-khau-moi-1\n")
    assert wrong.returncode == 4, wrong.stderr
    assert "mã khôi phục không đúng" in wrong.stderr
    assert "Traceback" not in wrong.stderr

    done = run_cli("users", "recover", input=f"{code}\nmat-khau-moi-1\n")
    assert done.returncode == 0, done.stderr
    assert "password of quantri reset" in done.stdout
    fresh = CODE.search(done.stdout)
    assert fresh and fresh.group(1) != code

    again = run_cli("users", "recover", input=f"{code}\nmat-khau-moi-2\n")
    assert again.returncode == 4

    from desk_app.context import DeskContext

    ctx = DeskContext.open(data_dir)
    try:
        assert ctx.users.authenticate("quantri", "mat-khau-moi-1").username == "quantri"
    finally:
        ctx.close()
    conn = connect_desk(data_dir / DATABASE_FILE)
    try:
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY id")]
    finally:
        conn.close()
    assert actions.count("password_recovered") == 1
