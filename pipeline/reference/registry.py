"""The units registry (CSV: code,name,kind,aliases, then optional validity and lineage columns) and matching a unit
named in free text.

Units have a time: `valid_from` / `valid_to` (ISO dates, blank = open) and a lineage the office records as data
(`merged_into` on a unit that was merged, `split_from` and `renamed_from` on a unit that came from another; several
codes separated by `|`). A four-column file is valid: every unit then exists at every date. A file is matched to
the unit that existed at its period's end date (`Registry.valid_codes`, memoised per period).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pandas as pd

from pipeline.errors import ReferenceDataError
from pipeline.reference.files import read_csv
from pipeline.vn.periods import is_period, period_bounds
from pipeline.vn.text import fold, nfc

KINDS = ("xã", "phường", "thị trấn")  # the CONTRACT's kinds; an office may receive others (Office.unit_kinds)
_KIND_KEYS = {"xã": ["xa"], "phường": ["phuong"], "thị trấn": ["thi tran", "tt"], "đặc khu": ["dac khu"],
              "thôn": ["thon"], "tổ dân phố": ["to dan pho", "tdp"]}
REQUIRED = ("code", "name", "kind", "aliases")
DATES = ("valid_from", "valid_to")
LINKS = ("merged_into", "split_from", "renamed_from")  # lineage columns: codes, several separated by '|'
OPTIONAL = DATES + LINKS
MERGE, SPLIT, RENAME = "merge", "split", "rename"


@dataclass(frozen=True)
class Link:
    """One lineage edge: `source` (the earlier unit) became, wholly or in part, `target` (the later one)."""

    source: str
    target: str
    kind: str  # MERGE (source merged into target), SPLIT (target split from source), RENAME (target renamed from source)


@dataclass(frozen=True)
class Registry:
    """The district's units in display order, with the keys used to recognise them."""

    units: pd.DataFrame  # code, name, kind, aliases, valid_from, valid_to, merged_into, split_from, renamed_from,
    # line (in the file), order, label; valid_from/valid_to are datetime.date or None

    def label(self, code: str) -> str:
        """Return the display label of a unit, e.g. 'xã Ngọc Kỳ'."""
        return str(self.labels.get(code, code))

    @cached_property
    def labels(self) -> dict[str, str]:
        """{code: display label} of every unit, whatever its validity."""
        return dict(zip(self.units["code"], self.units["label"]))

    # ---------------------------------------------------------------- time
    @cached_property
    def timed(self) -> bool:
        """Whether any unit has a validity date or a lineage (a four-column registry has none: every unit always valid)."""
        u = self.units
        return any(c in u.columns and u[c].map(bool).any() for c in OPTIONAL)

    @cached_property
    def _spans(self) -> dict[str, tuple[dt.date | None, dt.date | None]]:
        u = self.units
        if not self.timed:
            return {}
        return dict(zip(u["code"], zip(u["valid_from"], u["valid_to"])))

    @cached_property
    def _valid_memo(self) -> dict:
        return {}

    def valid_on(self, day: dt.date | None) -> frozenset[str]:
        """Codes of the units that existed on `day` (every unit when the registry has no dates or `day` is None)."""
        memo = self._valid_memo
        got = memo.get(day)
        if got is None:
            if day is None or not self.timed:
                got = frozenset(self.units["code"])
            else:
                got = frozenset(c for c, (a, b) in self._spans.items() if (a is None or a <= day) and (b is None or b >= day))
            memo[day] = got
        return got

    def valid_codes(self, period_code: str | None) -> frozenset[str]:
        """Codes of the units that existed at the end of the period (memoised per period): those a file may name."""
        return self.valid_on(period_end(period_code))

    def is_valid(self, code: str, period_code: str | None) -> bool:
        """Whether unit `code` existed at the end of the period (always, in a registry without dates)."""
        return not self.timed or code in self.valid_codes(period_code)

    def units_in(self, period_code: str | None) -> pd.DataFrame:
        """The registry rows of the units valid in the period, in display order (the whole registry when untimed)."""
        if not self.timed or period_end(period_code) is None:
            return self.units
        valid = self.valid_codes(period_code)
        return self.units[self.units["code"].isin(valid)].reset_index(drop=True)

    # ---------------------------------------------------------------- lineage
    @cached_property
    def links(self) -> tuple[Link, ...]:
        """Every lineage edge of the registry, in file order."""
        return tuple(_links(self.units)) if self.timed else ()

    @cached_property
    def _edges(self) -> tuple[dict[str, list[Link]], dict[str, list[Link]]]:
        leaving: dict[str, list[Link]] = {}
        arriving: dict[str, list[Link]] = {}
        for k in self.links:
            leaving.setdefault(k.source, []).append(k)
            arriving.setdefault(k.target, []).append(k)
        return leaving, arriving

    def successors(self, code: str) -> list[Link]:
        """The edges leaving `code` (what it became)."""
        return self._edges[0].get(code, [])

    def predecessors(self, code: str) -> list[Link]:
        """The edges arriving at `code` (what it came from)."""
        return self._edges[1].get(code, [])

    @cached_property
    def _sources_memo(self) -> dict:
        return {}

    def sources_in(self, code: str, period_code: str) -> list[str] | None:
        """The units valid in `period_code` whose combined figures compare with unit `code` (memoised).

        [code] when the unit itself existed then; its predecessors (transitively, through mergers and renames) when it
        came later; None when it has no comparable past: it was split from another unit, a predecessor's territory went
        to several units, or nothing it came from existed in that period.
        """
        key = (code, period_code)
        memo = self._sources_memo
        if key not in memo:
            memo[key] = self._sources(code, period_end(period_code), set())
        return memo[key]

    def _sources(self, code: str, day: dt.date | None, seen: set[str]) -> list[str] | None:
        if day is None or not self.timed or code in self.valid_on(day):
            return [code]
        start = self._spans.get(code, (None, None))[0]
        if start is None or start <= day or code in seen:  # not begun later: it had ended by then (no successor view here)
            return None
        seen = seen | {code}
        preds = self.predecessors(code)
        if not preds or any(k.kind == SPLIT for k in preds):
            return None
        out: list[str] = []
        for k in preds:
            if len(self.successors(k.source)) > 1:  # its territory went to several units: no whole to compare with
                return None
            got = self._sources(k.source, day, seen)
            if got is None:
                return None
            out += [c for c in got if c not in out]
        return out or None

    def comparison_note(self, code: str, period_code: str | None) -> str:
        """How unit `code` is compared with `period_code` (the period compared with), in Vietnamese; '' when as itself."""
        if period_code is None or not self.timed or self.is_valid(code, period_code):
            return ""
        sources = self.sources_in(code, period_code)
        preds = self.predecessors(code)
        if sources is None:
            split = [k.source for k in preds if k.kind == SPLIT]
            if split:
                return (f"tách ra từ {', '.join(self.label(c) for c in split)}: không có số liệu so sánh "
                        f"(không so sánh với đơn vị cũ)")
            return "đơn vị mới: không có số liệu so sánh"
        if all(k.kind == RENAME for k in preds) and len(sources) == 1:
            return f"so sánh với tên cũ: {self.label(sources[0])}"
        return "so sánh với các đơn vị cũ: " + ", ".join(self.label(c) for c in sources)

    def not_valid_reason(self, code: str, period_code: str) -> tuple[str, list[str]]:
        """Why unit `code` cannot report for `period_code` and which units to name instead: (Vietnamese reason, codes)."""
        end = period_end(period_code)
        start, stop = self._spans.get(code, (None, None))
        label = self.label(code)
        if stop is not None and end is not None and end > stop:
            after = self._successors_on(code, end)
            how = {MERGE: "đã sáp nhập vào", SPLIT: "đã chia tách thành", RENAME: "đã đổi tên thành"}
            kinds = {k.kind for k in self.successors(code)}
            verb = how[next(iter(kinds))] if len(kinds) == 1 else "đã được thay bằng"
            if after:
                names = ", ".join(f"{self.label(c)} ({c})" for c in after)
                return (f"{label} chỉ tồn tại đến hết ngày {_dmy(stop)} và {verb} {names}; báo cáo kỳ này phải do "
                        f"{names} lập", after)
            return (f"{label} chỉ tồn tại đến hết ngày {_dmy(stop)}; hãy kiểm tra lại kỳ báo cáo của tệp hoặc ngày valid_to "
                    "trong danh sách đơn vị", [])
        before = self._predecessors_on(code, end) if end is not None else []
        since = f"từ ngày {_dmy(start)}" if start is not None else ""
        if before:
            names = ", ".join(f"{self.label(c)} ({c})" for c in before)
            return (f"{label} chỉ có {since}; trong kỳ này các đơn vị trước đó còn tồn tại: {names}, báo cáo kỳ này "
                    f"phải do {names} lập", before)
        return f"{label} chỉ có {since}; hãy kiểm tra lại kỳ báo cáo của tệp hoặc ngày valid_from trong danh sách đơn vị", []

    def _successors_on(self, code: str, day: dt.date) -> list[str]:
        """The units valid on `day` that `code` became (through any chain of mergers, splits and renames)."""
        return self._linked_on(code, day, forward=True)

    def _predecessors_on(self, code: str, day: dt.date) -> list[str]:
        """The units valid on `day` that became `code` (through any chain of mergers, splits and renames)."""
        return self._linked_on(code, day, forward=False)

    def _linked_on(self, code: str, day: dt.date, forward: bool, seen: frozenset = frozenset()) -> list[str]:
        out: list[str] = []
        valid = self.valid_on(day)
        for k in (self.successors(code) if forward else self.predecessors(code)):
            other = k.target if forward else k.source
            if other in seen:
                continue
            got = [other] if other in valid else self._linked_on(other, day, forward, seen | {code})
            out += [c for c in got if c not in out]
        return out

    def lineage_rows(self) -> list[tuple[str, str]]:
        """(unit_code, source_code) for every unit: itself, and, for a unit with a comparable past, every earlier unit
        its figures combine (transitively through mergers and renames). The warehouse maps values onto the current map
        with it."""
        if not self.timed:
            return [(code, code) for code in self.units["code"]]
        out: list[tuple[str, str]] = []
        for code in self.units["code"]:
            out.append((code, code))
            out += [(code, src) for src in self._ancestors(code, frozenset()) if src != code]
        return out

    def _ancestors(self, code: str, seen: frozenset) -> list[str]:
        preds = self.predecessors(code)
        if not preds or code in seen or any(k.kind == SPLIT for k in preds):
            return []
        if any(len(self.successors(k.source)) > 1 for k in preds):
            return []
        out: list[str] = []
        for k in preds:
            for c in [k.source, *self._ancestors(k.source, seen | {code})]:
                if c not in out:
                    out.append(c)
        return out

    @cached_property
    def match_index(self) -> tuple[dict[str, set[str]], dict[str, set[str]], int]:
        """{folded key: codes} of the units' keys and of their bare names, and the most words in a key."""
        keys: dict[str, set[str]] = {}
        bare: dict[str, set[str]] = {}
        for row in self.units.to_dict("records"):
            for k in _keys(row):
                keys.setdefault(k, set()).add(row["code"])
            if fold(row["name"]):
                bare.setdefault(fold(row["name"]), set()).add(row["code"])
        return keys, bare, max((k.count(" ") + 1 for k in [*keys, *bare]), default=1)

    @property
    def codes(self) -> list[str]:
        """Unit codes in display order."""
        return list(self.units["code"])


