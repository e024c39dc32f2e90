"""Validation rules between values (schemas/rules.csv, on the model of DHIS2 validation rules) and outliers.

A rule is `left operator right`, evaluated once per submission.

Expressions (both sides)::

    expr   := term (("+" | "-") term)*
    term   := factor (("*" | "/") factor)*
    factor := NUMBER | "#{" CODE "}" | "(" expr ")" | "-" factor | "+" factor

NUMBER uses a dot for decimals (`0.5`, `100`). `#{III.3.3.2}` is the value of that indicator in the
submission. Expressions are parsed with `ast` and only these nodes are accepted; nothing is eval'd.

Missing values, per side (DHIS2 semantics): `skip_if_any_missing` makes the side blank when any of its
indicators is blank; `skip_if_all_missing` when all of them are (the other blanks count as 0);
`never_skip` counts every blank as 0. A side without indicators (a constant) is never blank. A division
by zero makes the side blank too ("not evaluable").

Operators: `== != < <= > >=` compare the two sides with the absolute `tolerance`
(`==` fails when |left − right| > tolerance, `<=` when left > right + tolerance, …); the rule is skipped
when either side is blank. `compulsory_pair` fails when exactly one side is blank; `exclusive_pair`
when neither is. Tolerance is unused by the pairs.

Rate with an empty denominator (code rate-empty-denominator) uses `compulsory_pair` with
`left = #{rate}` and `right = #{rate} * #{den} / #{den}` (both skip_if_any_missing): the right side
is the rate itself, defined only when the denominator is reported and not 0, so the pair fails
exactly when the rate is reported but its denominator is blank or 0, and never when the rate is blank.
"""

from __future__ import annotations

import ast
import re
import string
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd
import pandera.errors as pa_errors

from pipeline.errors import ReferenceDataError
from pipeline import issues as iss
from pipeline.issues import CATALOG
from pipeline.reference.files import read_csv, read_toml, schema_error
from pipeline.vn import format as fmt
from pipeline.vn.text import nfc
from schemas.models import IssueModel, checked
from schemas.rule_model import RuleModel

OUT_COLUMNS = ["submission", *iss.COLUMNS, "rule_id"]  # the issues frame, with the submission and the rule
PLACEHOLDERS = {"left", "right", "left_expr", "right_expr", "indicator"}
_REF = re.compile(r"#\{\s*([^{}]*?)\s*\}")
_EPS = 1e-9


@dataclass(frozen=True)
class Rule:
    """One row of schemas/rules.csv."""

    id: str
    description: str
    left: str
    operator: str
    right: str
    missing_left: str
    missing_right: str
    tolerance: float
    severity: str
    code: str
    message: str


class RuleError(ReferenceDataError):
    """A rule file that cannot be used: bad expression, unknown indicator, bad message template."""


class RuleSchemaError(RuleError, pa_errors.SchemaErrors):
    """A rules.csv cell that breaks RuleModel: a Vietnamese one-liner that is still pandera's SchemaErrors for callers."""

    def __init__(self, message: str, cause: Exception):
        ReferenceDataError.__init__(self, message)
        for name in ("schema", "schema_errors", "data", "failure_cases", "error_counts", "message"):
            if name != "message" and hasattr(cause, name):
                setattr(self, name, getattr(cause, name))
        self.message = message

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------- expressions

@dataclass(frozen=True)
class _Compiled:
    codes: tuple[str, ...]  # indicator codes in order of first appearance
    tree: ast.expr  # names are _v0, _v1, … (index into codes)


def references(expr: str) -> list[str]:
    """Return the indicator codes an expression uses, in order of first appearance, without repeats."""
    return list(dict.fromkeys(code.strip() for code in _REF.findall(expr)))


@lru_cache(maxsize=4096)
def _compile(expr: str) -> _Compiled:
    codes = references(expr)
    if any(not c for c in codes):
        raise RuleError(f"tham chiếu chỉ tiêu rỗng trong biểu thức: {expr!r}")
    index = {c: i for i, c in enumerate(codes)}
    rest = _REF.sub(" ", expr)
    if "#" in rest or "{" in rest or "}" in rest:
        raise RuleError(f"tham chiếu chỉ tiêu sai cú pháp (dạng đúng: #{{III.3.3.2}}): {expr!r}")
    if not re.fullmatch(r"[0-9.\s+\-*/()]*", rest):
        raise RuleError(f"biểu thức chỉ được dùng số, #{{mã chỉ tiêu}}, + - * / và ngoặc: {expr!r}")
    text = _REF.sub(lambda m: f" _v{index[m.group(1).strip()]} ", expr)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise RuleError(f"biểu thức sai cú pháp: {expr!r} ({exc.msg})") from None
    _check(tree, len(codes), expr)
    return _Compiled(tuple(codes), tree)


