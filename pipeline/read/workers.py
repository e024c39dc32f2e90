"""Reading workbooks in bounded worker processes: the same Submissions, in the same order, as reading them one by one.

A reader (calamine is native code) that aborts, crashes, allocates past the memory ceiling or hangs costs only its
own file: every file is read in a worker process whose address space is capped (Limits.reader_memory_mb, RLIMIT_AS)
and which is killed after Limits.reader_seconds on one file. Such a file comes back as a rejected Submission
(file-reader-crashed / file-reader-timeout) and a fresh worker takes its place for the rest. Each worker has its own
pipe and reads one file at a time, so a death is always charged to the file it was reading (pebble 5.2.3's shared
task channel lost a task when a worker died right after taking it: a good file came back timed out after 120 s).
The pool is kept between calls of one run (the flow reads in parts), so its workers start once.
"""

from __future__ import annotations

import atexit
import itertools
import multiprocessing as mp
import os
import pickle
import resource
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import wait as mp_wait
from pathlib import Path
from typing import Any, NamedTuple

from pipeline.reference.catalog import Catalog
from pipeline.read.safety import Limits
from pipeline.read.submission import Submission, parse_submission
from pipeline.reference.registry import Registry
from pipeline import issues as iss
from pipeline.vn.text import nfc, shown_name

# Starting the workers costs about 0.5 s in a run (a fork server importing pandas, pandera and calamine once, then
# forking the workers; tests/bench.py prints it). Two processes win back half of 7-15 ms per workbook, so a second
# worker pays above roughly 60-130 files; below 2 x this many files one worker reads them all.
MIN_FILES_PER_WORKER = 50
# Test hook, off unless this variable is set: a file whose name holds one of the markers makes the worker abort,
# allocate without end or sleep past the time limit, as a reader caught by such a fault would.
FAULT_ENV = "TONGHOP_TEST_READER_FAULTS"
FAULTS = ("[abort]", "[hog]", "[hang]")
DEPTH = 2  # jobs a worker holds at once
CALL_DEPTH = 32  # calls a worker holds at once: short jobs (a few ms each) queued in its pipe, so that it keeps busy
# while this process's dispatching thread waits for the GIL behind the main thread's work (with 4: the worker writing
# feedback workbooks during consolidate and assess was idle a third of the time, 5 000 issue-heavy files)

Job = tuple[Path, str | None]  # (path, folder period)
Verified = tuple[Path, str | None, str]  # (path, folder period, sha256): parsed only if the file holds those bytes
LOST = ("file-reader-crashed", "file-reader-timeout")  # a reading process died or overran on the file
OTHER_BYTES = "other-bytes"  # what a reading process sends back for a Verified job whose file holds other bytes
_NONE = object()  # an iterable of jobs that gave none


class Call(NamedTuple):
    """Another job for a reading process: fn(arg), fn a module-level function, arg plain data (both picklable)."""

    fn: Callable[[Any], Any]
    arg: Any


class Outcome(NamedTuple):
    """What a Call gave back: ok and fn's value, or not ok and the exception it raised (WorkerLost when its process died)."""

    ok: bool
    value: Any


