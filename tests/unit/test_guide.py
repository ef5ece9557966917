"""The user guide and the quick reference printed for the desk."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from desk_app.guide import (
    QuickReferenceError,
    guide_html,
    load_quick_reference,
    program_version,
    quick_reference_pdf,
)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "q.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_guide_covers_the_desks_daily_work() -> None:
    html = guide_html()
    for heading in ("Tiếp nhận hồ sơ", "Trả kết quả", "Yêu cầu bổ sung", "Báo cáo", "Sao lưu"):
        assert heading in html
    assert "F1" in html


def test_the_quick_reference_is_one_page_with_every_section(tmp_path: Path) -> None:
    ref = load_quick_reference()
    pdf = quick_reference_pdf(ref)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = " ".join(_text(pdf, tmp_path).split())
    assert "BẢNG TRA CỨU NHANH" in text
    for section in ref.sections:
        assert section.heading in text
        for line in section.lines:  # the columns interleave: the first words of each
            assert " ".join(line.split()[:2]) in text


def test_a_longer_reference_than_a_page_is_caught(tmp_path: Path) -> None:
    # The page count check above can fail: forty sections do not fit on one page.
    ref = load_quick_reference()
    long = type(ref)(ref.title, ref.subtitle, ref.sections * 8)
    assert len(PdfReader(io.BytesIO(quick_reference_pdf(long))).pages) > 1


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("title = 1", "tiêu đề"),
        ('title = "T"', "không có mục"),
        ('title = "T"\n[[sections]]\nheading = "H"', "heading/lines"),
        ('title = "T"\n[[sections]]\nheading = "H"\nlines = [1]', "mỗi dòng"),
        ("title = ", "không đọc được"),
    ],
)
def test_a_broken_reference_file_is_named_plainly(text: str, needle: str) -> None:
    with pytest.raises(QuickReferenceError, match=needle):
        load_quick_reference(text)


def test_the_version_names_the_schema() -> None:
    from desk_app.db.migrate import HEAD_REVISION

    assert program_version()[1] == HEAD_REVISION


def test_every_schema_revision_says_what_it_changed() -> None:
    # An upgrade tells the administrator what each applied revision brings.
    from desk_app.db.migrate import KNOWN_REVISIONS
    from desk_app.db.upgrade_report import CHANGES

    assert set(KNOWN_REVISIONS) - {"0001"} <= set(CHANGES)
