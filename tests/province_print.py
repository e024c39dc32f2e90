"""A province's workbook on paper: `python -m tests.province_print DIR [--units 170] [--png 2,3]` (`make province`).

Writes the 170-unit province sample (samples.province: a Sở Nội vụ office file, a registry of xã / phường / đặc khu,
one issue-heavy Biểu mẫu workbook per unit) under DIR, runs the real `tonghop run` on it (timed), converts the
consolidated workbook to PDF with LibreOffice and prints the pages of each sheet (LibreOffice writes one PDF bookmark
per sheet, at its first page). `--png` renders the given pages to PNG (pdftoppm) for a look.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
PERIOD = "2025-Q3"


def soffice() -> str | None:
    """The LibreOffice command, None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def run_province(dest: Path, n_units: int = 170, period: str = PERIOD) -> tuple[Path, float]:
    """Write the sample under dest and run `tonghop run` on it; return the workbook and the run's seconds."""
    from pipeline.report.district import report_path
    from samples.province import write_province_sample

    paths = write_province_sample(dest, n_units, period)
    time.sleep(2.1)  # tonghop leaves files modified in the last 2 s for the next run
    exe = str(Path(sys.executable).with_name("tonghop"))
    cmd = [exe, "run", "--inbox", str(paths["inbox"]), "--units", str(paths["units"]), "--office", str(paths["office"]),
           "--warehouse", str(dest / "warehouse" / "tonghop.duckdb"), "--out", str(dest / "reports"),
           "--catalog", str(SCHEMAS / "indicators.csv"), "--rules", str(SCHEMAS / "rules.csv"),
           "--outliers", str(SCHEMAS / "outliers.toml"), "--deadlines", str(SCHEMAS / "deadlines.toml")]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=dest, capture_output=True, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    seconds = time.perf_counter() - t0
    if done.returncode:
        raise RuntimeError(f"tonghop run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return report_path(dest / "reports", period), seconds


def to_pdf(book: Path, out_dir: Path) -> Path:
    """Convert a workbook to PDF with LibreOffice (a private profile, so parallel conversions do not collide)."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("soffice is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = f"file:///tmp/lo-province-{os.getpid()}"
    subprocess.run([exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(out_dir),
                    str(book)], check=True, capture_output=True, timeout=900)
    return out_dir / (book.stem + ".pdf")


def sheet_pages(pdf: bytes) -> tuple[dict[str, int], int]:
    """Pages per sheet of a LibreOffice PDF of a workbook (from its per-sheet bookmarks), and the total page count."""
    objs = {int(m.group(1)): m.start() for m in re.finditer(rb"(\d+) 0 obj\s*<<", pdf)}

    def body(n: int) -> bytes:
        i = objs[n]
        return pdf[i:pdf.find(b"endobj", i)]

    root = int(re.search(rb"/Type\s*/Catalog\s*/Pages (\d+) 0 R", pdf).group(1))
    order: list[int] = []

    def walk(n: int) -> None:
        b = body(n)
        kids = re.search(rb"/Kids\s*\[([^\]]*)\]", b)
        if kids and re.search(rb"/Type\s*/Pages\b", b):
            for k in re.findall(rb"(\d+) 0 R", kids.group(1)):
                walk(int(k))
        else:
            order.append(n)

    walk(root)
    index = {n: i for i, n in enumerate(order)}
    marks = sorted(((bytes.fromhex(m.group(1).decode()).decode("utf-16"), index[int(m.group(2))])
                    for m in re.finditer(rb"/Title<(FEFF[0-9A-Fa-f]+)>\s*/Dest\[(\d+) 0 R", pdf)), key=lambda t: t[1])
    pages = {name: (marks[k + 1][1] if k + 1 < len(marks) else len(order)) - start for k, (name, start) in enumerate(marks)}
    return pages, len(order)


def first_pages(pdf: bytes) -> dict[str, int]:
    """The first page (1-based) of each sheet."""
    pages, _ = sheet_pages(pdf)
    out, at = {}, 1
    for name, n in pages.items():
        out[name] = at
        at += n
    return out


def render(pdf: Path, pages: list[int], out_dir: Path, dpi: int = 70) -> list[Path]:
    """Render the given pages to PNG (pdftoppm); [] when pdftoppm is not installed."""
    if shutil.which("pdftoppm") is None:
        return []
    out = []
    for p in pages:
        prefix = out_dir / f"page-{p:04d}"
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(p), "-l", str(p), str(pdf), str(prefix)],
                       check=True)
        out.append(prefix.with_suffix(".png"))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dest", type=Path)
    ap.add_argument("--units", type=int, default=170)
    ap.add_argument("--png", default="", help="pages to render, e.g. 2,3 (1-based)")
    args = ap.parse_args()
    if args.dest.exists():
        shutil.rmtree(args.dest)
    book, seconds = run_province(args.dest, args.units)
    print(f"tonghop run, {args.units} đơn vị: {seconds:.1f} s -> {book}")
    from tests.bench_process import empty_flow, pandas_loop

    files = sorted((args.dest / "inbox").rglob("*.xlsx"))
    pandas_s, empty_s = pandas_loop(files), empty_flow(args.dest)  # issue 14's yardsticks, on this machine now
    print(f"  vòng pandas.read_excel trên {len(files)} tệp: {pandas_s:.1f} s; một flow Prefect rỗng: {empty_s:.1f} s; "
          f"phần việc (chạy − flow rỗng) ÷ pandas = {(seconds - empty_s) / pandas_s:.2f} [≤ 0,4]")
    if soffice() is None:
        print("LibreOffice (soffice) chưa được cài: không đổi sang PDF được.")
        return
    t0 = time.perf_counter()
    pdf = to_pdf(book, args.dest / "pdf")
    print(f"PDF: {pdf} ({time.perf_counter() - t0:.1f} s)")
    pages, total = sheet_pages(pdf.read_bytes())
    starts = first_pages(pdf.read_bytes())
    for name, n in pages.items():
        print(f"  {name:<28} {n:>4} trang (từ trang {starts[name]})")
    print(f"  {'Tổng':<28} {total:>4} trang")
    if args.png:
        for png in render(pdf, [int(p) for p in args.png.split(",") if p.strip()], args.dest / "pdf"):
            print(f"  {png}")


if __name__ == "__main__":
    main()
