"""Officers and communes read a Vietnamese label for each issue ("Loại lỗi"); the code stays only as a column for the
analyst: every catalog code has a label, and the district issues sheet and the feedback workbook show both."""

from __future__ import annotations

import re

import openpyxl
import pandas as pd

from pipeline import issues as iss
from pipeline.reference.office import Office
from pipeline.reference.rubric import load_rubric
from pipeline.report.district import ISSUES_SHEET, ReportData, write_report
from pipeline.report.feedback import feedback_path, write_feedback
from tests.conftest import SCHEMAS

VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE)


def test_every_issue_code_has_a_vietnamese_label():
    for code, kind in iss.CATALOG.items():
        assert kind.label, code
        assert kind.label != code and VIETNAMESE.search(kind.label), (code, kind.label)
        assert len(kind.label) <= 40, (code, kind.label)
        assert iss.label(code) == kind.label
    assert len({k.label for k in iss.CATALOG.values()}) == len(iss.CATALOG)  # one label names one kind
    assert iss.label("ma-khong-co") == "ma-khong-co"


def _issues() -> pd.DataFrame:
    rows = [iss.issue("value-invalid", file="BM_Q3.xlsx", sheet="Biểu 1", cell="D9", indicator_code="I.1", raw="mười hai"),
            iss.issue("part-exceeds-whole", file="BM_Q3.xlsx", sheet="Biểu 3", cell="D30", indicator_code="III.3.3.2",
                      raw="1194", message="III.3.3.2 = 1.194 lớn hơn III.3.3.1 = 1.190")]
    return iss.frame(rows)


def test_district_issues_sheet_shows_label_and_code(tmp_path, catalog, registry):
    units = registry.units.head(2).copy()
    frame = _issues().rename(columns={"file": "file_name"})
    frame["unit_code"] = units["code"].iloc[0]
    values = pd.DataFrame({"period_code": "2023-Q3", "unit_code": [units["code"].iloc[0]], "indicator_code": "III.3.3.1",
                           "value": [1200.0]})
    district = pd.DataFrame([{"period_code": "2023-Q3", "indicator_code": "III.3.3.1", "value": 1200.0, "n_units": 1,
                              "n_expected": 2, "detail": ""}])
    comp = pd.DataFrame({"unit_code": units["code"], "unit_name": units["label"], "status": ["submitted", "missing"],
                         "received_at": [pd.Timestamp("2023-09-10 09:00"), None], "file_name": ["BM_Q3.xlsx", None]})
    data = ReportData("2023-Q3", Office("Tứ Kỳ", "huyện", "Hải Dương"), units, catalog.frame, district, values, comp,
                      issues=frame, run_id="r1", rubric=load_rubric(SCHEMAS / "rubric.toml"))
    ws = openpyxl.load_workbook(write_report(data, tmp_path))[ISSUES_SHEET]
    rows = [r for r in ws.iter_rows(values_only=True)]
    h = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert list(rows[h]) == ["STT", "Đơn vị", "Tệp", "Mức độ", "Loại lỗi", "Nội dung", "Vị trí", "Chỉ tiêu", "Mã lỗi"]
    body = rows[h + 1:h + 3]
    assert [r[4] for r in body] == [iss.CATALOG["value-invalid"].label, iss.CATALOG["part-exceeds-whole"].label]
    assert [r[8] for r in body] == ["value-invalid", "part-exceeds-whole"]
    assert [r[6] for r in body] == ["BM_Q3.xlsx!Biểu 1!D9", "BM_Q3.xlsx!Biểu 3!D30"]


def test_feedback_workbook_shows_label_and_code(tmp_path):
    path = write_feedback(feedback_path(tmp_path, "2023-Q3", "ngoc_ky", 7), unit_label="xã Ngọc Kỳ", period_code="2023-Q3",
                          file_name="BM_Q3.xlsx", status="loaded", reason="", issues=_issues())
    ws = openpyxl.load_workbook(path)["Phản hồi"]
    assert ws["G6"].value == "Loại lỗi" and ws["I6"].value == "Mã lỗi"
    assert (ws["G7"].value, ws["I7"].value, ws["D7"].value) == (iss.CATALOG["value-invalid"].label, "value-invalid", "D9")
    assert (ws["G8"].value, ws["I8"].value, ws["D8"].value) == (iss.CATALOG["part-exceeds-whole"].label, "part-exceeds-whole", "D30")
