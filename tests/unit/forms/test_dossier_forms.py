"""Forms 02–07 rendered from plain data and read back with poppler, pypdf, a barcode
decoder and openpyxl: wording, numbers and suffixes, Vietnamese marks, page sizes."""

from __future__ import annotations

import datetime as dt
import io
import tomllib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from desk_app.forms import form02, form03, form04, form05, form06, form07
from desk_app.forms.data import (
    DossierFormData,
    HandOver,
    MissingItem,
    Stop,
    SupplementRequest,
)
from desk_app.forms.template import FormTemplateError
from desk_app.paths import resource_path
from tests.unit.forms.pdf_tools import dump_toml, pdftotext, poppler, run
from tests.unit.forms.sample_data import CODE, D, dossier, register

A5 = (419.53, 595.28)
A4 = (595.28, 841.89)

Renderer = Callable[[DossierFormData], bytes]


def write(tmp_path: Path, pdf: bytes, name: str = "form.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def flat(path: Path) -> str:
    """The PDF's text with line breaks and runs of spaces as one space."""
    return " ".join(pdftotext(path).split())


def barcodes_on_first_page(tmp_path: Path, pdf: Path) -> list[tuple[str, object]]:
    prefix = tmp_path / "page"
    run(poppler("pdftoppm"), "-r", "200", "-png", "-f", "1", "-l", "1", str(pdf), str(prefix))
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as image:
        return [(r.text, r.format) for r in zxingcpp.read_barcodes(image)]


def page_size(pdf: Path) -> tuple[float, float]:
    page = PdfReader(pdf).pages[0]
    return float(page.mediabox.width), float(page.mediabox.height)


COMMON = (
    "UBND XÃ TÂN PHÚ",
    "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Kính gửi ông/bà: Nguyễn Thị Ánh Tuyết",
    "Số 12, tổ 3, ấp Phú Lợi, xã Tân Phú",
    "0912 345 678",
    "Đăng ký khai sinh (mã 1.001193)",
)

LETTERS: list[tuple[str, Renderer, str, tuple[str, ...]]] = [
    (
        "02",
        form02.render_form02,
        "PBS",
        (
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "Tân Phú, ngày 24 tháng 11 năm 2026",
            f"đã tiếp nhận hồ sơ mã {CODE}",
            "14 giờ 05 phút, ngày 23 tháng 11 năm 2026",
            "Giấy chứng sinh (bản chính)",
            "Bản đã nộp là bản chụp",
            "Chưa ký tên người đi đăng ký",
            "Lý do: Hồ sơ chưa đủ thành phần theo quy định",
            "Bộ phận Một cửa, điện thoại 0251 3 123 456",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI HƯỚNG DẪN",
            "Lê Văn Bình",
        ),
    ),
    (
        "03",
        form03.render_form03,
        "PTC",
        (
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            "Tân Phú, ngày 23 tháng 11 năm 2026",
            "Thủ tục không thuộc thẩm quyền của xã",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Lê Văn Bình",
        ),
    ),
    (
        "04",
        form04.render_form04,
        "PXL",
        (
            "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            "Tân Phú, ngày 25 tháng 11 năm 2026",
            f"đã tiếp nhận hồ sơ mã {CODE}",
            "03 ngày làm việc",
            "Thời gian hẹn trả kết quả: 16 giờ 30 phút, ngày 26 tháng 11 năm 2026",
            "Lý do: Cần xác minh thông tin hộ tịch ở nơi cư trú trước đây",
            "xin lỗi ông/bà",
            "16 giờ 30 phút, ngày 01 tháng 12 năm 2026",
            "TM. ỦY BAN NHÂN DÂN",
            "CHỦ TỊCH",
            "Phạm Thị Đào",
        ),
    ),
    (
        "05",
        form05.render_form05,
        "TBD",
        (
            "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
            "Tân Phú, ngày 26 tháng 11 năm 2026",
            "Theo đề nghị rút hồ sơ của ông/bà vào lúc 08 giờ 30 phút, ngày 26 tháng 11 năm 2026",
            "Lý do: Công dân xin rút để bổ sung giấy tờ",
            "Phạm Thị Đào",
        ),
    ),
]


@pytest.mark.parametrize(("number", "render", "suffix", "expected"), LETTERS)
def test_letter_prints_its_wording_number_and_barcode(
    tmp_path: Path,
    number: str,
    render: Renderer,
    suffix: str,
    expected: tuple[str, ...],
) -> None:
    pdf = write(tmp_path, render(dossier()))
    text = flat(pdf)
    for wanted in (*COMMON, f"Số: {CODE}/{suffix}", *expected):
        assert wanted in text, wanted
    reader = PdfReader(pdf)
    # Two copies, one A5 page each, each with its caption.
    assert len(reader.pages) == 2
    assert page_size(pdf) == pytest.approx(A5, abs=0.5)
    assert "Liên 1" in (reader.pages[0].extract_text() or "")
    assert "Liên 2" in (reader.pages[1].extract_text() or "")
    assert reader.metadata is not None
    assert reader.metadata.subject == f"Mẫu số {number} – Đăng ký khai sinh (1.001193)"
    assert barcodes_on_first_page(tmp_path, pdf) == [(CODE, zxingcpp.BarcodeFormat.Code128)]
    fonts = run(poppler("pdffonts"), str(pdf))
    assert all("NotoSerif" in row.split()[0] for row in fonts.splitlines()[2:])


@pytest.mark.parametrize(
    ("render", "field", "what"),
    [
        (form02.render_form02, "supplement_requests", "request to complete"),
        (form03.render_form03, "refusals", "refusal"),
        (form04.render_form04, "extensions", "extension"),
        (form05.render_form05, "stops", "withdrawal or stop"),
        (form06.render_form06, "code", "received dossier's code"),
    ],
)
def test_a_form_without_its_part_is_refused(render: Renderer, field: str, what: str) -> None:
    empty = None if field == "code" else ()
    with pytest.raises(ValueError, match=what):
        render(replace(dossier(), **{field: empty}))


def test_form02_at_intake_has_no_code_and_no_clock(tmp_path: Path) -> None:
    request = SupplementRequest(
        D(2026, 11, 23, 9, 40), (MissingItem("Giấy chứng sinh", "Chưa có"),), at_intake=True
    )
    data = dossier(code=None, received_at=None, supplement_requests=(request,))
    pdf = write(tmp_path, form02.render_form02(data))
    text = flat(pdf)
    assert "Số: ……/PBS" in text
    assert "Sau khi xem xét, hồ sơ của ông/bà chưa đầy đủ" in text
    assert "đã tiếp nhận" not in text
    assert "Lý do: ……" in text  # no overall reason given: the blank prints
    assert barcodes_on_first_page(tmp_path, pdf) == []


def test_form05_prints_the_agency_stop_with_its_own_wording(tmp_path: Path) -> None:
    stop = Stop(D(2026, 11, 26, 10, 0), "stopped", "Người yêu cầu đã chết trước khi có kết quả")
    text = flat(write(tmp_path, form05.render_form05(dossier(stops=(stop,)))))
    assert "thông báo dừng giải quyết hồ sơ nêu trên kể từ 10 giờ 00 phút" in text
    assert "Lý do: Người yêu cầu đã chết trước khi có kết quả" in text
    assert "đề nghị rút hồ sơ" not in text


def test_markup_in_data_prints_literally(tmp_path: Path) -> None:
    stop = Stop(D(2026, 11, 26, 10, 0), "withdrawn", "Lý do <b>đặc biệt</b> & {khác}")
    text = flat(write(tmp_path, form05.render_form05(dossier(stops=(stop,)))))
    assert "Lý do <b>đặc biệt</b> & {khác}" in text


# ------------------------------------------------------------------ Form 06


def test_control_sheet_has_one_row_per_hand_over(tmp_path: Path) -> None:
    pdf = write(tmp_path, form06.render_form06(dossier()))
    text = flat(pdf)
    for wanted in (
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
        f"Số: {CODE}/PKS",
        f"kèm theo Giấy tiếp nhận hồ sơ và hẹn trả kết quả số {CODE}/TNHS",
        "Tân Phú, ngày 27 tháng 11 năm 2026",
        "Cơ quan (bộ phận) giải quyết hồ sơ: Công chức Tư pháp - Hộ tịch",
        "Lê Văn Bình Bộ phận Một cửa Lúc 15:00 23/11/2026",
        "Trần Thị Cúc Tư pháp - Hộ tịch Lúc 15:10 23/11/2026",
        "Đặng Quốc Huy Lãnh đạo UBND xã Lúc ……",  # not yet signed for
        "Quá hạn",
        "Trình ký",
    ):
        assert wanted in text, wanted
    assert page_size(pdf) == pytest.approx(A4, abs=0.5)
    assert barcodes_on_first_page(tmp_path, pdf) == [(CODE, zxingcpp.BarcodeFormat.Code128)]
    # Two recorded rows, then the template's three blank rows for the hand-overs to come.
    rows = [line.split()[0] for line in pdftotext(pdf, "-layout").splitlines() if line.strip()]
    assert [n for n in rows if n.isdigit()] == ["1", "2", "3", "4", "5"]


def test_control_sheet_of_many_hand_overs_flows_with_its_heading(tmp_path: Path) -> None:
    steps = tuple(
        HandOver(f"Cán bộ {n}", D(2026, 11, 23, 8, 0) + dt.timedelta(hours=n), "Cán bộ kế")
        for n in range(1, 31)
    )
    pdf = write(tmp_path, form06.render_form06(dossier(handovers=steps)))
    pages = [page.extract_text() or "" for page in PdfReader(pdf).pages]
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "Bên giao hồ sơ" in page
        assert f"trang {number}" in page
    everything = "".join(pages)
    assert all(f"Cán bộ {n}\n" in everything for n in range(1, 31))


# ------------------------------------------------------------------ Form 07


def test_register_pdf_is_a4_landscape_with_one_row_per_dossier(tmp_path: Path) -> None:
    data = register(rows=4)
    pdf = write(tmp_path, form07.render_register_pdf(data))
    text = flat(pdf)
    for wanted in (
        "SỔ THEO DÕI HỒ SƠ",
        "/STD",
        "Từ ngày 01/11/2026 đến ngày 30/11/2026",
        "Tân Phú, ngày 01 tháng 12 năm 2026",
        "Tên cá nhân, tổ chức; địa chỉ, số điện thoại",
        "Nguyễn Thị Ánh Tuyết",
        "Lê Thị Hồng Nhung",
        "Chứng thực chữ ký",
        "Tổng số: 4 hồ sơ.",
        "Trước hạn",
        "Công dân rút hồ sơ; Bản chính đã trả lại",
    ):
        assert wanted in text, wanted
    for row in data.rows:
        assert row.code in text
    width, height = page_size(pdf)
    assert (width, height) == pytest.approx((A4[1], A4[0]), abs=0.5)


def test_register_of_many_dossiers_repeats_its_heading_on_each_page(tmp_path: Path) -> None:
    pdf = write(tmp_path, form07.render_register_pdf(register(rows=45)))
    pages = [page.extract_text() or "" for page in PdfReader(pdf).pages]
    assert len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "Mã hồ sơ" in page
        assert f"trang {number}" in page
    assert "Tổng số: 45 hồ sơ." in pages[-1]


def test_empty_register_says_so(tmp_path: Path) -> None:
    text = flat(write(tmp_path, form07.render_register_pdf(register(rows=0))))
    assert "Không có hồ sơ nào trong khoảng thời gian này" in text
    assert "Tổng số: 0 hồ sơ." in text


def test_register_range_must_not_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends"):
        form07.render_register_pdf(register(start=dt.date(2026, 12, 1)))


def test_register_xlsx_reads_back_with_openpyxl() -> None:
    data = register(rows=4)
    book = openpyxl.load_workbook(io.BytesIO(form07.render_register_xlsx(data)))
    sheet = book.active
    assert sheet is not None
    assert sheet.title == "Sổ theo dõi hồ sơ"
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == "UBND XÃ TÂN PHÚ"
    assert cells[2][0] == "Số: ……/STD"
    assert cells[3][0] == "SỔ THEO DÕI HỒ SƠ"
    assert cells[4][0] == "Từ ngày 01/11/2026 đến ngày 30/11/2026"
    heading = cells[6]
    assert heading[:3] == ["STT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    assert heading[-1] == "Ghi chú"
    assert sheet.freeze_panes == "A8"
    body = cells[7 : 7 + len(data.rows)]
    for n, (line, row) in enumerate(zip(body, data.rows, strict=True), start=1):
        assert line[0] == n
        assert line[1] == row.code
        assert line[2] == row.procedure_name
        assert line[3] == row.sets_count
        assert line[4] == f"{row.applicant_name}\n{row.applicant_contact}"
        # Dates are real date-time cells, so the commune can sort and filter them.
        assert line[6] == row.received_at
        assert line[7] == row.due_at
        assert line[8] == row.sent_at
        assert line[10] == row.returned_at
    assert [line[12] for line in body] == [
        "Trước hạn",
        None,
        "Công dân rút hồ sơ; Bản chính đã trả lại",
        "Trước hạn",
    ]
    assert cells[7 + len(data.rows)][0] == "Tổng số: 4 hồ sơ."
    assert sheet.cell(8, 7).number_format == "dd/mm/yyyy hh:mm"


def test_register_xlsx_is_the_same_for_the_same_data() -> None:
    assert form07.render_register_xlsx(register()) == form07.render_register_xlsx(register())


# ------------------------------------------------------------------ templates are data


SCHEMAS = [form02.SCHEMA, form03.SCHEMA, form04.SCHEMA, form05.SCHEMA, form06.SCHEMA, form07.SCHEMA]


@pytest.mark.parametrize("schema", SCHEMAS, ids=lambda s: s.name)
def test_each_shipped_template_matches_its_form(schema: object) -> None:
    assert hasattr(schema, "load")
    schema.load()  # type: ignore[attr-defined]


def test_an_administrator_corrects_number_title_and_suffix(tmp_path: Path) -> None:
    with resource_path("templates", form03.SCHEMA.file_name).open("rb") as handle:
        raw = tomllib.load(handle)
    raw["header"]["number"] = "Số: {code}/TC-TN"
    raw["text"]["title"] = "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ"
    raw["copies"]["captions"] = [""]
    path = tmp_path / "form03.toml"
    path.write_text(dump_toml(raw), encoding="utf-8")
    pdf = write(tmp_path, form03.render_form03(dossier(), form03.SCHEMA.load(path)))
    text = flat(pdf)
    assert f"Số: {CODE}/TC-TN" in text
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN HỒ SƠ" in text
    assert len(PdfReader(pdf).pages) == 1


def test_a_placeholder_the_form_does_not_supply_is_refused(tmp_path: Path) -> None:
    with resource_path("templates", form04.SCHEMA.file_name).open("rb") as handle:
        raw = tomllib.load(handle)
    raw["body"]["lines"] = ["Kính gửi {name}, mã tra cứu {pin}"]
    path = tmp_path / "form04.toml"
    path.write_text(dump_toml(raw), encoding="utf-8")
    with pytest.raises(FormTemplateError, match=r"'body\.lines'\[0\]: không có chỗ điền \{pin\}"):
        form04.SCHEMA.load(path)
