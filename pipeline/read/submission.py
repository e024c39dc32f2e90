"""One submission parsed end to end without touching the warehouse: read, identify, map, normalise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pipeline import issues as iss
from pipeline.reference.catalog import Catalog
from pipeline.read import package
from pipeline.read.mapping import map_rows
from pipeline.read.metadata import read_metadata, unit_period_issue
from pipeline.read.reply import Reply, read_reply
from pipeline.read.safety import Limits, check_file, vietnamese_detail
from pipeline.read.table import read_tables
from pipeline.vn.text import nfc, shown_name
from pipeline.reference.registry import Registry
from pipeline.read.cells import normalise_value
from pipeline.read.units_in_book import UnitSheets, split_by_unit
from pipeline.read.workbook import Workbook, WorkbookError, read_workbook
from pipeline.vn.numbers import decide_convention

OBS_COLUMNS = ["file", "sheet", "cell", "source_ref", "unit_code", "period_code", "indicator_code", "kind",
               "value", "raw", "allowed", "printed_code", "name", "unit", "note", "state"]
_VALUE = OBS_COLUMNS.index("value")
_STATE = OBS_COLUMNS.index("state")
# An observation's state (stored with it): "value" (a number was read; validation may still refuse it), "blank" (not
# reported), "na" (not applicable, where the catalog allows it), "invalid" (something typed that gives no number:
# an unreadable text, an Excel error, a "không áp dụng" the catalog does not allow for the indicator...).
STATES = ("value", "blank", "na", "invalid")
_NO_LIST: dict[int, str] = {}


@dataclass
class Submission:
    """Everything read from one file: identity, mapped values, unmapped rows and issues."""

    file_name: str
    path: Path
    unit_code: str | None = None
    period_code: str | None = None
    period_stated: str | None = None
    window: tuple[dt.date, dt.date] | None = None
    report_number: str | None = None
    report_date: dt.date | None = None
    layout: str | None = None
    obs_rows: list[tuple] = field(default_factory=list, repr=False)  # observation records, in OBS_COLUMNS order
    unmapped: list[dict] = field(default_factory=list)
    issues: list[dict] = field(default_factory=list)
    sheet: str | None = None  # the one sheet this submission was read from, when its workbook holds several units
    parts: list[Submission] = field(default_factory=list)  # one submission per unit of a workbook holding several
    reply: Reply | None = None  # a feedback workbook sent back (pipeline.read.reply): what the commune filled in
    revises: int | None = None  # the submission a reply's new version revises (set by the run)
    _frame: pd.DataFrame | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def observations(self) -> pd.DataFrame:
        """The observations as a DataFrame (OBS_COLUMNS), built from `obs_rows` on first use; once built (or set),
        the frame is what counts (the records are dropped): callers may change it in place (validation adds `accepted`)."""
        if self._frame is None:
            self._frame = pd.DataFrame(self.obs_rows, columns=OBS_COLUMNS)
            self.obs_rows = []  # the frame is the truth now: the records are not kept twice
        return self._frame

    @observations.setter
    def observations(self, frame: pd.DataFrame) -> None:
        self._frame = frame
        self.obs_rows = []

    def __getstate__(self) -> dict:
        """Pickle the records, not a frame built from them (a reading worker sends plain tuples: about a fifth of
        the bytes and a seventh of the unpickling time of a DataFrame with object columns)."""
        state = dict(self.__dict__)
        if state.get("_frame") is not None:
            state["obs_rows"] = []  # the frame may have been changed in place: it is the truth now
        return state

    def records(self) -> list[tuple]:
        """The observations as records in OBS_COLUMNS order: `obs_rows` while no frame was built, else the frame's rows."""
        if self._frame is None:
            return self.obs_rows
        return list(self._frame[OBS_COLUMNS].itertuples(index=False, name=None))

    @property
    def rejected_by(self) -> dict | None:
        """The first issue that rejects the whole file, if any."""
        return next((i for i in self.issues if iss.is_rejecting(i["code"])), None)


