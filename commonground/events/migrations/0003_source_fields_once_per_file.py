"""Keep the source's own fields once per imported file, not as JSON in every event.

Forwards: each event's ``source_fields`` goes into ``SourceChunk`` rows (compressed Parquet,
keyed by the SHA-256 of the file the event came from and its row), marked ``complete=False``
because only the rows events still point at are known; the next import of that same file
stores it whole. ``content_hash`` is recomputed with the new, Polars-independent definition (the
values joined by the unit separator, see ``events/importers/base.py::content_hashes``), so a
re-import after the upgrade still finds unchanged events unchanged. Then the column goes, and
so does the index on ``owner`` (no query narrows events by owner).

Backwards: the column comes back and is filled from the chunks, and ``content_hash`` is
recomputed the old way (Polars' JSON of the fields in name order).

The hashing and chunk writing are copied here rather than imported, so that this migration
keeps doing what it did when the live code changes; a test checks the copy against the live
functions.
"""

import hashlib
import io
import json
from collections.abc import Iterator

import django.db.models.deletion
import polars as pl
from django.db import migrations, models

#: Fields each dataset leaves out of its hash (events/importers/ged.py NOT_HASHED).
NOT_HASHED = {"ucdp-ged": frozenset({"geom_wkt", "relid"})}
FIELD_SEPARATOR = "\x1f"
ESCAPED_ROW = "\x1e"
CHUNK_ROWS = 4096
BATCH = 2000


def content_hash(values: list[str]) -> str:
    """The new fingerprint of one row (values in name order), as content_hashes computes it."""
    if any(FIELD_SEPARATOR in v for v in values):
        text = ESCAPED_ROW + json.dumps(values)
    else:
        text = FIELD_SEPARATOR.join(values)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def hashed_values(dataset: str, fields: dict[str, object]) -> list[str]:
    skip = NOT_HASHED.get(dataset, frozenset())
    return ["" if fields[k] is None else str(fields[k]) for k in sorted(fields) if k not in skip]


def chunk_frames(rows: dict[int, dict[str, object]]) -> Iterator[pl.DataFrame]:
    """The known rows of one file as frames of ``CHUNK_ROWS`` rows (``_row`` and string fields)."""
    columns = list(dict.fromkeys(name for fields in rows.values() for name in fields))
    numbers = sorted(rows)
    for start in range(0, len(numbers), CHUNK_ROWS):
        part = numbers[start : start + CHUNK_ROWS]
        data: dict[str, list[object]] = {"_row": part}
        for name in columns:
            data[name] = [_text(rows[n].get(name)) for n in part]
        yield pl.DataFrame(data, schema={"_row": pl.Int64, **dict.fromkeys(columns, pl.String)})


def _text(value: object) -> str:
    return "" if value is None else str(value)


def parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(
        buffer, compression="zstd", compression_level=1, statistics=False, row_group_size=CHUNK_ROWS
    )
    return buffer.getvalue()


