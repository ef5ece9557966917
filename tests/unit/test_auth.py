"""Accounts, roles and permissions: who may receive, view, print and administer; logins
and personal-data access are audited."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desk_app.auth import (
    ROLE_PERMISSIONS,
    AccountError,
    AuthError,
    Officer,
    Permission,
    PermissionDeniedError,
    Role,
    account_problems,
)
from desk_app.context import DeskContext
from tests.unit.intake_fixtures import (
    ADMIN,
    CHAIR,
    OFFICER,
    PASSWORD,
    build_desk,
    count,
    desk,
    desk_folder,
    desk_template_db,
    request,
    rows,
    table_counts,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]  # fixtures, imported for pytest

GENERIC = "Tên đăng nhập hoặc mật khẩu không đúng."


@pytest.fixture
def bare_desk(tmp_path: Path) -> Iterator[DeskContext]:
    """A set-up desk with no account yet."""
    ctx = build_desk(tmp_path / "bare", users=False)
    yield ctx
    ctx.close()


def audit(ctx: DeskContext, action: str) -> list[tuple[str, str, str, str]]:
    return [
        (r[0], r[1], r[2], r[3])
        for r in rows(
            ctx,
            "SELECT username, object_type, object_ref, detail FROM audit_log "
            "WHERE action = :a ORDER BY id",
            a=action,
        )
    ]


# ------------------------------------------------------------------ roles


def test_the_role_matrix() -> None:
    assert ROLE_PERMISSIONS[Role.OFFICER] == {Permission.RECEIVE, Permission.VIEW, Permission.PRINT}
    assert ROLE_PERMISSIONS[Role.CHAIR] == {Permission.VIEW, Permission.PRINT, Permission.REPORT}
    assert ROLE_PERMISSIONS[Role.ADMIN] == set(Permission)


def test_a_chair_cannot_receive_but_can_view_and_print(desk: DeskContext) -> None:
    code = desk.intake.receive(request(), OFFICER).dossier.code
    before = table_counts(desk)
    with pytest.raises(PermissionDeniedError, match="Chủ tịch UBND"):
        desk.intake.receive(request(), CHAIR)
    assert table_counts(desk) == before  # not even an audit entry of a half-save
    assert desk.intake.get(code, CHAIR).code == code
    assert desk.intake.receipt(code, CHAIR).startswith(b"%PDF")
    assert [v.code for v in desk.intake.list_received(CHAIR)] == [code]
    assert audit(desk, "view") == [
        (CHAIR.username, "dossier", code, ""),
        (CHAIR.username, "dossier_list", "…..…", "list of 1 dossiers"),
    ]
    assert audit(desk, "print") == [(CHAIR.username, "dossier", code, "receipt")]


def test_an_officer_cannot_administer() -> None:
    assert not OFFICER.can(Permission.ADMINISTER)
    assert not CHAIR.can(Permission.ADMINISTER)
    assert not CHAIR.can(Permission.RECEIVE)
    assert ADMIN.can(Permission.ADMINISTER) and ADMIN.can(Permission.RECEIVE)
    with pytest.raises(PermissionDeniedError, match="Công chức một cửa"):
        OFFICER.require(Permission.ADMINISTER)
    ADMIN.require(Permission.ADMINISTER)


def test_an_officer_cannot_create_accounts(desk: DeskContext) -> None:
    with pytest.raises((PermissionDeniedError, AccountError)):
        desk.users.add("ke.gian", "Kẻ Gian", Role.ADMIN, PASSWORD, by=OFFICER.username)


def test_an_admin_may_do_an_officers_work(desk: DeskContext) -> None:
    result = desk.intake.receive(request(), ADMIN)
    assert result.dossier.received_by == ADMIN.username
    assert result.dossier.received_by_name == ADMIN.full_name


# ------------------------------------------------------------------ accounts


def test_the_first_account_must_be_an_administrator(bare_desk: DeskContext) -> None:
    assert not bare_desk.users.has_users()
    with pytest.raises(AccountError, match="tài khoản đầu tiên phải là quản trị"):
        bare_desk.users.add("lan.nt", "Nguyễn Thị Lan", "officer", PASSWORD, by="setup")
    assert count(bare_desk, "users") == 0
    assert count(bare_desk, "audit_log") == 0
    admin = bare_desk.users.add("quan.tri", "Võ  Minh   Quân", "admin", PASSWORD, by="setup")
    assert admin == Officer("quan.tri", "Võ Minh Quân", Role.ADMIN)
    officer = bare_desk.users.add("lan.nt", "Nguyễn Thị Lan", Role.OFFICER, PASSWORD, by="quan.tri")
    assert officer.role is Role.OFFICER
    assert [o.username for o, _active, _at in bare_desk.users.list()] == ["lan.nt", "quan.tri"]
    assert audit(bare_desk, "user_added") == [
        ("setup", "user", "quan.tri", "role=admin"),
        ("quan.tri", "user", "lan.nt", "role=officer"),
    ]


def test_passwords_are_stored_as_argon2id_hashes(desk: DeskContext) -> None:
    hashes = [h for (h,) in rows(desk, "SELECT password_hash FROM users")]
    assert len(hashes) == 3
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert len(set(hashes)) == 3  # salted: the same password, three different hashes
    dump = "\n".join(
        str(r) for t in ("users", "audit_log") for r in rows(desk, f"SELECT * FROM {t}")
    )
    assert PASSWORD not in dump


@pytest.mark.parametrize(
    ("username", "full_name", "role", "password", "message"),
    [
        pytest.param("LAN.NT", "Nguyễn Thị Lan", "officer", PASSWORD, "đã có", id="duplicate"),
        pytest.param("hoa.lt", "Lê Thị Hoa", "officer", "ngan7ky", "ít nhất 8", id="short-pw"),
        pytest.param("hoa.lt", "Lê Thị Hoa", "clerk", PASSWORD, "vai trò", id="bad-role"),
        pytest.param("Hòa Lê", "Lê Thị Hoa", "officer", PASSWORD, "tên đăng nhập", id="bad-name"),
        pytest.param("hoa.lt", "   ", "officer", PASSWORD, "họ và tên", id="no-full-name"),
    ],
)
def test_account_errors_say_why_and_write_nothing(
    desk: DeskContext, username: str, full_name: str, role: str, password: str, message: str
) -> None:
    before = table_counts(desk), count(desk, "users")
    with pytest.raises(AccountError, match=message):
        desk.users.add(username, full_name, role, password, by=ADMIN.username)
    assert (table_counts(desk), count(desk, "users")) == before


# ------------------------------------------------------------------ login


def test_a_good_login_returns_the_officer_and_is_audited(desk: DeskContext) -> None:
    assert desk.users.authenticate("  Lan.NT ", PASSWORD) == OFFICER
    assert audit(desk, "login") == [("lan.nt", "session", "lan.nt", "")]


@pytest.mark.parametrize(
    ("username", "password"),
    [
        pytest.param("lan.nt", "sai-mat-khau", id="wrong-password"),
        pytest.param("khong.co", PASSWORD, id="unknown-user"),
        pytest.param("lan.nt", "", id="empty-password"),
    ],
)
def test_a_failed_login_is_generic_and_audited(
    desk: DeskContext, username: str, password: str
) -> None:
    with pytest.raises(AuthError) as caught:
        desk.users.authenticate(username, password)
    assert str(caught.value) == GENERIC  # never says which part was wrong
    assert audit(desk, "login_failed") == [(username, "session", username, "")]
    assert audit(desk, "login") == []
    if password:
        assert password not in str(rows(desk, "SELECT * FROM audit_log"))


def test_verify_password_unlocks_only_the_same_officer(desk: DeskContext) -> None:
    assert desk.users.verify_password(OFFICER, PASSWORD)
    assert not desk.users.verify_password(OFFICER, "sai-mat-khau")
    stale = Officer(OFFICER.username, OFFICER.full_name, Role.ADMIN)  # role changed meanwhile
    assert not desk.users.verify_password(stale, PASSWORD)


# ------------------------------------------------------------------ audited access


def test_views_and_prints_are_audited(desk: DeskContext) -> None:
    code = desk.intake.receive(request(), OFFICER).dossier.code
    assert audit(desk, "view") == audit(desk, "print") == audit(desk, "export") == []
    desk.intake.get(code, OFFICER)
    desk.intake.receipt(code, OFFICER)
    desk.intake.receipt(code, OFFICER, action="export")
    assert audit(desk, "view") == [(OFFICER.username, "dossier", code, "")]
    assert audit(desk, "print") == [(OFFICER.username, "dossier", code, "receipt")]
    assert audit(desk, "export") == [(OFFICER.username, "dossier", code, "receipt")]


def test_account_problems_name_every_faulty_field_at_once() -> None:
    assert account_problems("hoa.lt", "Lê Thị Hoa", PASSWORD) == {}
    assert account_problems("", " ", "ngan") == {
        "username": "nhập tên đăng nhập",
        "full_name": "họ và tên không được để trống",
        "password": "mật khẩu cần ít nhất 8 ký tự",
    }
    assert set(account_problems("Hòa Lê", "Lê Thị Hoa", PASSWORD)) == {"username"}


def test_a_login_strengthens_a_cheap_hash_and_never_weakens_a_strong_one(
    desk: DeskContext,
) -> None:
    from argon2 import PasswordHasher, extract_parameters
    from sqlalchemy import text

    from desk_app.auth import UserService

    def stored() -> str:
        [(value,)] = rows(desk, "SELECT password_hash FROM users WHERE username = :u", u="lan.nt")
        return str(value)

    def store(password_hash: str) -> None:
        with desk.db.write() as s:
            s.execute(
                text("UPDATE users SET password_hash = :h WHERE username = 'lan.nt'"),
                {"h": password_hash},
            )

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    strong = PasswordHasher()
    # The suite's cheap hasher (DESK_APP_TEST_FAST_HASHES) meets a strong hash: kept.
    store(strong.hash(PASSWORD))
    UserService(desk.db, desk.clock, hasher=cheap).authenticate("lan.nt", PASSWORD)
    assert extract_parameters(stored()).memory_cost == strong.memory_cost
    # The desk's own hasher meets a cheap hash: it is re-hashed with the real parameters.
    store(cheap.hash(PASSWORD))
    UserService(desk.db, desk.clock, hasher=strong).authenticate("lan.nt", PASSWORD)
    assert extract_parameters(stored()).memory_cost == strong.memory_cost
