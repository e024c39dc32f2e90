"""Validating the values read: pandera domains, the office's rules between values (DHIS2-style), outliers.

Entry point: `validate_submissions(subs, rules, history, k, min_periods)`: pure over the submissions' frames and the
units' earlier values (the run reads those from the warehouse); it marks each value `accepted` and adds issues.
"""

from __future__ import annotations

import pandas as pd

from pipeline import issues as iss
from pipeline.read.submission import Submission
from pipeline.validate.rules import Rule, evaluate, outliers
from pipeline.validate.schema import validate_observations

VALUE_COLUMNS = ["submission", "unit_code", "indicator_code", "value", "file", "sheet", "cell"]


def validate_submissions(subs: list[Submission], rules: list[Rule], history: pd.DataFrame, outlier_k: float,
                         outlier_min_periods: int) -> None:
    """Validate all new values at once; each submission's observations gain `accepted` and its issues grow.

    An `error` keeps its value out of the warehouse's accepted values; a `warning` only records the issue.
    `history` holds earlier values of the same units (unit_code, period_code, indicator_code, value) for outliers.
    """
    frames = [s.observations.assign(_sub=i) for i, s in enumerate(subs)]
    if not frames:
        return
    combined = pd.concat(frames, ignore_index=True)
    checked, found = validate_observations(combined)
    present = checked[checked["accepted"]]
    values = present.rename(columns={"_sub": "submission"})[VALUE_COLUMNS]
    ruled = evaluate(values, rules)
    odd = outliers(values, history, outlier_k, outlier_min_periods)
    per_sub: dict[int, list[dict]] = {}
    for rec in found:
        per_sub.setdefault(int(checked.at[rec.pop("row_index"), "_sub"]), []).append(rec)
    rejected_cells: set[tuple[int, str, str]] = set()
    for frame in (ruled, odd):
        for rec in frame.to_dict("records"):
            sub_index = int(rec["submission"])
            per_sub.setdefault(sub_index, []).append({k: rec.get(k) for k in iss.COLUMNS})
            if rec["severity"] == "error":
                rejected_cells.add((sub_index, rec["sheet"], rec["cell"]))
    if rejected_cells:  # one pass over all values, not one mask per rule
        keys = zip(checked["_sub"].astype(int), checked["sheet"], checked["cell"])
        checked.loc[[k in rejected_cells for k in keys], "accepted"] = False
    parts = {int(i): g.drop(columns="_sub").reset_index(drop=True) for i, g in checked.groupby("_sub", sort=False)}
    empty = checked.iloc[0:0].drop(columns="_sub")
    for i, s in enumerate(subs):
        s.observations = parts.get(i, empty)
        s.issues.extend(per_sub.get(i, []))
