"""The background threads of the screens: changes reported, printing never queued behind
the database thread, and the guard against SQL on the GUI thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import QObject, QThread, Signal

from desk_app.context import DeskContext
from tests.ui.conftest import GuiThreadQueries
from ui.operations import DATABASE_THREAD, NO_CHANGES, PRINT_THREAD, Changes, Operations

WAIT_MS = 30_000


@pytest.fixture
def ops() -> Iterator[Operations]:
    operations = Operations()
    yield operations
    operations.shutdown()


def _thread_name() -> str:
    return QThread.currentThread().objectName()


def test_changes_are_reported_after_success_only(qtbot: Any, ops: Operations) -> None:
    seen: list[tuple[Changes, object]] = []
    order: list[str] = []
    ops.changed.connect(lambda changes, initiator: seen.append((changes, initiator)))
    ops.changed.connect(lambda _c, _i: order.append("changed"))
    initiator = object()

    with qtbot.waitSignal(ops.changed, timeout=WAIT_MS):
        ops.run(
            _thread_name,
            lambda name: order.append(f"done on {name}"),
            changes=Changes(dossiers=True, outbox=True),
            initiator=initiator,
        )
    assert seen == [(Changes(dossiers=True, outbox=True), initiator)]
    assert order == [f"done on {DATABASE_THREAD}", "changed"]  # the caller's callback first

    errors: list[BaseException] = []

    def fail() -> None:
        raise ValueError("refused")

    ops.run(fail, lambda _r: None, errors.append, changes=Changes(dossiers=True))
    ops.run(lambda: 1, lambda _r: None)  # a read: nothing changed
    qtbot.waitUntil(lambda: not ops.busy, timeout=WAIT_MS)
    assert [str(e) for e in errors] == ["refused"]
    assert len(seen) == 1


def test_changes_made_elsewhere_are_reported_alike(qtbot: Any, ops: Operations) -> None:
    seen: list[Changes] = []
    ops.changed.connect(lambda changes, _i: seen.append(changes))
    ops.report(NO_CHANGES)
    ops.report(Changes(dossiers=True))
    assert seen == [Changes(dossiers=True)]
    assert not NO_CHANGES
    assert Changes(catalogue=True)


def test_printing_is_served_while_the_database_thread_is_busy(qtbot: Any, ops: Operations) -> None:
    release = threading.Event()
    database_done: list[bool] = []
    # A long job on the database thread (a report, an import): it holds the queue.
    ops.run(lambda: release.wait(30), database_done.append)
    database_queued: list[str] = []
    ops.run(_thread_name, database_queued.append)  # queued behind the long job

    printed: list[str] = []
    try:
        ops.run_print(_thread_name, printed.append)
        qtbot.waitUntil(lambda: printed == [PRINT_THREAD], timeout=WAIT_MS)
        assert database_done == [] and database_queued == []  # still waiting behind it
    finally:
        release.set()
    qtbot.waitUntil(lambda: database_queued == [DATABASE_THREAD], timeout=WAIT_MS)
    assert database_done == [True]


# ------------------------------------------------------------------ the guard itself


class _Relay(QObject):
    fire = Signal()


def test_the_guard_flags_a_query_run_by_ui_code_on_the_gui_thread(
    qtbot: Any, ops: Operations, desk_ctx: DeskContext, gui_thread_queries: GuiThreadQueries
) -> None:
    # The mistake it exists for: reading the database in a callback on the GUI thread.
    profiles = desk_ctx.profiles
    ops.run(lambda: None, lambda _r: profiles.get())
    qtbot.waitUntil(lambda: not ops.busy, timeout=WAIT_MS)
    flagged = list(gui_thread_queries.flagged)
    gui_thread_queries.flagged.clear()  # flagged as expected: do not fail this test

    assert flagged, "a query on the GUI thread went unnoticed"
    assert any(line.startswith("SELECT commune_profile.") for line in flagged), flagged
    assert all("ui.operations" in line for line in flagged), flagged


def test_the_guard_flags_a_signal_connected_straight_to_a_service(
    qtbot: Any, desk_ctx: DeskContext, gui_thread_queries: GuiThreadQueries
) -> None:
    relay = _Relay()
    relay.fire.connect(desk_ctx.users.has_users)
    with qtbot.waitSignal(relay.fire, timeout=WAIT_MS):
        from PySide6.QtCore import QTimer

        QTimer.singleShot(0, relay.fire.emit)
    flagged = list(gui_thread_queries.flagged)
    gui_thread_queries.flagged.clear()
    assert any("event loop" in line for line in flagged), flagged


def test_the_guard_ignores_the_database_thread_and_the_tests_own_reads(
    qtbot: Any, ops: Operations, desk_ctx: DeskContext, gui_thread_queries: GuiThreadQueries
) -> None:
    profiles = desk_ctx.profiles
    ops.run(profiles.get, lambda _p: None)
    qtbot.waitUntil(lambda: not ops.busy, timeout=WAIT_MS)
    assert desk_ctx.profiles.get() is None  # the test checking what was stored
    assert gui_thread_queries.flagged == []
