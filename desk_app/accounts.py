"""Account administration (quản lý tài khoản): what an administrator does to the desk's
accounts, and the offline recovery of a forgotten administrator password.

Accounts and passwords stay on each desk: nothing here is an event, every change is an
audit entry. Two rules hold whatever the screen or command: the desk always keeps one
active administrator (the last one can be neither disabled nor demoted), and a password
set by someone else (a new account, a reset) must be replaced by its officer at the next
login.

The recovery code (mã khôi phục) is printed once at set-up and kept by the chair or in
the commune's safe. Only its Argon2id hash is stored. Typed with a new password, it
resets the password of an administrator without anyone logged in; it is then used up and
a new code is issued (and shown) in its place.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desk_app import audit
from desk_app.auth import (
    MIN_PASSWORD,
    ROLE_LABELS,
    AccountError,
    Officer,
    Permission,
    Role,
    UserService,
)
from desk_app.clock import LOCAL_ZONE, Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import LoginAttempts, RecoveryCode, User
from desk_app.errors import NotFoundError, RefusedError

# Unambiguous letters and digits (no 0/O, 1/I/L): read aloud or copied from paper.
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
_CODE_GROUPS = 5
_CODE_GROUP_LEN = 4
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TEMP_PASSWORD_LEN = 10


class LastAdministratorError(RefusedError):
    """The change would leave the desk without an active administrator."""

    default_code = "account.last_admin"


class RecoveryError(RefusedError):
    """The recovery code is wrong, used up, or there is none."""

    default_code = "account.recovery_refused"


@dataclass(frozen=True)
class AccountRow:
    """One account as the administrator's list shows it."""

    username: str
    full_name: str
    role: Role
    active: bool
    must_change_password: bool
    created_at: dt.datetime
    locked_until: dt.datetime | None  # UTC; None when it need not wait

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]


def _row(u: User, locked_until: dt.datetime | None) -> AccountRow:
    return AccountRow(
        u.username, u.full_name, Role(u.role), u.active, u.must_change_password,
        u.created_at, locked_until,
    )  # fmt: skip


def new_recovery_code() -> str:
    """A fresh code: five groups of four, e.g. ``K7QM-2HXT-…`` (about 98 bits)."""
    groups = (
        "".join(secrets.choice(_CODE_ALPHABET) for _ in range(_CODE_GROUP_LEN))
        for _ in range(_CODE_GROUPS)
    )
    return "-".join(groups)


def _normalise_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def new_temporary_password() -> str:
    return "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(TEMP_PASSWORD_LEN))


