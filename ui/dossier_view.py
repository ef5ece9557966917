"""One dossier's whole picture (xem hồ sơ): its facts, who holds it now, the due date with
a traffic light, the pauses, the timeline, and the actions its state and the officer's
role allow.

Opened from anywhere through ``SessionServices.open_dossier(code)`` (a search result, a
scanned receipt, the return desk). The data is read on the database thread
(``load_details``); an action runs there too, then the view reloads itself.

The traffic light is a symbol and words as well as a colour (●/▲/■: in time, due soon,
overdue), so that it reads in black and white and for colour-blind officers.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desk_app.auth import Officer, Permission
from desk_app.clock import LOCAL_ZONE, local_now
from desk_app.dossiers import Projection
from desk_app.errors import DossierNotFoundError
from desk_app.forms.vn_format import format_vn_datetime
from desk_app.intake import DossierView
from desk_app.lifecycle import TimelineEntry
from desk_app.vocabulary import STATUS_LABELS, status_label
from ui.dossier_view_actions import (
    ACTIONS,
    DEFAULT_RATINGS,
    ActionDialog,
    ActionOutcome,
    ActionRunner,
    ActionSpec,
    ActionValues,
    action_label,
    allowed_actions,
)
from ui.form_printing import FormPrinter, ShowPdf, form_title
from ui.operations import Changes, Operations
from ui.style import BANNER_STYLES, ERROR_COLOR, SUCCESS_COLOR, WARNING_COLOR, heading_font

#: opens the correction of dossier ``code``; errors go to the callback
CorrectionOpener = Callable[[str, Callable[[BaseException], None]], None]

__all__ = ["DUE_SOON_DAYS", "DossierDetails", "DossierDialog", "due_state", "load_details"]

#: "due soon" when the appointment is at most this many days away, where the commune's
#: working-day window is not known
DUE_SOON_DAYS = 2
_CLOSED = frozenset({"result_ready", "returned", "withdrawn", "stopped", "refused", "guided"})
CLASSIFICATION_LABELS = {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}


@dataclass(frozen=True)
class DossierDetails:
    """What the view shows, read in one go on the database thread."""

    dossier: DossierView
    projection: Projection
    timeline: list[TimelineEntry]
    now: dt.datetime
    #: who a hand-over may go to (the administrator's directory)
    receivers: tuple[str, ...] = ()
    #: the commune's satisfaction scale
    ratings: tuple[str, ...] = ()
    #: whether the officer has a counted step of their own to annul
    can_annul: bool = False
    #: the last day that counts as "due soon" (the commune's warning window, working days)
    soon_until: dt.date | None = None
    #: writes the audit entry of this view (on the database thread); whoever shows these
    #: details calls it right after showing them, so that the officer does not wait for
    #: its durable commit. ``None``: nothing to record.
    record_view: Callable[[], object] | None = None


def load_details(ctx: object, officer: Officer, code: str) -> DossierDetails:
    """Read a dossier for the view (runs on the database thread). The view's audit entry
    is ``DossierDetails.record_view``, for the caller to run once the dossier is shown.

    ``code`` may be a scanned code in another letter case.
    """
    from desk_app.context import DeskContext

    assert isinstance(ctx, DeskContext)
    try:
        view = ctx.intake.find(code, officer)
    except DossierNotFoundError:
        found = ctx.search.find_code(code, officer)  # scanned with caps lock on
        if found is None:
            raise
        view = ctx.intake.find(found, officer)
    projection, timeline = ctx.lifecycle.course(view.code)
    settings = ctx.settings.get()
    now = local_now(ctx.clock)
    own_steps = [
        e for e in timeline
        if e.actor == officer.username and e.applied and not e.annulled
        and e.kind not in ("dossier.received", "dossier.step_annulled")
    ]  # fmt: skip
    intake = ctx.intake
    return DossierDetails(
        view,
        projection,
        timeline,
        now,
        tuple(r.name for r in ctx.directory.list()),
        tuple(settings.rating_scale),
        bool(own_steps),
        ctx.profiles.calendar().add_working_days(now.date(), settings.warning_days),
        lambda: intake.record_view(view.code, officer),
    )


def due_state(
    now: dt.datetime,
    due_at: dt.datetime | None,
    status: str,
    soon_until: dt.date | None = None,
) -> tuple[str, str]:
    """``(state, words)``: state is ``on_track``, ``soon``, ``overdue``, ``paused``,
    ``closed`` (a result exists or the dossier ended) or ``none`` (no appointment).

    "Soon" is an appointment on or before ``soon_until`` (the commune's warning window
    in working days, as the chair's backlog counts it); without it, ``DUE_SOON_DAYS``
    calendar days."""
    if status in _CLOSED:
        return "closed", "Đã có kết quả hoặc đã kết thúc: không còn tính hạn"
    if status == "waiting_supplement":
        return "paused", "Tạm dừng tính hạn: đang chờ công dân bổ sung"
    if due_at is None:
        return "none", "Không có ngày hẹn trả cụ thể"
    days = (due_at.date() - now.date()).days
    if now > due_at:
        late = (now.date() - due_at.date()).days
        return "overdue", f"■ Quá hạn {late} ngày" if late else "■ Quá hạn (hạn là hôm nay)"
    if (due_at.date() <= soon_until) if soon_until is not None else days <= DUE_SOON_DAYS:
        return "soon", "▲ Sắp đến hạn: hạn trả hôm nay" if days == 0 else (
            f"▲ Sắp đến hạn: còn {days} ngày"
        )
    return "on_track", f"● Trong hạn: còn {days} ngày"


_STATE_COLORS = {"overdue": ERROR_COLOR, "soon": WARNING_COLOR, "on_track": SUCCESS_COLOR}
_EVENT_LABELS = {
    "dossier.received": "Tiếp nhận hồ sơ",
    "dossier.status_changed": "Chuyển trạng thái",
    "dossier.handed_over": "Bàn giao cho",
    "dossier.supplement_requested": "Yêu cầu bổ sung",
    "dossier.supplement_received": "Nhận hồ sơ bổ sung",
    "dossier.extended": "Gia hạn, hẹn lại",
    "dossier.withdrawn": "Công dân rút hồ sơ",
    "dossier.stopped": "Dừng giải quyết",
    "dossier.result_ready": "Có kết quả",
    "dossier.returned": "Trả kết quả",
    "dossier.corrected": "Sửa thông tin",
    "dossier.step_annulled": "Hủy bước",
}


def _step_detail(entry: TimelineEntry) -> str:
    p = entry.payload
    kind = entry.kind
    if kind == "dossier.status_changed":
        target = p.get("to") or p.get("to_status")
        return status_label(str(target)) if target else ""
    if kind == "dossier.handed_over":
        return str(p.get("receiver_name") or "")
    if kind in ("dossier.extended", "dossier.supplement_received") and p.get("due_at"):
        return "hẹn mới " + format_vn_datetime(dt.datetime.fromisoformat(str(p["due_at"])))
    if kind == "dossier.result_ready":
        return "không đủ điều kiện" if p.get("outcome") == "not_eligible" else "được giải quyết"
    if kind == "dossier.returned":
        return str(p.get("rating") or "không đánh giá")
    if kind == "dossier.corrected":
        return ", ".join(str(c.get("field")) for c in p.get("changes") or ())
    if kind == "dossier.step_annulled":
        return _EVENT_LABELS.get(str(p.get("target_kind")), str(p.get("target_kind") or ""))
    return ""


def timeline_line(entry: TimelineEntry) -> str:
    """One step of the timeline as rich text: struck out when annulled or not applied."""
    when = entry.at or entry.occurred_at_utc.replace(tzinfo=dt.UTC).astimezone(LOCAL_ZONE)
    what = _EVENT_LABELS.get(entry.kind, entry.kind)
    detail = _step_detail(entry)
    if detail:
        what += ": " + detail
    reason = entry.payload.get("reason") or entry.payload.get("note")
    if reason:
        what += f" ({reason})"
    desk = entry.origin.split("#")[-1]
    line = html.escape(f"{when:%H:%M %d/%m/%Y} · {what} · {entry.actor} (quầy {desk})")
    if entry.annulled or not entry.applied:
        why = "đã hủy bỏ" if entry.annulled else "không áp dụng: quầy khác đã xử lý trước"
        return f"<s>{line}</s> — {html.escape(why)}"
    return line


class DossierDialog(QDialog):
    """The dossier view, as a window beside the working screens."""

    #: the dossier was shown (``DossierDetails``)
    loaded = Signal(object)

    def __init__(
        self,
        loader: Callable[[str], DossierDetails],
        officer: Officer,
        ops: Operations,
        run_action: ActionRunner | None,
        show_form: ShowPdf | None = None,
        parent: QWidget | None = None,
        *,
        print_form: FormPrinter | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("dossierView")
        self._show_form = show_form
        self._print_form = print_form
        self.setWindowTitle(self.tr("Hồ sơ"))
        self._loader = loader
        self._officer = officer
        self._ops = ops
        self._run_action = run_action
        self.details: DossierDetails | None = None
        self.requested: str | None = None
        self.action_dialog: ActionDialog | None = None
        self._notice: str | None = None

        self.title = QLabel(self)
        self.title.setObjectName("dossierCode")
        self.title.setFont(heading_font(self.font(), 4))
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel(self)
        self.status.setObjectName("dossierStatus")
        self.status.setFont(heading_font(self.font(), 1))
        self.due_light = QLabel(self)
        self.due_light.setObjectName("dueLight")
        self.due_light.setFont(heading_font(self.font(), 1))
        self.message = QLabel(self)
        self.message.setObjectName("dossierMessage")
        self.message.setWordWrap(True)
        self.message.hide()

        facts_box = QGroupBox(self.tr("Thông tin hồ sơ"), self)
        form = QFormLayout(facts_box)
        self.facts: dict[str, QLabel] = {}
        for key, label in (
            ("procedure", self.tr("Thủ tục:")),
            ("applicant", self.tr("Người nộp:")),
            ("cccd", self.tr("Số CCCD:")),
            ("phone", self.tr("Điện thoại:")),
            ("received", self.tr("Tiếp nhận lúc:")),
            ("received_by", self.tr("Người tiếp nhận:")),
            ("holder", self.tr("Đang giữ hồ sơ:")),
            ("due", self.tr("Hẹn trả:")),
            ("original_due", self.tr("Hẹn trả ban đầu:")),
            ("classification", self.tr("Kết quả giải quyết:")),
            ("pauses", self.tr("Tạm dừng:")),
        ):
            value = QLabel(facts_box)
            value.setObjectName("fact_" + key)
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            form.addRow(label, value)
            self.facts[key] = value

        timeline_box = QGroupBox(self.tr("Diễn biến"), self)
        self.timeline = QLabel(timeline_box)
        self.timeline.setObjectName("dossierTimeline")
        self.timeline.setTextFormat(Qt.TextFormat.RichText)
        self.timeline.setWordWrap(True)
        self.timeline.setAlignment(Qt.AlignmentFlag.AlignTop)
        scroll = QScrollArea(timeline_box)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.timeline)
        QVBoxLayout(timeline_box).addWidget(scroll)

        self.actions_box = QGroupBox(self.tr("Thao tác"), self)
        self.actions_row = QHBoxLayout(self.actions_box)
        self.action_buttons: dict[str, QPushButton] = {}
        self.no_actions = QLabel(self.actions_box)
        self.actions_row.addWidget(self.no_actions)
        for spec in ACTIONS:
            button = QPushButton(action_label(spec), self.actions_box)
            button.setObjectName("action_" + spec.key)
            button.clicked.connect(lambda _c=False, s=spec: self._action(s))
            button.hide()
            self.actions_row.addWidget(button)
            self.action_buttons[spec.key] = button
        self.actions_row.addStretch(1)
        # Printing on demand: anyone who may print (the chair too), in any state.
        self.print_buttons: dict[str, QPushButton] = {}
        if print_form is not None and show_form is not None and officer.can(Permission.PRINT):
            for number, text in (
                ("06", self.tr("In phiếu kiểm soát (Mẫu 06)")),
                ("01", self.tr("In lại giấy tiếp nhận (Mẫu 01)")),
            ):
                button = QPushButton(text, self.actions_box)
                button.setObjectName("print_" + number)
                button.clicked.connect(lambda _c=False, f=number: self.print_form(f))
                self.actions_row.addWidget(button)
                self.print_buttons[number] = button
        # Correcting the applicant's fields, then Form 01 again (``set_correction``).
        self._correct: CorrectionOpener | None = None
        self.correct_button = QPushButton(self.tr("Sửa thông tin người nộp…"), self.actions_box)
        self.correct_button.setObjectName("correct_dossier")
        self.correct_button.clicked.connect(self.correct)
        self.correct_button.hide()
        self.actions_row.addWidget(self.correct_button)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("Đóng (Esc)"))

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.due_light)
        layout.addWidget(self.message)
        body = QHBoxLayout()
        body.addWidget(facts_box, 3)
        body.addWidget(timeline_box, 2)
        layout.addLayout(body, 1)
        layout.addWidget(self.actions_box)
        layout.addWidget(buttons)
        self.resize(980, 620)
        ops.changed.connect(self._on_changed)

    # -- loading

    def load(self, code: str) -> None:
        self.requested = code
        if self.details is None or self.details.dossier.code != code:
            self.details = None
            self.title.setText(code)
            self._show_message(self.tr("Đang mở hồ sơ…"), "info")
        loader = self._loader
        self._ops.run(lambda: loader(code), self._show, self._failed)

    def _on_changed(self, changes: Changes, _initiator: object) -> None:
        if changes.dossiers and self.details is not None and self.isVisible():
            self.load(self.details.dossier.code)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, DossierNotFoundError):
            text = self.tr("Không có hồ sơ mã “{0}”.").format(self.requested or "")
        else:
            text = self.tr("Không mở được hồ sơ: {0}").format(exc)
        self._show_message(text, "error")

    def _show(self, details: DossierDetails) -> None:
        self.details = details
        d, p = details.dossier, details.projection
        if self._notice:
            self._show_message(self._notice, "info")
            self._notice = None
        else:
            self.message.hide()
        self.setWindowTitle(self.tr("Hồ sơ {0}").format(d.code))
        self.title.setText(d.code)
        self.status.setText(STATUS_LABELS.get(p.status, p.status))
        state, words = due_state(details.now, p.due_at, p.status, details.soon_until)
        self.due_light.setText(self.tr(words))
        self.due_light.setProperty("state", state)
        color = _STATE_COLORS.get(state)
        self.due_light.setStyleSheet(f"QLabel {{ color: {color}; }}" if color else "")
        f = self.facts
        f["procedure"].setText(f"{d.procedure_name} ({d.procedure_code})")
        f["applicant"].setText(d.applicant_name)
        f["cccd"].setText(d.cccd_masked)
        f["phone"].setText(d.applicant_phone or "—")
        f["received"].setText(format_vn_datetime(d.received_at))
        f["received_by"].setText(d.received_by_name)
        # Before any hand-over the receiving officer holds it: shown by name, not login.
        f["holder"].setText(d.received_by_name if p.holder == d.received_by else p.holder or "—")
        f["due"].setText(
            format_vn_datetime(p.due_at) if p.due_at else self.tr("Không có ngày hẹn trả cụ thể")
        )
        f["original_due"].setText(
            format_vn_datetime(p.original_due_at)
            if p.original_due_at and p.original_due_at != p.due_at
            else self.tr("(như trên)")
        )
        f["classification"].setText(
            self.tr(CLASSIFICATION_LABELS[p.classification])
            if p.classification in CLASSIFICATION_LABELS
            else self.tr("Chưa có kết quả")
        )
        pauses = [
            self.tr("từ {0} đến {1} — {2}").format(
                format_vn_datetime(pause.started_at),
                format_vn_datetime(pause.ended_at) if pause.ended_at else self.tr("nay"),
                self.tr("chờ bổ sung") if pause.reason == "waiting_supplement" else pause.reason,
            )
            for pause in p.pauses
        ]
        f["pauses"].setText("\n".join(pauses) if pauses else self.tr("Không có"))
        self.timeline.setText("<br>".join(timeline_line(e) for e in details.timeline))
        self._show_actions(p.status)
        self.loaded.emit(details)
        if details.record_view is not None:
            # Shown first, then audited: the entry's durable commit (an fsync) is queued
            # at once on the database thread, ahead of anything the officer does next.
            self._ops.run(details.record_view, lambda _written: None, self._audit_failed)

    def _audit_failed(self, exc: BaseException) -> None:
        self._show_message(self.tr("Không ghi được nhật ký xem hồ sơ: {0}").format(exc), "error")

    def _show_actions(self, status: str) -> None:
        can_annul = self.details is not None and self.details.can_annul
        allowed = {s.key for s in allowed_actions(status, self._officer, can_annul=can_annul)}
        if self._run_action is None:
            allowed = set()
        for key, button in self.action_buttons.items():
            button.setVisible(key in allowed)
        if allowed:
            self.no_actions.hide()
        else:
            self.no_actions.show()
            self.no_actions.setText(
                self.tr("Không có thao tác nào cho trạng thái này.")
                if self._officer.can(Permission.RECEIVE)
                else self.tr("Vai trò của bạn chỉ được xem và in.")
            )

    def _show_message(self, text: str, kind: str) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(BANNER_STYLES[kind])
        self.message.show()

    # -- actions

    def _action(self, spec: ActionSpec) -> None:
        details = self.details
        if details is None or self._run_action is None:
            return
        dialog = ActionDialog(
            spec,
            details.dossier.code,
            details.now.date(),
            details.receivers,
            details.ratings or DEFAULT_RATINGS,
            parent=self,
        )
        code = details.dossier.code  # a scan meanwhile may show another dossier
        dialog.accepted.connect(lambda: self._record(code, spec, dialog.values()))
        dialog.finished.connect(dialog.deleteLater)
        self.action_dialog = dialog
        dialog.open()

    def _record(self, code: str, spec: ActionSpec, values: ActionValues) -> None:
        runner = self._run_action
        if runner is None:
            return
        label = action_label(spec)
        self._show_message(self.tr("Đang ghi: {0}…").format(label), "info")
        self._ops.run(
            lambda: runner(code, spec, values),
            lambda outcome: self._recorded(label, code, outcome),
            lambda exc: self._show_message(str(exc), "error"),
            changes=Changes(dossiers=True, outbox=True),
        )

    def _recorded(self, label: str, code: str, outcome: ActionOutcome) -> None:
        # Shown once the view has reloaded (the change reloads it).
        self._notice = self.tr("Đã ghi: {0}.").format(label)
        if outcome.form_error:
            self._notice += " " + self.tr("Chưa in được Mẫu {0}: {1}").format(
                outcome.form, outcome.form_error
            )
        self._show_message(self._notice, "info")
        if outcome.form_pdf is not None and self._show_form is not None:
            self._show_form(outcome.form_pdf, code, form_title(outcome.form or "", code))

    def set_correction(self, correct: CorrectionOpener) -> None:
        """Offer the correction of the applicant's fields (``CorrectionFlow.open``), which
        reprints Form 01."""
        self._correct = correct
        self.correct_button.show()

    def correct(self) -> None:
        if self.details is not None and self._correct is not None:
            self._correct(
                self.details.dossier.code, lambda exc: self._show_message(str(exc), "error")
            )

    def print_form(self, form: str) -> None:
        """Print form ``form`` of the dossier shown (built on the database thread)."""
        details, printer, show = self.details, self._print_form, self._show_form
        if details is None or printer is None or show is None:
            return
        code = details.dossier.code
        self._show_message(self.tr("Đang in Mẫu {0}…").format(form), "info")

        def shown(pdf: bytes) -> None:
            self.message.hide()
            show(pdf, code, form_title(form, code))

        self._ops.run(
            lambda: printer(code, form),
            shown,
            lambda exc: self._show_message(str(exc), "error"),
        )
