"""The one-page data-quality sheet for the district's leadership ("Chất lượng số liệu").

Per commune: did it submit, on time or late, how many values it gave, the share of them flagged, the open flags (the
issues on values of its current submission, errors and warnings), the indicators where it diverges (from its own
earlier periods, value-inconsistent-time; from the district, value-peer-divergent), and whether the submission is to
be reviewed (copied forward, nearly empty). Per indicator: how many units diverge, and which. Printed on one A4
landscape page (for up to 30 units) at 10 pt, so that the page is never shrunk below 9 pt.

`unit_quality` and `indicator_divergence` are pure functions over the period's frames; `write_quality_sheet` draws them.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from pipeline.issues import label as issue_label
from pipeline.report.layout import FONT, heading, lines, merge_text, page, width_px
from pipeline.validate.consistency import SUBMISSION_CODES
from pipeline.vn import format as fmt
from pipeline.vn import labels
from pipeline.vn.periods import period_label

QUALITY_SHEET = "Chất lượng số liệu"
DIVERGENCE_CODES = ("value-inconsistent-time", "value-peer-divergent")
FLAG_SEVERITIES = ("error", "warning")
UNIT_COLUMNS = ["unit_code", "label", "status", "late", "n_values", "n_flagged", "flagged_share", "open_flags",
                "divergent", "review"]
INDICATOR_COLUMNS = ["indicator_code", "name", "n_units", "units"]
ONE_PAGE_UNITS = 30  # up to this many units the sheet is fitted on one page
FONT_SIZE = 10
# printed widths (in the workbook's 12 pt digit widths): the units' table, a gap, the indicators' table
_UNIT_WIDTHS = (3.5, 14, 8, 7.5, 6.5, 7, 7, 6.5, 17)
_IND_WIDTHS = (26, 4.5, 24)
_ROW_PT = 15


def _frame(x: pd.DataFrame | None, columns: list[str]) -> pd.DataFrame:
    x = pd.DataFrame(columns=columns) if x is None else x
    for c in columns:
        if c not in x.columns:
            x = x.assign(**{c: None})
    return x


def unit_quality(units: pd.DataFrame, completeness: pd.DataFrame, values: pd.DataFrame,
                 issues: pd.DataFrame | None) -> pd.DataFrame:
    """One row per registered unit (registry order): UNIT_COLUMNS.

    `status`/`late` from completeness; `n_values` the unit's accepted values; `n_flagged` the indicators with an error
    or warning on its current submission, `flagged_share` = n_flagged / (its values and flagged indicators),
    `open_flags` those issues' count, `divergent` the indicators it diverges on, `review` the labels of its
    submission-level warnings (copied forward, nearly empty), one a line, '' when none.
    """
    ordered = units.sort_values("order") if "order" in units.columns else units
    codes = pd.Index(ordered["code"].astype(str))
    comp = _frame(completeness, ["unit_code", "status", "late"]).drop_duplicates("unit_code").set_index("unit_code")
    vals = _frame(values, ["unit_code", "indicator_code"])
    iss = _frame(issues, ["unit_code", "indicator_code", "severity", "code"])
    v_unit, v_ind = _objects(vals, "unit_code"), _objects(vals, "indicator_code")
    i_unit, i_ind, i_sev, i_code = (_objects(iss, c) for c in ("unit_code", "indicator_code", "severity", "code"))
    on_ind = ~pd.isna(i_ind)
    on_value = on_ind & _isin(i_sev, FLAG_SEVERITIES)  # errors and warnings on a value
    diverging = on_ind & _isin(i_code, DIVERGENCE_CODES)
    # a (unit, indicator) pair as one integer over values and issues together; a missing unit's pairs are negative
    unit_ids, seen_units = pd.factorize(np.concatenate([v_unit, i_unit]))
    ind_ids, _ = pd.factorize(np.concatenate([v_ind, i_ind]), use_na_sentinel=False)
    width = int(ind_ids.max()) + 1 if len(ind_ids) else 1
    pairs = unit_ids.astype(np.int64) * width + ind_ids
    given, on_issue = pairs[: len(v_unit)], pairs[len(v_unit):]
    registry = pd.Index(seen_units).get_indexer(codes)  # -1 for a unit with neither values nor issues

    def per_unit(keys: np.ndarray, distinct: bool = True) -> np.ndarray:
        """Per registry unit, how many (distinct) pairs of `keys` are its."""
        keys = pd.unique(keys) if distinct else keys
        counts = np.bincount(keys[keys >= 0] // width, minlength=len(seen_units)).astype(np.int64)
        return np.append(counts, 0)[registry]  # registry's -1: the 0 at the end

    n_values, n_flagged = per_unit(given), per_unit(on_issue[on_value])
    n_covered = per_unit(np.concatenate([given, on_issue[on_value]]))
    reasons: dict = {}  # unit -> its submission-level warning codes
    submission = _isin(i_code, SUBMISSION_CODES)
    for u, c in zip(i_unit[submission], i_code[submission]):
        if isinstance(u, str) or not pd.isna(u):
            reasons.setdefault(u, set()).add(c)
    review = {u: "\n".join(issue_label(c) for c in sorted(cs)) for u, cs in reasons.items()}
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n_covered > 0, n_flagged / np.maximum(n_covered, 1) * 100.0, np.nan)
    status = comp["status"].reindex(codes).fillna("missing").to_numpy(dtype=object)
    return pd.DataFrame({
        "unit_code": codes.to_numpy(dtype=object), "label": ordered["label"].astype(str).to_numpy(dtype=object),
        "status": status, "late": comp["late"].reindex(codes).to_numpy(dtype=object),
        "n_values": n_values, "n_flagged": n_flagged, "flagged_share": share,
        "open_flags": per_unit(on_issue[on_value], distinct=False), "divergent": per_unit(on_issue[diverging]),
        "review": np.array([review.get(c, "") for c in codes], dtype=object)})


def _objects(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].to_numpy(dtype=object)


def _isin(values: np.ndarray, wanted) -> np.ndarray:
    """values isin wanted, decided once per distinct value (a missing value is not in)."""
    ids, uniques = pd.factorize(values)
    return np.array([u in wanted for u in uniques] + [False], dtype=bool)[ids]


def indicator_divergence(issues: pd.DataFrame | None, units: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
    """Per indicator with divergent units (INDICATOR_COLUMNS): its name, how many units diverge on it, and their labels
    in registry order; the indicators with most units first, then in catalog order."""
    iss = _frame(issues, ["unit_code", "indicator_code", "code"])
    i_unit, i_ind, i_code = (_objects(iss, c) for c in ("unit_code", "indicator_code", "code"))
    keep = ~pd.isna(i_ind) & _isin(i_code, DIVERGENCE_CODES)
    du, di = i_unit[keep], i_ind[keep]
    unit_ids, unit_values = pd.factorize(du, use_na_sentinel=False)
    ind_ids, ind_values = pd.factorize(di)
    first = ~pd.Series(unit_ids.astype(np.int64) * (len(ind_values) + 1) + ind_ids).duplicated().to_numpy()
    du, unit_ids, ind_ids = du[first], unit_ids[first], ind_ids[first]  # one row per (unit, indicator), the first
    if not len(du):
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    ordered = units.sort_values("order") if "order" in units.columns else units
    rank = {c: i for i, c in enumerate(ordered["code"])}
    label = dict(zip(ordered["code"], ordered["label"]))
    ind = indicators.set_index("code") if "code" in indicators.columns else indicators
    cat_order = {c: i for i, c in enumerate(ind.index)}
    by_code = np.argsort(ind_values.astype(object), kind="stable")  # the indicators in code order
    code_rank = np.empty(len(ind_values), dtype=np.int64)
    code_rank[by_code] = np.arange(len(ind_values))
    distinct_units = unit_values.tolist()  # rank and label looked up once per unit, not per (unit, indicator)
    unit_rank = np.array([rank.get(u, len(rank)) for u in distinct_units], dtype=np.int64)[unit_ids]
    order = np.lexsort((np.arange(len(du)), unit_rank, code_rank[ind_ids]))
    sizes = np.bincount(code_rank[ind_ids], minlength=len(ind_values))
    unit_names = [label.get(u, u) for u in distinct_units]
    names = [unit_names[k] for k in unit_ids[order].tolist()]
    bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    out = pd.DataFrame({"indicator_code": ind_values[by_code].astype(object), "n_units": sizes.astype(np.int64),
                        "units": [", ".join(names[a:b]) for a, b in itertools.pairwise(bounds)]})
    out["name"] = out["indicator_code"].map(ind["name"]).fillna("")
    out["_c"] = out["indicator_code"].map(cat_order).fillna(len(cat_order))
    out = out.sort_values(["n_units", "_c"], ascending=[False, True], kind="stable")
    return out[INDICATOR_COLUMNS].reset_index(drop=True)


def _one_line(text: str, width: float) -> str:
    """The text cut at a word so that it prints on one line of a column `width` wide at FONT_SIZE ('…' when cut)."""
    room = width * 12 / FONT_SIZE
    if lines(text, room) <= 1:
        return text
    words = text.split(" ")
    while len(words) > 1 and lines(" ".join(words) + "…", room) > 1:
        words.pop()
    return " ".join(words) + "…"


def _names(units_text: str, width: float) -> str:
    """The divergent units' names that fit one line, then '(+N)' for the others (one pass over the names)."""
    names = [n for n in units_text.split(", ") if n]
    room = width * 12 / FONT_SIZE
    text = ""
    for k, name in enumerate(names):
        rest = len(names) - k - 1
        longer = (text + ", " if text else "") + name
        if lines(longer + (f" (+{rest})" if rest else ""), room) > 1:
            return (text + f" (+{len(names) - k})") if text else f"{len(names)} đơn vị"
        text = longer
    return text


