"""Feedback to communes and the run's import summary (pipeline.report.feedback), read back cell by cell."""

import datetime as dt
import json
from pathlib import Path

import openpyxl

from pipeline import issues as iss
from pipeline.outcome import FileResult, RunSummary
from pipeline.outcome import summary_data as summary_dict
from pipeline.report.feedback import feedback_path, write_feedback
from pipeline.report.summary import render_summary, write_summary

FILE = "BC_CCHC_Q3_2023_Ngoc_Ky.xlsx"


def ngoc_ky_issues():
    return iss.frame([
        iss.issue("value-invalid", file=FILE, sheet="Biểu 1", cell="D9", indicator_code="I.1", raw="mười hai"),
        iss.issue("part-exceeds-whole", file=FILE, sheet="Biểu 3", cell="D30", indicator_code="III.3.3.2", raw="1194",
                  message="III.3.3.2 = 1.194 lớn hơn III.3.3.1 = 1.190"),
    ])


def test_feedback_path_by_period_and_unit(tmp_path):
    assert feedback_path(tmp_path, "2023-Q3", "ngoc_ky", 7) == tmp_path / "2023-Q3" / "phan_hoi" / "PhanHoi_ngoc_ky_2023-Q3_7.xlsx"
    assert feedback_path(tmp_path, None, None, None) == (
        tmp_path / "khong-ro-ky" / "phan_hoi" / "PhanHoi_khong-ro-don-vi_khong-ro-ky_0.xlsx")


def test_feedback_workbook_cells(tmp_path):
    path = write_feedback(feedback_path(tmp_path, "2023-Q3", "ngoc_ky", 7), unit_label="Xã Ngọc Kỳ", period_code="2023-Q3",
                          file_name=FILE, status="loaded", reason="", issues=ngoc_ky_issues())
    ws = openpyxl.load_workbook(path)["Phản hồi"]
    assert ws["A1"].value == "PHẢN HỒI KẾT QUẢ KIỂM TRA SỐ LIỆU CẢI CÁCH HÀNH CHÍNH"
    assert "A1:H1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "Đơn vị: Xã Ngọc Kỳ"
    assert ws["A3"].value == "Kỳ báo cáo: quý III năm 2023"
    assert ws["A4"].value == f"Tệp: {FILE} — Đã nạp"
    assert [c.value for c in ws[6]] == ["STT", "Mức độ", "Trang tính", "Ô", "Mã chỉ tiêu", "Giá trị", "Loại lỗi", "Nội dung",
                                        "Mã lỗi"]
    first = [c.value for c in ws[7]]
    assert first[:7] == [1, "Lỗi", "Biểu 1", "D9", "I.1", "mười hai", iss.CATALOG["value-invalid"].label]
    assert first[8] == "value-invalid"
    assert ws["B7"].font.color.rgb.endswith("C00000") and ws["B7"].font.b
    second = [c.value for c in ws[8]]
    assert second[:7] == [2, "Cảnh báo", "Biểu 3", "D30", "III.3.3.2", "1194", iss.CATALOG["part-exceeds-whole"].label]
    assert second[8] == "part-exceeds-whole"
    assert second[7] == "III.3.3.2 = 1.194 lớn hơn III.3.3.1 = 1.190"
    assert ws.max_row == 8
    assert ws.freeze_panes == "A7" and ws.print_title_rows == "$6:$6"
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws["A2"].font.name == "Times New Roman"


def test_rejected_file_without_a_period_says_why(tmp_path):
    path = write_feedback(tmp_path / "f.xlsx", unit_label="không rõ", period_code=None, file_name="scan.xlsx",
                          status="rejected", reason="không tìm thấy bảng số liệu", issues=iss.frame([]))
    ws = openpyxl.load_workbook(path).active
    assert ws["A3"].value == "Kỳ báo cáo: chưa xác định"
    assert ws["A4"].value == "Tệp: scan.xlsx — Bị từ chối: không tìm thấy bảng số liệu"
    assert ws.max_row == 6  # the header row, no issue rows


