"""Reading the office-edited files (CSV saved by Excel, TOML edited by hand) with one Vietnamese line per mistake.

Every mistake an officer can make in these files (wrong separator, wrong encoding, a stray comma, a missing column,
a TOML typo, a missing file) becomes a `ReferenceDataError` naming the file, the line and what to do; nothing here
lets a parser's English traceback through. `content_hash` names one version of a file (the run records it to notice
a changed registry, catalog, rules, rubric, deadlines or office file).
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import re
import tomllib
from pathlib import Path

import pandas as pd

from pipeline.errors import ReferenceDataError

SAVE_AS_UTF8 = "mở tệp bằng Excel, chọn Lưu thành (Save As) kiểu \"CSV UTF-8 (Comma delimited) (*.csv)\" rồi chạy lại"


def installed_project() -> Path | None:
    """The project folder tonghop is installed from (an editable install), when it holds schemas/units.csv."""
    folder = Path(__file__).resolve().parents[2]
    return folder if (folder / "schemas" / "units.csv").is_file() else None


def use_folder_hint() -> str:
    """'(ví dụ: cd /path/to/project) ' naming the installed project folder, or '' when there is none."""
    folder = installed_project()
    return f"(ví dụ: cd {folder}) " if folder is not None else ""


def missing_file(path: Path, option: str | None = None) -> ReferenceDataError:
    """The error of a reference file that does not exist: it says which folder to run in, or which option to give."""
    where = f"hoặc chỉ rõ đường dẫn bằng {option}" if option else "hoặc chỉ rõ đường dẫn"
    return ReferenceDataError(f"Không tìm thấy tệp {path}: hãy chạy tonghop trong thư mục dự án (thư mục có schemas/units.csv) "
                              f"{use_folder_hint()}{where}.")


def read_text(path: Path, option: str | None = None) -> str:
    """Return a reference file's text (UTF-8, a BOM tolerated); a missing or non-UTF-8 file is a ReferenceDataError."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise missing_file(path, option) from None
    except IsADirectoryError:
        raise ReferenceDataError(f"{path} là một thư mục, không phải tệp: hãy chỉ đúng tệp{' bằng ' + option if option else ''}.") from None
    except OSError as exc:
        raise ReferenceDataError(f"Không đọc được tệp {path} ({exc.strerror}): hãy kiểm tra quyền đọc tệp.") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise ReferenceDataError(f"Tệp {path} không lưu theo mã UTF-8 (dòng {line} có ký tự không đọc được, có thể là mã "
                                 f"Windows-1258/TCVN3): {SAVE_AS_UTF8}.") from None


def read_csv(path: Path, required: tuple[str, ...], option: str | None = None) -> tuple[pd.DataFrame, list[int]]:
    """Read an office CSV (all text) and return it with each row's line number in the file.

    Refuses, naming file and line: a non-UTF-8 file, `;` or tab separators (Excel's regional setting), a missing
    required column, a row with more or fewer cells than the header (a stray comma in a name).
    """
    path = Path(path)
    text = read_text(path, option)
    lines = text.splitlines()
    header_line = lines[0] if lines else ""
    if not header_line.strip():
        raise ReferenceDataError(f"Tệp {path} trống hoặc thiếu dòng tiêu đề ({', '.join(required)}): hãy khôi phục tệp.")
    for sep, name in ((";", "dấu chấm phẩy (;)"), ("\t", "dấu tab")):
        if header_line.count(sep) > header_line.count(","):
            raise ReferenceDataError(f"Tệp {path} dùng {name} để ngăn cột (dòng 1: {header_line[:60]!r}), tonghop cần dấu phẩy: "
                                     f"{SAVE_AS_UTF8}.")
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    numbers: list[int] = []
    try:
        header = [h.strip() for h in next(reader)]
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append(row)
            numbers.append(reader.line_num)
    except csv.Error as exc:
        raise ReferenceDataError(f"Tệp {path} sai định dạng CSV ở dòng {reader.line_num} ({exc}): hãy sửa dòng đó.") from None
    missing = [c for c in required if c not in header]
    if missing and ";" in header_line:
        raise ReferenceDataError(f"Tệp {path} dùng dấu chấm phẩy (;) để ngăn cột (dòng 1: {header_line[:60]!r}), tonghop cần "
                                 f"dấu phẩy: {SAVE_AS_UTF8}.")
    if missing:
        raise ReferenceDataError(f"Tệp {path} thiếu cột {', '.join(missing)} ở dòng tiêu đề (dòng 1 cần có: {', '.join(required)}): "
                                 "hãy thêm cột đó.")
    dup = sorted({h for h in header if h and header.count(h) > 1})
    if dup:
        raise ReferenceDataError(f"Tệp {path} có cột trùng tên ở dòng 1: {', '.join(dup)}: hãy giữ một cột mỗi tên.")
    for row, line in zip(rows, numbers):
        if len(row) != len(header):
            hint = ("thừa dấu phẩy, có thể trong tên; hãy bỏ dấu phẩy hoặc đặt ô đó trong ngoặc kép"
                    if len(row) > len(header) else "thiếu ô; hãy bổ sung cho đủ")
            raise ReferenceDataError(f"Tệp {path}, dòng {line}: có {len(row)} ô nhưng dòng tiêu đề có {len(header)} cột ({hint}).")
    return pd.DataFrame(rows, columns=header, dtype=str), numbers


