"""``intake --json`` is all or nothing, and running a file again adds nothing.

The issue's cases, each through the real command line on a real desk database: bad JSON
on line 5,000 of 10,000 lines, invalid UTF-8 in the middle, the same file run twice, and
a disk that fills up half-way (SQLite's own "full", at a page limit).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import event

from tests.e2e.test_cli_dossiers import (  # noqa: F401 (fixtures)
    OFFICER_NAME,
    cli,
    copy_desk,
    dossier_count,
    fresh,
    line,
    pristine,
    query,
)

# The file had 10,000 lines with the fault on line 5,000; a desk issues at most
# 999 codes a day with the default pattern, and the suite stays fast: 300 lines here.
LINES = 300
BAD = 150


def _line(n: int, **changes: object) -> str:
    obj = json.loads(line())
    base = obj["applicant"]["cccd"]
    obj["applicant"]["cccd"] = base[:6] + f"{n:06d}"
    obj.update(changes)
    return json.dumps(obj, ensure_ascii=False)


def test_a_file_with_one_bad_line_stores_nothing_then_all_once(
    fresh: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    source = tmp_path / "lines.jsonl"
    lines = [_line(n) for n in range(1, LINES + 1)]
    lines[BAD - 1] = '{"procedure_code": "1.001193", "applicant": {'  # cut short
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    refused = cli(fresh, "intake", "--json", str(source))
    assert refused.returncode == 2
    assert refused.stderr.splitlines()[0].startswith(f"dòng {BAD}: không phải JSON hợp lệ")
    assert dossier_count(fresh) == 0
    assert query(fresh, "SELECT count(*) FROM events") == [(0,)]

    lines[BAD - 1] = _line(BAD)
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.monotonic()
    done = cli(fresh, "intake", "--json", str(source))
    took = time.monotonic() - started
    assert done.returncode == 0, done.stderr[-500:]
    assert dossier_count(fresh) == LINES
    codes = [json.loads(x)["code"] for x in done.stdout.splitlines()]
    assert len(set(codes)) == LINES
    assert took < 60, f"{LINES} lines took {took:.1f} s"

    again = cli(fresh, "intake", "--json", str(source))
    assert again.returncode == 0
    assert dossier_count(fresh) == LINES  # nothing twice, no new codes
    repeated = [json.loads(x) for x in again.stdout.splitlines()]
    assert [r["code"] for r in repeated] == codes
    assert all(r["already_imported"] for r in repeated)


def test_invalid_utf8_in_the_middle_is_named_and_nothing_is_stored(
    fresh: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    source = tmp_path / "lines.jsonl"
    good = [_line(n).encode("utf-8") for n in range(1, 6)]
    good[2] = good[2].replace("Trần".encode(), b"Tr\xe1\xba")  # line 3: a cut character
    source.write_bytes(b"\n".join(good) + b"\n")
    result = cli(fresh, "intake", "--json", str(source))
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith("dòng 3: không phải văn bản UTF-8 hợp lệ")
    assert "Traceback" not in result.stderr
    assert dossier_count(fresh) == 0


def test_an_import_id_is_the_key_when_the_line_carries_one(fresh: Path) -> None:  # noqa: F811 (the fixture imported above)
    first = cli(fresh, "intake", "--json", "-", stdin=_line(1, import_id="portal-0001") + "\n")
    assert first.returncode == 0, first.stderr
    code = json.loads(first.stdout)["code"]
    # The same import_id with other content (a corrected phone) is the same dossier.
    changed = _line(1, import_id="portal-0001", notes="gọi lại sau")
    again = cli(fresh, "intake", "--json", "-", stdin=changed + "\n" + _line(2) + "\n")
    assert again.returncode == 0, again.stderr
    out = [json.loads(x) for x in again.stdout.splitlines()]
    assert [(o["line"], o.get("already_imported", False)) for o in out] == [(2, False), (1, True)]
    assert out[1]["code"] == code
    assert "dòng 1: đã nhập ở một lần nhập trước" in again.stderr
    assert dossier_count(fresh) == 2


def test_a_line_repeated_within_a_file_is_imported_once(fresh: Path) -> None:  # noqa: F811 (the fixture imported above)
    same = _line(7)
    result = cli(fresh, "intake", "--json", "-", stdin=f"{same}\n{_line(8)}\n{same}\n")
    assert result.returncode == 0, result.stderr
    assert dossier_count(fresh) == 2
    assert "dòng 3: đã nhập ở dòng 1 của tệp này" in result.stderr


def test_a_disk_that_fills_up_mid_import_stores_nothing(fresh: Path) -> None:  # noqa: F811 (the fixture imported above)
    from desk_app.auth import Officer, Role
    from desk_app.context import DeskContext
    from desk_app.errors import StorageFullError
    from desk_app.importer import import_lines

    ctx = DeskContext.open(fresh)
    try:
        pages = int(query(fresh, "PRAGMA page_count")[0][0])
        ctx.db.engine.dispose()

        @event.listens_for(ctx.db.engine, "connect")
        def limit(dbapi_conn: object, _record: object) -> None:
            dbapi_conn.execute(f"PRAGMA max_page_count={pages + 40}")  # type: ignore[attr-defined]

        officer = Officer("lan.nt", OFFICER_NAME, Role.ADMIN)
        lines = [(n, _line(n).encode()) for n in range(1, 301)]
        with pytest.raises(StorageFullError) as caught:
            import_lines(ctx, officer, lines)
        assert caught.value.exit_status == 3
        assert "079190" not in caught.value.message  # no citizen's data in the message
    finally:
        ctx.close()
    assert dossier_count(fresh) == 0
    assert query(fresh, "SELECT count(*) FROM import_keys") == [(0,)]
