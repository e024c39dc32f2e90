"""Profile one in-process run: `python -m tests.profile_run DIR [--workers 1] [--cprofile out.pstats]`.

DIR holds `units.csv` and `inbox/` (as `python -m samples.heavy DIR --units 500` writes them). Each call starts
from an empty warehouse under DIR/profile/ and prints the seconds of each of the run's steps, with this process's memory at each step's end.
"""

from __future__ import annotations

import argparse
import cProfile
import resource
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def bench_settings(inbox: Path, warehouse: Path, out: Path, units: Path, workers: int):
    """Settings of a measured run: the project's own reference files, the given registry, inbox and outputs."""
    from pipeline.config import Settings

    s = ROOT / "schemas"
    return Settings(inbox=inbox, warehouse=warehouse, out=out, units=units, catalog=s / "indicators.csv",
                    office=s / "office.toml", rules=s / "rules.csv", outliers=s / "outliers.toml",
                    deadlines=s / "deadlines.toml", workers=workers)


def timed_steps(settings, prof: cProfile.Profile | None = None) -> tuple:
    """Run the steps in this process; return (summary, total seconds, {step: seconds},
    {step: (MiB resident at its end, peak MiB so far)})."""
    from pipeline import run as ingest

    times: dict[str, float] = {}
    memory: dict[str, tuple[float, float]] = {}  # MiB of this process at the step's end: resident, peak so far
    labels = {step.label: step.name for step in ingest.STEPS}

    class Clock(ingest.Progress):
        current, t = None, 0.0

        def step(self, label, total):
            self.stop()
            self.current, self.t = labels[label], time.perf_counter()

        def stop(self):
            if self.current:
                times[self.current] = time.perf_counter() - self.t
                memory[self.current] = (_rss_mib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
                self.current = None

    clock = Clock()
    t = time.perf_counter()
    if prof:
        prof.enable()
    summary = ingest.run_steps(settings, progress=clock)
    clock.stop()
    if prof:
        prof.disable()
    return summary, time.perf_counter() - t, times, memory


def main() -> None:
    """Run the steps once on DIR and print where the time went."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("dir", type=Path)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--cprofile", type=Path)
    args = ap.parse_args()
    work = args.dir / "profile"
    shutil.rmtree(work, ignore_errors=True)
    settings = bench_settings(args.dir / "inbox", work / "tonghop.duckdb", work / "reports", args.dir / "units.csv",
                              args.workers)
    prof = cProfile.Profile() if args.cprofile else None
    summary, total, times, memory = timed_steps(settings, prof)
    if prof:
        prof.dump_stats(args.cprofile)
    for name, secs in times.items():
        now, peak = memory[name]
        print(f"{name:16s} {secs:7.2f} s   {now:6.0f} MiB, peak {peak:6.0f} MiB")
    print(f"{'total':16s} {total:7.2f} s   loaded {summary.count('loaded')}, feedback {len(summary.feedback)}")


def _rss_mib() -> float:
    """Resident memory of this process now (Linux /proc; 0 elsewhere)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


if __name__ == "__main__":
    main()
