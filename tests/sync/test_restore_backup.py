"""Restoring an enrolled desk from an older backup, against a real district server: intake
waits until the pull has brought the desk's later history back, then continues the code
and event sequences above the server's — nothing issued twice, nothing lost."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from desk_app.backup import KdfParams, apply_restore, create_backup, prepare_restore
from desk_app.clock import FixedClock
from desk_app.context import DeskContext
from desk_app.intake_hold import IntakeHeldError
from tests.sync.conftest import (
    DESK_START,
    Desk,
    RunningClock,
    SharedServer,
    assert_exactly_once,
    new_agency,
    settle,
)

PASSPHRASE = "cụm mật khẩu của xã Tân Phú"


def test_a_desk_restored_from_an_old_backup_waits_then_continues_above_the_server(
    shared_server: SharedServer, make_desk: Callable[..., Desk], tmp_path: Path
) -> None:
    agency = new_agency()
    desk = make_desk(agency, 1)
    desk.enroll(shared_server.db_url, shared_server.url)
    desk.intake(2)
    assert not desk.sync().errors
    backup = tmp_path / "old.deskbak"
    create_backup(desk.ctx, backup, PASSPHRASE, actor="x", kdf=KdfParams(n=1 << 12))
    later = desk.intake(3)  # after the backup: only the server keeps them
    assert not desk.sync().errors
    everything = desk.dossiers()
    top_seq = max(s for _, _, s in desk.local_events())

    desk.ctx.close()
    plan = prepare_restore(backup, PASSPHRASE, desk.data_dir)
    assert plan.unsent_lost == 0  # all were sent: the server has them
    apply_restore(plan, FixedClock(DESK_START))
    desk.ctx = DeskContext.open(desk.data_dir, clock=RunningClock())
    assert len(desk.dossiers()) == 2

    with pytest.raises(IntakeHeldError):
        desk.intake(1)
    assert len(desk.dossiers()) == 2

    summary = desk.sync()
    assert not summary.errors, summary.errors
    assert desk.dossiers() == everything  # the later three came back from the server
    [code] = desk.intake(1)  # the hold is lifted by the completed pull
    last = max(later)
    assert code == last[:-3] + f"{int(last[-3:]) + 1:03d}", (code, last)
    assert max(s for _, _, s in desk.local_events()) == top_seq + 1
    settle([desk])
    assert_exactly_once(shared_server.db_url, agency, [desk])