def parse_submission(path: Path, registry: Registry, catalog: Catalog, folder_period: str | None = None,
                     limits: Limits = Limits(), book: Workbook | None = None) -> Submission:
    """Parse one workbook into a Submission; problems become issues, never exceptions (see _parse_submission).

    The file's zip package is opened once for the whole parse (pipeline.read.package)."""
    if book is not None:
        return _parse_submission(path, registry, catalog, folder_period, limits, book)
    with package.shared(path):
        return _parse_submission(path, registry, catalog, folder_period, limits, book)


def _parse_submission(path: Path, registry: Registry, catalog: Catalog, folder_period: str | None = None,
                      limits: Limits = Limits(), book: Workbook | None = None) -> Submission:
    """Parse one workbook into a Submission; problems become issues, never exceptions.

    A workbook whose sheets carry the issuer blocks of several units (a sheet per commune) gives a container
    Submission whose `parts` hold one Submission per sheet (see pipeline.read.units_in_book); `book` is then the
    one-sheet workbook of a part.
    """
    path = Path(path)
    sub = Submission(file_name=nfc(shown_name(path.name)), path=path)
    if book is None:
        verdict = check_file(path, limits)
        if verdict.code:
            sub.issues.append(iss.issue(verdict.code, file=sub.file_name, detail=vietnamese_detail(verdict.detail)))
            return sub
        try:
            book = read_workbook(path, limits, verdict.extent)
        except WorkbookError as exc:
            sub.issues.append(iss.issue(exc.code, file=sub.file_name, detail=vietnamese_detail(exc.detail)))
            return sub
        if book.reply_rows is not None:  # a feedback workbook sent back: only its two answer columns are data
            sub.file_name = book.file_name
            return read_reply(sub, book, catalog)
        split = split_by_unit(book, registry)
        if split is not None:
            return _several_units(sub, split, registry, catalog, folder_period, limits)
    else:
        sub.sheet = book.sheets[0].name if len(book.sheets) == 1 else None
    sub.file_name = book.file_name
    fname = book.file_name
    sub.issues.extend(_note_issue(fname, n) for n in book.notes)
    if not any(any(v not in ("", None) for v in row) for s in book.sheets for row in s.rows):
        sub.issues.append(iss.issue("file-empty", file=fname))
        return sub
    sub.issues.extend(_hidden_issues(book))
    meta = read_metadata(book, registry, folder_period)
    sub.unit_code, sub.window, sub.report_number, sub.report_date = meta.unit_code, meta.window, meta.report_number, meta.report_date
    sub.period_stated = meta.period_code
    sub.period_code = folder_period or meta.period_code
    if folder_period and meta.period_code and meta.period_code != folder_period:
        sub.issues.append(iss.issue("period-mismatch", file=fname, found=meta.period_text or meta.period_code, period=folder_period))
    rows = read_tables(book)
    if not rows:
        sub.issues.append(iss.issue("no-table", file=fname))
        return sub
    sub.layout = rows[0].layout
    if sub.unit_code is None:
        sub.issues.append(iss.issue("unit-unknown", file=fname))
    elif registry.timed:
        invalid = unit_period_issue(registry, sub.unit_code, sub.period_code, fname)
        if invalid is not None:
            sub.issues.append(invalid)
    if sub.period_code is None:
        sub.issues.append(iss.issue("period-unknown", file=fname))
    obs: list[tuple] = []
    lists = _code_lists(catalog)
    seen: dict[str, str] = {}
    matches = map_rows(rows, catalog)
    na_allowed = catalog.na_allowed
    # one number convention per file, from the value cells that read one way ("1,200" hồ sơ, "8.024.907.482", "67,1")
    kinds = catalog.lookups[1]
    convention = decide_convention((m.row.raw, kinds.get(m.indicator_code)) for m in matches
                                   if isinstance(m.row.raw, str) and ("." in m.row.raw or "," in m.row.raw))
    for m in matches:
        r = m.row
        ref = dict(file=fname, sheet=r.sheet, cell=r.value_ref)
        if m.indicator_code is None:
            sub.unmapped.append({"printed_code": r.printed_code, "name": r.name, "unit": r.unit, "raw": _raw_text(r.raw),
                                 "source_ref": f"{fname}!{r.sheet}!{r.value_ref}"})
            if r.raw not in (None, ""):
                sub.issues.append(iss.issue("row-unmapped", **ref, raw=_raw_text(r.raw), name=r.name, printed_code=r.printed_code or "—"))
            continue
        code = m.indicator_code
        kind = kinds[code]
        listed = lists.get(code) if kind == "coded" else _NO_LIST
        if listed is None:
            listed = lists[code] = catalog.codes_list(code)
        v = normalise_value(r.raw, kind, r.unit, listed, convention, r.fmt)
        if r.merged:
            sub.issues.append(iss.issue("value-merged-cell", **ref, indicator_code=code, raw=v.raw, merge=r.merged))
        state = "value" if v.value is not None else v.state or "invalid"
        if state == "na" and code not in na_allowed:  # "không áp dụng" where the catalog says it always applies
            state = "invalid"
            sub.issues.append(iss.issue("not-applicable-not-allowed", **ref, indicator_code=code, raw=v.raw))
        if v.issue:
            sub.issues.append(iss.issue(v.issue, **ref, indicator_code=code, raw=v.raw, **v.params))
        elif v.value and not r.unit.strip():  # a non-zero figure in a row without a unit (group rows often carry 0)
            sub.issues.append(iss.issue("value-without-unit", **ref, indicator_code=code, raw=v.raw))
        if v.value is not None:
            if code in seen:
                sub.issues.append(iss.issue("indicator-repeated", **ref, indicator_code=code, first_ref=seen[code]))
                continue
            seen[code] = r.value_ref
        obs.append(_obs(fname, r, sub, code, kind, v.value, v.raw, listed, state))
    sub.obs_rows = obs
    # a unit that answered "không áp dụng" has answered: only a table of blanks (and unreadable cells) has no values
    if all((o[_VALUE] is None or o[_VALUE] != o[_VALUE]) and o[_STATE] != "na" for o in obs) and not sub.rejected_by:
        sub.issues.append(iss.issue("no-values", file=fname))
    return sub