class AccountAdmin:
    """The administrator's account operations; each is audited in its own transaction."""

    def __init__(
        self, db: Database, clock: Clock, users: UserService, hasher: PasswordHasher | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._users = users
        self._hasher = hasher or PasswordHasher()

    # ------------------------------------------------------------------ reading

    def accounts(self) -> list[AccountRow]:
        now = utc_naive(self._clock)
        with self._db.read() as s:
            waits = {
                a.username: a.locked_until
                for a in s.scalars(select(LoginAttempts).where(LoginAttempts.locked_until > now))
            }
            users = s.scalars(select(User).order_by(User.username)).all()
            return [_row(u, waits.get(u.username)) for u in users]

    def must_change_password(self, username: str) -> bool:
        with self._db.read() as s:
            return bool(
                s.scalar(
                    select(User.must_change_password).where(
                        User.username == username.strip().lower()
                    )
                )
            )

    # ------------------------------------------------------------------ changes

    def add(
        self, username: str, full_name: str, role: Role | str, password: str, by: Officer
    ) -> Officer:
        """A new account; its officer replaces ``password`` at the first login."""
        by.require(Permission.ADMINISTER)
        officer = self._users.add(username, full_name, role, password, by=by.username)
        with self._db.write() as s:
            self._user(s, officer.username).must_change_password = True
        return officer

    def disable(self, username: str, by: Officer) -> None:
        by.require(Permission.ADMINISTER)
        with self._db.write() as s:
            user = self._user(s, username)
            if not user.active:
                return
            self._keep_an_admin(s, user, "vô hiệu hóa")
            user.active = False
            self._audit(s, by, "user_disabled", user.username)

    def enable(self, username: str, by: Officer) -> None:
        by.require(Permission.ADMINISTER)
        with self._db.write() as s:
            user = self._user(s, username)
            if user.active:
                return
            user.active = True
            self._audit(s, by, "user_enabled", user.username)

    def change_role(self, username: str, role: Role | str, by: Officer) -> None:
        by.require(Permission.ADMINISTER)
        try:
            new = Role(role)
        except ValueError:
            raise AccountError(f"vai trò {role!r} không có") from None
        with self._db.write() as s:
            user = self._user(s, username)
            if user.role == new.value:
                return
            if new is not Role.ADMIN:
                self._keep_an_admin(s, user, "đổi vai trò")
            old = user.role
            user.role = new.value
            self._audit(s, by, "user_role_changed", user.username, f"{old} -> {new.value}")

    def reset_password(self, username: str, by: Officer) -> str:
        """Give the account a temporary password (returned, to hand to the officer) and
        make its officer choose a new one at the next login. Lifts any lock-out."""
        by.require(Permission.ADMINISTER)
        temporary = new_temporary_password()
        digest = self._hasher.hash(temporary)
        with self._db.write() as s:
            user = self._user(s, username)
            user.password_hash = digest
            user.must_change_password = True
            s.execute(delete(LoginAttempts).where(LoginAttempts.username == user.username))
            self._audit(s, by, "password_reset", user.username)
        return temporary

    def change_own_password(self, username: str, current: str, new: str) -> None:
        """The officer replaces their password (after a reset, or any time)."""
        username = username.strip().lower()
        if len(new) < MIN_PASSWORD:
            raise AccountError(f"mật khẩu mới cần ít nhất {MIN_PASSWORD} ký tự")
        if new == current:
            raise AccountError("mật khẩu mới phải khác mật khẩu hiện tại")
        with self._db.read() as s:
            stored = s.scalar(
                select(User.password_hash).where(User.username == username, User.active)
            )
        if stored is None or not self._verify(stored, current):
            raise AccountError("mật khẩu hiện tại không đúng", code="account.wrong_password")
        digest = self._hasher.hash(new)
        with self._db.write() as s:
            user = self._user(s, username)
            user.password_hash = digest
            user.must_change_password = False
            audit.record(
                s, at_utc=utc_naive(self._clock), username=username,
                action="password_changed", object_type="user", object_ref=username,
            )  # fmt: skip

    # ------------------------------------------------------------------ recovery code

    def issue_recovery_code(self, by: str) -> str:
        """A new recovery code, replacing any earlier one; show or print it once."""
        code = new_recovery_code()
        digest = self._hasher.hash(_normalise_code(code))
        now = utc_naive(self._clock)
        with self._db.write() as s:
            s.execute(delete(RecoveryCode))
            s.add(RecoveryCode(id=1, code_hash=digest, created_at=now, created_by=by))
            audit.record(
                s, at_utc=now, username=by, action="recovery_code_issued",
                object_type="desk", object_ref="recovery_code",
            )  # fmt: skip
        return code

    def reissue_recovery_code(self, by: Officer) -> str:
        """An administrator replaces a lost recovery code; the old one stops working."""
        by.require(Permission.ADMINISTER)
        return self.issue_recovery_code(by.username)

    def has_recovery_code(self) -> bool:
        with self._db.read() as s:
            row = s.get(RecoveryCode, 1)
            return row is not None and row.used_at is None

    def recover(self, code: str, new_password: str, username: str | None = None) -> tuple[str, str]:
        """Reset an administrator's password with the recovery code, offline.

        ``username`` may be left out when the desk has one active administrator.
        Returns (the administrator's username, the new recovery code replacing the one
        used up).
        """
        if len(new_password) < MIN_PASSWORD:
            raise AccountError(f"mật khẩu mới cần ít nhất {MIN_PASSWORD} ký tự")
        with self._db.read() as s:
            row = s.get(RecoveryCode, 1)
            stored = row.code_hash if row is not None and row.used_at is None else None
            admins = list(
                s.scalars(select(User.username).where(User.role == Role.ADMIN.value, User.active))
            )
        if stored is None:
            raise RecoveryError("máy này không có mã khôi phục còn hiệu lực")
        if not self._verify(stored, _normalise_code(code)):
            with self._db.write() as s:
                audit.record(
                    s, at_utc=utc_naive(self._clock), username="recovery",
                    action="login_failed", object_type="desk", object_ref="recovery_code",
                    detail="wrong recovery code",
                )  # fmt: skip
            raise RecoveryError("mã khôi phục không đúng")
        if username is None:
            if len(admins) != 1:
                raise AccountError("máy có nhiều quản trị viên: chỉ rõ tên đăng nhập cần đặt lại")
            target = admins[0]
        else:
            target = username.strip().lower()
            if target not in admins:
                raise AccountError(f"{target!r} không phải quản trị viên đang hoạt động")
        digest = self._hasher.hash(new_password)
        now = utc_naive(self._clock)
        with self._db.write() as s:
            used = s.get(RecoveryCode, 1)
            if used is None or used.used_at is not None:
                raise RecoveryError("mã khôi phục vừa được dùng")
            used.used_at = now
            user = self._user(s, target)
            user.password_hash = digest
            user.must_change_password = False
            s.execute(delete(LoginAttempts).where(LoginAttempts.username == target))
            audit.record(
                s, at_utc=now, username="recovery", action="password_recovered",
                object_type="user", object_ref=target,
            )  # fmt: skip
        return target, self.issue_recovery_code(by=target)

    # ------------------------------------------------------------------ helpers

    def _verify(self, digest: str, secret: str) -> bool:
        try:
            return self._hasher.verify(digest, secret)
        except (VerificationError, InvalidHashError):
            return False

    @staticmethod
    def _user(s: Session, username: str) -> User:
        key = username.strip().lower()
        user = s.scalar(select(User).where(User.username == key))
        if user is None:
            raise NotFoundError(f"không có tài khoản {key!r}", code="user.not_found")
        return user

    @staticmethod
    def _keep_an_admin(s: Session, user: User, doing: str) -> None:
        if user.role != Role.ADMIN.value or not user.active:
            return
        others = s.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN.value, User.active, User.id != user.id)
        )
        if not others:
            raise LastAdministratorError(
                f"không thể {doing} {user.username}: đây là quản trị viên cuối cùng còn hoạt "
                "động; hãy tạo hoặc bật một quản trị viên khác trước"
            )

    def _audit(
        self,
        s: Session,
        by: Officer,
        action: audit.AccountAuditAction,
        username: str,
        detail: str = "",
    ) -> None:
        audit.record(
            s, at_utc=utc_naive(self._clock), username=by.username, action=action,
            object_type="user", object_ref=username, detail=detail,
        )  # fmt: skip


