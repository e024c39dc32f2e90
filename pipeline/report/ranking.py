"""The Phụ lục sheets of the district workbook: overall ranking with its chart, ranking per area, targets, lists."""

from __future__ import annotations

import math

import pandas as pd

from pipeline.reference.catalog import AREA_NAMES
from pipeline.reference.office import Office
from pipeline.vn import format as fmt
from pipeline.vn.periods import period_label
from pipeline.figures.ranking import (NOT_SUBMITTED, RESULT_MISSED, RESULT_NOT_DONE, band_sentences, comparison_sentences,
                              list_members, list_sentence,
                              ranked_order, target_results, target_sentence)
from pipeline.report.layout import (FMT_RATE, FONT, PAGE_WIDTH_PX, heading, lines, merge_text, page, print_scale,
                                    rows_per_page, width_px)
from pipeline.reference.rubric import Rubric
from schemas.models import AREAS

OVERALL_SHEET = "Phụ lục 1. Xếp hạng"
AREA_RANK_SHEET = "Phụ lục 2. Theo lĩnh vực"
TARGETS_SHEET = "Phụ lục 3. Chỉ tiêu"
LISTS_SHEET = "Phụ lục 4. Danh sách"
RANKING_SHEETS = [
    (OVERALL_SHEET, "xếp hạng chung, xếp loại, thay đổi so với kỳ trước, biểu đồ"),
    (AREA_RANK_SHEET, "xếp hạng từng lĩnh vực, điểm từng tiêu chí"),
    (TARGETS_SHEET, "đơn vị đạt, chưa đạt chỉ tiêu"),
    (LISTS_SHEET, "danh sách đơn vị trích dẫn trong báo cáo"),
]
RANK_HEADER = "Xếp hạng"
NOT_APPLICABLE = "KAD"  # a criterion the unit answered "không áp dụng"
_REPEAT_LIMIT = 24  # up to this many units the ranking table fits one page: no repeated titles above the chart
_ONE_PAGE_LIMIT = 30  # up to this many units the target table is printed on one page
_CHART_CHUNK = 25  # a province's ranking chart: at most this many bars per chart, one chart per printed page
_HEADING_ROWS = 7  # rows' worth of height the heading (issuer, motto, title, caption) takes on a sheet's first page


def write_ranking_sheets(wb, f: dict, office: Office, period_code: str, previous_period: str | None, rubric: Rubric,
                         scores: pd.DataFrame, units: pd.DataFrame, wide: pd.DataFrame) -> None:
    """Add the four Phụ lục sheets; `wide` holds the units' values (pipeline.figures.ranking.unit_values), `scores` their ranking."""
    _overall(wb, f, office, period_code, previous_period, rubric, scores)
    _by_area(wb, f, office, period_code, rubric, scores)
    _targets(wb, f, office, period_code, rubric, scores, wide)
    _lists(wb, f, office, period_code, rubric, units, wide)


def _text_rows(text: str, width_chars: float) -> float:
    """Row height (points) for a wrapped text in a merged range `width_chars` wide."""
    return 15.75 * lines(text, width_chars) + 3


