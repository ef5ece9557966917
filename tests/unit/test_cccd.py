"""CCCD numbers: format, century/sex digit against the date of birth, masking."""

from __future__ import annotations

import datetime as dt

import pytest

from desk_app.cccd import check_cccd, mask_cccd


def test_valid_number_without_date_of_birth() -> None:
    result = check_cccd("079123456734")
    assert result.error is None
    assert result.warnings == ()
    assert result.birth_century_start == 1900
    assert result.female is True  # digit 4 = 1: 1900s, female


def test_valid_number_agreeing_with_date_of_birth() -> None:
    # 075 Đồng Nai, 2 = 2000s male, 03 = 2003.
    result = check_cccd("075203001234", dt.date(2003, 5, 17))
    assert result.error is None
    assert result.birth_century_start == 2000
    assert result.female is False


def test_surrounding_spaces_are_ignored() -> None:
    assert check_cccd("  079123456734 ").error is None


@pytest.mark.parametrize(
    "number",
    [
        "",
        "07912345673",  # 11 digits
        "0791234567345",  # 13 digits
        "07912345673a",
        "0791 2345 6734",
        "０７９１２３４５６７３４",  # full-width digits
        "٠٧٩١٢٣٤٥٦٧٣٤",  # Arabic-Indic digits: isdigit() but not ASCII
    ],
)
def test_wrong_length_or_non_digits_is_an_error(number: str) -> None:
    result = check_cccd(number)
    assert result.error == "Số CCCD phải gồm đúng 12 chữ số."


def test_century_digit_disagreeing_with_date_of_birth_is_an_error_in_vietnamese() -> None:
    # Digit 4 = 1 means born in the 1900s (1923), but the date of birth says 2023.
    result = check_cccd("079123456734", dt.date(2023, 1, 5))
    assert result.error is not None
    assert "năm sinh 1923" in result.error
    assert "2023" in result.error
    assert "ngày sinh" in result.error


def test_year_digits_disagreeing_with_date_of_birth_is_an_error() -> None:
    result = check_cccd("079185456734", dt.date(1986, 1, 5))
    assert result.error is not None
    assert "1985" in result.error and "1986" in result.error


@pytest.mark.parametrize("digit", "6789")
def test_century_digit_beyond_the_2100s_is_an_error(digit: str) -> None:
    result = check_cccd(f"079{digit}23456734")
    assert result.error is not None
    assert "Chữ số thứ 4" in result.error


def test_2100s_century_digit_is_accepted() -> None:
    result = check_cccd("079400456734")
    assert result.error is None
    assert result.birth_century_start == 2100


def test_unknown_province_is_a_warning_not_an_error() -> None:
    result = check_cccd("999123456734", dt.date(1923, 3, 1))
    assert result.error is None
    assert len(result.warnings) == 1
    assert "999" in result.warnings[0]


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("079123456734", "0791******34"),
        (None, ""),
        ("", ""),
        ("12345", "*****"),
    ],
)
def test_mask(number: str | None, masked: str) -> None:
    assert mask_cccd(number) == masked


def test_mask_never_shows_the_serial() -> None:
    assert "345678" not in mask_cccd("001345678912")