def read_toml(path: Path, option: str | None = None) -> dict:
    """Parse a TOML reference file; a syntax error names the file, line and column."""
    text = read_text(path, option)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        where = f"dòng {exc.lineno}, cột {exc.colno}" if getattr(exc, "lineno", None) else _where(str(exc))
        raise ReferenceDataError(f"Tệp {path} sai cú pháp TOML ở {where}: hãy sửa dòng đó (xem mẫu trong docs/, "
                                 "chuỗi phải đặt trong ngoặc kép, mỗi dòng dạng tên = giá trị).") from None


def _where(message: str) -> str:
    """'dòng L, cột C' out of tomllib's '(at line L, column C)' (Python 3.11 has no lineno attribute)."""
    m = re.search(r"line (\d+), column (\d+)", message)
    return f"dòng {m.group(1)}, cột {m.group(2)}" if m else "một dòng (cuối tệp)"


def content_hash(*paths: Path | None) -> str | None:
    """SHA-256 of the files' bytes (absent files count as empty); None when none of them is given."""
    given = [p for p in paths if p is not None]
    if not given:
        return None
    h = hashlib.sha256()
    for p in given:
        try:
            h.update(Path(p).read_bytes())
        except OSError:
            pass
        h.update(b"\0")
    return h.hexdigest()[:16]


def schema_error(path: Path, exc: Exception, lines: list[int]) -> ReferenceDataError:
    """One Vietnamese line for a pandera validation failure of an office CSV: the first failing cell's line and column."""
    cases = getattr(exc, "failure_cases", None)
    if cases is None or len(cases) == 0:
        return ReferenceDataError(f"Tệp {path} không hợp lệ: {str(exc).splitlines()[0][:200]}: hãy sửa theo mẫu trong docs/.")
    first = cases.iloc[0]
    column, value, check, index = first.get("column"), first.get("failure_case"), first.get("check"), first.get("index")
    try:
        line = f"dòng {lines[int(index)]}"
    except (TypeError, ValueError, IndexError):
        line = "dòng tiêu đề" if "column" in str(check) else "một dòng"
    more = f" (và {len(cases) - 1} lỗi khác)" if len(cases) > 1 else ""
    if "column_in_dataframe" in str(check) or str(first.get("schema_context")) == "DataFrameSchema":
        return ReferenceDataError(f"Tệp {path} thiếu hoặc sai cột {value}{more}: hãy sửa dòng tiêu đề theo mẫu.")
    allowed = re.fullmatch(r"isin\((\[.*\])\)", str(check))
    rule = f"chỉ được dùng {', '.join(ast.literal_eval(allowed.group(1)))}" if allowed else f"điều kiện {check}"
    return ReferenceDataError(f"Tệp {path}, {line}, cột {column}: giá trị {value!r} không hợp lệ ({rule}){more}: "
                              "hãy sửa ô đó.")
