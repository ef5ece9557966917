"""The intake screen (tiếp nhận hồ sơ): its controller, and the view and controller together.

``IntakeController`` takes its view (``ui.intake_view.IntakeView``) and drives it. After
every edit the request is checked with ``desk_app.intake.validate`` — pure, against the
procedures loaded once in the background, so a keystroke never waits for the database —
and each fault is shown in red under its field, but only for fields the officer has
already left, or after a save attempt; "Lưu và in giấy hẹn" stays disabled until the
dossier is valid. Saving runs on the database thread; on success the receipt preview
opens and the form is cleared for the next citizen; on failure nothing typed is lost.

The procedures are loaded again when an operation reports a catalogue change (and each
minute: a new catalogue version may take effect at midnight); the appointment is
recomputed when the calendar or the profile changes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QLineEdit, QWidget

from desk_app.auth import Officer
from desk_app.catalogue import ProcedureInfo
from desk_app.clock import Clock, local_now
from desk_app.errors import user_message
from desk_app.forms.vn_format import format_vn_datetime
from desk_app.intake import (
    ApplicantInput,
    EarlierDossier,
    IntakeRequest,
    IntakeResult,
    IntakeService,
    IntakeValidationError,
    RepresentativeInput,
    Validation,
    checklist,
    short_name,
    validate,
)
from desk_app.intake_outcomes import IntakeOutcomeService, OutcomeView, Visitor
from desk_app.lifecycle import LifecycleService
from desk_app.text import normalize_name
from desk_app.vocabulary import DOCUMENT_KIND_LABELS, duration_text
from ui.fields import format_vn_date_short, parse_vn_date
from ui.form_printing import OUTCOME_FORMS, ShowPdf, form_title
from ui.intake_correction import CorrectionFlow
from ui.intake_outcome import GuideDialog, RefuseDialog
from ui.intake_view import Draft, IntakeView
from ui.operations import Changes, Operations
from ui.tab_screen import TabScreen

_DOCUMENT_PATH = re.compile(r"^documents\[(\d+)\]\.(\w+)$")
DUE_REFRESH_MS = 60_000
#: what storing a dossier changes: the lists of dossiers, and the events to send
RECEIVED = Changes(dossiers=True, outbox=True)


class IntakeController(QObject):
    """Receives one dossier after another for ``officer``, through ``view``."""

    #: a dossier was stored (``DossierView``)
    dossier_received = Signal(object)

    def __init__(
        self,
        view: IntakeView,
        intake: IntakeService,
        clock: Clock,
        officer: Officer,
        ops: Operations,
        show_receipt: ShowPdf,
        outcomes: IntakeOutcomeService | None = None,
        outcome_pdf: Callable[[OutcomeView], bytes | None] | None = None,
        lifecycle: LifecycleService | None = None,
    ) -> None:
        super().__init__(view)
        #: corrections of a received dossier (with the lifecycle's service)
        self.correction = (
            CorrectionFlow(intake, lifecycle, officer, ops, show_receipt, view)
            if lifecycle is not None
            else None
        )
        self.last_saved: str | None = None
        self._outcomes = outcomes
        self._outcome_pdf = outcome_pdf
        #: the Form 02 / Form 03 dialog while it is open
        self.outcome_dialog: QDialog | None = None
        self.view = view
        self._intake = intake
        self._clock = clock
        self._officer = officer
        self._ops = ops
        self._show_receipt = show_receipt
        self._saving = False
        self._loaded = False
        self._due_ticket = 0
        self._procedures: dict[str, ProcedureInfo] = {}
        self._validation = Validation(())
        self._ui_errors: dict[str, str] = {}
        self._undo_draft: Draft | None = None
        self._pending_draft: Draft | None = None
        self.procedure: ProcedureInfo | None = None
        self.due_at: dt.datetime | None = None
        #: (CCCD, procedure code) last looked up, and the earlier dossiers found for it
        self._earlier_key: tuple[str, str] | None = None
        self.earlier: list[EarlierDossier] = []

        view.edited.connect(self.revalidate)
        view.touches.touched.connect(self._field_left)
        view.picker.picked.connect(self._picked)
        view.save_requested.connect(self.save)
        view.new_requested.connect(self.new_dossier)
        view.restore_requested.connect(self.restore_cleared)
        view.guide_requested.connect(self.guide)
        view.correct_requested.connect(self.correct_last)
        view.refuse_requested.connect(self.refuse)
        ops.changed.connect(self._on_changed)

        self.due_timer = QTimer(self)
        self.due_timer.setObjectName("dueTimer")
        # The clock may cross the same-day cut-off (15:00) while the citizen is served.
        self.due_timer.setInterval(DUE_REFRESH_MS)
        self.due_timer.timeout.connect(self._tick)
        self.due_timer.start()

        self._set_procedure(None)
        self.load_procedures()

    # ------------------------------------------------------------------ procedures, due date

    def load_procedures(self) -> None:
        self._ops.run(self._intake.procedures, self._procedures_loaded, self._load_failed)

    def _procedures_loaded(self, procedures: list[ProcedureInfo]) -> None:
        self._loaded = True
        self._procedures = {p.code: p for p in procedures}
        self.view.picker.set_procedures(procedures)
        if self.procedure is not None and self._procedures.get(self.procedure.code) is None:
            self._set_procedure(None)
        self.revalidate()
        pending, self._pending_draft = self._pending_draft, None
        if pending is not None:
            self.restore_kept(pending)

    def _load_failed(self, exc: BaseException) -> None:
        self.view.show_banner(
            self.tr("Không tải được danh mục thủ tục: {0}").format(user_message(exc)), "error"
        )

    @property
    def procedures_loaded(self) -> bool:
        return self._loaded

    def _on_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.catalogue:
            self.load_procedures()
        if changes.calendar or changes.profile:
            self.refresh_due()

    def _picked(self, procedure: ProcedureInfo) -> None:
        self._set_procedure(procedure)
        self.view.name.setFocus(Qt.FocusReason.TabFocusReason)

    def _set_procedure(self, procedure: ProcedureInfo | None) -> None:
        self.procedure = procedure
        self.view.picker.set_current(procedure)
        if procedure is None:
            chosen = self.tr("Chưa chọn thủ tục — gõ tên thủ tục ở ô bên trái")
            self.view.show_procedure(chosen, ())
        else:
            chosen = self.tr("{0} ({1}) · Thời hạn: {2}").format(
                procedure.name, procedure.code, duration_text(procedure.duration)
            )
            self.view.show_procedure(chosen, checklist(procedure))
        self.refresh_due()
        self.check_earlier()
        self.revalidate()

    def refresh_due(self) -> None:
        """Recompute the appointment shown (on the database thread: the calendar is built
        from the holidays package and the administrator's overrides)."""
        self._due_ticket += 1
        ticket = self._due_ticket
        procedure = self.procedure
        if procedure is None:
            self.due_at = None
            self.view.due_label.setText(self.tr("Hẹn trả: chọn thủ tục để tính ngày hẹn"))
            return
        intake = self._intake
        self._ops.run(
            lambda: intake.preview_due(procedure),
            lambda due: self._due_ready(ticket, due),
            lambda exc: self._due_failed(ticket, exc),
        )

    def _due_ready(self, ticket: int, due: dt.datetime | None) -> None:
        if ticket != self._due_ticket:
            return  # the procedure changed meanwhile
        self.due_at = due
        if due is None:
            self.view.due_label.setText(self.tr("Hẹn trả: Không có ngày hẹn trả cụ thể"))
        else:
            self.view.due_label.setText(self.tr("Hẹn trả: {0}").format(format_vn_datetime(due)))

    def _due_failed(self, ticket: int, exc: BaseException) -> None:
        if ticket == self._due_ticket:
            self.view.due_label.setText(
                self.tr("Hẹn trả: không tính được ({0})").format(user_message(exc))
            )

    def _tick(self) -> None:
        if self._ops.stopped:
            return  # the window closed; this screen lives on until Qt deletes it
        self.refresh_due()
        # the catalogue in force may change at midnight (a new version takes effect)
        self._ops.run(self._intake.procedures, self._procedures_checked)

    def _procedures_checked(self, procedures: list[ProcedureInfo]) -> None:
        if [p.id for p in procedures] != [p.id for p in self._procedures.values()]:
            self._procedures_loaded(procedures)

    # ------------------------------------------------------------------ the request

    def _date_of_birth(self) -> tuple[dt.date | None, str | None]:
        try:
            return parse_vn_date(self.view.dob.text()), None
        except ValueError:
            return None, self.tr("Ngày sinh dạng ngày/tháng/năm, ví dụ 04/03/2005.")

    def request(self) -> IntakeRequest:
        """What the form holds now, as the intake service takes it."""
        draft = self.view.draft()
        dob, _error = self._date_of_birth()
        representative = None
        if draft.has_representative:
            representative = RepresentativeInput(
                draft.representative_name, draft.representative_cccd, draft.representative_phone
            )
        return IntakeRequest(
            procedure_code=self.procedure.code if self.procedure else "",
            applicant=ApplicantInput(
                name=draft.name,
                cccd=draft.cccd,
                date_of_birth=dob,
                phone=draft.phone,
                address=draft.address,
                email=draft.email.strip() or None,
            ),
            representative=representative,
            channel=draft.channel,
            # only the ticked lines: the documents received, as Form 01 lists them
            documents=self.view.documents_model.documents() if self.procedure else (),
            sets_count=draft.sets_count,
            notes=draft.notes,
        )

    @property
    def validation(self) -> Validation:
        return self._validation

    @property
    def valid(self) -> bool:
        return self._validation.ok and not self._ui_errors and self.procedure is not None

    def _field_left(self, widget: QWidget) -> None:
        view = self.view
        if widget in (view.name, view.rep_name) and isinstance(widget, QLineEdit):
            # "nguyễn thị ánh tuyết" → "Nguyễn Thị Ánh Tuyết", as it will be stored
            text = widget.text()
            tidy = normalize_name(text)
            if tidy != text:
                widget.setText(tidy)
        elif widget is view.dob:
            day, error = self._date_of_birth()
            if day is not None and error is None:
                view.dob.setText(format_vn_date_short(day))
        elif widget is view.cccd:
            self.check_earlier()
        self.revalidate()

    # ------------------------------------------------------------------ same citizen

    def check_earlier(self) -> None:
        """Look up (on the database thread) the same CCCD with the same procedure in the
        last 30 days: shown as a warning under the CCCD, never a block."""
        cccd = self.view.cccd.text().strip()
        procedure = self.procedure
        if procedure is None or not re.fullmatch(r"\d{12}", cccd):
            self._earlier_key, self.earlier = None, []
            return
        key = (cccd, procedure.code)
        if key == self._earlier_key:
            return
        self._earlier_key = key
        intake = self._intake
        self._ops.run(
            lambda: intake.recent_same(*key),
            lambda found: self._earlier_found(key, found),
        )

    def _earlier_found(self, key: tuple[str, str], found: list[EarlierDossier]) -> None:
        if key != self._earlier_key:
            return  # the CCCD or the procedure changed meanwhile
        self.earlier = found
        self.revalidate()

    def _earlier_warning(self) -> str | None:
        cccd = self.view.cccd.text().strip()
        key = (cccd, self.procedure.code) if self.procedure else None
        if not self.earlier or key != self._earlier_key:
            return None
        return self.earlier[0].warning().message

    # ------------------------------------------------------------------ checklist

    def _show_checklist(self) -> None:
        if self.procedure is None:
            self.view.show_checklist("", True)
            return
        rows = self.view.documents_model.rows()
        required = [r for r in rows if r.required]
        missing = [r for r in required if not r.received]
        head = self.tr("Giấy tờ bắt buộc: đã nhận {0}/{1}").format(
            len(required) - len(missing), len(required)
        )
        if not missing:
            self.view.show_checklist(head + self.tr(" — đủ để tiếp nhận."), True)
            return
        names = "; ".join(
            self.tr("{0} ({1}, {2})").format(
                short_name(r.name, 48), DOCUMENT_KIND_LABELS.get(r.kind, r.kind).lower(), r.count
            )
            for r in missing
        )
        text = self.tr(
            "{0} — CÒN THIẾU {1}: {2}. Chưa cấp được giấy tiếp nhận: hướng dẫn bổ sung "
            "(Mẫu 02) hoặc từ chối (Mẫu 03)."
        ).format(head, len(missing), names)
        self.view.show_checklist(text, False)

    def revalidate(self) -> Validation:
        """Check the form and show each message under its field (touched fields only)."""
        request = self.request()
        procedure = self._procedures.get(request.procedure_code)
        validation = validate(request, procedure, local_now(self._clock))
        self._validation = validation
        ui_errors: dict[str, str] = {}
        _dob, dob_error = self._date_of_birth()
        if dob_error:
            ui_errors["applicant.date_of_birth"] = dob_error
        self._ui_errors = ui_errors
        errors: dict[str, str] = {}
        for error in validation.errors:
            path, message = self._place(error.field, error.message)
            errors.setdefault(path, message)
        errors.update(ui_errors)
        warnings: dict[str, str] = {}
        for warning in validation.warnings:
            warnings.setdefault(self._place(warning.field, warning.message)[0], warning.message)
        earlier = self._earlier_warning()
        if earlier is not None:
            warnings["applicant.cccd"] = earlier  # more useful than a province-code doubt
        self.view.show_messages(errors, warnings)
        self._show_checklist()
        self.view.save_button.setEnabled(self.valid and not self._saving)
        return validation

    def _place(self, field: str, message: str) -> tuple[str, str]:
        """Where a service message goes: ``documents[2].name`` → the documents table."""
        match = _DOCUMENT_PATH.match(field)
        if match:
            # the request holds the ticked lines only: name the line as the table numbers it
            ticked = [k for k, r in enumerate(self.view.documents_model.rows()) if r.received]
            index = int(match.group(1))
            line = ticked[index] + 1 if index < len(ticked) else index + 1
            return "documents", self.tr("Dòng {0}: {1}").format(line, message)
        if field in self.view.messages:
            return field, message
        return "procedure_code", message

    # ------------------------------------------------------------------ saving

    @property
    def saving(self) -> bool:
        return self._saving

    def save(self) -> None:
        """Ctrl+S: store the dossier (on the database thread), then open the receipt."""
        if self._saving:
            return
        self.view.documents.commit_open_editor()
        self.view.touches.touch_all()
        self.revalidate()
        if not self.valid:
            self._focus_first_error()
            self.view.show_banner(
                self.tr("Hồ sơ chưa đủ: sửa các ô có chữ đỏ rồi lưu lại."), "error"
            )
            return
        request = self.request()
        officer = self._officer
        intake = self._intake
        self._set_saving(True)
        self._ops.run(
            lambda: intake.receive(request, officer),
            self._saved,
            self._save_failed,
            changes=RECEIVED,
            initiator=self,
        )

    def _saved(self, result: IntakeResult) -> None:
        self._set_saving(False)
        dossier = result.dossier
        self._clear()
        due = (
            format_vn_datetime(dossier.due_at)
            if dossier.due_at
            else self.tr("không có ngày hẹn trả cụ thể")
        )
        self.view.show_banner(
            self.tr("Đã lưu hồ sơ {0} của {1} — hẹn trả {2}.").format(
                dossier.code, dossier.applicant_name, due
            ),
            "info",
        )
        self.last_saved = dossier.code
        self.view.correct_button.setVisible(self.correction is not None)
        self.view.search.setFocus(Qt.FocusReason.OtherFocusReason)
        self.dossier_received.emit(dossier)
        self._show_receipt(result.receipt_pdf, dossier.code)

    def _save_failed(self, exc: BaseException) -> None:
        self._set_saving(False)
        if isinstance(exc, IntakeValidationError):
            self.revalidate()
            details = "; ".join(e.message for e in exc.errors)
            self.view.show_banner(self.tr("Chưa lưu: {0}").format(details), "error")
            self._focus_first_error()
        else:
            self.view.show_banner(
                self.tr(
                    "Chưa lưu được hồ sơ: {0}. Dữ liệu đã nhập vẫn còn — thử lại bằng Ctrl+S."
                ).format(user_message(exc)),
                "error",
            )
            self.view.save_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        self.view.set_saving(saving, self.valid)

    def _focus_first_error(self) -> None:
        if not self.view.focus_first_error() and self.procedure is None:
            self.view.focus_first()

    # ------------------------------------------------------------------ corrections

    def correct_last(self) -> None:
        """Correct the applicant's fields of the dossier just saved, then reprint Form 01."""
        if self.correction is None or self.last_saved is None:
            return
        self.correction.open(
            self.last_saved,
            lambda exc: self.view.show_banner(
                self.tr("Không mở được hồ sơ để sửa: {0}").format(user_message(exc)), "error"
            ),
        )

    # ------------------------------------------------------------------ not received

    def _visitor(self) -> Visitor | None:
        """Who came, for what: Forms 02 and 03 need the procedure and a name at least."""
        name = normalize_name(self.view.name.text())
        if self.procedure is None or not name:
            self.view.touches.touch_all()
            self.revalidate()
            self.view.show_banner(
                self.tr("Chọn thủ tục và nhập họ tên người nộp trước khi lập phiếu."), "error"
            )
            self._focus_first_error()
            return None
        cccd = self.view.cccd.text().strip()
        return Visitor(
            procedure_code=self.procedure.code,
            applicant_name=name,
            applicant_cccd=cccd if re.fullmatch(r"\d{12}", cccd) else "",
            applicant_phone=self.view.phone.text(),
            applicant_address=" ".join(self.view.address.text().split()),
        )

    def guide(self) -> None:
        """Form 02: the citizen is guided to complete; nothing is received, no clock."""
        visitor = self._visitor() if not self._saving and self._outcomes else None
        if visitor is None or self._outcomes is None:
            return
        outcomes, officer = self._outcomes, self._officer
        dialog = GuideDialog(visitor.applicant_name, self.view.documents_model.missing(), self.view)

        def accepted() -> None:
            items, note = dialog.items(), dialog.note_text()
            self._record(lambda: outcomes.guide(visitor, officer, items=items, note=note))

        self._open(dialog, accepted)

    def refuse(self) -> None:
        """Form 03: the dossier is refused with its reason."""
        visitor = self._visitor() if not self._saving and self._outcomes else None
        if visitor is None or self._outcomes is None:
            return
        outcomes, officer = self._outcomes, self._officer
        dialog = RefuseDialog(visitor.applicant_name, self.view)

        def accepted() -> None:
            reason = dialog.reason_text()
            self._record(lambda: outcomes.refuse(visitor, officer, reason=reason))

        self._open(dialog, accepted)

    def _open(self, dialog: QDialog, accepted: Callable[[], None]) -> None:
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _r: self._dialog_closed(dialog))
        self.outcome_dialog = dialog
        dialog.open()

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.outcome_dialog is dialog:
            self.outcome_dialog = None
        dialog.deleteLater()

    def _record(self, fn: Callable[[], OutcomeView]) -> None:
        printer = self._outcome_pdf

        def work() -> tuple[OutcomeView, bytes | None]:
            outcome = fn()
            return outcome, printer(outcome) if printer is not None else None

        self._set_saving(True)
        self._ops.run(work, self._recorded, self._save_failed, changes=RECEIVED, initiator=self)

    def _recorded(self, result: tuple[OutcomeView, bytes | None]) -> None:
        outcome, pdf = result
        self._set_saving(False)
        self._clear()
        if outcome.kind == "guided":
            text = self.tr(
                "Đã ghi nhận: hướng dẫn {0} bổ sung {1} giấy tờ — hồ sơ chưa được tiếp nhận, "
                "không tính hạn."
            ).format(outcome.applicant_name, len(outcome.items))
            form = self.tr("Mẫu 02")
        else:
            text = self.tr("Đã ghi nhận: từ chối tiếp nhận hồ sơ của {0}.").format(
                outcome.applicant_name
            )
            form = self.tr("Mẫu 03")
        if pdf is None:
            text += " " + self.tr("Chưa in được {0}.").format(form)
        self.view.show_banner(text, "info" if pdf is not None else "warning")
        self.view.search.setFocus(Qt.FocusReason.OtherFocusReason)
        if pdf is not None:
            number = OUTCOME_FORMS[outcome.kind]
            self._show_receipt(pdf, form, form_title(number, outcome.applicant_name))

    # ------------------------------------------------------------------ new dossier

    def draft(self) -> Draft:
        return replace(
            self.view.draft(), procedure_code=self.procedure.code if self.procedure else None
        )

    def new_dossier(self) -> None:
        """Ctrl+N: an empty form; what was there can be restored with one click."""
        if self._saving:
            return
        draft = self.draft()
        self._clear()
        if not draft.is_empty:
            self._undo_draft = draft
            self.view.show_banner(self.tr("Đã xóa biểu mẫu cho hồ sơ mới."), "warning")
            self.view.restore_button.show()
        self.view.focus_first()

    def restore_cleared(self) -> None:
        if self._undo_draft is not None:
            self.restore(self._undo_draft)
            self._undo_draft = None
        self.view.hide_banner()

    def restore_kept(self, draft: Draft) -> None:
        """A draft kept at the last logout or close; after the procedures have loaded
        (its procedure is looked up among them)."""
        if not self._loaded:
            self._pending_draft = draft
            return
        self.restore(draft)
        self.view.show_banner(
            self.tr("Đã mở lại hồ sơ anh/chị đang nhập dở lần trước; kiểm tra rồi lưu."),
            "warning",
        )

    def restore(self, draft: Draft) -> None:
        self.view.search.setText(draft.search)
        code = draft.procedure_code
        self._set_procedure(self._procedures.get(code) if code else None)
        self.view.fill(draft)
        self.revalidate()

    def _clear(self) -> None:
        self.view.clear_fields()
        self._set_procedure(None)


