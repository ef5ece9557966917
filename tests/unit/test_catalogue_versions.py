"""A catalogue update never moves a dossier already received.

A desk set up with the 2025 sample catalogue (format 1, invented local codes) gets the
shipped national catalogue as a new version in force from its date; dossiers keep the
procedure row and the due date they were received with, even when the update changes
that procedure's duration.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from desk_app import catalogue as catalogue_module
from desk_app.catalogue import DEFAULT_CATALOGUE
from desk_app.clock import FixedClock
from desk_app.context import DeskContext
from desk_app.db.models import CatalogueVersion, Dossier
from desk_app.intake import IntakeValidationError
from tests.unit.intake_fixtures import (
    MARRIAGE_STATUS,
    NOW,
    OFFICER,
    build_desk,
    clock_of,
    desk,
    desk_folder,
    desk_template_db,
    request,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]  # fixtures used by name

OLD_SAMPLE = Path(__file__).parent / "data" / "catalogue-2025-sample.json"
SHIPPED: dict[str, Any] = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
SHIPPED_FROM = dt.date.fromisoformat(SHIPPED["effective_from"])


def versions(ctx: DeskContext) -> int:
    with ctx.db.read() as s:
        return int(s.scalar(select(func.count()).select_from(CatalogueVersion)) or 0)


def test_a_desk_on_the_old_sample_gets_the_new_catalogue_as_a_new_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "desk"
    folder.mkdir()
    # The desk as it was set up before this catalogue shipped.
    monkeypatch.setattr(catalogue_module, "DEFAULT_CATALOGUE", OLD_SAMPLE)
    june = dt.datetime(2026, 6, 15, 9, 0)  # a Monday under the old sample
    old_desk = build_desk(folder)
    try:
        clock_of(old_desk).advance(june - NOW)
        birth = old_desk.intake.receive(request(), OFFICER).dossier
        status = old_desk.intake.receive(request(procedure_code="XA.HT.04"), OFFICER).dossier
    finally:
        old_desk.close()
    assert status.due_at == dt.datetime(2026, 6, 18, 17, 0)  # 3 working days

    monkeypatch.setattr(catalogue_module, "DEFAULT_CATALOGUE", DEFAULT_CATALOGUE)
    ctx = DeskContext.open(folder, FixedClock(NOW))
    try:
        assert versions(ctx) == 2
        for before in (birth, status):
            after = ctx.intake.get(before.code, OFFICER)
            assert after.procedure_id == before.procedure_id
            assert after.procedure_code == before.procedure_code
            assert after.due_at == before.due_at
        assert status.procedure_id is not None
        kept = ctx.catalogue.get(status.procedure_id)
        assert kept is not None and kept.code == "XA.HT.04" and kept.duration.value == 3
        # The old version stays in force until the new one's date, then gives way.
        old_codes = {p.code for p in ctx.catalogue.in_force(SHIPPED_FROM - dt.timedelta(days=1))}
        new_codes = {p.code for p in ctx.catalogue.in_force(SHIPPED_FROM)}
        assert "XA.HT.04" in old_codes
        assert new_codes == {p["code"] for p in SHIPPED["procedures"]}
        assert not any(code.startswith("XA.") for code in new_codes)
        # An invented code is no longer accepted for a dossier received today.
        with pytest.raises(IntakeValidationError):
            ctx.intake.receive(request(procedure_code="XA.HT.04"), OFFICER)
    finally:
        ctx.close()


@pytest.mark.parametrize(
    ("effective_from", "new_due"),
    [
        # A later version, published in advance: today's dossiers still get 3 days.
        ("2027-01-01", dt.datetime(2026, 11, 27, 17, 0)),
        # One backdated before the dossier's receipt: only new dossiers get 5 days.
        ("2026-11-01", dt.datetime(2026, 12, 1, 17, 0)),
    ],
)
def test_a_changed_duration_leaves_old_dossiers_due_dates_alone(
    desk: DeskContext, tmp_path: Path, effective_from: str, new_due: dt.datetime
) -> None:
    received = desk.intake.receive(request(procedure_code=MARRIAGE_STATUS), OFFICER).dossier
    assert received.due_at == dt.datetime(2026, 11, 27, 17, 0)  # 3 working days, 24/11 off
    assert received.procedure_id is not None
    row_before = desk.catalogue.get(received.procedure_id)

    update = copy.deepcopy(SHIPPED)
    update["label"] = "cập nhật thời hạn"
    update["effective_from"] = effective_from
    for p in update["procedures"]:
        if p["code"] == MARRIAGE_STATUS:
            p["duration"] = {"kind": "working_days", "value": 5}
    path = tmp_path / "catalogue-update.json"
    path.write_text(json.dumps(update, ensure_ascii=False), encoding="utf-8")
    assert desk.catalogue.load_file(path, NOW) is True

    after = desk.intake.get(received.code, OFFICER)
    assert after.due_at == received.due_at
    assert after.procedure_id == received.procedure_id
    assert desk.catalogue.get(received.procedure_id) == row_before
    with desk.db.read() as s:
        assert (
            s.scalar(select(Dossier.due_at).where(Dossier.code == received.code)) == received.due_at
        )
    # The next dossier of the same procedure follows the version in force today.
    assert (
        desk.intake.receive(request(procedure_code=MARRIAGE_STATUS), OFFICER).dossier.due_at
        == new_due
    )
