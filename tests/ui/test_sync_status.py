"""The sync thread and its status-bar indicator, against a real district server on loopback.

The server is the real ``district-server run`` child process; it is killed and restarted
on the same database and port to play a network outage, and the desk must notice both
ways by itself.
"""

from __future__ import annotations

import datetime as dt
import io
import queue
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from desk_app.auth import Officer
from desk_app.context import DeskContext
from desk_app.intake import ApplicantInput, IntakeRequest
from tests.conftest import AGENCY, REPO_ROOT
from ui.sync_status import (
    TROUBLE_COLOR,
    SyncStatusWidget,
    describe_error,
    format_local,
    install_sync,
)
from ui.sync_worker import LinkState, SyncSnapshot, SyncWorker

SERVER = REPO_ROOT / ".venv" / "bin" / "district-server"
START_TIMEOUT_S = 20.0
# How long a condition may take to show on a loaded machine: a wait ends as soon as it
# holds, so this costs nothing when all is well.
SEEN_TIMEOUT_MS = 30_000

# Showing a window on the offscreen platform warns about propagateSizeHints.
pytestmark = pytest.mark.qt_log_ignore("propagateSizeHints")


# ------------------------------------------------------------------ the district server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _pump(stream: io.TextIOBase, ready: queue.Queue[bool]) -> None:
    # Keep reading so that the child never blocks on a full pipe.
    announced = False
    for line in stream:
        if not announced and line.startswith("listening on "):
            ready.put(True)
            announced = True
    if not announced:
        ready.put(False)


