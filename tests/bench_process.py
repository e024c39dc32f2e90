"""Whole-process speed as the officer meets it (issue 14), part of `make bench`.

For each size N: a registry of N + 1 units (samples.province) and N issue-heavy Biểu mẫu 1–7 workbooks written by
openpyxl (samples.heavy), one per unit. In one invocation it measures, on this machine:

- the bare pandas loop the officer would write: `pandas.read_excel(f, sheet_name=None, header=None)` over every file;
- an empty Prefect flow run in a new process (Prefect's fixed cost: temporary server, start, shutdown);
- `tonghop run -q` as a whole process, the files copied into a fresh inbox just before it; then a second `tonghop run`
  with nothing new, then one with one late file added;
- the first run again on a fresh inbox and warehouse, with the peak memory of its process tree sampled five times a
  second (a sample reads every process's /proc files, about 20 ms of CPU for a 1.5 GB tree: on 2 cores the sampling
  would slow the timed runs down, so they are not sampled);
- the same run in-process (pipeline.run.run_steps), seconds per step.

"work" = whole process − empty flow run. Ratios are printed beside seconds; the targets of issue 14 are shown in [ ].

    python -m tests.bench_process [--sizes 500,5000] [--workers 0] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from samples.province import synthetic_units, write_units_csv

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
EMPTY_FLOW = "from prefect import flow\n@flow\ndef empty():\n    return 1\nempty()\n"


def _generate_part(args) -> int:
    from samples.heavy import generate_heavy_inbox

    dest, units = args
    return len(generate_heavy_inbox(Path(dest), units))


def generate(base: Path, n: int, procs: int = 2) -> tuple[Path, Path, Path]:
    """Write base/units.csv (n + 1 units), base/source/ (n workbooks) and base/late/ (the last unit's); reuse them if present."""
    units = synthetic_units(n + 1)
    units_csv = write_units_csv(base / "units.csv", units)
    source, late = base / "source", base / "late"
    if len(list(source.glob("*.xlsx"))) != n or len(list(late.glob("*.xlsx"))) != 1:
        shutil.rmtree(source, ignore_errors=True)
        shutil.rmtree(late, ignore_errors=True)
        parts = [(str(source), units[i:n:procs]) for i in range(procs)] + [(str(late), units[n:])]
        with ProcessPoolExecutor(procs) as pool:
            list(pool.map(_generate_part, parts))
    return units_csv, source, late


def pandas_loop(files: list[Path]) -> float:
    """Seconds of the officer's own script: pandas.read_excel(f, sheet_name=None, header=None) over every file."""
    import warnings

    import pandas as pd

    t = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas 3 warns that its default .xlsx engine will change
        for f in files:
            pd.read_excel(f, sheet_name=None, header=None)
    return time.perf_counter() - t


def _tree_rss_mib(root: int, field: str = "VmRSS") -> float:
    from tests.bench import _tree_rss_mib as rss

    return rss(root, field)


def timed_process(cmd: list[str], cwd: Path, env: dict | None = None, sample: bool = False) -> tuple[float, float, int, float]:
    """Run a command; return (wall seconds, peak MiB of its process tree, exit code, peak summed RSS MiB).

    With `sample`, the peak is of the tree's summed proportional set size (a page shared by k processes counted 1/k in
    each: the memory the processes use together); the summed resident size counts shared pages in every process.
    Without it both are 0: the sampling costs CPU that the command would otherwise have."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, rss_peak, done = 0.0, 0.0, threading.Event()

    def sampler() -> None:
        nonlocal peak, rss_peak
        while not done.is_set():
            peak = max(peak, _tree_rss_mib(proc.pid, "Pss"))
            rss_peak = max(rss_peak, _tree_rss_mib(proc.pid))
            done.wait(0.2)

    poller = threading.Thread(target=sampler, daemon=True) if sample else None
    if poller is not None:
        poller.start()
    _, err = proc.communicate()
    secs = time.perf_counter() - t
    done.set()
    if poller is not None:
        poller.join()
    if proc.returncode not in (0,):
        sys.stderr.write(err.decode("utf-8", "replace")[-3000:])
    return secs, peak, proc.returncode, rss_peak


def empty_flow(cwd: Path) -> float:
    """Seconds of an empty Prefect flow run in a new process (the same Python and Prefect settings as tonghop)."""
    return timed_process([sys.executable, "-c", EMPTY_FLOW], cwd)[0]


def tonghop_cmd(base: Path, units_csv: Path, workers: int) -> list[str]:
    """The `tonghop run` command line of a bench run on base/inbox and base/wh (the project's own reference files,
    this size's registry)."""
    exe = Path(sys.executable).with_name("tonghop")
    return [str(exe), "run", "-q", "--inbox", str(base / "inbox"), "--warehouse", str(base / "wh" / "tonghop.duckdb"),
            "--out", str(base / "wh" / "reports"), "--units", str(units_csv), "--catalog", str(SCHEMAS / "indicators.csv"),
            "--office", str(SCHEMAS / "office.toml"), "--rules", str(SCHEMAS / "rules.csv"),
            "--outliers", str(SCHEMAS / "outliers.toml"), "--deadlines", str(SCHEMAS / "deadlines.toml"),
            "--workers", str(workers)]


def loaded_files(warehouse: Path) -> int:
    """How many submissions the warehouse holds (read after the run: every file must have been loaded)."""
    from pipeline import warehouse as wh

    _, rows = wh.run_query(warehouse, "select count(*) from v_submissions", 1)
    return int(rows[0][0])


def fresh_copy(source: Path, inbox: Path) -> None:
    """Copy the workbooks into a new inbox now (fresh file times, as a clerk's copy just before the run)."""
    inbox.mkdir(parents=True)
    for f in sorted(source.iterdir()):
        shutil.copyfile(f, inbox / f.name)


def in_process(work: Path, source: Path, units_csv: Path, workers: int) -> dict:
    """The same run in this process in a new folder `work` (files dated past the copy window): seconds per step."""
    from tests.profile_run import bench_settings, timed_steps

    fresh_copy(source, work / "inbox")
    old = time.time() - 3600
    for f in (work / "inbox").iterdir():
        os.utime(f, (old, old))
    s = bench_settings(work / "inbox", work / "wh" / "tonghop.duckdb", work / "wh" / "reports", units_csv, workers)
    summary, total, times, _ = timed_steps(s)
    return {"total": total, "steps": times, "loaded": summary.count("loaded"), "feedback": len(summary.feedback),
            "issues": sum(f.errors + f.warnings for f in summary.files)}


def bench_size(n: int, work: Path, workers: int) -> dict:
    """Every measure of size n. Each run works in a new folder under work/runs/, all deleted by `main` at the end:
    nothing is deleted between the timed runs (ext4 without a journal, as here, skips the inodes freed in the last
    minutes when it allocates new ones; right after deleting the thousands of files of a run, creating a file took
    0.4–0.5 ms instead of 0.02 ms, and a run creates two per workbook: its archived copy and its feedback workbook)."""
    base = work / f"heavy{n}"
    t = time.perf_counter()
    units_csv, source, late = generate(base, n)
    print(f"[bench] heavy N={n}: workbooks ready in {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    files = sorted(source.glob("*.xlsx"))
    r: dict = {"n": n, "pandas": pandas_loop(files)}
    print(f"[bench] heavy N={n}: pandas loop {r['pandas']:.1f} s", file=sys.stderr, flush=True)
    runs = Path(tempfile.mkdtemp(prefix=f"heavy{n}-", dir=_runs(work)))
    r["empty"] = empty_flow(runs)
    first = runs / "run"
    fresh_copy(source, first / "inbox")
    cmd = tonghop_cmd(first, units_csv, workers)
    r["full"], _, r["code"], _ = timed_process(cmd, first)
    r["loaded"] = loaded_files(first / "wh" / "tonghop.duckdb")
    print(f"[bench] heavy N={n}: tonghop run {r['full']:.1f} s ({r['loaded']} loaded)", file=sys.stderr, flush=True)
    r["rerun"], *_ = timed_process(cmd, first)
    shutil.copyfile(next(late.glob("*.xlsx")), first / "inbox" / next(late.glob("*.xlsx")).name)
    time.sleep(2.5)  # past the copy window: a late file copied a moment before the run would wait for the next one
    r["late"], *_ = timed_process(cmd, first)
    r["late_loaded"] = loaded_files(first / "wh" / "tonghop.duckdb") - r["loaded"]
    r["empty2"] = empty_flow(runs)  # Prefect's fixed cost again, after the runs: the machine's load changes
    r["inproc"] = in_process(runs / "inproc", source, units_csv, workers)
    print(f"[bench] heavy N={n}: in-process run {r['inproc']['total']:.1f} s", file=sys.stderr, flush=True)
    sampled = runs / "sampled"  # the first run again, its memory sampled
    fresh_copy(source, sampled / "inbox")
    r["sampled"], r["peak_mib"], _, r["peak_rss_mib"] = timed_process(tonghop_cmd(sampled, units_csv, workers), sampled,
                                                                      sample=True)
    print(f"[bench] heavy N={n}: sampled run {r['sampled']:.1f} s, peak {r['peak_mib']:.0f} MiB", file=sys.stderr, flush=True)
    return r


def _runs(work: Path) -> Path:
    """work/runs/, where each size's runs work (deleted after the last size)."""
    (work / "runs").mkdir(parents=True, exist_ok=True)
    return work / "runs"


def rows(results: list[dict]) -> list[tuple[str, list[str]]]:
    """(measure, figure per size) rows of the table."""
    out: list[tuple[str, list[str]]] = []

    def add(label, fn):
        cells = []
        for r in results:
            try:
                cells.append(fn(r))
            except (KeyError, ZeroDivisionError, TypeError):
                cells.append("—")
        out.append((label, cells))

    empty = lambda r: min(r["empty"], r["empty2"])  # noqa: E731
    add("issue-heavy Biểu mẫu 1–7 workbooks (openpyxl), one per unit", lambda r: str(r["n"]))
    add("bare pandas.read_excel(sheet_name=None, header=None) loop, s", lambda r: f"{r['pandas']:.1f}")
    add("empty Prefect flow run, new process, s (before / after)", lambda r: f"{r['empty']:.1f} / {r['empty2']:.1f}")
    add("tonghop run, whole process, s", lambda r: f"{r['full']:.1f}")
    add("  files loaded (all must be)", lambda r: f"{r['loaded']}/{r['n']}")
    add("  work = whole − empty flow, s", lambda r: f"{r['full'] - empty(r):.1f}")
    add("  work ÷ pandas loop [≤ 0.4]", lambda r: f"{(r['full'] - empty(r)) / r['pandas']:.2f}")
    add("  whole ÷ pandas loop [≤ 0.5 at 5 000]", lambda r: f"{r['full'] / r['pandas']:.2f}")
    add("the same run again, its memory sampled 5 times a second, s", lambda r: f"{r['sampled']:.1f}")
    add("  peak memory of all processes (summed PSS), MiB [≤ 2 048 at 5 000]", lambda r: f"{r['peak_mib']:.0f}")
    add("  the same as summed RSS (shared pages counted in each), MiB", lambda r: f"{r['peak_rss_mib']:.0f}")
    add("re-run with nothing new, s", lambda r: f"{r['rerun']:.1f}")
    add("  − empty flow run, s [≤ 1]", lambda r: f"{r['rerun'] - empty(r):+.1f}")
    add("re-run after one late file, s", lambda r: f"{r['late']:.1f} ({r['late_loaded']} loaded)")
    add("  − empty flow run, s [≤ 3 at 500]", lambda r: f"{r['late'] - empty(r):+.1f}")
    add("in-process run (no Prefect), s", lambda r: f"{r['inproc']['total']:.1f}")
    add("  ÷ pandas loop", lambda r: f"{r['inproc']['total'] / r['pandas']:.2f}")
    steps = list(results[0]["inproc"]["steps"]) if results and "inproc" in results[0] else []
    for name in steps:
        add(f"  step {name}, s", lambda r, k=name: f"{r['inproc']['steps'].get(k, 0.0):.2f}")
    add("  warnings + errors; feedback workbooks", lambda r: f"{r['inproc']['issues']}; {r['inproc']['feedback']}")
    return out


def main(argv: list[str] | None = None) -> None:
    """Measure each size and print the table."""
    from tests.bench import print_table

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="500,5000", help="numbers of workbooks, comma-separated")
    ap.add_argument("--workers", type=int, default=0, help="tonghop run --workers (0 = one per core)")
    ap.add_argument("--keep", type=Path, help="generate into this folder and keep it (the workbooks are reused)")
    args = ap.parse_args(argv)
    sizes = [int(x) for x in args.sizes.split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="tonghop-bench-heavy-") as tmp:
        work = args.keep or Path(tmp)
        try:
            results = [bench_size(n, work, args.workers) for n in sizes]
        finally:  # the runs' folders, this invocation's and any a killed one left
            shutil.rmtree(work / "runs", ignore_errors=True)
    print()
    print(f"tonghop bench, whole process — {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print_table(rows(results), sizes)


if __name__ == "__main__":
    main()
