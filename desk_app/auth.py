"""Officer accounts, roles and what each role may do.

Passwords are hashed with Argon2id (argon2-cffi). Roles:

* ``officer`` (công chức một cửa): receives dossiers, prints receipts, looks dossiers up;
* ``chair`` (Chủ tịch UBND): reviews the backlog and dossiers, prints, exports reports;
* ``admin`` (quản trị): manages accounts, the commune profile, calendar and catalogue —
  and may do everything an officer does (small communes have one person for both).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from desk_app import audit
from desk_app.clock import Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import User
from desk_app.errors import InvalidInputError, RefusedError


class Role(StrEnum):
    OFFICER = "officer"
    CHAIR = "chair"
    ADMIN = "admin"


class Permission(StrEnum):
    RECEIVE = "receive"  # intake: create dossiers
    VIEW = "view"  # open a dossier (personal data)
    PRINT = "print"  # print or save receipts
    REPORT = "report"  # backlog and statistics
    ADMINISTER = "administer"  # accounts, profile, calendar, catalogue


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.OFFICER: frozenset({Permission.RECEIVE, Permission.VIEW, Permission.PRINT}),
    Role.CHAIR: frozenset({Permission.VIEW, Permission.PRINT, Permission.REPORT}),
    Role.ADMIN: frozenset(Permission),
}

ROLE_LABELS = {
    Role.OFFICER: "Công chức một cửa",
    Role.CHAIR: "Chủ tịch UBND",
    Role.ADMIN: "Quản trị",
}

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,31}$")
MIN_PASSWORD = 8

_hasher = PasswordHasher()


class AuthError(RefusedError):
    """Login refused; the message is safe to show (it never says which part was wrong)."""

    default_code = "auth.refused"


class AccountError(InvalidInputError):
    """An account cannot be created as asked; the message says why."""

    default_code = "account.invalid"


class PermissionDeniedError(RefusedError):
    """The officer's role does not allow this."""

    default_code = "auth.permission_denied"


@dataclass(frozen=True)
class Officer:
    """The logged-in officer, as the services need to know them."""

    username: str
    full_name: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        if not self.can(permission):
            raise PermissionDeniedError(
                f"vai trò {ROLE_LABELS[self.role]} không được phép thực hiện việc này "
                f"({permission})"
            )


def account_problems(username: str, full_name: str, password: str) -> dict[str, str]:
    """Every fault of a new account at once, by field (``username``, ``full_name``,
    ``password``), as ``AccountError`` words them: lower-case Vietnamese clauses."""
    found: dict[str, str] = {}
    name = username.strip().lower()
    if not name:
        found["username"] = "nhập tên đăng nhập"
    elif not USERNAME_RE.match(name):
        found["username"] = (
            "tên đăng nhập gồm 3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch ngang"
        )
    if not full_name.strip():
        found["full_name"] = "họ và tên không được để trống"
    if len(password) < MIN_PASSWORD:
        found["password"] = f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự"
    return found


class UserService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    def has_users(self) -> bool:
        with self._db.read() as s:
            return bool(s.scalar(select(func.count()).select_from(User)))

    def add(
        self, username: str, full_name: str, role: Role | str, password: str, by: str
    ) -> Officer:
        """Create an account on behalf of ``by`` (an administrator's username).

        The first account of a desk must be an administrator; it is created by the set-up
        itself, so ``by`` is then only recorded.
        """
        problems = account_problems(username, full_name, password)
        if problems:
            raise AccountError(next(iter(problems.values())))
        username = username.strip().lower()
        try:
            role = Role(role)
        except ValueError:
            raise AccountError(
                f"vai trò {role!r} không có; chọn officer, chair hoặc admin"
            ) from None
        now = utc_naive(self._clock)
        with self._db.write() as s:
            first = not s.scalar(select(func.count()).select_from(User))
            if not first:
                # Only an active administrator creates accounts; the first account is the
                # set-up itself (wizard or `desk-app users add`) and has no one to ask.
                actor = s.scalar(select(User).where(User.username == by.strip().lower()))
                if actor is None or not actor.active or actor.role != Role.ADMIN.value:
                    raise PermissionDeniedError(
                        "chỉ quản trị viên đang hoạt động mới tạo được tài khoản"
                    )
            if s.scalar(select(User.id).where(User.username == username)):
                raise AccountError(f"tên đăng nhập {username!r} đã có")
            if first and role is not Role.ADMIN:
                raise AccountError("tài khoản đầu tiên phải là quản trị (admin)")
            s.add(
                User(
                    username=username,
                    full_name=" ".join(full_name.split()),
                    role=role.value,
                    password_hash=_hasher.hash(password),
                    active=True,
                    created_at=now,
                )
            )
            audit.record(
                s, at_utc=now, username=by, action="user_added", object_type="user",
                object_ref=username, detail=f"role={role.value}",
            )  # fmt: skip
        return Officer(username, " ".join(full_name.split()), role)

    def authenticate(self, username: str, password: str) -> Officer:
        """The officer for these credentials, or ``AuthError``; every attempt is audited."""
        username = username.strip().lower()
        now = utc_naive(self._clock)
        with self._db.read() as s:
            user = s.scalar(select(User).where(User.username == username))
        ok = False
        if user is not None and user.active:
            try:
                ok = _hasher.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                ok = False
        with self._db.write() as s:
            audit.record(
                s, at_utc=now, username=username or "?", action="login" if ok else "login_failed",
                object_type="session", object_ref=username or "?",
            )  # fmt: skip
            if ok and user is not None and _hasher.check_needs_rehash(user.password_hash):
                stored = s.get(User, user.id)
                if stored is not None:
                    stored.password_hash = _hasher.hash(password)
        if not ok or user is None:
            raise AuthError("Tên đăng nhập hoặc mật khẩu không đúng.", code="auth.wrong_password")
        return Officer(user.username, user.full_name, Role(user.role))

    def verify_password(self, officer: Officer, password: str) -> bool:
        """Re-check the logged-in officer's password (to unlock an idle-locked screen)."""
        try:
            return self.authenticate(officer.username, password) == officer
        except AuthError:
            return False

    def list(self) -> list[tuple[Officer, bool, dt.datetime]]:
        with self._db.read() as s:
            return [
                (Officer(u.username, u.full_name, Role(u.role)), u.active, u.created_at)
                for u in s.scalars(select(User).order_by(User.username))
            ]
