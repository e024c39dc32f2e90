"""`tonghop flag`: the officer lists flagged values and sets their follow-up state (pipeline.warehouse.flags).

Flags are chosen by id (`--id`, repeatable) and/or by period, unit, indicator and issue code. Without a state the
command only lists them (from the read copy, never waiting for a run). With a state it writes the live warehouse the
way a run does: under the writer lock, after a backup, in one transaction, and then publishes the read copy, so that
`tonghop sql` and the next run see the change at once.
"""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline import warehouse as wh
from pipeline.config import StoreOptions
from pipeline.errors import UsageError
from pipeline.vn.text import fold
from pipeline.warehouse.flags import ACCEPTED, EXPLAINED, FIXED, IGNORED, OPEN, STATES

ENGLISH = {"open": OPEN, "explained": EXPLAINED, "fixed": FIXED, "accepted": ACCEPTED, "ignored": IGNORED}
_BY_KEY = {**{fold(s): s for s in STATES}, **ENGLISH}
LIST_COLUMNS = ["flag_id", "period_code", "unit_code", "indicator_code", "code", "state", "value", "explanation",
                "source_ref"]


@dataclass(frozen=True)
class Selection:
    """Which flags a command is about: ids and/or filters (none at all: every flag, for listing only)."""

    ids: tuple[int, ...] = ()
    period: str | None = None
    unit: str | None = None
    indicator: str | None = None
    code: str | None = None

    @property
    def empty(self) -> bool:
        """Whether nothing narrows the choice."""
        return not (self.ids or self.period or self.unit or self.indicator or self.code)

    def describe(self) -> str:
        """The selection in Vietnamese, for messages."""
        parts = [f"mã {', '.join(map(str, self.ids))}"] if self.ids else []
        for label, v in (("kỳ", self.period), ("đơn vị", self.unit), ("chỉ tiêu", self.indicator), ("loại lỗi", self.code)):
            if v:
                parts.append(f"{label} {v}")
        return ", ".join(parts) or "mọi cờ"


def parse_state(text: str) -> str:
    """The state a user typed: Vietnamese with or without diacritics ('da giai trinh'), or its English alias."""
    state = _BY_KEY.get(fold(text or ""))
    if state is None:
        names = ", ".join(f"'{s}'" for s in STATES)
        raise UsageError(f"Trạng thái '{text}' không có. Dùng một trong: {names} (gõ có hoặc không dấu), hoặc "
                         f"{', '.join(ENGLISH)}.")
    return state


def list_flags(warehouse: Path, sel: Selection) -> pd.DataFrame:
    """The flags chosen, from the read copy (the last committed state): LIST_COLUMNS, in flag order."""
    _require(warehouse)
    con = wh.connect(wh.reading_path(warehouse), read_only=True)
    try:
        rows = wh.flags.select_flags(con, list(sel.ids), sel.period, sel.unit, sel.indicator, sel.code)
    finally:
        con.close()
    if sel.ids:  # an unknown id is a mistake; a filter that matches nothing is an answer (listed empty)
        _check_found(rows, sel)
    return rows[LIST_COLUMNS]


def set_flags(store: StoreOptions, sel: Selection, state: str, note: str | None = None) -> pd.DataFrame:
    """Set the state (and the note) of the chosen flags; return them as they are now (LIST_COLUMNS).

    Raises UsageError (nothing written) for an unknown state, an unknown id, or a choice matching no flag; refuses to
    set a state on every flag at once (a selection is required).
    """
    state = parse_state(state)
    if sel.empty:
        raise UsageError("Hãy chọn cờ cần đặt trạng thái: --id, hoặc --period/--unit/--indicator/--code.")
    _require(store.path)
    with wh.writer_lock(store.path, store.lock_timeout):
        con = wh.connect(store.path, read_only=True)
        try:
            rows = wh.flags.select_flags(con, list(sel.ids), sel.period, sel.unit, sel.indicator, sel.code)
        finally:
            con.close()
        _check_found(rows, sel)
        if store.backups > 0:
            wh.backup(store.path, keep=store.backups)
        con = wh.connect(store.path)
        try:
            ids = [int(i) for i in rows["flag_id"]]
            wh.flags.set_flag_state(con, ids, state, note.strip() if note and note.strip() else None, _user(),
                                    wh.flags.COMMAND)
            wh.checkpoint(con)
            now = wh.flags.select_flags(con, ids)
        finally:
            con.close()
        wh.publish(store.path, dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f-flag"))
    return now[LIST_COLUMNS]


def _require(warehouse: Path) -> None:
    if not Path(warehouse).exists():
        raise UsageError(f"Chưa có kho dữ liệu: {warehouse}. Hãy chạy 'tonghop run' trước.")


def _check_found(rows: pd.DataFrame, sel: Selection) -> None:
    """Unknown ids and a choice that matches nothing are the user's mistakes, said in one line."""
    if sel.ids:
        missing = sorted(set(sel.ids) - {int(i) for i in rows["flag_id"]})
        if missing:
            narrowed = Selection((), sel.period, sel.unit, sel.indicator, sel.code)
            where = "" if narrowed.empty else f" thuộc {narrowed.describe()}"
            raise UsageError(f"Không có cờ mã {', '.join(map(str, missing))}{where}. Xem danh sách: tonghop flag "
                             "(không kèm --state).")
    if rows.empty:
        raise UsageError(f"Không có cờ nào khớp với {sel.describe()}.")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment (a service without one)
        return "cán bộ"
