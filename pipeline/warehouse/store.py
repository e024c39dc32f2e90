"""The DuckDB warehouse: schema, reference data, batched transactions of whole submissions, the contract views, and
every query the run, the reports and the command line make of it (no SQL lives outside this package)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipeline.issues import STORED_COLUMNS as STORED_ISSUE_COLUMNS
from pipeline.reference.deadlines import DeadlineRule, period_deadline
from pipeline.vn.periods import is_period, period_bounds, period_kind
from pipeline.warehouse import flags as _flags

SCHEMA = """
create sequence if not exists seq_submission start 1;
create table if not exists units(code varchar primary key, name varchar, kind varchar, aliases varchar, label varchar, ord integer);
create table if not exists indicators(code varchar primary key, area varchar, name varchar, unit varchar, kind varchar, agg varchar,
    numerator varchar, denominator varchar, code_list varchar, ord integer);
create table if not exists catalog_versions(version varchar primary key, first_used timestamp, n_indicators integer);
create table if not exists indicators_history(version varchar, code varchar, area varchar, name varchar, unit varchar,
    kind varchar, agg varchar, numerator varchar, denominator varchar, code_list varchar, ord integer);
create table if not exists periods(period_code varchar primary key, first_seen timestamp);
alter table periods add column if not exists deadline date;
alter table periods add column if not exists stale boolean;
alter table periods add column if not exists kind varchar;
alter table periods add column if not exists starts_on date;
alter table periods add column if not exists ends_on date;
create table if not exists runs(run_id varchar primary key, started_at timestamp, finished_at timestamp, period_filter varchar,
    files_new integer, loaded integer, rejected integer, duplicate integer, superseded integer, skipped integer,
    values_loaded integer, errors integer, warnings integer);
alter table runs add column if not exists catalog_version varchar;
create table if not exists reference_files(run_id varchar, name varchar, sha256 varchar, recorded_at timestamp);
create table if not exists submissions(submission_id integer primary key, file_name varchar, path varchar, sha256 varchar,
    size bigint, received_at timestamp, unit_code varchar, period_code varchar, period_stated varchar, window_from date,
    window_to date, report_number varchar, report_date date, layout varchar, status varchar, reason varchar, supersedes integer,
    superseded_by integer, run_id varchar);
create table if not exists files_seen(path varchar, size bigint, mtime_ns bigint, sha256 varchar, submission_id integer);
create table if not exists observations(submission_id integer, indicator_code varchar, value double, raw varchar,
    source_ref varchar, accepted boolean);
create table if not exists issues(submission_id integer, severity varchar, code varchar, message varchar, source_ref varchar,
    indicator_code varchar, sheet varchar, cell varchar, raw varchar);
create table if not exists district(period_code varchar, indicator_code varchar, value double, n_units integer,
    n_expected integer, detail varchar, computed_at timestamp);
alter table observations add column if not exists state varchar;
alter table district add column if not exists n_na integer;
alter table district add column if not exists n_blank integer;
alter table district add column if not exists blank_units varchar;
alter table units add column if not exists valid_from date;
alter table units add column if not exists valid_to date;
alter table units add column if not exists merged_into varchar;
alter table units add column if not exists split_from varchar;
alter table units add column if not exists renamed_from varchar;
create table if not exists unit_lineage(unit_code varchar, source_code varchar);
create table if not exists issue_impacts(submission_id integer, indicator_code varchar, impact_abs double, impact_rel double,
    rank_with integer, rank_without integer, band_with varchar, band_without varchar, impact_order integer);
""" + _flags.SCHEMA

VIEWS = """
create or replace view v_submissions as
  select submission_id, file_name, sha256, received_at, unit_code, period_code, status, reason,
         path, size, period_stated, window_from, window_to, layout, supersedes, superseded_by, run_id
  from submissions;
create or replace view v_values as
  select s.period_code, s.unit_code, u.label as unit_name, o.indicator_code, i.name as indicator_name, o.value,
         o.submission_id, o.source_ref, o.raw, i.unit as unit_of_measure
  from observations o
  join submissions s on s.submission_id = o.submission_id
  join units u on u.code = s.unit_code
  join indicators i on i.code = o.indicator_code
  where s.status = 'loaded' and o.accepted and o.value is not null;
create or replace view v_periods as
  select period_code, kind, starts_on, ends_on, deadline, first_seen from periods;
create or replace view v_values_history as
  select s.period_code, s.unit_code, u.label as unit_name, o.indicator_code, i.name as indicator_name, o.value,
         o.submission_id, s.status as submission_status, s.file_name, s.received_at, s.superseded_by, o.source_ref, o.raw
  from observations o
  join submissions s on s.submission_id = o.submission_id
  join units u on u.code = s.unit_code
  join indicators i on i.code = o.indicator_code
  where s.status in ('loaded', 'superseded') and o.accepted and o.value is not null;