def _overall(wb, f, office: Office, period_code: str, previous_period: str | None, rubric: Rubric, scores: pd.DataFrame) -> None:
    ws = wb.add_worksheet(OVERALL_SHEET)
    widths = [5, 17] + [6.5] * len(AREAS) + [8.5, 9, 8, 26, 10, 8]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    last = len(widths) - 1
    label = period_label(period_code)
    kinds = office.kinds_phrase(list(scores["kind"]) if "kind" in scores.columns else None)
    r = heading(ws, f, office, f"KẾT QUẢ ĐÁNH GIÁ, XẾP HẠNG CÔNG TÁC CẢI CÁCH HÀNH CHÍNH CỦA CÁC {kinds.upper()} {label.upper()}",
                widths)
    prev_label = period_label(previous_period) if previous_period else "kỳ trước"
    c_total, c_pct, c_rank, c_band, c_prev, c_change = 2 + len(AREAS) + 0, 10, 11, 12, 13, 14
    merge_text(ws, r - 1, 0, last, f"(Điểm tối đa {fmt.decimal(rubric.total_max)} điểm; so sánh thứ hạng với {prev_label})", f["italic_c"])
    h = r
    for c, text in ((0, "STT"), (1, "Đơn vị"), (c_total, f"Tổng điểm (tối đa {fmt.decimal(rubric.total_max)})"),
                    (c_pct, "Tỷ lệ % điểm tối đa"), (c_rank, RANK_HEADER), (c_band, "Xếp loại"),
                    (c_prev, f"Xếp hạng {prev_label}"), (c_change, "Thay đổi")):
        ws.merge_range(h, c, h + 1, c, text, f["head"])
    ws.merge_range(h, 2, h, 1 + len(AREAS), "Điểm theo lĩnh vực (điểm tối đa)", f["head"])
    for i, area in enumerate(AREAS):
        ws.write_string(h + 1, 2 + i, f"{area} ({fmt.decimal(rubric.area_max[area])})", f["head"])
    ws.set_row(h, 20)
    ws.set_row(h + 1, 34)
    ordered = ranked_order(scores)
    first = h + 2
    for i, row in enumerate(ordered.to_dict("records")):
        rr = first + i
        ws.write_number(rr, 0, i + 1, f["text_c"])
        ws.write_string(rr, 1, _with_max(str(row["label"]), row.get("max"), rubric.total_max), f["text"])
        if not row["submitted"]:
            for c in list(range(2, c_rank)) + [c_band, c_prev, c_change]:
                ws.write_blank(rr, c, None, f["text"])
            ws.write_string(rr, c_rank, NOT_SUBMITTED, f["text_c"])
            _write_int(ws, rr, c_prev, row["prev_rank"], f["rank_plain"], f["text"])
            continue
        for j, area in enumerate(AREAS):
            ws.write_number(rr, 2 + j, float(row[area]), f["points"])
        ws.write_number(rr, c_total, float(row["total"]), f["points_b"])
        ws.write_number(rr, c_pct, float(row["percent"]), f["rate"])
        ws.write_number(rr, c_rank, int(row["rank"]), f["rank"])
        ws.write_string(rr, c_band, str(row["band"]), f.get(f"band:{row['band']}", f["text"]))
        _write_int(ws, rr, c_prev, row["prev_rank"], f["rank_plain"], f["text"])
        _write_int(ws, rr, c_change, row["change"], f["change"], f["text"])
    end = first + len(ordered)
    ws.freeze_panes(first, 2)
    note = ("Ghi chú: các đơn vị bằng tổng điểm được xếp đồng hạng và thứ hạng kế tiếp được bỏ qua (1, 2, 2, 4); "
            f"Thay đổi = thứ hạng {prev_label} − thứ hạng kỳ này (+ là tăng hạng, − là giảm hạng). "
            f"Xếp loại theo tỷ lệ % điểm tối đa: " + "; ".join(_band_range(rubric, i) for i in range(len(rubric.bands))) + ".")
    table_chars = sum(widths)
    r = end + 1
    ws.set_h_pagebreaks([r])  # the notes, the bands in words and the chart on the next page
    merge_text(ws, r, 0, last, note, f["italic"])
    ws.set_row(r, _text_rows(note, table_chars))
    for sentence in [*band_sentences(scores, rubric), *_lowered_sentences(scores, rubric), *comparison_sentences(scores)]:
        r += 1
        merge_text(ws, r, 0, last, sentence, f["wrap"])
        ws.set_row(r, _text_rows(sentence, table_chars))
    ranked = ordered[ordered["submitted"]]
    chart_row = r + 2
    chart_width = min(PAGE_WIDTH_PX, sum(width_px(w) for w in widths))
    if len(scores) > office.units_as_rows_above and len(ranked) > _CHART_CHUNK:
        # a province: one chart per page, _CHART_CHUNK units each, all on the same 0–100 scale
        breaks = [end + 1]
        n_charts = math.ceil(len(ranked) / _CHART_CHUNK)
        per_chart = math.ceil(len(ranked) / n_charts)
        at = r + 1
        for k in range(0, len(ranked), per_chart):
            part = ranked.iloc[k: k + per_chart]
            breaks.append(at)
            key_row = _chart(wb, ws, f, rubric, label, first + k, first + k + len(part) - 1, c_pct, part, at,
                             chart_width, widths, bar_px=20, part=f" (thứ tự {k + 1}–{k + len(part)})",
                             key=k + per_chart >= len(ranked))
            at = key_row + 1
        ws.set_h_pagebreaks(breaks)
    elif not ranked.empty:
        _chart(wb, ws, f, rubric, label, first, first + len(ranked) - 1, c_pct, ranked, chart_row, chart_width, widths)
    if len(scores) > office.units_as_rows_above:  # a province: the charts' page breaks hold only without "fit to page"
        page(ws, h, h + 1, fit_width=False)
        ws.set_print_scale(print_scale(widths))
    elif len(scores) > _REPEAT_LIMIT:
        page(ws, h, h + 1)
    else:
        page(ws, None)