def period_end(period_code: str | None) -> dt.date | None:
    """The last day of a period code (the date a file's unit must be valid on), None for no or a malformed code."""
    return period_bounds(period_code)[1] if period_code and is_period(period_code) else None


def load_registry(path: Path, kinds: tuple[str, ...] = KINDS) -> Registry:
    """Read the units registry CSV (UTF-8, BOM tolerated) and check it; each mistake names its line (ReferenceDataError).

    The validity and lineage columns are optional (a four-column file stays valid); when given, dates must read and
    the lineage must name known codes, hold no cycle and leave no overlap between a unit and what it became.
    `kinds` are the kinds of units the office receives (Office.unit_kinds): xã, phường, thị trấn for a district;
    đặc khu for a province after 2025; thôn, tổ dân phố for a commune.
    """
    df, lines = read_csv(path, REQUIRED, "--units")
    given = [c for c in OPTIONAL if c in df.columns]
    df = df[[*REQUIRED, *given]].fillna("").map(lambda v: nfc(v).strip())
    for c in OPTIONAL:
        if c not in given:
            df[c] = ""
    df["line"] = lines
    for row in df.itertuples():
        if not row.code:
            raise ReferenceDataError(f"Tệp {path}, dòng {row.line}: thiếu mã đơn vị (cột code): hãy điền mã, ví dụ ngoc_ky.")
        if row.kind not in kinds:
            raise ReferenceDataError(f"Tệp {path}, dòng {row.line}: loại đơn vị {row.kind!r} của {row.code} không hợp lệ "
                                     f"(cột kind phải là {', '.join(kinds)}, các loại đơn vị cơ quan tổng hợp nhận "
                                     "theo office.toml): hãy sửa ô đó.")
    dup = df[df["code"].duplicated(keep=False)]
    if not dup.empty:
        code = dup["code"].iloc[0]
        at = ", ".join(str(n) for n in dup.loc[dup["code"] == code, "line"])
        raise ReferenceDataError(f"Tệp {path}: mã đơn vị {code} trùng ở các dòng {at}: mỗi đơn vị một mã riêng, hãy sửa hoặc "
                                 "xóa dòng thừa.")
    df["order"] = range(len(df))
    df["label"] = df["kind"] + " " + df["name"]
    df = df.reset_index(drop=True)
    _check_time(df, path)
    return Registry(df)


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def _date(text: str, path: Path, line: int, column: str, code: str) -> dt.date | None:
    """An ISO date (2025-07-01), or the day/month/year Excel writes back in Vietnamese settings (1/7/2025)."""
    if not text:
        return None
    m = _ISO.match(text)
    parts = (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
    if parts is None:
        m = _DMY.match(text)
        parts = (int(m.group(3)), int(m.group(2)), int(m.group(1))) if m else None
    try:
        if parts is not None:
            return dt.date(*parts)
    except ValueError:
        pass
    raise ReferenceDataError(f"Tệp {path}, dòng {line}: ngày {text!r} ở cột {column} của {code} không đọc được: hãy ghi "
                             "theo dạng năm-tháng-ngày, ví dụ 2025-07-01 (hoặc ngày/tháng/năm, ví dụ 1/7/2025), hoặc để trống.")


def _codes(text: str) -> list[str]:
    return [c.strip() for c in str(text or "").split("|") if c.strip()]


def _links(df: pd.DataFrame) -> list[Link]:
    out: list[Link] = []
    for code, merged, split, renamed in zip(df["code"], df["merged_into"], df["split_from"], df["renamed_from"]):
        out += [Link(code, t, MERGE) for t in _codes(merged)]
        out += [Link(s, code, SPLIT) for s in _codes(split)]
        out += [Link(s, code, RENAME) for s in _codes(renamed)]
    return out


def _dmy(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def _check_time(df: pd.DataFrame, path: Path) -> None:
    """Parse the validity dates in place and check the lineage: known codes, no cycle, no overlap (ReferenceDataError)."""
    if not any(df[c].map(bool).any() for c in OPTIONAL):  # a four-column registry (or blank columns): nothing to check
        df["valid_from"] = df["valid_to"] = pd.Series([None] * len(df), index=df.index, dtype=object)
        return
    froms, tos = [], []
    for row in df.itertuples():
        a = _date(row.valid_from, path, row.line, "valid_from", row.code)
        b = _date(row.valid_to, path, row.line, "valid_to", row.code)
        if a is not None and b is not None and b < a:
            raise ReferenceDataError(f"Tệp {path}, dòng {row.line}: {row.code} có valid_to ({_dmy(b)}) trước valid_from "
                                     f"({_dmy(a)}): ngày kết thúc phải sau ngày bắt đầu, hãy sửa một trong hai ô.")
        froms.append(a)
        tos.append(b)
    df["valid_from"] = pd.Series(froms, index=df.index, dtype=object)
    df["valid_to"] = pd.Series(tos, index=df.index, dtype=object)
    line = dict(zip(df["code"], df["line"]))
    span = dict(zip(df["code"], zip(froms, tos)))
    names = {"merged_into": "sáp nhập vào", "split_from": "tách ra từ", "renamed_from": "đổi tên từ"}
    for row in df.itertuples():
        for column in LINKS:
            for other in _codes(getattr(row, column)):
                if other not in line:
                    raise ReferenceDataError(f"Tệp {path}, dòng {row.line}: cột {column} của {row.code} ghi mã {other!r} "
                                             "không có trong danh sách đơn vị: hãy ghi đúng mã của đơn vị "
                                             f"{names[column]} (cột code), hoặc thêm dòng cho đơn vị đó.")
                if other == row.code:
                    raise ReferenceDataError(f"Tệp {path}, dòng {row.line}: cột {column} của {row.code} ghi chính mã của "
                                             "nó: một đơn vị không thể sáp nhập, tách ra hay đổi tên từ chính nó; hãy sửa ô đó.")
    links = _links(df)
    _check_cycles(links, line, path)
    for k in links:
        old, new = span[k.source], span[k.target]
        where = f"dòng {line[k.source]} ({k.source}) và dòng {line[k.target]} ({k.target})"
        if old[1] is None:
            raise ReferenceDataError(f"Tệp {path}, {where}: {k.source} đã {_VERB[k.kind]} {k.target} nhưng chưa có ngày "
                                     f"kết thúc: hãy ghi cột valid_to của {k.source} (ngày cuối cùng đơn vị còn tồn tại, "
                                     "ví dụ 2025-06-30).")
        if new[0] is None:
            raise ReferenceDataError(f"Tệp {path}, {where}: {k.target} có từ {k.source} nhưng chưa có ngày bắt đầu: hãy "
                                     f"ghi cột valid_from của {k.target} (ví dụ 2025-07-01).")
        if new[0] <= old[1]:
            raise ReferenceDataError(f"Tệp {path}, {where}: thời gian trùng nhau: {k.source} còn đến hết ngày "
                                     f"{_dmy(old[1])} nhưng {k.target} đã có từ ngày {_dmy(new[0])}; đơn vị mới phải bắt "
                                     f"đầu sau ngày kết thúc của đơn vị cũ (ví dụ valid_to 2025-06-30, valid_from "
                                     "2025-07-01), hãy sửa một trong hai ô.")
    _check_same_names(df, span, path)


_VERB = {MERGE: "sáp nhập vào", SPLIT: "chia tách thành", RENAME: "đổi tên thành"}


def _check_cycles(links: list[Link], line: dict[str, int], path: Path) -> None:
    after: dict[str, list[str]] = {}
    for k in links:
        after.setdefault(k.source, []).append(k.target)
    state: dict[str, int] = {}  # 1 on the path being walked, 2 done

    def walk(code: str, trail: list[str]) -> None:
        state[code] = 1
        for nxt in after.get(code, []):
            if state.get(nxt) == 1:
                loop = trail[trail.index(nxt):] + [code, nxt] if nxt in trail else [code, nxt]
                loop = [c for i, c in enumerate(loop) if i == 0 or c != loop[i - 1]]
                raise ReferenceDataError(f"Tệp {path}: quan hệ sáp nhập / tách / đổi tên tạo thành vòng lặp "
                                         f"({' → '.join(loop)}, dòng {', '.join(str(line[c]) for c in dict.fromkeys(loop))}): "
                                         "một đơn vị không thể vừa là đơn vị cũ vừa là đơn vị mới của nhau; hãy sửa các ô "
                                         "merged_into, split_from, renamed_from đó.")
            if state.get(nxt) is None:
                walk(nxt, trail + [code])
        state[code] = 2

    for code in list(after):
        if state.get(code) is None:
            walk(code, [])


def _check_same_names(df: pd.DataFrame, span: dict, path: Path) -> None:
    """Two units of the same kind and name whose validity overlaps (at least one of them dated) could not be told apart."""
    seen: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for code, kind, name, line in zip(df["code"], df["kind"], df["name"], df["line"]):
        seen.setdefault((kind, fold(name)), []).append((code, line))
    for (kind, _), group in seen.items():
        for i, (a, la) in enumerate(group):
            for b, lb in group[i + 1:]:
                (fa, ta), (fb, tb) = span[a], span[b]
                if fa is None and ta is None and fb is None and tb is None:
                    continue
                if (ta is None or fb is None or fb <= ta) and (tb is None or fa is None or fa <= tb):
                    raise ReferenceDataError(f"Tệp {path}, dòng {la} ({a}) và dòng {lb} ({b}): hai đơn vị cùng tên {kind} "
                                             f"{df.loc[df['code'] == a, 'name'].iloc[0]} cùng tồn tại trong một thời gian, "
                                             "không phân biệt được tệp của đơn vị nào: hãy ghi valid_to của đơn vị cũ và "
                                             "valid_from của đơn vị mới (ví dụ 2025-06-30 và 2025-07-01).")


def _keys(row) -> list[str]:
    keys = [f"{k} {fold(row['name'])}" for k in _KIND_KEYS.get(row["kind"], [fold(row["kind"])])]
    keys += [fold(a) for a in str(row["aliases"]).split("|") if fold(a)]
    return keys


def match_unit(text: str, registry: Registry, *, bare_name: bool = False, period_code: str | None = None) -> str | None:
    """Return the code of the unit named in `text` ('UBND xã Ngọc Kỳ', 'THỊ TRẤN TỨ KỲ'), None if none or ambiguous.

    The longest registry key found as whole words wins; two units tied on the longest key make it ambiguous. With a
    `period_code` and a registry with dates, the units valid at the period's end are preferred (an old and a new unit
    may share a name); a unit that did not exist then is still returned when nothing valid matches, so that the file
    is rejected naming its successor or predecessor rather than called unknown.
    """
    keys, bare, longest = registry.match_index
    words = fold(text).split()
    valid = registry.valid_codes(period_code) if registry.timed else None
    best = [0, set()]  # any unit
    best_valid = [0, set()]  # units valid in the period
    for i in range(len(words)):
        for j in range(i + 1, min(len(words), i + longest) + 1):
            gram = " ".join(words[i:j])
            found = keys.get(gram, set()) | (bare.get(gram, set()) if bare_name else set())
            if not found:
                continue
            _keep(best, len(gram), found)
            if valid is not None and found & valid:
                _keep(best_valid, len(gram), found & valid)
    codes = best_valid[1] or best[1]
    if len(codes) > 1 and valid is not None and period_code is None:  # no period: the units that exist today
        today = codes & registry.valid_on(dt.date.today())
        codes = today if len(today) == 1 else codes
    return next(iter(codes)) if len(codes) == 1 else None


def _keep(best: list, length: int, found: set[str]) -> None:
    if length > best[0]:
        best[0], best[1] = length, set(found)
    elif length == best[0]:
        best[1] |= found


def check_known_units(registry: Registry, known: pd.DataFrame, path: Path) -> None:
    """Refuse a registry that lost a unit the warehouse holds loaded submissions of (ReferenceDataError, exit 2).

    `known` is warehouse.loaded_units (code, name, kind, aliases as last recorded, n_submissions). A unit's code is
    never guessed from a look-alike: the message names the registry line that looks like the lost unit (a typo to
    correct) and says that a change of code or a merger must be declared, not left to tonghop.
    """
    codes = set(registry.codes)
    lost = known[~known["code"].isin(codes)]
    if lost.empty:
        return
    row = lost.iloc[0]
    code, name, kind = str(row["code"]), str(row["name"] or ""), str(row["kind"] or "")
    label = f"{kind} {name}".strip() or code
    units = registry.units
    alike = units[(units["name"].map(fold) == fold(name)) & (units["kind"] == kind)] if name else units.iloc[0:0]
    if alike.empty:
        alike = units[units["code"].map(lambda c: c.replace("_", "").replace("-", "")) == code.replace("_", "").replace("-", "")]
    if not alike.empty:
        other = alike.iloc[0]
        line = int(other["line"]) if "line" in other else int(other["order"]) + 2
        fix = (f"dòng {line} ({other['code']}, {other['label']}) giống đơn vị này: nếu gõ nhầm, sửa mã ở dòng {line} "
               f"thành {code}")
    else:
        fix = f"hãy thêm lại dòng {code},{name},{kind},{row['aliases'] or ''}"
    more = f" (và {len(lost) - 1} đơn vị khác: {', '.join(lost['code'].iloc[1:4])})" if len(lost) > 1 else ""
    raise ReferenceDataError(
        f"Tệp {path}: đơn vị {code} ({label}) đã có {int(row['n_submissions'])} báo cáo trong kho dữ liệu nhưng không còn "
        f"trong danh sách đơn vị{more}; {fix}. Nếu đơn vị thực sự đổi mã hoặc sáp nhập, việc đó phải được khai báo, tonghop "
        "không tự đoán: giữ dòng của đơn vị cũ, ghi valid_to và merged_into hoặc renamed_from (xem docs/don-vi.md). "
        "Lượt chạy dừng, chưa ghi gì.")
