"""Officer accounts, roles and what each role may do.

Passwords are hashed with Argon2id (argon2-cffi). Roles:

* ``officer`` (công chức một cửa): receives dossiers, prints receipts, looks dossiers up;
* ``chair`` (Chủ tịch UBND): reviews the backlog and dossiers, prints, exports reports;
* ``admin`` (quản trị): manages accounts, the commune profile, calendar and catalogue —
  and may do everything an officer does (small communes have one person for both).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from desk_app import audit
from desk_app.clock import Clock, utc_naive
from desk_app.db.engine import Database
from desk_app.db.models import LoginAttempts, User
from desk_app.errors import InvalidInputError, NotFoundError, RefusedError
from desk_app.text import is_safe_text


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

# The test suite's child processes set this to hash with the cheapest Argon2 parameters
# (every CLI test logs in). Never set it on a desk: hashes made under it are weak. A
# login never re-hashes to weaker parameters, so a real desk's hashes stay as they are.
FAST_HASHES_ENV = "DESK_APP_TEST_FAST_HASHES"


def default_hasher() -> PasswordHasher:
    """argon2-cffi's defaults; the cheapest parameters under ``$DESK_APP_TEST_FAST_HASHES``."""
    if os.environ.get(FAST_HASHES_ENV) == "1":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return _hasher


class AuthError(RefusedError):
    """Login refused; the message is safe to show (it never says which part was wrong)."""

    default_code = "auth.refused"


class AccountLockedError(AuthError):
    """Too many wrong passwords: the name must wait; the message says how long."""

    default_code = "auth.locked"

    def __init__(self, wait: dt.timedelta) -> None:
        self.wait = wait
        super().__init__(
            f"Đã nhập sai mật khẩu quá nhiều lần. Hãy thử lại sau {_duration_vi(wait)} "
            "hoặc nhờ quản trị viên mở khóa."
        )


# After LOCKOUT_THRESHOLD wrong passwords in a row a name waits LOCKOUT_FIRST, doubling
# with each further wrong password up to LOCKOUT_MAX. A good password clears the count.
LOCKOUT_THRESHOLD = 5
LOCKOUT_FIRST = dt.timedelta(seconds=30)
LOCKOUT_MAX = dt.timedelta(minutes=15)


def lockout_wait(failed_count: int) -> dt.timedelta | None:
    """How long a name must wait after ``failed_count`` wrong passwords in a row."""
    if failed_count < LOCKOUT_THRESHOLD:
        return None
    doublings = min(failed_count - LOCKOUT_THRESHOLD, 10)
    wait: dt.timedelta = LOCKOUT_FIRST * (1 << doublings)
    return min(wait, LOCKOUT_MAX)


def _duration_vi(wait: dt.timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} giây"
    return f"{minutes} phút {rest} giây" if rest else f"{minutes} phút"


@dataclass(frozen=True)
class LockedAccount:
    username: str
    failed_count: int
    locked_until_utc: dt.datetime
    known: bool  # an existing account, not a name someone tried


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
    elif not is_safe_text(full_name):
        found["full_name"] = "họ và tên có ký tự điều khiển hoặc ký tự đảo chiều văn bản"
    if len(password) < MIN_PASSWORD:
        found["password"] = f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự"
    return found