create or replace view v_issues as
  select i.submission_id, i.severity, i.code, i.message, i.source_ref, i.indicator_code, i.sheet, i.cell, i.raw,
         s.file_name, s.unit_code, s.period_code, s.status as submission_status, i.suppressed, i.flag_id,
         m.impact_abs, m.impact_rel, m.rank_with, m.rank_without, m.band_with, m.band_without, m.impact_order
  from issues i left join submissions s on s.submission_id = i.submission_id
  left join issue_impacts m on m.submission_id = i.submission_id and m.indicator_code = i.indicator_code;
create or replace view v_district as
  select d.period_code, d.indicator_code, i.name as indicator_name, d.value, d.n_units, d.n_expected, i.area,
         i.unit as unit_of_measure, i.agg, d.detail, d.computed_at, d.n_na, d.n_blank, d.blank_units
  from district d join indicators i on i.code = d.indicator_code;
create or replace view v_value_states as
  with cells as (
    select o.*, row_number() over (partition by o.submission_id, o.indicator_code order by
             case when o.value is not null and o.accepted then 0 when o.state = 'na' and o.accepted then 1
                  when o.state = 'blank' then 3 else 2 end, o.source_ref) as pick
    from observations o)
  select s.period_code, s.unit_code, u.label as unit_name, o.indicator_code, i.name as indicator_name,
         case when o.value is not null and o.accepted then case when o.value = 0 then 'zero' else 'value' end
              when o.state = 'na' and o.accepted then 'na'
              when o.state = 'blank' then 'blank'
              else 'not_allowed' end as value_state,
         o.value, o.raw, o.submission_id, o.source_ref,
         coalesce(o.state, 'value') <> 'blank' as answered
  from cells o
  join submissions s on s.submission_id = o.submission_id
  join units u on u.code = s.unit_code
  join indicators i on i.code = o.indicator_code
  where s.status = 'loaded' and o.pick = 1;
create or replace view v_completeness as
  with firsts as (
    select period_code, unit_code, min(received_at) as first_received_at
    from submissions where status in ('loaded', 'superseded') group by period_code, unit_code),
  reviews as (
    select submission_id, array_to_string(list_sort(list_distinct(list(code))), ', ') as reason
    from issues where code in ('submission-copy-forward', 'submission-nearly-empty') group by submission_id)
  select p.period_code, u.code as unit_code, u.label as unit_name,
         case when s.submission_id is null then 'missing' else 'submitted' end as status,
         s.received_at,
         case when s.submission_id is null or p.deadline is null then null
              else cast(f.first_received_at as date) > p.deadline end as late,
         p.deadline, f.first_received_at, s.file_name, s.submission_id, u.ord as unit_order,
         case when s.submission_id is null then null else r.reason is not null end as review, r.reason as review_reason
  from periods p cross join units u
  left join submissions s on s.period_code = p.period_code and s.unit_code = u.code and s.status = 'loaded'
  left join firsts f on f.period_code = p.period_code and f.unit_code = u.code
  left join reviews r on r.submission_id = s.submission_id
  where (u.valid_from is null or p.ends_on is null or u.valid_from <= p.ends_on)
    and (u.valid_to is null or p.ends_on is null or u.valid_to >= p.ends_on);