class DistrictServer:
    """``district-server run`` on a fixed port, so that it can come back at the same URL."""

    def __init__(self, folder: Path) -> None:
        self.db_url = f"sqlite:///{folder / 'd.db'}"
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> None:
        with self.log.open("a") as stderr:
            process = subprocess.Popen(
                [str(SERVER), "run", "--db", self.db_url, "--port", str(self.port)],
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        assert process.stdout is not None
        ready: queue.Queue[bool] = queue.Queue()
        threading.Thread(target=_pump, args=(process.stdout, ready), daemon=True).start()
        try:
            listening = ready.get(timeout=START_TIMEOUT_S)
        except queue.Empty:
            listening = False
        self.process = process
        if not listening:
            self.kill()
            pytest.fail(f"district-server did not start:\n{self.log.read_text()}")

    def enrollment_code(self, desk: int = 1) -> str:
        result = subprocess.run(
            [str(SERVER), "enroll", "--commune", AGENCY, "--desk", str(desk), "--db", self.db_url],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return result.stdout.splitlines()[0].strip()

    def revoke(self) -> None:
        subprocess.run(
            [str(SERVER), "revoke", "--commune", AGENCY, "--desk", "1", "--db", self.db_url],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if self.process is not None and self.process.stdout is not None:
            self.process.stdout.close()
        self.process = None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[DistrictServer]:
    folder = tmp_path / "district"
    folder.mkdir()
    district = DistrictServer(folder)
    district.start()
    yield district
    district.kill()


# ------------------------------------------------------------------ the desk


@pytest.fixture
def officer(profiled_ctx: DeskContext) -> Officer:
    return profiled_ctx.users.add("admin", "Quản Trị", "admin", "matkhau123", by="t")


def receive_one(ctx: DeskContext, officer: Officer) -> None:
    """One intake: it records a ``dossier.received`` event waiting to be sent."""
    request = IntakeRequest(
        procedure_code="1.001193",
        applicant=ApplicantInput(
            name="Nguyễn Thị Lan",
            cccd="079305001234",
            date_of_birth=dt.date(2005, 3, 4),
            address="Ấp 3, xã Tân Phú, Đồng Nai",
        ),
    )
    ctx.intake.receive(request, officer)


@pytest.fixture
def window(qtbot: QtBot) -> QMainWindow:
    main = QMainWindow()
    main.resize(1100, 300)
    qtbot.addWidget(main)
    return main


class Recorder:
    """Every snapshot the worker emitted (read on the GUI thread)."""

    def __init__(self, worker: SyncWorker) -> None:
        self.seen: list[SyncSnapshot] = []
        worker.status_changed.connect(self.seen.append)


def widget_of(window: QMainWindow) -> SyncStatusWidget:
    widget = window.statusBar().findChild(SyncStatusWidget)
    assert widget is not None
    return widget


def wait_for_text(qtbot: QtBot, widget: SyncStatusWidget, *texts: str) -> None:
    def shown() -> None:
        on_screen = " | ".join(
            label.text()
            for label in (
                widget.state_label,
                widget.pending_label,
                widget.last_success_label,
                widget.error_label,
            )
            if label.isVisible()
        )
        for text in texts:
            assert text in on_screen, on_screen

    qtbot.waitUntil(shown, timeout=SEEN_TIMEOUT_MS)


def stop_and_check(qtbot: QtBot, window: QMainWindow, worker: SyncWorker) -> None:
    thread = worker.thread()
    window.close()
    qtbot.waitUntil(thread.isFinished, timeout=SEEN_TIMEOUT_MS)
    assert not thread.isRunning()


# ------------------------------------------------------------------ tests


def test_a_desk_not_enrolled_says_so_and_stops_with_its_window(
    qtbot: QtBot, window: QMainWindow, profiled_ctx: DeskContext
) -> None:
    worker = install_sync(window, profiled_ctx)
    window.show()
    widget = widget_of(window)
    wait_for_text(qtbot, widget, "Chưa kết nối máy chủ huyện", "Chờ gửi: 0")
    assert widget.snapshot is not None
    assert widget.snapshot.state is LinkState.NOT_ENROLLED
    assert not widget.last_success_label.isVisible()
    assert widget.dot.isVisible()
    stop_and_check(qtbot, window, worker)


def test_destroying_the_window_stops_the_thread(qtbot: QtBot, profiled_ctx: DeskContext) -> None:
    window = QMainWindow()
    worker = install_sync(window, profiled_ctx)
    thread = worker.thread()
    qtbot.waitUntil(lambda: worker.last_snapshot is not None, timeout=SEEN_TIMEOUT_MS)
    assert thread.isRunning()
    window.deleteLater()
    qtbot.waitUntil(thread.isFinished, timeout=SEEN_TIMEOUT_MS)


class RefusingWindow(QMainWindow):
    """A window whose close can be refused, like one with unsaved work."""

    refuse = True

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.refuse:
            event.ignore()
        else:
            event.accept()


def test_a_refused_close_keeps_syncing_until_the_window_really_closes(
    qtbot: QtBot, profiled_ctx: DeskContext
) -> None:
    window = RefusingWindow()
    qtbot.addWidget(window)
    worker = install_sync(window, profiled_ctx)
    window.show()
    wait_for_text(qtbot, widget_of(window), "Chưa kết nối máy chủ huyện")
    window.close()
    qtbot.wait(100)
    assert window.isVisible()
    assert worker.thread().isRunning()
    window.refuse = False
    stop_and_check(qtbot, window, worker)


def test_the_desk_syncs_by_itself_through_an_outage(
    qtbot: QtBot,
    window: QMainWindow,
    profiled_ctx: DeskContext,
    officer: Officer,
    server: DistrictServer,
) -> None:
    ctx = profiled_ctx
    ctx.sync.enroll(server.url, server.enrollment_code())
    receive_one(ctx, officer)
    assert ctx.sync.pending_count() == 1

    worker = SyncWorker(ctx.sync, interval_s=3600, backoff_base_s=0.2, backoff_cap_s=1.0)
    recorder = Recorder(worker)
    widget = SyncStatusWidget(worker)
    window.statusBar().addPermanentWidget(widget)
    window.show()
    worker.start()
    try:
        # Up: the pending event goes out by itself.
        wait_for_text(qtbot, widget, "Trực tuyến", "Chờ gửi: 0", "Lần cuối thành công: 09:00 23/11")
        assert ctx.sync.pending_count() == 0
        assert any(s.state is LinkState.SYNCING for s in recorder.seen)
        assert not widget.error_label.isVisible()

        # A new intake while online is sent at once (the interval is an hour).
        receive_one(ctx, officer)
        worker.local_change()
        qtbot.waitUntil(lambda: ctx.sync.pending_count() == 0, timeout=SEEN_TIMEOUT_MS)
        wait_for_text(qtbot, widget, "Trực tuyến", "Chờ gửi: 0")

        # Down: an intake during the outage tries to go out, finds no server, and the
        # desk says so in Vietnamese; the next intake only adds to the count.
        server.kill()
        receive_one(ctx, officer)
        worker.local_change()
        wait_for_text(qtbot, widget, "Ngoại tuyến", "Không kết nối được máy chủ", "Chờ gửi: 1")
        shown = widget.snapshot
        assert shown is not None
        assert shown.last_error is not None
        assert shown.last_error_code == "sync.unreachable"
        assert widget.error_label.toolTip().endswith(shown.last_error)
        receive_one(ctx, officer)
        worker.local_change()
        wait_for_text(qtbot, widget, "Ngoại tuyến", "Chờ gửi: 2")
        assert widget.retry_label.isVisible()

        # Back up on the same database: nobody presses anything.
        server.start()
        wait_for_text(qtbot, widget, "Trực tuyến", "Chờ gửi: 0")
        assert ctx.sync.pending_count() == 0
        assert not widget.error_label.isVisible()
        assert not widget.retry_label.isVisible()
    finally:
        worker.stop()
    assert worker.thread().isFinished()


def test_sync_now_runs_a_round_at_once(
    qtbot: QtBot,
    window: QMainWindow,
    profiled_ctx: DeskContext,
    officer: Officer,
    server: DistrictServer,
) -> None:
    ctx = profiled_ctx
    ctx.sync.enroll(server.url, server.enrollment_code())
    worker = SyncWorker(ctx.sync, interval_s=3600)
    recorder = Recorder(worker)
    widget = SyncStatusWidget(worker)
    window.statusBar().addPermanentWidget(widget)
    window.show()
    worker.start()
    try:
        wait_for_text(qtbot, widget, "Trực tuyến", "Chờ gửi: 0")
        rounds_before = sum(s.state is LinkState.SYNCING for s in recorder.seen)
        receive_one(ctx, officer)  # no nudge: only the button can send it within the hour
        assert widget.sync_button.isEnabled()
        qtbot.mouseClick(widget.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: ctx.sync.pending_count() == 0, timeout=SEEN_TIMEOUT_MS)
        wait_for_text(qtbot, widget, "Trực tuyến", "Chờ gửi: 0")
        assert sum(s.state is LinkState.SYNCING for s in recorder.seen) == rounds_before + 1
        assert widget.sync_button.isEnabled()
    finally:
        worker.stop()
    assert worker.thread().isFinished()


def test_a_revoked_credential_is_trouble_on_a_live_link_not_offline(
    qtbot: QtBot, window: QMainWindow, server: DistrictServer, profiled_ctx: DeskContext
) -> None:
    ctx = profiled_ctx
    ctx.sync.enroll(server.url, server.enrollment_code())
    server.revoke()
    worker = SyncWorker(ctx.sync, backoff_base_s=5.0, backoff_cap_s=5.0)
    widget = SyncStatusWidget(worker)
    window.statusBar().addPermanentWidget(widget)
    window.show()
    worker.start()
    try:
        wait_for_text(qtbot, widget, "Trực tuyến", "cần đăng ký lại")
        shown = widget.snapshot
        assert shown is not None and shown.state is LinkState.ONLINE
        assert shown.last_error_code == "sync.unauthorized"
        assert ctx.sync.status().last_error_code == "sync.unauthorized"  # kept in the database
        assert TROUBLE_COLOR in widget.dot.styleSheet()
    finally:
        worker.stop()


def test_the_button_is_disabled_while_a_round_runs(qtbot: QtBot, profiled_ctx: DeskContext) -> None:
    worker = SyncWorker(profiled_ctx.sync)  # never started: snapshots are fed by hand
    widget = SyncStatusWidget(worker)
    qtbot.addWidget(widget)
    worker.status_changed.emit(SyncSnapshot(LinkState.SYNCING, 3, None, None, None))
    assert widget.state_label.text() == "Đang đồng bộ…"
    assert not widget.sync_button.isEnabled()
    assert widget.last_success_label.text() == "Lần cuối thành công: chưa lần nào"
    worker.status_changed.emit(
        SyncSnapshot(LinkState.ONLINE, 0, dt.datetime(2026, 11, 21, 7, 5), None, 30.0)
    )
    assert widget.sync_button.isEnabled()
    assert widget.last_success_label.text() == "Lần cuối thành công: 14:05 21/11"
    worker.stop()


def test_events_held_for_the_server_and_set_aside_show_beside_pending(
    qtbot: QtBot, profiled_ctx: DeskContext
) -> None:
    worker = SyncWorker(profiled_ctx.sync)  # never started: snapshots are fed by hand
    widget = SyncStatusWidget(worker)
    qtbot.addWidget(widget)
    worker.status_changed.emit(SyncSnapshot(LinkState.ONLINE, 2, None, None, 30.0))
    assert widget.pending_label.text() == "Chờ gửi: 2"
    worker.status_changed.emit(
        SyncSnapshot(LinkState.ONLINE, 2, None, None, 30.0, held=1, set_aside=3)
    )
    assert widget.pending_label.text() == "Chờ gửi: 2 · máy chủ cần cập nhật: 1 · để riêng: 3"
    assert "sau khi máy chủ được cập nhật" in widget.pending_label.toolTip()
    worker.stop()


@pytest.mark.parametrize(
    ("code", "raw", "shown"),
    [
        ("sync.unreachable", "ConnectError: [Errno 111]", "Không kết nối được máy chủ"),
        ("sync.server_error", "HTTP 503", "Máy chủ huyện đang gặp lỗi"),
        (
            "sync.tls",
            "CERTIFICATE_VERIFY_FAILED",
            "Không xác minh được chứng chỉ bảo mật của máy chủ",
        ),
        (
            "sync.unauthorized",
            "unknown token",
            "Máy chủ từ chối chứng thư của quầy — cần đăng ký lại",
        ),
        (
            "sync.rejected",
            "máy chủ huyện từ chối dữ liệu: bad event",
            "Máy chủ huyện từ chối dữ liệu: bad event",
        ),
        (
            "internal",
            "lỗi không lường trước (KeyError)",
            "Lỗi đồng bộ: lỗi không lường trước (KeyError)",
        ),
        # The wording never decides: an English "server unreachable" with another code
        # is not read as the network being down.
        ("sync.rejected", "server unreachable", "Server unreachable"),
    ],
)
def test_engine_errors_read_by_their_code(code: str, raw: str, shown: str) -> None:
    assert describe_error(code, raw) == shown


def test_times_show_in_commune_time() -> None:
    assert format_local(dt.datetime(2026, 11, 21, 17, 30)) == "00:30 22/11"


def test_a_narrow_status_bar_cuts_the_error_line_not_the_counts(
    qtbot: QtBot, window: QMainWindow, profiled_ctx: DeskContext
) -> None:
    worker = SyncWorker(profiled_ctx.sync)  # never started: snapshots are fed by hand
    widget = SyncStatusWidget(worker)
    window.statusBar().addPermanentWidget(widget)
    long_refusal = "máy chủ huyện từ chối dữ liệu: " + "trường 'received_at' không hợp lệ " * 6
    worker.status_changed.emit(
        SyncSnapshot(
            LinkState.ONLINE, 4, dt.datetime(2026, 11, 23, 2, 0), long_refusal, 2.0,
            last_error_code="sync.rejected",
        )
    )  # fmt: skip
    window.resize(640, 200)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: widget.error_label.width() > 0)

    for label in (widget.pending_label, widget.last_success_label, widget.state_label):
        assert label.width() >= label.sizeHint().width(), label.text()
    shown = widget.error_label.shown_text()
    assert shown.endswith("…")
    assert widget.error_label.text().startswith(shown[:-1])  # the whole line is kept
    assert long_refusal in widget.error_label.toolTip()
    worker.stop()
