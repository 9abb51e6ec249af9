"""The source's own fields, kept once per file; content hashes; indexes rebuilt after bulk loads.

Expectations come from the files (read with the csv module) and from the documented definition
of the content hash, written out here with hashlib, never from the code under test.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from pathlib import Path

import polars as pl
import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.urls import reverse

from commonground.core.importing import no_progress
from commonground.core.models import ImportRun
from commonground.core.services import do_import
from commonground.events import bulk
from commonground.events.importers.base import content_hash_of_values, content_hashes
from commonground.events.importers.ged import GED, parse
from commonground.events.models import Event, SourceChunk
from commonground.events.services import CONSTANT_CANDIDATES
from commonground.events.sources import CHUNK_ROWS, source_fields
from commonground.events.tests.conftest import GedRow
from commonground.sharing.models import Organization

MIGRATION = importlib.import_module(
    "commonground.events.migrations.0003_source_fields_once_per_file"
)


def _blake2b(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def test_content_hash_is_the_values_in_name_order_joined_by_the_unit_separator() -> None:
    frame = pl.DataFrame({"b": ["2", "x"], "a": ["1", "é"], "c": ["", "z"]})
    hashes = content_hashes(frame, ["b", "a", "c"]).to_list()
    assert hashes == [_blake2b("1\x1f2\x1f"), _blake2b("é\x1fx\x1fz")]


def test_values_holding_the_separator_cannot_collide() -> None:
    frame = pl.DataFrame({"a": ["p\x1f", "p"], "b": ["q", "\x1fq"]})
    first, second = content_hashes(frame, ["a", "b"]).to_list()
    assert first != second
    assert first == _blake2b("\x1e" + json.dumps(["p\x1f", "q"]))
    assert second == _blake2b("\x1e" + json.dumps(["p", "\x1fq"]))


@pytest.mark.parametrize(
    "values",
    [["1", "2", ""], ["é", "x\x1fy", "z"], ["", ""], ["Kaga-Bandoro", '"quoted", text', "\n"]],
)
def test_the_migration_hashes_as_the_importers_do(values: list[str]) -> None:
    names = [f"c{n}" for n in range(len(values))]
    frame = pl.DataFrame({n: [v] for n, v in zip(names, values, strict=True)})
    live = content_hashes(frame, names).item()
    assert live == content_hash_of_values(values) == MIGRATION.content_hash(values)


def test_each_file_is_kept_once_and_whole(
    ged_run: ImportRun, owner: Organization, ged_csv: Path, ged_rows: list[GedRow]
) -> None:
    chunks = SourceChunk.objects.filter(sha256=ged_run.sha256).order_by("first_row")
    assert [c.first_row for c in chunks] == list(range(2, len(ged_rows) + 2, CHUNK_ROWS))
    assert sum(c.rows for c in chunks) == len(ged_rows)
    assert chunks.last().last_row == len(ged_rows) + 1  # type: ignore[union-attr]  # not empty
    assert all(c.complete for c in chunks)
    again = do_import(GED, ged_csv, owner)
    assert again.unchanged == len(ged_rows)
    assert SourceChunk.objects.count() == chunks.count()


def test_event_page_and_api_show_the_source_fields(
    ged_run: ImportRun, ged_rows: list[GedRow], client: Client
) -> None:
    row = ged_rows[1000]
    event = Event.objects.get(dataset="ucdp-ged", source_id=row["id"])
    page = client.get(reverse("web:event_detail", args=[event.pk])).content.decode()
    section = page[page.index('id="source-heading"') :]
    assert "<code>where_description</code>" in section
    assert f"<code>side_b</code></th><td>{row['side_b']}</td>" in section
    detail = client.get(f"/api/v1/events/{event.pk}").json()
    assert detail["source_fields"] == row
    assert list(detail["source_fields"]) == list(row)


def test_an_event_without_kept_fields_shows_none(ged_run: ImportRun) -> None:
    event = Event.objects.select_related("import_run").first()
    assert event is not None
    SourceChunk.objects.filter(sha256=ged_run.sha256).delete()
    assert source_fields(event) == {}


def test_csv_and_geojson_of_a_release_are_kept_apart(ged_csv: Path, ged_geojson: Path) -> None:
    """Each form is its own file (its own SHA-256); both hold the same fields of each row."""
    csv_source = parse(ged_csv, no_progress).source
    geojson_source = parse(ged_geojson, no_progress).source
    assert csv_source is not None and geojson_source is not None
    assert "geom_wkt" in csv_source.columns and "geom_wkt" not in geojson_source.columns
    assert len(csv_source.chunks()) == len(geojson_source.chunks())


# --- Indexes deferred during bulk loads ------------------------------------------------------


def _indexes() -> list[tuple[str, str]]:
    return bulk._secondary_indexes(Event._meta.db_table)


@pytest.mark.django_db
def test_deferred_indexes_come_back_exactly_as_they_were() -> None:
    before = _indexes()
    keys = bulk._foreign_keys(Event._meta.db_table)
    assert {name for name, _sql in before} >= {"event_country_date", "event_type_date"}
    constrained = [
        f
        for f in Event._meta.concrete_fields
        if f.is_relation and getattr(f, "db_constraint", False)
    ]
    assert len(keys) == (len(constrained) if connection.vendor == "postgresql" else 0)
    with bulk.deferred_indexes(Event._meta.db_table, enabled=True):
        assert _indexes() == []
        assert bulk._foreign_keys(Event._meta.db_table) == []
    assert _indexes() == before
    assert bulk._foreign_keys(Event._meta.db_table) == keys


@pytest.mark.django_db
def test_uniqueness_still_holds_when_indexes_are_deferred(ged_run: ImportRun) -> None:
    """Uniqueness of (dataset, source_id) survives a bulk load: SQLite keeps that index in the
    table definition, so it is never dropped; were it dropped, building it again checks it."""
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL keeps constraint indexes in place; the constraint itself holds")
    event = Event.objects.first()
    assert event is not None
    with (
        pytest.raises(IntegrityError),
        transaction.atomic(),
        bulk.deferred_indexes(Event._meta.db_table, enabled=True),
    ):
        event.pk = None
        event.save()


def test_bulk_path_only_for_big_loads_into_a_small_table() -> None:
    big = bulk.MIN_BULK_ROWS
    assert not bulk.should_defer(big - 1, 0, locks_readers=False)
    assert bulk.should_defer(big, 0, locks_readers=False)
    assert bulk.should_defer(big, big, locks_readers=False)
    assert not bulk.should_defer(big, big + 1, locks_readers=False)
    assert bulk.should_defer(big, 0, locks_readers=True)
    assert not bulk.should_defer(10 * big, 1, locks_readers=True)


def test_bulk_load_counts_what_the_table_holds(ged_run: ImportRun) -> None:
    assert Event.objects.count() == 1848
    assert bulk.bulk_load(bulk.MIN_BULK_ROWS) == (connection.vendor == "sqlite")


def test_only_safe_constant_values_are_written_as_sql_literals() -> None:
    frame = pl.DataFrame(
        {
            "dataset": ["ucdp-ged", "ucdp-ged"],
            "dataset_version": ["23.1'; DROP TABLE x; --", "23.1'; DROP TABLE x; --"],
            "import_run_id": ["0f" * 16, "0f" * 16],
            "withdrawn": [False, False],
            "owner_id": ["a", "b"],
            "licence": ["CC-BY-4.0", "CC-BY-4.0"],
            "sensitivity": [0, 0],
            "source_sub_event_type": ["", ""],
        }
    )
    assert bulk.constant_literals(frame, CONSTANT_CANDIDATES) == {
        "dataset": "'ucdp-ged'",
        "import_run_id": "'" + "0f" * 16 + "'",
        "withdrawn": "0",
        "licence": "'CC-BY-4.0'",
        "sensitivity": "0",
        "source_sub_event_type": "''",
    }


# --- Rows staged through a scratch database (SQLite) -----------------------------------------


def _stored_events() -> list[tuple[object, ...]]:
    """Every stored value of every event but its key, run and timestamps, by source id."""
    skip = {"id", "import_run", "created_at", "updated_at"}
    fields = [f.attname for f in Event._meta.concrete_fields if f.name not in skip]
    return sorted(Event.objects.values_list(*fields))


def test_staged_insert_stores_exactly_what_executemany_stores(
    ged_run: ImportRun, owner: Organization, ged_csv: Path, staged: None
) -> None:
    bound = _stored_events()
    Event.objects.all().delete()
    run = do_import(GED, ged_csv, owner)
    assert run.added == 1848
    assert _stored_events() == bound
    again = do_import(GED, ged_csv, owner)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 1848)
