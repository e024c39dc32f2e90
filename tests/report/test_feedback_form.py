"""The feedback workbook as an official two-way form: cover letter, open flags with answer columns, hidden identifiers;
read back as a reply (pipeline.read.reply); printed to PDF by LibreOffice."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import timeit
from pathlib import Path

import openpyxl
import pytest

from pipeline import issues as iss
from pipeline.errors import ReferenceDataError
from pipeline.read.reply import FLAGS_SHEET, MARKER, REPLY_SHEET, checksum
from pipeline.read.submission import parse_submission
from pipeline.read.workbook import read_workbook
from pipeline.reference.deadlines import DeadlineRule, load_deadlines, reply_deadline
from pipeline.reference.office import Office
from pipeline.report.feedback import Letter, write_feedback
from samples.cases import TEN, fill, rows

FILE = "BC_Q3_2023_Ngoc_Ky.xlsx"
OFFICE = Office("Tứ Kỳ", "huyện", "Hải Dương")
ISSUED, REPLY_BY = dt.date(2023, 10, 13), dt.date(2023, 10, 20)
FLAGS = [  # xã Ngọc Kỳ, quý III 2023, with III.3.3.2 typed 1294 instead of 1194 and I.2 typed 70 instead of 80
    (11, "I.2", "Tỷ lệ hoàn thành Kế hoạch CCHC năm", "Sheet!D12", "70",
     "Tỷ lệ không khớp: Tỷ lệ I.2 ghi 70% nhưng tính từ số liệu thành phần (I.2.2 ÷ I.2.1) được 80%",
     "Tỷ lệ hoàn thành Kế hoạch CCHC năm (I.2) khớp với I.2.2 ÷ I.2.1 × 100"),
    (12, "III.3.3.2", "Số hồ sơ TTHC giải quyết đúng hạn", "Sheet!D19", "1.294 (Hồ sơ)",
     "Phần lớn hơn tổng: III.3.3.2 = 1.294 lớn hơn III.3.3.1 = 1.200",
     "Số hồ sơ TTHC giải quyết đúng hạn (III.3.3.2) không lớn hơn tổng số hồ sơ TTHC đã giải quyết xong (III.3.3.1)"),
]


def issues():
    return iss.frame([iss.issue("part-exceeds-whole", file=FILE, sheet="Sheet", cell="D19", indicator_code="III.3.3.2",
                                raw="1294", message="III.3.3.2 = 1.294 lớn hơn III.3.3.1 = 1.200")])


def form(path: Path, flags=FLAGS, sid: int = 7) -> Path:
    letter = Letter(OFFICE, sid, "ngoc_ky", "2023-Q3", ISSUED, REPLY_BY, 5)
    return write_feedback(path, unit_label="xã Ngọc Kỳ", period_code="2023-Q3", file_name=FILE, status="loaded", reason="",
                          issues=issues(), letter=letter, flags=flags)


def test_cover_letter_flags_sheet_and_hidden_identifiers(tmp_path):
    wb = openpyxl.load_workbook(form(tmp_path / "PhanHoi_ngoc_ky_2023-Q3_7.xlsx"))
    assert wb.sheetnames == ["Công văn", FLAGS_SHEET, "Phản hồi", REPLY_SHEET]
    assert wb.active.title == "Công văn"
    cover = wb["Công văn"]
    texts = [c.value for row in cover.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts[:4] == ["ỦY BAN NHÂN DÂN HUYỆN TỨ KỲ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "PHÒNG NỘI VỤ",
                         "Độc lập - Tự do - Hạnh phúc"]
    assert "Số: 7/PH-PNV" in texts and "Tứ Kỳ, ngày 13 tháng 10 năm 2023" in texts
    assert "Kính gửi: Ủy ban nhân dân xã Ngọc Kỳ" in texts
    assert any("đến hết ngày 20/10/2023" in t and "5 ngày làm việc" in t for t in texts)
    assert any("có 2 số liệu" in t for t in texts)
    assert cover.page_setup.orientation == "portrait" and cover.page_setup.paperSize == 9

    ws = wb[FLAGS_SHEET]
    assert [c.value for c in ws[6]] == ["STT", "Mã chỉ tiêu", "Chỉ tiêu", "Ô trong báo cáo", "Số liệu đã báo cáo",
                                        "Lý do cần xem lại", "Quan hệ cần thỏa mãn", "Giải trình của đơn vị", "Số liệu đã sửa"]
    assert [ws.cell(r, 2).value for r in (7, 8)] == ["I.2", "III.3.3.2"] and ws["E8"].value == "1.294 (Hồ sơ)"
    assert ws.protection.sheet
    assert all(not ws.cell(r, c).protection.locked for r in (7, 8) for c in (8, 9))  # the commune's two columns
    assert all(ws.cell(r, c).protection.locked for r in (7, 8) for c in range(1, 8))
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and (ws.page_setup.fitToWidth or 1) == 1  # 1 is the default, left out
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$6:$6"
    for sheet in (cover, ws, wb["Phản hồi"]):
        sizes = {c.font.sz for row in sheet.iter_rows() for c in row if c.value is not None}
        assert sizes and min(sizes) >= 11, (sheet.title, sizes)

    hidden = wb[REPLY_SHEET]
    assert hidden.sheet_state == "veryHidden"
    values = [[c.value for c in row if c.value is not None] for row in hidden.iter_rows()]
    assert values[:5] == [[MARKER], ["submission_id", 7], ["period_code", "2023-Q3"], ["unit_code", "ngoc_ky"],
                          ["sheet", FLAGS_SHEET]]
    assert values[5] == ["checksum", checksum(7, "2023-Q3", "ngoc_ky", FLAGS_SHEET, [(11, 7, "I.2"), (12, 8, "III.3.3.2")])]
    assert values[7:] == [[11, 7, "I.2"], [12, 8, "III.3.3.2"]]


def _answer(src: Path, dest: Path, explain: dict | None = None, correct: dict | None = None, hidden: dict | None = None) -> Path:
    """The commune's answer: texts in column H, figures in column I (by indicator), hidden cells changed if asked."""
    wb = openpyxl.load_workbook(src)
    ws = wb[FLAGS_SHEET]
    for r in range(7, ws.max_row + 1):
        code = ws.cell(r, 2).value
        if code in (explain or {}):
            ws.cell(r, 8).value = explain[code]
        if code in (correct or {}):
            ws.cell(r, 9).value = correct[code]
    for ref, value in (hidden or {}).items():
        wb[REPLY_SHEET][ref].value = value
    wb.save(dest)
    return dest


