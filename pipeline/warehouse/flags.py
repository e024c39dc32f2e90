"""Flags: issues on values followed up across runs and versions (the quality dialogue with the communes).

A flag is one problem on one value, identified by (period_code, unit_code, indicator_code, code) whatever the version
of the unit's submission that raised it. Its state is one of STATES; every change is one row of `flag_events`.
`maintain_flags` brings the flags up to date after a run recorded its submissions: set-based statements over every
submission recorded since the last sweep (never a statement per value), in one transaction.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

OPEN = "mở"
EXPLAINED = "đã giải trình"
FIXED = "đã sửa"
ACCEPTED = "chấp nhận"
IGNORED = "bỏ qua"
STATES = (OPEN, EXPLAINED, FIXED, ACCEPTED, IGNORED)
QUIET = (EXPLAINED, ACCEPTED, IGNORED)  # a flag in one of these is not raised again for the same value
COMMAND = "lệnh tonghop flag"  # flag_events.source of a decision the officer took with `tonghop flag`

SCHEMA = """
create table if not exists flags(flag_id integer, period_code varchar, unit_code varchar, indicator_code varchar,
    code varchar, value double, raw varchar, state varchar, explanation varchar, source_ref varchar,
    first_submission_id integer, last_submission_id integer, opened_at timestamp, updated_at timestamp);
create table if not exists flag_events(flag_id integer, "at" timestamp, state varchar, explanation varchar, "by" varchar,
    source varchar);
create table if not exists flag_sweeps(run_id varchar, through_submission_id integer, swept_at timestamp);
create table if not exists reply_rows(submission_id integer, revises integer, flag_id integer, indicator_code varchar,
    explanation varchar, explanation_ref varchar, value double, raw varchar, value_ref varchar);
alter table issues add column if not exists suppressed boolean;
alter table issues add column if not exists flag_id integer;
alter table submissions add column if not exists revises integer;
"""

VIEWS = """
create or replace view v_flags as
  select f.flag_id, f.period_code, f.unit_code, f.indicator_code, f.code, f.state, f.explanation, f.source_ref,
         u.label as unit_name, i.name as indicator_name, f.value, f.raw, f.first_submission_id, f.last_submission_id,
         f.opened_at, f.updated_at
  from flags f left join units u on u.code = f.unit_code left join indicators i on i.code = f.indicator_code;
create or replace view v_flag_events as
  select e.flag_id, e."at", e.state, e.explanation, e."by", e.source, f.period_code, f.unit_code, f.indicator_code, f.code
  from flag_events e join flags f on f.flag_id = e.flag_id;
