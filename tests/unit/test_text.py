"""Vietnamese folding for search, and name normalisation."""

from __future__ import annotations

import unicodedata

import pytest

from desk_app.text import fold, normalize_name


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đặng Thị Ánh Tuyết", "dang thi anh tuyet"),
        ("ĐẤT ĐAI", "dat dai"),
        ("Đăng ký khai sinh", "dang ky khai sinh"),
        ("Chứng thực  bản sao\tđiện tử", "chung thuc ban sao dien tu"),
        ("  Nguyễn   Văn  Đức ", "nguyen van duc"),
        ("Ơ ư Ư ơ", "o u u o"),
        ("1.001193", "1.001193"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize("form", ["NFC", "NFD", "NFKC", "NFKD"])
def test_every_normal_form_folds_the_same(form: str) -> None:
    name = "Đặng Thị Ánh Tuyết, Phường Bến Nghé"
    variant = unicodedata.normalize(form, name)
    assert fold(variant) == "dang thi anh tuyet, phuong ben nghe"


def test_nfd_input_is_really_different_before_folding() -> None:
    # Guard for the test above: the NFD spelling is a different string of code points.
    assert unicodedata.normalize("NFD", "Tuyết") != "Tuyết"


def test_normalize_name() -> None:
    assert normalize_name("  nguyễn   THỊ ánh  tuyết ") == "Nguyễn Thị Ánh Tuyết"
    assert normalize_name("đặng văn đức") == "Đặng Văn Đức"


def test_normalize_name_stores_nfc() -> None:
    stored = normalize_name(unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết"))
    assert stored == "Nguyễn Thị Ánh Tuyết"
    assert unicodedata.is_normalized("NFC", stored)


# ------------------------------------------------------------------ unsafe characters


@pytest.mark.parametrize(
    "char",
    [
        "\x00", "\x07", "\x1b", "\x7f",  # C0 and DEL
        "\x80", "\x85", "\x9b", "\x9f",  # C1
        "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",  # embeddings and overrides
        "\u2066", "\u2067", "\u2068", "\u2069",  # isolates
        "\u200e", "\u200f", "\u061c",  # marks
    ],
)  # fmt: skip
def test_controls_and_bidi_controls_are_unsafe_everywhere(char: str) -> None:
    from desk_app.text import is_safe_text, unsafe_character

    text = f"Nguyễn{char} Văn A"
    assert unsafe_character(text) == char
    assert not is_safe_text(text, multiline=True)


def test_line_breaks_are_safe_only_in_multiline_text() -> None:
    from desk_app.text import is_safe_text

    note = "Dòng một\r\nDòng hai\tcột"
    assert is_safe_text(note, multiline=True)
    assert not is_safe_text(note)


def test_vietnamese_text_is_safe() -> None:
    from desk_app.text import is_safe_text

    assert is_safe_text("Đặng Thị Ánh Tuyết, ấp Bình Thạnh — số 12/3 «Ê Đê» H'Hen Niê")
