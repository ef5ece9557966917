"""Whose dossier code is it? The rule the district server and the desks both apply to a
``dossier.received`` before they take its code.

Desks of one commune issue codes offline without talking to each other; codes cannot
collide because each desk's number has a fixed place in its codes (``desk_app``'s code
pattern, ``<agency>-<yymmdd>-<desk><seq>`` by default). A desk must therefore never
send a code that carries another desk's number: that code is the other desk's to issue,
and taking it first would block that desk's intake.

The rule reads the code as the house patterns write it: it starts with the commune's
agency code, and its last run of digits is the desk number (zero-padded to any width)
followed by at least three digits of sequence — equal to ``code_seq`` when the event
carries one. A pattern that does not end with ``{desk}{seq}`` cannot sync.
"""

from __future__ import annotations

import re

_LAST_DIGITS = re.compile(r"(\d+)$")
MIN_SEQ_WIDTH = 3


def code_carries_desk(code: str, agency_code: str, desk: int, code_seq: int | None) -> bool:
    """Whether ``code`` is one desk ``desk`` of commune ``agency_code`` may issue."""
    if not code.startswith(agency_code):
        return False
    match = _LAST_DIGITS.search(code[len(agency_code) :])
    if match is None:
        return False
    digits = match.group(1)
    number = str(desk)
    # Every split "zeros + desk | sequence" of the last digits, the sequence at least
    # MIN_SEQ_WIDTH digits long.
    for width in range(len(number), len(digits) - MIN_SEQ_WIDTH + 1):
        head, seq = digits[:width], digits[width:]
        if head.lstrip("0") != number:
            continue
        if code_seq is None or int(seq) == code_seq:
            return True
    return False


def code_problem(code: str, agency_code: str, desk: int, code_seq: int | None) -> str | None:
    """Why desk ``desk`` may not issue ``code`` (a plain English sentence), or None."""
    if code_carries_desk(code, agency_code, desk, code_seq):
        return None
    return (
        f"dossier code {code[:64]!r} does not carry desk {desk} of commune {agency_code}"
        + (f" with sequence {code_seq}" if code_seq is not None else "")
        + ": a desk issues only codes with its own desk number"
    )
