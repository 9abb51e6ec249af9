"""Bulk loads: build the events table's secondary indexes once, after the rows are in.

Keeping eight indexes up to date row by row made inserting 300,000 events about three times
slower than inserting them into a bare table and building the indexes afterwards (each index is
then one sort). That pays only when the load is large next to what the table holds, because
rebuilding also re-sorts the rows already there; :func:`bulk_load` decides.

Both backends change indexes inside the import's transaction, so a failed import leaves them as
they were. On SQLite (WAL) readers keep reading the last committed state meanwhile. On
PostgreSQL ``DROP INDEX`` locks the table against readers until the commit, so there it is done
only when the table is empty (a first import), and indexes backing a constraint are left alone.

Writing many rows from a Polars frame goes through :func:`insert_frame`, for events and
stored figures alike: ``COPY`` on PostgreSQL; on SQLite a staging database for big loads
(:func:`insert_staged`), else one ``executemany`` per chunk.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import adbc_driver_sqlite.dbapi as adbc_sqlite
import polars as pl
import psutil
from django.db import OperationalError, connection, transaction
from django.db.backends.utils import CursorWrapper

from commonground.events.models import Event

#: Smaller loads keep the indexes: rebuilding costs more than it saves below this.
MIN_BULK_ROWS = 20_000

#: Rebuild when the load is at least this share of the rows the table will then hold. Measured
#: on SQLite: maintaining the indexes while inserting costs about 3x building them from sorted
#: rows, so rebuilding wins while the new rows are more than about a third of the total; half
#: leaves a margin.
MIN_SHARE_OF_TABLE = 0.5


def bulk_load(new_rows: int) -> bool:
    """Whether inserting ``new_rows`` events should defer the indexes (see the module doc)."""
    if new_rows < MIN_BULK_ROWS:
        return False
    if connection.vendor == "postgresql":
        return should_defer(new_rows, 1 if Event.objects.exists() else 0, locks_readers=True)
    return should_defer(new_rows, Event.objects.order_by().count(), locks_readers=False)


def should_defer(new_rows: int, existing_rows: int, *, locks_readers: bool) -> bool:
    """The rule behind :func:`bulk_load`: a big load, into an empty table where dropping an
    index locks readers out, else into a table it will make up at least half of."""
    if new_rows < MIN_BULK_ROWS:
        return False
    if locks_readers:
        return existing_rows == 0
    return new_rows >= MIN_SHARE_OF_TABLE * (existing_rows + new_rows)


@contextmanager
def deferred_indexes(table: str, enabled: bool) -> Iterator[None]:
    """Drop ``table``'s secondary indexes, run the body, create them again exactly as they were.

    The definitions are read back from the database itself, so whatever the migrations made is
    what comes back, unique indexes included (their check then runs once, over all rows).

    On PostgreSQL the table's foreign keys are dropped and added back the same way: adding one
    checks every row in one query, where the row-by-row checks of a load took 13 s for 300,000
    GED events. (SQLite keeps foreign keys in the table definition; there they stay.)
    """
    if not enabled:
        yield
        return
    definitions = _secondary_indexes(table)
    foreign_keys = _foreign_keys(table)
    with connection.cursor() as cursor:
        _check_deferred_constraints(cursor)
        for name, _sql in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
        for name, _sql in definitions:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        _check_deferred_constraints(cursor)
        for name, sql in foreign_keys:
            cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {sql}')
        for _name, sql in definitions:
            cursor.execute(sql)


def _foreign_keys(table: str) -> list[tuple[str, str]]:
    """PostgreSQL: (name, definition) of ``table``'s foreign keys, as the database has them."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
            [f'"{table}"'],
        )
        return [(str(name), str(sql)) for name, sql in cursor.fetchall()]


