"""ACLED exports: taxonomy, licence, sensitivity, version, duplicates with GED.

SYNTHETIC DATA. ACLED's terms forbid redistributing its data, so shared/data holds no ACLED
file. The files here are built in the test, in ACLED's export layout, from real UCDP GED rows for
the Central African Republic (same dates, places, sides and deaths), plus a few protest, riot,
remote-violence and strategic rows at real GED places. They are not ACLED's data and say nothing
about what ACLED recorded.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from commonground.core.importing import ImportRejected, no_progress
from commonground.core.models import ImportOutcome, ImportRun
from commonground.core.services import do_import
from commonground.events.importers.acled import ACLED, parse
from commonground.events.importers.ged import GED
from commonground.events.models import Event, LikelyDuplicate
from commonground.events.tests.conftest import GedRow, write_csv
from commonground.registry.models import ActorIdentifier
from commonground.sharing.models import Licence, Organization, Sensitivity

#: The columns of ACLED's export tool, in its order.
ACLED_HEADER = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]

CAR_STATE = "Military Forces of the Central African Republic (2016-)"
CIVILIANS = "Civilians (Central African Republic)"
FIRST_TIMESTAMP = 1_690_000_000


def _place(ged: GedRow) -> dict[str, str]:
    """GED's location in ACLED's columns (ACLED writes admin names without their suffix)."""
    return {
        "iso": "140",
        "region": "Middle Africa",
        "country": "Central African Republic",
        "admin1": ged["adm_1"].removesuffix(" province"),
        "admin2": ged["adm_2"].removesuffix(" region"),
        "admin3": "",
        "location": ged["where_coordinates"][:100],
        "latitude": ged["latitude"],
        "longitude": ged["longitude"],
        "geo_precision": "1",
    }


def _acled_row(n: int, ged: GedRow, **fields: str) -> dict[str, str]:
    """One synthetic ACLED record at a GED event's date and place."""
    day = dt.date.fromisoformat(ged["date_start"][:10])
    row = {
        "event_id_cnty": f"CAF{n}",
        # ACLED wrote '31 January 2023' before switching to ISO dates: use both forms.
        "event_date": day.isoformat() if n % 2 else f"{day.day} {day:%B %Y}",
        "year": str(day.year),
        "time_precision": "1",
        "disorder_type": "Political violence",
        "assoc_actor_1": "",
        "assoc_actor_2": "",
        "interaction": "",
        "civilian_targeting": "",
        "source": "Synthetic test source",
        "source_scale": "National",
        "notes": f"SYNTHETIC test record built from UCDP GED event {ged['id']}.",
        "fatalities": ged["best"],
        "tags": "",
        "timestamp": str(FIRST_TIMESTAMP + n * 3600),
        **_place(ged),
    }
    row.update(fields)
    return row


def _from_ged(n: int, ged: GedRow) -> dict[str, str]:
    """A GED event as ACLED would code it: battles or violence against civilians."""
    side_a, side_b = ged["side_a"], ged["side_b"]
    state_a = side_a.startswith("Government of")
    if ged["type_of_violence"] == "3":
        return _acled_row(
            n, ged, event_type="Violence against civilians", sub_event_type="Attack",
            actor1=CAR_STATE if state_a else side_a, inter1="1" if state_a else "3",
            actor2=CIVILIANS, inter2="7", civilian_targeting="Civilian targeting",
        )  # fmt: skip
    return _acled_row(
        n, ged, event_type="Battles", sub_event_type="Armed clash",
        actor1=CAR_STATE if state_a else side_a, inter1="1" if state_a else "3",
        actor2=side_b, inter2="2" if ged["type_of_violence"] == "1" else "4",
    )  # fmt: skip