_lists: tuple[Catalog | None, dict[str, dict[int, str]]] = (None, {})


def _code_lists(catalog: Catalog) -> dict[str, dict[int, str]]:
    """The {code: label} lists of the coded indicators read so far with this catalog (read once per run, not per file)."""
    global _lists
    if _lists[0] is not catalog:
        _lists = (catalog, {})
    return _lists[1]


def _several_units(sub: Submission, split: UnitSheets, registry: Registry, catalog: Catalog, folder_period: str | None,
                   limits: Limits) -> Submission:
    """Read each unit's sheet of a workbook holding several units as its own Submission (the container's `parts`)."""
    names = ", ".join(split.unit_names)
    for sheet_book, code in split.books:
        part = parse_submission(sub.path, registry, catalog, folder_period, limits, book=sheet_book)
        sheet = sheet_book.sheets[0].name
        note = iss.issue("workbook-several-units", file=part.file_name, sheet=sheet, n=len(split.unit_names), units=names)
        if code is None:
            part.unit_code = None
            part.issues = [i for i in part.issues if i["code"] != "unit-unknown"]
            part.issues.insert(0, iss.issue("sheet-unit-unknown", file=part.file_name, sheet=sheet, units=names))
        part.issues.insert(0, note)
        sub.parts.append(part)
    sub.file_name = sub.parts[0].file_name if sub.parts else sub.file_name
    return sub