"""

REPLY_COLUMNS = ["submission_id", "revises", "flag_id", "indicator_code", "explanation", "explanation_ref", "value", "raw",
                 "value_ref"]

_SAME = ("(f.value is not distinct from c.value and (c.value is not null or f.raw is not distinct from c.raw))")
_KEY = ("f.period_code = c.period_code and f.unit_code = c.unit_code and f.indicator_code = c.indicator_code "
        "and f.code = c.code")


def maintain_flags(con: duckdb.DuckDBPyConnection, run_id: str, now: dt.datetime | None = None) -> dict[str, int]:
    """Bring the flags up to date with every submission recorded since the last sweep, in one transaction.

    In order: the explanations of replies (`reply_rows`) set their flags `đã giải trình` (an office decision,
    `chấp nhận`/`bỏ qua`, stays); each issue on a value of a current submission then opens a new flag, is kept quiet
    (its issue marked `suppressed`) when its flag is explained, accepted or ignored for the same value, or reopens its
    flag when the value changed (or was fixed before); a flag of a unit and period that got a new version which no
    longer raises it, because the value changed, becomes `đã sửa`. Returns how many flags each action touched.
    """
    now = now or dt.datetime.now()
    con.execute("begin")
    try:
        counts = _sweep(con, run_id, now)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        for t in ("_fl_new", "_fl_expl", "_fl_cur", "_fl_dec", "_fl_pairs", "_fl_changed", "_fl_fixed"):
            con.execute(f"drop table if exists {t}")
    return counts


def _sweep(con: duckdb.DuckDBPyConnection, run_id: str, now: dt.datetime) -> dict[str, int]:
    since = con.execute("select coalesce(max(through_submission_id), 0) from flag_sweeps").fetchone()[0]
    through = con.execute("select coalesce(max(submission_id), 0) from submissions").fetchone()[0]
    if through <= since:
        return {}
    source = f"lượt chạy {run_id}"
    con.execute("create temp table _fl_new as select submission_id, unit_code, period_code from submissions "
                "where submission_id > ? and submission_id <= ? and status = 'loaded' and unit_code is not null "
                "and period_code is not null", [since, through])
    # 1. explanations sent back in reply workbooks
    con.execute(f"""create temp table _fl_expl as
        select r.flag_id, any_value(r.explanation) as explanation, any_value(r.explanation_ref) as ref
        from reply_rows r join _fl_new n on n.submission_id = r.submission_id join flags f on f.flag_id = r.flag_id
        where nullif(trim(r.explanation), '') is not null and f.state not in ('{ACCEPTED}', '{IGNORED}')
        group by r.flag_id""")
    con.execute(f"update flags set state = '{EXPLAINED}', explanation = e.explanation, updated_at = ? from _fl_expl e "
                "where flags.flag_id = e.flag_id", [now])
    con.execute(f"insert into flag_events select flag_id, ?, '{EXPLAINED}', explanation, 'đơn vị', ref from _fl_expl", [now])
    # 2. the issues on values of the new current submissions, one per flag key
    con.execute("""create temp table _fl_cur as
        select n.period_code, n.unit_code, i.indicator_code, i.code, n.submission_id,
               any_value(o.value) as value, coalesce(any_value(o.raw), any_value(i.raw)) as raw,
               coalesce(any_value(o.source_ref), min(i.source_ref)) as source_ref
        from issues i join _fl_new n on n.submission_id = i.submission_id
        left join observations o on o.submission_id = i.submission_id and o.indicator_code = i.indicator_code
        where i.indicator_code is not null and i.severity in ('error', 'warning')
        group by n.period_code, n.unit_code, i.indicator_code, i.code, n.submission_id""")
    con.execute(f"""create temp table _fl_dec as
        select c.*, f.flag_id as old_id, f.state as old_state,
               case when f.flag_id is null then 'new'
                    when {_SAME} and f.state in ('{EXPLAINED}', '{ACCEPTED}', '{IGNORED}') then 'quiet'
                    when {_SAME} and f.state = '{OPEN}' then 'keep'
                    else 'reopen' end as action
        from _fl_cur c left join flags f on {_KEY}""")
    first = con.execute("select coalesce(max(flag_id), 0) from flags").fetchone()[0]
    con.execute(f"""insert into flags select ? + row_number() over (order by d.submission_id, i.ord nulls last,
               d.indicator_code, d.code), d.period_code, d.unit_code, d.indicator_code, d.code, d.value, d.raw,
        '{OPEN}', null, d.source_ref, d.submission_id, d.submission_id, ?, ?
        from _fl_dec d left join indicators i on i.code = d.indicator_code where d.action = 'new'""", [first, now, now])
    con.execute(f"""insert into flag_events select f.flag_id, ?, '{OPEN}', null, 'tonghop', ?
        from _fl_dec c join flags f on {_KEY} where c.action = 'new'""", [now, source])
    con.execute(f"""update flags set state = '{OPEN}', explanation = null, value = d.value, raw = d.raw,
        source_ref = d.source_ref, last_submission_id = d.submission_id, updated_at = ?
        from _fl_dec d where flags.flag_id = d.old_id and d.action = 'reopen'""", [now])
    con.execute(f"""insert into flag_events select old_id, ?, '{OPEN}', null, 'tonghop', ? from _fl_dec
        where action = 'reopen'""", [now, source])
    con.execute("""update flags set last_submission_id = d.submission_id, source_ref = d.source_ref
        from _fl_dec d where flags.flag_id = d.old_id and d.action in ('keep', 'quiet')""")
    con.execute(f"""update issues set flag_id = f.flag_id, suppressed = (c.action = 'quiet')
        from _fl_dec c join flags f on {_KEY}
        where issues.submission_id = c.submission_id and issues.indicator_code = c.indicator_code
          and issues.code = c.code and issues.severity in ('error', 'warning')""")
    # 3. flags a new version no longer raises because values changed: the flagged value itself, or another value of
    # the submission (a rule between values is mended by correcting either side); the flagged value must be there
    con.execute(f"""create temp table _fl_pairs as
        select distinct n.submission_id as new_sid, f.last_submission_id as old_sid
        from flags f join _fl_new n on n.period_code = f.period_code and n.unit_code = f.unit_code
        where f.state <> '{FIXED}' and f.last_submission_id < n.submission_id""")
    con.execute("""create temp table _fl_changed as
        select p.new_sid, p.old_sid from _fl_pairs p
        where exists (select indicator_code, value from observations where submission_id = p.new_sid and accepted
                      except select indicator_code, value from observations where submission_id = p.old_sid and accepted)
           or exists (select indicator_code, value from observations where submission_id = p.old_sid and accepted
                      except select indicator_code, value from observations where submission_id = p.new_sid and accepted)""")
    con.execute(f"""create temp table _fl_fixed as
        select f.flag_id, o.value, o.raw, coalesce(o.source_ref, f.source_ref) as source_ref, n.submission_id
        from flags f join _fl_new n on n.period_code = f.period_code and n.unit_code = f.unit_code
        join observations o on o.submission_id = n.submission_id and o.indicator_code = f.indicator_code and o.accepted
        where f.state <> '{FIXED}' and f.last_submission_id < n.submission_id
          and not exists (select 1 from _fl_cur c where {_KEY})
          and o.value is not null
          and (o.value is distinct from f.value
               or exists (select 1 from _fl_changed x where x.new_sid = n.submission_id
                          and x.old_sid = f.last_submission_id))""")
    con.execute(f"""update flags set state = '{FIXED}', value = x.value, raw = x.raw, source_ref = x.source_ref,
        last_submission_id = x.submission_id, updated_at = ? from _fl_fixed x where flags.flag_id = x.flag_id""", [now])
    con.execute(f"insert into flag_events select flag_id, ?, '{FIXED}', null, 'tonghop', ? from _fl_fixed", [now, source])
    con.execute("insert into flag_sweeps values (?, ?, ?)", [run_id, through, now])
    counts = dict(con.execute("select action, count(*) from _fl_dec group by action").fetchall())
    counts["explained"] = con.execute("select count(*) from _fl_expl").fetchone()[0]
    counts["fixed"] = con.execute("select count(*) from _fl_fixed").fetchone()[0]
    return counts


# ------------------------------------------------------------------------------------------------ the officer's command

def select_flags(con: duckdb.DuckDBPyConnection, ids: list[int] | None = None, period: str | None = None,
                 unit: str | None = None, indicator: str | None = None, code: str | None = None) -> pd.DataFrame:
    """The v_flags rows chosen by ids and/or filters (all of them when nothing is given), in flag order."""
    if not con.execute("select 1 from duckdb_views() where view_name = 'v_flags' and database_name = current_database()"
                       ).fetchone():  # a warehouse (or read copy) written before flags existed: none yet
        return pd.DataFrame(columns=["flag_id", "period_code", "unit_code", "indicator_code", "code", "state", "explanation",
                                     "source_ref", "value"])
    where, params = [], []
    if ids:
        where.append("flag_id in (select unnest(?))")
        params.append([int(i) for i in ids])
    for column, value in (("period_code", period), ("unit_code", unit), ("indicator_code", indicator), ("code", code)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    sql = "select * from v_flags" + (" where " + " and ".join(where) if where else "") + " order by flag_id"
    return con.execute(sql, params).df()


def known_flag_ids(con: duckdb.DuckDBPyConnection, ids: list[int]) -> set[int]:
    """Which of `ids` are flags."""
    return {int(i) for (i,) in con.execute("select flag_id from flags where flag_id in (select unnest(?))",
                                          [[int(i) for i in ids]]).fetchall()}


def set_flag_state(con: duckdb.DuckDBPyConnection, ids: list[int], state: str, note: str | None, by: str, source: str,
                   now: dt.datetime | None = None) -> int:
    """Set the state (and the note, when given) of the flags `ids` and log one event each, in one transaction."""
    if state not in STATES:
        raise ValueError(state)
    now = now or dt.datetime.now()
    ids = sorted({int(i) for i in ids})
    con.execute("begin")
    try:
        con.execute("update flags set state = ?, explanation = coalesce(?, explanation), updated_at = ? "
                    "where flag_id in (select unnest(?))", [state, note, now, ids])
        con.execute("insert into flag_events select flag_id, ?, ?, ?, ?, ? from flags where flag_id in (select unnest(?))",
                    [now, state, note, by, source, ids])
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return len(ids)


def standing_decisions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The officer's decisions that still stand: flags whose last recorded event is a `tonghop flag` command (COMMAND;
    a decision carried over by a rebuild keeps its own time, so "last" is the order of recording, not of time).

    Columns: period_code, unit_code, indicator_code, code, value, raw, at, state, explanation, by, source. A rebuild
    from the archive replays the communes' files and replies, not the officer's commands: these are carried over.
    """
    return con.execute(
        'with last as (select e.*, row_number() over (partition by e.flag_id order by e.rowid desc) as k '  # as recorded
        "from flag_events e) "
        'select f.period_code, f.unit_code, f.indicator_code, f.code, f.value, f.raw, l."at", l.state, l.explanation, '
        'l."by", l.source from last l join flags f on f.flag_id = l.flag_id where l.k = 1 and l.source = ? '
        'order by l."at"', [COMMAND]).df()


