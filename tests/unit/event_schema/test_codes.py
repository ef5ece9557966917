"""Whose code is it: the rule both the server and the desks apply to dossier codes."""

from __future__ import annotations

import pytest

from event_schema import EventRetractedV1, PayloadError, code_carries_desk

AGENCY = "000.20.33.H12"


@pytest.mark.parametrize(
    ("code", "desk", "code_seq", "ok"),
    [
        (f"{AGENCY}-261123-1001", 1, 1, True),
        (f"{AGENCY}-261123-2001", 2, None, True),
        (f"{AGENCY}-261123-02001", 2, 1, True),  # {desk:02d}
        (f"{AGENCY}-20261123-12999", 12, 999, True),
        (f"{AGENCY}-261123-2002", 1, 2, False),  # desk 2's next code, sent by desk 1
        (f"{AGENCY}-261123-2002", 1, None, False),
        (f"{AGENCY}-261123-1002", 1, 3, False),  # the sequence it claims is not in the code
        ("000.20.33.H13-261123-1001", 1, 1, False),  # another commune's
        (f"{AGENCY}-261123-101", 1, 1, False),  # fewer than three digits of sequence
        (f"{AGENCY}-abc", 1, None, False),
    ],
)
def test_a_code_carries_its_desk_number(
    code: str, desk: int, code_seq: int | None, ok: bool
) -> None:
    assert code_carries_desk(code, AGENCY, desk, code_seq) is ok


def test_a_retraction_names_an_event_and_a_reason() -> None:
    target = "01a22e16-c633-7214-aefa-38e8bbc379ce"
    payload = EventRetractedV1.parse({"event": target, "reason": "mã giả mạo"})
    assert payload.dump() == {"event": target, "reason": "mã giả mạo", "retracted_by": ""}
    for bad in ({"event": "x", "reason": "r"}, {"event": target, "reason": ""}, {"event": target}):
        with pytest.raises(PayloadError):
            EventRetractedV1.parse(bad)
