"""The desk's one vocabulary of statuses, document kinds, channels and durations."""

from __future__ import annotations

import pytest

from desk_app.calendar import DURATION_KINDS, Duration
from desk_app.lifecycle import TRANSITIONS
from desk_app.vocabulary import (
    CHANNEL_LABELS,
    DESK_CHANNEL_LABELS,
    DESK_CHANNELS,
    DOCUMENT_KIND_LABELS,
    STATUS_LABELS,
    STATUSES,
    duration_text,
    status_label,
)


@pytest.mark.parametrize(
    ("duration", "text"),
    [
        (Duration("working_days", 3), "03 ngày làm việc"),
        (Duration("working_days", 15), "15 ngày làm việc"),
        (Duration("working_hours", 4), "04 giờ làm việc"),
        (Duration("calendar_days", 30), "30 ngày"),
        (Duration("same_day"), "Trong ngày"),
        (Duration("none"), "Không quy định"),
    ],
)
def test_duration_text(duration: Duration, text: str) -> None:
    assert duration_text(duration) == text


def test_every_duration_kind_has_words() -> None:
    for kind in DURATION_KINDS:
        value = None if kind in ("same_day", "none") else 2
        assert duration_text(Duration(kind, value))


def test_every_lifecycle_status_has_a_label() -> None:
    reachable = set(TRANSITIONS) | {t for targets in TRANSITIONS.values() for t in targets}
    assert reachable <= set(STATUSES)
    assert "guided" in STATUSES  # advice only, never received: ahead of the lifecycle
    assert status_label("returned") == "Đã trả kết quả"
    assert status_label("from_a_newer_desk") == "from_a_newer_desk"


def test_channels_at_the_desk_and_beyond() -> None:
    assert set(CHANNEL_LABELS) == {"in_person", "postal", "online"}
    assert DESK_CHANNELS == ("in_person", "postal", "online")  # online: from the portal
    assert dict(DESK_CHANNEL_LABELS) == {
        "in_person": "Trực tiếp",
        "postal": "Qua bưu chính",
        "online": "Trực tuyến",
    }


def test_document_kinds() -> None:
    assert dict(DOCUMENT_KIND_LABELS) == {
        "original": "Bản chính",
        "copy": "Bản sao",
        "certified_copy": "Bản sao chứng thực",
    }
    assert len(set(STATUS_LABELS.values())) == len(STATUS_LABELS)