def _check(node: ast.AST, n_codes: int, expr: str) -> None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
        _check(node.left, n_codes, expr)
        _check(node.right, n_codes, expr)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        _check(node.operand, n_codes, expr)
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        pass
    elif isinstance(node, ast.Name) and re.fullmatch(r"_v\d+", node.id) and int(node.id[2:]) < n_codes:
        pass
    else:
        raise RuleError(f"biểu thức chỉ được dùng số, #{{mã chỉ tiêu}}, + - * / và ngoặc: {expr!r}")


def _eval(node: ast.expr, cols: list[np.ndarray]) -> np.ndarray | float:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return cols[int(node.id[2:])]
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, cols)
        return -v if isinstance(node.op, ast.USub) else v
    a, b = _eval(node.left, cols), _eval(node.right, cols)
    if isinstance(node.op, ast.Add):
        return a + b
    if isinstance(node.op, ast.Sub):
        return a - b
    if isinstance(node.op, ast.Mult):
        return a * b
    b = np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.full(np.broadcast(a, b).shape, np.nan), where=b != 0)  # x / 0: not evaluable


# ---------------------------------------------------------------- loading

def load_rules(path: Path | str, known_codes: Iterable[str] | None = None) -> list[Rule]:
    """Read schemas/rules.csv, validate it with RuleModel, parse every expression and check its codes."""
    df, lines = read_csv(Path(path), ("id", "left", "operator", "right", "code"), "--rules")
    df = df.map(lambda v: nfc(v).strip() if isinstance(v, str) else v)
    if "tolerance" in df:
        df["tolerance"] = df["tolerance"].replace("", "0").str.replace(",", ".", regex=False)
    try:
        df = RuleModel.validate(df, lazy=True)
    except (pa_errors.SchemaErrors, pa_errors.SchemaError) as exc:
        raise RuleSchemaError(schema_error(Path(path), exc, lines).message, exc) from None
    known = set(known_codes) if known_codes is not None else None
    names = [f.name for f in fields(Rule)]
    rules = [Rule(**{k: (float(r[k]) if k == "tolerance" else str(r[k])) for k in names}) for r in df.to_dict("records")]
    problems = [f"dòng {line} ({rule.id}): {p}" for rule, line in zip(rules, lines) for p in _problems(rule, known)]
    if problems:
        more = f" (và {len(problems) - 1} lỗi khác)" if len(problems) > 1 else ""
        raise RuleError(f"Tệp quy tắc {path} có lỗi ở {problems[0]}{more}: hãy sửa dòng đó.")
    return rules


def _problems(rule: Rule, known: set[str] | None) -> list[str]:
    out = []
    for side in (rule.left, rule.right):
        try:
            comp = _compile(side)
        except RuleError as exc:
            out.append(str(exc))
            continue
        if known is not None:
            out += [f"mã chỉ tiêu {c} không có trong danh mục" for c in comp.codes if c not in known]
    try:
        for _, field, _, _ in string.Formatter().parse(rule.message):
            if field is not None and field not in PLACEHOLDERS:
                out.append(f"thông báo dùng {{{field}}}; chỉ được dùng {', '.join('{' + p + '}' for p in sorted(PLACEHOLDERS))}")
    except ValueError as exc:
        out.append(f"thông báo sai cú pháp ({exc})")
    if CATALOG[rule.code].scope != "rule":
        out.append(f"mã lỗi {rule.code} không dành cho quy tắc")
    return out


def load_outlier_settings(path: Path | str) -> tuple[float, int]:
    """Read k and min_periods from the [outliers] table of schemas/outliers.toml."""
    table = read_toml(Path(path), "--outliers").get("outliers", {})
    try:
        k, n = float(table.get("k", 3.5)), int(table.get("min_periods", 3))
    except (TypeError, ValueError):
        k, n = 0.0, 0
    if k <= 0 or n < 1:
        raise ReferenceDataError(f"Tệp {path}: bảng [outliers] cần k là số > 0 và min_periods là số nguyên ≥ 1 "
                                 f"(đang là k={table.get('k')!r}, min_periods={table.get('min_periods')!r}): hãy sửa hai dòng đó.")
    return k, n


# ---------------------------------------------------------------- formatting

format_vn = fmt.decimal  # '3.175', '98,16', '-1.234,5': the numbers the rules' messages quote


# ---------------------------------------------------------------- evaluation

