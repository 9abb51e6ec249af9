"""Import speed of UCDP GED, on a labelled synthetic file, in one run (``make bench``).

What it measures, all on the same synthetic file (see :mod:`bench.synthetic`):

(a) the baseline: Python's ``csv.reader`` merely reading every row (best of ``--repeat``),
    and Polars reading the file into columns (the least any parse could take);
(b) Common Ground's import, ``do_import(GED, path, owner)``, into an empty database, with the
    importer's ``parse()`` also timed on its own and the import broken down by phase and by
    database statement;
(c) a naive importer: ``Event.objects.create`` per row from the csv rows, in one transaction,
    on a ``--naive-rows`` slice, extrapolated to the whole file;
(d) a re-import of the same file, which must add nothing;
(e) on SQLite, the floor: SQLite alone copying the imported events into a new file with the
    same table and indexes, durably (see :func:`sqlite_floor`).

Every figure is also given as a ratio of time per event to the baseline's. The database is
fresh: SQLite in a new temporary ``COMMONGROUND_HOME`` (the settings' WAL and
synchronous=FULL), or, when ``DATABASE_URL`` is set, a new PostgreSQL test database that is
dropped afterwards. Results go to the terminal and to ``bench/out/ingest.json``.

    python -m bench.ingest [--rows 300000] [--seed 0] [--naive-rows 10000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.synthetic import SYNTHETIC_NAME, default_source, write_synthetic_ged

#: What the issue asks of the importer on this machine.
TARGET_EVENTS_PER_SECOND = 100_000
TARGET_RATIO = 1.5

#: The naive importer writes under its own dataset name, so it never meets the real import's ids.
NAIVE_DATASET = "bench-naive-orm"

OUT = Path(__file__).resolve().parent / "out" / "ingest.json"

console = Console(width=None if sys.stdout.isatty() else 110)

#: The name of the database a PostgreSQL test database was made beside, to drop it at the end.
_made_test_database: list[str] = []


@dataclass
class Figure:
    """One line of the results table."""

    what: str
    rows: int
    seconds: float
    cpu_seconds: float
    note: str = ""

    @property
    def events_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else float("inf")

    def ratio(self, baseline: Figure) -> float:
        """Time per event relative to the baseline's time per event."""
        return (self.seconds / self.rows) / (baseline.seconds / baseline.rows)


Instant = tuple[float, float]
"""Wall-clock and process CPU seconds at one moment (CPU time is less disturbed by other
processes on a shared machine; wall time also counts waiting for the disk)."""


def now() -> Instant:
    return time.perf_counter(), time.process_time()


def since(start: Instant, end: Instant | None = None) -> Instant:
    end = end or now()
    return end[0] - start[0], end[1] - start[1]


@dataclass
class PhaseClock:
    """A progress callback that notes when each phase of an import was first and last seen."""

    start: Instant = field(default_factory=now)
    first: dict[str, Instant] = field(default_factory=dict)
    last: dict[str, Instant] = field(default_factory=dict)

    def __call__(self, phase: str, done: int, total: int) -> None:
        moment = now()
        self.first.setdefault(phase, moment)
        self.last[phase] = moment


@dataclass
class QueryClock:
    """A database execute wrapper that adds up time per kind of statement."""

    seconds: dict[str, float] = field(default_factory=dict)
    count: dict[str, int] = field(default_factory=dict)
    last_end: Instant = (0.0, 0.0)

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        words = sql.split()
        verb = words[0].upper() if words else "?"
        table = next(
            (
                w.strip('"')
                for w, prev in zip(words[1:], words, strict=False)
                if prev.upper() in {"FROM", "INTO", "UPDATE"}
            ),
            "",
        )
        key = f"{verb} {table}{' (executemany)' if many else ''}".strip()
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            ended = now()
            # Run after the commit: staging databases detached, the page cache given back.
            if verb != "DETACH" and not sql.startswith("PRAGMA cache_size = "):
                self.last_end = ended
            self.seconds[key] = self.seconds.get(key, 0.0) + ended[0] - started
            self.count[key] = self.count.get(key, 0) + 1


# --------------------------------------------------------------------------------------------
# Setting up: a fresh database, before Django is configured.