def decisions_in(path: Path) -> pd.DataFrame:
    """`standing_decisions` of the warehouse file at `path` (read-only); empty when there is no file, it cannot be
    opened, or it predates the flags."""
    if not Path(path).exists():
        return pd.DataFrame()
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return pd.DataFrame()
    try:
        return standing_decisions(con)
    except duckdb.Error:  # no flags in it yet (an older warehouse)
        return pd.DataFrame()
    finally:
        con.close()


def replay_decisions(con: duckdb.DuckDBPyConnection, decisions: pd.DataFrame) -> int:
    """Apply `standing_decisions` of an earlier warehouse to the flags of this one with the same unit, period,
    indicator, issue code and value (a value that differs is a flag the decision was not about); how many applied."""
    applied = 0
    for d in decisions.itertuples(index=False):
        value = None if d.value is None or pd.isna(d.value) else float(d.value)
        raw = None if d.raw is None or (isinstance(d.raw, float) and pd.isna(d.raw)) else d.raw
        ids = [int(i) for (i,) in con.execute(
            "select flag_id from flags where period_code = ? and unit_code = ? and indicator_code = ? and code = ? "
            "and value is not distinct from ? and (? is not null or raw is not distinct from ?)",
            [d.period_code, d.unit_code, d.indicator_code, d.code, value, value, raw]).fetchall()]
        if ids:
            at = d.at.to_pydatetime() if hasattr(d.at, "to_pydatetime") else d.at
            explanation = None if d.explanation is None or (isinstance(d.explanation, float) and pd.isna(d.explanation)) \
                else d.explanation
            applied += set_flag_state(con, ids, d.state, explanation, d.by, d.source, now=at)
    return applied


