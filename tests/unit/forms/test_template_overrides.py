"""Forms a desk corrected: a TOML file of the shipped name in ``templates/`` of the data
folder replaces the shipped one, file by file; one that does not pass the checks is not
used (the shipped form prints) and ``desk-app templates`` says why, in Vietnamese."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desk_app.cli import main
from desk_app.clock import FixedClock
from desk_app.context import DeskContext
from desk_app.forms.template import check_overrides, override_folder
from desk_app.paths import resource_path
from tests.unit.forms.pdf_tools import pdftotext
from tests.unit.intake_fixtures import NOW, OFFICER, desk_folder, desk_template_db, request

__all__ = ["desk_folder", "desk_template_db"]

SHIPPED_TITLE = 'title = "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"'
CORRECTED_TITLE = 'title = "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN NGÀY TRẢ KẾT QUẢ"'


@pytest.fixture
def desk(desk_folder: Path) -> Iterator[DeskContext]:
    ctx = DeskContext.open(desk_folder, FixedClock(NOW))
    yield ctx
    ctx.close()


def receipt_text(ctx: DeskContext, tmp_path: Path) -> str:
    pdf = ctx.intake.receive(request(), OFFICER).receipt_pdf
    path = tmp_path / "receipt.pdf"
    path.write_bytes(pdf)
    return " ".join(pdftotext(path).split())


def corrected(folder: Path, old: str, new: str, name: str = "receipt_form01.toml") -> Path:
    """The shipped ``name`` with ``old`` replaced by ``new``, in the desk's templates."""
    shipped = resource_path("templates", name).read_text(encoding="utf-8")
    assert old in shipped
    (folder / "templates").mkdir(exist_ok=True)
    path = folder / "templates" / name
    path.write_text(shipped.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_corrected_form_replaces_the_shipped_one_for_this_desk_only(
    desk: DeskContext, desk_folder: Path, tmp_path: Path
) -> None:
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt_text(desk, tmp_path)
    path = corrected(desk_folder, SHIPPED_TITLE, CORRECTED_TITLE)
    text = receipt_text(desk, tmp_path)
    assert "PHIẾU TIẾP NHẬN HỒ SƠ VÀ HẸN NGÀY TRẢ KẾT QUẢ" in text
    assert "GIẤY TIẾP NHẬN" not in text
    assert [(c.file_name, c.used) for c in check_overrides(path.parent)] == [
        ("receipt_form01.toml", True)
    ]
    path.unlink()  # taken back: the shipped form again
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt_text(desk, tmp_path)
    desk.close()
    assert override_folder() is None  # the next desk opened in this process uses its own


def test_a_corrected_form_that_fails_the_checks_falls_back_and_says_why(
    desk: DeskContext, desk_folder: Path, tmp_path: Path
) -> None:
    corrected(desk_folder, SHIPPED_TITLE, 'title = "MẪU {ma_ho_so}"')
    (desk_folder / "templates" / "phieu_moi.toml").write_text("[text]\n", encoding="utf-8")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt_text(desk, tmp_path)
    checks = {c.file_name: c.problem for c in check_overrides(desk_folder / "templates")}
    assert checks["receipt_form01.toml"] == (
        "'text.title': không có chỗ điền {ma_ho_so} (dùng được ở đây: không có)"
    )
    assert (checks["phieu_moi.toml"] or "").startswith("không có mẫu in tên này")
    assert "receipt_form01.toml" in (checks["phieu_moi.toml"] or "")


def test_desk_app_templates_lists_each_file_used_or_why_not(
    desk_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--data-dir", str(desk_folder), "templates"]
    assert main(args) == 0
    assert "Không có mẫu in sửa riêng" in capsys.readouterr().out
    corrected(desk_folder, SHIPPED_TITLE, CORRECTED_TITLE)
    assert main(args) == 0
    assert capsys.readouterr().out == "receipt_form01.toml: dùng tệp sửa riêng\n"
    corrected(desk_folder, "[text]", "[text]\ntitel = 1", name="form02_supplement.toml")
    assert main(args) == 2
    assert capsys.readouterr().out.splitlines() == [
        "form02_supplement.toml: KHÔNG dùng, in theo mẫu đi kèm — khóa lạ 'text.titel'",
        "receipt_form01.toml: dùng tệp sửa riêng",
    ]