def configure(workdir: Path) -> str:
    """Point Django at a fresh database; return a description of where it is."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    using_url = bool(os.environ.get("DATABASE_URL"))
    if not using_url:
        home = workdir / "home"
        home.mkdir()
        os.environ["COMMONGROUND_HOME"] = str(home)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "sqlite":
        call_command("migrate", verbosity=0, interactive=False)
        return str(connection.settings_dict["NAME"])
    _made_test_database.append(str(connection.settings_dict["NAME"]))
    name = connection.creation.create_test_db(
        verbosity=0, autoclobber=True, serialize=False, keepdb=False
    )
    return f"{connection.vendor} test database {name} (dropped afterwards)"


def describe_database() -> dict[str, Any]:
    from django.db import connection

    info: dict[str, Any] = {"vendor": connection.vendor}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            import sqlite3

            info["sqlite_version"] = sqlite3.sqlite_version
            for pragma in ("journal_mode", "synchronous", "cache_size", "page_size"):
                cursor.execute(f"PRAGMA {pragma}")
                info[pragma] = cursor.fetchone()[0]
            info["synchronous"] = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(
                info["synchronous"], info["synchronous"]
            )
        else:
            cursor.execute("SHOW server_version")
            info["server_version"] = cursor.fetchone()[0]
            for setting in ("synchronous_commit", "fsync", "shared_buffers", "wal_level"):
                cursor.execute(f"SHOW {setting}")
                info[setting] = cursor.fetchone()[0]
    return info


def database_bytes() -> dict[str, int]:
    """Size of the database after the import (SQLite: its pages, and its WAL file)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA page_count")
            pages = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA page_size")
            wal = Path(f"{connection.settings_dict['NAME']}-wal")
            return {
                "database": pages * int(cursor.fetchone()[0]),
                "wal_file": wal.stat().st_size if wal.exists() else 0,
            }
        cursor.execute("SELECT pg_database_size(current_database())")
        return {"database": int(cursor.fetchone()[0])}


def filesystem_of(path: Path) -> str:
    """The type of the file system ``path`` is on (tmpfs would make fsync free)."""
    best, kind = "", "unknown"
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return kind
    resolved = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) >= 3 and resolved.startswith(parts[1]) and len(parts[1]) > len(best):
            best, kind = parts[1], parts[2]
    return kind


