"""Form 01 receipt PDF, read back with real tools: poppler, pypdf and a barcode decoder."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import barcode
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from desk_app.forms.fonts import register_fonts
from desk_app.forms.form01 import SCHEMA, ReceiptData, ReceiptDocument, render_receipt_pdf
from desk_app.forms.template import FormTemplateError, Text, TextList
from desk_app.paths import resource_path
from tests.unit.forms.pdf_tools import dump_toml, pdftotext, poppler, run

CODE = "000.20.33.H12-261121-1001"
TITLE = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
A5_POINTS = (419.53, 595.28)


def receipt_data(**changes: Any) -> ReceiptData:
    """A realistic birth-registration receipt; keyword arguments replace fields."""
    data = ReceiptData(
        code=CODE,
        lookup_pin="K7M2QX",
        parent_body="UBND XÃ TÂN PHÚ",
        unit_name="BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
        place_name="Tân Phú",
        applicant_name="Nguyễn Thị Ánh Tuyết",
        applicant_address="Số 12, tổ 3, ấp Phú Lợi, xã Tân Phú, tỉnh Đồng Nai",
        applicant_phone="0912 345 678",
        applicant_email="anhtuyet@example.vn",
        applicant_cccd="075188001234",
        representative_name=None,
        procedure_code="1.001193",
        procedure_name="Đăng ký khai sinh",
        request_text="Đăng ký khai sinh cho con: Trần Gia Hân, sinh ngày 15/11/2026",
        documents=(
            ReceiptDocument("Tờ khai đăng ký khai sinh", "original", 1),
            ReceiptDocument("Giấy chứng sinh", "original", 1),
            ReceiptDocument("Giấy chứng nhận kết hôn của cha, mẹ", "certified_copy", 1),
        ),
        sets_count=1,
        duration_kind="same_day",
        duration_value=None,
        received_at=datetime(2026, 11, 21, 14, 5),
        due_at=datetime(2026, 11, 21, 16, 30),
        result_place="Bộ phận Một cửa UBND xã Tân Phú",
        register_book="Sổ theo dõi hồ sơ 2026",
        register_line=1001,
        officer_name="Lê Văn Bình",
        fee_text="Miễn lệ phí",
        channel="in_person",
    )
    return replace(data, **changes)


def write_pdf(tmp_path: Path, data: ReceiptData, name: str = "receipt.pdf", **kw: Any) -> Path:
    path = tmp_path / name
    path.write_bytes(render_receipt_pdf(data, **kw))
    return path


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_pdf(tmp_path_factory.mktemp("receipt"), receipt_data())


def default_template_raw() -> dict[str, dict[str, Any]]:
    import tomllib

    with resource_path("templates", "receipt_form01.toml").open("rb") as handle:
        return tomllib.load(handle)


# ------------------------------------------------------------------ text and fonts


def test_vietnamese_text_reads_back_with_pdftotext(sample_pdf: Path) -> None:
    text = pdftotext(sample_pdf)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND XÃ TÂN PHÚ",
        f"Số: {CODE}/TNHS",
        "Tân Phú, ngày 21 tháng 11 năm 2026",
        TITLE,
        "Nguyễn Thị Ánh Tuyết",
        "075188001234",
        "Số 12, tổ 3, ấp Phú Lợi, xã Tân Phú, tỉnh Đồng Nai",
        "0912 345 678",
        "anhtuyet@example.vn",
        "Đăng ký khai sinh",
        "1.001193",
        "Giấy chứng nhận kết hôn của cha, mẹ",
        "Bản sao chứng thực",
        "Trong ngày",
        "14 giờ 05 phút, ngày 21 tháng 11 năm 2026",
        "16 giờ 30 phút, ngày 21 tháng 11 năm 2026",
        "Bộ phận Một cửa UBND xã Tân Phú",
        "Miễn lệ phí",
        "Sổ theo dõi hồ sơ 2026, số thứ tự: 1001",
        "Mã tra cứu hồ sơ: K7M2QX",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Lê Văn Bình",
        "Liên 1: Giao người nộp hồ sơ",
        "Liên 2: Lưu kèm hồ sơ",
    ):
        assert expected in text, expected
    # Both copies carry the whole form.
    assert text.count(TITLE) == 2
    assert text.count("Lê Văn Bình") == 2


def test_vietnamese_text_reads_back_with_pypdf(sample_pdf: Path) -> None:
    pages = [page.extract_text() for page in PdfReader(sample_pdf).pages]
    for number, caption in enumerate(("Liên 1: Giao người nộp hồ sơ", "Liên 2: Lưu kèm hồ sơ")):
        text = pages[number]
        for expected in (
            "Nguyễn Thị Ánh Tuyết",
            "Đăng ký khai sinh",
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "ngày 21 tháng 11 năm 2026",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Lê Văn Bình",
            caption,
        ):
            assert expected in text, (number, expected)


def test_missing_appointment_is_printed_as_such(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path, receipt_data(due_at=None))
    text = pdftotext(pdf)
    assert text.count("Không có ngày hẹn trả cụ thể") == 2
    assert "16 giờ 30 phút" not in text


def test_optional_fields(tmp_path: Path) -> None:
    pdf = write_pdf(
        tmp_path,
        receipt_data(
            representative_name="Trần Văn Hùng",
            applicant_email=None,
            register_line=None,
            channel="postal",
            duration_kind="working_days",
            duration_value=3,
        ),
    )
    text = pdftotext(pdf)
    assert "Người đại diện/được ủy quyền nộp hồ sơ: Trần Văn Hùng" in text
    assert "email" not in text
    assert "số thứ tự: ………" in text
    assert "qua dịch vụ bưu chính công ích" in text
    assert "03 ngày làm việc" in text


def test_markup_characters_in_data_are_printed_literally(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path, receipt_data(fee_text="8.000 đồng & <miễn> {phí}"))
    assert "8.000 đồng & <miễn> {phí}" in pdftotext(pdf)


def test_fonts_are_embedded_noto_only(sample_pdf: Path) -> None:
    output = run(poppler("pdffonts"), str(sample_pdf))
    rows = output.splitlines()[2:]
    assert rows, output
    for row in rows:
        name, columns = row.split()[0], row.split()
        assert "NotoSerif" in name, row
        # Columns: name type encoding emb sub uni object-id generation.
        assert columns[-5] == "yes", row
    for fallback in ("Helvetica", "Times", "Courier", "Vera"):
        assert fallback not in output


def test_font_registration_is_idempotent() -> None:
    from reportlab.pdfbase import pdfmetrics

    first = register_fonts()
    assert register_fonts() == first
    registered = pdfmetrics.getRegisteredFontNames()
    for face in (first.regular, first.bold, first.italic, first.bold_italic):
        assert face in registered


# ------------------------------------------------------------------ page and metadata


def test_a5_with_one_page_per_copy(sample_pdf: Path) -> None:
    reader = PdfReader(sample_pdf)
    assert len(reader.pages) == 2
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width == pytest.approx(A5_POINTS[0], abs=0.5)
        assert height == pytest.approx(A5_POINTS[1], abs=0.5)
    assert "Liên 1" in reader.pages[0].extract_text()
    assert "Liên 2" in reader.pages[1].extract_text()


def test_metadata(sample_pdf: Path) -> None:
    meta = PdfReader(sample_pdf).metadata
    assert meta is not None
    assert meta.title == f"Giấy tiếp nhận hồ sơ và hẹn trả kết quả – {CODE}"
    assert meta.author == "UBND XÃ TÂN PHÚ – BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ"


def test_same_data_gives_same_bytes() -> None:
    data = receipt_data()
    assert render_receipt_pdf(data) == render_receipt_pdf(data)


def test_long_content_flows_and_each_copy_starts_on_a_fresh_page(tmp_path: Path) -> None:
    documents = tuple(
        ReceiptDocument(
            f"Giấy tờ số {n}: trích lục hộ tịch kèm xác nhận của cơ quan có thẩm quyền "
            "nơi cư trú trước đây của người yêu cầu",
            ("original", "copy", "certified_copy")[n % 3],
            n % 4 + 1,
        )
        for n in range(1, 19)
    )
    address = "Số nhà 1234/56/78, đường Nguyễn Thị Minh Khai nối dài, khu phố Phú Lợi " * 4
    pdf = write_pdf(tmp_path, receipt_data(documents=documents, applicant_address=address))
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    assert len(pages) > 2
    title_pages = [index for index, text in enumerate(pages) if TITLE in text]
    assert len(title_pages) == 2
    second = title_pages[1]
    # The first copy ends (with its signatures) before the second copy's page begins.
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in pages[second - 1]
    assert "Liên 1" in pages[second - 1]
    assert pages[second].lstrip().startswith("UBND XÃ TÂN PHÚ")
    full = pdftotext(pdf)
    assert full.count("Giấy tờ số 18:") == 2
    # Nothing is drawn past the page edge: every word box lies on the page.
    bbox = pdftotext(pdf, "-bbox")
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', bbox)
    assert words
    assert all(float(x_min) >= 0 and float(x_max) <= A5_POINTS[0] for x_min, x_max in words)


# ------------------------------------------------------------------ barcode


def code128_modules(code: str) -> int:
    return len(barcode.get("code128", code).build()[0])


@pytest.mark.parametrize("code", [CODE, "XA.TANPHU.DN-ABCDEFG-HIJK"])
def test_barcode_decodes_from_a_200_dpi_render(tmp_path: Path, code: str) -> None:
    assert len(code) == 25
    pdf = write_pdf(tmp_path, receipt_data(code=code))
    run(
        poppler("pdftoppm"),
        "-r",
        "200",
        "-png",
        "-f",
        "1",
        "-l",
        "1",
        str(pdf),
        str(tmp_path / "p"),
    )
    (png,) = tmp_path.glob("p*.png")
    with Image.open(png) as image:
        results = zxingcpp.read_barcodes(image)
    assert [(r.text, r.format) for r in results] == [(code, zxingcpp.BarcodeFormat.Code128)]
    # The decoded symbol spans the bars from start to stop: check the module width from it.
    position = results[0].position
    width_mm = (position.top_right.x - position.top_left.x) / 200 * 25.4
    assert width_mm / code128_modules(code) >= 0.33 * 0.97
    assert "Mã tra cứu hồ sơ: K7M2QX" in pdftotext(pdf)


def test_barcode_is_vector_not_an_image(sample_pdf: Path) -> None:
    for page in PdfReader(sample_pdf).pages:
        resources = page["/Resources"].get_object()
        assert isinstance(resources, DictionaryObject)
        assert "/XObject" not in resources


def test_code_that_code128_cannot_carry_is_refused() -> None:
    with pytest.raises(ValueError, match="printable ASCII"):
        render_receipt_pdf(receipt_data(code="ĐN-261121-0001"))


def test_unknown_document_kind_is_refused() -> None:
    data = receipt_data(documents=(ReceiptDocument("Tờ khai", "scan", 1),))
    with pytest.raises(ValueError, match="unknown document kind 'scan'"):
        render_receipt_pdf(data)


# ------------------------------------------------------------------ template


def test_default_template_is_cached() -> None:
    assert SCHEMA.load() is SCHEMA.load()


def test_missing_key_names_the_key(tmp_path: Path) -> None:
    raw = default_template_raw()
    del raw["signatures"]["officer"]
    path = tmp_path / "bad.toml"
    path.write_text(dump_toml(raw), encoding="utf-8")
    with pytest.raises(FormTemplateError, match=r"thiếu khóa 'signatures\.officer'"):
        SCHEMA.load(path)


def test_missing_section_names_the_section(tmp_path: Path) -> None:
    raw = default_template_raw()
    del raw["barcode"]
    path = tmp_path / "bad.toml"
    path.write_text(dump_toml(raw), encoding="utf-8")
    with pytest.raises(FormTemplateError, match=r"thiếu mục \[barcode\]"):
        SCHEMA.load(path)


@pytest.mark.parametrize(
    ("section", "key", "value", "message"),
    [
        ("barcode", "module_mm", 0.25, r"'barcode\.module_mm' = 0\.25 nằm ngoài khoảng"),
        ("font_size", "body", "nine", r"'font_size\.body' phải là một số"),
        ("text", "title", 12, r"'text\.title' phải là chữ"),
        ("text", "fee", "Phí: {price}", r"'text\.fee': không có chỗ điền \{price\}"),
        ("text", "titel", "typo", r"khóa lạ 'text\.titel'"),
        ("copies", "captions", [], r"'copies\.captions' cần ít nhất 1"),
    ],
)
def test_wrong_values_name_the_key(
    tmp_path: Path, section: str, key: str, value: Any, message: str
) -> None:
    raw = default_template_raw()
    raw[section][key] = value
    path = tmp_path / "bad.toml"
    path.write_text(dump_toml(raw), encoding="utf-8")
    with pytest.raises(FormTemplateError, match=message) as raised:
        SCHEMA.load(path)
    assert raised.value.code == "form.template_invalid"


def test_invalid_toml_is_a_template_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("[page\nmargin = ", encoding="utf-8")
    with pytest.raises(FormTemplateError, match="sai cú pháp TOML"):
        SCHEMA.load(path)


def test_custom_template_wording_shows_in_the_pdf(tmp_path: Path) -> None:
    raw = default_template_raw()
    raw["text"]["title"] = "PHIẾU HẸN TRẢ KẾT QUẢ (MẪU TỈNH)"
    raw["copies"]["captions"] = ["Liên duy nhất"]
    path = tmp_path / "province.toml"
    path.write_text(dump_toml(raw), encoding="utf-8")
    pdf = write_pdf(tmp_path, receipt_data(), template=SCHEMA.load(path))
    text = pdftotext(pdf)
    assert "PHIẾU HẸN TRẢ KẾT QUẢ (MẪU TỈNH)" in text
    assert TITLE not in text
    assert "Liên duy nhất" in text
    assert len(PdfReader(pdf).pages) == 1


def test_edited_template_file_is_read_again(tmp_path: Path) -> None:
    raw = default_template_raw()
    path = tmp_path / "province.toml"
    path.write_text(dump_toml(raw), encoding="utf-8")
    first = SCHEMA.load(path)
    raw["text"]["title"] = "GIẤY BIÊN NHẬN HỒ SƠ"
    path.write_text(dump_toml(raw), encoding="utf-8")
    assert SCHEMA.load(path).text("text.title") == "GIẤY BIÊN NHẬN HỒ SƠ"
    assert first.text("text.title") == TITLE


def test_every_allowed_placeholder_can_be_used(tmp_path: Path) -> None:
    raw = default_template_raw()
    for dotted, spec in SCHEMA.keys.items():
        section, key = dotted.split(".")
        if isinstance(spec, Text):
            raw[section][key] += "".join(f" [{{{name}}}]" for name in sorted(spec.placeholders))
        elif isinstance(spec, TextList):
            raw[section][key] = [
                line + "".join(f" [{{{name}}}]" for name in sorted(spec.placeholders))
                for line in raw[section][key]
            ]
    path = tmp_path / "all.toml"
    path.write_text(dump_toml(raw), encoding="utf-8")
    pdf = write_pdf(tmp_path, receipt_data(), template=SCHEMA.load(path))
    assert "[K7M2QX]" in pdftotext(pdf)


def test_eight_documents_still_fit_one_page_per_copy(tmp_path: Path) -> None:
    """A typical dossier's checklist (eight papers, one name on two lines, a representative
    and an email) keeps each copy on one A5 page: the officer hands over one sheet."""
    documents = (
        ReceiptDocument("Tờ khai đăng ký khai sinh (theo mẫu)", "original", 1),
        ReceiptDocument("Giấy chứng sinh do cơ sở y tế nơi trẻ sinh ra cấp", "original", 1),
        ReceiptDocument("Giấy chứng nhận kết hôn của cha, mẹ", "certified_copy", 1),
        ReceiptDocument("Căn cước công dân của người đi đăng ký khai sinh", "copy", 1),
        ReceiptDocument("Văn bản ủy quyền đăng ký khai sinh (nếu có)", "certified_copy", 1),
        ReceiptDocument("Giấy xác nhận thông tin về cư trú của cha, mẹ", "original", 1),
        ReceiptDocument(
            "Biên bản xác nhận việc sinh (trường hợp không có giấy chứng sinh)", "original", 1
        ),
        ReceiptDocument("Văn bản cam đoan về việc sinh của người làm chứng", "original", 2),
    )
    data = receipt_data(documents=documents, representative_name="Trần Văn Hùng")
    pages = [page.extract_text() for page in PdfReader(write_pdf(tmp_path, data)).pages]
    assert len(pages) == 2
    for page in pages:
        assert TITLE in page
        assert "Văn bản cam đoan về việc sinh của người làm chứng" in page
        assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in page