@pytest.mark.parametrize("office, lines, number, place, to, sign", [
    (Office("Hải Phòng", "thành phố", level="tỉnh", place="Hải Phòng"), ["UBND THÀNH PHỐ HẢI PHÒNG", "SỞ NỘI VỤ"],
     "Số: 7/PH-SNV", "Hải Phòng, ngày 13 tháng 10 năm 2023", "Kính gửi: Ủy ban nhân dân xã Ngọc Kỳ", "GIÁM ĐỐC"),
    (Office("Ngọc Kỳ", "xã", "Hải Phòng", level="xã"), ["ỦY BAN NHÂN DÂN XÃ NGỌC KỲ"],
     "Số: 7/PH-UBND", "Ngọc Kỳ, ngày 13 tháng 10 năm 2023", "Kính gửi: Trưởng xã Ngọc Kỳ", "CHỦ TỊCH"),
])
def test_the_letter_follows_the_office(tmp_path, office, lines, number, place, to, sign):
    letter = Letter(office, 7, "ngoc_ky", "2023-Q3", ISSUED, REPLY_BY, 5)
    path = write_feedback(tmp_path / "f.xlsx", unit_label="xã Ngọc Kỳ", period_code="2023-Q3", file_name=FILE,
                          status="loaded", reason="", issues=issues(), letter=letter, flags=FLAGS)
    cover = openpyxl.load_workbook(path)["Công văn"]
    texts = [c.value for row in cover.iter_rows() for c in row if isinstance(c.value, str)]
    left = [cover.cell(r, 1).value for r in (1, 2) if cover.cell(r, 1).value]
    assert left == lines
    assert number in texts and place in texts and to in texts and sign in texts
    assert not any("Phòng Nội vụ" in t or "PHÒNG NỘI VỤ" in t for t in texts)


