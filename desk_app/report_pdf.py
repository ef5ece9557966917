"""The chair's printed reports, through the forms package's renderer and blocks:

* the period statistics report (Biểu II.06a) on A4 landscape — the national header, the
  form's table, the progress indicator, the charts (ReportLab graphics), the
  satisfaction summary and the signature block;
* the daily backlog sheet for the morning meeting on A4 portrait — overdue (with the
  working days late and who holds it), due today, waiting for a supplement.

Wording and measures are in ``resources/templates/report_ii06a.toml`` and
``backlog_sheet.toml``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle

from desk_app.backlog import Backlog, BacklogItem
from desk_app.forms import blocks
from desk_app.forms.blocks import Agency, Column, Layout, Signer, bold, clean, fill
from desk_app.forms.render import page_keys, render_pdf
from desk_app.forms.template import FormSchema, merge_keys, number, text
from desk_app.report import (
    HEADER,
    PROGRESS_TITLE,
    PeriodReport,
    ReportRow,
    SeriesPoint,
    group_title,
)

REPORT_SCHEMA = FormSchema(
    name="report_ii06a",
    file_name="report_ii06a.toml",
    keys=merge_keys(
        page_keys(
            footer=("unit", "from", "to"),
            title=("from", "to"),
            author=("parent_body",),
            subject=(),
        ),
        blocks.HEADER_KEYS,
        blocks.SIGNATURE_KEYS,
        {
            "header.number": text(),
            "text.title": text(),
            "text.period": text("from", "to"),
            "text.unit": text("unit"),
            "text.progress": text("percent"),
            "text.no_progress": text(),
            "text.sync": text("when"),
            "text.never_synced": text(),
            "text.charts_heading": text(),
            "text.chart_flow": text("step"),
            "text.chart_rate": text("step"),
            "text.chart_age": text("date"),
            "text.received_legend": text(),
            "text.resolved_legend": text(),
            "text.satisfaction_heading": text(),
            "text.satisfaction_officer": text(),
            "text.satisfaction_total": text(),
            "text.no_satisfaction": text(),
            "text.notes": text(),
            "signatures.maker": text(),
            "signatures.head": text(),
            "signatures.head_hint": text(),
        },
    ),
)

SUMMARY_PLACEHOLDERS = (
    "open", "overdue", "due_today", "due_soon", "window", "waiting", "received", "returned",
)  # fmt: skip

SUMMARY_PLACEHOLDERS = (
    "open", "overdue", "due_today", "due_soon", "window", "waiting", "received", "returned",
)  # fmt: skip

SHEET_SCHEMA = FormSchema(
    name="backlog_sheet",
    file_name="backlog_sheet.toml",
    keys=merge_keys(
        page_keys(footer=("day",), title=("day",), author=("parent_body",), subject=()),
        blocks.HEADER_KEYS,
        blocks.SIGNATURE_KEYS,
        {
            "header.number": text(),
            "text.title": text("day"),
            "text.summary": text(*SUMMARY_PLACEHOLDERS),
            "text.sync": text("when"),
            "text.never_synced": text(),
            "text.overdue_heading": text("count"),
            "text.due_today_heading": text("count"),
            "text.waiting_heading": text("count"),
            "text.col_no": text(),
            "text.col_code": text(),
            "text.col_procedure": text(),
            "text.col_applicant": text(),
            "text.col_due": text(),
            "text.col_late": text(),
            "text.col_holder": text(),
            "text.empty": text(),
            "text.extended": text(),
            "signatures.maker": text(),
            "signatures.space_mm": number(0, 50),
        },
    ),
)

STEP_WORDS = {"day": "ngày", "week": "tuần", "month": "tháng"}
_GREY = colors.Color(0.35, 0.35, 0.35)
_LIGHT = colors.Color(0.75, 0.75, 0.75)
_SHADE = colors.Color(0.92, 0.92, 0.92)


def _d(value: Any) -> str:
    return f"{value:%d/%m/%Y}"


# ------------------------------------------------------------------ period report


def _report_table(layout: Layout, report: PeriodReport) -> Table:
    styles = layout.styles
    head = styles.cell_head
    cell = styles.cell_centered
    n_terms = sum(len(cols) for _, cols in HEADER)
    top: list[Any] = [Paragraph("STT", head), Paragraph(escape(group_title(report)), head)]
    sub: list[Any] = ["", ""]
    spans: list[tuple[Any, ...]] = [
        ("SPAN", (0, 0), (0, 1)),
        ("SPAN", (1, 0), (1, 1)),
        ("SPAN", (n_terms + 2, 0), (n_terms + 2, 1)),
    ]
    col = 2
    for title, cols in HEADER:
        top.append(Paragraph(escape(title), head))
        top.extend([""] * (len(cols) - 1))
        spans.append(("SPAN", (col, 0), (col + len(cols) - 1, 0)))
        sub.extend(Paragraph(escape(name), head) for name, _ in cols)
        col += len(cols)
    top.append(Paragraph(escape(PROGRESS_TITLE), head))
    sub.append("")
    numbers = [Paragraph(f"({n})", cell) for n in range(1, n_terms + 4)]

    def line(stt: str, row: ReportRow, strong: bool) -> list[Any]:
        wrap = (lambda s: f"<b>{s}</b>") if strong else (lambda s: s)
        progress = row.progress
        return [
            Paragraph(stt, cell),
            Paragraph(wrap(clean(row.label)), styles.cell),
            *(Paragraph(wrap(str(getattr(row, t))), cell) for _, cols in HEADER for _, t in cols),
            Paragraph(wrap(f"{progress:.1f}" if progress is not None else "–"), cell),
        ]

    body = [top, sub, numbers]
    body += [line(str(n), r, False) for n, r in enumerate(report.rows, 1)]
    body.append(line("", report.total, True))
    label_width = 52 * mm
    stt_width = 9 * mm
    rest = (layout.width - label_width - stt_width) / (n_terms + 1)
    table = Table(
        body,
        colWidths=[stt_width, label_width] + [rest] * (n_terms + 1),
        repeatRows=3,
        hAlign="CENTER",
    )
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), layout.fonts.regular),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1.5),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1.5),
                (
                    "BACKGROUND",
                    (0, len(body) - 1),
                    (-1, len(body) - 1),
                    colors.Color(0.92, 0.92, 0.92),
                ),
                *spans,
            ]
        )
    )
    return table


def _chart_step(points: Sequence[SeriesPoint]) -> str:
    if len(points) < 2:
        return "day"
    gap = (points[1].start - points[0].start).days
    return "day" if gap == 1 else "week" if gap == 7 else "month"


def _labels(points: Sequence[SeriesPoint]) -> list[str]:
    step = _chart_step(points)
    fmt = "%m/%Y" if step == "month" else "%d/%m"
    every = max(1, len(points) // 12)
    return [p.start.strftime(fmt) if n % every == 0 else "" for n, p in enumerate(points)]


def flow_chart(
    points: Sequence[SeriesPoint], width: float, height: float, font: str, legend: tuple[str, str]
) -> Drawing:
    """Received against resolved per day, week or month: paired bars, solid dark and
    hatched-light, so the print reads in grey."""
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 28
    chart.width, chart.height = width - 40, height - 48
    chart.data = [[p.received for p in points] or [0], [p.resolved for p in points] or [0]]
    chart.categoryAxis.categoryNames = _labels(points) or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 45 if len(points) > 12 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(points) > 12 else "n"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.bars[0].fillColor = _GREY
    chart.bars[1].fillColor = _LIGHT
    chart.bars.strokeColor = colors.black
    chart.bars.strokeWidth = 0.3
    chart.groupSpacing = 2
    drawing.add(chart)
    key = Legend()
    key.fontName = font
    key.fontSize = 7.5
    key.x, key.y = 35, height - 6
    key.alignment = "right"
    key.columnMaximum = 1
    key.deltax = 90
    key.colorNamePairs = [(_GREY, legend[0]), (_LIGHT, legend[1])]
    drawing.add(key)
    return drawing


def rate_chart(points: Sequence[SeriesPoint], width: float, height: float, font: str) -> Drawing:
    """The share resolved early or on time, 0–100 %, as a line with markers."""
    drawing = Drawing(width, height)
    chart = HorizontalLineChart()
    chart.x, chart.y = 30, 28
    chart.width, chart.height = width - 40, height - 40
    rates = [p.on_time_rate for p in points]
    # A gap where nothing was resolved: ReportLab draws None as a break in the line.
    chart.data = [[r if r is not None else None for r in rates] or [0]]
    chart.categoryAxis.categoryNames = _labels(points) or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6.5
    chart.categoryAxis.labels.angle = 45 if len(points) > 12 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(points) > 12 else "n"
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = 100
    chart.valueAxis.valueStep = 20
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.lines[0].strokeColor = colors.black
    chart.lines[0].strokeWidth = 1.2
    from reportlab.graphics.widgets.markers import makeMarker

    chart.lines[0].symbol = makeMarker("FilledCircle", size=3)
    drawing.add(chart)
    return drawing


def age_chart(by_age: Sequence[tuple[str, int]], width: float, height: float, font: str) -> Drawing:
    """Dossiers in progress by days since their receipt: one grey bar per bucket, its
    count written above it (the backlog screen's chart, in print)."""
    drawing = Drawing(width, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 30, 20
    chart.width, chart.height = width - 40, height - 36
    chart.data = [[n for _, n in by_age] or [0]]
    chart.categoryAxis.categoryNames = [label for label, _ in by_age] or [""]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    if max((n for _, n in by_age), default=0) < 5:
        chart.valueAxis.valueMax = 5  # a few dossiers: whole-number steps, not 0.5
        chart.valueAxis.valueStep = 1
    chart.bars[0].fillColor = _GREY
    chart.bars.strokeColor = colors.black
    chart.bars.strokeWidth = 0.3
    chart.barLabelFormat = "%d"
    chart.barLabels.fontName = font
    chart.barLabels.fontSize = 7
    chart.barLabels.nudge = 6
    drawing.add(chart)
    return drawing


def _charts(layout: Layout, report: PeriodReport) -> list[Flowable]:
    t = layout.template
    points = report.series
    if not points:
        return []
    step = STEP_WORDS[_chart_step(points)]
    font = layout.fonts.regular
    half = layout.width / 2 - 4 * mm
    height = 62 * mm
    flow = flow_chart(
        points, half, height, font, (t.text("text.received_legend"), t.text("text.resolved_legend"))
    )
    rate = rate_chart(points, half, height, font)
    ages = age_chart(report.backlog_by_age, half, height, font)
    for drawing, title in (
        (flow, t.plain("text.chart_flow", {"step": step})),
        (rate, t.plain("text.chart_rate", {"step": step})),
        (ages, t.plain("text.chart_age", {"date": _d(report.date_to)})),
    ):
        drawing.add(
            String(
                drawing.width / 2,
                drawing.height + 2,
                title,
                fontName=layout.fonts.bold,
                fontSize=8.5,
                textAnchor="middle",
            )
        )
        drawing.height += 12
    grid = Table([[flow, rate], [ages, ""]], colWidths=[layout.width / 2] * 2)
    return [
        Spacer(1, 3 * mm),
        Paragraph(bold(t.text("text.charts_heading")), layout.styles.body),
        grid,
    ]


def _satisfaction(layout: Layout, report: PeriodReport) -> list[Flowable]:
    t = layout.template
    heading = Paragraph(bold(t.text("text.satisfaction_heading")), layout.styles.body)
    levels = report.rating_levels
    columns = [Column(t.text("text.satisfaction_officer"), 60 * mm, "left")]
    columns += [Column(level, 32 * mm) for level in levels]
    columns.append(Column(t.text("text.satisfaction_total"), 22 * mm))
    rows = [
        [clean(s.officer), *(str(s.counts.get(level, 0)) for level in levels), str(s.total)]
        for s in report.satisfaction
    ]
    table = blocks.table(layout, columns, rows, t.text("text.no_satisfaction"))
    return [Spacer(1, 3 * mm), KeepTogether([heading, table])]


def _report_story(layout: Layout, report: PeriodReport) -> list[Flowable]:
    t = layout.template
    styles = layout.styles
    agency = Agency(report.parent_body, report.unit_name, report.place_name)
    progress = report.total.progress
    percent = f"{progress:.1f}%" if progress is not None else t.text("text.no_progress")
    sync = (
        t.plain("text.sync", {"when": f"{report.last_sync_at:%H:%M ngày %d/%m/%Y}"})
        if report.last_sync_at
        else t.text("text.never_synced")
    )
    story: list[Flowable] = [
        blocks.document_header(
            layout, agency, escape(t.text("header.number")), report.generated_at.date()
        ),
        blocks.title(layout, t.text("text.title")),
        Paragraph(
            fill(t.text("text.period"), **{"from": _d(report.date_from), "to": _d(report.date_to)}),
            styles.centered,
        ),
        Paragraph(fill(t.text("text.unit"), unit=bold(report.parent_body)), styles.centered),
        Spacer(1, 2 * mm),
        _report_table(layout, report),
        Spacer(1, 2 * mm),
        Paragraph(fill(t.text("text.progress"), percent=bold(percent)), styles.body),
        Paragraph(escape(sync), styles.notes),
        Paragraph(escape(t.text("text.notes")), styles.notes),
    ]
    story += _charts(layout, report)
    story += _satisfaction(layout, report)
    signers = (
        Signer(t.text("signatures.maker"), ""),
        Signer(t.text("signatures.head"), "", t.text("signatures.head_hint")),
    )
    story.append(KeepTogether([Spacer(1, 5 * mm), blocks.signatures(layout, signers)]))
    return story


def render_report_pdf(report: PeriodReport) -> bytes:
    """Biểu II.06a as PDF bytes (A4 landscape)."""
    template = REPORT_SCHEMA.load()
    values = {
        "unit": report.unit_name,
        "from": _d(report.date_from),
        "to": _d(report.date_to),
        "parent_body": report.parent_body,
    }
    return render_pdf(
        template,
        copies=[""],
        lay_out_copy=lambda layout, _caption: _report_story(layout, report),
        footer={k: values[k] for k in ("unit", "from", "to")},
        metadata=values,
    )


# ------------------------------------------------------------------ daily sheet


def _short(name: str, limit: int = 70) -> str:
    """A long procedure name cut at a word, with an ellipsis (the code says the rest)."""
    if len(name) <= limit:
        return name
    return name[:limit].rsplit(" ", 1)[0] + "…"


def _items_table(
    layout: Layout, items: Sequence[BacklogItem], *, late: bool, extended_note: str, empty: str
) -> Table:
    t = layout.template
    columns = [
        Column(t.text("text.col_no"), 9 * mm),
        Column(t.text("text.col_code"), 41 * mm, "left"),
        Column(t.text("text.col_procedure"), None, "left"),
        Column(t.text("text.col_applicant"), 30 * mm, "left"),
        Column(t.text("text.col_due"), 19 * mm),
    ]
    if late:
        columns.append(Column(t.text("text.col_late"), 15 * mm))
    columns.append(Column(t.text("text.col_holder"), 24 * mm, "left"))
    rows = []
    for n, item in enumerate(items, 1):
        due = f"{item.due_at:%d/%m/%Y}" if item.due_at else "–"
        if item.extended:
            due += f"<br/>{escape(extended_note)}"
        row = [
            str(n),
            clean(item.code),
            clean(_short(item.procedure_name)),
            clean(item.applicant_name),
            due,
        ]
        if late:
            row.append(bold(str(item.days_late)))
        row.append(clean(item.holder))
        rows.append(row)
    return blocks.table(layout, columns, rows, empty)


def _sheet_story(layout: Layout, backlog: Backlog, agency: Agency) -> list[Flowable]:
    t = layout.template
    styles = layout.styles
    counts = backlog.counts
    sync = (
        t.plain("text.sync", {"when": f"{backlog.last_sync_at:%H:%M ngày %d/%m/%Y}"})
        if backlog.last_sync_at
        else t.text("text.never_synced")
    )
    story: list[Flowable] = [
        blocks.document_header(layout, agency, escape(t.text("header.number")), backlog.today),
        blocks.title(layout, t.plain("text.title", {"day": _d(backlog.today)})),
        Spacer(1, 2 * mm),
        Paragraph(
            fill(
                t.text("text.summary"),
                open=bold(str(backlog.open_total)),
                overdue=bold(str(counts["overdue"])),
                due_today=bold(str(counts["due_today"])),
                due_soon=str(counts["due_soon"]),
                window=str(backlog.warning_days),
                waiting=str(counts["waiting_supplement"]),
                received=str(counts["received_today"]),
                returned=str(counts["returned_today"]),
            ),
            styles.body,
        ),
        Paragraph(escape(sync), styles.notes),
    ]
    extended = t.text("text.extended")
    empty = t.text("text.empty")
    for key, heading, late in (
        ("overdue", "text.overdue_heading", True),
        ("due_today", "text.due_today_heading", False),
        ("waiting_supplement", "text.waiting_heading", False),
    ):
        items = backlog.lists[key]
        story += [
            Spacer(1, 3 * mm),
            Paragraph(bold(t.plain(heading, {"count": str(len(items))})), styles.body),
            Spacer(1, 1 * mm),
            _items_table(layout, items, late=late, extended_note=extended, empty=empty),
        ]
    story.append(
        KeepTogether(
            [
                Spacer(1, 5 * mm),
                blocks.signatures(layout, (Signer("", ""), Signer(t.text("signatures.maker"), ""))),
            ]
        )
    )
    return story


def render_backlog_sheet(backlog: Backlog, parent_body: str, unit_name: str, place: str) -> bytes:
    """The daily backlog sheet as PDF bytes (A4 portrait)."""
    template = SHEET_SCHEMA.load()
    day = _d(backlog.today)
    agency = Agency(parent_body, unit_name, place)
    return render_pdf(
        template,
        copies=[""],
        lay_out_copy=lambda layout, _caption: _sheet_story(layout, backlog, agency),
        footer={"day": day},
        metadata={"day": day, "parent_body": parent_body},
    )
