"""Two desks of one commune act on one dossier while offline, then sync both ways through
a real district server: the actions fold in the server's order on both desks, the loser of
a conflict stays in both timelines as not applied, and the commune data the actions need
(the hand-over directory, the settings, guided and refused visits) reaches both."""

from __future__ import annotations

from collections.abc import Callable

from desk_app.intake_outcomes import Visitor
from tests.sync.conftest import Desk, SharedServer, assert_exactly_once, new_agency, settle

UNIT = "Công chức Địa chính - Xây dựng"


def _timeline(desk: Desk, code: str) -> list[tuple[str, bool, bool]]:
    return [(e.kind, e.applied, e.annulled) for e in desk.ctx.lifecycle.timeline(code)]


def test_two_desks_act_offline_on_one_dossier_and_agree(
    shared_server: SharedServer, make_desk: Callable[..., Desk]
) -> None:
    agency = new_agency()
    desk1, desk2 = make_desk(agency, 1), make_desk(agency, 2)
    for desk in (desk1, desk2):
        desk.enroll(shared_server.db_url, shared_server.url)
    [code] = desk1.intake(1)
    desk1.ctx.directory.add("unit", UNIT, desk1.officer)
    desk1.ctx.settings.set("max_extensions", "2", desk1.officer)
    settle([desk1, desk2])
    # Commune data arrived: desk 2 offers the same receiver and follows the same limit.
    assert [r.name for r in desk2.ctx.directory.list()] == [UNIT]
    assert desk2.ctx.settings.get().max_extensions == 2

    # Offline: desk 1 hands the file on and asks for a supplement; desk 2, not knowing,
    # records the result.
    desk1.ctx.lifecycle.handover(code, desk1.officer, to=UNIT)
    desk1.ctx.lifecycle.request_supplement(code, desk1.officer, reason="Thiếu bản vẽ")
    desk2.ctx.lifecycle.result_ready(code, desk2.officer)
    refused = desk2.ctx.intake_outcomes.refuse(
        Visitor(desk2.ctx.intake.procedures()[0].code, "Mai Văn Long"),
        desk2.officer,
        reason="Không thuộc thẩm quyền",
    )
    assert desk2.dossiers()[code] == "result_ready"

    # Desk 1 reaches the server first: its steps count, desk 2's result does not.
    assert not desk1.sync().errors
    assert not desk2.sync().errors
    settle([desk1, desk2])
    expected = [
        ("dossier.received", True, False),
        ("dossier.handed_over", True, False),
        ("dossier.supplement_requested", True, False),
        ("dossier.result_ready", False, False),
    ]
    for desk in (desk1, desk2):
        assert desk.dossiers()[code] == "waiting_supplement"
        assert _timeline(desk, code) == expected
        p = desk.ctx.lifecycle.projection(code)
        assert (p.holder, p.classification, len(p.pauses)) == (UNIT, None, 1)
    assert [v.uuid for v in desk1.ctx.intake_outcomes.list()] == [refused.uuid]

    # Both ways: desk 2 takes the supplement, desk 1 annuls nothing of desk 2's, then the
    # result and the return from the two desks in turn.
    desk2.ctx.lifecycle.supplement_received(code, desk2.officer)
    settle([desk2, desk1])
    desk1.ctx.lifecycle.result_ready(code, desk1.officer)
    desk1.ctx.lifecycle.return_result(code, desk1.officer, rating="1")
    desk1.ctx.lifecycle.annul(code, desk1.officer, reason="Chưa trả: bấm nhầm")
    settle([desk1, desk2])
    projections = [desk.ctx.lifecycle.projection(code) for desk in (desk1, desk2)]
    assert projections[0] == projections[1]
    assert projections[0].status == "result_ready"
    assert projections[0].pauses[0].ended_at is not None
    assert _timeline(desk1, code) == _timeline(desk2, code)
    assert _timeline(desk2, code)[-2:] == [
        ("dossier.returned", False, True),
        ("dossier.step_annulled", True, False),
    ]
    assert_exactly_once(shared_server.db_url, agency, [desk1, desk2])


def test_the_rules_saved_on_one_desk_govern_the_other(
    shared_server: SharedServer, make_desk: Callable[..., Desk]
) -> None:
    # What Quản trị → Quy định xử lý hồ sơ saves: the four at once, the changed ones sent.
    agency = new_agency()
    desk1, desk2 = make_desk(agency, 1), make_desk(agency, 2)
    for desk in (desk1, desk2):
        desk.enroll(shared_server.db_url, shared_server.url)
    admin = desk1.officer
    desk1.ctx.settings.change(
        {"pause_rule": "shift", "max_extensions": "1", "warning_days": "5",
         "rating_scale": "Hài lòng|Chưa hài lòng"},
        admin,
    )  # fmt: skip
    settle([desk1, desk2])
    rules = desk2.ctx.settings.get()
    assert (rules.pause_rule, rules.max_extensions, rules.warning_days) == ("shift", 1, 5)
    assert rules.rating_scale == ("Hài lòng", "Chưa hài lòng")
    assert desk2.ctx.backlog.warning_days() == 5  # the chair's due-soon window there