def _with_max(label: str, maximum, full: float) -> str:
    """A unit's label, followed by its own maximum when "không áp dụng" criteria lowered it ("xã Ngọc Kỳ (tối đa 68)")."""
    if maximum is None or pd.isna(maximum) or float(maximum) >= full - 1e-9:
        return label
    return f"{label} (tối đa {fmt.decimal(float(maximum))})"


def _lowered_sentences(scores: pd.DataFrame, rubric: Rubric) -> list[str]:
    """One sentence naming the units whose maximum "không áp dụng" criteria lowered, with the criteria (none otherwise)."""
    if "max" not in scores.columns:
        return []
    na_cols = [c for c in scores.columns if str(c).startswith("na:")]
    lowered = scores[scores["submitted"] & (scores["max"] < rubric.total_max - 1e-9)]
    if lowered.empty:
        return []
    parts = []
    for row in lowered.to_dict("records"):
        crit = ", ".join(c[3:] for c in na_cols if bool(row.get(c)))
        parts.append(f"{row['label']} (tối đa {fmt.decimal(float(row['max']))} điểm; không áp dụng: {crit})")
    return ["Tiêu chí không áp dụng với đơn vị không bị tính 0 điểm mà được trừ khỏi điểm tối đa của đơn vị; tỷ lệ % và "
            "xếp loại tính trên điểm tối đa đã giảm, thứ hạng theo tổng điểm quy đổi về thang "
            f"{fmt.decimal(rubric.total_max)} điểm: " + "; ".join(parts) + "."]


def _band_range(rubric: Rubric, i: int) -> str:
    b = rubric.bands[i]
    upper = rubric.bands[i - 1].min_percent if i > 0 else None
    if upper is None:
        return f"từ {fmt.decimal(b.min_percent)}% trở lên: {b.label}"
    if b.min_percent <= 0:
        return f"dưới {fmt.decimal(upper)}%: {b.label}"
    return f"từ {fmt.decimal(b.min_percent)}% đến dưới {fmt.decimal(upper)}%: {b.label}"


