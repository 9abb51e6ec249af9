"""The mission's own incidents: the documented template, strict checks, re-imports.

The incidents here are the template's two example rows (renamed so they count as real rows)
and rows derived from them; they are examples written for the template, not real incidents.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.utils import timezone

from commonground.core.importing import ImportRejected, no_progress
from commonground.core.models import ImportOutcome
from commonground.core.services import do_import
from commonground.events.importers.incidents import INCIDENTS, TEMPLATE_COLUMNS, parse
from commonground.events.models import Event
from commonground.events.sources import source_fields
from commonground.events.tests.conftest import (
    INCIDENTS_TEMPLATE,
    TEMPLATES,
    incident_rows,
    read_csv_rows,
    write_csv,
)
from commonground.registry.models import ActorIdentifier
from commonground.sharing.models import Licence, Organization, Sensitivity

Row = dict[str, str]


@pytest.fixture(scope="module")
def template_header() -> list[str]:
    return read_csv_rows(INCIDENTS_TEMPLATE)[0]


@pytest.fixture
def rows() -> list[Row]:
    return incident_rows()


@pytest.fixture
def write(tmp_path: Path, template_header: list[str]) -> Callable[[list[Row]], Path]:
    def write_rows(rows: list[Row], name: str = "incidents.csv") -> Path:
        return write_csv(tmp_path / name, template_header, rows)

    return write_rows


def test_template_header_is_the_importers_columns(template_header: list[str]) -> None:
    assert tuple(template_header) == TEMPLATE_COLUMNS


def test_template_doc_documents_every_column() -> None:
    documented = set(
        re.findall(r"^\| `(\w+)` \|", (TEMPLATES / "incidents-template.md").read_text(), re.M)
    )
    assert set(TEMPLATE_COLUMNS) <= documented


def test_template_example_rows_are_refused() -> None:
    with pytest.raises(ImportRejected) as caught:
        parse(INCIDENTS_TEMPLATE, no_progress)
    located = {(p.row, p.column) for p in caught.value.problems if "example row" in p.reason}
    assert located == {(2, "incident_id"), (3, "incident_id")}


def test_template_rows_import_as_documented(
    owner: Organization, write: Callable[[list[Row]], Path], rows: list[Row]
) -> None:
    run = do_import(INCIDENTS, write(rows), owner)
    assert run.outcome == ImportOutcome.SUCCEEDED
    assert run.dataset_version == timezone.localdate().isoformat()
    assert run.added == 2
    first, second = (
        Event.objects.select_related("admin1", "admin2", "actor1", "actor2").get(source_id=r)
        for r in ("BAM-2024-0001", "BAM-2024-0002")
    )
    assert (first.date_start, first.date_end) == (dt.date(2024, 3, 14), dt.date(2024, 3, 14))
    assert (second.date_start, second.date_end) == (dt.date(2024, 4, 2), dt.date(2024, 4, 5))
    assert (first.date_precision, second.date_precision) == (1, 3)  # day, week
    assert (first.location_precision, second.location_precision) == (1, 2)  # exact, near
    assert (first.violence_type, second.violence_type) == ("one_sided", "state_based")
    assert (first.sensitivity, second.sensitivity) == (Sensitivity.RESTRICTED, Sensitivity.PARTNERS)
    assert {first.licence, second.licence} == {Licence.OWNER}
    assert {first.owner_id, second.owner_id} == {owner.pk}
    assert (second.fatalities_best, second.fatalities_low, second.fatalities_high) == (4, 3, 6)
    assert (first.civilian_deaths, second.civilian_deaths) == (2, 0)
    assert first.admin1 is not None and first.admin1.code == "CAF.ouaka"
    assert first.admin2 is not None and first.admin2.code == "CAF.ouaka.bambari"
    assert first.description == rows[0]["description"]
    assert source_fields(first)["reported_by"] == rows[0]["reported_by"]
    assert second.actor1 is not None and second.actor1.kind == "state_forces"
    assert second.actor2 is not None and second.actor2.kind == "rebel_group"


def test_sensitivity_defaults_to_restricted(
    owner: Organization, write: Callable[[list[Row]], Path], rows: list[Row]
) -> None:
    do_import(INCIDENTS, write([{**row, "sensitivity": ""} for row in rows]), owner)
    assert set(Event.objects.values_list("sensitivity", flat=True)) == {Sensitivity.RESTRICTED}


def test_actor_names_are_matched_with_whitespace_normalised(
    owner: Organization, write: Callable[[list[Row]], Path], rows: list[Row]
) -> None:
    rows[0]["perpetrator"] = "  Unidentified   armed\nmen "
    rows[1]["target"] = "Unidentified armed men"
    rows[1]["target_kind"] = "militia"
    do_import(INCIDENTS, write(rows), owner)
    keys = set(ActorIdentifier.objects.filter(scheme="cg").values_list("value", flat=True))
    assert "Unidentified armed men" in keys
    first, second = Event.objects.order_by("source_id")
    assert first.actor1_id == second.actor2_id


def test_words_are_read_in_any_case(
    owner: Organization, write: Callable[[list[Row]], Path], rows: list[Row]
) -> None:
    rows[0].update(date_precision="Day", location_precision="EXACT", country="caf")
    rows[0].update(violence_type="One_Sided", perpetrator_kind="Militia", sensitivity="Public")
    do_import(INCIDENTS, write(rows), owner)
    event = Event.objects.get(source_id="BAM-2024-0001")
    assert (event.country_code, event.violence_type, event.sensitivity) == ("CAF", "one_sided", 0)


def test_reimport_updates_and_withdraws_only_what_changed(
    owner: Organization, write: Callable[[list[Row]], Path], rows: list[Row]
) -> None:
    third = {**rows[0], "incident_id": "BAM-2024-0003", "date_start": "2024-04-10"}
    do_import(INCIDENTS, write([*rows, third]), owner)
    again = do_import(INCIDENTS, write([*rows, third]), owner)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)
    corrected = {**third, "fatalities_best": "3", "fatalities_high": "3"}
    # A corrections file withdraws nothing: 0002 (2 April) is missing but stays.
    run = do_import(INCIDENTS, write([rows[0], corrected]), owner)
    assert (run.added, run.updated, run.removed, run.unchanged) == (0, 1, 0, 1)
    assert not Event.objects.get(source_id="BAM-2024-0002").withdrawn
    # Asked to replace the release, the file withdraws the organization's incident it lacks.
    run = do_import(INCIDENTS, write([rows[0], corrected]), owner, replace_release=True)
    assert (run.added, run.updated, run.removed, run.unchanged) == (0, 0, 1, 2)
    assert Event.objects.get(source_id="BAM-2024-0002").withdrawn
    assert Event.objects.get(source_id="BAM-2024-0003").fatalities_best == 3


def test_another_organizations_incidents_are_left_alone(
    owner: Organization,
    other_owner: Organization,
    write: Callable[[list[Row]], Path],
    rows: list[Row],
) -> None:
    """Ids are each owner's own: the same ids from another organization are its own records."""
    do_import(INCIDENTS, write(rows), owner)
    ours = {e.pk: (e.content_hash, e.withdrawn) for e in Event.objects.filter(owner=owner)}
    theirs = [{**row, "fatalities_best": "3", "fatalities_high": "3"} for row in rows[:1]]
    run = do_import(INCIDENTS, write(theirs), other_owner)
    assert (run.added, run.updated, run.removed) == (1, 0, 0)
    assert {e.pk: (e.content_hash, e.withdrawn) for e in Event.objects.filter(owner=owner)} == ours
    assert Event.objects.filter(owner=other_owner, source_id=rows[0]["incident_id"]).exists()


