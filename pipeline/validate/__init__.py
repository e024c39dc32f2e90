"""Validating the values read: pandera domains, the office's rules between values (DHIS2-style), outliers.

Entry point: `validate_submissions(subs, rules, history, k, min_periods)`: pure over the submissions' frames and the
units' earlier values (the run reads those from the warehouse). It returns one `Checked` for the whole run: every
value with `accepted`, and the issues found, both as single frames over all submissions (no work per submission).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from pipeline import issues as iss
from pipeline.read.submission import OBS_COLUMNS, Submission
from pipeline.validate.consistency import QualitySettings, copy_forward, nearly_empty, time_consistency
from pipeline.validate.rules import Rule, evaluate, outliers
from pipeline.validate.schema import validate_observations

VALUE_COLUMNS = ["submission", "unit_code", "indicator_code", "value", "file", "sheet", "cell"]
ISSUE_COLUMNS = ["submission", *iss.COLUMNS]


@dataclass
class Checked:
    """What validation found over all the run's submissions at once.

    `observations`: every submission's rows in submission order (each one's own order kept), with `submission` (the
    submission's position in the list validated) and `accepted` (False for a blank value or one an error refused;
    True for a "không áp dụng" the catalog allows, state "na", whose value stays blank).
    `issues`: the issues validation added (columns ISSUE_COLUMNS), by submission, each submission's in the order
    domains (pandera), rules, outliers.
    """

    subs: list[Submission]
    observations: pd.DataFrame
    issues: pd.DataFrame

    def position(self) -> dict[int, int]:
        """Each validated submission's position, by `id()` of the Submission."""
        return {id(s): i for i, s in enumerate(self.subs)}


def validate_submissions(subs: list[Submission], rules: list[Rule], history: pd.DataFrame, outlier_k: float,
                         outlier_min_periods: int, quality: QualitySettings | None = None) -> Checked:
    """Validate all new values at once and return them with `accepted`, and the issues found.

    An `error` keeps its value out of the warehouse's accepted values; a `warning` only records the issue.
    `history` holds earlier values of the same units (unit_code, period_code, indicator_code, value) for outliers.
    With `quality` (schemas/outliers.toml [quality]), values are also compared with the mean of the unit's three
    preceding comparable periods, and copied-forward or nearly empty submissions are flagged (validate.consistency).
    The submissions themselves are not changed.
    """
    if not subs:
        return Checked([], pd.DataFrame(columns=["submission", *OBS_COLUMNS, "accepted"]), pd.DataFrame(columns=ISSUE_COLUMNS))
    records = [s.records() for s in subs]  # plain tuples: one frame built for all files, not one per file
    lengths = np.array([len(r) for r in records], dtype=np.int64)
    combined = pd.DataFrame([r for rs in records for r in rs], columns=OBS_COLUMNS)  # one frame, one pass
    combined.insert(0, "submission", np.repeat(np.arange(len(subs), dtype=np.int64), lengths))
    checked, found = validate_observations(combined)
    present = checked[checked["accepted"]]
    values = present[VALUE_COLUMNS]
    na = checked["state"].to_numpy(dtype=object) == "na"  # "không áp dụng" where the catalog allows it: an answer
    not_applicable = None
    if na.any():  # an indicator printed twice, "không áp dụng" once and a value once, has that value: the rules read it
        not_applicable = checked.loc[na, ["submission", "indicator_code"]]
        valued = pd.MultiIndex.from_frame(values[["indicator_code"]].assign(submission=present["submission"])[
            ["submission", "indicator_code"]])
        not_applicable = not_applicable[~pd.MultiIndex.from_frame(not_applicable).isin(valued)]
    ruled = evaluate(values, rules, not_applicable)
    odd = outliers(values, history, outlier_k, outlier_min_periods)
    quality_parts = []
    if quality is not None:
        read = checked.loc[checked["value"].notna(), ["submission", "unit_code", "period_code", "indicator_code", "value", "file"]]
        quality_parts = [time_consistency(present[[*VALUE_COLUMNS, "period_code"]], history, quality),
                         copy_forward(read, history, quality), nearly_empty(read, quality)]
    sub_of_row = checked["submission"].to_numpy()
    domain = pd.DataFrame([{k: r[k] for k in iss.COLUMNS} for r in found], columns=iss.COLUMNS)
    domain.insert(0, "submission", sub_of_row[checked.index.get_indexer([r["row_index"] for r in found])]
                  if found else np.zeros(0, dtype=np.int64))
    parts = [p for p in (domain, ruled[ISSUE_COLUMNS], odd[ISSUE_COLUMNS], *(q[ISSUE_COLUMNS] for q in quality_parts)) if len(p)]
    issues = (pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ISSUE_COLUMNS))
    if len(issues):
        issues["submission"] = issues["submission"].astype(np.int64)
        issues = issues.sort_values("submission", kind="stable", ignore_index=True)
    _refuse_errors(checked, pd.concat([ruled, odd], ignore_index=True) if len(ruled) or len(odd) else None)
    if na.any():
        checked.loc[na, "accepted"] = True  # stored with value NULL: v_values never shows it, v_value_states does
    return Checked(list(subs), checked, issues)


def _refuse_errors(checked: pd.DataFrame, found: pd.DataFrame | None) -> None:
    """Mark not accepted every value at a cell (submission, sheet, cell) that a rule or outlier error names."""
    if found is None or found.empty:
        return
    errors = found[found["severity"] == "error"]
    if errors.empty:
        return
    keys = pd.MultiIndex.from_arrays([errors["submission"].astype(np.int64), errors["sheet"].astype(object),
                                      errors["cell"].astype(object)])
    rows = pd.MultiIndex.from_arrays([checked["submission"].astype(np.int64), checked["sheet"].astype(object),
                                      checked["cell"].astype(object)])
    hit = rows.isin(keys)
    if hit.any():
        checked.loc[hit, "accepted"] = False
