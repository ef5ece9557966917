"""The lifecycle's actions in-process: the whole transition matrix, the two pause rules
across weekends and holidays (24/11, Tết), classification at its boundaries, extensions,
honest times, roles, corrections and annulments.

The clock stands at Monday 23/11/2026 09:00, the day before Ngày Văn hóa Việt Nam
(24/11, a day off from 2026). The procedure counts 3 working days, so a dossier received
now is due Friday 27/11 at 17:00 (Tuesday is off).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from desk_app.auth import PermissionDeniedError
from desk_app.clock import utc_naive
from desk_app.commune_settings import LifecycleSettings
from desk_app.context import DeskContext
from desk_app.db.models import Dossier
from desk_app.directory import ReceiverNotFoundError
from desk_app.dossiers import ACTIONS, Pause, Projection
from desk_app.errors import DossierNotFoundError
from desk_app.ids import uuid7
from desk_app.lifecycle import (
    ActionError,
    StepResult,
    TransitionError,
    extension_payload,
    step_text,
    supplement_payload,
)
from desk_app.sync.engine import apply_page
from tests.unit.intake_fixtures import (
    ADMIN,
    AGENCY,
    CCCD,
    CHAIR,
    MARRIAGE_STATUS,
    NOW,
    OFFICER,
    clock_of,
    desk,
    desk_folder,
    desk_template_db,
    request,
    rows,
    table_counts,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]  # fixtures, imported for pytest

UNIT = "Công chức Tư pháp - Hộ tịch"
DUE = dt.datetime(2026, 11, 27, 17, 0)


@pytest.fixture
def ctx(desk: DeskContext) -> DeskContext:
    desk.directory.add("unit", UNIT, ADMIN)
    return desk


def receive(ctx: DeskContext, procedure: str = MARRIAGE_STATUS) -> str:
    return ctx.intake.receive(request(procedure_code=procedure), OFFICER).dossier.code


def later(ctx: DeskContext, **delta: float) -> None:
    clock_of(ctx).advance(dt.timedelta(**delta))


# Each action with details it accepts, as an officer takes it now.
CALLS: dict[str, Callable[..., StepResult]] = {
    "handover": lambda c, code, o=OFFICER: c.lifecycle.handover(code, o, to=UNIT, note="Bàn giao"),
    "request_supplement": lambda c, code, o=OFFICER: c.lifecycle.request_supplement(
        code, o, reason="Thiếu giấy tờ", items=["Giấy chứng sinh: chưa có bản chính"]
    ),
    "supplement_received": lambda c, code, o=OFFICER: c.lifecycle.supplement_received(code, o),
    "extend": lambda c, code, o=OFFICER: c.lifecycle.extend(
        code, o, new_due=dt.date(2026, 12, 4), reason="Chờ xác minh"
    ),
    "withdraw": lambda c, code, o=OFFICER: c.lifecycle.withdraw(code, o, reason="Công dân xin rút"),
    "stop": lambda c, code, o=OFFICER: c.lifecycle.stop(code, o, reason="Hồ sơ giả mạo"),
    "result_ready": lambda c, code, o=OFFICER: c.lifecycle.result_ready(code, o),
    "return": lambda c, code, o=OFFICER: c.lifecycle.return_result(code, o, rating="2"),
    "correct": lambda c, code, o=OFFICER: c.lifecycle.correct(
        code, o, changes={"applicant_phone": "0987 654 321"}, reason="Gõ nhầm số"
    ),
}
ROUTES: dict[str, list[str]] = {
    "received": [],
    "in_progress": ["handover"],
    "waiting_supplement": ["request_supplement"],
    "result_ready": ["result_ready"],
    "returned": ["result_ready", "return"],
    "withdrawn": ["withdraw"],
    "stopped": ["stop"],
}
KIND_OF = {
    "handover": "dossier.handed_over", "request_supplement": "dossier.supplement_requested",
    "supplement_received": "dossier.supplement_received", "extend": "dossier.extended",
    "withdraw": "dossier.withdrawn", "stop": "dossier.stopped",
    "result_ready": "dossier.result_ready", "return": "dossier.returned",
    "correct": "dossier.corrected",
}  # fmt: skip
STARTS = [*ROUTES, "extended", "refused"]


def dossier_in(ctx: DeskContext, status: str) -> str:
    if status == "refused":
        return refused_elsewhere(ctx)
    code = receive(ctx)
    if status == "extended":  # only old data has it: a bare status change of old desks
        ctx.lifecycle.change_status(code, "extended", OFFICER)
    for action in ROUTES.get(status, []):
        CALLS[action](ctx, code)
    assert ctx.lifecycle.projection(code).status == status
    return code


def refused_elsewhere(ctx: DeskContext) -> str:
    """A dossier another desk received as refused (old data): terminal here."""
    code = f"{AGENCY}-261123-2002"
    snapshot = {
        "code": code, "procedure_code": MARRIAGE_STATUS, "status": "refused",
        "applicant_name": "Mai Văn Long", "received_at": "2026-11-23T08:45:00", "due_at": None,
    }  # fmt: skip
    envelope = {
        "uuid": uuid7(), "dossier_uuid": uuid7(), "kind": "dossier.received",
        "payload": snapshot, "occurred_at": "2026-11-23T01:45:00+00:00", "actor": "an.lv",
        "origin": {"agency_code": AGENCY, "desk": 2}, "origin_seq": 1, "server_seq": 1,
    }  # fmt: skip
    with ctx.db.write() as s:
        apply_page(s, [envelope], AGENCY, 1, utc_naive(ctx.clock))
    return code


MATRIX = [(start, action) for start in STARTS for action in CALLS]


@pytest.mark.parametrize(("start", "action"), MATRIX, ids=[f"{s}-{a}" for s, a in MATRIX])
def test_the_transition_matrix(ctx: DeskContext, start: str, action: str) -> None:
    code = dossier_in(ctx, start)
    later(ctx, minutes=5)
    spec = ACTIONS[action]
    if start in spec.sources:
        result = CALLS[action](ctx, code)
        expected = spec.target_from(start)
        assert result.projection.status == expected == ctx.lifecycle.projection(code).status
        kind, payload = rows(ctx, "SELECT kind, payload FROM events ORDER BY seq DESC LIMIT 1")[0]
        assert kind == KIND_OF[action] == result.kind
        assert json.loads(payload)["at"] == (NOW + dt.timedelta(minutes=5)).isoformat()
        assert rows(ctx, "SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1")[0][0] == action
    else:
        before = table_counts(ctx)
        with pytest.raises(TransitionError, match=r"không thể .* khi hồ sơ đang ở trạng thái «"):
            CALLS[action](ctx, code)
        assert table_counts(ctx) == before
        assert ctx.lifecycle.projection(code).status == start


def test_a_handover_names_the_receiver_and_moves_the_holder(ctx: DeskContext) -> None:
    code = receive(ctx)
    assert ctx.lifecycle.projection(code).holder == OFFICER.username
    result = ctx.lifecycle.handover(code, OFFICER, to="cong chuc tu phap - ho tich", note="Gấp")
    assert result.projection.holder == UNIT
    [entry] = [e for e in ctx.lifecycle.timeline(code) if e.kind == "dossier.handed_over"]
    assert entry.payload["giver"] == OFFICER.username
    assert entry.payload["receiver_name"] == UNIT and entry.payload["receiver_kind"] == "unit"
    assert entry.payload["note"] == "Gấp"
    with pytest.raises(ReceiverNotFoundError):
        ctx.lifecycle.handover(code, OFFICER, to="Không có ai")


def test_the_chair_views_but_records_nothing(ctx: DeskContext) -> None:
    code = receive(ctx)
    before = table_counts(ctx)
    for call in CALLS.values():
        with pytest.raises(PermissionDeniedError):
            call(ctx, code, CHAIR)
    assert table_counts(ctx) == before
    assert ctx.lifecycle.available_actions(code, CHAIR) == []
    assert ctx.lifecycle.available_actions(code, OFFICER) == [
        "handover", "request_supplement", "extend", "withdraw", "stop", "result_ready", "correct"
    ]  # fmt: skip
    with pytest.raises(DossierNotFoundError):
        ctx.lifecycle.handover(f"{AGENCY}-261123-1999", OFFICER, to=UNIT)


# ------------------------------------------------------------------ pauses


def test_restart_rule_counts_the_duration_again_from_the_supplement(ctx: DeskContext) -> None:
    code = receive(ctx)
    assert ctx.lifecycle.projection(code).due_at == DUE
    later(ctx, hours=1)
    ctx.lifecycle.request_supplement(code, OFFICER, reason="Thiếu tờ khai")
    # Received after office hours on Friday: counts from Monday 30/11, so 3 working days
    # are 1, 2, 3 December.
    at = dt.datetime(2026, 11, 27, 18, 30)
    clock_of(ctx).advance(at - NOW - dt.timedelta(hours=1))
    result = ctx.lifecycle.supplement_received(code, OFFICER)
    p = result.projection
    assert p.due_at == p.original_due_at == dt.datetime(2026, 12, 3, 17, 0)
    assert p.pauses == (Pause(NOW + dt.timedelta(hours=1), at, "Thiếu tờ khai"),)
    payload = ctx.lifecycle.timeline(code)[-1].payload
    assert payload["due_rule"] == "restart" and payload["due_at"] == "2026-12-03T17:00:00"
    assert payload["waited_working_days"] == 3  # 25, 26, 27 (24/11 is a day off)


def test_restart_across_the_day_of_culture(ctx: DeskContext) -> None:
    code = receive(ctx)
    later(ctx, minutes=30)
    ctx.lifecycle.request_supplement(code, OFFICER, reason="Thiếu")
    later(ctx, hours=6)  # 15:30 the same Monday: the day itself is not counted
    p = ctx.lifecycle.supplement_received(code, OFFICER).projection
    assert p.due_at == dt.datetime(2026, 11, 27, 17, 0)  # 25, 26, 27: Tuesday 24/11 is off


def test_shift_rule_moves_the_dates_by_the_working_days_waited(ctx: DeskContext) -> None:
    ctx.settings.set("pause_rule", "shift", ADMIN)
    code = receive(ctx)
    ctx.lifecycle.extend(code, OFFICER, new_due=dt.date(2026, 12, 2), reason="Xác minh")
    later(ctx, hours=1)
    ctx.lifecycle.request_supplement(code, OFFICER, reason="Thiếu")
    # Back on Monday 30/11: waited 25, 26, 27, 30 = 4 working days (24/11 off, weekend).
    clock_of(ctx).advance(dt.datetime(2026, 11, 30, 10, 0) - (NOW + dt.timedelta(hours=1)))
    p = ctx.lifecycle.supplement_received(code, OFFICER).projection
    assert p.original_due_at == dt.datetime(2026, 12, 3, 17, 0)  # 27/11 + 4 working days
    assert p.due_at == dt.datetime(2026, 12, 8, 17, 0)  # the extension moves with it
    payload = ctx.lifecycle.timeline(code)[-1].payload
    assert (payload["due_rule"], payload["waited_working_days"]) == ("shift", 4)
    # Recorded, never recomputed: a later change of the setting leaves it alone.
    ctx.settings.set("pause_rule", "restart", ADMIN)
    assert ctx.lifecycle.projection(code).due_at == dt.datetime(2026, 12, 8, 17, 0)


@pytest.mark.parametrize(
    ("rule", "due"),
    [
        ("restart", dt.datetime(2026, 2, 26, 17, 0)),  # 24, 25, 26 after Monday 23/2
        ("shift", dt.datetime(2026, 2, 25, 17, 0)),  # waited only Monday 23/2
    ],
)
def test_both_pause_rules_across_tet(ctx: DeskContext, rule: str, due: dt.datetime) -> None:
    calendar = ctx.profiles.calendar()
    assert not any(calendar.is_working_day(dt.date(2026, 2, d)) for d in range(16, 21))
    dossier = Dossier(duration_kind="working_days", duration_value=3)
    received = dt.datetime(2026, 2, 12, 9, 0)  # Thursday before Tết: due Tuesday 24/2
    original = calendar.due_at(received, _three_days())
    assert original == dt.datetime(2026, 2, 24, 17, 0)
    state = Projection(
        status="waiting_supplement", due_at=original, original_due_at=original,
        pauses=(Pause(dt.datetime(2026, 2, 13, 10, 0), None, "Thiếu"),),
    )  # fmt: skip
    payload = supplement_payload(
        dossier, state, dt.datetime(2026, 2, 23, 10, 0), "", LifecycleSettings(pause_rule=rule),
        calendar,
    )  # fmt: skip
    assert (payload.due_rule, payload.due_at, payload.original_due_at) == (rule, due, due)
    assert payload.waited_working_days == 1


def _three_days() -> Any:
    from desk_app.calendar import Duration

    return Duration("working_days", 3)


def test_a_procedure_without_appointment_keeps_none(ctx: DeskContext) -> None:
    code = receive(ctx, "1.001776")
    ctx.lifecycle.request_supplement(code, OFFICER, reason="Thiếu")
    later(ctx, days=1)
    p = ctx.lifecycle.supplement_received(code, OFFICER).projection
    assert (p.due_at, p.original_due_at) == (None, None)
    assert ctx.lifecycle.timeline(code)[-1].payload["due_rule"] == "none"
    assert ctx.lifecycle.result_ready(code, OFFICER).projection.classification == "on_time"


# ------------------------------------------------------------------ classification


@pytest.mark.parametrize(
    ("result_at", "expected"),
    [
        (dt.datetime(2026, 11, 26, 16, 0), "early"),
        (dt.datetime(2026, 11, 27, 8, 0), "on_time"),  # the due day, morning
        (dt.datetime(2026, 11, 27, 19, 0), "on_time"),  # the due day, after closing
        (dt.datetime(2026, 11, 28, 8, 0), "late"),  # the next morning (a Saturday)
        (dt.datetime(2026, 11, 30, 8, 0), "late"),
    ],
)
def test_classification_at_the_boundaries(
    ctx: DeskContext, result_at: dt.datetime, expected: str
) -> None:
    code = receive(ctx)
    clock_of(ctx).advance(dt.datetime(2026, 12, 1, 9, 0) - NOW)
    p = ctx.lifecycle.result_ready(code, OFFICER, at=result_at).projection
    assert (p.classification, p.result_at, p.outcome) == (expected, result_at, "approved")


def test_an_extension_never_erases_lateness(ctx: DeskContext) -> None:
    code = receive(ctx)
    later(ctx, days=1, hours=1)  # Tuesday 24/11 is off: extend on Wednesday
    later(ctx, days=1)
    p = ctx.lifecycle.extend(
        code, OFFICER, new_due=dt.date(2026, 12, 4), reason="Xác minh"
    ).projection
    assert (p.due_at, p.original_due_at, p.extension_count) == (
        dt.datetime(2026, 12, 4, 17, 0), DUE, 1
    )  # fmt: skip
    clock_of(ctx).advance(dt.datetime(2026, 12, 1, 10, 0) - (NOW + dt.timedelta(days=2, hours=1)))
    done = ctx.lifecycle.result_ready(
        code, OFFICER, outcome="not_eligible", reason="Thiếu điều kiện"
    )
    assert (done.projection.classification, done.projection.outcome) == ("late", "not_eligible")


def test_withdrawn_and_stopped_are_not_classified(ctx: DeskContext) -> None:
    for call in (CALLS["withdraw"], CALLS["stop"]):
        code = receive(ctx)
        assert call(ctx, code).projection.classification is None


def test_not_eligible_needs_a_reason(ctx: DeskContext) -> None:
    code = receive(ctx)
    with pytest.raises(ActionError, match="lý do không đủ điều kiện"):
        ctx.lifecycle.result_ready(code, OFFICER, outcome="not_eligible")
    with pytest.raises(ActionError, match="lý do dừng"):
        ctx.lifecycle.stop(code, OFFICER, reason="   ")


# ------------------------------------------------------------------ extensions


def test_an_extension_on_the_due_day_is_too_late(ctx: DeskContext) -> None:
    code = receive(ctx)
    clock_of(ctx).advance(dt.datetime(2026, 11, 27, 8, 0) - NOW)
    before = table_counts(ctx)
    with pytest.raises(ActionError, match="trước ngày hẹn trả 27/11/2026") as caught:
        ctx.lifecycle.extend(code, OFFICER, new_due=dt.date(2026, 12, 4), reason="Xác minh")
    assert caught.value.code == "lifecycle.extension_too_late"
    # Nor on a day off before it (Tuesday 24/11), even stated with --at.
    with pytest.raises(ActionError, match="ngày làm việc trước ngày hẹn"):
        ctx.lifecycle.extend(
            code, OFFICER, new_due=dt.date(2026, 12, 4), reason="Xác minh",
            at=dt.datetime(2026, 11, 24, 10, 0),
        )  # fmt: skip
    assert table_counts(ctx) == before


def test_extensions_beyond_the_communes_limit_are_refused(ctx: DeskContext) -> None:
    code = receive(ctx)
    ctx.lifecycle.extend(code, OFFICER, new_due=dt.date(2026, 12, 2), reason="Lần một")
    with pytest.raises(ActionError, match="tối đa 1 lần") as caught:
        ctx.lifecycle.extend(code, OFFICER, new_due=dt.date(2026, 12, 4), reason="Lần hai")
    assert caught.value.code == "lifecycle.extension_limit"
    ctx.settings.set("max_extensions", "2", ADMIN)
    p = ctx.lifecycle.extend(
        code, OFFICER, new_due=dt.date(2026, 12, 4), reason="Lần hai"
    ).projection
    assert (p.extension_count, p.due_at, p.original_due_at) == (
        2, dt.datetime(2026, 12, 4, 17, 0), DUE
    )  # fmt: skip


def test_the_new_date_must_be_a_later_working_day() -> None:
    from desk_app.calendar import WorkingCalendar

    calendar = WorkingCalendar()
    state = Projection(status="in_progress", due_at=DUE, original_due_at=DUE)
    settings = LifecycleSettings()
    with pytest.raises(ActionError, match="không phải ngày làm việc"):
        extension_payload(state, NOW, dt.date(2026, 11, 28), "x", settings, calendar)
    with pytest.raises(ActionError, match="phải sau ngày hẹn hiện tại"):
        extension_payload(state, NOW, dt.date(2026, 11, 27), "x", settings, calendar)
    no_due = Projection(status="in_progress")
    with pytest.raises(ActionError, match="không có ngày hẹn"):
        extension_payload(no_due, NOW, dt.date(2026, 12, 4), "x", settings, calendar)
    ok = extension_payload(state, NOW, dt.datetime(2026, 12, 4, 11, 0), "x", settings, calendar)
    assert (ok.due_at, ok.previous_due_at, ok.due_rule) == (
        dt.datetime(2026, 12, 4, 11, 0), DUE, "extension"
    )  # fmt: skip


# ------------------------------------------------------------------ honest times


def test_a_stated_time_keeps_both_times(ctx: DeskContext) -> None:
    code = receive(ctx)
    later(ctx, hours=3)
    at = NOW + dt.timedelta(hours=1)  # after a power cut, recorded two hours late
    ctx.lifecycle.handover(code, OFFICER, to=UNIT, at=at)
    entry = ctx.lifecycle.timeline(code)[-1]
    assert entry.at == at
    assert entry.occurred_at_utc == utc_naive(ctx.clock)


def test_a_time_in_the_future_or_before_the_previous_step_is_refused(ctx: DeskContext) -> None:
    code = receive(ctx)
    later(ctx, hours=2)
    ctx.lifecycle.handover(code, OFFICER, to=UNIT, at=NOW + dt.timedelta(hours=1))
    before = table_counts(ctx)
    with pytest.raises(ActionError, match="ở tương lai") as future:
        ctx.lifecycle.result_ready(code, OFFICER, at=NOW + dt.timedelta(hours=2, minutes=1))
    assert future.value.code == "lifecycle.at_in_future"
    with pytest.raises(ActionError, match="trước bước trước đó") as earlier:
        ctx.lifecycle.result_ready(code, OFFICER, at=NOW + dt.timedelta(minutes=59))
    assert earlier.value.code == "lifecycle.at_before_previous"
    assert table_counts(ctx) == before
    second = receive(ctx)  # received now, 11:00
    with pytest.raises(ActionError, match="trước bước trước đó"):
        ctx.lifecycle.handover(second, OFFICER, to=UNIT, at=NOW)


# ------------------------------------------------------------------ corrections, annulment


def test_a_correction_changes_the_fields_and_keeps_the_old_values(ctx: DeskContext) -> None:
    code = receive(ctx)
    ctx.lifecycle.correct(
        code, OFFICER, reason="Gõ nhầm",
        changes={"applicant_name": "trần  thị hồng nhụng", "applicant_cccd": "079301001235"},
    )  # fmt: skip
    view = ctx.intake.get(code, OFFICER)
    assert (view.applicant_name, view.applicant_cccd) == ("Trần Thị Hồng Nhụng", "079301001235")
    assert rows(ctx, "SELECT applicant_name_folded FROM dossiers WHERE code = :c", c=code) == [
        ("tran thi hong nhung",)
    ]
    entry = ctx.lifecycle.timeline(code)[-1]
    assert entry.payload["changes"] == [
        {"field": "applicant_name", "old": "Trần Thị Hồng Nhung", "new": "Trần Thị Hồng Nhụng"},
        {"field": "applicant_cccd", "old": CCCD, "new": "079301001235"},
    ]
    assert CCCD not in rows(ctx, "SELECT detail FROM audit_log ORDER BY id DESC LIMIT 1")[0][0]
    with pytest.raises(ActionError, match="không sửa được trường"):
        ctx.lifecycle.correct(code, OFFICER, changes={"status": "returned"}, reason="x")
    with pytest.raises(ActionError, match="12 chữ số"):
        ctx.lifecycle.correct(code, OFFICER, changes={"applicant_cccd": "123"}, reason="x")
    with pytest.raises(ActionError, match="giống giá trị đang có"):
        ctx.lifecycle.correct(code, OFFICER, changes={"applicant_cccd": "079301001235"}, reason="x")


def test_annulling_a_correction_restores_the_old_values(ctx: DeskContext) -> None:
    code = receive(ctx)
    corrected = CALLS["correct"](ctx, code)
    assert ctx.intake.get(code, OFFICER).applicant_phone == "0987654321"
    ctx.lifecycle.annul(code, OFFICER, reason="Sửa nhầm")
    assert ctx.intake.get(code, OFFICER).applicant_phone == "0912345678"
    entry = next(e for e in ctx.lifecycle.timeline(code) if e.uuid == corrected.event_uuid)
    assert entry.annulled and not entry.applied and entry.annulled_by is not None


def test_an_annulled_step_no_longer_counts(ctx: DeskContext) -> None:
    code = receive(ctx)
    ctx.lifecycle.request_supplement(code, OFFICER, reason="Thiếu")
    later(ctx, hours=1)
    result = ctx.lifecycle.annul(code, OFFICER, reason="Bấm nhầm")
    assert result.kind == "dossier.step_annulled"
    p = ctx.lifecycle.projection(code)
    assert (p.status, p.pauses, p.due_at) == ("received", (), DUE)
    kinds = [(e.kind, e.applied, e.annulled) for e in ctx.lifecycle.timeline(code)]
    assert kinds == [
        ("dossier.received", True, False),
        ("dossier.supplement_requested", False, True),
        ("dossier.step_annulled", True, False),
    ]
    # Nothing of mine left to annul.
    with pytest.raises(ActionError, match="không có bước nào"):
        ctx.lifecycle.annul(code, OFFICER, reason="Lại")


def test_only_ones_own_step_and_none_a_later_step_depends_on(ctx: DeskContext) -> None:
    code = receive(ctx)
    ctx.lifecycle.result_ready(code, ADMIN)
    with pytest.raises(ActionError, match="không có bước nào"):
        ctx.lifecycle.annul(code, OFFICER, reason="Không phải của tôi")
    target = ctx.lifecycle.timeline(code)[-1].uuid
    with pytest.raises(ActionError, match="chính mình"):
        ctx.lifecycle.annul(code, OFFICER, reason="x", target=target)
    ctx.lifecycle.return_result(code, OFFICER)
    with pytest.raises(ActionError, match="các bước sau dựa trên nó") as blocked:
        ctx.lifecycle.annul(code, ADMIN, reason="Nhầm", target=target)
    assert blocked.value.code == "lifecycle.annul_blocked"
    ctx.lifecycle.annul(code, OFFICER, reason="Chưa trả")
    ctx.lifecycle.annul(code, ADMIN, reason="Chưa có kết quả", target=target)
    assert ctx.lifecycle.projection(code).status == "received"


# ------------------------------------------------------------------ commune data


def test_directory_and_settings_are_the_administrators(ctx: DeskContext) -> None:
    with pytest.raises(PermissionDeniedError):
        ctx.directory.add("officer", "Lê Văn Hùng", OFFICER)
    with pytest.raises(PermissionDeniedError):
        ctx.settings.set("max_extensions", "3", OFFICER)
    hung = ctx.directory.add("officer", "Lê Văn Hùng", ADMIN, unit="Địa chính", username="hung.lv")
    assert [r.name for r in ctx.directory.list()] == [UNIT, "Lê Văn Hùng"]
    assert ctx.directory.find("hung.lv") == hung
    ctx.directory.retire(hung.entry_id, ADMIN)
    assert [r.name for r in ctx.directory.list()] == [UNIT]
    kinds = [k for (k,) in rows(ctx, "SELECT kind FROM events WHERE dossier_uuid IS NULL")]
    assert kinds.count("directory.entry_set") == 3
    assert ctx.settings.get() == LifecycleSettings()
    changed = ctx.settings.set("rating_scale", "Hài lòng | Không hài lòng", ADMIN)
    assert changed.rating_scale == ("Hài lòng", "Không hài lòng")
    code = dossier_in(ctx, "result_ready")
    with pytest.raises(ActionError, match="1 = Hài lòng, 2 = Không hài lòng"):
        ctx.lifecycle.return_result(code, OFFICER, rating="3")
    ctx.lifecycle.return_result(code, OFFICER, rating="không hài lòng", method="post")
    payload = ctx.lifecycle.timeline(code)[-1].payload
    assert (payload["rating"], payload["method"], payload["by"]) == (
        "Không hài lòng", "post", OFFICER.username
    )  # fmt: skip


def test_guided_and_refused_visits_are_records_not_dossiers(ctx: DeskContext) -> None:
    from desk_app.intake_outcomes import Visitor
    from event_schema import MissingItem

    visitor = Visitor(MARRIAGE_STATUS, "nguyễn văn an", "079090001234", "0912 345 678")
    before = table_counts(ctx)
    guided = ctx.intake_outcomes.guide(
        visitor, OFFICER, items=[MissingItem("Tờ khai", "Chưa ký")], note="Hẹn quay lại"
    )
    refused = ctx.intake_outcomes.refuse(visitor, OFFICER, reason="Không thuộc thẩm quyền")
    assert (guided.kind, guided.applicant_name, guided.items) == (
        "guided", "Nguyễn Văn An", (MissingItem("Tờ khai", "Chưa ký"),)
    )  # fmt: skip
    assert refused.reason == "Không thuộc thẩm quyền"
    after = table_counts(ctx)
    assert after["dossiers"] == before["dossiers"] and after["events"] == before["events"] + 2
    assert [v.kind for v in ctx.intake_outcomes.list()] == ["guided", "refused"]
    assert ctx.intake_outcomes.get(refused.uuid) == refused
    events = rows(ctx, "SELECT kind, dossier_uuid FROM events ORDER BY seq DESC LIMIT 2")
    assert events == [("intake.refused", None), ("intake.guided", None)]
    with pytest.raises(PermissionDeniedError):
        ctx.intake_outcomes.refuse(visitor, CHAIR, reason="x")


def test_projection_columns_are_stored(ctx: DeskContext) -> None:
    code = receive(ctx)
    ctx.lifecycle.extend(code, OFFICER, new_due=dt.date(2026, 12, 2), reason="Xác minh")
    ctx.lifecycle.result_ready(code, OFFICER)
    with ctx.db.read() as s:
        d = s.scalar(select(Dossier).where(Dossier.code == code))
        assert d is not None
        assert (d.extension_count, d.outcome, d.result_at, d.classification) == (
            1, "approved", NOW, "early"
        )  # fmt: skip


def test_each_step_reads_in_plain_vietnamese_without_a_cccd(ctx: DeskContext) -> None:
    code = receive(ctx)
    for action in ("handover", "request_supplement", "supplement_received", "extend"):
        CALLS[action](ctx, code)
    ctx.lifecycle.correct(code, OFFICER, changes={"applicant_cccd": "079301001235"}, reason="Nhầm")
    ctx.lifecycle.annul(code, OFFICER, reason="Sửa lại sau")
    ctx.lifecycle.result_ready(code, OFFICER, outcome="not_eligible", reason="Thiếu điều kiện")
    CALLS["return"](ctx, code)
    texts = [step_text(e.kind, e.payload) for e in ctx.lifecycle.timeline(code)]
    assert texts == [
        "Tiếp nhận hồ sơ",
        f"Bàn giao cho {UNIT} (Bàn giao)",
        "Yêu cầu bổ sung hồ sơ: Thiếu giấy tờ",
        "Nhận hồ sơ bổ sung; hẹn trả 17:00 27/11/2026",
        "Gia hạn, hẹn lại 17:00 04/12/2026: Chờ xác minh",
        "Sửa số CCCD: Nhầm",
        "Hủy bước đã ghi nhầm: Sửa lại sau",
        "Không đủ điều kiện giải quyết: Thiếu điều kiện",
        "Trả kết quả (tại bộ phận một cửa); đánh giá: Hài lòng",
    ]
    assert not any("079301" in t for t in texts)
