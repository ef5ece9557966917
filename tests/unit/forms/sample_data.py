"""A realistic dossier for the tests of Forms 02–07: plain data, as the glue builds it."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from desk_app.forms.blocks import Agency
from desk_app.forms.data import (
    Applicant,
    DossierFormData,
    Extension,
    HandOver,
    MissingItem,
    Refusal,
    RegisterData,
    RegisterRow,
    Stop,
    SupplementRequest,
)

CODE = "000.20.33.H12-261121-1001"
D = dt.datetime
TAN_PHU = Agency("UBND XÃ TÂN PHÚ", "BỘ PHẬN TIẾP NHẬN VÀ TRẢ KẾT QUẢ", "Tân Phú")


def dossier(**changes: Any) -> DossierFormData:
    data = DossierFormData(
        agency=TAN_PHU,
        code=CODE,
        applicant=Applicant(
            "Nguyễn Thị Ánh Tuyết", "Số 12, tổ 3, ấp Phú Lợi, xã Tân Phú", "0912 345 678"
        ),
        procedure_code="1.001193",
        procedure_name="Đăng ký khai sinh",
        request_text="Đăng ký khai sinh",
        received_at=D(2026, 11, 23, 14, 5),
        due_at=D(2026, 11, 26, 16, 30),
        original_due_at=D(2026, 11, 26, 16, 30),
        duration_kind="working_days",
        duration_value=3,
        officer_name="Lê Văn Bình",
        issued_at=D(2026, 11, 27, 9, 0),
        head_name="Phạm Thị Đào",
        contact="Bộ phận Một cửa, điện thoại 0251 3 123 456",
        handling_unit="Công chức Tư pháp - Hộ tịch",
        supplement_requests=(
            SupplementRequest(
                D(2026, 11, 24, 9, 0),
                (
                    MissingItem("Giấy chứng sinh (bản chính)", "Bản đã nộp là bản chụp"),
                    MissingItem("Tờ khai đăng ký khai sinh", "Chưa ký tên người đi đăng ký"),
                ),
                "Hồ sơ chưa đủ thành phần theo quy định",
            ),
        ),
        refusals=(Refusal(D(2026, 11, 23, 10, 0), "Thủ tục không thuộc thẩm quyền của xã"),),
        extensions=(
            Extension(
                D(2026, 11, 25, 15, 0),
                "Cần xác minh thông tin hộ tịch ở nơi cư trú trước đây",
                D(2026, 11, 26, 16, 30),
                D(2026, 12, 1, 16, 30),
            ),
        ),
        stops=(Stop(D(2026, 11, 26, 8, 30), "withdrawn", "Công dân xin rút để bổ sung giấy tờ"),),
        handovers=(
            HandOver(
                "Lê Văn Bình",
                D(2026, 11, 23, 15, 0),
                "Trần Thị Cúc",
                D(2026, 11, 23, 15, 10),
                "Bộ phận Một cửa",
                "Tư pháp - Hộ tịch",
            ),
            HandOver(
                "Trần Thị Cúc",
                D(2026, 11, 25, 10, 0),
                "Đặng Quốc Huy",
                None,
                "Tư pháp - Hộ tịch",
                "Lãnh đạo UBND xã",
                "late",
                "Trình ký",
            ),
        ),
    )
    return replace(data, **changes)


def register(rows: int = 3, **changes: Any) -> RegisterData:
    names = ("Nguyễn Thị Ánh Tuyết", "Trần Văn Đức", "Lê Thị Hồng Nhung")
    data = RegisterData(
        agency=TAN_PHU,
        start=dt.date(2026, 11, 1),
        end=dt.date(2026, 11, 30),
        issued_at=D(2026, 12, 1, 9, 0),
        rows=tuple(
            RegisterRow(
                code=f"000.20.33.H12-2611{21 + n % 5:02d}-{1001 + n}",
                procedure_name="Đăng ký khai sinh" if n % 2 else "Chứng thực chữ ký",
                sets_count=1 + n % 2,
                applicant_name=names[n % 3],
                applicant_contact="Ấp Phú Lợi; 0912 345 678",
                handling_unit="Tư pháp - Hộ tịch",
                received_at=D(2026, 11, 21 + n % 5, 8 + n % 8, 5),
                due_at=D(2026, 11, 28, 16, 30) if n % 4 else None,
                sent_at=D(2026, 11, 26, 15, 0) if n % 2 else None,
                result_at=D(2026, 11, 27, 8, 0) if n % 3 == 0 else None,
                returned_at=D(2026, 11, 27, 9, 15) if n % 3 == 0 else None,
                classification="early" if n % 3 == 0 else None,
                stopped="withdrawn" if n % 3 == 2 else None,
                note="Bản chính đã trả lại" if n == 2 else "",
            )
            for n in range(rows)
        ),
    )
    return replace(data, **changes)
