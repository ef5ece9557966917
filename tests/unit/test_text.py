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