def _other_rows(start: int, ged: GedRow) -> list[dict[str, str]]:
    """Event types GED does not record, at a real GED place but a year after its event."""
    later = dt.date.fromisoformat(ged["date_start"][:10]) + dt.timedelta(days=365)
    moved = {**ged, "date_start": later.isoformat()}
    upc = "UPC: Unity for Peace in Central Africa"
    cpc = "CPC: Coalition of Patriots for Change"
    armed_group = "Unidentified Armed Group (Central African Republic)"
    demonstration = {"disorder_type": "Demonstrations", "actor2": ""}
    remote = "Explosions/Remote violence"
    fields: list[dict[str, str]] = [
        {**demonstration, "event_type": "Protests", "sub_event_type": "Peaceful protest",
         "actor1": "Protesters (Central African Republic)", "inter1": "Protesters",
         "inter2": "", "fatalities": "0"},
        {**demonstration, "event_type": "Riots", "sub_event_type": "Violent demonstration",
         "actor1": "Rioters (Central African Republic)", "inter1": "5", "inter2": "0",
         "fatalities": "1"},
        {"event_type": "Strategic developments", "disorder_type": "Strategic developments",
         "sub_event_type": "Looting/property destruction", "actor1": upc, "inter1": "2",
         "actor2": CIVILIANS, "inter2": "7", "fatalities": "0"},
        {"event_type": remote, "sub_event_type": "Remote explosive/landmine/IED",
         "actor1": armed_group, "inter1": "3", "actor2": CIVILIANS, "inter2": "7",
         "civilian_targeting": "Civilian targeting", "fatalities": "2"},
        {"event_type": remote, "sub_event_type": "Air/drone strike", "actor1": CAR_STATE,
         "inter1": "State forces", "actor2": cpc, "inter2": "Rebel group", "fatalities": "4"},
        {"event_type": remote, "sub_event_type": "Shelling/artillery/missile attack",
         "actor1": cpc, "inter1": "2", "actor2": "Anti-Balaka", "inter2": "4",
         "fatalities": "0"},
    ]  # fmt: skip
    return [_acled_row(start + i, moved, **f) for i, f in enumerate(fields)]


#: The common taxonomy for each synthetic row, from the ViolenceType rules (independent of code).
EXPECTED_OTHER_TYPES = ["unrest", "unrest", "strategic", "one_sided", "state_based", "non_state"]