def _chart(wb, ws, f, rubric: Rubric, label: str, r0: int, r1: int, value_col: int, ranked: pd.DataFrame,
           at_row: int, width: int, widths: list[float], bar_px: int = 17, part: str = "", key: bool = True) -> int:
    """A horizontal bar per ranked unit (best on top), its % of the maximum, coloured by band; then the colour key
    (when `key`). Returns the row after the chart (and key)."""
    name = ws.get_name()
    chart = wb.add_chart({"type": "bar"})
    chart.add_series({
        "name": "Tỷ lệ % điểm tối đa",
        "categories": [name, r0, 1, r1, 1],
        "values": [name, r0, value_col, r1, value_col],
        "points": [{"fill": {"color": rubric.band_color(b)}, "border": {"none": True}} for b in ranked["band"]],
        "data_labels": {"value": True, "num_format": FMT_RATE, "font": {"name": FONT, "size": 9}},
        "gap": 40,
    })
    font = {"name": FONT, "size": 10}
    chart.set_title({"name": f"Tỷ lệ % số điểm tối đa của các đơn vị, {label} (màu theo xếp loại){part}",
                     "name_font": {"name": FONT, "size": 13, "bold": True}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"min": 0, "max": 100, "major_unit": 10, "num_font": font,
                      "major_gridlines": {"visible": True, "line": {"color": "#D9D9D9"}}})
    chart.set_y_axis({"reverse": True, "num_font": font, **({"interval_unit": 1} if part else {})})  # every unit named
    chart.set_chartarea({"border": {"none": True}})
    height = 60 + bar_px * len(ranked)
    chart.set_size({"width": width, "height": height})
    ws.insert_chart(at_row, 0, chart, {"object_position": 3})
    key_row = at_row + math.ceil(height / 21) + 1
    if not key:
        return key_row
    ws.write_string(key_row, 0, "Màu:", f["bold"])
    span = 1
    while span < len(widths) - 1 and sum(widths[1:span + 1]) < 40:
        span += 1
    for i, b in enumerate(rubric.bands):
        merge_text(ws, key_row + i, 1, span, b.label, f[f"key:{b.label}"])
    return key_row + len(rubric.bands)


def _write_int(ws, row: int, col: int, value, fmt, blank_fmt) -> None:
    if value is None or pd.isna(value):
        ws.write_blank(row, col, None, blank_fmt)
    else:
        ws.write_number(row, col, int(value), fmt)


