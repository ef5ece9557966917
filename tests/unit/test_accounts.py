"""Account administration: disable, re-enable, role, reset (with the forced change at the
next login), the last administrator protected, and the offline recovery code."""

from __future__ import annotations

import pytest

from desk_app.accounts import LastAdministratorError, RecoveryError
from desk_app.auth import AuthError, PermissionDeniedError, Role
from desk_app.context import DeskContext
from desk_app.errors import InvalidInputError
from tests.unit.intake_fixtures import (
    ADMIN,
    CHAIR,
    OFFICER,
    PASSWORD,
    desk,
    desk_folder,
    desk_template_db,
    rows,
)

__all__ = ["desk", "desk_folder", "desk_template_db"]


def audit(ctx: DeskContext, ref: str) -> list[tuple[str, str, str]]:
    return [
        (r[0], r[1], r[2])
        for r in rows(
            ctx,
            "SELECT username, action, detail FROM audit_log WHERE object_ref = :r "
            "AND action NOT IN ('user_added', 'login', 'login_failed') ORDER BY id",
            r=ref,
        )
    ]


def test_disable_refuses_login_and_enable_restores_it(desk: DeskContext) -> None:
    desk.accounts.disable(OFFICER.username, ADMIN)
    with pytest.raises(AuthError):
        desk.users.authenticate(OFFICER.username, PASSWORD)
    desk.accounts.enable(OFFICER.username, ADMIN)
    assert desk.users.authenticate(OFFICER.username, PASSWORD) == OFFICER
    assert audit(desk, OFFICER.username)[:2] == [
        (ADMIN.username, "user_disabled", ""),
        (ADMIN.username, "user_enabled", ""),
    ]


def test_the_last_administrator_can_be_neither_disabled_nor_demoted(desk: DeskContext) -> None:
    with pytest.raises(LastAdministratorError):
        desk.accounts.disable(ADMIN.username, ADMIN)
    with pytest.raises(LastAdministratorError):
        desk.accounts.change_role(ADMIN.username, Role.OFFICER, ADMIN)
    rows_now = {a.username: a for a in desk.accounts.accounts()}
    assert rows_now[ADMIN.username].active and rows_now[ADMIN.username].role is Role.ADMIN
    # With a second administrator, the first may step down.
    desk.accounts.change_role(CHAIR.username, Role.ADMIN, ADMIN)
    desk.accounts.change_role(ADMIN.username, Role.OFFICER, ADMIN)
    assert desk.users.authenticate(ADMIN.username, PASSWORD).role is Role.OFFICER
    assert audit(desk, CHAIR.username) == [(ADMIN.username, "user_role_changed", "chair -> admin")]


def test_only_an_administrator_administers(desk: DeskContext) -> None:
    with pytest.raises(PermissionDeniedError):
        desk.accounts.disable(CHAIR.username, OFFICER)
    with pytest.raises(PermissionDeniedError):
        desk.accounts.reset_password(ADMIN.username, CHAIR)


def test_reset_forces_a_new_password_at_next_login(desk: DeskContext) -> None:
    temporary = desk.accounts.reset_password(OFFICER.username, ADMIN)
    with pytest.raises(AuthError):
        desk.users.authenticate(OFFICER.username, PASSWORD)
    assert desk.users.authenticate(OFFICER.username, temporary) == OFFICER
    assert desk.accounts.must_change_password(OFFICER.username)
    with pytest.raises(InvalidInputError):
        desk.accounts.change_own_password(OFFICER.username, temporary, temporary)
    with pytest.raises(InvalidInputError):
        desk.accounts.change_own_password(OFFICER.username, "not-it-at-all", "moi-mat-khau-9")
    desk.accounts.change_own_password(OFFICER.username, temporary, "moi-mat-khau-9")
    assert not desk.accounts.must_change_password(OFFICER.username)
    assert desk.users.authenticate(OFFICER.username, "moi-mat-khau-9") == OFFICER
    assert [a[1] for a in audit(desk, OFFICER.username)] == ["password_reset", "password_changed"]


def test_a_new_account_changes_its_password_at_first_login(desk: DeskContext) -> None:
    desk.accounts.add("hoa.lt", "Lê Thị Hoa", Role.OFFICER, "tam-thoi-123", ADMIN)
    assert desk.accounts.must_change_password("hoa.lt")


def test_recovery_code_resets_the_last_administrator_once(desk: DeskContext) -> None:
    code = desk.accounts.issue_recovery_code(ADMIN.username)
    assert len(code) == 24 and code.count("-") == 4
    with pytest.raises(RecoveryError):
        desk.accounts.recover("AAAA-BBBB-CCCC-DDDD-EEEE", "mat-khau-moi-1")
    # Typed in lower case and without dashes, as someone reading it from paper might.
    username, fresh = desk.accounts.recover(code.replace("-", "").lower(), "mat-khau-moi-1")
    assert username == ADMIN.username and fresh != code
    assert desk.users.authenticate(ADMIN.username, "mat-khau-moi-1") == ADMIN
    with pytest.raises(RecoveryError):
        desk.accounts.recover(code, "mat-khau-moi-2")
    actions = [r[0] for r in rows(desk, "SELECT action FROM audit_log ORDER BY id")]
    assert "password_recovered" in actions
    assert actions.count("recovery_code_issued") == 2


def test_only_an_administrator_replaces_the_recovery_code(desk: DeskContext) -> None:
    with pytest.raises(PermissionDeniedError):
        desk.accounts.reissue_recovery_code(CHAIR)
    assert not desk.accounts.has_recovery_code()
    desk.accounts.reissue_recovery_code(ADMIN)
    assert desk.accounts.has_recovery_code()
