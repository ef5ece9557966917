"""The working screens of a session, and the permission each needs: one table.

The main window builds one tab per row the logged-in officer's role allows
(``desk_app.auth.ROLE_PERMISSIONS``), in this order. A new screen is a row here and a
builder; the window itself does not change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtWidgets import QWidget

from desk_app.auth import Officer, Permission
from ui.form_printing import ShowPdf
from ui.operations import Operations

if TYPE_CHECKING:
    from desk_app.context import DeskContext

_CONTEXT = "screens"


@dataclass(frozen=True)
class SessionServices:
    """What a screen of a session may be given."""

    ctx: DeskContext
    officer: Officer
    ops: Operations
    show_receipt: ShowPdf
    #: open one dossier's view (a search result, a scanned receipt, the return desk)
    open_dossier: Callable[[str], object]


@dataclass(frozen=True)
class Screen:
    key: str
    #: the tab's title, source text (translated when the tab is built)
    title: str
    permission: Permission
    build: Callable[[SessionServices, QWidget], QWidget]

    def translated_title(self) -> str:
        return QCoreApplication.translate(_CONTEXT, self.title)


def _title(source: str) -> str:
    """``source`` marked for translation (by lupdate), translated when a tab is built."""
    return str(QT_TRANSLATE_NOOP(_CONTEXT, source))


def _intake(s: SessionServices, parent: QWidget) -> QWidget:
    from ui.intake_outcome import outcome_form_pdf
    from ui.intake_screen import IntakeScreen

    ctx = s.ctx
    return IntakeScreen(
        ctx.intake, ctx.clock, s.officer, s.ops, s.show_receipt, parent,
        outcomes=ctx.intake_outcomes, outcome_pdf=lambda o: outcome_form_pdf(ctx, o, s.officer),
        lifecycle=ctx.lifecycle,
    )  # fmt: skip


def _lookup(s: SessionServices, parent: QWidget) -> QWidget:
    from ui.lookup import LookupScreen

    ctx = s.ctx
    return LookupScreen(
        ctx.intake, s.officer, ctx.clock, s.ops, s.show_receipt, parent,
        timeline=ctx.lifecycle.timeline,
    )  # fmt: skip


def _admin(s: SessionServices, parent: QWidget) -> QWidget:
    from ui.admin_screen import AdminScreen

    return AdminScreen(s.ctx, s.officer, s.ops, parent)


def _backlog(s: SessionServices, parent: QWidget) -> QWidget:
    from ui.backlog import BacklogScreen

    ctx = s.ctx
    return BacklogScreen(
        ctx.backlog, ctx.reports, ctx.profiles, s.officer, ctx.clock, s.ops, s.show_receipt,
        s.open_dossier, parent,
    )  # fmt: skip


def _audit(s: SessionServices, parent: QWidget) -> QWidget:
    from ui.audit_view import AuditScreen

    return AuditScreen(s.ctx.audit_log, s.officer, s.ops, parent)


def _search(s: SessionServices, parent: QWidget) -> QWidget:
    from ui.search_screen import SearchScreen

    return SearchScreen(s.ctx.search, s.officer, s.ops, s.open_dossier, parent)


def _returns(s: SessionServices, parent: QWidget) -> QWidget:
    from ui.dossier_view_actions import lifecycle_runner
    from ui.return_desk import ReturnDesk

    ctx = s.ctx
    runner = lifecycle_runner(ctx.lifecycle, s.officer)
    scale = ctx.settings.get
    return ReturnDesk(
        ctx.search, s.officer, s.ops, runner, ctx.clock, lambda: scale().rating_scale, parent
    )


# The chair's first screen is the backlog; an administrator's stays the intake.
SCREENS: tuple[Screen, ...] = (
    Screen("intake", _title("Tiếp nhận"), Permission.RECEIVE, _intake),
    Screen("backlog", _title("Hồ sơ cần xử lý"), Permission.REPORT, _backlog),
    Screen("lookup", _title("Tra cứu"), Permission.VIEW, _lookup),
    Screen("search", _title("Tìm hồ sơ"), Permission.VIEW, _search),
    Screen("returns", _title("Trả kết quả"), Permission.RECEIVE, _returns),
    Screen("admin", _title("Quản trị"), Permission.ADMINISTER, _admin),
    Screen("audit", _title("Nhật ký truy cập"), Permission.ADMINISTER, _audit),
)


def screens_for(officer: Officer) -> list[Screen]:
    """The rows of ``SCREENS`` the officer's role allows, in order."""
    return [screen for screen in SCREENS if officer.can(screen.permission)]
