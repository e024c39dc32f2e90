"""Mistakes an officer or IT person makes in the office's files and paths, through the real `tonghop run` command:
each ends in exactly one Vietnamese line on stderr naming the file and the line or setting, exit 2, no traceback,
and nothing written (no warehouse, no reports)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import ROOT, office_folder

EXE = str(Path(sys.executable).with_name("tonghop"))
TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Text as Excel saves it in Windows-1258: base letters precomposed (ơ, ư, â…), tone marks combining."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            marks = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(m for m in marks if m not in TONES))
            out += (base + "".join(m for m in marks if m in TONES)).encode("cp1258")
    return bytes(out)


def edit(path: Path, fn) -> None:
    path.write_text(fn(path.read_text(encoding="utf-8")), encoding="utf-8")


def semicolons(p: Path) -> None:  # Excel with a Vietnamese list separator
    edit(p, lambda t: "\n".join(line.replace(",", ";") for line in t.splitlines()) + "\n")


def windows_1258(p: Path) -> None:
    p.write_bytes(cp1258(p.read_text(encoding="utf-8")))


def stray_comma(p: Path) -> None:  # "Tân Kỳ, huyện…" typed in a name cell of a file edited as text
    edit(p, lambda t: t.replace("ngoc_ky,Ngọc Kỳ,", "ngoc_ky,Ngọc Kỳ, Tứ Kỳ,", 1))


def duplicate_code(p: Path) -> None:
    edit(p, lambda t: t + t.splitlines()[3] + "\n")


def missing_column(p: Path) -> None:
    edit(p, lambda t: "\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 2) for line in t.splitlines()) + "\n")


def toml_typo(p: Path) -> None:  # a string without its quotes
    edit(p, lambda t: t + "\nghi_chu = chưa có ngoặc kép\n")


def bad_agg(p: Path) -> None:
    edit(p, lambda t: t.replace(",count,sum,", ",count,tong,", 1))


def bad_operator(p: Path) -> None:
    edit(p, lambda t: t.replace(",==,", ",=<,", 1))


MISTAKES = {
    "units-semicolons": ("schemas/units.csv", semicolons, "dòng 1"),
    "units-windows-1258": ("schemas/units.csv", windows_1258, "UTF-8"),
    "units-stray-comma": ("schemas/units.csv", stray_comma, "dòng 2"),
    "units-duplicate-code": ("schemas/units.csv", duplicate_code, "dòng 4"),
    "units-missing-column": ("schemas/units.csv", missing_column, "kind"),
    "rubric-toml-syntax": ("schemas/rubric.toml", toml_typo, "dòng"),
    "deadlines-toml-syntax": ("schemas/deadlines.toml", toml_typo, "dòng"),
    "office-toml-syntax": ("schemas/office.toml", toml_typo, "dòng"),
    "outliers-toml-syntax": ("schemas/outliers.toml", toml_typo, "dòng"),
    "indicators-bad-cell": ("schemas/indicators.csv", bad_agg, "dòng"),
    "rules-bad-cell": ("schemas/rules.csv", bad_operator, "dòng"),
    "indicators-semicolons": ("schemas/indicators.csv", semicolons, "dòng 1"),
}


def run_tonghop(work: Path, *args: str, cwd: Path | None = None, tmp: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PREFECT_HOME": str(tmp / "prefect-home")}
    env.pop("TONGHOP_DEBUG", None)
    return subprocess.run([EXE, *args], cwd=cwd or work, env=env, capture_output=True, text=True, timeout=300)


def assert_one_line(res: subprocess.CompletedProcess, *names: str) -> str:
    assert res.returncode == 2, (res.returncode, res.stderr[-3000:])
    assert "Traceback" not in res.stderr and "Traceback" not in res.stdout
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    for name in names:
        assert name in lines[0], (name, lines[0])
    return lines[0]


@pytest.mark.parametrize("case", list(MISTAKES))
def test_office_file_mistake_is_one_line_exit_2(tmp_path, case):
    rel, spoil, where = MISTAKES[case]
    work = office_folder(tmp_path, [])
    spoil(work / rel)
    res = run_tonghop(work, "run", tmp=tmp_path)
    line = assert_one_line(res, rel, where)
    assert re.search(r"[ạảãàáâậầấẩẫăắằặẳẵđêếềệểễôốồộổỗơớờợởỡưứừựửữ]", line)  # Vietnamese, with its diacritics
    assert not (work / "warehouse").exists()  # stopped before anything was written


def test_missing_inbox_is_a_usage_error(tmp_path):
    work = office_folder(tmp_path, [])
    res = run_tonghop(work, "run", "--inbox", "hop_thu_khong_co", tmp=tmp_path)
    assert_one_line(res, "hop_thu_khong_co", "--inbox")
    assert not (work / "warehouse").exists()


def test_missing_reference_file_says_which_folder(tmp_path):
    """Far from any project folder and with a units file that is not there: the line names the file and what to do."""
    work = office_folder(tmp_path, [])
    res = run_tonghop(work, "run", "--units", str(tmp_path / "khong_co.csv"), tmp=tmp_path)
    assert_one_line(res, "khong_co.csv", "--units")


def test_prefect_analytics_are_off_wherever_tonghop_runs(tmp_path):
    """Outside the project folder (no prefect.toml) the CLI's own settings turn Prefect's analytics and banner off."""
    probe = ("import flows.cli\n"
             "from prefect._internal.analytics.enabled import is_telemetry_enabled\n"
             "from prefect.settings import get_current_settings\n"
             "print(is_telemetry_enabled(), get_current_settings().server.analytics_enabled)")
    env = {k: v for k, v in os.environ.items() if k not in ("DO_NOT_TRACK", "PREFECT_SERVER_ANALYTICS_ENABLED")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