def recovery_sheet_pdf(code: str, unit: str, username: str, issued_at: dt.datetime) -> bytes:
    """A one-page A5 sheet with the recovery code, to print and keep in the safe
    (``issued_at`` in UTC, printed in commune time)."""
    import io

    from reportlab.lib.pagesizes import A5
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas

    from desk_app.forms.fonts import register_fonts

    fonts = register_fonts()
    local = issued_at.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE)
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A5, invariant=True)
    canvas.setTitle("Mã khôi phục quản trị")
    width, height = A5
    y = height - 20 * mm
    canvas.setFont(fonts.bold, 13)
    canvas.drawCentredString(width / 2, y, "MÃ KHÔI PHỤC TÀI KHOẢN QUẢN TRỊ")
    y -= 8 * mm
    canvas.setFont(fonts.regular, 10)
    canvas.drawCentredString(width / 2, y, unit)
    y -= 16 * mm
    canvas.setFont(fonts.bold, 18)
    canvas.drawCentredString(width / 2, y, code)
    y -= 14 * mm
    canvas.setFont(fonts.regular, 9.5)
    lines = (
        f"Tài khoản quản trị: {username} · cấp lúc {local:%H:%M ngày %d/%m/%Y}",
        "Dùng một lần, khi quên mật khẩu của quản trị viên cuối cùng:",
        "desk-app users recover (nhập mã này, rồi mật khẩu mới).",
        "Sau khi dùng, máy cấp một mã mới thay thế: hãy in và cất lại.",
        "Cất tờ này nơi an toàn (tủ hồ sơ của UBND); không để ở quầy.",
    )
    for line in lines:
        canvas.drawString(15 * mm, y, line)
        y -= 6 * mm
    canvas.showPage()
    canvas.save()
    return out.getvalue()