def _check_deferred_constraints(cursor: CursorWrapper) -> None:
    """PostgreSQL refuses to change a table's indexes while checks of its deferred foreign keys
    are pending in the transaction; run those checks now (they would run at commit anyway)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every index that is not a key or constraint."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Indexes SQLite makes itself for PRIMARY KEY/UNIQUE columns have no SQL.
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL ORDER BY name",
                [table],
            )
            return [(str(name), str(sql)) for name, sql in cursor.fetchall()]
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.schemaname = current_schema() AND i.tablename = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                "WHERE c.conname = i.indexname AND c.connamespace = "
                "(SELECT oid FROM pg_namespace WHERE nspname = current_schema())) "
                "ORDER BY i.indexname",
                [table],
            )
            return [(str(name), str(sql)) for name, sql in cursor.fetchall()]
    return []


#: Loads smaller than this go through ``executemany``: staging saves nothing measurable there.
MIN_STAGED_ROWS = 10_000

#: Loads of at least this many rows are staged in two files written at once (two cores):
#: ADBC's write of 300,000 events took 0.6 s in one file, 0.33 s in two.
MIN_SPLIT_ROWS = 100_000

#: Staging databases are attached to the import's connection as ``cg_staging_<n>``.
STAGING_PREFIX = "cg_staging_"

_staging_numbers = itertools.count(1)


def insert_staged(
    table: str, columns: Sequence[str], frame: pl.DataFrame, literals: Mapping[str, str]
) -> bool:
    """SQLite: insert ``frame``'s rows into ``table`` through a staging database.

    ``sqlite3.executemany`` binds every value from Python: for 300,000 GED events about 4 s,
    half of it turning Polars columns into Python tuples. Here ADBC's SQLite driver writes the
    Arrow columns into a scratch database file in C (0.6 s; big loads in two files written at
    once, 0.33 s), and the import's own connection attaches it and copies the rows with one
    ``INSERT ... SELECT`` per file (0.6 s, foreign-key checks included), inside the import's
    transaction. ``columns`` are the table's
    columns in order; ``literals`` holds SQL literals for those with one value in every row
    (see :func:`constant_literals`).

    The staging database is detached when the transaction commits (SQLite refuses to detach
    one that the open transaction has read). One left by a transaction that rolled back is
    detached by the next staged insert if SQLite lets it, else when the connection closes;
    its file is already deleted. Returns False, having written nothing, if SQLite refuses to
    attach one more database (it allows 10): the caller then binds the rows itself.
    """
    staged = frame.select(pl.col([c for c in columns if c not in literals]))
    quoted = ", ".join(f'"{c}"' for c in columns)
    selected = ", ".join(literals.get(c, f'"{c}"') for c in columns)
    parts = [staged] if staged.height < MIN_SPLIT_ROWS else _halves(staged)
    schemas = [f"{STAGING_PREFIX}{next(_staging_numbers)}" for _ in parts]
    remove_staging_leftovers()
    with tempfile.TemporaryDirectory(
        prefix=f"{STAGING_FOLDER_PREFIX}{os.getpid()}-",
        dir=_beside_database(),
        ignore_cleanup_errors=True,
    ) as folder:
        paths = [Path(folder) / f"rows-{n}.sqlite3" for n in range(len(parts))]
        # ADBC lets go of the GIL: the parts are written at once, one per core.
        with ThreadPoolExecutor(max_workers=len(parts), thread_name_prefix="staging") as pool:
            list(pool.map(_write_staging, paths, parts))
        with connection.cursor() as cursor:
            _detach_leftovers()
            attached: list[str] = []
            for schema, path in zip(schemas, paths, strict=True):
                try:
                    cursor.execute(f"ATTACH DATABASE %s AS {schema}", [str(path)])
                except OperationalError:
                    for name in attached:  # nothing read from them yet: they detach now
                        _detach(name)
                    return False
                attached.append(schema)
            for schema in schemas:
                # Names come from the models; literals only from constant_literals.
                cursor.execute(
                    f'INSERT INTO "{table}" ({quoted}) '  # noqa: S608 (model names, our literals)
                    f"SELECT {selected} FROM {schema}.rows ORDER BY rowid"
                )
    for schema in schemas:
        transaction.on_commit(functools.partial(_detach, schema), robust=True)
    return True


#: Staging folders are named ``commonground-staging-<pid>-<random>``: the process that made one
#: is known, so a folder left by a killed import can be told from one in use.
STAGING_FOLDER_PREFIX = "commonground-staging-"

_OWNED_STAGING = re.compile(re.escape(STAGING_FOLDER_PREFIX) + r"(\d+)-")


def remove_staging_leftovers(folder: Path | None = None) -> list[Path]:
    """Delete the staging folders that killed imports left behind; the folders deleted.

    A staging folder (hundreds of MB for a big import) is deleted when its import ends, but
    not when the process is killed. Only folders of our own naming are looked at, in
    ``folder`` (default: where :func:`insert_staged` makes them), and one is deleted only when
    the process that made it is gone (or its number now belongs to a process started later).
    Folders named before the process number was part of the name are deleted beside a
    database only, when older than this process: the system's temporary folder is shared.
    Called by every staged import and at ``commonground init`` and ``serve``.
    """
    if folder is None and connection.vendor != "sqlite":
        return []  # PostgreSQL loads with COPY: no staging folders
    beside = _beside_database() if folder is None else folder
    where = Path(beside if beside is not None else tempfile.gettempdir())
    started = psutil.Process().create_time()
    removed: list[Path] = []
    for candidate in where.glob(f"{STAGING_FOLDER_PREFIX}*"):
        try:
            if not candidate.is_dir() or candidate.is_symlink():
                continue
            made = candidate.stat().st_mtime
        except OSError:
            continue
        owner = _OWNED_STAGING.match(candidate.name)
        if owner is not None:
            stale = not _made_by_live_process(int(owner[1]), made)
        else:
            stale = beside is not None and made < started
        if stale:
            shutil.rmtree(candidate, ignore_errors=True)
            if not candidate.exists():
                removed.append(candidate)
    return removed


def _made_by_live_process(pid: int, made: float) -> bool:
    """Whether process ``pid`` runs and is old enough to have made a folder at ``made``."""
    try:
        return bool(psutil.Process(pid).create_time() <= made + 1)
    except psutil.AccessDenied:  # another user's process: it may be theirs, leave it
        return True
    except (psutil.NoSuchProcess, ValueError):
        return False


def _halves(frame: pl.DataFrame) -> list[pl.DataFrame]:
    middle = frame.height // 2
    return [frame.slice(0, middle), frame.slice(middle)]


def _beside_database() -> Path | None:
    """The database file's folder: the staging file (about 550 bytes per event) then goes to
    the disk that holds the data anyway, not to a /tmp that may be in memory. None (the
    system's temporary folder) for an in-memory database."""
    name = str(connection.settings_dict["NAME"])
    if name.startswith("file:") or name == ":memory:":
        return None
    folder = Path(name).parent
    return folder if folder.is_dir() else None


def _write_staging(path: Path, frame: pl.DataFrame) -> None:
    """The rows as a table ``rows`` of a new SQLite file, written by ADBC from Arrow columns.

    ADBC writes dates as ISO text and booleans as 0/1, as Django stores them. Nothing in the
    file needs to survive a crash, so it is written without journal or fsync.
    """
    with adbc_sqlite.connect(str(path), autocommit=True) as staging, staging.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode = OFF")
        cursor.fetchall()
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.adbc_ingest("rows", frame.to_arrow(), mode="create")


def _detach_leftovers() -> None:
    """Detach the staging databases that imports rolled back left, if SQLite lets go of them."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA database_list")
        names = [name for _seq, name, _file in cursor.fetchall()]
    for name in names:
        if name.startswith(STAGING_PREFIX):
            _detach(name)


def _detach(schema: str) -> None:
    # One that the open transaction has read stays attached until the transaction has ended.
    with contextlib.suppress(OperationalError), connection.cursor() as cursor:
        cursor.execute(f"DETACH DATABASE {schema}")


#: Rows per ``executemany`` or ``COPY`` write (and per progress report).
CHUNK = 20_000

#: Text that may be written into SQL as a literal: keys, versions, dataset and licence names.
_SAFE_LITERAL = re.compile(r"[A-Za-z0-9_.:-]*")


def insert_frame(
    table: str,
    columns: Sequence[str],
    frame: pl.DataFrame,
    *,
    literals: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Insert ``frame``'s ``columns`` into ``table``, the fastest way the database offers.

    Dates go in as ISO text, which both backends accept; keys must already be as the database
    stores them. ``literals`` (from :func:`constant_literals`) are SQL literals for columns with
    one value in every row. ``progress`` is told how many rows are written so far.
    """
    literals = literals or {}
    report = progress or (lambda done: None)
    if connection.vendor == "postgresql":
        _copy(table, columns, frame, report)
        return
    if frame.height >= MIN_STAGED_ROWS and insert_staged(table, columns, frame, literals):
        report(frame.height)
        return
    varying = [c for c in columns if c not in literals]
    quoted = ", ".join(f'"{column}"' for column in columns)
    values = ", ".join(literals.get(c, "%s") for c in columns)
    # Table and column names come from the models; values are parameters, or literals that
    # constant_literals allowed only from a few safe characters: no injection path.
    sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({values})'  # noqa: S608 (see above)
    with connection.cursor() as cursor:
        done = 0
        rows = plain_rows(frame, varying)
        while done < frame.height:
            chunk = [row for _, row in zip(range(CHUNK), rows, strict=False)]
            cursor.executemany(sql, chunk)
            done += len(chunk)
            report(done)


def constant_literals(frame: pl.DataFrame, candidates: Sequence[str]) -> dict[str, str]:
    """SQL literals for the ``candidates`` with one value in every row, so that they are not
    bound as a parameter per row: 7 of 30 values for GED, about 10% of the insert's CPU time."""
    literals: dict[str, str] = {}
    for column in candidates:
        series = frame[column]
        if series.is_empty() or series.n_unique() != 1:
            continue
        value = series[0]
        if value is None:
            literals[column] = "NULL"
        elif isinstance(value, bool | int):
            literals[column] = str(int(value))
        elif isinstance(value, str) and _SAFE_LITERAL.fullmatch(value):
            literals[column] = f"'{value}'"
    return literals


def plain_rows(frame: pl.DataFrame, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """Rows as tuples of plain Python values, dates as ISO text (both backends accept it).

    Column by column (``to_list``) then ``zip``: 10-20% less CPU than ``iter_rows``.
    """
    typed = plain_frame(frame, columns)
    for start in range(0, typed.height, CHUNK):
        chunk = typed.slice(start, CHUNK)
        yield from zip(*(chunk[c].to_list() for c in columns), strict=True)


def plain_frame(frame: pl.DataFrame, columns: Sequence[str]) -> pl.DataFrame:
    """``columns`` of ``frame``, dates as ISO text (both backends accept it)."""
    return frame.select(
        [
            pl.col(c).dt.strftime("%Y-%m-%d").alias(c) if frame.schema[c] == pl.Date else pl.col(c)
            for c in columns
        ]
    )


def _copy(
    table: str, columns: Sequence[str], frame: pl.DataFrame, report: Callable[[int], None]
) -> None:
    """PostgreSQL: stream the rows in with COPY, as CSV that Polars writes.

    Every text value is quoted, so an empty text is ``""`` and a null an empty field, which is
    how PostgreSQL's CSV format tells them apart. Polars writing CSV in Rust costs a fraction of
    turning the columns into Python tuples for psycopg's ``write_row``.
    """
    quoted = ", ".join(f'"{column}"' for column in columns)
    typed = plain_frame(frame, columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, under Django's wrapper
        with raw.copy(f'COPY "{table}" ({quoted}) FROM STDIN (FORMAT csv)') as copy:
            for start in range(0, frame.height, CHUNK):
                chunk = typed.slice(start, CHUNK)
                copy.write(chunk.write_csv(include_header=False, quote_style="non_numeric"))
                report(start + chunk.height)