class WorkerLost(RuntimeError):
    """A Call's process died, or overran Limits.reader_seconds, while it ran: `code` is file-reader-crashed or -timeout."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail

    def __reduce__(self):
        return WorkerLost, (self.code, self.detail)


_registry: Registry | None = None
_catalog: Catalog | None = None
_limits: Limits = Limits()
_faults = False  # the test hook, as the main process saw FAULT_ENV when it started the worker
_pool: "ReaderPool | None" = None  # kept for the next call with the same reference data
_lock = threading.Lock()  # one caller at a time uses the kept pool (e.g. Dask tasks in threads of this process)


PRELOAD = ["__main__", "pipeline.read.workers"]  # what the fork server imports once for every worker it forks
SHARE_POLL = 0.05  # seconds between looks at a Share's release while some workers wait for it


@dataclass
class Share:
    """Cores a batch of calls leaves to the main process while it works beside them: `spare` of them until
    `released` is set (then every worker takes calls). E.g. the communes' feedback workbooks, written while the main
    process builds the district workbook."""

    spare: int = 1
    released: threading.Event = field(default_factory=threading.Event)


def start_method() -> str:
    """Return how workers are started: from a fork server (no fork of a process running threads), else spawn."""
    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


def warm_up() -> None:
    """Start the fork server the reading processes are forked from, so that its imports (pandas, openpyxl, calamine:
    about 0.5 s on one core) happen now, e.g. while Prefect's temporary server boots, rather than when the first file
    is read. Nothing to do where workers are spawned (no fork server) or in a daemonic process (no workers)."""
    if start_method() != "forkserver" or not isolated():
        return
    from multiprocessing import forkserver

    mp.get_context("forkserver").set_forkserver_preload(PRELOAD)
    forkserver.ensure_running()


def cores() -> int:
    """Return the number of cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def effective_workers(n_files: int, workers: int) -> int:
    """Return how many worker processes should read n_files when `workers` are allowed (at least one)."""
    if workers <= 1 or mp.current_process().daemon:
        return 1
    return max(1, min(workers, cores(), n_files // MIN_FILES_PER_WORKER))


def isolated() -> bool:
    """True when files can be read in worker processes (a daemonic process, e.g. a Dask worker, may not start any)."""
    return not mp.current_process().daemon


def cap_memory(mb: int) -> None:
    """Cap this process's address space at `mb` MiB (never above a hard limit already set)."""
    if mb <= 0:
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = mb * 2**20 if hard == resource.RLIM_INFINITY else min(mb * 2**20, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def _init(registry: Registry, catalog: Catalog, limits: Limits, faults: bool = False) -> None:
    """Keep the run's reference data in the worker (sent once per worker, not once per file) and cap its memory."""
    global _registry, _catalog, _limits, _faults
    _registry, _catalog, _limits, _faults = registry, catalog, limits, faults
    cap_memory(limits.reader_memory_mb)


def _fault(path: Path) -> None:
    """The test hook (see FAULT_ENV): behave as a reader caught by a native fault would."""
    name = path.name
    if "[abort]" in name:
        os.abort()
    if "[hog]" in name:
        hog = []
        while True:
            hog.append(bytearray(64 * 2**20))
    if "[hang]" in name:
        time.sleep(3600)


def parse_job(job: Job | Verified, registry: Registry, catalog: Catalog, limits: Limits) -> Submission | None:
    """Parse one job: (path, folder period); or (path, folder period, sha256): a file read where it lies, parsed only
    when its bytes hash to that SHA-256 both before and after (the Submission is then that of those exact bytes),
    else None."""
    from pipeline.inbox.files import sha256_or_none  # here: pipeline.inbox imports pipeline.read

    path, folder_period = job[0], job[1]
    sha256 = job[2] if len(job) > 2 else None
    if sha256 is not None and sha256_or_none(path) != sha256:
        return None
    sub = parse_submission(path, registry, catalog, folder_period=folder_period, limits=limits)
    if sha256 is not None and sha256_or_none(path) != sha256:
        return None
    return sub


def _parse(job: Job | Verified) -> Submission | None:
    assert _registry is not None and _catalog is not None
    try:
        if _faults:
            _fault(Path(job[0]))
        return parse_job(job, _registry, _catalog, _limits)
    except MemoryError:
        return failed(job[0], "file-reader-crashed", f"vượt giới hạn bộ nhớ {_limits.reader_memory_mb} MB")


def _call(job: Call) -> Outcome:
    """Run one Call; an exception is sent back as it is when it survives pickling, else as a RuntimeError saying it."""
    try:
        return Outcome(True, job.fn(job.arg))
    except Exception as exc:  # the caller decides; this process goes on with the next job
        try:
            pickle.loads(pickle.dumps(exc))
        except Exception:
            exc = RuntimeError(f"{type(exc).__name__}: {exc}")
        return Outcome(False, exc)


def _each(group: tuple[Callable[[Any], Any], list]) -> list[Outcome]:
    """The Outcome of fn(arg) for each arg, here: a group of calls sent as one (see call_in_workers' `group`), or
    every call when there is no reading process."""
    fn, args = group
    return [_call(Call(fn, a)) for a in args]


def failed(path: Path, code: str, detail: str) -> Submission:
    """The Submission of a file whose reading was stopped: rejected with `code`."""
    path = Path(path)
    sub = Submission(file_name=nfc(shown_name(path.name)), path=path)
    sub.issues.append(iss.issue(code, file=sub.file_name, detail=detail))
    return sub


def _exit_detail(code: int | None, limits: Limits) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"tín hiệu {-code}"
        extra = f"; có thể do vượt giới hạn bộ nhớ {limits.reader_memory_mb} MB" if -code in (signal.SIGABRT, signal.SIGSEGV, signal.SIGKILL) else ""
        return f"tiến trình đọc bị dừng bởi {name}{extra}"
    return f"tiến trình đọc kết thúc với mã {code}"


class _Worker:
    """One reading process and the pipe it takes jobs from and gives Submissions back on."""

    def __init__(self, ctx, registry: Registry, catalog: Catalog, limits: Limits, faults: bool):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, registry, catalog, limits, faults), daemon=True,
                                name="tonghop-reader")
        self.proc.start()
        child.close()
        self.jobs: deque[int] = deque()  # indexes of the jobs sent to it, the first being read
        self.since = 0.0  # when it started the first

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.proc.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                pass
        self.proc.join(5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.conn.close()


def _serve(conn, registry: Registry, catalog: Catalog, limits: Limits, faults: bool) -> None:
    """A reading process: parse each job it is sent until it is sent None."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the run in the main process, which ends the workers
    _init(registry, catalog, limits, faults)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        if isinstance(job, Call):
            conn.send(_call(job))
        else:
            sub = _parse(job)
            conn.send(OTHER_BYTES if sub is None else sub)  # None on the pipe would read as this process's death


class _Jobs:
    """The jobs of one dispatch, numbered in their order as they are taken from their iterable: a job is taken only
    when a worker has room for it, so an iterable may hand out a file as soon as it is ready (its archived copy made)
    while the workers read the earlier ones. A job put back (its worker was replaced) is sent again before new ones."""

    def __init__(self, jobs: Iterable):
        self.source: Iterator | None = iter(jobs)
        self.items: list = []  # the jobs taken, by number
        self.out: list = []  # their results, by number
        self.again: deque[int] = deque()  # numbers of jobs to send again, first

    def next(self) -> int | None:
        """The number of the next job to send, or None when there is none left."""
        if self.again:
            return self.again.popleft()
        if self.source is None:
            return None
        try:
            job = next(self.source)
        except StopIteration:
            self.source = None
            return None
        self.items.append(job)
        self.out.append(None)
        return len(self.items) - 1

    def more(self) -> bool:
        """Whether jobs may still be sent (some put back, or the iterable not yet exhausted)."""
        return bool(self.again) or self.source is not None


class ReaderPool:
    """Reading processes kept for a run: each reads one file at a time; one that dies or overruns is replaced."""

    def __init__(self, registry: Registry, catalog: Catalog, limits: Limits, workers: int):
        self.key = (registry, catalog, limits, workers)
        self.faults = bool(os.environ.get(FAULT_ENV))
        self.ctx = mp.get_context(start_method())
        if self.ctx.get_start_method() == "forkserver":
            self.ctx.set_forkserver_preload(PRELOAD)  # imported once by the server (see warm_up)
        self.workers = [self._new() for _ in range(workers)]

    def _new(self) -> _Worker:
        registry, catalog, limits, _ = self.key
        return _Worker(self.ctx, registry, catalog, limits, self.faults)

    def fits(self, registry: Registry, catalog: Catalog, limits: Limits, workers: int) -> bool:
        """True when this pool serves the same reference data and limits with as many workers."""
        reg, cat, lim, n = self.key
        return reg is registry and cat is catalog and lim == limits and n == workers and self.faults == bool(os.environ.get(FAULT_ENV))

    def run(self, jobs: Iterable[Job | Verified]) -> list[Submission | None]:
        """Parse the jobs, in their order; a worker that dies or overruns is replaced and the file it read rejected.
        The jobs are taken from their iterable only as workers have room for them (see _Jobs)."""
        out = self._dispatch(jobs, lambda job, code, detail: failed(job[0], code, detail))
        return [None if isinstance(sub, str) else sub for sub in out]  # OTHER_BYTES

    def call(self, fn: Callable[[Any], Any], args: Sequence[Any], share: Share | None = None,
             group: int = 1) -> list[Outcome]:
        """fn(arg) for each arg in these processes, in the args' order; one that raises, kills or overruns its worker
        gives a failed Outcome and the others go on (the worker is replaced). With a `share`, some workers wait until
        the main process no longer needs their cores (see Share). The args go `group` at a time in one message each
        way (each worker holding about CALL_DEPTH calls); a worker that dies or overruns fails its whole group."""
        group = max(1, group)
        groups = [list(args[i:i + group]) for i in range(0, len(args), group)]
        out: list[Outcome] = []
        for g, o in zip(groups, self._dispatch([Call(_each, (fn, g)) for g in groups],
                                               lambda job, code, detail: Outcome(False, WorkerLost(code, detail)),
                                               max(2, CALL_DEPTH // group), share)):
            out.extend(o.value if o.ok else [o] * len(g))
        return out

    def _dispatch(self, jobs: Iterable, lost: Callable[[Any, str, str], Any], depth: int = DEPTH,
                  share: Share | None = None) -> list:
        """Run the jobs, in their order; `lost(job, code, detail)` is the result of a job whose worker died or overran.

        Each worker holds up to `depth` jobs (the next ones wait in its pipe while the main process unpickles the last
        result); a job is charged only when it is the one the worker was reading.
        """
        limits: Limits = self.key[2]
        queue = _Jobs(jobs)
        for i, w in enumerate(self.workers):
            if not w.proc.is_alive():
                w.conn.close()
                self.workers[i] = self._new()
        active = len(self.workers) if share is None else min(len(self.workers), max(1, cores() - share.spare))
        for i in range(active):
            self._fill(i, queue, depth)
        while busy := [w for w in self.workers if w.jobs]:
            if active < len(self.workers) and queue.more() and share.released.is_set():  # the cores are free again
                for i in range(active, len(self.workers)):
                    self._fill(i, queue, depth)
                active = len(self.workers)
                busy = [w for w in self.workers if w.jobs]
            wait = None
            if limits.reader_seconds > 0:
                wait = max(0.0, min(w.since + limits.reader_seconds for w in busy) - time.monotonic())
            if active < len(self.workers) and queue.more():  # look at the share's release now and then
                wait = SHARE_POLL if wait is None else min(wait, SHARE_POLL)
            ready = set(mp_wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait))
            for i, w in enumerate(self.workers):
                if not w.jobs:
                    continue
                k = w.jobs[0]
                result = None
                if w.conn in ready or w.proc.sentinel in ready:
                    try:
                        if w.conn.poll():
                            result = w.conn.recv()
                    except (EOFError, OSError):
                        result = None
                    if result is None:
                        w.proc.join(5)
                        result = lost(queue.items[k], "file-reader-crashed", _exit_detail(w.proc.exitcode, limits))
                        w = self._replace(i, queue)
                elif limits.reader_seconds > 0 and time.monotonic() - w.since >= limits.reader_seconds:
                    result = lost(queue.items[k], "file-reader-timeout", f"{limits.reader_seconds:g}")
                    w = self._replace(i, queue)
                if result is None:
                    continue
                queue.out[k] = result
                if w.jobs and w.jobs[0] == k:
                    w.jobs.popleft()
                    w.since = time.monotonic()  # its next job starts now
                self._fill(i, queue, depth)
        return queue.out

    def _replace(self, i: int, queue: "_Jobs") -> _Worker:
        """Kill worker i, put the jobs it had not started back in front of the queue, start a fresh worker."""
        w = self.workers[i]
        queue.again.extendleft(reversed(list(w.jobs)[1:]))
        w.stop(kill=True)
        self.workers[i] = self._new()
        return self.workers[i]

    def _fill(self, i: int, queue: "_Jobs", depth: int = DEPTH) -> _Worker:
        """Send worker i jobs until it holds `depth`; a worker found dead before it took its first is replaced."""
        w = self.workers[i]
        for _ in range(3):
            while len(w.jobs) < depth and (k := queue.next()) is not None:
                try:
                    w.conn.send(queue.items[k])
                except OSError:  # it died; a job it was reading is charged when its end is seen
                    queue.again.appendleft(k)
                    break
                if not w.jobs:
                    w.since = time.monotonic()
                w.jobs.append(k)
            if w.jobs or not queue.more():
                return w
            w.stop(kill=True)
            w = self.workers[i] = self._new()
        raise RuntimeError("reading processes cannot be started")

    def close(self, kill: bool = False) -> None:
        """End the reading processes (at once when `kill`)."""
        for w in self.workers:
            w.stop(kill=kill)
        self.workers = []


def _pool_for(registry: Registry, catalog: Catalog, limits: Limits, workers: int) -> ReaderPool:
    """A pool of `workers` reading processes for this reference data (the kept one when it fits)."""
    global _pool
    if _pool is not None and _pool.fits(registry, catalog, limits, workers):
        return _pool
    if _pool is not None:
        old, _pool = _pool, None
        old.close()
    _pool = ReaderPool(registry, catalog, limits, workers)
    return _pool


def shutdown() -> None:
    """End the kept pool's reading processes (at exit, or when the reference data changes)."""
    global _pool
    with _lock:
        if _pool is not None:
            pool, _pool = _pool, None
            pool.close()


atexit.register(shutdown)


def parse_files(jobs: Iterable[Job | Verified], registry: Registry, catalog: Catalog, limits: Limits = Limits(),
                workers: int = 2) -> list[Submission | None]:
    """Parse (path, folder period) jobs in `workers` bounded processes, in the jobs' order; a file that kills its
    worker or overruns the time limit comes back rejected. In a daemonic process they are read in this process.
    A Verified job gives None when the file does not hold the bytes named (parse_job). `jobs` may be any iterable:
    each job is taken from it when a worker has room for it (a generator may wait, e.g. for a file's archived copy,
    while the workers read the earlier files)."""
    if isinstance(jobs, Sequence):
        if not jobs:
            return []
        workers = min(workers, len(jobs))
    else:  # no reader is started for an iterable that gives no job
        rest = iter(jobs)
        first = next(rest, _NONE)
        if first is _NONE:
            return []
        jobs = itertools.chain([first], rest)
    if not isolated():
        return [parse_job(job, registry, catalog, limits) for job in jobs]
    n = max(1, workers)
    global _pool
    with _lock:
        pool = _pool_for(registry, catalog, limits, n)
        try:
            return pool.run(jobs)
        except BaseException:  # interrupted (Ctrl+C) or failed: its workers may hold jobs, so none is kept
            _pool = None
            pool.close(kill=True)
            raise


def call_in_workers(fn: Callable[[Any], Any], args: Sequence[Any], registry: Registry, catalog: Catalog,
                    limits: Limits = Limits(), workers: int = 2, share: Share | None = None,
                    group: int = 1) -> list[Outcome]:
    """fn(arg) for each arg, in the args' order, in the reading processes of this run (other work than reading, e.g.
    writing the communes' feedback workbooks). The kept pool serves when it is there for this reference data; else
    `workers` processes start when reading as many files would start them (effective_workers), and otherwise every
    call runs here. With a `share`, the calls leave cores to this process until it releases them. A call that
    raises, or whose process dies or overruns, gives a failed Outcome; the others go on. `group`: calls sent
    together (fewer messages, so less work for this process's dispatching thread, which competes for the GIL with
    the main thread), each with its own Outcome; a process that dies fails every call of its group.
    """
    if not args:
        return []
    global _pool
    with _lock:
        pool = _pool_for_calls(len(args), registry, catalog, limits, workers)
        if pool is None:
            return _each((fn, args))
        try:
            return pool.call(fn, args, share, group)
        except BaseException:  # interrupted (Ctrl+C) or failed: its workers may hold jobs, so none is kept
            _pool = None
            pool.close(kill=True)
            raise


def _pool_for_calls(n: int, registry: Registry, catalog: Catalog, limits: Limits, workers: int) -> ReaderPool | None:
    """The pool to run n calls in (the kept one for this reference data, whatever its size), or None: here."""
    pool = _pool
    if pool is not None and pool.workers and pool.fits(registry, catalog, limits, len(pool.workers)):
        return pool
    if not isolated() or effective_workers(n, workers) <= 1:
        return None
    return _pool_for(registry, catalog, limits, effective_workers(n, workers))
