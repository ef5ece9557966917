"""The intake checklist, the same-citizen warning, the online channel and kept drafts."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from desk_app.context import DeskContext
from desk_app.intake import (
    DUPLICATE_WINDOW_DAYS,
    DocumentInput,
    IntakeValidationError,
    checklist,
    is_conditional,
    missing_required,
)
from tests.unit.intake_fixtures import (
    BIRTH,
    CCCD,
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


def birth_checklist(desk: DeskContext) -> list[tuple[str, bool]]:
    procedure = desk.catalogue.find(BIRTH, NOW.date())
    assert procedure is not None
    return [(item.name, item.required) for item in checklist(procedure)]


@pytest.mark.parametrize(
    ("name", "conditional"),
    [
        ("Trường hợp trẻ em bị bỏ rơi thì phải có biên bản", True),
        ("Văn bản ủy quyền theo quy định trong trường hợp ủy quyền", True),
        ("Giấy tờ chứng minh nơi cư trú (nếu có)", True),
        ("Nếu là người nước ngoài: hộ chiếu", True),
        ("Giấy chứng sinh, trường hợp không có Giấy chứng sinh thì nộp văn bản", False),
        ("Tờ khai đăng ký kết hôn theo mẫu", False),
        ("Hộ chiếu/Thẻ căn cước công dân", False),
    ],
)
def test_conditional_wording(name: str, conditional: bool) -> None:
    assert is_conditional(name) is conditional


def test_birth_checklist_marks_required_and_conditional(desk: DeskContext) -> None:
    items = birth_checklist(desk)
    required = [name for name, needed in items if needed]
    starts = ("Giấy chứng sinh,", "Hộ chiếu/Thẻ căn cước", "Tờ khai đăng ký khai sinh")
    assert [n.startswith(s) for n, s in zip(required, starts, strict=True)] == [True] * 3
    assert len(items) == 8 and len(required) == 3


def test_missing_required_by_name_or_its_start(desk: DeskContext) -> None:
    procedure = desk.catalogue.find(BIRTH, NOW.date())
    assert procedure is not None
    assert missing_required(procedure, None) == ()  # nothing listed: all received
    given = (DocumentInput("giay chung sinh", "original", 1),)  # folded, a prefix
    missing = missing_required(procedure, given)
    assert [m.name[:8] for m in missing] == ["Hộ chiếu", "Tờ khai "]
    too_short = (DocumentInput("Giấy", "original", 1),)  # a prefix must say something
    assert len(missing_required(procedure, too_short)) == 3


def test_a_missing_required_document_blocks_the_receipt(desk: DeskContext) -> None:
    docs = (DocumentInput("Giấy chứng sinh", "original", 1),)
    check = desk.intake.check(request(documents=docs))
    message = check.for_field("documents")
    assert message is not None
    assert message.startswith("Còn thiếu 2 giấy tờ bắt buộc: Hộ chiếu/Thẻ căn cước")
    assert "Mẫu 02" in message and "Mẫu 03" in message
    before = table_counts(desk)
    with pytest.raises(IntakeValidationError) as caught:
        desk.intake.receive(request(documents=docs), OFFICER)
    assert caught.value.code == "intake.invalid"
    assert table_counts(desk) == before  # no code, no dossier, no event, no receipt


def test_the_receipt_lists_only_what_was_received(desk: DeskContext) -> None:
    procedure = desk.catalogue.find(BIRTH, NOW.date())
    assert procedure is not None
    needed = [DocumentInput(i.name, i.kind, i.count) for i in checklist(procedure) if i.required]
    received = (*needed, DocumentInput("Bản sao sổ hộ khẩu cũ", "copy", 2))
    result = desk.intake.receive(request(documents=received), OFFICER)
    assert [d.name for d in result.dossier.documents] == [d.name for d in received]
    assert len(result.dossier.documents) == 4  # not the eight the procedure lists


def test_same_citizen_same_procedure_within_30_days_is_a_warning(desk: DeskContext) -> None:
    first = desk.intake.receive(request(), OFFICER)
    assert not [w for w in first.warnings if "cùng thủ tục" in w.message]
    clock_of(desk).advance(dt.timedelta(days=DUPLICATE_WINDOW_DAYS - 1))
    second = desk.intake.receive(request(), OFFICER)  # received all the same
    [warning] = [w for w in second.warnings if "cùng thủ tục" in w.message]
    assert warning.field == "applicant.cccd"
    assert first.dossier.code in warning.message and "23/11/2026" in warning.message
    assert CCCD not in warning.message
    assert [e.code for e in desk.intake.recent_same(CCCD, BIRTH)] == [
        second.dossier.code,
        first.dossier.code,
    ]
    # another procedure, another citizen: nothing to say
    assert desk.intake.recent_same(CCCD, MARRIAGE_STATUS) == []
    assert desk.intake.recent_same("075090001122", BIRTH) == []


def test_older_than_30_days_is_not_pointed_out(desk: DeskContext) -> None:
    desk.intake.receive(request(), OFFICER)
    clock_of(desk).advance(dt.timedelta(days=DUPLICATE_WINDOW_DAYS, hours=1))
    later = desk.intake.receive(request(), OFFICER)
    assert not [w for w in later.warnings if "cùng thủ tục" in w.message]


def test_online_channel_is_received_and_printed(desk: DeskContext) -> None:
    result = desk.intake.receive(request(channel="online"), OFFICER)
    assert result.dossier.channel == "online"
    [(payload,)] = rows(desk, "SELECT payload FROM events WHERE kind = 'dossier.received'")
    assert '"channel": "online"' in payload or '"channel":"online"' in payload


def test_a_kept_draft_is_given_back_once_to_its_officer(desk: DeskContext) -> None:
    assert desk.intake.take_draft(OFFICER) is None
    desk.intake.save_draft(OFFICER, {"name": "Trần Thị Hồng Nhung", "cccd": CCCD})
    desk.intake.save_draft(OFFICER, {"name": "Lê Văn Tám"})  # one draft per officer
    assert desk.intake.take_draft(OFFICER) == {"name": "Lê Văn Tám"}
    assert desk.intake.take_draft(OFFICER) is None


def test_a_corrected_dossier_gets_a_new_receipt(desk: DeskContext) -> None:
    received = desk.intake.receive(request(), OFFICER).dossier
    desk.lifecycle.correct(
        received.code,
        OFFICER,
        changes={"applicant_name": "Trần Thị Hồng Nhụng", "applicant_phone": "0987654321"},
        reason="Gõ nhầm dấu tên và số điện thoại",
    )
    corrected = desk.intake.get(received.code, OFFICER)
    assert corrected.applicant_name == "Trần Thị Hồng Nhụng"
    pdf = desk.intake.reissue_receipt(received.code, OFFICER)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Trần Thị Hồng Nhụng" in text and "0987654321" in text
    assert desk.intake.receipt(received.code, OFFICER) == pdf  # the newest one issued
    [(count,)] = rows(desk, "SELECT count(*) FROM receipts")
    assert count == 2  # the first one stays as it was issued
