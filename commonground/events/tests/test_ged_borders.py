"""A real world-wide GED release read as UCDP publishes it: events coded under the borders of
their time (shared/data/ged_23_1_sample1000.csv, a random sample of GED 23.1).

UCDP codes each event under the state of its day, so the sample holds an event at Maridi (in
South Sudan today) coded ``Sudan`` in 1991, and one at Nevesinje (in Bosnia and Herzegovina
today) coded ``Serbia (Yugoslavia)`` in 1992. Such rows must import with a warning, keep the
source's country in the source fields, and be placed in the country that holds them today.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from country_bounding_boxes import country_subunits_by_iso_code
from django.conf import settings

from commonground.core.geo import COUNTRY_BOX_TOLERANCE
from commonground.core.importing import ImportRejected, no_progress
from commonground.core.models import Area, ImportOutcome
from commonground.core.services import do_import
from commonground.events.importers.ged import GED, parse
from commonground.events.models import Event
from commonground.events.sources import source_fields
from commonground.events.tests.conftest import write_csv
from commonground.registry.models import ActorKind
from commonground.sharing.models import Organization

#: Where the sample's events coded under a former state lie today (Maridi: Western Equatoria,
#: South Sudan; Nevesinje: Herzegovina, Bosnia and Herzegovina), and what UCDP coded.
STATES_OF_THE_TIME = [
    # (GED id, country as UCDP coded it, ISO3 of the country the place is in today)
    ("8132", "Sudan", "SSD"),
    ("400182", "Serbia (Yugoslavia)", "BIH"),
]

#: ISO3 of the coded countries above (UCDP's names are not ISO's).
CODED_ISO3 = {"Sudan": "SDN", "Serbia (Yugoslavia)": "SRB"}


@pytest.fixture(scope="module")
def sample_csv() -> Path:
    return Path(settings.COMMONGROUND_DATA_DIR) / "ged_23_1_sample1000.csv"


@pytest.fixture(scope="module")
def sample_rows(sample_csv: Path) -> list[dict[str, str]]:
    with sample_csv.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _outside_box(row: dict[str, str], iso3: str) -> bool:
    """Whether the point lies outside every Natural Earth box of ``iso3`` (with tolerance)."""
    lat, lon, tol = float(row["latitude"]), float(row["longitude"]), COUNTRY_BOX_TOLERANCE
    return not any(
        west - tol <= lon <= east + tol and south - tol <= lat <= north + tol
        for west, south, east, north in (u.bbox for u in country_subunits_by_iso_code(iso3))
    )


def test_the_sample_holds_the_two_events_coded_under_a_former_state(
    sample_rows: list[dict[str, str]],
) -> None:
    by_id = {row["id"]: row for row in sample_rows}
    for source_id, coded, _today in STATES_OF_THE_TIME:
        assert by_id[source_id]["country"] == coded
        assert _outside_box(by_id[source_id], CODED_ISO3[coded])


def test_the_real_sample_imports_with_warnings_and_places_events_in_todays_country(
    owner: Organization, sample_csv: Path, sample_rows: list[dict[str, str]]
) -> None:
    run = do_import(GED, sample_csv, owner)

    assert run.outcome == ImportOutcome.SUCCEEDED, run.problems
    assert Event.objects.filter(dataset="ucdp-ged").count() == len(sample_rows) == 1000
    row_of = {row["id"]: n for n, row in enumerate(sample_rows, start=2)}
    warnings = [p["reason"] for p in run.problems if p.get("level") == "warning"]
    for source_id, coded, today in STATES_OF_THE_TIME:
        event = Event.objects.get(dataset="ucdp-ged", source_id=source_id)
        assert event.country_code == today
        assert source_fields(event)["country"] == coded  # the source's country, as published
        assert event.admin1 is None or event.admin1.country_code == today
        assert Area.objects.filter(code=today).exists()
        said = [w for w in warnings if f"row {row_of[source_id]}," in w]
        assert said and coded in said[0] and today in said[0]


def test_a_government_in_its_own_former_territory_is_not_foreign(
    owner: Organization, sample_csv: Path
) -> None:
    do_import(GED, sample_csv, owner)
    # Maridi, 1991: the Government of Sudan against the SPLM/A, in what was then Sudan.
    event = Event.objects.get(dataset="ucdp-ged", source_id="8132")
    assert event.actor1 is not None
    assert event.actor1.name == "Government of Sudan"
    assert event.actor1.kind == ActorKind.STATE_FORCES


def test_swapped_coordinates_in_a_former_state_are_still_refused(
    tmp_path: Path, sample_rows: list[dict[str, str]], sample_csv: Path
) -> None:
    """Only a successor state of the coded one explains a point outside it: a slip does not."""
    with sample_csv.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    maridi = next(row for row in sample_rows if row["id"] == "8132")
    swapped = {**maridi, "latitude": maridi["longitude"], "longitude": maridi["latitude"]}
    path = write_csv(tmp_path / "ged_23_1_swapped.csv", header, [swapped])

    with pytest.raises(ImportRejected) as rejected:
        parse(path, no_progress)

    (problem,) = rejected.value.problems
    assert (problem.row, problem.column) == (2, "latitude/longitude")
    assert "swapped" in problem.reason
