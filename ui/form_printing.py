"""Which printed form goes with what the desk does, and the preview's title for it.

The dossier view prints Form 02 with a request to complete, Form 04 with an extension,
Form 05 with a withdrawal or a stop, and on demand Form 06 (the control sheet) and
Form 01 (the receipt again); the intake screen prints Form 02 or 03 for a visit guided or
refused. Every PDF comes from ``DossierFormsService.form_pdf`` (which audits it as a
print) on the database thread, and opens in the receipt preview under the form's title.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

if TYPE_CHECKING:
    from desk_app.auth import Officer
    from desk_app.dossier_forms import DossierFormsService
    from desk_app.intake_outcomes import OutcomeView

__all__ = [
    "OUTCOME_FORMS",
    "FormPrinter",
    "ShowPdf",
    "form_printer",
    "form_title",
    "outcome_pdf",
]

_CONTEXT = "form_printing"


def _t(source: str) -> str:
    return str(QT_TRANSLATE_NOOP(_CONTEXT, source))


_TITLES: dict[str, str] = {
    "01": _t("Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "02": _t("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)"),
    "03": _t("Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03)"),
    "04": _t("Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)"),
    "05": _t("Thông báo dừng giải quyết hồ sơ (Mẫu 05)"),
    "06": _t("Phiếu kiểm soát quá trình giải quyết hồ sơ (Mẫu 06)"),
}

#: the form a visit that received nothing prints, by the outcome's kind
OUTCOME_FORMS: dict[str, str] = {"guided": "02", "refused": "03"}

#: prints form ``form`` of dossier (or visit) ``code``; runs on the database thread
FormPrinter = Callable[[str, str], bytes]


class ShowPdf(Protocol):
    """Opens a PDF in the app's preview (``MainWindow.show_receipt``)."""

    def __call__(self, pdf: bytes, code: str, title: str | None = None) -> object: ...


def form_title(form: str, code: str) -> str:
    """The preview window's title for form ``form`` of ``code``."""
    name = QCoreApplication.translate(_CONTEXT, _TITLES.get(form, _TITLES["01"]))
    return f"{name} — {code}"


def form_printer(forms: DossierFormsService, officer: Officer) -> FormPrinter:
    """Form printing as ``officer`` (audited as a print by the forms service)."""

    def pdf(code: str, form: str) -> bytes:
        return forms.form_pdf(code, form, officer)

    return pdf


def outcome_pdf(forms: DossierFormsService, outcome: OutcomeView, officer: Officer) -> bytes:
    """Form 02 (guided) or Form 03 (refused) of a recorded intake visit, by its id."""
    return forms.form_pdf(outcome.uuid, OUTCOME_FORMS[outcome.kind], officer)
