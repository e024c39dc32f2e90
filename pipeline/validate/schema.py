"""Validating mapped values with pandera: each failed check becomes an issue row at its cell."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from pipeline import issues as iss
from pipeline.vn import format as fmt
from schemas.models import ObservationModel

_CHECKS = ["count-negative", "count-not-integer", "rate-out-of-range", "code-out-of-list"]  # the model's order
_CHECK_ORDER = {c: i for i, c in enumerate(_CHECKS)}
# The value checks that become issues read these columns; the model's identity columns (file, cell, unit, period,
# indicator code) are the reading stage's to vouch for (their faults are reported per submission, never per value),
# so they are not checked again here value by value.
_VALUE_COLUMNS = ["kind", "value", "allowed"]
_VALUE_SCHEMA = ObservationModel.to_schema().remove_columns(
    [c for c in ObservationModel.to_schema().columns if c not in _VALUE_COLUMNS])


def validate_observations(obs: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Validate a combined frame of values; return it with an `accepted` column and the issues found.

    Each issue carries `row_index`, the index of its row in `obs`. All rows are checked at once with ObservationModel's
    value checks (pandera sees only the columns they read); a failed row is looked up by position.
    """
    out = obs.copy()
    present_mask = out["value"].notna().to_numpy(dtype=bool)
    out["accepted"] = present_mask
    if not present_mask.any():
        return out, []
    present = out.loc[present_mask, _VALUE_COLUMNS]
    try:
        _VALUE_SCHEMA.validate(present, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna() & cases["check"].isin(_CHECKS)].drop_duplicates(subset=["check", "index"])
        if cases.empty:  # identity/type failures are reported at submission level
            return out, []
        # in reading order (the row, then the model's order of checks), not in the order pandera lists its failures
        at = out.index.get_indexer(cases["index"].to_numpy(dtype=object))
        order = np.lexsort((cases["check"].map(_CHECK_ORDER).to_numpy(dtype=np.int64), at))
        cases, at = cases.iloc[order], at[order]
        labels = out.index.to_numpy()[at]
        accepted = out["accepted"].to_numpy(dtype=bool).copy()
        accepted[at] = False
        out["accepted"] = accepted
        col = {c: out[c].to_numpy(dtype=object)[at] for c in ("file", "sheet", "cell", "indicator_code", "raw", "allowed")}
        values = out["value"].to_numpy(dtype=float, na_value=np.nan)[at]
        found = [{**iss.issue(code, file=f, sheet=sh, cell=ce, indicator_code=ind, raw=raw,
                              value=fmt.decimal(v, places=None), codes=allowed.replace(";", ", ")),
                  "row_index": label}
                 for code, label, f, sh, ce, ind, raw, v, allowed in zip(
                     cases["check"], labels, col["file"], col["sheet"], col["cell"], col["indicator_code"], col["raw"],
                     values, col["allowed"])]
        return out, found
    return out, []
