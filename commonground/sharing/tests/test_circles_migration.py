"""Migration sharing.0004: every ``partners`` record goes to its owner's default circle, and back.

A module of its own: the migration runs in transactions of its own (see the events' source
migration test).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("sharing", "0003_sharing_circles")]
AFTER = [("sharing", "0004_circles_policy")]


#: The events at the point both states share (their circle field exists before and after).
EVENTS = ("events", "0006_circle")


def _migrate(targets: list[tuple[str, str]]) -> Any:
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state([*targets, EVENTS]).apps


def _event(apps: Any, run: Any, n: int, owner: Any, sensitivity: int) -> Any:
    return apps.get_model("events", "Event").objects.create(
        dataset="test",
        dataset_version="1",
        source_id=str(n),
        import_run=run,
        source_row=n,
        content_hash="x",
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
        owner=owner,
        sensitivity=sensitivity,
    )


@pytest.mark.django_db(transaction=True)
def test_partners_records_move_to_a_default_circle_without_armed_members_and_back() -> None:
    try:
        apps = _migrate(BEFORE)
        org = apps.get_model("sharing", "Organization").objects
        jmac = org.create(slug="jmac", name="JMAC", kind="un_mission")
        ngo = org.create(slug="ngo", name="NGO", kind="peacebuilder")
        army = org.create(slug="army", name="Army", kind="national_government")
        force = org.create(slug="force", name="Force", kind="military_component")
        run = apps.get_model("core", "ImportRun").objects.create(
            dataset="test", file_name="m.csv", sha256="ab" * 32, owner=jmac
        )
        partners = _event(apps, run, 1, jmac, 1)
        restricted = _event(apps, run, 2, jmac, 2)

        apps = _migrate(AFTER)
        circle = apps.get_model("sharing", "SharingCircle").objects.get()
        assert (circle.owner_id, circle.slug, circle.max_sensitivity) == (jmac.pk, "partners", 1)
        assert set(circle.members.values_list("slug", flat=True)) == {"ngo"}
        events = apps.get_model("events", "Event").objects
        assert events.get(pk=partners.pk).circle_id == circle.pk
        assert events.get(pk=restricted.pk).circle_id is None
        assert {army.slug, force.slug, ngo.slug}  # named above for the reader

        apps = _migrate(BEFORE)
        assert not apps.get_model("sharing", "SharingCircle").objects.exists()
        assert apps.get_model("events", "Event").objects.get(pk=partners.pk).circle_id is None
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