def _note_issue(fname: str, note: dict) -> dict:
    """An issue row from a note read_workbook left (cells it dropped, ...)."""
    params = {k: v for k, v in note.items() if k != "code"}
    params.setdefault("sheet_name", params.get("sheet", ""))
    if note["code"] == "cell-far-from-table":
        params["what"] = "; các ô này trống hoặc chỉ có dấu cách" if params.pop("blank", False) else \
            "; nếu các ô này có số liệu, hãy chuyển vào bảng rồi gửi lại"
    return iss.issue(note["code"], file=fname, **params)


def _hidden_issues(book) -> list[dict]:
    """Info notes for hidden sheets, rows and columns that hold figures (they are not read)."""
    fname = book.file_name
    out = [iss.issue("sheet-hidden", file=fname, sheet=name, sheet_name=name) for name, _state, figures in book.hidden_sheets if figures]
    for sheet in book.sheets:
        for what, index, ref in sheet.hidden_figures:
            if what == "row":
                out.append(iss.issue("row-hidden", file=fname, sheet=sheet.name, cell=ref, sheet_name=sheet.name, row=index + 1))
            else:
                out.append(iss.issue("column-hidden", file=fname, sheet=sheet.name, cell=ref, sheet_name=sheet.name,
                                     column=ref.rstrip("0123456789")))
    return out


def _obs(fname: str, r, sub: Submission, code: str, kind: str, value: float | None, raw: str, listed: dict[int, str],
         state: str) -> tuple:
    """One observation record, in OBS_COLUMNS order."""
    return (fname, r.sheet, r.value_ref, f"{fname}!{r.sheet}!{r.value_ref}", sub.unit_code or "", sub.period_code or "",
            code, kind, value, raw, ";".join(str(k) for k in sorted(listed)) if listed else "", r.printed_code, r.name,
            r.unit, r.note, state)


def _raw_text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)


def submission_json(sub: Submission) -> dict:
    """Return the `tonghop parse` JSON object of a submission (CONTRACT.md).

    A workbook holding several units prints no rows of its own (unit_code null) and one object per unit in `parts`.
    """
    if sub.parts:
        return {"file": sub.file_name, "unit_code": None, "period_code": None, "window": None, "rows": [], "unmapped": [],
                "issues": [], "layout": None, "parts": [{"sheet": p.sheet, **submission_json(p)} for p in sub.parts]}
    rows = []
    for code, printed, name, unit, value, raw, ref, state in _columns(sub, ("indicator_code", "printed_code", "name", "unit",
                                                                             "value", "raw", "source_ref", "state")):
        rows.append({
            "indicator_code": code, "printed_code": printed, "name": name, "unit": unit,
            "value": None if value is None or pd.isna(value) else (int(value) if float(value).is_integer() else float(value)),
            "raw": raw, "source_ref": ref, "state": state,
        })
    return {
        "file": sub.file_name,
        "unit_code": sub.unit_code,
        "period_code": sub.period_code,
        "window": [sub.window[0].isoformat(), sub.window[1].isoformat()] if sub.window else None,
        "rows": rows,
        "unmapped": [{k: u[k] for k in ("printed_code", "name", "raw", "source_ref")} for u in sub.unmapped],
        "issues": [{k: i[k] for k in ("severity", "code", "message", "source_ref", "indicator_code")} for i in sub.issues],
        "layout": sub.layout,
        "period_stated": sub.period_stated,
        "report_number": sub.report_number,
        "report_date": sub.report_date.isoformat() if sub.report_date else None,
    }


def _columns(sub: Submission, names: tuple[str, ...]):
    """The observations' values of the named columns, row by row: from the records while no frame was built,
    else from the frame (one column at a time, never a pandas access per cell)."""
    if sub._frame is None:
        at = [OBS_COLUMNS.index(n) for n in names]
        return ([o[i] for i in at] for o in sub.obs_rows)
    return zip(*(sub._frame[n].tolist() for n in names))