#: An importer's file names ids it holds nowhere. Whether another organization holds them (as
#: a confidential or a withdrawn record) or nobody does, the import answers the same.
HIDDEN_STATES = ["nobody holds them", "another holds them", "another withdrew them"]


@pytest.mark.parametrize("state", HIDDEN_STATES)
def test_an_import_confirms_nothing_about_other_organizations_ids(
    owner: Organization,
    other_owner: Organization,
    write: Callable[..., Path],
    rows: list[Row],
    state: str,
) -> None:
    confidential = [{**row, "sensitivity": "confidential"} for row in rows]
    if state != "nobody holds them":
        do_import(INCIDENTS, write(confidential, "theirs.csv"), other_owner)
    if state == "another withdrew them":
        Event.objects.filter(owner=other_owner).update(withdrawn=True)
    good = do_import(INCIDENTS, write(rows), owner)
    answer = (good.outcome, good.added, good.updated, good.removed, good.unchanged, good.problems)
    assert answer == (ImportOutcome.SUCCEEDED, 2, 0, 0, 0, [])
    bad = [{**row, "fatalities_best": "10"} for row in rows]  # best above high: rejected
    with pytest.raises(ImportRejected) as caught:
        do_import(INCIDENTS, write(bad, "bad.csv"), owner)
    reasons = [problem.reason for problem in caught.value.problems]
    assert all("is above high" in reason for reason in reasons)
    assert not any("organization" in reason or "already" in reason for reason in reasons)


def _future() -> str:
    return (timezone.now().date() + dt.timedelta(days=3)).isoformat()


