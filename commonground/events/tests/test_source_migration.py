"""Migration 0003: each event's source-field JSON moves into chunks, and back.

A module of its own: the migration runs in transactions of its own, which must not be nested in
another module's long-lived fixture transaction (PostgreSQL refuses to alter a table with
foreign-key checks pending).
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commonground.events.models import Event
from commonground.events.sources import source_fields


def _blake2b(text: str) -> str:
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


BEFORE = [("events", "0002_no_index_on_event_import_run")]
AFTER = [("events", "0003_source_fields_once_per_file")]


def _migrate(targets: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _old_event(apps: Any, run: Any, row: int, fields: dict[str, str]) -> Any:
    return apps.get_model("events", "Event").objects.create(
        dataset="ucdp-ged",
        dataset_version="23.1",
        source_id=fields["id"],
        import_run=run,
        source_row=row,
        content_hash="old",
        date_start=datetime.date(2020, 1, 1),
        date_end=datetime.date(2020, 1, 1),
        date_precision=1,
        latitude=4.36,
        longitude=18.55,
        location_precision=1,
        country_code="CAF",
        priogrid_gid=1,
        violence_type="one_sided",
        fatalities_best=1,
        source_fields=fields,
        owner=run.owner,
    )


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_each_events_fields_to_chunks_and_back() -> None:
    fields = {
        "id": "7",
        "side_a": "Government of Central African Republic",
        "geom_wkt": "POINT (18.55 4.36)",
        "where_description": "Bangui, \x1f odd",
    }
    try:
        apps = _migrate(BEFORE)
        owner = apps.get_model("sharing", "Organization").objects.create(
            slug="m", name="M", kind="other"
        )
        run = apps.get_model("core", "ImportRun").objects.create(
            dataset="ucdp-ged", file_name="ged_23_1_CAF.csv", sha256="ab" * 32, owner=owner
        )
        first = _old_event(apps, run, 5, fields)
        second = _old_event(apps, run, 9, {**fields, "id": "8"})

        apps = _migrate(AFTER)
        chunks = list(apps.get_model("events", "SourceChunk").objects.all())
        assert [(c.sha256, c.first_row, c.last_row, c.rows, c.complete) for c in chunks] == [
            ("ab" * 32, 5, 9, 2, False)
        ]
        # Columns added after this migration (the sharing circle) are not there yet.
        event = Event.objects.select_related("import_run").defer("circle").get(pk=first.pk)
        assert source_fields(event) == fields
        assert list(source_fields(event)) == list(fields)
        hashed = [fields[k] for k in sorted(fields) if k != "geom_wkt"]
        assert event.content_hash == _blake2b("\x1e" + json.dumps(hashed))

        apps = _migrate(BEFORE)
        back = apps.get_model("events", "Event").objects.get(pk=second.pk)
        assert back.source_fields == {**fields, "id": "8"}
        assert len(back.content_hash) == 32 and back.content_hash != event.content_hash
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
