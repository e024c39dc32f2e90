"""pandera DataFrameModel of schemas/rules.csv: the validation rules the district office edits (DHIS2 style)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from pipeline.issues import CATALOG

OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "compulsory_pair", "exclusive_pair"]
MISSING_STRATEGIES = ["skip_if_any_missing", "skip_if_all_missing", "never_skip"]
SEVERITIES = ["error", "warning"]
RULE_CODES = [code for code, kind in CATALOG.items() if kind.scope == "rule"]
RULE_ID_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class RuleModel(pa.DataFrameModel):
    """One validation rule of schemas/rules.csv: `left operator right`, evaluated per submission."""

    id: Series[str] = pa.Field(unique=True, str_matches=RULE_ID_PATTERN,
                               description="Stable kebab-case identifier, kept when the rule is edited (issues refer to it).")
    description: Series[str] = pa.Field(str_length={"min_value": 3},
                                        description="What the rule checks, in Vietnamese, for the office.")
    left: Series[str] = pa.Field(str_length={"min_value": 1},
                                 description="Left expression: numbers, #{indicator code}, + - * /, unary minus and parentheses.")
    operator: Series[str] = pa.Field(isin=OPERATORS,
                                     description="==, !=, <, <=, >, >= (with tolerance), compulsory_pair (both sides or neither) or exclusive_pair (not both sides).")
    right: Series[str] = pa.Field(str_length={"min_value": 1},
                                  description="Right expression, same grammar as the left one.")
    missing_left: Series[str] = pa.Field(isin=MISSING_STRATEGIES,
                                         description="Left side blank handling: skip_if_any_missing, skip_if_all_missing (other blanks count as 0) or never_skip (blanks count as 0).")
    missing_right: Series[str] = pa.Field(isin=MISSING_STRATEGIES,
                                          description="Right side blank handling, as missing_left.")
    tolerance: Series[float] = pa.Field(ge=0,
                                        description="Absolute tolerance in the expressions' units (0.5 = half a percentage point for printed rates); unused by the pair operators.")
    severity: Series[str] = pa.Field(isin=SEVERITIES, description="error or warning.")
    code: Series[str] = pa.Field(isin=RULE_CODES,
                                 description="Issue code from pipeline/issues.py (rate-mismatch, part-exceeds-whole, sum-mismatch, …).")
    message: Series[str] = pa.Field(str_length={"min_value": 3},
                                    description="Vietnamese message template: {left}, {right}, {left_expr}, {right_expr}, {indicator}.")

    @pa.dataframe_check(name="sides-differ")
    def sides_differ(cls, df: pd.DataFrame) -> Series[bool]:
        """A rule does not compare an expression with itself."""
        return df["left"].str.replace(" ", "") != df["right"].str.replace(" ", "")

    class Config:
        strict = True
        coerce = True
