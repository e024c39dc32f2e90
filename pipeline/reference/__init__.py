"""The office's reference data (schemas/): units registry, indicator catalog, rules, rubric, deadlines, office.

Entry point: `load_reference(files)` reads and checks every file once per run and returns a `Reference`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.reference.catalog import Catalog, load_catalog
from pipeline.reference.files import content_hash
from pipeline.reference.deadlines import DeadlineRule, load_deadlines
from pipeline.reference.office import Office, load_office
from pipeline.reference.registry import Registry, load_registry
from pipeline.reference.rubric import Rubric, load_rubric
from pipeline.validate.consistency import QualitySettings, load_quality_settings
from pipeline.validate.rules import Rule, load_outlier_settings, load_rules

if TYPE_CHECKING:  # pipeline.config imports the read stage's limits, which import this package
    from pipeline.config import ReferenceFiles


@dataclass
class Reference:
    """The office's reference data for a run."""

    registry: Registry
    catalog: Catalog
    office: Office
    rules: list[Rule]
    outlier_k: float
    outlier_min_periods: int
    deadlines: DeadlineRule = field(default_factory=DeadlineRule)
    rubric: Rubric | None = None
    quality: QualitySettings = field(default_factory=QualitySettings)  # outliers.toml [quality]: consistency, copy-forward


def load_reference(files: ReferenceFiles) -> Reference:
    """Read the units registry, the indicator catalog, the rules, the rubric, the deadlines and the office settings."""
    catalog = load_catalog(files.catalog)
    known = set(catalog.frame.index)
    k, min_periods = load_outlier_settings(files.outliers)
    office = load_office(files.office)
    return Reference(load_registry(files.units, office.unit_kinds), catalog, office,
                     load_rules(files.rules, known_codes=known), k, min_periods,
                     load_deadlines(files.deadlines), load_rubric(files.rubric_file, known_codes=known),
                     load_quality_settings(files.outliers, catalog.frame))


# Reference files whose change re-writes every period's outputs, with the Vietnamese name the run summary gives them.
REFERENCE_NAMES = {"registry": "Danh sách đơn vị", "catalog": "Danh mục chỉ tiêu", "rules": "Quy tắc kiểm tra",
                   "rubric": "Thang điểm", "deadlines": "Hạn nộp", "office": "Thông tin cơ quan tổng hợp",
                   "outliers": "Ngưỡng giá trị bất thường"}


def reference_hashes(files: ReferenceFiles) -> dict[str, str | None]:
    """The content hash of each reference file (the rubric with its criteria CSV), by REFERENCE_NAMES key."""
    rubric = files.rubric_file
    return {"registry": content_hash(files.units), "catalog": content_hash(files.catalog), "rules": content_hash(files.rules),
            "rubric": content_hash(rubric, rubric.with_name("rubric.csv")), "deadlines": content_hash(files.deadlines),
            "office": content_hash(files.office), "outliers": content_hash(files.outliers)}