def evaluate(values: pd.DataFrame, rules: list[Rule], not_applicable: pd.DataFrame | None = None) -> pd.DataFrame:
    """Evaluate every rule on every submission of `values`; return one issue row per violation.

    `not_applicable` (columns submission, indicator_code) lists the indicators a submission answered "không áp dụng":
    a rule that reads one of them is not evaluated for that submission (a relation with an operand that does not
    apply says nothing, and a blank-as-0 there would raise a false alarm). A blank operand is handled by the rule's
    missing-value strategy, as before.
    """
    if values.empty or not rules:
        return pd.DataFrame(columns=OUT_COLUMNS)
    sub_codes, subs = pd.factorize(values["submission"], sort=False)
    ind_codes, inds = pd.factorize(values["indicator_code"], sort=False)
    n_sub = len(subs)
    grid = np.full((n_sub, len(inds)), np.nan)
    pos = np.full(grid.shape, -1, dtype=np.int64)
    order = np.arange(len(values))[::-1]  # written last to first: the first occurrence wins
    grid[sub_codes[order], ind_codes[order]] = values["value"].to_numpy(dtype=float, na_value=np.nan)[order]
    pos[sub_codes[order], ind_codes[order]] = order
    col_of = {c: i for i, c in enumerate(inds)}
    sub_arr = np.empty(n_sub, dtype=object)
    for i, s in enumerate(subs):  # element by element: keys may be tuples
        sub_arr[i] = s
    ind_arr = np.array(list(inds), dtype=object)
    blank = np.full(n_sub, np.nan)
    first_row = np.full(n_sub, -1, dtype=np.int64)
    first_row[sub_codes[order]] = order
    na_of: dict[str, np.ndarray] = {}  # indicator -> submissions (rows of the grid) that answered it "không áp dụng"
    if not_applicable is not None and len(not_applicable):
        na_sub = subs.get_indexer(not_applicable["submission"])
        for code, at in zip(not_applicable["indicator_code"].to_numpy(dtype=object), na_sub):
            if at >= 0:
                na_of.setdefault(code, np.zeros(n_sub, dtype=bool))[at] = True

    def column(code: str) -> np.ndarray:
        i = col_of.get(code)
        return grid[:, i] if i is not None else blank

    def side(expr: str, strategy: str) -> tuple[np.ndarray, list[str]]:
        comp = _compile(expr)
        cols = [column(c) for c in comp.codes]
        with np.errstate(all="ignore"):
            val = np.broadcast_to(np.asarray(_eval(comp.tree, [np.nan_to_num(c, nan=0.0) for c in cols]), dtype=float), (n_sub,)).copy()
        if cols:
            present = np.isfinite(np.vstack(cols))
            if strategy == "skip_if_any_missing":
                val[~present.all(axis=0)] = np.nan
            elif strategy == "skip_if_all_missing":
                val[~present.any(axis=0)] = np.nan
        val[~np.isfinite(val)] = np.nan
        return val, list(comp.codes)

    file_a = values["file"].fillna("").astype(str).to_numpy(dtype=object)
    sheet_a = values["sheet"].fillna("").astype(str).to_numpy(dtype=object)
    cell_a = values["cell"].fillna("").astype(str).to_numpy(dtype=object)
    parts: list[dict[str, np.ndarray]] = []
    for rule in rules:
        left, lcodes = side(rule.left, rule.missing_left)
        right, rcodes = side(rule.right, rule.missing_right)
        bad = _violations(rule, left, right)
        for code in (lcodes + rcodes) if na_of else ():
            hit = na_of.get(code)
            if hit is not None:
                bad &= ~hit
        idx = np.flatnonzero(bad)
        if idx.size == 0:
            continue
        # position: the first indicator of the left side that is present, else of the right side
        where = np.full(idx.size, -1, dtype=np.int64)
        for code in lcodes + rcodes:
            i = col_of.get(code)
            if i is None:
                continue
            cand = pos[idx, i]
            where = np.where(where < 0, cand, where)
        fallback = where < 0
        at = np.where(fallback, first_row[idx], where)
        ind = ind_arr[ind_codes[at]]
        ind = np.where(fallback, lcodes[0] if lcodes else (rcodes[0] if rcodes else ""), ind)
        sheet = np.where(fallback, "", sheet_a[at])
        cell = np.where(fallback, "", cell_a[at])
        lt, rt = fmt.decimals(left[idx]), fmt.decimals(right[idx])
        message = _messages(rule, lt, rt, lcodes[0] if lcodes else (rcodes[0] if rcodes else ""))
        parts.append({"submission": sub_arr[idx],
                      "severity": np.full(idx.size, rule.severity, dtype=object),
                      "code": np.full(idx.size, rule.code, dtype=object), "message": message,
                      "file": file_a[at], "sheet": sheet, "cell": cell, "indicator_code": ind,
                      "raw": np.where(np.isfinite(left[idx]), lt, ""),
                      "rule_id": np.full(idx.size, rule.id, dtype=object)})
    if not parts:
        return pd.DataFrame(columns=OUT_COLUMNS)
    cols = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    cols["source_ref"] = iss.source_refs(cols["file"], cols["sheet"], cols["cell"])
    return checked(IssueModel, pd.DataFrame({k: cols[k] for k in OUT_COLUMNS}))  # once per run


