"""Validating mapped values with pandera: each failed check becomes an issue row at its cell."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline import issues as iss
from pipeline.vn import format as fmt
from schemas.models import ObservationModel

_CHECKS = {"count-negative", "count-not-integer", "rate-out-of-range", "code-out-of-list"}


def validate_observations(obs: pd.DataFrame) -> tuple[pd.DataFrame, list[dict]]:
    """Validate a combined frame of values; return it with an `accepted` column and the issues found.

    Each issue carries `row_index`, the index of its row in `obs`.
    """
    out = obs.copy()
    out["accepted"] = out["value"].notna()
    present = out[out["value"].notna()]
    if present.empty:
        return out, []
    found: list[dict] = []
    try:
        ObservationModel.validate(present, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        cases = cases[cases["index"].notna()].drop_duplicates(subset=["check", "index"])
        for check, index in zip(cases["check"], cases["index"]):
            row = out.loc[index]
            code = check if check in _CHECKS else None
            if code is None:
                continue  # identity/type failures are reported at submission level
            out.at[index, "accepted"] = False
            found.append({**iss.issue(code, file=row["file"], sheet=row["sheet"], cell=row["cell"],
                                      indicator_code=row["indicator_code"], raw=row["raw"],
                                      value=fmt.decimal(row["value"], places=None), codes=row["allowed"].replace(";", ", ")),
                          "row_index": index})
    return out, found
