"""Search across the commune's dossiers: by code (whole, in part, any case), lookup PIN,
name with or without diacritics (``đ`` as ``d``), CCCD, phone — on a real desk database,
with dossiers received here, pulled from another desk, corrected, and indexed by the
migration."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from desk_app import search as search_module
from desk_app.audit import recent
from desk_app.clock import utc_naive
from desk_app.config import DATABASE_FILE
from desk_app.context import DeskContext
from desk_app.db.migrate import alembic_config
from desk_app.db.models import Dossier
from desk_app.ids import uuid7
from desk_app.search import SearchHit, masked_query, match_expression, words
from desk_app.sync.engine import apply_page
from tests.helpers.desk_files import connect_desk
from tests.unit.intake_fixtures import (
    AGENCY,
    APPLICANT_NAME,
    CCCD,
    CCCD_MASKED,
    OFFICER,
    desk,
    desk_folder,
    desk_template_db,
    request,
    rows,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]

DANG = "Đặng Văn Đức"
DANG_CCCD = "001095004567"


def codes(hits: list[SearchHit]) -> list[str]:
    return [h.code for h in hits]


@pytest.fixture
def three(desk: DeskContext) -> list[str]:
    """Three dossiers received at desk 1 on 23/11/2026: -1001, -1002, -1003."""
    received = [
        desk.intake.receive(request(), OFFICER).dossier.code,
        desk.intake.receive(
            request(applicant={"name": DANG, "cccd": DANG_CCCD, "date_of_birth": None,
                               "phone": "0987 654 321"}),
            OFFICER,
        ).dossier.code,
        desk.intake.receive(
            request(applicant={"name": "Nguyễn Văn An", "cccd": "079090001111",
                               "date_of_birth": None, "phone": ""}),
            OFFICER,
        ).dossier.code,
    ]  # fmt: skip
    assert received == [f"{AGENCY}-261123-100{i}" for i in (1, 2, 3)]
    return received


def find(ctx: DeskContext, query: str) -> list[str]:
    return codes(ctx.search.search(query, OFFICER))


# ------------------------------------------------------------------ what it finds


@pytest.mark.parametrize("query", ["dang van duc", "Đặng Văn Đức", "DANG", "duc dang", "dang v"])
def test_a_name_is_found_with_or_without_diacritics_and_d_for_đ(
    desk: DeskContext, three: list[str], query: str
) -> None:
    assert find(desk, query) == [three[1]]


@pytest.mark.parametrize("query", ["nguyen van a", "nguyen van an", "van nguyen v", "dang d"])
def test_a_prefix_left_out_of_the_index_query_finds_the_same_dossiers(
    desk: DeskContext, three: list[str], query: str
) -> None:
    """The expression without the implied prefix, against every word asked for."""
    found = find(desk, query)
    every = " AND ".join(f'"{w}"' for w in words(query)[:-1]) + f' AND "{words(query)[-1]}"*'
    indexed = rows(
        desk,
        "SELECT d.code FROM dossiers AS d JOIN dossier_search AS f ON f.rowid = d.rowid "
        "WHERE dossier_search MATCH :m ORDER BY d.rowid DESC",
        m=every,
    )
    assert found == [r[0] for r in indexed] and found


def test_a_name_typed_with_a_plain_d_never_matches_a_different_name(
    desk: DeskContext, three: list[str]
) -> None:
    assert find(desk, "tran thi hong nhung") == [three[0]]
    assert find(desk, "nguyen van an ") == [three[2]]  # the space: "an" is a whole word
    assert find(desk, "dang thi") == []


@pytest.mark.parametrize(
    ("query", "index"),
    [("1002", 1), ("261123-1002", 1), ("h12-261123-1003", 2), ("000.20.33.h12-261123-1001", 0),
     ("000.20.33.H12-261123-1001", 0)],
)  # fmt: skip
def test_a_code_is_found_whole_or_in_part_in_any_case(
    desk: DeskContext, three: list[str], query: str, index: int
) -> None:
    assert find(desk, query) == [three[index]]


def test_a_partial_code_lists_every_match_newest_first(desk: DeskContext, three: list[str]) -> None:
    assert find(desk, "261123") == list(reversed(three))
    assert find(desk, "100") == list(reversed(three))


def test_cccd_phone_and_pin_find_their_dossier(desk: DeskContext, three: list[str]) -> None:
    (pin,) = rows(desk, "SELECT lookup_pin FROM dossiers WHERE code = :c", c=three[1])[0]
    assert find(desk, CCCD) == [three[0]]
    assert find(desk, CCCD[:6]) == [three[0]]
    assert find(desk, "0987654321") == [three[1]]
    assert find(desk, "0987 654 321") == [three[1]]
    assert find(desk, "+84 987 654 321") == [three[1]]
    assert find(desk, pin.lower()) == [three[1]]
    assert find(desk, pin) == [three[1]]


def test_results_say_what_matched_and_never_hold_the_full_cccd(
    desk: DeskContext, three: list[str]
) -> None:
    (hit,) = desk.search.search(CCCD, OFFICER)
    assert hit.cccd_masked == CCCD_MASKED
    assert hit.matched == ("cccd",)
    assert CCCD not in repr(hit) and CCCD not in str(hit.to_json())
    assert hit.applicant_name == APPLICANT_NAME
    (hit,) = desk.search.search("dang", OFFICER)
    assert hit.matched == ("name",)
    assert desk.search.search("1001", OFFICER)[0].matched == ("code",)


def test_too_little_or_only_the_agency_finds_nothing(desk: DeskContext, three: list[str]) -> None:
    for query in ("", "  ", "n", "000.20.33.H1", "-"):
        assert find(desk, query) == [], query


def test_a_limit_is_kept(desk: DeskContext, three: list[str]) -> None:
    assert len(desk.search.search("261123", OFFICER, limit=2)) == 2


# ------------------------------------------------------------------ kept in step


def test_a_dossier_pulled_from_another_desk_is_found(desk: DeskContext) -> None:
    code = f"{AGENCY}-261123-2001"
    snapshot = {
        "code": code, "code_seq": 1, "status": "received", "applicant_name": "Đỗ Thị Quyên",
        "applicant_cccd": "092190007777", "applicant_phone": "0355123456",
        "received_at": "2026-11-23T08:30:00", "due_at": "2026-11-25T17:00:00",
        "received_by": "son.lv", "received_by_name": "Lý Văn Sơn",
    }  # fmt: skip
    envelope = {
        "uuid": uuid7(), "dossier_uuid": uuid7(), "kind": "dossier.received",
        "payload": snapshot, "occurred_at": "2026-11-23T03:00:00+00:00", "actor": "son.lv",
        "origin": {"agency_code": AGENCY, "desk": 2}, "origin_seq": 1, "server_seq": 1,
    }  # fmt: skip
    with desk.db.write() as s:
        assert apply_page(s, [envelope], AGENCY, 1, utc_naive(desk.clock), []) == 1
    for query in ("do thi quyen", "2001", "092190007777", "0355123456"):
        assert find(desk, query) == [code], query


def test_a_corrected_name_is_found_under_its_new_spelling_only(
    desk: DeskContext, three: list[str]
) -> None:
    with desk.db.write() as s:
        row = s.scalars(select(Dossier).where(Dossier.code == three[0])).one()
        row.applicant_name = "Trần Thị Hồng Nhựt"
        row.applicant_cccd = "079301009999"
    assert find(desk, "nhut") == [three[0]]
    assert find(desk, "nhung") == []
    assert find(desk, CCCD) == []
    assert find(desk, "079301009999") == [three[0]]
    # the other dossiers' words are untouched by the update
    assert find(desk, "dang van duc") == [three[1]]


def test_a_deleted_row_leaves_the_index(desk: DeskContext, three: list[str]) -> None:
    conn = connect_desk(desk.data_dir / DATABASE_FILE)
    with conn:
        conn.execute("DELETE FROM receipts")
        conn.execute("DELETE FROM dossiers WHERE code = ?", (three[2],))
    conn.close()
    assert find(desk, "nguyen van an") == []
    assert find(desk, "261123") == [three[1], three[0]]


def test_the_migration_indexes_dossiers_stored_before_it(
    desk: DeskContext, three: list[str]
) -> None:
    from alembic import command

    cfg = alembic_config(desk.db.engine)
    with desk.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0009")  # before the search index (0010), whatever came after
    assert rows(desk, "SELECT name FROM sqlite_master WHERE name LIKE 'dossier_search%'") == []
    with desk.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert find(desk, "dang van duc") == [three[1]]
    assert find(desk, "261123") == list(reversed(three))


def test_the_triggers_are_there_at_the_head_revision(desk: DeskContext) -> None:
    """A later migration that rebuilds ``dossiers`` must rebuild the index too."""
    names = {r[0] for r in rows(desk, "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert set(search_module.TRIGGERS) <= names


# ------------------------------------------------------------------ audit, roles


def test_searching_is_not_audited_until_recorded_and_then_masked(
    desk: DeskContext, three: list[str]
) -> None:
    before = len(recent(desk.db, 1000))
    desk.search.search(CCCD, OFFICER)
    desk.search.search(CCCD[:4], OFFICER)
    assert len(recent(desk.db, 1000)) == before
    desk.search.record_search(OFFICER, f"cccd {CCCD}", [three[0]])
    entry = recent(desk.db, 1)[0]
    assert (entry.action, entry.object_type, entry.username) == ("view", "search", "lan.nt")
    assert entry.object_ref == f"cccd {CCCD_MASKED}"
    assert three[0] in entry.detail and "1 results" in entry.detail
    assert not any(CCCD in str(v) for r in recent(desk.db, 1000) for v in vars(r).values())


# ------------------------------------------------------------------ the query


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Nguyễn Văn", '"nguyen" AND "van"*'),
        ("Nguyễn Văn ", '"nguyen" AND "van"'),
        ("ĐẶNG", '"dang"*'),
        ("261130-1001", '("261130" AND "1001"*) OR "2611301001"*'),
        ("H12-261130-1001", '"261130" AND "1001"*'),
        ("0912 345 678", '("0912" AND "345" AND "678"*) OR "0912345678"*'),
        ("000.20.33", None),
        ("a", None),
        ('x"; DROP', '"x" AND "drop"*'),
        # a prefix another word of the query starts with adds nothing: not asked for
        ("tran thi thu t", '"tran" AND "thi" AND "thu"'),
        ("tran thi thu tra", '"tran" AND "thi" AND "thu"'),
        ("tran thi thu tran", '"tran" AND "thi" AND "thu"'),
        ("tran thi thu trang", '"tran" AND "thi" AND "thu" AND "trang"*'),
        ("an an", '"an"'),
        ("van nguyen van ", '"van" AND "nguyen"'),
    ],
)
def test_the_match_expression(query: str, expected: str | None) -> None:
    assert match_expression(query, AGENCY) == expected


def test_a_typed_cccd_is_masked_for_the_audit_log() -> None:
    assert masked_query("  079301001234  x ") == "0793******34 x"


def test_the_code_regex_follows_the_desk_pattern() -> None:
    from desk_app.dossier_code import DEFAULT_PATTERN
    from desk_app.search import code_regex

    regex = code_regex(DEFAULT_PATTERN, AGENCY)
    assert regex.fullmatch(f"{AGENCY}-261123-1001")
    assert regex.fullmatch(f"{AGENCY.lower()}-261123-1001")
    for other in (f"{AGENCY}-26112-1001", f"{AGENCY}-261123-10011", "000.20.33.H13-261123-1001",
                  "000x20.33.H12-261123-1001", "nguyen van an"):  # fmt: skip
        assert not regex.fullmatch(other), other
    wide = code_regex("{agency}/{yyyymmdd}/{desk:02d}{seq:04d}", "X.1")
    assert wide.fullmatch("X.1/20261123/010001")
    assert not wide.fullmatch("X.1/20261123/10001")


def test_awaiting_collection_lists_results_ready_longest_waiting_first(
    desk: DeskContext, three: list[str]
) -> None:
    for code in (three[2], three[0]):
        desk.lifecycle.change_status(code, "result_ready", OFFICER)
    waiting = desk.search.awaiting_collection(OFFICER)
    assert sorted(codes(waiting)) == sorted([three[0], three[2]])
    assert all(h.cccd_masked.count("*") == 6 for h in waiting)
    desk.lifecycle.change_status(three[0], "returned", OFFICER)
    assert codes(desk.search.awaiting_collection(OFFICER)) == [three[2]]


def test_a_correction_through_the_lifecycle_is_found_at_once(
    desk: DeskContext, three: list[str]
) -> None:
    desk.lifecycle.correct(
        three[2], OFFICER, changes={"applicant_name": "Nguyễn Văn Ánh Đạt"}, reason="Gõ nhầm tên"
    )
    assert find(desk, "anh dat") == [three[2]]
    assert find(desk, "nguyen van an ") == []