def _check_deferred_constraints(connection) -> None:
    """PostgreSQL cannot alter a table with deferred foreign-key checks pending in the
    transaction (the schema steps after the data step); run them now."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _execute_many(connection, sql: str, rows: list[tuple[object, ...]]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def fields_to_chunks(apps, schema_editor) -> None:
    Event = apps.get_model("events", "Event")
    SourceChunk = apps.get_model("events", "SourceChunk")
    db = schema_editor.connection.alias
    table = Event._meta.db_table
    update = f'UPDATE "{table}" SET "content_hash" = %s WHERE "id" = %s'
    files = Event.objects.using(db).order_by().values_list("import_run__sha256", flat=True)
    for sha256 in sorted(set(files)):
        rows: dict[int, dict[str, object]] = {}
        hashes: list[tuple[object, ...]] = []
        events = Event.objects.using(db).filter(import_run__sha256=sha256).order_by("id")
        for event_id, dataset, row, fields in events.values_list(
            "id", "dataset", "source_row", "source_fields"
        ).iterator(chunk_size=BATCH):
            if not isinstance(fields, dict) or not fields:
                continue
            rows.setdefault(row, fields)
            hashes.append((content_hash(hashed_values(dataset, fields)), event_id))
            if len(hashes) >= BATCH:
                _execute_many(schema_editor.connection, update, hashes)
                hashes = []
        _execute_many(schema_editor.connection, update, hashes)
        SourceChunk.objects.using(db).bulk_create(
            [
                SourceChunk(
                    sha256=sha256,
                    first_row=frame["_row"][0],
                    last_row=frame["_row"][-1],
                    rows=frame.height,
                    complete=False,
                    data=parquet(frame),
                )
                for frame in chunk_frames(rows)
            ],
            batch_size=50,
        )
    _check_deferred_constraints(schema_editor.connection)


def chunks_to_fields(apps, schema_editor) -> None:
    Event = apps.get_model("events", "Event")
    SourceChunk = apps.get_model("events", "SourceChunk")
    db = schema_editor.connection.alias
    table = Event._meta.db_table
    cast = "::jsonb" if schema_editor.connection.vendor == "postgresql" else ""
    update = (
        f'UPDATE "{table}" SET "source_fields" = %s{cast}, "content_hash" = %s WHERE "id" = %s'
    )
    for sha256 in sorted(set(SourceChunk.objects.using(db).values_list("sha256", flat=True))):
        chunks = SourceChunk.objects.using(db).filter(sha256=sha256).order_by("first_row")
        frame = pl.concat(
            [pl.read_parquet(io.BytesIO(bytes(c.data))) for c in chunks], how="diagonal"
        )
        columns = [c for c in frame.columns if c != "_row"]
        events = Event.objects.using(db).filter(import_run__sha256=sha256)
        for dataset in set(events.values_list("dataset", flat=True).distinct()):
            hashed = sorted(c for c in columns if c not in NOT_HASHED.get(dataset, frozenset()))
            encoded = frame.select(
                "_row",
                pl.struct(columns).struct.json_encode().alias("stored"),
                pl.struct(hashed).struct.json_encode().alias("hashed"),
            )
            by_row = {
                row: (stored, hashlib.blake2b(hashed_json.encode(), digest_size=16).hexdigest())
                for row, stored, hashed_json in encoded.iter_rows()
            }
            updates = [
                (*by_row[row], event_id)
                for event_id, row in events.filter(dataset=dataset).values_list("id", "source_row")
                if row in by_row
            ]
            for start in range(0, len(updates), BATCH):
                _execute_many(schema_editor.connection, update, updates[start : start + BATCH])
    _check_deferred_constraints(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_no_index_on_event_import_run"),
        ("sharing", "0002_api_tokens"),
    ]

    operations = [
        migrations.CreateModel(
            name="SourceChunk",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("sha256", models.CharField(max_length=64)),
                ("first_row", models.PositiveIntegerField()),
                ("last_row", models.PositiveIntegerField()),
                ("rows", models.PositiveIntegerField()),
                (
                    "complete",
                    models.BooleanField(
                        default=True,
                        help_text="Every row of the file is kept (false: only the rows events "
                        "pointed at when the per-event fields were moved here).",
                    ),
                ),
                ("data", models.BinaryField()),
            ],
            options={
                "verbose_name": "source chunk",
                "verbose_name_plural": "source chunks",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("sha256", "first_row"), name="one_chunk_per_file_row"
                    )
                ],
            },
        ),
        # A default, so that undoing the RemoveField below can add the column back to a table
        # that has rows; the reverse data step then fills it.
        migrations.AlterField(
            model_name="event",
            name="source_fields",
            field=models.JSONField(default=dict, help_text="The source's own fields, as read."),
        ),
        migrations.RunPython(fields_to_chunks, chunks_to_fields),
        migrations.RemoveField(model_name="event", name="source_fields"),
        migrations.AlterField(
            model_name="event",
            name="owner",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="sharing.organization",
            ),
        ),
    ]