@pytest.fixture(scope="module")
def ged_sample(ged_rows: list[GedRow]) -> list[GedRow]:
    """Ten day-precise GED events of each violence type, spread over the file."""
    sample: list[GedRow] = []
    for kind in "123":
        rows = [r for r in ged_rows if r["type_of_violence"] == kind and r["date_prec"] == "1"]
        sample += rows[:: len(rows) // 10][:10]
    return sample


@pytest.fixture
def ged_run(owner: Organization, ged_csv: Path) -> ImportRun:
    """GED imported in this test only (rolled back), so other tests here start without it."""
    return do_import(GED, ged_csv, owner)


@pytest.fixture
def acled_rows(ged_sample: list[GedRow]) -> list[dict[str, str]]:
    rows = [_from_ged(n, ged) for n, ged in enumerate(ged_sample, start=1)]
    return rows + _other_rows(len(rows) + 1, ged_sample[0])


@pytest.fixture
def acled_file(tmp_path: Path, acled_rows: list[dict[str, str]]) -> Path:
    return write_csv(tmp_path / "acled_CAF_synthetic.csv", ACLED_HEADER, acled_rows)


def _expected_type(row: dict[str, str]) -> str:
    """ViolenceType's docstring rules, applied to the synthetic rows' own codes."""
    event_type, inter1, inter2 = row["event_type"], row["inter1"], row["inter2"]
    state = "1" in (inter1, inter2) or "State forces" in (inter1, inter2)
    if event_type == "Violence against civilians":
        return "one_sided"
    if event_type == "Battles":
        return "state_based" if state else "non_state"
    return {"Protests": "unrest", "Riots": "unrest", "Strategic developments": "strategic"}.get(
        event_type, "?"
    )


def test_taxonomy_licence_and_sensitivity(
    owner: Organization, acled_file: Path, acled_rows: list[dict[str, str]]
) -> None:
    run = do_import(ACLED, acled_file, owner)
    assert run.outcome == ImportOutcome.SUCCEEDED
    assert run.added == len(acled_rows) == 36
    events = {e.source_id: e for e in Event.objects.filter(dataset="acled")}
    from_ged, others = acled_rows[:30], acled_rows[30:]
    for row in from_ged:
        assert events[row["event_id_cnty"]].violence_type == _expected_type(row)
    assert [events[r["event_id_cnty"]].violence_type for r in others] == EXPECTED_OTHER_TYPES
    assert {e.licence for e in events.values()} == {Licence.ACLED}
    assert {e.sensitivity for e in events.values()} == {Sensitivity.PARTNERS}
    assert {e.country_code for e in events.values()} == {"CAF"}


def test_dates_deaths_and_actors(
    owner: Organization, acled_file: Path, acled_rows: list[dict[str, str]]
) -> None:
    do_import(ACLED, acled_file, owner)
    events = {e.source_id: e for e in Event.objects.select_related("actor1", "actor2")}
    for row in acled_rows:
        event = events[row["event_id_cnty"]]
        text = row["event_date"]
        day = (
            dt.date.fromisoformat(text)
            if "-" in text
            else dt.datetime.strptime(text, "%d %B %Y").date()
        )
        assert (event.date_start, event.date_end) == (day, day)
        assert event.fatalities_best == int(row["fatalities"])
        assert (event.fatalities_low, event.fatalities_high) == (None, None)
        against_civilians = row["event_type"] == "Violence against civilians"
        assert event.civilian_deaths == (int(row["fatalities"]) if against_civilians else None)
        assert event.actor1 is not None and event.actor1.name == row["actor1"]
        assert (event.actor2.name if event.actor2 else "") == row["actor2"]
        assert event.description == row["notes"]
        assert event.place == row["location"]
    names = {r["actor1"] for r in acled_rows} | {r["actor2"] for r in acled_rows} - {""}
    assert names == set(
        ActorIdentifier.objects.filter(scheme="acled").values_list("value", flat=True)
    )


def test_actor_kinds_follow_inter_codes(owner: Organization, acled_file: Path) -> None:
    do_import(ACLED, acled_file, owner)
    kinds = dict(ActorIdentifier.objects.filter(scheme="acled").values_list("value", "actor__kind"))
    assert kinds[CAR_STATE] == "state_forces"
    assert kinds[CIVILIANS] == "civilians"
    assert kinds["Protesters (Central African Republic)"] == "protesters"
    assert kinds["Rioters (Central African Republic)"] == "protesters"
    assert kinds["CPC: Coalition of Patriots for Change"] == "rebel_group"
    assert kinds["Anti-Balaka"] == "communal_group"


def test_version_is_the_export_date(acled_file: Path, acled_rows: list[dict[str, str]]) -> None:
    newest = max(int(r["timestamp"]) for r in acled_rows)
    expected = dt.datetime.fromtimestamp(newest, tz=dt.UTC).date().isoformat()
    assert parse(acled_file, no_progress).version == expected


def test_country_from_name_when_iso_is_missing(
    tmp_path: Path, acled_rows: list[dict[str, str]]
) -> None:
    rows = [{**r, "iso": ""} for r in acled_rows]
    header = [c for c in ACLED_HEADER if c != "civilian_targeting"]
    rows = [{k: v for k, v in r.items() if k != "civilian_targeting"} for r in rows]
    batch = parse(write_csv(tmp_path / "acled_old.csv", header, rows), no_progress)
    assert set(batch.frame["country_code"]) == {"CAF"}


def test_unknown_country_without_iso_is_refused(
    tmp_path: Path, acled_rows: list[dict[str, str]]
) -> None:
    rows = [dict(r) for r in acled_rows[:2]]
    rows[1].update(iso="", country="Atlantis")
    with pytest.raises(ImportRejected) as caught:
        parse(write_csv(tmp_path / "acled_bad.csv", ACLED_HEADER, rows), no_progress)
    problem = caught.value.problems[0]
    assert (problem.row, problem.column) == (3, "country")
    assert "'Atlantis' (iso empty) is not a country we recognise" in problem.reason


def test_after_ged_likely_duplicates_are_flagged_not_merged(
    ged_run: ImportRun, owner: Organization, acled_file: Path, ged_sample: list[GedRow]
) -> None:
    run = do_import(ACLED, acled_file, owner)
    assert run.likely_duplicates >= len(ged_sample)
    assert Event.objects.filter(dataset="ucdp-ged").count() == 1848
    assert Event.objects.filter(dataset="acled").count() == 36
    flagged = set(
        LikelyDuplicate.objects.filter(flagged_by=run).values_list(
            "event__source_id", "other__source_id"
        )
    )
    for n, ged in enumerate(ged_sample, start=1):
        assert (f"CAF{n}", ged["id"]) in flagged


def test_days_apart_is_recorded(
    ged_run: ImportRun, owner: Organization, tmp_path: Path, ged_sample: list[GedRow]
) -> None:
    ged = ged_sample[0]
    next_day = dt.date.fromisoformat(ged["date_start"][:10]) + dt.timedelta(days=1)
    row = _from_ged(1, {**ged, "date_start": next_day.isoformat()})
    do_import(ACLED, write_csv(tmp_path / "acled_one.csv", ACLED_HEADER, [row]), owner)
    flag = LikelyDuplicate.objects.get(event__source_id="CAF1", other__source_id=ged["id"])
    assert flag.days_apart == 1


def test_reimport_changes_nothing(owner: Organization, acled_file: Path) -> None:
    do_import(ACLED, acled_file, owner)
    run = do_import(ACLED, acled_file, owner)
    assert (run.added, run.updated, run.removed, run.unchanged) == (0, 0, 0, 36)


def test_reimport_next_to_ged_changes_nothing(
    ged_run: ImportRun, owner: Organization, acled_file: Path
) -> None:
    do_import(ACLED, acled_file, owner)
    run = do_import(ACLED, acled_file, owner)
    assert (run.added, run.updated, run.removed, run.unchanged) == (0, 0, 0, 36)


def test_another_organization_cannot_take_over_the_same_ids(
    owner: Organization, other_owner: Organization, acled_file: Path
) -> None:
    """The same export from another organization is its own copy; ours is left as it was."""
    first = do_import(ACLED, acled_file, owner)
    ours = dict(Event.objects.filter(owner=owner).values_list("pk", "import_run"))
    run = do_import(ACLED, acled_file, other_owner)
    assert (run.added, run.updated, run.removed, run.problems) == (first.added, 0, 0, [])
    assert dict(Event.objects.filter(owner=owner).values_list("pk", "import_run")) == ours
    assert Event.objects.filter(owner=other_owner).count() == first.added


def test_another_organizations_file_withdraws_none_of_ours(
    owner: Organization,
    other_owner: Organization,
    tmp_path: Path,
    acled_file: Path,
    acled_rows: list[dict[str, str]],
) -> None:
    do_import(ACLED, acled_file, owner)
    theirs = [{**r, "event_id_cnty": r["event_id_cnty"] + "X"} for r in acled_rows[:5]]
    run = do_import(ACLED, write_csv(tmp_path / "theirs.csv", ACLED_HEADER, theirs), other_owner)
    assert (run.added, run.removed) == (5, 0)
    assert not Event.objects.filter(withdrawn=True).exists()


@pytest.mark.parametrize(
    ("column", "value", "phrase"),
    [
        ("event_type", "Skirmish", "is not one of"),
        ("event_date", "30 February 2023", "is not a real date"),
        ("event_date", "2023-02-30", "is not a real date"),
        ("inter1", "9", "is not an ACLED actor type"),
        ("geo_precision", "4", "is not an ACLED precision code"),
        ("time_precision", "", "a number is required"),
        ("fatalities", "-1", "below the minimum"),
        ("iso", "148", "is TCD but the country"),
        ("timestamp", "yesterday", "is not a whole number"),
        ("timestamp", "99999999999999", "is in the future"),
        ("fatalities", "3000000000", "larger than the largest count"),
    ],
)
def test_bad_values_are_refused(
    tmp_path: Path, acled_rows: list[dict[str, str]], column: str, value: str, phrase: str
) -> None:
    rows = [dict(r) for r in acled_rows[:3]]
    rows[1][column] = value
    path = write_csv(tmp_path / "acled_bad.csv", ACLED_HEADER, rows)
    with pytest.raises(ImportRejected) as caught:
        parse(path, no_progress)
    assert any(
        p.row == 3 and p.column == column and phrase in p.reason for p in caught.value.problems
    ), caught.value.summary()


def test_a_filtered_export_withdraws_none_of_the_other_types(
    owner: Organization, tmp_path: Path, acled_file: Path, acled_rows: list[dict[str, str]]
) -> None:
    """ACLED's export tool filters by event type: such a file is not the whole release."""
    do_import(ACLED, acled_file, owner)
    kind = acled_rows[0]["event_type"]
    filtered = [row for row in acled_rows if row["event_type"] == kind]
    assert 0 < len(filtered) < len(acled_rows)
    path = write_csv(tmp_path / "acled_filtered.csv", ACLED_HEADER, filtered)
    run = do_import(ACLED, path, owner)
    assert (run.unchanged, run.removed) == (len(filtered), 0)
    assert not Event.objects.filter(withdrawn=True).exists()
