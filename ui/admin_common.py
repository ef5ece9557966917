"""What every section of the administration tab shares: a message banner, background
work through ``Operations`` with the error shown as one Vietnamese line, and a
confirmation question (replaceable in tests, like the printer dialog)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QLabel, QMessageBox, QSizePolicy, QVBoxLayout, QWidget

from desk_app.auth import Officer
from desk_app.errors import user_message
from ui.operations import NO_CHANGES, Changes, Operations
from ui.style import BANNER_STYLES, set_text_color

T = TypeVar("T")


class AdminSection(QWidget):
    """A section of the administration tab: its widgets, a banner, background calls."""

    def __init__(self, ops: Operations, officer: Officer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self.officer = officer
        self.layout_ = QVBoxLayout(self)
        self.banner = QLabel(self)
        self.banner.setObjectName("adminBanner")
        self.banner.setWordWrap(True)
        self.banner.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.banner.hide()
        self.layout_.addWidget(self.banner)
        #: asks the administrator to confirm a consequential act; tests replace it
        self.confirm: Callable[[str], bool] = self._ask

    def explain(self, text: str) -> QLabel:
        """A short line under the banner saying what this section is for."""
        # Broken here, not word-wrapped by Qt: a wrapped label asks for the height of a
        # narrow guess and leaves a gap under it in a tab page.
        label = QLabel("\n".join(textwrap.wrap(text, 110)), self)
        label.setObjectName("adminHint")
        set_text_color(label)
        self.layout_.insertWidget(1, label)
        return label

    def _ask(self, question: str) -> bool:
        answer = QMessageBox.question(self, self.tr("Xác nhận"), question)
        return answer == QMessageBox.StandardButton.Yes

    def say(self, text: str, kind: str = "info") -> None:
        self.banner.setStyleSheet(BANNER_STYLES[kind])
        self.banner.setText(text)
        self.banner.show()

    def call(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None],
        *,
        changes: Changes = NO_CHANGES,
    ) -> None:
        """Run ``fn`` on the database thread; a refusal shows in the banner."""
        self.ops.run(fn, on_done, self._failed, changes=changes, initiator=self)

    def _failed(self, exc: BaseException) -> None:
        self.say(self.tr("Không thực hiện được: {0}").format(user_message(exc)), "error")

    def refresh(self) -> None:
        """Reload what the section shows (in the background)."""