def test_a_reply_is_read_from_its_two_columns_only(tmp_path, registry, catalog):
    sent = form(tmp_path / "sent.xlsx")
    reply = _answer(sent, tmp_path / "PhanHoi_tra_loi.xlsx", explain={"I.2": "Tính theo khối lượng công việc"},
                    correct={"III.3.3.2": "1.194"})
    sub = parse_submission(reply, registry, catalog)
    assert not sub.rejected_by and sub.layout == "phan-hoi"
    assert (sub.unit_code, sub.period_code) == ("ngoc_ky", "2023-Q3") and sub.obs_rows == []
    assert sub.reply.submission_id == 7
    by_code = {r.indicator_code: r for r in sub.reply.rows}
    assert by_code["I.2"].explanation == "Tính theo khối lượng công việc" and by_code["I.2"].value is None
    assert by_code["I.2"].explanation_ref == f"{reply.name}!{FLAGS_SHEET}!H7" and by_code["I.2"].flag_id == 11
    assert by_code["III.3.3.2"].value == 1194 and by_code["III.3.3.2"].value_ref == f"{reply.name}!{FLAGS_SHEET}!I8"
    assert [i["code"] for i in sub.issues] == ["reply-received"]


@pytest.mark.parametrize("hidden", [{"B2": 8}, {"A9": 99}, {"B4": "quang_trung"}, {"A1": "khác"}])
def test_changed_hidden_identifiers_reject_the_reply(tmp_path, registry, catalog, hidden):
    reply = _answer(form(tmp_path / "sent.xlsx"), tmp_path / "r.xlsx", explain={"I.2": "x"}, hidden=hidden)
    sub = parse_submission(reply, registry, catalog)
    assert sub.rejected_by["code"] == "reply-ids-changed" and sub.reply is None


def test_an_unanswered_form_is_rejected_and_a_bad_figure_is_an_issue_on_its_cell(tmp_path, registry, catalog):
    sent = form(tmp_path / "sent.xlsx")
    assert parse_submission(_answer(sent, tmp_path / "empty.xlsx"), registry, catalog).rejected_by["code"] == "reply-empty"
    sub = parse_submission(_answer(sent, tmp_path / "bad.xlsx", explain={"I.2": "x"}, correct={"III.3.3.2": "một nghìn"}),
                           registry, catalog)
    assert [(i["code"], i["cell"]) for i in sub.issues][:1] == [("value-invalid", "I8")]
    assert [r.indicator_code for r in sub.reply.rows] == ["I.2"]


def test_ordinary_workbooks_pay_nothing_for_the_reply_check(tmp_path, registry, catalog):
    wb = openpyxl.Workbook()
    fill(wb.active, rows())
    path = tmp_path / "BC_Q3_2023_Ngoc_Ky.xlsx"
    wb.save(path)
    book = read_workbook(path)
    assert book.reply_rows is None
    sub = parse_submission(path, registry, catalog)
    assert sub.reply is None and sub.layout == "national"
    assert {o[6]: o[8] for o in sub.obs_rows if o[8] is not None} == TEN
    per_file = min(timeit.repeat(lambda: parse_submission(path, registry, catalog), number=5, repeat=3)) / 5
    assert per_file < 0.2  # a few milliseconds; the reply check is one string comparison per sheet


def test_reply_deadline_counts_working_days(tmp_path):
    rule = DeadlineRule()
    assert reply_deadline(dt.date(2023, 10, 13), rule) == dt.date(2023, 10, 20)  # Friday -> next Friday
    assert reply_deadline(dt.date(2023, 10, 10), rule) == dt.date(2023, 10, 17)  # Tuesday -> next Tuesday
    p = tmp_path / "deadlines.toml"
    p.write_text("[reply]\nworking_days = 3\n", encoding="utf-8")
    assert reply_deadline(dt.date(2023, 10, 13), load_deadlines(p)) == dt.date(2023, 10, 18)
    p.write_text("[reply]\nworking_days = \"năm\"\n", encoding="utf-8")
    with pytest.raises(ReferenceDataError):
        load_deadlines(p)
    assert load_deadlines(Path(__file__).resolve().parents[2] / "schemas" / "deadlines.toml").reply_working_days == 5