def write_quality_sheet(wb, f: dict, office, period_code: str, units: pd.DataFrame, indicators: pd.DataFrame,
                        completeness: pd.DataFrame, values: pd.DataFrame, issues: pd.DataFrame | None) -> None:
    """Add the data-quality sheet: the units' table on the left, the indicators' on the right, on one A4 page."""
    ws = wb.add_worksheet(QUALITY_SHEET)
    base = {"font_name": FONT, "font_size": FONT_SIZE, "valign": "vcenter", "border": 1}
    q = {"head": wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"}),
         "text": wb.add_format(base), "text_c": wb.add_format({**base, "align": "center"}),
         "text_bc": wb.add_format({**base, "align": "center", "bold": True, "font_color": "#C00000"}),
         "review": wb.add_format({**base, "bold": True, "font_color": "#C00000", "text_wrap": True}),
         "count": wb.add_format({**base, "align": "center", "num_format": "0"}),
         "rate": wb.add_format({**base, "align": "center", "num_format": "[$-42A]0.0"}),
         "note": wb.add_format({"font_name": FONT, "font_size": FONT_SIZE, "italic": True, "text_wrap": True,
                                "valign": "top"})}
    widths = [*_UNIT_WIDTHS, 1.5, *_IND_WIDTHS]
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    r = heading(ws, f, office, f"CHẤT LƯỢNG SỐ LIỆU BÁO CÁO CẢI CÁCH HÀNH CHÍNH {period_label(period_code).upper()}", widths)
    per_unit = unit_quality(units, completeness, values, issues)
    per_ind = indicator_divergence(issues, units, indicators)
    n = len(per_unit)
    submitted = per_unit["status"] == "submitted"
    late = submitted & per_unit["late"].map(lambda v: v is not None and not pd.isna(v) and bool(v)).astype(bool)
    flagged, given = int(per_unit["n_flagged"].sum()), int((per_unit["n_values"] + per_unit["n_flagged"]).sum())
    summary = (f"Đã nộp {fmt.count(int(submitted.sum()))}/{fmt.count(n)} đơn vị (nộp muộn {fmt.count(int(late.sum()), two_digits=True)}); "
               f"{fmt.count(int((per_unit['review'] != '').sum()), two_digits=True)} đơn vị {labels.REVIEW.lower()}; "
               f"{fmt.count(flagged)} giá trị bị cảnh báo hoặc lỗi ({fmt.decimal(flagged / given * 100 if given else 0, 1)}%); "
               f"{fmt.count(len(per_ind), two_digits=True)} chỉ tiêu có đơn vị lệch so với các kỳ trước hoặc "
               f"{office.total_label.lower()}.")
    merge_text(ws, r, 0, len(widths) - 1, summary, f["italic_c"])
    h = r + 2
    heads = ["STT", "Đơn vị", "Nộp báo cáo", "Thời hạn", "Số giá trị", "Tỷ lệ bị cảnh báo (%)", "Cảnh báo đang mở",
             "Chỉ tiêu lệch", "Cần xem lại"]
    for c, text in enumerate(heads):
        ws.write_string(h, c, text, q["head"])
    right = len(_UNIT_WIDTHS) + 1
    for c, text in enumerate(["Chỉ tiêu có đơn vị lệch", "Số đơn vị", "Các đơn vị lệch"]):
        ws.write_string(h, right + c, text, q["head"])
    ws.set_row(h, 42)
    for i, row in enumerate(per_unit.to_dict("records")):
        rr = h + 1 + i
        ws.set_row(rr, _ROW_PT)
        ws.write_number(rr, 0, i + 1, q["text_c"])
        ws.write_string(rr, 1, _one_line(str(row["label"]), _UNIT_WIDTHS[1]), q["text"])
        done = row["status"] == "submitted"
        ws.write_string(rr, 2, labels.SUBMITTED if done else labels.MISSING, q["text_c"] if done else q["text_bc"])
        is_late = row["late"] is not None and not pd.isna(row["late"])
        timing = ("Muộn" if bool(row["late"]) else "Đúng hạn") if done and is_late else "—" if not done else ""
        if timing:
            ws.write_string(rr, 3, timing, q["text_bc"] if timing == "Muộn" else q["text_c"])
        if done:
            ws.write_number(rr, 4, int(row["n_values"]), q["count"])
            if row["flagged_share"] == row["flagged_share"]:
                ws.write_number(rr, 5, round(float(row["flagged_share"]), 1), q["rate"])
            else:
                ws.write_blank(rr, 5, None, q["text"])
            ws.write_number(rr, 6, int(row["open_flags"]), q["count"])
            ws.write_number(rr, 7, int(row["divergent"]), q["count"])
        else:
            for c in (4, 5, 6, 7):
                ws.write_blank(rr, c, None, q["text"])
        if row["review"]:  # a line per reason (each label fits the column's line at 10 pt)
            ws.write_string(rr, 8, str(row["review"]), q["review"])
            n_lines = str(row["review"]).count("\n") + 1
            if n_lines > 1:
                ws.set_row(rr, 13 * n_lines + 1)
        else:
            ws.write_blank(rr, 8, None, q["text"])
        if not timing:
            ws.write_blank(rr, 3, None, q["text"])
    room = max(n, 10)
    shown = per_ind.head(room if len(per_ind) <= room else room - 1)
    for i, row in enumerate(shown.to_dict("records")):
        rr = h + 1 + i
        if i >= n:
            ws.set_row(rr, _ROW_PT)
        ws.write_string(rr, right, _one_line(f"{row['indicator_code']} {row['name']}", _IND_WIDTHS[0]), q["text"])
        ws.write_number(rr, right + 1, int(row["n_units"]), q["count"])
        ws.write_string(rr, right + 2, _names(str(row["units"]), _IND_WIDTHS[2]), q["text"])
    if len(per_ind) > len(shown):
        rr = h + 1 + len(shown)
        ws.write_string(rr, right, f"… và {fmt.count(len(per_ind) - len(shown))} chỉ tiêu khác (xem trang Lỗi và cảnh báo)",
                        q["text"])
    if per_ind.empty:
        ws.write_string(h + 1, right, "Không có chỉ tiêu nào có đơn vị lệch.", q["text"])
    last = h + max(n, len(shown) + (len(per_ind) > len(shown)), 1) + 1
    ws.set_row(last, 30)
    merge_text(ws, last, 0, len(widths) - 1,
               "Ghi chú: chỉ tiêu lệch là giá trị chênh quá ngưỡng (mặc định ±33%) so với trung bình 3 kỳ cùng loại trước "
               "(theo Bộ công cụ rà soát chất lượng số liệu của WHO) hoặc lệch xa tỷ lệ, tỷ trọng chung của "
               f"{office.total_label.lower()}; "
               "ngưỡng đặt trong schemas/outliers.toml. Cảnh báo đang mở: lỗi và cảnh báo trên giá trị của báo cáo hiện hành.", q["note"])
    page(ws, None)
    if n <= ONE_PAGE_UNITS:
        ws.fit_to_pages(1, 1)
    ws.print_area(0, 0, last, len(widths) - 1)


def printed_width_px() -> int:
    """The sheet's printed width at 100 % (pixels at 96 dpi): fitted to A4 landscape's PAGE_WIDTH_PX it keeps ≥ 9 pt."""
    return sum(width_px(w) for w in [*_UNIT_WIDTHS, 1.5, *_IND_WIDTHS])

