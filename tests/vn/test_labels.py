"""pipeline/vn/labels.py: one Vietnamese wording per file status, severity and completeness status, used by every
renderer (CLI text, the flow's log, Prefect markdown and tables, feedback and district workbooks)."""

import datetime as dt

import openpyxl

from pipeline import issues as iss
from pipeline.outcome import FileResult, RunSummary
from pipeline.report.feedback import write_feedback
from pipeline.report.summary import issue_table, log_lines, rebuild_line, render_markdown, render_summary
from pipeline.vn import labels

STATUSES = ["loaded", "rejected", "duplicate", "skipped", "waiting"]


def test_every_status_and_severity_has_one_vietnamese_label():
    assert set(labels.FILE_STATUS_ORDER) == set(STATUSES) and set(labels.FILE_STATUS) == set(STATUSES) | {"superseded"}
    assert set(labels.SEVERITY) == {s.value for s in iss.Severity}
    assert {t.severity.value for t in iss.CATALOG.values()} <= set(labels.SEVERITY)
    words = list(labels.FILE_STATUS.values())
    assert len(set(words)) == len(words) and all(w[0].isupper() for w in words)
    assert labels.file_status("rejected") == "Bị từ chối" and labels.severity("error") == "Lỗi"
    assert labels.severity("warning") == "Cảnh báo"
    assert labels.file_status("something-new") == "something-new" and labels.severity("x") == "x"


def test_completeness_words():
    assert labels.completeness("missing") == labels.MISSING == "Chưa nộp"
    assert labels.completeness("submitted") == labels.SUBMITTED == "Đã nộp"  # lateness unknown (no deadline)
    assert labels.completeness("submitted", None) == labels.SUBMITTED
    assert labels.completeness("submitted", float("nan")) == labels.SUBMITTED
    assert labels.completeness("submitted", True) == labels.LATE == "Nộp muộn"
    assert labels.completeness("submitted", False) == labels.ON_TIME == "Nộp đúng hạn"
    assert labels.completeness("superseded", False) == labels.MISSING


def test_status_counts_sentence():
    assert labels.status_counts({"rejected": 1, "loaded": 1245}) == "đã nạp 1.245, bị từ chối 1"
    assert labels.status_counts({"superseded": 1, "duplicate": 2, "other": 3}) == "trùng lặp 2, bị thay thế 1, other 3"
    assert labels.status_counts({}) == ""


def _summary() -> RunSummary:
    ngoc_ky = iss.frame([iss.issue("rate-out-of-range", file="BC_Ngoc_Ky.xlsx", sheet="Biểu mẫu 3", cell="D26",
                                   indicator_code="III.3.3", raw="199,5", value="199,5"),
                         iss.issue("value-without-unit", file="BC_Ngoc_Ky.xlsx", sheet="Biểu mẫu 1", cell="D9", raw="12")])
    s = RunSummary(run_id="r-1", started_at=dt.datetime(2023, 10, 1, 23), finished_at=dt.datetime(2023, 10, 1, 23, 1))
    s.files = [FileResult("BC_Ngoc_Ky.xlsx", "loaded", "", "ngoc_ky", "2023-Q3", 7, 10, 1, 1, ngoc_ky)]
    s.files += [FileResult(f"{status}.xlsx", status, f"lý do {status}", None, None) for status in STATUSES[1:]]
    return s


def test_every_renderer_names_a_status_the_same_way(tmp_path):
    s = _summary()
    text, md = render_summary(s), render_markdown(s, [])
    logged = "\n".join(line for _, line in log_lines(s))
    for status in STATUSES[1:]:
        label = labels.file_status(status)
        assert f"- {status}.xlsx: {label} — lý do {status}" in text
        assert f"| {status}.xlsx | {label} | lý do {status} |" in md
        assert f"Tệp {status}.xlsx: {label} — lý do {status}" in logged
        path = write_feedback(tmp_path / f"{status}.xlsx", unit_label="xã Ngọc Kỳ", period_code="2023-Q3",
                              file_name=f"{status}.xlsx", status=status, reason="", issues=iss.frame([]))
        assert openpyxl.load_workbook(path).active["A4"].value == f"Tệp: {status}.xlsx — {label}"
    for status in STATUSES:
        assert f"| {labels.file_status(status)} | 1 |" in md
    assert "| rate-out-of-range | Lỗi | 1 | 1 |" in md and "| value-without-unit | Cảnh báo | 1 | 1 |" in md
    assert [r["mức độ"] for r in issue_table(s)] == ["Lỗi", "Cảnh báo"]


def test_feedback_workbook_names_severities_from_the_labels(tmp_path):
    issues = _summary().files[0].issue_rows
    path = write_feedback(tmp_path / "f.xlsx", unit_label="xã Ngọc Kỳ", period_code="2023-Q3", file_name="BC_Ngoc_Ky.xlsx",
                          status="loaded", reason="", issues=issues)
    ws = openpyxl.load_workbook(path).active
    assert [ws["B7"].value, ws["B8"].value] == [labels.severity("error"), labels.severity("warning")]
    assert ws["A4"].value == "Tệp: BC_Ngoc_Ky.xlsx — Đã nạp"


def test_rebuild_line_counts_by_status():
    from pipeline.rebuild import RebuildResult

    r = RebuildResult(run_id="rebuild-1", files=1251, runs=3, by_status={"loaded": 1245, "duplicate": 5, "rejected": 1},
                      periods=["2023-Q3"], previous=None, seconds=2.0)
    assert rebuild_line(r) == ("Đã dựng lại kho dữ liệu từ 1.251 tệp lưu trữ của 3 lượt chạy "
                                      "(đã nạp 1.245, bị từ chối 1, trùng lặp 5); các kỳ: 2023-Q3; mất 2 giây.")
