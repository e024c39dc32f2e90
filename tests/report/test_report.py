"""The district workbook: figures, units covered, unit columns in registry order, formats, missing units."""

import openpyxl
import pytest

from pipeline.run import run_steps
from pipeline.report.district import FMT_COUNT, FMT_RATE, report_path


@pytest.fixture
def workbook(demo_settings):
    (demo_settings.inbox / "BC_CCHC_6T2023_Tien_Dong.xlsx").unlink()
    run_steps(demo_settings)
    path = report_path(demo_settings.out, "2023-H1")
    assert path == demo_settings.out / "2023-H1" / "TongHop_CCHC_2023-H1.xlsx"
    return openpyxl.load_workbook(path)


def _row(ws, code):
    for row in ws.iter_rows(min_row=1):
        if row[0].value == code:
            return row
    raise AssertionError(code)


def test_area_sheets_and_district_values(workbook, registry):
    assert workbook.sheetnames[1:8] == ["I. Chỉ đạo điều hành", "II. Thể chế", "III. Thủ tục hành chính", "IV. Tổ chức bộ máy",
                                        "V. Chế độ công vụ", "VI. Tài chính công", "VII. Chính quyền số"]
    ws = workbook["III. Thủ tục hành chính"]
    resolved, ontime, rate = _row(ws, "III.3.3.1"), _row(ws, "III.3.3.2"), _row(ws, "III.3.3")
    assert resolved[3].value + 0 > 0 and resolved[4].value == "22/23"
    assert rate[3].value == pytest.approx(ontime[3].value / resolved[3].value * 100)
    assert resolved[3].number_format == FMT_COUNT and rate[3].number_format == FMT_RATE
    assert resolved[3].font.name == "Times New Roman"
    header = [c.value for c in _row(ws, "Mã chỉ tiêu")]
    assert header[:6] == ["Mã chỉ tiêu", "Chỉ tiêu", "Đơn vị tính", "Toàn huyện", "Số đơn vị báo cáo", "Ghi chú"]
    assert header[6:] == list(registry.units["label"])
    # the missing unit's column is blank, not zero
    col = header.index("xã Tiên Động")
    assert resolved[col].value is None
    assert sum(c.value for c in resolved[6:] if c.value is not None) == resolved[3].value


def test_completeness_sheet(workbook, registry):
    ws = workbook["Tình hình nộp báo cáo"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[head][:3] == ("STT", "Đơn vị", "Tình trạng")
    table = rows[head + 1: head + 1 + len(registry.units)]
    assert [r[1] for r in table] == list(registry.units["label"])
    status = {r[1]: r[2] for r in table}
    assert status["xã Tiên Động"] == "Chưa nộp"
    assert {v for k, v in status.items() if k != "xã Tiên Động"} <= {"Nộp đúng hạn", "Nộp muộn", "Đã nộp"}
    assert any(r[0] and str(r[0]).startswith("Đã nộp 22/23 đơn vị") for r in rows)
    cover = [v for r in workbook["Thông tin chung"].iter_rows(values_only=True) for v in r if v]
    assert "xã Tiên Động" in cover and any(str(v).startswith("22/23 đơn vị") for v in cover)


def test_report_history_kept(demo_settings):
    run_steps(demo_settings)
    (demo_settings.inbox / "extra").mkdir()
    from samples import generate_demo_inbox
    generate_demo_inbox(demo_settings.inbox / "extra", demo_settings.units, period_code="2023-H1", seed=11)
    run_steps(demo_settings)
    hist = list((demo_settings.out / "2023-H1" / "history").glob("TongHop_CCHC_2023-H1_*.xlsx"))
    assert len(hist) == 1 and report_path(demo_settings.out, "2023-H1").exists()
