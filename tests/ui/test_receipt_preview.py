"""The receipt preview (print, save a copy) and the lookup tab that reprints receipts.

The PDF is the real one the intake service issued; only the print and file dialogs are
fakes. "Printing" goes to a PDF file through the real painting code, read back here.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QLabel

from desk_app.context import DeskContext
from desk_app.intake import ApplicantInput, DocumentInput, IntakeRequest, IntakeResult
from tests.helpers.typing import type_text
from tests.ui.intake_fixtures import (
    CHAIR,
    CHAIR_TABS,
    OFFICER,
    FakeFileGateway,
    FakePrintGateway,
    fake_files,
    fake_printer,
    focused,
    log_in_directly,
    shows_a_window,
    staffed_ctx,
    staffed_template,
    wait_idle,
    window,
)
from ui.lookup import LookupScreen
from ui.main_window import MainWindow
from ui.operations import Changes, Operations
from ui.receipt_preview import ReceiptPreview

__all__ = ["fake_files", "fake_printer", "staffed_ctx", "staffed_template", "window"]

pytestmark = shows_a_window

CCCD = "079305001234"
MASKED = "0793******34"
PRINT_MS = 30_000


@pytest.fixture
def received(staffed_ctx: DeskContext) -> IntakeResult:
    """One dossier received through the real service, with its issued receipt: the
    papers as the officer wrote them (one A5 page per copy)."""
    request = IntakeRequest(
        procedure_code="1.001193",
        documents=(
            DocumentInput("Giấy chứng sinh", "original", 1),
            DocumentInput("Tờ khai đăng ký khai sinh", "original", 1),
            DocumentInput("Hộ chiếu/Thẻ căn cước công dân", "original", 1),
        ),
        applicant=ApplicantInput(
            name="Nguyễn Thị Ánh Tuyết",
            cccd=CCCD,
            date_of_birth=dt.date(2005, 3, 4),
            phone="0912345678",
            address="Ấp Bình Thạnh, xã Tân Phú",
        ),
    )
    return staffed_ctx.intake.receive(request, OFFICER)


@pytest.fixture
def ops() -> Iterator[Operations]:
    operations = Operations()
    yield operations
    operations.shutdown()


@pytest.fixture
def busy_database() -> Iterator[Any]:
    """Occupies an ``Operations``' database thread until the test ends (or ``set()``):
    a long report or import the officer started before the citizen asked for a print."""
    release = threading.Event()
    started = threading.Event()

    def occupy(operations: Operations) -> None:
        def long_job() -> bool:
            started.set()
            return release.wait(60)

        operations.run(long_job, lambda _r: None)
        assert started.wait(5), "the long job did not start"

    occupy.release = release  # type: ignore[attr-defined]
    yield occupy
    release.set()


def open_preview(
    qtbot: Any,
    result: IntakeResult,
    ops: Operations,
    printer: FakePrintGateway,
    files: FakeFileGateway,
) -> ReceiptPreview:
    preview = ReceiptPreview(result.receipt_pdf, result.dossier.code, ops, printer, files)
    qtbot.addWidget(preview)
    preview.show()
    return preview


def load_pdf(path: Path) -> QPdfDocument:
    document = QPdfDocument()
    document.load(str(path))
    assert document.status() == QPdfDocument.Status.Ready
    return document


# ------------------------------------------------------------------ preview


def test_preview_shows_the_issued_pdf(
    qtbot: Any,
    received: IntakeResult,
    ops: Operations,
    fake_printer: FakePrintGateway,
    fake_files: FakeFileGateway,
) -> None:
    preview = open_preview(qtbot, received, ops, fake_printer, fake_files)
    assert preview.page_count == 2
    assert preview.view.document() is preview.document
    assert preview.printer is not None  # kept for the dialog's lifetime
    assert received.dossier.code in preview.windowTitle()
    assert [
        b.text() for b in (preview.print_button, preview.save_button, preview.close_button)
    ] == [
        "&In…",
        "&Lưu PDF…",
        "Đó&ng",
    ]
    assert preview.print_button.isDefault()  # Enter prints


def test_printing_paints_every_page_on_white(
    qtbot: Any,
    received: IntakeResult,
    ops: Operations,
    fake_printer: FakePrintGateway,
    fake_files: FakeFileGateway,
) -> None:
    preview = open_preview(qtbot, received, ops, fake_printer, fake_files)
    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    assert preview.busy  # painting runs on the print thread
    assert not preview.close_button.isEnabled()
    qtbot.waitUntil(lambda: not preview.busy, timeout=PRINT_MS)

    assert fake_printer.dialogs == 1
    assert preview.message.text().startswith("Đã gửi 2 trang tới máy in")
    printed = load_pdf(fake_printer.output)
    assert printed.pageCount() == 2
    image = printed.render(0, printed.pagePointSize(0).toSize())
    width, height = image.width(), image.height()
    opaque = dark = total = 0
    for y in range(height // 4, 3 * height // 4, 3):
        for x in range(width // 4, 3 * width // 4, 3):
            colour = image.pixelColor(x, y)
            total += 1
            opaque += colour.alpha() == 255
            dark += colour.lightness() < 128
    assert opaque == total  # painted on white, not the transparent render
    assert 0.005 < dark / total < 0.4  # text and barcode, not a black page
    printed.close()


def test_printing_does_not_wait_behind_database_work(
    qtbot: Any,
    received: IntakeResult,
    ops: Operations,
    busy_database: Any,
    fake_printer: FakePrintGateway,
    fake_files: FakeFileGateway,
) -> None:
    preview = open_preview(qtbot, received, ops, fake_printer, fake_files)
    busy_database(ops)
    queued_after: list[bool] = []
    ops.run(lambda: True, queued_after.append)  # behind the long job

    qtbot.mouseClick(preview.print_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not preview.busy, timeout=PRINT_MS)
    assert preview.message.text().startswith("Đã gửi 2 trang tới máy in")
    assert load_pdf(fake_printer.output).pageCount() == 2
    assert queued_after == []  # the database thread is still on its long job
    busy_database.release.set()
    qtbot.waitUntil(lambda: queued_after == [True], timeout=PRINT_MS)


def test_cancelled_print_dialog_keeps_the_dossier(
    qtbot: Any,
    received: IntakeResult,
    ops: Operations,
    fake_printer: FakePrintGateway,
    fake_files: FakeFileGateway,
    staffed_ctx: DeskContext,
) -> None:
    fake_printer.accept = False
    preview = open_preview(qtbot, received, ops, fake_printer, fake_files)
    preview.print_receipt()
    assert fake_printer.dialogs == 1
    assert preview.message.text() == (
        "Đã hủy in. Hồ sơ vẫn được lưu; có thể in lại bất cứ lúc nào."
    )
    assert not fake_printer.output.exists()
    assert preview.isVisible()
    assert staffed_ctx.intake.get(received.dossier.code, OFFICER).applicant_cccd == CCCD


def test_no_printer_installed_says_so(
    qtbot: Any,
    received: IntakeResult,
    ops: Operations,
    fake_printer: FakePrintGateway,
    fake_files: FakeFileGateway,
) -> None:
    fake_printer.printers = False
    preview = open_preview(qtbot, received, ops, fake_printer, fake_files)
    preview.print_receipt()
    assert fake_printer.dialogs == 0
    assert "chưa cài máy in" in preview.message.text()
    assert "Lưu PDF" in preview.message.text()


def test_save_as_pdf_writes_the_receipt(
    qtbot: Any,
    received: IntakeResult,
    ops: Operations,
    fake_printer: FakePrintGateway,
    fake_files: FakeFileGateway,
    tmp_path: Path,
) -> None:
    fake_files.path = tmp_path / "ban-sao"  # the ".pdf" is added
    preview = open_preview(qtbot, received, ops, fake_printer, fake_files)
    qtbot.mouseClick(preview.save_button, Qt.MouseButton.LeftButton)
    assert fake_files.suggested == [f"{received.dossier.code}.pdf"]
    saved = tmp_path / "ban-sao.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    assert saved.read_bytes() == received.receipt_pdf
    assert preview.message.text() == f"Đã lưu {saved}"

    fake_files.path = None  # cancelled
    preview.save_pdf()
    assert preview.message.text() == "Chưa lưu tệp PDF."

    fake_files.path = tmp_path / "no-such-folder" / "x.pdf"
    preview.save_pdf()
    assert preview.message.text().startswith("Không lưu được tệp")


# ------------------------------------------------------------------ lookup and reprint


def lookup_screen(qtbot: Any, window: MainWindow, officer: Any) -> LookupScreen:
    log_in_directly(qtbot, window, officer)
    screen = window.lookup_screen
    assert screen is not None and window.tabs is not None
    # Ctrl+N brings the N-th tab to the front: the lookup's place depends on the role
    place = list(window.screens).index("lookup") + 1
    qtbot.keyClick(focused(), Qt.Key(Qt.Key.Key_0.value + place),
                   Qt.KeyboardModifier.ControlModifier)  # fmt: skip
    assert window.tabs.currentWidget() is screen
    wait_idle(qtbot, window)
    assert focused() is screen.code
    return screen


def all_texts(screen: LookupScreen) -> list[str]:
    texts = [label.text() for label in screen.findChildren(QLabel)]
    model = screen.today_model
    for row in range(model.rowCount()):
        for column in range(model.columnCount()):
            texts.append(str(model.index(row, column).data()))
    return texts


def test_scanned_code_shows_the_dossier_with_a_masked_cccd(
    qtbot: Any, window: MainWindow, received: IntakeResult
) -> None:
    screen = lookup_screen(qtbot, window, OFFICER)
    code = received.dossier.code
    assert screen.today_model.rowCount() == 1
    assert screen.today_model.index(0, 4).data() == MASKED

    type_text(qtbot, focused(), code + "\n")  # what a barcode scanner sends
    qtbot.waitUntil(lambda: screen.dossier is not None, timeout=PRINT_MS)

    facts = {key: label.text() for key, label in screen.fact_labels.items()}
    assert facts["code"] == code
    assert facts["status"] == "Đã tiếp nhận"
    assert facts["procedure"] == "Thủ tục đăng ký khai sinh (1.001193)"
    assert facts["applicant"] == "Nguyễn Thị Ánh Tuyết"
    assert facts["cccd"] == MASKED
    assert facts["received"] == "09 giờ 00 phút, ngày 23 tháng 11 năm 2026"
    assert facts["due"] == "17 giờ 00 phút, ngày 23 tháng 11 năm 2026"
    assert not any(CCCD in text for text in all_texts(screen))
    assert screen.code.selectedText() == code  # the next scan replaces it

    with qtbot.waitSignal(window.receipt_shown, timeout=PRINT_MS) as shown:
        qtbot.mouseClick(screen.reprint_button, Qt.MouseButton.LeftButton)
    preview = shown.args[0]
    assert isinstance(preview, ReceiptPreview)
    assert preview.code == code
    assert preview.pdf == received.receipt_pdf  # exactly as issued
    assert preview.page_count == 2
    preview.reject()
    wait_idle(qtbot, window)


def test_unknown_code_says_not_found(qtbot: Any, window: MainWindow) -> None:
    screen = lookup_screen(qtbot, window, OFFICER)
    type_text(qtbot, focused(), "000.20.33.H12-261123-9999\n")
    qtbot.waitUntil(lambda: not screen.busy and screen.message.isVisible(), timeout=PRINT_MS)
    assert screen.message.text() == "Không tìm thấy hồ sơ mã “000.20.33.H12-261123-9999”."
    assert screen.details.isHidden()


def test_chair_looks_up_and_reprints(
    qtbot: Any, window: MainWindow, received: IntakeResult
) -> None:
    screen = lookup_screen(qtbot, window, CHAIR)
    assert window.tab_titles() == CHAIR_TABS
    screen.code.setText(received.dossier.code)
    qtbot.keyClick(screen.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.dossier is not None, timeout=PRINT_MS)
    assert screen.reprint_button.isVisible()
    with qtbot.waitSignal(window.receipt_shown, timeout=PRINT_MS):
        screen.reprint()
    wait_idle(qtbot, window)


def test_reprint_does_not_wait_behind_database_work(
    qtbot: Any, window: MainWindow, received: IntakeResult, busy_database: Any
) -> None:
    screen = lookup_screen(qtbot, window, OFFICER)
    screen.code.setText(received.dossier.code)
    qtbot.keyClick(screen.code, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: screen.dossier is not None, timeout=PRINT_MS)
    busy_database(window.ops)
    # the stored receipt is a quick read on the print thread
    with qtbot.waitSignal(window.receipt_shown, timeout=PRINT_MS) as shown:
        screen.reprint()
    assert shown.args[0].pdf == received.receipt_pdf
    assert window.ops.busy  # the long job still runs
    busy_database.release.set()
    wait_idle(qtbot, window)


def another_request() -> IntakeRequest:
    return IntakeRequest(
        procedure_code="1.001193",
        applicant=ApplicantInput(
            name="Lê Thị Hồng", cccd="079305001235", address="Ấp Bình Thạnh, xã Tân Phú"
        ),
    )


def test_todays_list_follows_the_reported_changes(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, received: IntakeResult
) -> None:
    screen = lookup_screen(qtbot, window, OFFICER)
    assert screen.today_model.rowCount() == 1
    request = another_request()
    intake = staffed_ctx.intake
    # An operation that declares no change leaves the list alone (no blind refresh)...
    window.ops.run(lambda: intake.receive(request, OFFICER), lambda _r: None)
    wait_idle(qtbot, window)
    assert screen.today_model.rowCount() == 1
    # ...an operation that says dossiers changed refreshes it, with no wiring in between.
    window.ops.report(Changes(dossiers=True))
    qtbot.waitUntil(lambda: screen.today_model.rowCount() == 2, timeout=PRINT_MS)
    assert "(2)" in screen.today_title.text()


def test_dossiers_pulled_by_the_sync_refresh_todays_list(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, received: IntakeResult
) -> None:
    screen = lookup_screen(qtbot, window, OFFICER)
    worker = window.sync_worker
    assert worker is not None
    request = another_request()
    staffed_ctx.intake.receive(request, OFFICER)  # as applying another desk's events would
    assert screen.today_model.rowCount() == 1
    worker.pulled.emit(1)  # what the sync thread emits after such a round
    qtbot.waitUntil(lambda: screen.today_model.rowCount() == 2, timeout=PRINT_MS)


def test_intake_refreshes_todays_list(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, received: IntakeResult
) -> None:
    screen = lookup_screen(qtbot, window, OFFICER)
    assert screen.today_model.rowCount() == 1
    assert "(1)" in screen.today_title.text()
    # the dossier list is a service call, not SQL in the widget: reload after a change
    assert staffed_ctx.intake.list_received(OFFICER)[0].code == received.dossier.code


def test_lookup_shows_the_timeline_with_a_lost_transition_struck_out(
    qtbot: Any, window: MainWindow, staffed_ctx: DeskContext, received: IntakeResult
) -> None:
    """Desk 2 withdrew the dossier first (server order); our later "result ready" stays in
    the timeline, struck out as not applied."""
    from desk_app.clock import utc_naive
    from desk_app.events import envelope
    from desk_app.sync.engine import apply_page

    ctx = staffed_ctx
    code = received.dossier.code
    ctx.lifecycle.change_status(code, "result_ready", OFFICER)
    with ctx.db.read() as s:
        from sqlalchemy import select

        from desk_app.db.models import Event

        ours = list(s.scalars(select(Event).order_by(Event.seq)))
    feed = [{**envelope(e), "server_seq": n} for n, e in enumerate(ours[:1], 1)]
    withdrawal = {
        **envelope(ours[-1]),
        "uuid": "0190f3a2-0000-7000-8000-000000000002",
        "payload": {"from": "received", "to": "withdrawn", "note": "", "at": "2026-11-23T08:59:00"},
        "actor": "binh.tv",
        "origin": {"agency_code": "000.20.33.H12", "desk": 2},
        "origin_seq": 1,
        "server_seq": 2,
    }
    feed.append(withdrawal)
    feed.append({**envelope(ours[-1]), "server_seq": 3})
    with ctx.db.write() as s:
        apply_page(s, feed, "000.20.33.H12", 1, utc_naive(ctx.clock))

    screen = lookup_screen(qtbot, window, OFFICER)
    screen.code.setText(code)
    qtbot.keyClick(screen.code, Qt.Key.Key_Return)
    label = screen.fact_labels["timeline"]
    qtbot.waitUntil(lambda: "Tiếp nhận hồ sơ" in label.text(), timeout=PRINT_MS)
    text = label.text()
    assert screen.fact_labels["status"].text() == "Rút hồ sơ"
    assert "Chuyển sang: Rút hồ sơ · binh.tv (quầy 2)" in text
    assert "<s>" in text and "Có kết quả" in text.split("<s>")[1]
    assert "không áp dụng" in text
    wait_idle(qtbot, window)