def summary(dry_run=False) -> RunSummary:
    s = RunSummary(run_id="20231012-080000", started_at=dt.datetime(2023, 10, 12, 8, 0),
                   finished_at=dt.datetime(2023, 10, 12, 8, 0, 9), unchanged=3, superseded=1, periods=["2023-Q3"],
                   reports=[Path("out/2023-Q3/TongHop_CCHC_2023-Q3.xlsx")], feedback=[Path("out/2023-Q3/phan_hoi/a.xlsx")],
                   dry_run=dry_run)
    s.files = [
        FileResult(FILE, "loaded", "", "ngoc_ky", "2023-Q3", 7, values=10, errors=1, warnings=1),
        FileResult("BC_Q3_2023_Tu_Ky.xlsx", "rejected", "tệp bị mã hóa", None, None, errors=1),
        FileResult("BC_Q3_2023_Ngoc_Ky (1).xlsx", "duplicate", "trùng tệp đã nạp", "ngoc_ky", "2023-Q3"),
        FileResult("BC_Q3_2023_Dai_Hop.xlsx", "waiting", "đang được chép", None, None),
    ]
    return s


def test_summary_dict_counts_every_file():
    d = summary_dict(summary())
    assert d["files"] == {"new": 4, "unchanged": 3, "loaded": 1, "rejected": 1, "duplicate": 1, "superseded": 1,
                          "skipped": 0, "waiting": 1}
    assert d["values_loaded"] == 10 and d["issues"] == {"error": 2, "warning": 1}
    assert d["started_at"] == "2023-10-12T08:00:00" and d["finished_at"] == "2023-10-12T08:00:09"
    assert d["reports"] == ["out/2023-Q3/TongHop_CCHC_2023-Q3.xlsx"]
    assert d["details"][0]["file"] == FILE and d["details"][0]["submission_id"] == 7
    json.dumps(d)  # plain data


def test_render_summary_lists_files_not_loaded():
    text = render_summary(summary())
    lines = text.splitlines()
    assert lines[0] == "TÓM TẮT LƯỢT CHẠY 20231012-080000"
    assert "  Tệp mới: 4 (không đổi: 3)" in lines
    assert "  Số giá trị đã nạp: 10" in lines and "  Lỗi: 2 · Cảnh báo: 1" in lines
    assert "  - BC_Q3_2023_Tu_Ky.xlsx: Bị từ chối — tệp bị mã hóa" in lines
    assert not any(FILE + ":" in line for line in lines)  # loaded files are not listed in a real run
    assert lines[-1] == "  Phiếu phản hồi cho đơn vị: 1 tệp"


def test_dry_run_lists_every_loaded_file():
    text = render_summary(summary(dry_run=True))
    assert text.splitlines()[0].endswith("(chạy thử, không ghi gì)")
    assert "  Số giá trị sẽ được nạp: 10" in text
    assert f"  - {FILE}: ngoc_ky · 2023-Q3 · 10 giá trị · 1 lỗi · 1 cảnh báo" in text


def test_write_summary_saves_text_and_json(tmp_path):
    txt = write_summary(summary(), tmp_path)
    assert txt == tmp_path / "tom_tat" / "TomTat_20231012-080000.txt"
    assert txt.read_text(encoding="utf-8") == render_summary(summary()) + "\n"
    saved = json.loads((tmp_path / "tom_tat" / "TomTat_20231012-080000.json").read_text(encoding="utf-8"))
    assert saved["files"]["loaded"] == 1 and saved["periods"] == ["2023-Q3"]
    assert saved["summary_path"] == str(txt)  # the JSON names the text file written beside it


def test_dry_run_counts_what_would_load_and_a_real_run_names_the_quarantine():
    dry = render_summary(summary(dry_run=True)).splitlines()
    assert dry[2].startswith("  Sẽ nạp: 1 · ")
    real = summary()
    real.quarantined = 1
    lines = render_summary(real).splitlines()
    assert lines[2].startswith("  Đã nạp: 1 · ")
    assert any("quarantine" in line and line.endswith(": 1 tệp") for line in lines)
    assert summary_dict(real)["quarantined"] == 1