def _violations(rule: Rule, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    lnull, rnull = np.isnan(left), np.isnan(right)
    if rule.operator == "compulsory_pair":
        return lnull != rnull
    if rule.operator == "exclusive_pair":
        return ~lnull & ~rnull
    both = ~lnull & ~rnull
    eps = _EPS * np.maximum(1.0, np.maximum(np.abs(np.nan_to_num(left)), np.abs(np.nan_to_num(right))))
    tol = rule.tolerance
    d = np.nan_to_num(left) - np.nan_to_num(right)  # left − right
    fails: dict[str, Callable[[], np.ndarray]] = {
        "==": lambda: np.abs(d) > tol + eps,
        "!=": lambda: np.abs(d) <= tol + eps,
        "<=": lambda: d > tol + eps,
        "<": lambda: d >= tol - eps,
        ">=": lambda: d < -tol - eps,
        ">": lambda: d <= -tol + eps,
    }
    return both & fails[rule.operator]()


def _messages(rule: Rule, left: np.ndarray, right: np.ndarray, indicator: str) -> np.ndarray:
    fixed = {"left_expr": rule.left, "right_expr": rule.right, "indicator": indicator}
    fmt = ""  # the template with {left} -> {0}, {right} -> {1} and the fixed placeholders filled in
    for lit, field, _, _ in string.Formatter().parse(rule.message):
        fmt += lit.replace("{", "{{").replace("}", "}}")
        if field is not None:
            fmt += {"left": "{0}", "right": "{1}"}.get(field) or fixed.get(field, "").replace("{", "{{").replace("}", "}}")
    out = np.empty(len(left), dtype=object)
    out[:] = [fmt.format(a, b) for a, b in zip(left, right)]
    return out


# ---------------------------------------------------------------- outliers

def outliers(current: pd.DataFrame, history: pd.DataFrame, k: float = 3.5, min_periods: int = 3) -> pd.DataFrame:
    """Flag current values far from the unit's own earlier periods: |value − median| > k·MAD (robust z)."""
    if current.empty or history.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    hist = history.dropna(subset=["value"]).drop_duplicates(["unit_code", "period_code", "indicator_code"], keep="last")
    keys = ["unit_code", "indicator_code"]
    g = hist.groupby(keys, sort=False)["value"]
    stats = g.agg(n="count", median="median").reset_index()
    hist = hist.merge(stats[keys + ["median"]], on=keys)
    hist["dev"] = (hist["value"] - hist["median"]).abs()
    stats = stats.merge(hist.groupby(keys, sort=False)["dev"].median().rename("mad").reset_index(), on=keys)
    cur = current.merge(stats, on=keys, how="inner")
    cur = cur[cur["n"] >= min_periods]
    floor = np.maximum(1.0, 0.1 * cur["median"].abs())
    scale = cur["mad"].where(cur["mad"] > 0, floor)
    cur = cur[(cur["value"] - cur["median"]).abs() > k * scale]
    if cur.empty:
        return pd.DataFrame(columns=OUT_COLUMNS)
    value_t = [fmt.decimal(v) for v in cur["value"]]
    message = [f"Giá trị {v} của chỉ tiêu {c} khác xa số liệu các kỳ trước của đơn vị "
               f"(trung vị {fmt.decimal(m)} của {fmt.count(n)} kỳ trước)"
               for v, c, m, n in zip(value_t, cur["indicator_code"], cur["median"], cur["n"])]
    out = pd.DataFrame({
        "submission": cur["submission"].to_numpy(), "severity": CATALOG["value-outlier"].severity.value,
        "code": "value-outlier", "message": message, "file": cur["file"].astype(str).to_numpy(),
        "sheet": cur["sheet"].astype(str).to_numpy(), "cell": cur["cell"].astype(str).to_numpy(),
        "indicator_code": cur["indicator_code"].to_numpy(), "raw": value_t, "rule_id": "value-outlier",
    })
    out["source_ref"] = iss.source_refs(*(out[c].to_numpy(dtype=object) for c in ("file", "sheet", "cell")))
    return checked(IssueModel, out[OUT_COLUMNS].reset_index(drop=True))  # once per run
