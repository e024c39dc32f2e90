"""`make bench`: reading, full run, re-runs and peak memory on 23, 500 and 5 000 generated workbooks (prints a table).

Each size N gets a synthetic province registry of N + 1 units and one workbook per unit for the first N,
a third in each layout (Hải Dương Biểu mẫu 1–7, national Phụ lục, Thanh Hóa). The last unit's file is the
"late file" of the third re-run. Full runs happen in child processes (`--child`) so that their peak memory
(ru_maxrss) is their own; workers=1 and workers=2 each start from an empty warehouse.

    python -m tests.bench [--sizes 23,500,5000] [--workers 1,2] [--keep DIR]

A size whose parsing alone would exceed --max-run-minutes per run gets no runs (the table says why).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from samples.province import synthetic_units, write_units_csv

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
PERIOD = "2023-H1"
LAYOUTS = ("bieumau", "national", "thanhhoa")
_HEAD = "ZZUNITHEADZZ"  # placeholders rewritten per unit in the template's XML
_NAME = "ZZUNITNAMEZZ"

def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


# ---------------------------------------------------------------------------------------------
# Generated province: workbooks
# ---------------------------------------------------------------------------------------------

def _templates(folder: Path, variants: int = 4) -> dict[str, list[Path]]:
    """Write template workbooks of each layout with placeholder unit names; Biểu mẫu gets several value sets."""
    from samples.bieumau import demo_values, write_bieu_mau
    from samples.national import write_national
    from samples.thanhhoa import write_thanhhoa

    folder.mkdir(parents=True, exist_ok=True)
    header = f"ỦY BAN NHÂN DÂN\n{_HEAD}"
    caption = f"(Kèm theo Báo cáo số 25/BC-UBND ngày 14/6/2023 của UBND {_NAME})"
    out: dict[str, list[Path]] = {k: [] for k in LAYOUTS}
    values = demo_values([f"v{i}" for i in range(variants)], PERIOD, seed=7)
    for i, vals in enumerate(values.values()):
        out["bieumau"].append(write_bieu_mau(
            folder / f"bieumau_{i}.xlsx", unit_header=header, district_line=None,
            period_title="Thống kê kết quả thực hiện công tác CCHC 6 tháng đầu năm 2023",
            window_text="(Số liệu tính từ ngày 15/12/2022 đến ngày 14/6/2023)", caption=caption, values=vals,
            repeat_header_form7=i % 2 == 0))
    out["national"].append(write_national(folder / "national.xlsx", unit_header=header, title_lines=(
        "Phụ lục", "Thống kê số liệu về kết quả thực hiện công tác cải cách hành chính", "6 tháng đầu năm 2023", caption)))
    out["thanhhoa"].append(write_thanhhoa(folder / "thanhhoa.xlsx", unit_header=header))
    return out


class _Template:
    """A workbook held in memory whose unit placeholders are rewritten into a new file per unit."""

    def __init__(self, path: Path) -> None:
        with zipfile.ZipFile(path) as zf:
            self.members = [(info.filename, info.date_time, zf.read(info)) for info in zf.infolist()]

    def write(self, dest: Path, head: str, name: str) -> Path:
        """Write a copy naming the unit: head like 'XÃ AN BÌNH', name like 'xã An Bình'."""
        pairs = [(_HEAD.encode(), head.encode()), (_HEAD.title().encode(), head.title().encode()),
                 (_NAME.encode(), name.encode())]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for fname, date_time, data in self.members:
                if fname.endswith(".xml"):
                    for a, b in pairs:
                        data = data.replace(a, b)
                info = zipfile.ZipInfo(fname, date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data, compresslevel=1)
        dest.write_bytes(buf.getvalue())
        return dest


def _age(path: Path, seconds: float = 3600) -> None:
    """Date a file an hour back: past the "still being copied" window."""
    old = time.time() - seconds
    os.utime(path, (old, old))


def unit_file(templates: dict[str, list[_Template]], i: int, unit: dict[str, str], folder: Path) -> Path:
    """Write unit i's workbook (layout chosen by i) into folder and date it an hour back."""
    layout = LAYOUTS[i % 3]
    choices = templates[layout]
    tpl = choices[(i // 3) % len(choices)]
    path = tpl.write(folder / f"BC_CCHC_6T2023_{unit['code']}_{layout}.xlsx",
                     f"{unit['kind'].upper()} {unit['name'].upper()}", f"{unit['kind']} {unit['name']}")
    _age(path)
    return path


def generate_province(base: Path, n: int) -> tuple[Path, list[Path], Path]:
    """Generate a registry of n + 1 units, an inbox with the first n units' files and the last unit's late file."""
    units = synthetic_units(n + 1)
    units_csv = write_units_csv(base / "units.csv", units)
    templates = {k: [_Template(p) for p in ps] for k, ps in _templates(base / "templates").items()}
    inbox = base / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    files = [unit_file(templates, i, u, inbox) for i, u in enumerate(units[:n])]
    late_dir = base / "late"
    late_dir.mkdir(exist_ok=True)
    late = unit_file(templates, n, units[n], late_dir)
    return units_csv, files, late


# ---------------------------------------------------------------------------------------------
# Measures
# ---------------------------------------------------------------------------------------------

def _stage_names() -> tuple[str, ...]:
    from pipeline.run import STEPS
    return tuple(step.name for step in STEPS)


STAGES = _stage_names()  # the run's steps (pipeline.run.STEPS), timed through the run's progress hook
READ_STAGE = "doc-tep"


def _settings(base: Path, inbox: Path, units_csv: Path, workers: int):
    from pipeline.config import Settings

    extra = {"deadlines": SCHEMAS / "deadlines.toml"} if (SCHEMAS / "deadlines.toml").exists() else {}
    return Settings(inbox=inbox, warehouse=base / "tonghop.duckdb", out=base / "reports", units=units_csv,
                    catalog=SCHEMAS / "indicators.csv", office=SCHEMAS / "office.toml", rules=SCHEMAS / "rules.csv",
                    outliers=SCHEMAS / "outliers.toml", workers=workers, **extra)


def child(spec: dict) -> dict:
    """In a fresh process: a full run, a re-run with nothing new, a re-run after one late file; seconds per stage."""
    from pipeline import run as ingest
    from pipeline.read import workers as read_workers
    stage_times: dict[str, float] = {}
    labels = {step.label: step.name for step in ingest.STEPS}

    class StepClock(ingest.Progress):
        """Times each step of a run (the time from one step's start to the next's)."""

        def __init__(self):
            self.current, self.t = None, 0.0

        def step(self, label, total):
            self.stop()
            self.current, self.t = labels[label], time.perf_counter()

        def stop(self):
            if self.current is not None:
                stage_times[self.current] = stage_times.get(self.current, 0.0) + time.perf_counter() - self.t
                self.current = None

    clock = StepClock()

    def run_timed(settings):
        try:
            return ingest.run_steps(settings, progress=clock)
        finally:
            clock.stop()

    used: list[int] = []
    if spec.get("inprocess"):  # the reading of before isolation, for comparison
        from pipeline.read.submission import parse_submission

        def in_process(jobs, registry, catalog, limits, workers, **kw):
            return [parse_submission(p, registry, catalog, folder_period=fp, limits=limits) for p, fp in jobs]
        read_workers.parse_files = in_process
    parse_files = read_workers.parse_files  # record how many processes the runs really read with

    def spy(jobs, registry, catalog, limits, workers, **kw):
        used.append(workers)
        return parse_files(jobs, registry, catalog, limits, workers, **kw)
    read_workers.parse_files = spy
    inbox, late = Path(spec["inbox"]), Path(spec["late"])
    s = _settings(Path(spec["base"]), inbox, Path(spec["units"]), spec["workers"])
    out: dict = {}
    t = time.perf_counter()
    summary = run_timed(s)
    out["full"] = time.perf_counter() - t
    out["stages"] = dict(stage_times)
    out["loaded"], out["rejected"] = summary.count("loaded"), summary.count("rejected")
    out["issues"] = sum(f.errors + f.warnings for f in summary.files)
    out["feedback"] = len(summary.feedback)
    out["used_workers"] = max(used, default=1)
    out["rerun"] = _time(lambda: run_timed(s))
    target = inbox / late.name
    target.write_bytes(late.read_bytes())
    _age(target)
    try:
        stage_times.clear()
        t = time.perf_counter()
        summary = run_timed(s)
        out["late"] = time.perf_counter() - t
        out["late_stages"] = dict(stage_times)
        out["late_loaded"] = summary.count("loaded")
    finally:
        target.unlink()
    out["maxrss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def startup_child(spec: dict) -> dict:
    """In a fresh process: seconds to parse a few files in this process and in 2 workers, twice (fork server started once)."""
    from pipeline.reference.catalog import load_catalog
    from pipeline.read.workers import parse_files
    from pipeline.read.submission import parse_submission
    from pipeline.reference.registry import load_registry

    reg, cat = load_registry(Path(spec["units"])), load_catalog(SCHEMAS / "indicators.csv")
    jobs = [(Path(f), None) for f in spec["files"]]
    seq = _time(lambda: [parse_submission(p, reg, cat) for p, _ in jobs])
    first = _time(lambda: parse_files(jobs, reg, cat, workers=2))
    again = _time(lambda: parse_files(jobs, reg, cat, workers=2))
    return {"seq": seq, "first": first, "again": again, "n": len(jobs)}


def isolation_child(spec: dict) -> dict:
    """In a fresh process: seconds to parse the files in this process and in one bounded worker (kept pool), alternately."""
    from pipeline.read import workers as parallel
    from pipeline.reference.catalog import load_catalog
    from pipeline.read.submission import parse_submission
    from pipeline.reference.registry import load_registry

    reg, cat = load_registry(Path(spec["units"])), load_catalog(SCHEMAS / "indicators.csv")
    jobs = [(Path(f), None) for f in spec["files"]]
    start = _time(lambda: parallel.parse_files(jobs[:1], reg, cat, workers=1))  # fork server + one worker
    [parse_submission(p, reg, cat) for p, _ in jobs[:5]]  # warm this process too
    seq, iso, cpu_seq, cpu_iso = [], [], [], []

    def workers_cpu() -> float:  # user + system seconds of the kept reading processes (Linux /proc)
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for w in (parallel._pool.workers if parallel._pool else []):
            try:
                fields = Path(f"/proc/{w.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / ticks
            except (OSError, IndexError, ValueError):
                pass
        return total

    for _ in range(3):  # alternate: the machine's load changes while measuring; CPU seconds are steadier than wall
        c = time.process_time()
        seq.append(_time(lambda: [parse_submission(p, reg, cat) for p, _ in jobs]))
        cpu_seq.append(time.process_time() - c)
        c, cw = time.process_time(), workers_cpu()
        iso.append(_time(lambda: parallel.parse_files(jobs, reg, cat, workers=1)))
        cpu_iso.append(time.process_time() - c + workers_cpu() - cw)
    return {"seq": min(seq), "iso": min(iso), "cpu_seq": min(cpu_seq), "cpu_iso": min(cpu_iso), "start": start, "n": len(jobs)}


def _tree_rss_mib(root: int, field: str = "VmRSS") -> float:
    """Sum the resident memory of a process and all its descendants (shared pages counted in each: an upper bound).

    field="Pss": the proportional set size instead (/proc/PID/smaps_rollup: a page shared by k processes counts 1/k
    in each), whose sum over the tree is the memory the processes use together."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    if not Path("/proc").is_dir():  # not Linux: only ru_maxrss of the run process is reported
        return 0.0
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            status = (d / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(d.name)] = int(fields.get("PPid", "0").strip())
        rss[int(d.name)] = int(fields.get("VmRSS", "0 kB").split()[0]) if "VmRSS" in fields else 0
    tree, frontier = {root}, [root]
    while frontier:
        p = frontier.pop()
        for pid, pp in parents.items():
            if pp == p and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    if field == "Pss":
        return sum(_pss_kib(p) for p in tree) / 1024
    return sum(rss.get(p, 0) for p in tree) / 1024


def _pss_kib(pid: int) -> int:
    """Proportional set size of a process in KiB (0 when it is gone or unreadable)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_child(spec: dict) -> dict:
    """Run `child` in a new interpreter, sampling the memory of its process tree five times a second."""
    import threading

    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as fh:  # the child writes its result here
        result_path = Path(fh.name)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "tests.bench", "--child", json.dumps({**spec, "result": str(result_path)})],
                            cwd=ROOT, env=env)
    peak = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss_mib(proc.pid))
            done.wait(0.2)

    poller = threading.Thread(target=sample, daemon=True)
    poller.start()
    code = proc.wait()
    done.set()
    poller.join()
    if code != 0:
        raise SystemExit(f"bench child failed ({code}): {spec}")
    out = json.loads(result_path.read_text())
    result_path.unlink()
    out["tree_peak_mib"] = peak
    return out


def sample_timings(files: list[Path], units_csv: Path, k: int = 60) -> dict[str, float]:
    """Median ms per workbook of reading, parsing and a bare pandas read (calamine engine too) on k files."""
    import pandas as pd

    from pipeline.reference.catalog import load_catalog
    from pipeline.read.submission import parse_submission
    from pipeline.read.table import read_tables
    from pipeline.reference.registry import load_registry
    from pipeline.read.workbook import read_workbook

    reg, cat = load_registry(units_csv), load_catalog(SCHEMAS / "indicators.csv")
    sample = files[:: max(1, len(files) // k)][:k]
    med = lambda fn: statistics.median(1000 * _time(lambda f=f: fn(f)) for f in sample)  # noqa: E731
    return {
        "read": med(lambda f: read_tables(read_workbook(f))),
        "parse": med(lambda f: parse_submission(f, reg, cat)),
        "pandas_calamine": med(lambda f: pd.read_excel(f, sheet_name=None, engine="calamine")),
    }


def pandas_read_all(files: list[Path], cap: int) -> tuple[float, bool]:
    """Seconds of a bare pandas.read_excel(sheet_name=None) (default engine, openpyxl) of every file; extrapolated above cap."""
    import pandas as pd

    part = files if len(files) <= cap else files[:: len(files) // cap][:cap]
    secs = _time(lambda: [pd.read_excel(f, sheet_name=None, engine="openpyxl") for f in part])  # pandas' default engine for .xlsx
    return secs * len(files) / len(part), len(part) < len(files)


def bench_size(n: int, workers: list[int], work: Path, pandas_cap: int, max_run_minutes: float) -> dict:
    """Generate a province of n workbooks and take every measure; return them by name."""
    base = work / f"n{n}"
    t = time.perf_counter()
    units_csv, files, late = generate_province(base, n)
    res: dict = {"n": n, "generated": time.perf_counter() - t}
    print(f"[bench] N={n}: {len(files)} workbooks generated in {res['generated']:.1f} s", file=sys.stderr, flush=True)
    res["sample"] = sample_timings(files, units_csv)
    res["pandas"], res["pandas_estimated"] = pandas_read_all(files, pandas_cap)
    print(f"[bench] N={n}: pandas read {res['pandas']:.1f} s", file=sys.stderr, flush=True)
    estimate = n * res["sample"]["parse"] / 1000 / 60
    if estimate > max_run_minutes:
        res["skipped"] = f"parse alone ≈ {estimate:.0f} min per run"
        return res
    for w in workers:
        res[f"w{w}"] = run_child({"base": str(base / f"wh_w{w}"), "inbox": str(base / "inbox"), "units": str(units_csv),
                                  "late": str(late), "workers": w})
        print(f"[bench] N={n}: workers={w} full run {res[f'w{w}']['full']:.1f} s", file=sys.stderr, flush=True)
    res["inproc"] = run_child({"base": str(base / "wh_inproc"), "inbox": str(base / "inbox"), "units": str(units_csv),
                               "late": str(late), "workers": 1, "inprocess": True})
    print(f"[bench] N={n}: in-process reading full run {res['inproc']['full']:.1f} s", file=sys.stderr, flush=True)
    res["isolation"] = run_child({"isolation": True, "units": str(units_csv), "files": [str(f) for f in files]})
    return res


# ---------------------------------------------------------------------------------------------
# Table
# ---------------------------------------------------------------------------------------------

def table(results: list[dict], workers: list[int]) -> list[tuple[str, list[str]]]:
    """Return (measure, figure per size) rows."""
    rows: list[tuple[str, list[str]]] = []

    def add(label: str, fn) -> None:
        cells = []
        for r in results:
            try:
                cells.append(fn(r))
            except (KeyError, ZeroDivisionError, TypeError, ValueError):
                cells.append("—")
        rows.append((label, cells))

    best = lambda r: min((f"w{w}" for w in workers if f"w{w}" in r), key=lambda k: r[k]["full"])  # noqa: E731
    add("workbooks (⅓ Biểu mẫu, ⅓ national Phụ lục, ⅓ Thanh Hóa)", lambda r: str(r["n"]))
    add("read: calamine + table finding, ms/workbook", lambda r: f"{r['sample']['read']:.1f}")
    add("parse: read + unit/period + mapping + numbers, ms/workbook", lambda r: f"{r['sample']['parse']:.1f}")
    add("bare pandas.read_excel(sheet_name=None) (openpyxl), ms/workbook", lambda r: f"{1000 * r['pandas'] / r['n']:.1f}")
    add("  same with engine='calamine', ms/workbook", lambda r: f"{r['sample']['pandas_calamine']:.1f}")
    add("bare pandas read of all files, s", lambda r: ("≈" if r["pandas_estimated"] else "") + f"{r['pandas']:.1f}")
    for w in workers:
        add(f"full run, workers={w}, s", lambda r, w=w: f"{r[f'w{w}']['full']:.1f}"
            + (f" ({r[f'w{w}']['used_workers']} used)" if r[f"w{w}"]["used_workers"] != w else ""))
        add(f"  of which reading (archive + parse), workers={w}, s",
            lambda r, w=w: f"{r[f'w{w}']['stages'][READ_STAGE]:.1f}")
        add(f"  reading, ms per workbook per core, workers={w}",
            lambda r, w=w: f"{1000 * r[f'w{w}']['stages'][READ_STAGE] * r[f'w{w}']['used_workers'] / r['n']:.1f}")
    add("isolation: parse ms/workbook, in this process / in 1 bounded worker",
        lambda r: f"{1000 * r['isolation']['seq'] / r['isolation']['n']:.2f} / {1000 * r['isolation']['iso'] / r['isolation']['n']:.2f}"
                  f" ({100 * (r['isolation']['iso'] / r['isolation']['seq'] - 1):+.0f} %)")
    add("  CPU ms/workbook (all processes), in this process / in 1 bounded worker",
        lambda r: f"{1000 * r['isolation']['cpu_seq'] / r['isolation']['n']:.2f} / {1000 * r['isolation']['cpu_iso'] / r['isolation']['n']:.2f}"
                  f" ({100 * (r['isolation']['cpu_iso'] / r['isolation']['cpu_seq'] - 1):+.0f} %)")
    add("  bounded pool start (fork server + 1 worker), s", lambda r: f"{r['isolation']['start']:.2f}")
    add("full run, workers=1, reading in this process (no isolation), s", lambda r: f"{r['inproc']['full']:.1f}")
    add("  isolation cost of the full run, workers=1 vs in-process",
        lambda r: f"{100 * (r['w1']['full'] / r['inproc']['full'] - 1):+.1f} %")
    if len(workers) > 1:
        lo, hi = f"w{min(workers)}", f"w{max(workers)}"
        add(f"gain of workers={max(workers)}: full run / reading, ×",
            lambda r: f"{r[lo]['full'] / r[hi]['full']:.2f} / "
                      f"{r[lo]['stages'][READ_STAGE] / r[hi]['stages'][READ_STAGE]:.2f}")
    for stage in STAGES:
        if stage != READ_STAGE:
            add(f"  stage {stage} (fastest run), s", lambda r, s=stage: f"{r[best(r)]['stages'][s]:.2f}")
    add("full run (fastest) ÷ bare pandas read [target ≤ 1]", lambda r: f"{r[best(r)]['full'] / r['pandas']:.2f}")
    add("re-run with nothing new, s", lambda r: f"{r[best(r)]['rerun']:.2f}")
    add("  as % of the full run [target ≤ 10 %]", lambda r: f"{100 * r[best(r)]['rerun'] / r[best(r)]['full']:.1f} %")
    add("re-run after one late file, s", lambda r: f"{r[best(r)]['late']:.2f}")
    for w in workers:
        add(f"peak memory, workers={w}: run process / whole tree, MiB",
            lambda r, w=w: f"{r[f'w{w}']['maxrss_mib']:.0f} / {r[f'w{w}']['tree_peak_mib']:.0f}")
    add("files loaded / rejected; feedback workbooks", lambda r: f"{r[best(r)]['loaded']}/{r[best(r)]['rejected']}; {r[best(r)]['feedback']}")
    return rows


def print_table(rows: list[tuple[str, list[str]]], sizes: list[int]) -> None:
    """Print the rows as plain aligned text, one column per size."""
    head = ["measure"] + [f"N={n}" for n in sizes]
    body = [[label, *cells] for label, cells in rows if any(c not in ("", "—") for c in cells)]
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    for r in [head, *body]:
        print("  ".join([r[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(r[1:], widths[1:])]))


def _min_files() -> int:
    from pipeline.read.workers import MIN_FILES_PER_WORKER

    return MIN_FILES_PER_WORKER


def main() -> None:
    """Take every measure for each size and print the table."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="23,500,5000", help="numbers of workbooks, comma-separated")
    ap.add_argument("--workers", default="1,2", help="reading processes of the full runs, comma-separated")
    ap.add_argument("--pandas-cap", type=int, default=1000,
                    help="read at most this many evenly spaced files with bare pandas and extrapolate to all")
    ap.add_argument("--max-run-minutes", type=float, default=5.0, help="skip the runs of a size whose parsing alone would take longer")
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--copies", help=argparse.SUPPRESS)  # the former bench's option, still passed by older Makefiles
    args = ap.parse_args()
    if args.child:
        spec = json.loads(args.child)
        fn = startup_child if spec.get("startup") else isolation_child if spec.get("isolation") else child
        Path(spec["result"]).write_text(json.dumps(fn(spec)))
        return
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    workers = [int(x) for x in args.workers.split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="tonghop-bench-") as tmp:
        work = args.keep or Path(tmp)
        results = [bench_size(n, workers, work, args.pandas_cap, args.max_run_minutes) for n in sizes]
        first = work / f"n{sizes[0]}"
        files = sorted((first / "inbox").glob("*.xlsx"))[:12]
        start = run_child({"startup": True, "units": str(first / "units.csv"), "files": [str(f) for f in files]})
    print()
    print(f"tonghop bench — {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print_table(table(results, workers), sizes)
    for r in results:
        if r.get("skipped"):
            print(f"N={r['n']}: runs skipped, {r['skipped']} (--max-run-minutes {args.max_run_minutes:g})")
    per_file = start["seq"] / start["n"]
    cost = start["first"] - start["seq"] / 2
    print(f"\nworker start-up (fork server + 2 workers, first pool of a run): {cost:.2f} s; a later call (workers kept): "
          f"{start['again'] - start['seq'] / 2:.2f} s; reading pays in 2 processes above ≈ {cost / (per_file / 2):.0f} files "
          f"(at {1000 * per_file:.1f} ms/workbook); parallel.MIN_FILES_PER_WORKER = {_min_files()}")


if __name__ == "__main__":
    main()