# ------------------------------------------------------------------------------------------------ printed (PDF)

def _word_heights(pdf: Path, page: int, word: str) -> list[float]:
    """Heights (points) of the boxes of `word` on a page, from pdftotext's bounding boxes."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True,
                         text=True, check=True).stdout
    return [float(m.group(2)) - float(m.group(1)) for m in re.finditer(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">' + re.escape(word) + "</word>", out)]


def test_feedback_form_prints_on_a4_at_a_readable_size(tmp_path):
    """LibreOffice prints the form: page 1 the letter (portrait), then the flags (landscape, header on each page),
    then the issue list; text at 11 pt or more (no shrinking to fit). Reported in the closing note."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None or shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None:
        pytest.skip("LibreOffice (soffice) hoặc poppler-utils chưa được cài: bỏ qua kiểm tra bản in PDF")
    many = [(100 + i, *FLAGS[i % 2][1:]) for i in range(14)]  # enough flags for a second page of the flags sheet
    src = form(tmp_path / "PhanHoi_ngoc_ky_2023-Q3_7.xlsx", flags=many)
    done = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to", "pdf",
                           "--outdir", str(tmp_path), str(src)], capture_output=True, text=True, timeout=180)
    pdf = src.with_suffix(".pdf")
    assert pdf.exists(), done.stderr
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(pages), str(pdf)], capture_output=True, text=True, check=True).stdout)
    text = [subprocess.run(["pdftotext", "-layout", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout for p in range(1, pages + 1)]
    print(f"\nPDF: {pages} trang; cỡ trang (pt): {sizes}")
    for p, t in enumerate(text, start=1):
        print(f"--- trang {p} ---\n" + "\n".join(line for line in t.splitlines() if line.strip())[:1500])
    # page 1: the letter, A4 portrait, all of it on one page
    assert [round(float(x)) for x in sizes[0]] == [595, 842]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text[0] and "Độc lập - Tự do - Hạnh phúc" in text[0]
    assert "Kính gửi: Ủy ban nhân dân xã Ngọc Kỳ" in text[0] and "20/10/2023" in text[0] and "TRƯỞNG PHÒNG" in text[0]
    # then the flags, A4 landscape, every page with the column heads, every flag printed
    flag_pages = [i for i, t in enumerate(text) if "Giải trình của đơn vị" in t]
    assert len(flag_pages) >= 2 and flag_pages[0] == 1
    assert all([round(float(x)) for x in sizes[i]] == [842, 595] for i in flag_pages)
    assert sum(t.count("III.3.3.2") for i, t in enumerate(text) if i in flag_pages) >= 7
    # readable: a word's box in Liberation Serif (LibreOffice's Times New Roman) is 1.107 × its size in points, so
    # text printed at 11 pt or more has boxes of at least 12.18 pt (fit-to-width shrinks them otherwise)
    least = 11 * 1.107
    for page, word in [(1, "Kính"), (flag_pages[0] + 1, "STT"), (flag_pages[-1] + 1, "STT"), (pages, "STT")]:
        heights = _word_heights(pdf, page, word)
        assert heights and min(heights) >= least, (page, word, heights)
        print(f"trang {page}: chữ \"{word}\" in cỡ {min(heights) / 1.107:.1f} pt")


def test_the_letters_date_has_the_leading_zeros_of_an_administrative_document():
    import datetime as dt

    from pipeline.report.feedback import long_date

    # Nghị định 30/2020/NĐ-CP: a day under 10 and the months 1 and 2 are written with a leading zero
    assert long_date("Tứ Kỳ", dt.date(2026, 12, 1)) == "Tứ Kỳ, ngày 01 tháng 12 năm 2026"
    assert long_date("Tứ Kỳ", dt.date(2026, 2, 5)) == "Tứ Kỳ, ngày 05 tháng 02 năm 2026"
    assert long_date("Tứ Kỳ", dt.date(2023, 10, 13)) == "Tứ Kỳ, ngày 13 tháng 10 năm 2023"
