"""Dossier codes: one-to-one with (agency, day, desk, sequence), so desks never collide."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from desk_app.dossier_code import (
    DEFAULT_PATTERN,
    CodePattern,
    CodePatternError,
    SequenceExhaustedError,
)

AGENCY = "000.20.33.H12"
MONDAY = dt.date(2026, 11, 23)


def test_default_pattern_desk_1_first_code() -> None:
    assert CodePattern(DEFAULT_PATTERN).format(AGENCY, MONDAY, 1, 1) == "000.20.33.H12-261123-1001"


def test_default_pattern_last_code_of_the_day() -> None:
    assert (
        CodePattern(DEFAULT_PATTERN).format(AGENCY, MONDAY, 9, 999) == "000.20.33.H12-261123-9999"
    )


def test_four_digit_year_pattern() -> None:
    pattern = CodePattern("{agency}/{yyyymmdd}/{desk:02d}-{seq:04d}")
    assert pattern.format(AGENCY, MONDAY, 3, 42) == "000.20.33.H12/20261123/03-0042"
    assert pattern.max_seq == 9999


def test_width_without_leading_zero_is_still_zero_padded() -> None:
    assert CodePattern("{agency}-{yymmdd}-{desk:1d}{seq:3d}").format(AGENCY, MONDAY, 1, 7) == (
        "000.20.33.H12-261123-1007"
    )


def test_two_desks_never_collide_over_a_whole_day() -> None:
    pattern = CodePattern(DEFAULT_PATTERN)
    desk1 = {pattern.format(AGENCY, MONDAY, 1, seq) for seq in range(1, 1000)}
    desk2 = {pattern.format(AGENCY, MONDAY, 2, seq) for seq in range(1, 1000)}
    assert len(desk1) == len(desk2) == 999
    assert desk1.isdisjoint(desk2)
    assert all(re.fullmatch(r"000\.20\.33\.H12-261123-[12]\d{3}", c) for c in desk1 | desk2)


def test_consecutive_days_never_collide() -> None:
    pattern = CodePattern(DEFAULT_PATTERN)
    monday = {pattern.format(AGENCY, MONDAY, 1, s) for s in range(1, 1000)}
    tuesday = {pattern.format(AGENCY, MONDAY + dt.timedelta(days=1), 1, s) for s in range(1, 1000)}
    assert monday.isdisjoint(tuesday)


@pytest.mark.parametrize("seq", [1000, 0, -1])
def test_sequence_outside_the_field_is_refused(seq: int) -> None:
    with pytest.raises(SequenceExhaustedError, match="999"):
        CodePattern(DEFAULT_PATTERN).format(AGENCY, MONDAY, 1, seq)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("{agency}-{yymmdd}-{seq:04d}", r"\{desk\}"),
        ("{agency}-{yymmdd}-{desk:1d}", r"\{seq\}"),
        ("{yymmdd}-{desk:1d}{seq:03d}", r"\{agency\}"),
        ("{agency}-{desk:1d}{seq:03d}", "yymmdd"),
        ("{agency}-{yymmdd}-{desk}{seq:03d}", "độ rộng cố định"),
        ("{agency}-{yymmdd}-{desk:1d}{seq}", "độ rộng cố định"),
        ("{agency}-{yymmdd}-{desk:d}{seq:03d}", "độ rộng cố định"),
        ("{agency}-{yymmdd}-{desk:1d}{seq:>3}", "độ rộng cố định"),
        ("{agency}-{yymmdd}-{desk:1d}{seq:03d}-{pin}", "trường lạ"),
    ],
)
def test_unusable_patterns_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(CodePatternError, match=message):
        CodePattern(pattern)


def test_zero_width_sequence_is_refused_up_front() -> None:
    with pytest.raises(CodePatternError, match="width"):
        CodePattern("{agency}-{yymmdd}-{desk:1d}{seq:0d}")


def test_desk_10_does_not_fit_a_one_digit_desk_field() -> None:
    pattern = CodePattern(DEFAULT_PATTERN)
    with pytest.raises(CodePatternError, match="số quầy 10"):
        pattern.check_desk(10)
    with pytest.raises(CodePatternError, match="số quầy 10"):
        pattern.format(AGENCY, MONDAY, 10, 1)
    pattern.check_desk(9)


def test_desk_10_fits_a_two_digit_desk_field() -> None:
    pattern = CodePattern("{agency}-{yymmdd}-{desk:02d}{seq:03d}")
    pattern.check_desk(10)
    assert pattern.format(AGENCY, MONDAY, 10, 1) == "000.20.33.H12-261123-10001"
    assert pattern.format(AGENCY, MONDAY, 1, 1) == "000.20.33.H12-261123-01001"