class IntakeScreen(IntakeView, TabScreen):
    """The intake tab: the view, driven by its controller."""

    def __init__(
        self,
        intake: IntakeService,
        clock: Clock,
        officer: Officer,
        ops: Operations,
        show_receipt: ShowPdf,
        parent: QWidget | None = None,
        *,
        outcomes: IntakeOutcomeService | None = None,
        outcome_pdf: Callable[[OutcomeView], bytes | None] | None = None,
        lifecycle: LifecycleService | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = IntakeController(
            self, intake, clock, officer, ops, show_receipt, outcomes, outcome_pdf, lifecycle
        )

    # What the main window and the tests ask of the screen as a whole.

    @property
    def procedure(self) -> ProcedureInfo | None:
        return self.controller.procedure

    @property
    def procedures_loaded(self) -> bool:
        return self.controller.procedures_loaded

    @property
    def saving(self) -> bool:
        return self.controller.saving

    @property
    def validation(self) -> Validation:
        return self.controller.validation

    @property
    def due_timer(self) -> QTimer:
        return self.controller.due_timer

    def save(self) -> None:
        self.controller.save()

    def revalidate(self) -> Validation:
        return self.controller.revalidate()

    def request(self) -> IntakeRequest:
        return self.controller.request()

    def screen_shown(self) -> None:
        """The tab came to the front: the procedure search takes the keyboard."""
        self.focus_first()

    # What the main window asks before the session's screens go (logout, closing).

    def has_unsaved(self) -> bool:
        """Whether the form holds something typed that no save has stored."""
        return not self.controller.draft().is_empty

    def kept_draft(self) -> dict[str, object]:
        """The form as the officer's draft (``IntakeService.save_draft``)."""
        return self.controller.draft().to_json()

    def restore_kept(self, payload: Mapping[str, Any]) -> None:
        """The officer's kept draft back in the form (with a line saying so)."""
        self.controller.restore_kept(Draft.from_json(payload))
