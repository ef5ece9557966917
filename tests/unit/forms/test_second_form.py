"""A second, test-only form through the same renderer and blocks as Form 01.

The form module below is what adding a form takes: a schema made of the shared blocks'
keys and its own, and a layout of shared blocks. Its template is A4 landscape, with free
paragraphs, a table and signature columns with their own hints, to show the later forms fit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.platypus import Flowable

from desk_app.forms import blocks
from desk_app.forms.blocks import Agency, Column, Layout, Signer, bold, clean, fill
from desk_app.forms.render import page_keys, render_pdf
from desk_app.forms.template import (
    FormSchema,
    FormTemplate,
    FormTemplateError,
    merge_keys,
    text,
    text_list,
)
from desk_app.forms.vn_format import format_vn_date
from tests.unit.forms.pdf_tools import dump_toml, pdftotext, poppler, run

TEMPLATE_FILE = Path(__file__).parent / "data" / "notice_test_form.toml"
A4_LANDSCAPE = (841.89, 595.28)
CODE = "000.20.33.H12-261121-1001"

# ------------------------------------------------------------------ the form module

NOTICE = FormSchema(
    name="notice_test",
    file_name="notice_test_form.toml",  # not shipped: tests pass the path
    keys=merge_keys(
        page_keys(footer=("code",), title=("code",), author=("unit_name",), subject=()),
        blocks.HEADER_KEYS,
        blocks.BARCODE_KEYS,
        blocks.SIGNATURE_KEYS,
        {
            "header.number": text("code"),
            "text.title": text(),
            "text.body": text_list("name", "code", "date", minimum=1),
            "reasons.col_no": text(),
            "reasons.col_reason": text(),
            "reasons.empty": text(),
            "signatures.officer": text(),
            "signatures.chair": text(),
        },
    ),
)


TAN_PHU = Agency("UBND XÃ TÂN PHÚ", "BỘ PHẬN MỘT CỬA", "Tân Phú")


@dataclass(frozen=True)
class Notice:
    code: str
    applicant: str
    issued: date
    reasons: tuple[str, ...]
    officer: str
    chair: str
    agency: Agency = TAN_PHU


def render_notice(notice: Notice, template: FormTemplate) -> bytes:
    def lay_out(layout: Layout, _caption: str) -> list[Flowable]:
        t = layout.template
        number = fill(t.text("header.number"), code=clean(notice.code))
        reasons = [(str(n), clean(reason)) for n, reason in enumerate(notice.reasons, 1)]
        columns = [
            Column(t.text("reasons.col_no"), 12 * mm),
            Column(t.text("reasons.col_reason"), None, "left"),
        ]
        signers = [
            Signer(t.text("signatures.officer"), notice.officer),
            Signer(t.text("signatures.chair"), notice.chair, "(Ký, đóng dấu)"),
        ]
        return [
            blocks.document_header(layout, notice.agency, number, notice.issued),
            blocks.title(layout, t.text("text.title")),
            blocks.barcode(layout, notice.code, notice.code),
            *blocks.paragraphs(
                layout,
                t.lists["text.body"],
                name=bold(notice.applicant),
                code=clean(notice.code),
                date=escape(format_vn_date(notice.issued)),
            ),
            blocks.table(layout, columns, reasons, t.text("reasons.empty")),
            blocks.signatures(layout, signers),
        ]

    values = {"code": notice.code, "unit_name": notice.agency.unit_name}
    return render_pdf(template, copies=("",), lay_out_copy=lay_out, footer=values, metadata=values)


# ------------------------------------------------------------------ tests


def notice(**changes: Any) -> Notice:
    base = Notice(
        code=CODE,
        applicant="Nguyễn Thị Ánh Tuyết",
        issued=date(2026, 2, 5),
        reasons=("Thiếu giấy chứng sinh", "Tờ khai chưa ký <tên> & {ngày}"),
        officer="Lê Văn Bình",
        chair="Phạm Thị Đào",
    )
    return replace(base, **changes)


def write(tmp_path: Path, data: Notice, template: FormTemplate | None = None) -> Path:
    path = tmp_path / "notice.pdf"
    path.write_bytes(render_notice(data, template or NOTICE.load(TEMPLATE_FILE)))
    return path


def test_second_form_prints_its_wording_and_the_shared_blocks(tmp_path: Path) -> None:
    pdf = write(tmp_path, notice())
    text_ = pdftotext(pdf)
    for expected in (
        "UBND XÃ TÂN PHÚ",
        "BỘ PHẬN MỘT CỬA",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        f"Số: {CODE}/TB",
        "Tân Phú, ngày 05 tháng 02 năm 2026",
        "THÔNG BÁO THỬ NGHIỆM",
        "Kính gửi ông/bà: Nguyễn Thị Ánh Tuyết.",
        f"Hồ sơ mã {CODE} được xem xét ngày 05 tháng 02 năm 2026 vì các lý do sau:",
        "Thiếu giấy chứng sinh",
        "Tờ khai chưa ký <tên> & {ngày}",
        "NGƯỜI LẬP",
        "CHỦ TỊCH",
        "(Ký, đóng dấu)",
        "(Ký và ghi rõ họ tên)",
        "Lê Văn Bình",
        "Phạm Thị Đào",
        f"Thông báo {CODE} – trang 1",
    ):
        assert expected in text_, expected
    meta = PdfReader(pdf).metadata
    assert meta is not None
    assert meta.title == f"Thông báo thử nghiệm – {CODE}"
    assert meta.author == "BỘ PHẬN MỘT CỬA"


def test_second_form_is_a4_landscape_with_its_barcode(tmp_path: Path) -> None:
    pdf = write(tmp_path, notice())
    (page,) = PdfReader(pdf).pages
    assert float(page.mediabox.width) == pytest.approx(A4_LANDSCAPE[0], abs=0.5)
    assert float(page.mediabox.height) == pytest.approx(A4_LANDSCAPE[1], abs=0.5)
    run(poppler("pdftoppm"), "-r", "200", "-png", str(pdf), str(tmp_path / "p"))
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as image:
        assert image.width > image.height
        results = zxingcpp.read_barcodes(image)
    assert [(r.text, r.format) for r in results] == [(CODE, zxingcpp.BarcodeFormat.Code128)]
    fonts = run(poppler("pdffonts"), str(pdf))
    assert "Helvetica" not in fonts
    assert all("NotoSerif" in row.split()[0] for row in fonts.splitlines()[2:])


def test_long_table_flows_onto_numbered_pages_with_its_heading_repeated(tmp_path: Path) -> None:
    reasons = tuple(f"Lý do số {n}: giấy tờ chưa đúng mẫu quy định" for n in range(1, 41))
    pdf = write(tmp_path, notice(reasons=reasons))
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    assert len(pages) >= 2
    for number, page_text in enumerate(pages, start=1):
        assert f"trang {number}" in page_text
        assert "Lý do" in page_text  # the heading row on every page
    assert "Lý do số 40:" in pages[-1]
    bbox = pdftotext(pdf, "-bbox")
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', bbox)
    assert all(float(lo) >= 0 and float(hi) <= A4_LANDSCAPE[0] for lo, hi in words)


def test_empty_table_prints_the_template_wording(tmp_path: Path) -> None:
    assert "Không có lý do" in pdftotext(write(tmp_path, notice(reasons=())))


def test_a_barcode_wider_than_the_page_is_refused(tmp_path: Path) -> None:
    import tomllib

    raw = tomllib.loads(TEMPLATE_FILE.read_text(encoding="utf-8"))
    raw["page"]["size"] = "A5"
    raw["page"]["orientation"] = "portrait"
    raw["barcode"]["module_mm"] = 1.0
    path = tmp_path / "narrow.toml"
    path.write_text(dump_toml(raw), encoding="utf-8")
    with pytest.raises(
        ValueError, match=r"too long for a Code128 barcode of 1\.0 mm modules on A5"
    ):
        render_notice(notice(), NOTICE.load(path))


def test_each_form_checks_its_own_keys() -> None:
    from desk_app.paths import resource_path

    with pytest.raises(FormTemplateError, match=r"khóa lạ 'text\.barcode_caption'"):
        NOTICE.load(resource_path("templates", "receipt_form01.toml"))