#: (what the bad row changes, the column the problem names, a phrase of its reason).
RULES: list[tuple[str, Row, str, str]] = [
    ("best above high", {"fatalities_best": "10"}, "fatalities_best", "is above high"),
    ("best below low", {"fatalities_best": "1"}, "fatalities_best", "is below low"),
    ("low above high", {"fatalities_low": "7", "fatalities_best": "7"}, "fatalities_low", "high"),
    ("civilians above best", {"civilian_deaths": "5"}, "civilian_deaths", "exceed"),
    ("deaths missing", {"fatalities_best": ""}, "fatalities_best", "a number is required"),
    ("deaths negative", {"fatalities_low": "-1"}, "fatalities_low", "below the minimum"),
    ("deaths too many to store", {"fatalities_best": "3000000000", "fatalities_high": ""},
     "fatalities_best", "larger than the largest count"),
    ("deaths not a number", {"civilian_deaths": "two"}, "civilian_deaths", "not a whole number"),
    ("start in the future", {"date_start": "FUTURE"}, "date_start", "in the future"),
    ("end in the future", {"date_end": "FUTURE"}, "date_end", "in the future"),
    ("end before start", {"date_end": "2024-03-01"}, "date_end", "before the start date"),
    ("impossible date", {"date_start": "2024-02-30"}, "date_start", "not a real date"),
    ("date in another form", {"date_start": "02/04/2024"}, "date_start", "not a date in the form"),
    ("outside the country", {"latitude": "48.8566", "longitude": "2.3522"},
     "latitude/longitude", "outside CAF"),
    ("swapped coordinates", {"latitude": "20.674167", "longitude": "5.765278"},
     "latitude/longitude", "swapped"),
    ("unknown country", {"country": "XYZ"}, "country", "ISO 3166 alpha-3"),
    ("unknown date precision", {"date_precision": "daily"}, "date_precision", "is not one of"),
    ("missing date precision", {"date_precision": ""}, "date_precision", "a value is required"),
    ("unknown location precision", {"location_precision": "town"}, "location_precision",
     "is not one of"),
    ("unknown violence type", {"violence_type": "massacre"}, "violence_type", "is not one of"),
    ("unknown actor kind", {"perpetrator_kind": "armed group"}, "perpetrator_kind",
     "is not one of"),
    ("actor without kind", {"perpetrator_kind": ""}, "perpetrator_kind", "a kind is required"),
    ("kind without actor", {"target": ""}, "target_kind", "target is empty"),
    ("one name two kinds", {"perpetrator": "Central African Armed Forces (FACA)"},
     "perpetrator", "different kinds"),
    ("unknown sensitivity", {"sensitivity": "secret"}, "sensitivity", "is not one of"),
    ("id too long", {"incident_id": "X" * 81}, "incident_id", "at most 80 fit"),
    ("admin2 without admin1", {"admin1": ""}, "admin1", "admin2 is given"),
    ("admin name too long", {"admin1": "Ouaka" * 12}, "admin1", "at most 55 fit"),
    ("id missing", {"incident_id": ""}, "incident_id", "a value is required"),
    ("id repeated", {"incident_id": "BAM-2024-0002"}, "incident_id", "more than once"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("change", "column", "phrase"),
    [pytest.param(change, column, phrase, id=name) for name, change, column, phrase in RULES],
)
def test_strict_rules(
    owner: Organization,
    write: Callable[[list[Row]], Path],
    rows: list[Row],
    counts: Callable[[], dict[str, int]],
    change: Row,
    column: str,
    phrase: str,
) -> None:
    rows[0].update({k: _future() if v == "FUTURE" else v for k, v in change.items()})
    before = counts()
    with pytest.raises(ImportRejected) as caught:
        do_import(INCIDENTS, write(rows), owner)
    assert any(
        p.file == "incidents.csv" and p.row == 2 and p.column == column and phrase in p.reason
        for p in caught.value.problems
    ), caught.value.summary()
    assert counts() == {**before, "import_runs": before["import_runs"] + 1}


def test_formula_like_text_is_stored_verbatim(
    owner: Organization, write: Callable[[list[Row]], Path], rows: list[Row]
) -> None:
    rows[0].update(description='=HYPERLINK("http://example.com","click")', place="@SUM(A1:A9)")
    rows[1].update(description="-2+3", perpetrator="+cmd")
    do_import(INCIDENTS, write(rows), owner)
    first, second = Event.objects.select_related("actor1").order_by("source_id")
    assert first.description == '=HYPERLINK("http://example.com","click")'
    assert first.place == "@SUM(A1:A9)"
    assert second.description == "-2+3"
    assert second.actor1 is not None and second.actor1.name == "+cmd"


def test_excel_csv_utf8_with_bom_and_crlf_imports(
    owner: Organization, tmp_path: Path, rows: list[Row]
) -> None:
    """Excel's 'CSV UTF-8' starts with a byte-order mark and ends lines with CR LF."""
    path = write_csv(tmp_path / "incidents.csv", list(TEMPLATE_COLUMNS), rows)
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    run = do_import(INCIDENTS, path, owner)
    assert run.added == 2
    assert set(Event.objects.values_list("source_id", flat=True)) == {
        "BAM-2024-0001",
        "BAM-2024-0002",
    }


def test_blank_lines_at_the_end_are_ignored(
    owner: Organization, write: Callable[[list[Row]], Path], rows: list[Row]
) -> None:
    path = write(rows)
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert do_import(INCIDENTS, path, owner).added == 2


def test_a_blank_line_between_rows_is_refused(
    write: Callable[[list[Row]], Path], rows: list[Row]
) -> None:
    path = write(rows)
    header, first, second = path.read_text(encoding="utf-8").split("\n", 2)
    path.write_text(f"{header}\n{first}\n\n{second}", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        parse(path, no_progress)
    assert [(p.row, p.column, p.reason) for p in caught.value.problems] == [
        (3, None, "empty line in the middle of the data")
    ]