create or replace view v_values_current_map as
  with src as (
    select p.period_code, l.unit_code, l.source_code
    from periods p cross join unit_lineage l
    join units cu on cu.code = l.unit_code
    join units a on a.code = l.source_code
    where cu.valid_to is null
      and (a.valid_from is null or p.ends_on is null or a.valid_from <= p.ends_on)
      and (a.valid_to is null or p.ends_on is null or a.valid_to >= p.ends_on)),
  n as (
    select period_code, unit_code, count(*) as n_sources, string_agg(source_code, '|' order by source_code) as sources
    from src group by period_code, unit_code),
  g as (
    select s.period_code, s.unit_code, o.indicator_code, sum(o.value) as total, count(*) as n_reported,
           min(o.value) as lo, max(o.value) as hi
    from src s join v_values o on o.period_code = s.period_code and o.unit_code = s.source_code
    group by s.period_code, s.unit_code, o.indicator_code),
  k as (  -- every figure reported, and every rate whose numerator was (a merged unit's rate comes from its parts)
    select period_code, unit_code, indicator_code from g
    union
    select g.period_code, g.unit_code, i.code from g join indicators i on i.agg = 'ratio' and i.numerator = g.indicator_code),
  m as (
    select k.period_code, k.unit_code, k.indicator_code,
           case when n.n_sources = 1 then g.total
                when i.agg = 'ratio' then case when gn.n_reported = n.n_sources and gd.n_reported = n.n_sources
                                                    and gd.total > 0 then gn.total / gd.total * 100 end
                when g.n_reported < n.n_sources then null
                when i.agg = 'sum' then g.total
                when i.agg = 'unit_share' then g.total / g.n_reported
                when i.agg = 'by_code' and g.lo = g.hi then g.lo
           end as value,
           n.n_sources, n.sources
    from k join n on n.period_code = k.period_code and n.unit_code = k.unit_code
    join indicators i on i.code = k.indicator_code
    left join g on g.period_code = k.period_code and g.unit_code = k.unit_code and g.indicator_code = k.indicator_code
    left join g gn on gn.period_code = k.period_code and gn.unit_code = k.unit_code and gn.indicator_code = i.numerator
    left join g gd on gd.period_code = k.period_code and gd.unit_code = k.unit_code and gd.indicator_code = i.denominator)
  select m.period_code, m.unit_code, u.label as unit_name, m.indicator_code, i.name as indicator_name, m.value,
         m.n_sources, m.sources as source_units, m.sources <> m.unit_code as combined
  from m join units u on u.code = m.unit_code join indicators i on i.code = m.indicator_code
  where m.value is not null;
""" + _flags.VIEWS


TABLES = ("units", "indicators", "catalog_versions", "indicators_history", "periods", "runs", "submissions", "files_seen",
          "observations", "issues", "district")


def connect(path: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file; a writer creates the schema and the views (a new file appears whole, schema and all)."""
    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        create(path)
    try:
        con = open_for_writing(path)
    except duckdb.IOException as exc:
        if not is_lock_error(exc):
            raise
        from pipeline.warehouse.lock import held_by_reader  # another program opened the live file during the run

        raise held_by_reader(path, 0) from None
    if not schema_current(con):
        apply_schema(con)
    return con


SCHEMA_MARK = "tonghop " + hashlib.sha256((SCHEMA + VIEWS).encode("utf-8")).hexdigest()[:16]


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create or upgrade the tables and (re)create the views, then mark the file with this schema's version.

    The mark is the comment of the view v_completeness (a content hash of SCHEMA and VIEWS): a writer that finds it
    current skips this work, which otherwise rewrites every view at every connection.
    """
    con.execute(SCHEMA)
    con.execute(VIEWS)
    con.execute(f"comment on view v_completeness is '{SCHEMA_MARK}'")


def schema_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Tell whether the file holds exactly this version's tables and views (see `apply_schema`)."""
    rows = con.execute("select comment from duckdb_views() where view_name = 'v_completeness' and schema_name = 'main' "
                       "and database_name = current_database()").fetchall()
    return bool(rows) and rows[0][0] == SCHEMA_MARK


def wal_of(path: Path) -> Path:
    """The write-ahead log DuckDB keeps beside a database file."""
    return Path(path).with_name(Path(path).name + ".wal")


def create(path: Path) -> None:
    """Create an empty warehouse with its schema under a temporary name, then rename it into place in one step.

    A process killed at any instant leaves either no warehouse or a whole one (never a file without tables).
    """
    path = Path(path)
    tmp = path.with_name(path.name + ".new")
    for leftover in (tmp, wal_of(tmp), wal_of(path)):  # a killed creation's file; a log without its database
        leftover.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        apply_schema(con)
        con.execute("checkpoint")
    finally:
        con.close()
    fsync(tmp)
    os.replace(tmp, path)
    fsync(path.parent)


def fsync(path: Path) -> None:
    """Flush a file's (or a folder's) content to disk."""
    fd = os.open(str(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # folders cannot be flushed on every platform
        pass
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Health:
    """Whether a warehouse file can be used: it opens, holds its tables and (when checked in full) every row reads back.

    `blank` says the file holds no ledger rows at all (no tables, or zero bytes): nothing in it can be lost.
    """

    ok: bool
    reason: str = ""  # Vietnamese, when not ok
    blank: bool = False
    submissions: int = 0


def health(path: Path, full: bool = True) -> Health:
    """Check a warehouse (or backup) file without changing it: open it read-only, find its tables, count submissions and,
    when `full`, read every row of every table so that DuckDB verifies each block's checksum (damage anywhere in the
    data, not only in the header)."""
    path = Path(path)
    try:
        if path.stat().st_size == 0:
            return Health(False, "tệp rỗng (0 byte)", blank=True)
        con = duckdb.connect(str(path), read_only=True)
    except (OSError, duckdb.Error) as exc:
        return Health(False, f"không mở được ({_first_line(exc)})")
    try:
        tables = {t for (t,) in con.execute("select table_name from duckdb_tables() "
                                              "where database_name = current_database() and schema_name = 'main'").fetchall()}
        missing = [t for t in TABLES if t not in tables]
        if "submissions" not in tables:
            return Health(False, "không có bảng dữ liệu nào" if not tables else f"thiếu bảng {', '.join(missing)}",
                          blank=not (tables & {"observations", "files_seen"}))
        n = int(con.execute("select count(*) from submissions").fetchone()[0])
        if missing:
            return Health(False, f"thiếu bảng {', '.join(missing)}", submissions=n)
        if full:
            for t in sorted(tables):
                con.execute(f'select count(*), sum(hash("{t}")) from "{t}"').fetchall()
        return Health(True, submissions=n)
    except duckdb.Error as exc:
        return Health(False, f"dữ liệu bị hỏng ({_first_line(exc)})")
    finally:
        con.close()


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def fold_log(path: Path) -> None:
    """Fold a write-ahead log left by a killed run into the file, so that a copy of the file alone is whole."""
    if wal_of(path).exists():
        con = duckdb.connect(str(path))
        try:
            con.execute("checkpoint")
        finally:
            con.close()


def open_for_writing(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the live file for writing (no schema work); duckdb.IOException when another process holds it."""
    return duckdb.connect(str(path))


@contextmanager
def session(path: Path, write: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse for one step (read-only unless `write`) and close it afterwards, whatever happens."""
    con = connect(path, read_only=not write)
    try:
        yield con
    finally:
        con.close()


def is_lock_error(exc: BaseException) -> bool:
    """Tell whether `exc` is DuckDB refusing the file because another process holds it (a fault that may pass)."""
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def checkpoint(con: duckdb.DuckDBPyConnection) -> None:
    """Fold the write-ahead log into the file (after a run's writes, before a copy or swap)."""
    con.execute("checkpoint")


def seen_files(con: duckdb.DuckDBPyConnection) -> tuple[set[tuple[str, int, int]], set[tuple[str, str]], dict[str, tuple[int, str]]]:
    """What the ledger knows of inbox files: (path, size, mtime_ns) seen, (path, sha256) seen, and sha256 -> (id, name).

    The last maps each content hash to its latest non-duplicate submission (for `duplicate` decisions).
    """
    stats: set[tuple[str, int, int]] = set()
    contents: set[tuple[str, str]] = set()
    for p, size, mtime, sha in con.execute("select path, size, mtime_ns, sha256 from files_seen").fetchall():
        stats.add((p, size, mtime))
        contents.add((p, sha))
    by_sha: dict[str, tuple[int, str]] = {}
    for sid, name, sha in con.execute("select submission_id, file_name, sha256 from submissions where status <> 'duplicate' "
                                      "order by submission_id desc").fetchall():
        by_sha[sha] = (int(sid), name)
    return stats, contents, by_sha


def unit_history(con: duckdb.DuckDBPyConnection, units: list[str]) -> pd.DataFrame:
    """Accepted current values of the given units in every period. Columns: unit_code, period_code, indicator_code, value."""
    return con.execute("select unit_code, period_code, indicator_code, value from v_values where unit_code in (select unnest(?))",
                       [sorted(units)]).df()


def period_codes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every period the warehouse knows, sorted by code."""
    return [p for (p,) in con.execute("select period_code from periods order by period_code").fetchall()]


def periods_with_values(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The periods that have accepted values."""
    return [p for (p,) in con.execute("select distinct period_code from v_values").fetchall()]


def completeness(con: duckdb.DuckDBPyConnection, periods: list[str]) -> pd.DataFrame:
    """v_completeness rows of `periods`, in period and registry order (columns of the view, plus unit_order)."""
    return con.execute("select * from v_completeness where period_code in (select unnest(?)) order by period_code, unit_order",
                       [sorted(periods)]).df()


def period_window(con: duckdb.DuckDBPyConnection, period_code: str) -> tuple[dt.date, dt.date] | None:
    """The data window the loaded submissions of a period state: (earliest start, latest end), or None."""
    row = con.execute("select min(window_from), max(window_to) from submissions where period_code = ? and status = 'loaded'",
                      [period_code]).fetchone()
    return (row[0], row[1]) if row and row[0] else None


def period_issues(con: duckdb.DuckDBPyConnection, period_code: str, held_code: str | None = None) -> pd.DataFrame:
    """Issues of the current submissions of a period, but those kept quiet by their flag (explained, accepted or
    ignored for the same value: see pipeline.warehouse.flags). Columns: file_name, unit_code, severity, code, message,
    source_ref, indicator_code, submission_id. The issues of kind `held_code` come without their message (null): the
    caller holds them (the period's issues it has just stored), so they are not read back."""
    frame = con.execute(
        "select file_name, unit_code, severity, code, case when code = ? then null else message end as message, "
        "source_ref, indicator_code, submission_id from v_issues "
        "where period_code = ? and coalesce(submission_status, '') <> 'superseded' and not coalesce(suppressed, false) "
        "order by unit_code, file_name, source_ref, indicator_code, code, severity, v_issues.message",  # the same order
        [held_code, period_code]).df()  # every time: issues of equal impact keep it (a rebuild gives the same impact_order)
    return shared_strings(frame, ["file_name", "unit_code", "severity", "code", "indicator_code"])


def shared_strings(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The frame with each repeated value of these text columns held once (DuckDB makes one Python string per row).

    Values and dtypes are unchanged; 5 000 issue-heavy files' 374 000 issues took 226 MiB instead of 337 MiB."""
    for c in columns:
        if c in frame.columns and frame[c].dtype == object:
            seen: dict = {}
            frame[c] = [seen.setdefault(v, v) for v in frame[c].tolist()]
    return frame


# DuckDB's own sandbox for an analyst's statement: no file outside the opened warehouse (COPY TO, ATTACH, EXPORT,
# read_csv/glob…), no extension installed or loaded, and the settings locked so that no SET/RESET/PRAGMA undoes them.
SANDBOX = {"enable_external_access": False, "allow_community_extensions": False, "allow_unsigned_extensions": False,
           "autoinstall_known_extensions": False, "autoload_known_extensions": False, "lock_configuration": True}


def query(path: Path, sql: str, max_rows: int) -> tuple[list[str], list[tuple]]:
    """Run the analyst's statement(s) on a read-only, sandboxed connection; return column names and ≤ `max_rows + 1` rows.

    Raises duckdb.Error (the statement failed or was refused) or duckdb.IOException (the file cannot be opened).
    """
    con = duckdb.connect(str(path), read_only=True, config=dict(SANDBOX))
    try:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description] if cur.description else []
        return cols, cur.fetchmany(max_rows + 1)
    finally:
        con.close()


def is_refusal(exc: BaseException) -> bool:
    """Tell whether DuckDB refused a statement because the connection is read-only or sandboxed (not a plain SQL error)."""
    text = str(exc).lower()
    return isinstance(exc, duckdb.PermissionException) or (
        isinstance(exc, duckdb.Error) and ("configuration has been locked" in text or "read-only mode" in text
                                           or "in read-only" in text))


def loaded_units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Units with loaded submissions: code, the name, kind and aliases last recorded for them, how many submissions."""
    return con.execute(
        "select s.unit_code as code, any_value(u.name) as name, any_value(u.kind) as kind, any_value(u.aliases) as aliases, "
        "count(*) as n_submissions from submissions s left join units u on u.code = s.unit_code "
        "where s.status = 'loaded' and s.unit_code is not null group by s.unit_code order by s.unit_code").df()


def reference_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The content hash of each reference file as the last run that applied it recorded it ({} before any)."""
    if not con.execute("select 1 from duckdb_tables() where table_name = 'reference_files'").fetchone():
        return {}  # a warehouse written before reference files were recorded
    rows = con.execute("select name, arg_max(sha256, recorded_at) from reference_files group by name").fetchall()
    return {name: sha for name, sha in rows}


def record_reference(con: duckdb.DuckDBPyConnection, run_id: str, hashes: dict[str, str | None]) -> None:
    """Record the reference files' content hashes a run applied (its outputs reflect these versions)."""
    now = dt.datetime.now()
    con.executemany("insert into reference_files values (?, ?, ?, ?)",
                    [[run_id, name, sha or "", now] for name, sha in hashes.items()])


def sync_reference(con: duckdb.DuckDBPyConnection, units: pd.DataFrame, indicators: pd.DataFrame,
                   lineage: list[tuple[str, str]] | None = None) -> str:
    """Replace the units and indicators tables with the registry and catalog files' content; keep each catalog version.

    `lineage` is the registry's (unit_code, source_code) rows (Registry.lineage_rows; each unit alone when not given),
    which v_values_current_map combines.
    """
    u = units[["code", "name", "kind", "aliases", "label", "order"]].rename(columns={"order": "ord"})
    for c in ("valid_from", "valid_to", "merged_into", "split_from", "renamed_from"):  # dates, or codes separated by '|'
        given = list(units[c]) if c in units.columns else [None] * len(units)
        u[c] = pd.Series([v if v not in ("", None) else None for v in given], index=u.index, dtype=object)
    lin = pd.DataFrame(lineage if lineage is not None else [(c, c) for c in units["code"]], columns=["unit_code", "source_code"])
    con.register("new_lineage", lin)
    i = indicators[["code", "area", "name", "unit", "kind", "agg", "numerator", "denominator", "code_list", "order"]].rename(columns={"order": "ord"})
    con.register("new_units", u)
    con.register("new_indicators", i)
    con.execute("begin")
    con.execute("delete from units")
    con.execute("insert into units by name select * from new_units")
    con.execute("delete from unit_lineage")
    con.execute("insert into unit_lineage by name select * from new_lineage")
    con.execute("delete from indicators")
    con.execute("insert into indicators select * from new_indicators")
    version = catalog_version(i)
    if not con.execute("select 1 from catalog_versions where version = ?", [version]).fetchone():
        con.execute("insert into catalog_versions values (?, ?, ?)", [version, dt.datetime.now(), len(i)])
        con.execute("insert into indicators_history select ?, * from new_indicators", [version])
    con.execute("commit")
    con.unregister("new_units")
    con.unregister("new_indicators")
    con.unregister("new_lineage")
    return version


def catalog_version(indicators: pd.DataFrame) -> str:
    """Return a short content hash naming one version of the indicator catalog."""
    text = indicators.to_csv(index=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


SUBMISSION_COLUMNS = ["submission_id", "file_name", "path", "sha256", "size", "received_at", "unit_code", "period_code",
                      "period_stated", "window_from", "window_to", "report_number", "report_date", "layout", "status", "reason",
                      "supersedes", "superseded_by", "run_id", "revises"]
OBSERVATION_COLUMNS = ["submission_id", "indicator_code", "value", "raw", "source_ref", "accepted", "state"]
ISSUE_COLUMNS = STORED_ISSUE_COLUMNS


@dataclass(frozen=True)
class Rows:
    """Rows start..stop of a frame that holds many files' rows (a run's values or issues), without a frame per file:
    a batch of consecutive files is then inserted from one slice of that frame."""

    frame: pd.DataFrame
    start: int
    stop: int

    def __len__(self) -> int:
        return self.stop - self.start

    @property
    def empty(self) -> bool:
        """Whether there are no rows."""
        return self.stop <= self.start

    def to_frame(self) -> pd.DataFrame:
        """The rows as a DataFrame of their own."""
        return self.frame.iloc[self.start:self.stop].reset_index(drop=True)


@dataclass
class Pending:
    """One file to record: its ledger row, accepted-or-not values, issues and (path, size, mtime_ns)."""

    record: dict
    observations: pd.DataFrame | Rows
    issues: pd.DataFrame | Rows
    file_stat: tuple[str, int, int]
    submission_id: int | None = None  # set once recorded
    supersedes: int | None = None  # the submission this one replaced
    replies: pd.DataFrame | None = None  # a reply workbook's rows (flags.REPLY_COLUMNS but submission_id), if it is one


def record_submissions(con: duckdb.DuckDBPyConnection, batch: list[Pending]) -> list[Pending]:
    """Record files in one transaction: each one's ledger row, values, issues and the superseding it causes.

    Every submission is whole or absent: a crash before the commit leaves none of the batch. A new loaded file for a
    unit and period that has a loaded submission supersedes it (also within the batch, in order).
    """
    if not batch:
        return batch
    con.execute("begin")
    try:
        ids = [int(r[0]) for r in con.execute("select nextval('seq_submission') from range(?)", [len(batch)]).fetchall()]
        periods = sorted({item.record.get("period_code") for item in batch if item.record.get("status") == "loaded"} - {None})
        current = {(u, per): (int(sid), name) for sid, name, u, per in con.execute(
            "select submission_id, file_name, unit_code, period_code from submissions where status = 'loaded' "
            "and period_code in (select unnest(?))", [periods]).fetchall()} if periods else {}
        rows, seen, old_superseded = [], [], []
        by_id: dict[int, dict] = {}
        for item, sid in zip(batch, ids):
            rec = {"revises": None, **item.record, "submission_id": sid, "supersedes": None, "superseded_by": None}
            item.submission_id = sid
            if rec["status"] == "loaded":
                key = (rec["unit_code"], rec["period_code"])
                if key in current:
                    old_sid, _ = current[key]
                    item.supersedes = rec["supersedes"] = old_sid
                    reason = f"Được thay thế bởi tệp {rec['file_name']} (mã nộp {sid})"
                    if old_sid in by_id:  # replaced within this batch
                        by_id[old_sid].update(status="superseded", superseded_by=sid, reason=reason)
                    else:
                        old_superseded.append((sid, reason, old_sid))
                current[key] = (sid, rec["file_name"])
            by_id[sid] = rec
            rows.append(rec)
            seen.append((*item.file_stat, rec["sha256"], sid))
        _insert(con, "submissions", pd.DataFrame(rows, columns=SUBMISSION_COLUMNS).astype({"size": "int64"}))
        for sid, reason, old_sid in old_superseded:
            con.execute("update submissions set status = 'superseded', superseded_by = ?, reason = ? where submission_id = ?",
                        [sid, reason, old_sid])
        loaded = [(r["period_code"], r["received_at"]) for r in rows if r["status"] == "loaded" and r["period_code"]]
        for period in sorted({p for p, _ in loaded}):
            first = min(t for p, t in loaded if p == period)
            con.execute("insert into periods (period_code, first_seen) select ?, ? where not exists "
                        "(select 1 from periods where period_code = ?)", [period, first, period])
            con.execute("update periods set stale = true where period_code = ?", [period])
        obs = _stacked([item.observations for item in batch], ids, OBSERVATION_COLUMNS)
        if obs is not None:
            _insert(con, "observations", obs)
        found = _stacked([item.issues for item in batch], ids, ISSUE_COLUMNS)
        if found is not None:
            _insert(con, "issues", found)
        _insert(con, "files_seen", pd.DataFrame(seen, columns=["path", "size", "mtime_ns", "sha256", "submission_id"]))
        for item in batch:  # the explanations and corrections of a reply workbook (few: one reply per unit and period)
            if item.replies is not None and len(item.replies):
                _insert(con, "reply_rows", item.replies.assign(submission_id=item.submission_id)[_flags.REPLY_COLUMNS])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        for item in batch:
            item.submission_id = item.supersedes = None
        raise
    return batch


def _stacked(parts: list[pd.DataFrame | Rows], ids: list[int], columns: list[str]) -> pd.DataFrame | None:
    """The files' rows as one frame (one insert per table per batch), each row with its file's submission_id.

    Consecutive `Rows` of one shared frame are taken as one slice of it; anything else is concatenated.
    """
    lengths = np.array([len(p) for p in parts], dtype=np.int64)
    if not lengths.sum():
        return None
    given = [p for p in parts if len(p)]
    if all(isinstance(p, Rows) and p.frame is given[0].frame for p in given) and all(
            a.stop == b.start for a, b in zip(given, given[1:])):
        out = given[0].frame.iloc[given[0].start:given[-1].stop].reset_index(drop=True)
    else:
        out = pd.concat([p.to_frame() if isinstance(p, Rows) else p for p in given], ignore_index=True)
    out = out.assign(submission_id=np.repeat(np.asarray(ids, dtype=np.int64), lengths))
    for c in columns:  # a column later versions added (observations.state): absent from an older caller's frame
        if c not in out.columns:
            out[c] = None
    return out[columns]


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append a DataFrame to a table by column name, in one statement."""
    con.register("_new_rows", frame)
    try:
        con.execute(f"insert into {table} by name select * from _new_rows")
    finally:
        con.unregister("_new_rows")


def touch_file(con: duckdb.DuckDBPyConnection, path: str, size: int, mtime_ns: int, sha256: str) -> None:
    """Remember a new mtime for a file whose bytes were already taken in."""
    con.execute("insert into files_seen values (?, ?, ?, ?, null)", [path, size, mtime_ns, sha256])


def ensure_period(con: duckdb.DuckDBPyConnection, period_code: str) -> None:
    """Register a period so that completeness lists every unit for it."""
    con.execute("insert into periods (period_code, first_seen) select ?, ? where not exists (select 1 from periods where period_code = ?)",
                [period_code, dt.datetime.now(), period_code])


def refresh_deadlines(con: duckdb.DuckDBPyConnection, rule: DeadlineRule) -> None:
    """Recompute every period's calendar bounds and deadline (the rule and the data windows its submissions state)."""
    rows = con.execute("select p.period_code, list(s.window_to) filter (where s.window_to is not null) from periods p "
                       "left join submissions s on s.period_code = p.period_code and s.status in ('loaded', 'superseded') "
                       "group by p.period_code").fetchall()
    for code, ends in rows:
        bounds = period_bounds(code) if is_period(code) else (None, None)
        con.execute("update periods set deadline = ?, kind = ?, starts_on = ?, ends_on = ? where period_code = ?",
                    [period_deadline(code, list(ends or []), rule), period_kind(code) if is_period(code) else None,
                     bounds[0], bounds[1], code])


def stale_periods(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Periods with submissions loaded since their figures and workbook were last written (e.g. after a crash)."""
    return [p for (p,) in con.execute("select period_code from periods where stale order by period_code").fetchall()]


def mark_fresh(con: duckdb.DuckDBPyConnection, period_code: str) -> None:
    """Record that a period's figures and workbook reflect all its submissions."""
    con.execute("update periods set stale = false where period_code = ?", [period_code])


def period_values(con: duckdb.DuckDBPyConnection, period_code: str) -> pd.DataFrame:
    """Return the accepted current values of one period."""
    return con.execute("select period_code, unit_code, indicator_code, value from v_values where period_code = ?", [period_code]).df()


def period_states(con: duckdb.DuckDBPyConnection, period_code: str) -> pd.DataFrame:
    """The cells of one period's current submissions that hold no accepted value: "không áp dụng" (value_state na)
    and left blank (blank). Columns: period_code, unit_code, indicator_code, value_state."""
    return con.execute("select period_code, unit_code, indicator_code, value_state from v_value_states "
                       "where period_code = ? and value_state in ('na', 'blank')", [period_code]).df()


def replace_district(con: duckdb.DuckDBPyConnection, period_code: str, district: pd.DataFrame) -> None:
    """Replace the consolidated figures of one period in one transaction."""
    for c, default in (("n_na", 0), ("n_blank", 0), ("blank_units", "")):  # a frame from before the value states
        if c not in district.columns:
            district = district.assign(**{c: default})
    d = district.assign(computed_at=dt.datetime.now())[["period_code", "indicator_code", "value", "n_units", "n_expected", "detail",
                                                          "computed_at", "n_na", "n_blank", "blank_units"]]
    con.register("new_district", d)
    con.execute("begin")
    con.execute("delete from district where period_code = ?", [period_code])
    if not d.empty:
        con.execute("insert into district by name select * from new_district")
    con.execute("commit")
    con.unregister("new_district")


def record_run(con: duckdb.DuckDBPyConnection, run: dict) -> None:
    """Store the summary row of a run."""
    cols = list(run)
    con.execute(f"insert into runs ({', '.join(cols)}) values ({', '.join('?' for _ in cols)})", [run[c] for c in cols])


IMPACT_COLUMNS = ["impact_abs", "impact_rel", "rank_with", "rank_without", "band_with", "band_without", "impact_order"]


def period_located_values(con: duckdb.DuckDBPyConnection, period_code: str) -> pd.DataFrame:
    """The accepted current values of one period with where they come from: unit_code, indicator_code, value,
    submission_id, source_ref."""
    return con.execute("select unit_code, indicator_code, value, submission_id, source_ref from v_values "
                       "where period_code = ?", [period_code]).df()


def replace_period_issues(con: duckdb.DuckDBPyConnection, period_code: str, codes: list[str], found: pd.DataFrame) -> None:
    """Replace the issues of kinds `codes` of the period by `found` (ISSUE_COLUMNS rows on its current submissions,
    found when the period is consolidated, such as a unit far from the district figure), in one transaction: they
    describe the period as it is now, so a superseded submission keeps none."""
    con.execute("begin")
    try:
        con.execute("delete from issues where code in (select unnest(?)) and submission_id in "
                    "(select submission_id from submissions where period_code = ?)",
                    [list(codes), period_code])
        if len(found):
            _insert(con, "issues", found[ISSUE_COLUMNS])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def store_impact(con: duckdb.DuckDBPyConnection, period_code: str, impact: pd.DataFrame) -> None:
    """Record the impact of the values the period's current submissions' issues are on (table issue_impacts, shown as
    the last columns of v_issues): `impact` holds one row per unit and indicator (unit_code, indicator_code and
    IMPACT_COLUMNS), replacing what the period had (a superseded submission keeps none: impact is the current state's)."""
    con.execute("begin")
    try:
        con.execute("delete from issue_impacts where submission_id in "
                    "(select submission_id from submissions where period_code = ?)", [period_code])
        if len(impact):
            frame = impact[["unit_code", "indicator_code", *IMPACT_COLUMNS]].astype(
                {"impact_abs": float, "impact_rel": float, "rank_with": "Int64", "rank_without": "Int64", "impact_order": "Int64"})
            con.register("_impact", frame)
            try:
                con.execute("insert into issue_impacts by name select s.submission_id, "
                            + ", ".join(f"n.{c}" for c in ["indicator_code", *IMPACT_COLUMNS])
                            + " from _impact n join submissions s on s.unit_code = n.unit_code and s.period_code = ? "
                              "and s.status = 'loaded'", [period_code])
            finally:
                con.unregister("_impact")
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
