"""UCDP GED 23.1, Central African Republic: the real extract in shared/data, CSV and GeoJSON.

Every expectation is computed here from the file with Python's csv module (or from the UCDP
codebook), never from what our importer returns.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import polars as pl

from commonground.core.geo import priogrid_gid
from commonground.core.importing import no_progress
from commonground.core.models import AreaLevel, ImportOutcome, ImportRun
from commonground.core.services import do_import
from commonground.events.importers.ged import GED, parse
from commonground.events.models import Event
from commonground.events.sources import source_fields
from commonground.events.tests.conftest import GedRow, write_csv
from commonground.registry.models import ActorIdentifier
from commonground.sharing.models import Licence, Organization, Sensitivity

#: UCDP codebook: type_of_violence 1 state-based, 2 non-state, 3 one-sided.
UCDP_TYPES = {"1": "state_based", "2": "non_state", "3": "one_sided"}

#: Fields that legitimately differ between the CSV and the GeoJSON of one release (SOURCES.md:
#: geom_wkt exists only in the CSV; relid was zeroed upstream in the GeoJSON and left blank in
#: the CSV).
FORM_SPECIFIC = {"geom_wkt", "relid"}


def _events() -> dict[str, Event]:
    return {
        e.source_id: e
        for e in Event.objects.filter(dataset="ucdp-ged").select_related("import_run")
    }


def test_every_event_of_the_real_file_is_imported(
    ged_run: ImportRun, ged_rows: list[GedRow]
) -> None:
    assert ged_run.outcome == ImportOutcome.SUCCEEDED
    assert ged_run.dataset_version == "23.1"
    assert len(ged_rows) == 1848
    assert Event.objects.count() == len(ged_rows)
    assert ged_run.rows_read == ged_run.added == len(ged_rows)
    assert set(_events()) == {row["id"] for row in ged_rows}


def test_deaths_years_and_types_match_the_file(ged_run: ImportRun, ged_rows: list[GedRow]) -> None:
    events = list(Event.objects.all())
    expected_best = sum(int(row["best"]) for row in ged_rows)
    assert expected_best == 14_948
    assert sum(e.fatalities_best for e in events) == expected_best
    assert Counter(e.date_start.year for e in events) == Counter(int(r["year"]) for r in ged_rows)
    assert Counter(e.violence_type for e in events) == Counter(
        UCDP_TYPES[r["type_of_violence"]] for r in ged_rows
    )


def test_each_event_keeps_its_provenance(ged_run: ImportRun, ged_rows: list[GedRow]) -> None:
    events = _events()
    for number, row in enumerate(ged_rows, start=2):
        event = events[row["id"]]
        assert event.source_row == number
        assert event.import_run_id == ged_run.pk
        assert event.licence == Licence.CC_BY_4_0
        assert event.sensitivity == Sensitivity.PUBLIC
        assert source_fields(event) == row  # every field, as read, in the file's order
        assert list(source_fields(event)) == list(row)
        assert (event.fatalities_low, event.fatalities_high) == (int(row["low"]), int(row["high"]))
    sides = {row[f"side_{s}_new_id"] for row in ged_rows for s in "ab"}
    assert sides <= set(
        ActorIdentifier.objects.filter(scheme="ucdp").values_list("value", flat=True)
    )


def test_events_link_to_their_admin1_area(ged_run: ImportRun, ged_rows: list[GedRow]) -> None:
    events = {e.source_id: e for e in Event.objects.select_related("admin1")}
    for row in ged_rows:
        event = events[row["id"]]
        if not row["adm_1"]:
            assert event.admin1 is None
            continue
        assert event.admin1 is not None, row["id"]
        assert event.admin1.level == AreaLevel.ADMIN1
        assert event.admin1.country_code == "CAF"
        assert row["adm_1"] in [event.admin1.name_en, *event.admin1.aliases]


def test_priogrid_function_matches_ucdp_for_every_row(ged_rows: list[GedRow]) -> None:
    disagree = [
        (row["id"], row["latitude"], row["longitude"], row["priogrid_gid"])
        for row in ged_rows
        if priogrid_gid(float(row["latitude"]), float(row["longitude"])) != int(row["priogrid_gid"])
    ]
    assert disagree == []


def test_imported_priogrid_cells_match_the_file(ged_run: ImportRun, ged_rows: list[GedRow]) -> None:
    events = _events()
    assert all(events[r["id"]].priogrid_gid == int(r["priogrid_gid"]) for r in ged_rows)


def test_best_outside_low_high_is_kept_and_reported_as_warning(
    ged_run: ImportRun, ged_rows: list[GedRow]
) -> None:
    outside = {
        number
        for number, row in enumerate(ged_rows, start=2)
        if not int(row["low"]) <= int(row["best"]) <= int(row["high"])
    }
    assert len(outside) == 20
    warnings = [p for p in ged_run.problems if p.get("level") == "warning"]
    reported = {int(m.group(1)) for p in warnings if (m := re.search(r"row (\d+)", p["reason"]))}
    assert reported == outside
    assert all("ged_23_1_CAF.csv" in p["reason"] for p in warnings)
    events = _events()
    kept = [ged_rows[n - 2] for n in outside]
    assert all(events[row["id"]].fatalities_best == int(row["best"]) for row in kept)


def test_csv_and_geojson_yield_identical_events(ged_csv: Path, ged_geojson: Path) -> None:
    from_csv = parse(ged_csv, no_progress)
    from_geojson = parse(ged_geojson, no_progress)
    assert from_csv.frame.height == from_geojson.frame.height == 1848
    assert from_csv.frame.equals(from_geojson.frame)  # content hashes included
    assert from_csv.source is not None and from_geojson.source is not None
    shared = [c for c in from_csv.source.columns if c not in FORM_SPECIFIC]
    assert sorted(shared) == sorted(
        c for c in from_geojson.source.columns if c not in FORM_SPECIFIC
    )
    assert from_csv.source.frame.select("_row", *shared).equals(
        from_geojson.source.frame.select("_row", *shared)
    )


def test_geojson_after_csv_changes_nothing(
    ged_run: ImportRun, owner: Organization, ged_geojson: Path
) -> None:
    run = do_import(GED, ged_geojson, owner)
    assert (run.added, run.updated, run.removed) == (0, 0, 0)
    assert run.unchanged == 1848
    assert Event.objects.count() == 1848


def test_reimport_adds_nothing(ged_run: ImportRun, owner: Organization, ged_csv: Path) -> None:
    run = do_import(GED, ged_csv, owner)
    assert (run.added, run.updated, run.removed, run.unchanged) == (0, 0, 0, 1848)
    assert Event.objects.count() == 1848
    assert not Event.objects.filter(withdrawn=True).exists()


def _newer_release(
    tmp_path: Path, header: list[str], rows: list[GedRow]
) -> tuple[Path, str, str, str]:
    """A copy of the release as 23.2 would ship it: one event revised, one dropped, one new.

    The dropped and revised events are chosen strictly inside the file's period, so that the
    dropped one is in the scope a release covers.
    """
    by_date = sorted(range(len(rows)), key=lambda i: rows[i]["date_start"])
    revised_i, dropped_i = by_date[len(rows) // 3], by_date[len(rows) // 2]
    newer = [dict(row) for row in rows]
    revised = newer[revised_i]
    for column in ("best", "low", "high"):
        revised[column] = str(int(revised[column]) + 5)
    added = dict(newer[dropped_i])
    added["id"] = str(max(int(row["id"]) for row in rows) + 1)
    dropped = newer[dropped_i]["id"]
    newer = [row for i, row in enumerate(newer) if i != dropped_i] + [added]
    path = write_csv(tmp_path / "ged_23_2_CAF.csv", header, newer)
    return path, revised["id"], dropped, added["id"]


def test_newer_release_adds_updates_and_withdraws(
    ged_run: ImportRun,
    owner: Organization,
    tmp_path: Path,
    ged_header: list[str],
    ged_rows: list[GedRow],
) -> None:
    path, revised, dropped, added = _newer_release(tmp_path, ged_header, ged_rows)
    run = do_import(GED, path, owner, replace_release=True)
    assert run.dataset_version == "23.2"
    assert (run.added, run.updated, run.removed) == (1, 1, 1)
    assert run.unchanged == 1848 - 2
    events = _events()
    assert events[added].dataset_version == "23.2"
    assert events[revised].fatalities_best == int(ged_rows_by_id(ged_rows)[revised]["best"]) + 5
    assert events[revised].dataset_version == "23.2"
    assert events[dropped].withdrawn
    assert Event.objects.filter(withdrawn=False).count() == 1848


def ged_rows_by_id(rows: list[GedRow]) -> dict[str, GedRow]:
    return {row["id"]: row for row in rows}


def test_frame_has_one_row_per_record_without_nulls_in_required_fields(ged_csv: Path) -> None:
    frame = parse(ged_csv, no_progress).frame
    required = ["source_id", "date_start", "date_end", "latitude", "longitude", "country_code"]
    assert frame.select(pl.col(required).null_count()).row(0) == (0,) * len(required)
    assert frame["source_id"].n_unique() == frame.height


def test_a_shared_dataset_stays_one_copy_whoever_imports_it(
    ged_run: ImportRun, ged_csv: Path, other_owner: Organization
) -> None:
    """GED ids are UCDP's, shared by all: another organization's import of the same file matches
    the events already there (ids are per owner only for each organization's own datasets)."""
    again = do_import(GED, ged_csv, other_owner)
    assert (again.added, again.removed) == (0, 0)
    assert Event.objects.filter(dataset="ucdp-ged").count() == ged_run.added
