"""The period report as an Excel workbook (openpyxl): the form's table on its first
sheet, with the two-row header of Biểu II.06a, and the satisfaction summary on the
second. Numbers are numbers (not text), so the province's officers can add them up."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from desk_app.report import COLUMNS, HEADER, PROGRESS_TITLE, PeriodReport, ReportRow, group_title


def period_title(report: PeriodReport) -> str:
    return f"Kỳ báo cáo: từ ngày {report.date_from:%d/%m/%Y} đến ngày {report.date_to:%d/%m/%Y}"


def sync_note(report: PeriodReport) -> str:
    if report.last_sync_at is None:
        return "Chưa đồng bộ với máy chủ lần nào: số liệu chỉ gồm hồ sơ có trên máy này."
    return (
        f"Số liệu đến lần đồng bộ thành công gần nhất: {report.last_sync_at:%H:%M %d/%m/%Y}. "
        "Hồ sơ đồng bộ muộn có thể làm thay đổi số liệu của kỳ đã qua."
    )


def write_xlsx(report: PeriodReport) -> bytes:
    wb = Workbook()
    default = wb.active  # typed as worksheet-or-chartsheet: a real worksheet instead
    ws = wb.create_sheet("Biểu II.06a", 0)
    if default is not None:
        wb.remove(default)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    bold = Font(bold=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws["A1"] = report.parent_body
    ws["A2"] = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI BỘ PHẬN MỘT CỬA (Biểu II.06a)"
    ws["A2"].font = Font(bold=True, size=13)
    ws["A3"] = period_title(report)
    ws["A4"] = sync_note(report)
    top, sub = 6, 7
    ws.cell(top, 1, "STT")
    ws.cell(top, 2, group_title(report))
    ws.merge_cells(start_row=top, start_column=1, end_row=sub, end_column=1)
    ws.merge_cells(start_row=top, start_column=2, end_row=sub, end_column=2)
    col = 3
    for title, cols in HEADER:
        ws.cell(top, col, title)
        ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + len(cols) - 1)
        for n, (name, _) in enumerate(cols):
            ws.cell(sub, col + n, name)
        col += len(cols)
    ws.cell(top, col, PROGRESS_TITLE)
    ws.merge_cells(start_row=top, start_column=col, end_row=sub, end_column=col)
    last_col = col
    row_n = sub + 1

    def put(stt: str | int, row: ReportRow, strong: bool = False) -> None:
        nonlocal row_n
        ws.cell(row_n, 1, stt)
        ws.cell(row_n, 2, row.label)
        for n, (_, term) in enumerate(COLUMNS):
            ws.cell(row_n, 3 + n, getattr(row, term))
        progress = row.progress
        ws.cell(row_n, last_col, round(progress, 2) if progress is not None else None)
        if strong:
            for c in range(1, last_col + 1):
                ws.cell(row_n, c).font = bold
        row_n += 1

    for n, r in enumerate(report.rows, 1):
        put(n, r)
    put("", report.total, strong=True)
    for rn in range(top, row_n):
        for c in range(1, last_col + 1):
            cell = ws.cell(rn, c)
            cell.border = border
            if rn <= sub:
                cell.alignment = center
                cell.font = bold
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 36
    for c in range(3, last_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 11
    ws.row_dimensions[sub].height = 45

    sat = wb.create_sheet("Mức độ hài lòng")
    levels = report.rating_levels
    sat.append(["Cán bộ", *levels, "Tổng"])
    for s in report.satisfaction:
        sat.append([s.officer, *(s.counts.get(level, 0) for level in levels), s.total])
    if not report.satisfaction:
        sat.append(["(Không có đánh giá trong kỳ)"])
    sat.column_dimensions["A"].width = 30
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
