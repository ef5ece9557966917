"""Receiving a dossier: codes, due dates, the event, the receipt, the audit entry,
all-or-nothing saves (also under SIGKILL), and field-by-field validation."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import random
import select
import signal
import subprocess
import sys
import textwrap
import time
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from desk_app import intake as intake_module
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.intake import (
    DocumentInput,
    IntakeRequest,
    IntakeValidationError,
    RepresentativeInput,
    normalize_phone,
)
from tests.helpers.desk_files import connect_desk
from tests.unit.intake_fixtures import (
    AGENCY,
    APPLICANT_NAME,
    BIRTH,
    CCCD,
    CCCD_MASKED,
    MARRIAGE_STATUS,
    NOW,
    OFFICER,
    applicant,
    clock_of,
    desk,
    desk_folder,
    desk_template_db,
    request,
    rows,
    table_counts,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]  # fixtures, imported for pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
VIETNAMESE = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages))


def is_vietnamese(message: str) -> bool:
    return any(ch in VIETNAMESE for ch in message.lower())


# ------------------------------------------------------------------ the happy path


def test_first_codes_of_the_day_are_1001_then_1002(desk: DeskContext) -> None:
    first = desk.intake.receive(request(), OFFICER)
    second = desk.intake.receive(request(procedure_code=MARRIAGE_STATUS), OFFICER)
    assert first.dossier.code == f"{AGENCY}-261123-1001"
    assert second.dossier.code == f"{AGENCY}-261123-1002"
    assert first.dossier.status == "received"
    assert first.dossier.received_at == NOW
    assert (first.dossier.register_line, second.dossier.register_line) == (1, 2)
    assert first.dossier.uuid != second.dossier.uuid
    assert rows(desk, "SELECT day, desk_number, last_seq FROM dossier_code_counters") == [
        ("2026-11-23", 1, 2)
    ]


@pytest.mark.parametrize(
    ("procedure", "at", "due"),
    [
        pytest.param(BIRTH, NOW, dt.datetime(2026, 11, 23, 17, 0), id="same-day-before-15h"),
        pytest.param(
            BIRTH, dt.datetime(2026, 11, 23, 14, 59), dt.datetime(2026, 11, 23, 17, 0),
            id="same-day-14h59",
        ),
        # 24/11/2026 is Ngày Văn hóa Việt Nam: the next working day is Wednesday 25/11.
        pytest.param(
            BIRTH, dt.datetime(2026, 11, 23, 15, 30), dt.datetime(2026, 11, 25, 17, 0),
            id="same-day-after-15h-over-the-holiday",
        ),
        pytest.param(
            MARRIAGE_STATUS, NOW, dt.datetime(2026, 11, 27, 17, 0),
            id="3-working-days-over-the-holiday",
        ),
    ],
)  # fmt: skip
def test_due_date_follows_the_procedure(
    desk: DeskContext, procedure: str, at: dt.datetime, due: dt.datetime
) -> None:
    clock_of(desk).advance(at - NOW)
    result = desk.intake.receive(request(procedure_code=procedure), OFFICER)
    assert result.dossier.received_at == at
    assert result.dossier.due_at == due
    stored = rows(desk, "SELECT due_at FROM dossiers WHERE code = :c", c=result.dossier.code)
    assert dt.datetime.fromisoformat(stored[0][0]) == due


def test_backdated_receipt_takes_the_code_of_its_own_day(desk: DeskContext) -> None:
    friday = dt.datetime(2026, 11, 20, 16, 0)  # after the cut-off: due next working day
    result = desk.intake.receive(request(received_at=friday), OFFICER)
    assert result.dossier.code == f"{AGENCY}-261120-1001"
    assert result.dossier.due_at == dt.datetime(2026, 11, 23, 17, 0)
    assert desk.intake.receive(request(), OFFICER).dossier.code == f"{AGENCY}-261123-1001"


def test_documents_default_to_the_procedure_checklist(desk: DeskContext) -> None:
    procedure = desk.catalogue.find(BIRTH, NOW.date())
    assert procedure is not None and procedure.documents
    result = desk.intake.receive(request(), OFFICER)
    assert [(d.name, d.kind, d.count) for d in result.dossier.documents] == [
        (d.name, d.kind, d.count) for d in procedure.documents
    ]


def test_documents_given_by_the_officer_are_kept(desk: DeskContext) -> None:
    docs = (
        DocumentInput("Tờ khai đăng ký khai sinh", "original", 1),
        DocumentInput("  Giấy chứng sinh  ", "certified_copy", 2),
        DocumentInput("Hộ chiếu/Thẻ căn cước công dân", "original", 1),
    )
    result = desk.intake.receive(request(documents=docs, sets_count=2), OFFICER)
    assert result.dossier.documents == (
        DocumentInput("Tờ khai đăng ký khai sinh", "original", 1),
        DocumentInput("Giấy chứng sinh", "certified_copy", 2),
        DocumentInput("Hộ chiếu/Thẻ căn cước công dân", "original", 1),
    )
    assert result.dossier.sets_count == 2
    assert "Bản sao chứng thực" in pdf_text(result.receipt_pdf)


def test_the_received_event_carries_the_dossier_snapshot(desk: DeskContext) -> None:
    result = desk.intake.receive(request(), OFFICER)
    d = result.dossier
    events = rows(
        desk, "SELECT kind, dossier_uuid, payload, actor, origin_agency_code, origin_desk, "
        "origin_seq, is_local, pushed_at, server_seq FROM events",
    )  # fmt: skip
    assert len(events) == 1
    kind, dossier_uuid, payload, actor, agency, desk_no, seq, local, pushed, server = events[0]
    assert (kind, dossier_uuid, actor, agency, desk_no, seq) == (
        "dossier.received",
        d.uuid,
        OFFICER.username,
        AGENCY,
        1,
        1,
    )
    assert (local, pushed, server) == (1, None, None)  # waiting in the outbox
    snapshot = json.loads(payload)
    assert snapshot["code"] == d.code
    assert snapshot["code_seq"] == 1
    assert snapshot["applicant_name"] == APPLICANT_NAME
    assert snapshot["applicant_cccd"] == CCCD
    assert snapshot["procedure_code"] == BIRTH
    assert snapshot["status"] == "received"
    assert snapshot["received_at"] == NOW.isoformat()
    assert snapshot["due_at"] == "2026-11-23T17:00:00"
    assert snapshot["lookup_pin"] == d.lookup_pin
    assert snapshot["documents"] == [
        {"name": x.name, "kind": x.kind, "count": x.count} for x in d.documents
    ]


def test_the_receipt_is_stored_as_issued(desk: DeskContext) -> None:
    result = desk.intake.receive(request(), OFFICER)
    stored = rows(desk, "SELECT dossier_uuid, issued_by, sha256, pdf FROM receipts")
    assert len(stored) == 1
    uuid, issued_by, sha, pdf = stored[0]
    assert (uuid, issued_by) == (result.dossier.uuid, OFFICER.username)
    assert pdf == result.receipt_pdf and pdf.startswith(b"%PDF")
    assert sha == hashlib.sha256(pdf).hexdigest()
    text = pdf_text(pdf)
    assert APPLICANT_NAME in text  # with its diacritics
    assert OFFICER.full_name in text  # NGƯỜI TIẾP NHẬN HỒ SƠ
    assert result.dossier.code in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    # A reprint is the very same document, not a re-rendering.
    assert desk.intake.receipt(result.dossier.code, OFFICER) == pdf


def test_the_audit_entry_holds_the_masked_cccd_only(desk: DeskContext) -> None:
    rep = RepresentativeInput("Lê Văn Tám", cccd="075090001122", phone="0987654321")
    result = desk.intake.receive(request(representative=rep), OFFICER)
    code = result.dossier.code
    desk.intake.get(code, OFFICER)
    desk.intake.receipt(code, OFFICER)
    desk.intake.list_received(OFFICER)
    created = rows(
        desk, "SELECT username, object_type, object_ref, detail FROM audit_log "
        "WHERE action = 'create'",
    )  # fmt: skip
    assert created == [(OFFICER.username, "dossier", code, f"{BIRTH}; CCCD {CCCD_MASKED}")]
    everything = rows(desk, "SELECT * FROM audit_log")
    assert len(everything) >= 4
    for row in everything:
        for value in row:
            assert CCCD not in str(value)
            assert "075090001122" not in str(value)


def test_the_result_returns_warnings_and_normalised_values(desk: DeskContext) -> None:
    result = desk.intake.receive(
        request(
            applicant={
                "name": "  trần   THỊ hồng nhung ",
                "phone": "+84 912 345 678",
                "address": "  Ấp Bình Thạnh,   Xã Tân Phú ",
                "cccd": "999301001234",  # unknown province: warn, do not block
            }
        ),
        OFFICER,
    )
    d = result.dossier
    assert d.applicant_name == APPLICANT_NAME
    assert d.applicant_phone == "0912345678"
    assert d.applicant_address == "Ấp Bình Thạnh, Xã Tân Phú"
    assert [w.field for w in result.warnings] == ["applicant.cccd"]
    assert "999" in result.warnings[0].message and is_vietnamese(result.warnings[0].message)


def test_a_decomposed_name_is_stored_and_printed_composed(desk: DeskContext) -> None:
    typed = unicodedata.normalize("NFD", "Đặng Thị Ngọc Ánh")
    result = desk.intake.receive(request(applicant={"name": typed}), OFFICER)
    assert result.dossier.applicant_name == "Đặng Thị Ngọc Ánh"
    assert unicodedata.is_normalized("NFC", result.dossier.applicant_name)
    assert "Đặng Thị Ngọc Ánh" in pdf_text(result.receipt_pdf)


def test_an_ede_name_keeps_its_capital_after_the_apostrophe(desk: DeskContext) -> None:
    result = desk.intake.receive(request(applicant={"name": "H'Hen Niê"}), OFFICER)
    assert result.dossier.applicant_name == "H'Hen Niê"


def test_get_and_list_return_what_was_received(desk: DeskContext) -> None:
    friday = desk.intake.receive(request(received_at=dt.datetime(2026, 11, 20, 10, 0)), OFFICER)
    monday = desk.intake.receive(request(), OFFICER)
    view = desk.intake.get(f"  {monday.dossier.code} ", OFFICER)
    assert view == monday.dossier
    assert view.cccd_masked == CCCD_MASKED
    assert view.to_json()["applicant"]["cccd"] == CCCD_MASKED
    listed = desk.intake.list_received
    assert [v.code for v in listed(OFFICER)] == [friday.dossier.code, monday.dossier.code]
    day = dt.date(2026, 11, 20)
    assert [v.code for v in listed(OFFICER, day, day)] == [friday.dossier.code]
    assert [v.code for v in listed(OFFICER, NOW.date(), NOW.date())] == [monday.dossier.code]
    assert listed(OFFICER, dt.date(2026, 11, 21), dt.date(2026, 11, 22)) == []
    with pytest.raises(intake_module.DossierNotFoundError):
        desk.intake.get(f"{AGENCY}-261123-1999", OFFICER)


# ------------------------------------------------------------------ all or nothing


def test_a_receipt_that_cannot_render_leaves_nothing(
    desk: DeskContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = table_counts(desk)

    def broken(_data: object) -> bytes:
        raise RuntimeError("printer template broken")

    monkeypatch.setattr(intake_module, "render_receipt_pdf", broken)
    with pytest.raises(RuntimeError, match="printer template broken"):
        desk.intake.receive(request(), OFFICER)
    assert table_counts(desk) == before  # no dossier, event, receipt, counter, audit
    monkeypatch.undo()
    assert desk.intake.receive(request(), OFFICER).dossier.code == f"{AGENCY}-261123-1001"
    assert rows(desk, "SELECT origin_seq FROM events") == [(1,)]


def test_a_real_render_failure_inside_the_transaction_leaves_nothing(desk: DeskContext) -> None:
    """A document name too long for one A5 page makes reportlab raise mid-transaction."""
    before = table_counts(desk)
    huge = (DocumentInput("giấy tờ " * 400, "original", 1),)
    with pytest.raises(Exception):  # noqa: B017, PT011 - any failure, as long as it is clean
        desk.intake.receive(request(documents=huge), OFFICER)
    assert table_counts(desk) == before
    assert desk.intake.receive(request(), OFFICER).dossier.code == f"{AGENCY}-261123-1001"


def test_an_overlong_document_name_is_a_field_error(desk: DeskContext) -> None:
    huge = (DocumentInput("giấy tờ " * 400, "original", 1),)
    check = desk.intake.check(request(documents=huge))
    assert check.for_field("documents[0].name")


_KILL_CHILD = textwrap.dedent(
    """
    import datetime as dt, os, sys, tempfile, traceback
    from pathlib import Path
    from desk_app.auth import Officer, Role
    from desk_app.clock import FixedClock
    from desk_app.context import DeskContext
    from desk_app.intake import ApplicantInput, IntakeRequest
    from desk_app.profile import Profile

    folder = Path(sys.argv[1])
    saved_w = int(sys.argv[2])  # one byte per save committed, for the test to count
    clock = FixedClock(dt.datetime(2026, 11, 23, 9, 0))
    officer = Officer("lan.nt", "Nguyễn Thị Lan", Role.OFFICER)
    requests = [
        IntakeRequest("1.001193", ApplicantInput("Trần Thị Hồng Nhung", "079301001234",
                      dt.date(2001, 5, 2), "0912345678", "Ấp Bình Thạnh")),
        IntakeRequest("1.004873", ApplicantInput("Lê Văn Tám", "075090001122", None,
                      "", "Thôn Phú Mỹ")),
    ]
    # Warm fonts, templates and imports on a scratch desk, so that each child starts
    # saving at once; nothing of it stays open across fork().
    with tempfile.TemporaryDirectory() as scratch:
        warm = DeskContext.open(Path(scratch), clock)
        warm.profiles.save(Profile("Xã Tân Phú", "Đồng Nai", "000.20.33.H12", 1), clock.now_utc())
        warm.intake.receive(requests[0], officer)
        warm.close()
    for line in sys.stdin:  # one child per line; this process stays single-threaded
        ready_r, ready_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(ready_r)
                ctx = DeskContext.open(folder, clock)
                os.write(ready_w, b"r")
                i = 0
                while True:
                    ctx.intake.receive(requests[i % 2], officer)
                    os.write(saved_w, b"s")
                    i += 1
            except BaseException:
                traceback.print_exc()
                os._exit(1)
        os.close(ready_w)
        os.read(ready_r, 1)
        os.close(ready_r)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(status, flush=True)
    """
)


def test_sigkill_at_random_moments_never_leaves_half_a_dossier(desk_folder: Path) -> None:
    """Each child is killed at a random moment of a save, after a chosen number of whole
    saves (0, 1 or 2, counted on a pipe, not guessed from the time: a loaded machine saves
    slower, never fewer), so that enough dossiers exist to prove something."""
    runs = 24
    rng = random.Random(20261123)
    saves_before_kill = [rng.choice((0, 1, 1, 2)) for _ in range(runs)]
    assert sum(saves_before_kill) > runs // 2
    saved_r, saved_w = os.pipe()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
    try:
        zygote = subprocess.Popen(
            [sys.executable, "-c", _KILL_CHILD, str(desk_folder), str(saved_w)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=REPO_ROOT,
            pass_fds=(saved_w,),
        )  # fmt: skip
    finally:
        os.close(saved_w)
    assert zygote.stdin is not None and zygote.stdout is not None
    try:
        for wanted in saves_before_kill:
            zygote.stdin.write("go\n")
            zygote.stdin.flush()
            child = int(zygote.stdout.readline())
            saved = 0
            while saved < wanted:
                readable, _, _ = select.select([saved_r, zygote.stdout], [], [], 120)
                assert saved_r in readable, "the child stopped by itself: see its traceback"
                saved += len(os.read(saved_r, wanted - saved))
            time.sleep(rng.uniform(0.0, 0.15))  # into the next save
            os.kill(child, signal.SIGKILL)
            status = int(zygote.stdout.readline())
            assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (
                "the child stopped by itself: see its traceback above"
            )
            os.set_blocking(saved_r, False)  # what the dead child saved after the count
            try:
                while os.read(saved_r, 4096):
                    pass
            except BlockingIOError:
                pass
            os.set_blocking(saved_r, True)
    finally:
        zygote.stdin.close()
        zygote.wait(timeout=60)
        os.close(saved_r)

    conn = connect_desk(desk_folder / DATABASE_FILE)
    try:
        q = conn.execute
        assert q("PRAGMA integrity_check").fetchall() == [("ok",)]
        dossiers = q("SELECT count(*) FROM dossiers").fetchone()[0]
        assert dossiers >= sum(saves_before_kill) > runs // 2
        per_dossier = q(
            "SELECT d.code, "
            " (SELECT count(*) FROM events e WHERE e.dossier_uuid = d.uuid"
            "   AND e.kind = 'dossier.received'),"
            " (SELECT count(*) FROM receipts r WHERE r.dossier_uuid = d.uuid),"
            " (SELECT count(*) FROM audit_log a WHERE a.object_ref = d.code"
            "   AND a.action = 'create') "
            "FROM dossiers d"
        ).fetchall()
        assert all(r[1:] == (1, 1, 1) for r in per_dossier), per_dossier
        orphans = q(
            "SELECT count(*) FROM events e LEFT JOIN dossiers d ON d.uuid = e.dossier_uuid "
            "WHERE d.uuid IS NULL"
        ).fetchone()[0]
        assert orphans == 0
        assert q("SELECT count(*) FROM receipts").fetchone()[0] == dossiers
        counters = q("SELECT day, desk_number, last_seq FROM dossier_code_counters").fetchall()
        assert counters == [("2026-11-23", 1, dossiers)]
        seqs = sorted(int(c[-3:]) for (c,) in q("SELECT code FROM dossiers"))
        assert seqs == list(range(1, dossiers + 1))  # gapless: counter == count
        assert q("SELECT last_line FROM register_counters").fetchall() == [(dossiers,)]
        origin = [s for (s,) in q("SELECT origin_seq FROM events ORDER BY origin_seq")]
        assert origin == list(range(1, dossiers + 1))
    finally:
        conn.close()


# ------------------------------------------------------------------ validation

TOMORROW = NOW + dt.timedelta(days=1)

INVALID: list[tuple[str, str, IntakeRequest]] = [
    ("unknown procedure", "procedure_code", request(procedure_code="9.999999")),
    ("no procedure", "procedure_code", request(procedure_code="  ")),
    ("empty name", "applicant.name", request(applicant={"name": "   "})),
    ("one-word name", "applicant.name", request(applicant={"name": "Nhung"})),
    ("name with digits", "applicant.name", request(applicant={"name": "Trần Văn 3"})),
    ("cccd 11 digits", "applicant.cccd", request(applicant={"cccd": "07930100123"})),
    ("cccd letters", "applicant.cccd", request(applicant={"cccd": "07930100123A"})),
    ("cccd empty", "applicant.cccd", request(applicant={"cccd": ""})),
    # Century digit 1 = a woman born in the 1900s, but the date of birth is in 2001.
    ("cccd century vs birth", "applicant.cccd", request(applicant={"cccd": "079101001234"})),
    (
        "birth in the future",
        "applicant.date_of_birth",
        request(applicant={"date_of_birth": TOMORROW.date(), "cccd": "079326001234"}),
    ),
    ("phone 12345", "applicant.phone", request(applicant={"phone": "12345"})),
    ("empty address", "applicant.address", request(applicant={"address": "  "})),
    ("email abc", "applicant.email", request(applicant={"email": "abc"})),
    ("representative nameless", "representative.name",
     request(representative=RepresentativeInput(name="", cccd="075090001122"))),
    ("representative cccd", "representative.cccd",
     request(representative=RepresentativeInput(name="Lê Văn Tám", cccd="12345"))),
    ("channel fax", "channel", request(channel="fax")),
    ("zero sets", "sets_count", request(sets_count=0)),
    ("no documents", "documents", request(documents=())),
    ("document kind photo", "documents[0].kind",
     request(documents=(DocumentInput("Ảnh 4x6", "photo", 1),))),
    ("document count 0", "documents[1].count",
     request(documents=(DocumentInput("Tờ khai", "original", 1),
                        DocumentInput("Giấy chứng sinh", "original", 0)))),
    ("document nameless", "documents[0].name",
     request(documents=(DocumentInput("  ", "original", 1),))),
    ("received in the future", "received_at", request(received_at=NOW + dt.timedelta(hours=1))),
]  # fmt: skip


@pytest.mark.parametrize(("field", "bad"), [pytest.param(f, r, id=i) for i, f, r in INVALID])
def test_each_bad_field_is_named_in_vietnamese_and_nothing_is_written(
    desk: DeskContext, field: str, bad: IntakeRequest
) -> None:
    check = desk.intake.check(bad)
    assert not check.ok
    assert [e.field for e in check.errors] == [field]
    message = check.for_field(field)
    assert message and is_vietnamese(message), message
    before = table_counts(desk)
    with pytest.raises(IntakeValidationError) as caught:
        desk.intake.receive(bad, OFFICER)
    assert [(e.field, e.message) for e in caught.value.errors] == [(field, message)]
    assert f"{field}: {message}" in str(caught.value)
    assert table_counts(desk) == before


def test_every_fault_is_reported_at_once(desk: DeskContext) -> None:
    bad = IntakeRequest(
        procedure_code="9.999999",
        applicant=applicant(name="Nhung", cccd="123", phone="12345", address="", email="abc"),
        representative=RepresentativeInput(name=""),
        channel="fax",
        documents=(DocumentInput("", "photo", 0),),
        sets_count=0,
        received_at=NOW + dt.timedelta(days=2),
    )
    fields = [e.field for e in desk.intake.check(bad).errors]
    assert fields == [
        "procedure_code", "applicant.name", "applicant.cccd", "applicant.phone",
        "applicant.address", "applicant.email", "representative.name", "channel", "sets_count",
        "documents[0].name", "documents[0].kind", "documents[0].count", "received_at",
    ]  # fmt: skip


def test_the_century_digit_is_checked_against_the_year(desk: DeskContext) -> None:
    message = desk.intake.check(request(applicant={"cccd": "079101001234"})).for_field(
        "applicant.cccd"
    )
    assert message is not None and "1901" in message and "2001" in message


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+84 912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("(091) 234-5678", "0912345678"),
        ("84912345678", "0912345678"),
        ("", ""),
    ],
)
def test_phone_numbers_are_accepted_and_normalised(
    desk: DeskContext, typed: str, stored: str
) -> None:
    assert normalize_phone(typed) == stored
    assert desk.intake.check(request(applicant={"phone": typed})).ok


def test_unknown_province_is_a_warning_not_an_error(desk: DeskContext) -> None:
    check = desk.intake.check(request(applicant={"cccd": "999301001234"}))
    assert check.ok
    assert [w.field for w in check.warnings] == ["applicant.cccd"]


def test_received_within_five_minutes_ahead_is_tolerated(desk: DeskContext) -> None:
    """A desk PC clock a little ahead of the officer's watch is not an error."""
    assert desk.intake.check(request(received_at=NOW + dt.timedelta(minutes=4))).ok