class UserService:
    def __init__(self, db: Database, clock: Clock, hasher: PasswordHasher | None = None) -> None:
        self._db = db
        self._clock = clock
        # Tests may pass cheaper Argon2 parameters; the desk uses argon2-cffi's defaults.
        self._hasher = hasher or default_hasher()
        self._dummy: str | None = None

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
                    password_hash=self._hasher.hash(password),
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
        """The officer for these credentials; every attempt is audited.

        Raises ``AccountLockedError`` while the name must wait after wrong passwords, and
        ``AuthError`` otherwise. An unknown or disabled name costs the same Argon2
        verification as a real one and is counted and locked the same way, so neither the
        answer nor its time says whether the account exists.
        """
        username = username.strip().lower()
        key = username[:64] or "?"
        now = utc_naive(self._clock)
        with self._db.read() as s:
            user = s.scalar(select(User).where(User.username == username))
            attempts = s.get(LoginAttempts, key)
        if attempts is not None and attempts.locked_until and attempts.locked_until > now:
            wait = attempts.locked_until - now
            with self._db.write() as s:
                audit.record(
                    s, at_utc=now, username=key, action="login_failed", object_type="session",
                    object_ref=key, detail="locked",
                )  # fmt: skip
            raise AccountLockedError(wait)
        ok = self._verify(user.password_hash if user and user.active else None, password)
        if not ok or user is None:
            # Committed on its own: the count survives the refusal and the process.
            locked_for = self._record_failure(key, now)
            if locked_for is not None:
                raise AccountLockedError(locked_for)
            raise AuthError("Tên đăng nhập hoặc mật khẩu không đúng.", code="auth.wrong_password")
        rehash = self._weaker_than_ours(user.password_hash)
        user_id = user.id

        def record_login(s: Session) -> None:
            audit.record(
                s, at_utc=now, username=key, action="login", object_type="session",
                object_ref=key,
            )  # fmt: skip
            s.execute(delete(LoginAttempts).where(LoginAttempts.username == key))
            if rehash:
                stored = s.get(User, user_id)
                if stored is not None:
                    stored.password_hash = self._hasher.hash(password)

        # On a read-only disk the officer may still read; the login's entry is told lost.
        self._db.write_audit(record_login)
        return Officer(user.username, user.full_name, Role(user.role))

    def _verify(self, password_hash: str | None, password: str) -> bool:
        # No account: verify against a hash of the same parameters all the same.
        try:
            return self._hasher.verify(password_hash or self._dummy_hash(), password) and bool(
                password_hash
            )
        except (VerificationError, InvalidHashError):
            return False

    def _weaker_than_ours(self, password_hash: str) -> bool:
        """Whether a stored hash is cheaper than this hasher's: re-hashing only ever
        strengthens it."""
        try:
            stored = extract_parameters(password_hash)
        except InvalidHashError:
            return False
        return (
            stored.time_cost < self._hasher.time_cost
            or stored.memory_cost < self._hasher.memory_cost
        )

    def _dummy_hash(self) -> str:
        if self._dummy is None:
            self._dummy = self._hasher.hash(secrets.token_urlsafe(16))
        return self._dummy

    def _record_failure(self, key: str, now: dt.datetime) -> dt.timedelta | None:
        """Count one wrong password for ``key``; the wait it imposes now, if any."""
        with self._db.write() as s:
            attempts = s.get(LoginAttempts, key)
            if attempts is None:
                attempts = LoginAttempts(username=key, failed_count=0)
                s.add(attempts)
            attempts.failed_count += 1
            attempts.last_failed_at = now
            wait = lockout_wait(attempts.failed_count)
            audit.record(
                s, at_utc=now, username=key, action="login_failed", object_type="session",
                object_ref=key,
            )  # fmt: skip
            if wait is not None:
                attempts.locked_until = now + wait
                audit.record(
                    s, at_utc=now, username=key, action="account_locked", object_type="user",
                    object_ref=key,
                    detail=f"{attempts.failed_count} wrong; {wait.total_seconds():.0f} s",
                )  # fmt: skip
        return wait

    def verify_password(self, officer: Officer, password: str) -> bool:
        """Re-check the logged-in officer's password (to unlock an idle-locked screen).

        Wrong passwords count towards the lock-out as at login; while the account must
        wait, ``AccountLockedError`` is raised (its message says how long).
        """
        try:
            return self.authenticate(officer.username, password) == officer
        except AccountLockedError:
            raise
        except AuthError:
            return False

    def unlock(self, username: str, by: Officer) -> bool:
        """Lift the wait of a login name (an administrator's act, audited).

        Returns whether it was waiting or had wrong passwords counted.
        """
        by.require(Permission.ADMINISTER)
        key = username.strip().lower()[:64]
        now = utc_naive(self._clock)
        with self._db.write() as s:
            attempts = s.get(LoginAttempts, key)
            known = s.scalar(select(User.id).where(User.username == key)) is not None
            if attempts is None and not known:
                raise NotFoundError(f"không có tài khoản {key!r}", code="user.not_found")
            was = attempts is not None and attempts.failed_count > 0
            if attempts is not None:
                s.delete(attempts)
            audit.record(
                s, at_utc=now, username=by.username, action="account_unlocked",
                object_type="user", object_ref=key, detail="" if was else "not locked",
            )  # fmt: skip
        return was

    def locked_accounts(self) -> list[LockedAccount]:
        """Login names waiting now, soonest free first (for the administrator's screen)."""
        now = utc_naive(self._clock)
        with self._db.read() as s:
            known = set(s.scalars(select(User.username)))
            return [
                LockedAccount(a.username, a.failed_count, a.locked_until, a.username in known)
                for a in s.scalars(
                    select(LoginAttempts)
                    .where(LoginAttempts.locked_until > now)
                    .order_by(LoginAttempts.locked_until)
                )
                if a.locked_until is not None
            ]

    def list(self) -> list[tuple[Officer, bool, dt.datetime]]:
        with self._db.read() as s:
            return [
                (Officer(u.username, u.full_name, Role(u.role)), u.active, u.created_at)
                for u in s.scalars(select(User).order_by(User.username))
            ]