def _by_area(wb, f, office: Office, period_code: str, rubric: Rubric, scores: pd.DataFrame) -> None:
    ws = wb.add_worksheet(AREA_RANK_SHEET)
    n_crit = max(len(rubric.criteria_of(a)) for a in AREAS)
    widths = [9, 18] + [15] * n_crit + [9, 10]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    last = len(widths) - 1
    r = heading(ws, f, office, f"XẾP HẠNG THEO TỪNG LĨNH VỰC CẢI CÁCH HÀNH CHÍNH {period_label(period_code).upper()}", widths)
    breaks = []
    many = len(scores) > office.units_as_rows_above  # a province: each area's table over several pages
    scale = print_scale(widths)
    for k, area in enumerate(AREAS):
        if k:
            breaks.append(r)
        crit = rubric.criteria_of(area)
        merge_text(ws, r, 0, last, f"{area}. {AREA_NAMES[area]} (tối đa {fmt.decimal(rubric.area_max[area])} điểm)", f["bold"])
        h = r + 1
        heads = [RANK_HEADER, "Đơn vị"] + [f"{code} (tối đa {fmt.decimal(c['max_points'])})\n{c['note']}" for code, c in crit.iterrows()]
        heads += ["Điểm", "Tỷ lệ % điểm tối đa"]
        head_pt = 15.75 * max(lines(t, widths[min(c, last)]) for c, t in enumerate(heads)) + 4
        for c, text in enumerate(heads):
            ws.write_string(h, c, text, f["head"])
        ws.set_row(h, head_pt)
        per_page = rows_per_page(scale, head_pt) if many else None
        room = (per_page - 1 - (_HEADING_ROWS if k == 0 else 0)) if per_page else None  # the area's title (and heading)
        ordered = ranked_order(scores, f"rank:{area}")
        points = [f"pts:{code}" for code in crit.index]
        n_points = len(points)
        na_cols = {j: f"na:{code}" for j, code in enumerate(crit.index) if f"na:{code}" in ordered.columns}
        na_rows = {j: ordered[c].fillna(False).astype(bool).tolist() for j, c in na_cols.items()}
        maxima = ordered[f"max:{area}"].tolist() if f"max:{area}" in ordered.columns else [None] * len(ordered)
        table = ordered[["label", "submitted", f"rank:{area}", area, f"pct:{area}"] + points].itertuples(index=False, name=None)
        rr = h
        for i, (label, submitted, rank, area_points, pct, *crit_points) in enumerate(table, start=1):
            rr += 1
            if room is not None:
                if room <= 0:  # the table goes on over the page: its header again at the top
                    breaks.append(rr)
                    for c, text in enumerate(heads):
                        ws.write_string(rr, c, text, f["head"])
                    ws.set_row(rr, head_pt)
                    rr += 1
                    room = per_page
                room -= 1
            ws.write_string(rr, 1, _with_max(str(label), maxima[i - 1], rubric.area_max[area]), f["text"])
            if not submitted:
                ws.write_string(rr, 0, NOT_SUBMITTED, f["text_c"])
                for c in range(2, len(heads)):
                    ws.write_blank(rr, c, None, f["text"])
                continue
            ws.write_number(rr, 0, int(rank), f["rank"])
            for j, v in enumerate(crit_points):
                if j in na_rows and na_rows[j][i - 1]:
                    ws.write_string(rr, 2 + j, NOT_APPLICABLE, f["text_c"])  # lowers the maximum, scores nothing
                else:
                    ws.write_number(rr, 2 + j, float(v), f["points"])
            ws.write_number(rr, 2 + n_points, float(area_points), f["points_b"])
            if pd.notna(pct):
                ws.write_number(rr, 3 + n_points, float(pct), f["rate"])
            else:  # every criterion of the area was not applicable: no maximum to take a % of
                ws.write_blank(rr, 3 + n_points, None, f["text"])
        r = rr + 2
    ws.set_h_pagebreaks(breaks)
    page(ws, None, fit_width=not many)
    if many:  # manual page breaks hold only without "fit to page" (Excel ignores them then)
        ws.set_print_scale(scale)


def _targets(wb, f, office: Office, period_code: str, rubric: Rubric, scores: pd.DataFrame, wide: pd.DataFrame) -> None:
    ws = wb.add_worksheet(TARGETS_SHEET)
    n = len(rubric.targets)
    widths = [6, 20] + [10, 15] * n
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    last = max(len(widths) - 1, 5)
    widths += [12] * (last + 1 - len(widths))
    r = heading(ws, f, office, f"ĐƠN VỊ ĐẠT, CHƯA ĐẠT CÁC CHỈ TIÊU {period_label(period_code).upper()}", widths)
    if not n:
        merge_text(ws, r, 0, last, "Thang điểm chưa khai báo chỉ tiêu nào ([[targets]] trong rubric.toml).", f["italic_c"])
        page(ws, None)
        return
    results = [target_results(scores, wide, t) for t in rubric.targets]
    h = r
    ws.merge_range(h, 0, h + 1, 0, "STT", f["head"])
    ws.merge_range(h, 1, h + 1, 1, "Đơn vị", f["head"])
    for k, t in enumerate(rubric.targets):
        c = 2 + 2 * k
        ws.merge_range(h, c, h, c + 1, t.label, f["head"])
        ws.write_string(h + 1, c, "Giá trị", f["head"])
        ws.write_string(h + 1, c + 1, "Kết quả", f["head"])
    ws.set_row(h, _text_rows(max((t.label for t in rubric.targets), key=len), 25))
    columns = [(res["value"].tolist(), res["result"].tolist()) for res in results]
    for i, label in enumerate(results[0]["label"].tolist()):
        rr = h + 2 + i
        ws.write_number(rr, 0, i + 1, f["text_c"])
        ws.write_string(rr, 1, str(label), f["text"])
        for k, (values, outcomes) in enumerate(columns):
            c = 2 + 2 * k
            v = values[i]
            if pd.notna(v):
                ws.write_number(rr, c, float(v), f["rate"])
            else:
                ws.write_blank(rr, c, None, f["text"])
            result = outcomes[i]
            ws.write_string(rr, c + 1, result, f["text_bc"] if result in (RESULT_MISSED, RESULT_NOT_DONE) else f["text_c"])
    r = h + 2 + len(scores) + 1
    for t, res in zip(rubric.targets, results):
        sentence = target_sentence(res, t)
        merge_text(ws, r, 0, last, sentence, f["wrap"])
        ws.set_row(r, _text_rows(sentence, sum(widths)))
        r += 1
    ws.freeze_panes(h + 2, 2)
    page(ws, h, h + 1)
    if len(scores) <= _ONE_PAGE_LIMIT:
        ws.fit_to_pages(1, 1)


