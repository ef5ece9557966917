"""The desk's words: dossier statuses, document kinds, channels and durations, each with
its Vietnamese label.

One place for them, so that the intake checks, the catalogue loader, the command line
and the screens say the same thing. Importable without the database or Qt.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desk_app.calendar import Duration

# ------------------------------------------------------------------ dossier statuses

# In the order a dossier usually moves through them (trạng thái hồ sơ). ``guided`` is
# a request only advised on (hướng dẫn), never received; ``refused`` one not received.
STATUS_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "received": "Đã tiếp nhận",
        "in_progress": "Đang giải quyết",
        "waiting_supplement": "Chờ bổ sung",
        "extended": "Gia hạn",
        "stopped": "Dừng giải quyết",
        "withdrawn": "Rút hồ sơ",
        "result_ready": "Có kết quả",
        "returned": "Đã trả kết quả",
        "refused": "Từ chối tiếp nhận",
        "guided": "Đã hướng dẫn",
    }
)
STATUSES: tuple[str, ...] = tuple(STATUS_LABELS)

# ------------------------------------------------------------------ lifecycle actions

# What each action of the state machine (``desk_app.dossiers.transitions.ACTIONS``) is
# called on a button and in a refusal ("không thể … khi hồ sơ đang ở trạng thái …").
ACTION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "handover": "bàn giao hồ sơ",
        "request_supplement": "yêu cầu bổ sung hồ sơ",
        "supplement_received": "nhận hồ sơ bổ sung",
        "extend": "gia hạn (xin lỗi, hẹn lại)",
        "withdraw": "rút hồ sơ",
        "stop": "dừng giải quyết",
        "result_ready": "có kết quả",
        "return": "trả kết quả",
        "correct": "sửa thông tin người nộp",
    }
)
# How a result compares with the appointment (kết quả giải quyết).
CLASSIFICATION_LABELS: Mapping[str, str] = MappingProxyType(
    {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}
)
OUTCOME_LABELS: Mapping[str, str] = MappingProxyType(
    {"approved": "Giải quyết", "not_eligible": "Không đủ điều kiện giải quyết"}
)
RETURN_METHOD_LABELS: Mapping[str, str] = MappingProxyType(
    {"desk": "Tại Bộ phận Một cửa", "post": "Qua dịch vụ bưu chính"}
)

# ------------------------------------------------------------------ document kinds

DOCUMENT_KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "original": "Bản chính",
        "copy": "Bản sao",
        "certified_copy": "Bản sao chứng thực",
    }
)
DOCUMENT_KINDS: tuple[str, ...] = tuple(DOCUMENT_KIND_LABELS)

# ------------------------------------------------------------------ channels (hình thức nộp)

CHANNEL_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "in_person": "Trực tiếp",
        "postal": "Qua bưu chính",
        "online": "Trực tuyến",
    }
)
CHANNELS: tuple[str, ...] = tuple(CHANNEL_LABELS)
# What an officer records at the desk: ``online`` is a dossier submitted through the
# public-service portal and received at the desk (counted apart in Biểu II.06a).
DESK_CHANNELS: tuple[str, ...] = ("in_person", "postal", "online")
DESK_CHANNEL_LABELS: Mapping[str, str] = MappingProxyType(
    {c: CHANNEL_LABELS[c] for c in DESK_CHANNELS}
)

# ------------------------------------------------------------------ durations (thời hạn)

# Kinds counted in a number of units, with the unit written after the number.
DURATION_UNITS: Mapping[str, str] = MappingProxyType(
    {
        "working_days": "ngày làm việc",
        "working_hours": "giờ làm việc",
        "calendar_days": "ngày",
    }
)
# Kinds without a number.
FIXED_DURATION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "same_day": "Trong ngày",
        "none": "Không quy định",
    }
)


def duration_text(duration: Duration) -> str:
    """The statutory duration in words: ``03 ngày làm việc``, ``Trong ngày``, ``30 ngày``."""
    fixed = FIXED_DURATION_LABELS.get(duration.kind)
    if fixed is not None:
        return fixed
    return f"{duration.value or 0:02d} {DURATION_UNITS[duration.kind]}"


def status_label(status: str) -> str:
    """The status as people read it; an unknown one (from a newer desk) as it is."""
    return STATUS_LABELS.get(status, status)


# ------------------------------------------------------------------ backlog by age

# Open dossiers by age (calendar days since receipt), for the backlog screen's chart
# and the period report's.
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0–2 ngày", 0, 2),
    ("3–5 ngày", 3, 5),
    ("6–10 ngày", 6, 10),
    ("11–20 ngày", 11, 20),
    ("21–30 ngày", 21, 30),
    ("trên 30 ngày", 31, None),
)


def age_histogram(ages: Mapping[int, int]) -> list[tuple[str, int]]:
    """Open dossiers per ``AGE_BUCKETS`` bucket, from the count per age in days — the
    backlog screen's chart and the period report's draw the same buckets this way."""
    counts = [0] * len(AGE_BUCKETS)
    for age, n in ages.items():
        for i, (_, lo, hi) in enumerate(AGE_BUCKETS):
            if age >= lo and (hi is None or age <= hi):
                counts[i] += n
                break
    return [(label, counts[i]) for i, (label, _, _) in enumerate(AGE_BUCKETS)]