def durable_write_mb_per_s(workdir: Path, megabytes: int = 256) -> float:
    """Sequential write then fsync: the disk's pace for data that must survive a power cut."""
    probe = workdir / "fsync-probe"
    block = os.urandom(1 << 20)
    started = time.perf_counter()
    with probe.open("wb") as handle:
        for _ in range(megabytes):
            handle.write(block)
        handle.flush()
        os.fsync(handle.fileno())
    seconds = time.perf_counter() - started
    probe.unlink()
    return megabytes / seconds


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "cpu": cpu or platform.processor(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


# --------------------------------------------------------------------------------------------
# The measurements.


def csv_baseline(path: Path, repeat: int) -> tuple[Instant, int]:
    """Best time of ``csv.reader`` reading every row, and the number of data rows."""
    best, rows = (float("inf"), float("inf")), 0
    for _ in range(repeat):
        started = now()
        with path.open(newline="", encoding="utf-8") as handle:
            rows = sum(1 for _ in csv.reader(handle)) - 1
        best = min(best, since(started))
    return best, rows


def polars_read(path: Path, repeat: int) -> Instant:
    """Best time of Polars reading the file into string columns, and nothing else: the least
    any parse of the file could take with the fastest CSV reader we have."""
    import polars as pl

    best = (float("inf"), float("inf"))
    for _ in range(repeat):
        started = now()
        frame = pl.read_csv(path, infer_schema=False)
        best = min(best, since(started))
        del frame
    return best


def time_parse(path: Path) -> Instant:
    from commonground.core.importing import no_progress
    from commonground.events.importers.ged import parse

    started = now()
    batch = parse(path, no_progress)
    taken = since(started)
    del batch
    return taken


@contextmanager
def query_clock() -> Iterator[QueryClock]:
    from django.db import connection

    clock = QueryClock()
    with connection.execute_wrapper(clock):
        yield clock


def timed_import(path: Path, owner: Any) -> tuple[Instant, Any, PhaseClock, QueryClock]:
    from commonground.core.services import do_import
    from commonground.events.importers.ged import GED

    with query_clock() as queries:
        phases = PhaseClock()
        run = do_import(GED, path, owner, progress=phases)
        taken = since(phases.start)
    return taken, run, phases, queries


#: The last phase of an import: on SQLite the WAL's fsync and checkpoint, on PostgreSQL the
#: deferred foreign key checks and the WAL flush.
COMMIT = "commit (SQLite: WAL fsync + checkpoint; PostgreSQL: deferred FK checks)"


def breakdown(taken: Instant, phases: PhaseClock, queries: QueryClock) -> dict[str, Instant]:
    """Where an import's time went (wall, CPU), from its progress calls and its queries."""
    start = phases.start
    parse_start = phases.first.get("reading", start)
    parse_end = phases.last.get("validating", parse_start)
    write_start = phases.first.get("writing", parse_end)
    write_end = phases.first.get("indexing", phases.last.get("writing", write_start))
    indexed = phases.last.get("indexing", write_end)
    persisted = phases.first.get("persisted", queries.last_end)
    end = (start[0] + taken[0], start[1] + taken[1])
    return {
        "before parsing (the file's sha256 is read meanwhile, in a thread)": since(
            start, parse_start
        ),
        "parse (read, validate, hash, canonical frame)": since(parse_start, parse_end),
        "persist: areas, actors, existing events": since(parse_end, write_start),
        "persist: INSERT events (SQLite: staged; PostgreSQL: COPY)": since(write_start, write_end),
        "persist: build the indexes dropped for a bulk load": since(write_end, indexed),
        "persist: updates, source fields, withdrawals, duplicates": since(indexed, persisted),
        "after persist: import hooks (analysis figures), run record": since(
            persisted, queries.last_end
        ),
        COMMIT: since(queries.last_end, end),
    }


def naive_orm(path: Path, rows: int, owner: Any) -> Instant:
    """``Event.objects.create`` per csv row, in one transaction; returns the seconds taken."""
    from django.db import transaction
    from django.db.models.signals import post_save, pre_save
    from factory.django import mute_signals

    from commonground.core.areas import country_iso3, ensure_areas
    from commonground.core.geo import priogrid_gid
    from commonground.core.models import ImportOutcome, ImportRun
    from commonground.events.importers.ged import VIOLENCE_TYPES
    from commonground.events.models import Event
    from commonground.registry.models import ActorIdentifier
    from commonground.sharing.models import Licence, Sensitivity

    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        records = [record for _, record in zip(range(rows), reader, strict=False)]
    actors = dict(ActorIdentifier.objects.filter(scheme="ucdp").values_list("value", "actor_id"))
    areas: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def integer(text: str) -> int | None:
        return int(text) if text.strip() else None

    started = now()
    # Model signal receivers (the analysis app refreshes its figures after each saved event) are
    # muted: this line measures the ORM insert itself, as a baseline for the importer's.
    muted = mute_signals(pre_save, post_save)  # type: ignore[no-untyped-call]  # factory_boy is untyped
    with transaction.atomic(), muted:
        run = ImportRun.objects.create(
            dataset=NAIVE_DATASET,
            dataset_version="23.1",
            file_name=path.name,
            owner=owner,
            outcome=ImportOutcome.SUCCEEDED,
        )
        for number, record in enumerate(records, start=2):
            country = country_iso3(record["country"]) or ""
            key = (country, record["adm_1"].strip(), record["adm_2"].strip())
            if key not in areas:
                areas.update(ensure_areas([key]))
            admin1, admin2 = areas[key]
            latitude, longitude = float(record["latitude"]), float(record["longitude"])
            hashed = json.dumps(
                {k: v for k, v in sorted(record.items()) if k not in {"geom_wkt", "relid"}}
            )
            Event.objects.create(
                dataset=NAIVE_DATASET,
                dataset_version="23.1",
                source_id=record["id"],
                import_run=run,
                source_row=number,
                content_hash=hashlib.blake2b(hashed.encode(), digest_size=16).hexdigest(),
                date_start=dt.date.fromisoformat(record["date_start"][:10]),
                date_end=dt.date.fromisoformat(record["date_end"][:10]),
                date_precision=int(record["date_prec"]),
                latitude=latitude,
                longitude=longitude,
                location_precision=int(record["where_prec"]),
                place=record["where_coordinates"],
                country_code=country,
                admin1_id=admin1,
                admin2_id=admin2,
                priogrid_gid=priogrid_gid(latitude, longitude),
                violence_type=VIOLENCE_TYPES[record["type_of_violence"]],
                source_event_type=record["type_of_violence"],
                actor1_id=actors.get(record["side_a_new_id"]),
                actor2_id=actors.get(record["side_b_new_id"]),
                fatalities_best=int(record["best"]),
                fatalities_low=integer(record["low"]),
                fatalities_high=integer(record["high"]),
                civilian_deaths=integer(record["deaths_civilians"]),
                description=" — ".join(
                    t for t in (record["where_description"], record["source_headline"]) if t
                ),
                owner=owner,
                sensitivity=Sensitivity.PUBLIC,
                licence=Licence.CC_BY_4_0,
            )
    return since(started)


def sqlite_floor(workdir: Path, rows: int) -> tuple[Instant, dict[str, float]] | None:
    """What SQLite alone takes to store the imported events durably: the floor of any importer.

    The events the import wrote are copied, in one transaction, into a new database file with
    the same table and indexes (indexes built after the rows, as the import does), in WAL mode
    with synchronous=FULL and the import's page cache; the commit includes SQLite's automatic
    checkpoint, as the import's does. No parsing, no checks, no foreign-key lookups, no figures:
    nothing an importer could skip. Also returns the wall seconds of its three steps (the
    rows, the 7 secondary indexes, the commit). None on PostgreSQL.
    """
    from django.db import connection

    from commonground.events.models import Event
    from commonground.events.services import sqlite_import_cache_kib

    if connection.vendor != "sqlite":
        return None
    import sqlite3

    source = str(connection.settings_dict["NAME"])
    table = Event._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = %s AND sql IS NOT NULL", [table]
        )
        schema = cursor.fetchall()
        # Read from the database file, not through the import's 300 MB WAL (1 s slower).
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    floor = sqlite3.connect(f"file:{workdir / 'floor.sqlite3'}", uri=True, isolation_level=None)
    try:
        for pragma in ("journal_mode = WAL", "synchronous = FULL"):
            floor.execute(f"PRAGMA {pragma}")
        floor.execute(f"PRAGMA cache_size = -{sqlite_import_cache_kib(rows)}")
        floor.executescript(";".join(sql for kind, sql in schema if kind == "table"))
        floor.execute("ATTACH DATABASE ? AS imported", (f"file:{source}?mode=ro",))
        started = now()
        floor.execute("BEGIN")
        floor.execute(f'INSERT INTO "{table}" SELECT * FROM imported."{table}"')  # noqa: S608 (model table name)
        copied_at = now()
        for kind, sql in schema:
            if kind == "index":
                floor.execute(sql)
        indexed_at = now()
        floor.execute("COMMIT")
        taken = since(started)
        steps = {
            "rows": since(started, copied_at)[0],
            "indexes": since(copied_at, indexed_at)[0],
            "commit": since(indexed_at)[0],
        }
        (copied,) = floor.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()  # noqa: S608 (model table name)
    finally:
        floor.close()
    assert copied == rows, f"the floor copied {copied} events, expected {rows}"
    return taken, steps


