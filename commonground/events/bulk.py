"""Bulk loads: build the events table's secondary indexes once, after the rows are in.

Keeping eight indexes up to date row by row made inserting 300,000 events about three times
slower than inserting them into a bare table and building the indexes afterwards (each index is
then one sort). That pays only when the load is large next to what the table holds, because
rebuilding also re-sorts the rows already there; :func:`bulk_load` decides.

Both backends change indexes inside the import's transaction, so a failed import leaves them as
they were. On SQLite (WAL) readers keep reading the last committed state meanwhile. On
PostgreSQL ``DROP INDEX`` locks the table against readers until the commit, so there it is done
only when the table is empty (a first import), and indexes backing a constraint are left alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
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
    """
    if not enabled:
        yield
        return
    definitions = _secondary_indexes(table)
    with connection.cursor() as cursor:
        _check_deferred_constraints(cursor)
        for name, _sql in definitions:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        _check_deferred_constraints(cursor)
        for _name, sql in definitions:
            cursor.execute(sql)


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