def _lists(wb, f, office: Office, period_code: str, rubric: Rubric, units: pd.DataFrame, wide: pd.DataFrame) -> None:
    ws = wb.add_worksheet(LISTS_SHEET)
    widths = [6, 24, 14, 20, 20, 20]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    last = len(widths) - 1
    r = heading(ws, f, office, f"DANH SÁCH ĐƠN VỊ TRÍCH DẪN TRONG BÁO CÁO {period_label(period_code).upper()}", widths)
    many = len(units) > office.units_as_rows_above
    scale = print_scale(widths)
    per_page = rows_per_page(scale, 0) if many else None
    room = per_page - _HEADING_ROWS if per_page else None  # rows left on the current page (a province's long lists)
    breaks = []
    if not rubric.lists:
        merge_text(ws, r, 0, last, "Thang điểm chưa khai báo danh sách nào ([[lists]] trong rubric.toml).", f["italic_c"])
    for k, item in enumerate(rubric.lists, start=1):
        members = list_members(wide, units, item)
        sentence = list_sentence(members, item)
        if room is not None:  # a list starts on a new page unless its title, sentence, header and 3 units fit
            above = 1 + math.ceil(_text_rows(sentence, sum(widths)) / 15.75) + (0 if members.empty else 1)
            if room < above + min(len(members), 3):
                breaks.append(r)
                room = per_page
            room -= above
        merge_text(ws, r, 0, last, f"{k}. {item.title}", f["bold"])
        merge_text(ws, r + 1, 0, last, sentence, f["wrap"])
        ws.set_row(r + 1, _text_rows(sentence, sum(widths)))
        h = r + 2
        if members.empty:
            r = h + 1
            room = None if room is None else room - 1
            continue
        value_head = "Tỷ lệ (%)" if item.unit == "%" else (f"Số {item.unit}" if item.unit else "Giá trị")
        heads = ["STT", "Đơn vị", value_head]
        for c, text in enumerate(heads):
            ws.write_string(h, c, text, f["head"])
        rr = h
        for i, m in enumerate(members.to_dict("records"), start=1):
            rr += 1
            if room is not None:
                if room <= 0:  # a long list goes on over the page: its header again at the top
                    breaks.append(rr)
                    for c, text in enumerate(heads):
                        ws.write_string(rr, c, text, f["head"])
                    rr += 1
                    room = per_page - 1
                room -= 1
            ws.write_number(rr, 0, i, f["text_c"])
            ws.write_string(rr, 1, str(m["label"]), f["text"])
            ws.write_number(rr, 2, float(m["value"]), f["rate"] if item.unit == "%" else f["count"])
        r = rr + 2
        room = None if room is None else room - 1
    if breaks:
        ws.set_h_pagebreaks(breaks)
    page(ws, None, fit_width=not many)
    if many:
        ws.set_print_scale(scale)