# --------------------------------------------------------------------------------------------
# The run.


def run(args: argparse.Namespace) -> dict[str, Any]:
    workdir = Path(tempfile.mkdtemp(prefix="commonground-bench-", dir=args.workdir))
    try:
        return _run(args, workdir)
    finally:
        if args.keep:
            console.print(f"[dim]kept {workdir}[/dim]")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    where = configure(workdir)
    from commonground.events.models import Event
    from commonground.sharing.models import Organization

    label = f"synthetic, {args.rows:,} rows"
    console.rule(f"Common Ground import benchmark: UCDP GED, {label} (seed {args.seed})")
    console.print(f"database: {where}")
    database = describe_database()
    console.print(f"          {database}")
    disk = {
        "filesystem": filesystem_of(workdir),
        "durable_write_mb_per_s": round(durable_write_mb_per_s(workdir), 1),
    }
    console.print(
        f"workdir:  {workdir} ({disk['filesystem']}, sequential write + fsync "
        f"{disk['durable_write_mb_per_s']} MB/s)"
    )
    if disk["filesystem"] in {"tmpfs", "ramfs"}:
        console.print(
            "[yellow]the work folder is in memory: fsync costs nothing there; "
            "use --workdir on a real disk[/yellow]"
        )

    path = workdir / SYNTHETIC_NAME
    with console.status(f"writing the synthetic file ({args.rows:,} rows)"):
        started = time.perf_counter()
        write_synthetic_ged(path, args.rows, args.seed, args.source)
        generated = time.perf_counter() - started
    size = path.stat().st_size
    console.print(
        f"file:     {path.name}: {args.rows:,} SYNTHETIC events resampled from "
        f"{(args.source or default_source()).name}, {size / 1e6:.0f} MB "
        f"(written in {generated:.1f} s)"
    )

    with console.status("(a) csv.reader reading the file"):
        csv_taken, csv_rows = csv_baseline(path, args.repeat)
        polars_taken = polars_read(path, args.repeat)
    assert csv_rows == args.rows, f"csv read {csv_rows} rows, expected {args.rows}"
    baseline = Figure(
        "csv.reader reading every row (baseline)", csv_rows, *csv_taken, f"best of {args.repeat}"
    )

    with console.status("(b) parse() alone"):
        parse_taken = time_parse(path)
    owner = Organization.objects.create(slug="bench", name="Benchmark", kind="other")
    with console.status("(b) do_import into the empty database"):
        import_taken, first, phases, queries = timed_import(path, owner)
    assert first.added == args.rows, f"the import added {first.added} of {args.rows} events"
    db_bytes = database_bytes()
    parts = breakdown(import_taken, phases, queries)
    console.print(
        f"import:   {import_taken[0]:.2f} s ({args.rows / import_taken[0]:,.0f} events/s); "
        + ", ".join(f"{k} {v[0]:.2f}" for k, v in parts.items())
    )

    with console.status("(e) SQLite alone storing the same events (the floor)"):
        floor = sqlite_floor(workdir, args.rows)

    with console.status("(d) re-import of the same file"):
        again_taken, again, _, again_queries = timed_import(path, owner)
    assert again.added == again.updated == again.removed == 0, "the re-import changed events"

    naive_rows = min(args.naive_rows, args.rows)
    with console.status(f"(c) naive per-row ORM insert of {naive_rows:,} rows"):
        naive_taken = naive_orm(path, naive_rows, owner)
    assert Event.objects.filter(dataset=NAIVE_DATASET).count() == naive_rows

    figures = [
        baseline,
        Figure(
            "Polars reading the file, nothing else",
            args.rows,
            *polars_taken,
            f"parse floor; best of {args.repeat}",
        ),
        Figure("parse() alone", args.rows, *parse_taken, "no database"),
        Figure(
            "do_import(), empty database",
            args.rows,
            *import_taken,
            f"{first.added:,} added",
        ),
        Figure(
            "re-import of the same file",
            args.rows,
            *again_taken,
            f"{again.added} added, {again.unchanged:,} unchanged",
        ),
        *(
            [
                Figure(
                    "SQLite alone storing the same events",
                    args.rows,
                    *floor[0],
                    "the floor: same table, indexes, WAL+FULL; "
                    + ", ".join(f"{k} {v:.2f}" for k, v in floor[1].items()),
                )
            ]
            if floor
            else []
        ),
        Figure(
            "naive ORM create() per row",
            naive_rows,
            *naive_taken,
            "measured",
        ),
        Figure(
            "naive ORM, extrapolated",
            args.rows,
            naive_taken[0] * args.rows / naive_rows,
            naive_taken[1] * args.rows / naive_rows,
            "extrapolated",
        ),
    ]
    imported = next(f for f in figures if f.what.startswith("do_import"))
    met = (
        imported.events_per_second >= TARGET_EVENTS_PER_SECOND
        and imported.ratio(baseline) <= TARGET_RATIO
    )

    table = Table(title=f"UCDP GED import speed ({label}; {database['vendor']})")
    table.add_column("what")
    table.add_column("data")
    table.add_column("seconds", justify="right")
    table.add_column("CPU s", justify="right")
    table.add_column("events/s", justify="right")
    table.add_column("x csv read", justify="right")
    table.add_column("note")
    for figure in figures:
        table.add_row(
            figure.what,
            f"synthetic, {figure.rows:,} rows",
            f"{figure.seconds:.2f}",
            f"{figure.cpu_seconds:.2f}",
            f"{figure.events_per_second:,.0f}",
            f"{figure.ratio(baseline):.2f}",
            figure.note,
        )
    console.print(table)

    detail = Table(title="Where the import's time went")
    detail.add_column("phase")
    detail.add_column("seconds", justify="right")
    detail.add_column("CPU s", justify="right")
    detail.add_column("share", justify="right")
    for phase, (seconds, cpu) in parts.items():
        detail.add_row(phase, f"{seconds:.2f}", f"{cpu:.2f}", f"{seconds / import_taken[0]:.0%}")
    console.print(detail)
    statements = Table(
        title="Time executing statements, first import (fetching SELECT results not counted)"
    )
    statements.add_column("statement")
    statements.add_column("calls", justify="right")
    statements.add_column("seconds", justify="right")
    for key, seconds in sorted(queries.seconds.items(), key=lambda kv: -kv[1])[:8]:
        statements.add_row(key, f"{queries.count[key]:,}", f"{seconds:.2f}")
    console.print(statements)
    console.print(
        f"database after the import: {db_bytes['database'] / 1e6:,.0f} MB "
        f"({db_bytes['database'] / args.rows:,.0f} bytes per event)"
        + (f"; WAL file {db_bytes['wal_file'] / 1e6:,.0f} MB" if "wal_file" in db_bytes else "")
    )
    verdict = "[green]MET[/green]" if met else "[red]MISSED[/red]"
    console.print(
        f"target >= {TARGET_EVENTS_PER_SECOND:,} events/s and <= {TARGET_RATIO}x csv read: "
        f"{verdict} ({imported.events_per_second:,.0f} events/s, "
        f"{imported.ratio(baseline):.2f}x)"
    )
    floors = [f for f in figures if f.what.startswith(("Polars reading", "SQLite alone"))]
    if len(floors) == 2:
        least = sum(f.seconds for f in floors)
        console.print(
            f"floor: Polars reading the file plus SQLite alone storing the events take "
            f"{least:.2f} s ({least / baseline.seconds:.2f}x csv read, "
            f"{args.rows / least:,.0f} events/s); the import takes "
            f"{imported.seconds / least:.2f}x that"
        )

    return {
        "benchmark": "ingest",
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "python -m bench.ingest " + " ".join(sys.argv[1:]),
        "data": {
            "synthetic": True,
            "file": path.name,
            "resampled_from": (args.source or default_source()).name,
            "rows": args.rows,
            "seed": args.seed,
            "bytes": size,
        },
        "machine": machine(),
        "disk": disk,
        "database": {**database, "where": where, "bytes_after_import": db_bytes},
        "figures": [
            {
                **asdict(figure),
                "events_per_second": round(figure.events_per_second, 1),
                "ratio_to_csv_read": round(figure.ratio(baseline), 3),
            }
            for figure in figures
        ],
        "import_breakdown_seconds": {k: round(v[0], 3) for k, v in parts.items()},
        "sqlite_floor_breakdown_seconds": {k: round(v, 3) for k, v in floor[1].items()}
        if floor
        else None,
        "import_breakdown_cpu_seconds": {k: round(v[1], 3) for k, v in parts.items()},
        "import_statements_seconds": {k: round(v, 3) for k, v in queries.seconds.items()},
        "reimport_statements_seconds": {k: round(v, 3) for k, v in again_queries.seconds.items()},
        "target": {
            "events_per_second": TARGET_EVENTS_PER_SECOND,
            "max_ratio_to_csv_read": TARGET_RATIO,
            "met": met,
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ingest", description=(__doc__ or "").splitlines()[0]
    )
    parser.add_argument("--rows", type=int, default=300_000, help="synthetic events to import")
    parser.add_argument("--seed", type=int, default=0, help="seed of the resampling")
    parser.add_argument(
        "--naive-rows", type=int, default=10_000, help="rows for the naive per-row ORM insert"
    )
    parser.add_argument("--repeat", type=int, default=3, help="csv baseline: best of this many")
    parser.add_argument(
        "--source",
        type=Path,
        default=None,
        help="the real GED CSV to resample (default: shared/data/ged_23_1_CAF.csv)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the temporary database and file go (a real disk, not tmpfs)",
    )
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the JSON results")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    if args.rows < 1 or args.naive_rows < 1 or args.repeat < 1:
        parser.error("--rows, --naive-rows and --repeat must be at least 1")

    results: dict[str, Any] | None = None
    try:
        results = run(args)
    finally:
        _drop_test_database()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    console.print(f"results: {args.out}")


def _drop_test_database() -> None:
    """Drop the PostgreSQL test database made for the run (SQLite's goes with the workdir)."""
    if _made_test_database:
        from django.db import connection

        connection.creation.destroy_test_db(_made_test_database[0], verbosity=0)
        _made_test_database.clear()


if __name__ == "__main__":
    main()