# ------------------------------------------------------------------------------------------------ feedback and replies

def open_flags(con: duckdb.DuckDBPyConnection, submission_ids: list[int]) -> pd.DataFrame:
    """The open flags each of `submission_ids` raised (not suppressed), one row per flag with the issue that raised it.

    Columns: submission_id, flag_id, indicator_code, indicator_name, unit_of_measure, value, raw, code, severity,
    message, sheet, cell, source_ref. In submission, catalog order.
    """
    if not submission_ids:
        return pd.DataFrame(columns=["submission_id", "flag_id", "indicator_code", "indicator_name", "unit_of_measure",
                                     "value", "raw", "code", "severity", "message", "sheet", "cell", "source_ref"])
    return con.execute(f"""
        select i.submission_id, f.flag_id, any_value(f.indicator_code) as indicator_code, any_value(ind.name) as indicator_name,
               any_value(ind.unit) as unit_of_measure, any_value(f.value) as value, any_value(f.raw) as raw,
               any_value(f.code) as code, any_value(i.severity) as severity, min(i.message) as message,
               min(i.sheet) as sheet, min(i.cell) as cell, any_value(f.source_ref) as source_ref,
               any_value(ind.ord) as ord
        from issues i join flags f on f.flag_id = i.flag_id
        left join indicators ind on ind.code = f.indicator_code
        where i.submission_id in (select unnest(?)) and not coalesce(i.suppressed, false) and f.state = '{OPEN}'
        group by i.submission_id, f.flag_id
        order by i.submission_id, ord nulls last, f.flag_id""", [[int(s) for s in submission_ids]]).df().drop(columns="ord")


def suppressed_issues(con: duckdb.DuckDBPyConnection, submission_ids: list[int]) -> set[tuple[int, str, str]]:
    """(submission_id, indicator_code, code) of the issues kept quiet because their flag is explained or decided."""
    if not submission_ids:
        return set()
    return {(int(s), i, c) for s, i, c in con.execute(
        "select distinct submission_id, indicator_code, code from issues where suppressed "
        "and submission_id in (select unnest(?))", [[int(s) for s in submission_ids]]).fetchall()}


def reply_base(con: duckdb.DuckDBPyConnection, submission_id: int) -> dict | None:
    """The submission a reply names: its ledger row (status, unit, period, file_name), or None when unknown."""
    cols = ("submission_id", "status", "unit_code", "period_code", "file_name", "superseded_by", "window_from", "window_to")
    row = con.execute(f"select {', '.join(cols)} from submissions where submission_id = ?", [int(submission_id)]).fetchone()
    return None if row is None else dict(zip(cols, row))


def accepted_values(con: duckdb.DuckDBPyConnection, submission_id: int) -> pd.DataFrame:
    """The accepted answers of one submission: indicator_code, value, raw, source_ref, state (observation order):
    its values, and its "không áp dụng" answers (value NULL, state 'na'); blank cells are not answers."""
    return con.execute("select indicator_code, value, raw, source_ref, coalesce(state, 'value') as state from observations "
                       "where submission_id = ? and accepted and (value is not null or state = 'na') order by rowid",
                       [int(submission_id)]).df()


def flags_of(con: duckdb.DuckDBPyConnection, ids: list[int]) -> pd.DataFrame:
    """flag_id, period_code, unit_code, indicator_code, code, state of the flags `ids`."""
    return con.execute("select flag_id, period_code, unit_code, indicator_code, code, state from flags "
                       "where flag_id in (select unnest(?))", [[int(i) for i in ids]]).df()
