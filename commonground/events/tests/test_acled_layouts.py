"""ACLED files as they are found: every export layout since the first, files re-saved by Excel,
R or pandas, records without an id, foreign forces, and the summaries HDX and HAPI publish.

SYNTHETIC DATA. ACLED's terms forbid redistributing its data, so shared/data holds no ACLED
file. Each file here is generated in the test from real UCDP GED rows for the Central African
Republic (as in test_acled_import.py), written in the column set ACLED documented for each era:

* before 2019 (ACLED Africa, versions 1-8): capitals, ``GWNO``, ``ALLY_ACTOR_1``, dates as
  ``18/04/2001``, the nine event types of that codebook, no ``sub_event_type`` or ``timestamp``;
* 2019-2022 (export tool and API): ``data_id``, numeric ``iso``, ``iso3``, ``31 January 2023``,
  numeric ``inter1``;
* today: text ``inter1`` (``State forces``), ``civilian_targeting``, population columns.

They are not ACLED's data and say nothing about what ACLED recorded.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from commonground.core.importing import ImportRejected, no_progress
from commonground.core.models import ImportOutcome
from commonground.core.services import do_import
from commonground.events.importers.acled import ACLED, parse
from commonground.events.models import Event
from commonground.events.sources import source_fields
from commonground.events.tests.conftest import GedRow, write_csv
from commonground.events.tests.test_acled_import import ACLED_HEADER, CAR_STATE, _from_ged
from commonground.sharing.models import Organization

Row = dict[str, str]

#: ACLED Africa before 2019 (e.g. version 7), in its order and capitals.
HEADER_BEFORE_2019 = [
    "GWNO", "EVENT_ID_CNTY", "EVENT_ID_NO_CNTY", "EVENT_DATE", "YEAR", "TIME_PRECISION",
    "EVENT_TYPE", "ACTOR1", "ALLY_ACTOR_1", "INTER1", "ACTOR2", "ALLY_ACTOR_2", "INTER2",
    "INTERACTION", "COUNTRY", "ADMIN1", "ADMIN2", "ADMIN3", "LOCATION", "LATITUDE", "LONGITUDE",
    "GEO_PRECISION", "SOURCE", "NOTES", "FATALITIES",
]  # fmt: skip
#: The export tool and API, 2019-2022.
HEADER_2019_2022 = [
    "data_id", "iso", "event_id_cnty", "event_id_no_cnty", "event_date", "year",
    "time_precision", "event_type", "sub_event_type", "actor1", "assoc_actor_1", "inter1",
    "actor2", "assoc_actor_2", "inter2", "interaction", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "timestamp", "iso3",
]  # fmt: skip
#: Today's export: ACLED_HEADER (text inter1, civilian_targeting) with population columns.
HEADER_TODAY = [
    *ACLED_HEADER, "population_1km", "population_2km", "population_5km", "population_best",
]  # fmt: skip

#: Today's event types as the codebook before 2019 named them.
EARLIER_NAMES = {
    "Battles": "Battle-No change of territory",
    "Violence against civilians": "Violence against civilians",
    "Explosions/Remote violence": "Remote violence",
    "Protests": "Riots/Protests",
    "Riots": "Riots/Protests",
    "Strategic developments": "Strategic development",
}
INTER_TEXT = {
    "1": "State forces", "2": "Rebel group", "3": "Political militia", "4": "Identity militia",
    "5": "Rioters", "6": "Protesters", "7": "Civilians", "8": "External/Other forces", "": "",
}  # fmt: skip


def _day(row: Row) -> dt.date:
    text = row["event_date"]
    if "-" in text:
        return dt.date.fromisoformat(text)
    return dt.datetime.strptime(text, "%d %B %Y").date()


@pytest.fixture
def rows(ged_rows: list[GedRow]) -> list[Row]:
    """Twelve day-precise events of each GED type, as today's export codes them."""
    sample: list[GedRow] = []
    for kind in "123":
        found = [r for r in ged_rows if r["type_of_violence"] == kind and r["date_prec"] == "1"]
        sample += found[:4]
    return [_from_ged(n, ged) for n, ged in enumerate(sample, start=1)]


def _before_2019(row: Row) -> Row:
    day = _day(row)
    return {
        "GWNO": "482",
        "EVENT_ID_CNTY": row["event_id_cnty"],
        "EVENT_ID_NO_CNTY": row["event_id_cnty"].removeprefix("CAF"),
        "EVENT_DATE": f"{day:%d/%m/%Y}",
        "YEAR": str(day.year),
        "TIME_PRECISION": row["time_precision"],
        "EVENT_TYPE": EARLIER_NAMES[row["event_type"]],
        "ACTOR1": row["actor1"],
        "ALLY_ACTOR_1": "",
        "INTER1": row["inter1"],
        "ACTOR2": row["actor2"],
        "ALLY_ACTOR_2": "",
        "INTER2": row["inter2"],
        "INTERACTION": f"{row['inter1']}{row['inter2']}",
        **{k.upper(): row[k] for k in ("country", "admin1", "admin2", "admin3", "location")},
        **{k.upper(): row[k] for k in ("latitude", "longitude", "geo_precision")},
        "SOURCE": row["source"],
        "NOTES": row["notes"],
        "FATALITIES": row["fatalities"],
    }


def _2019_2022(row: Row) -> Row:
    day = _day(row)
    kept = {k: v for k, v in row.items() if k in HEADER_2019_2022}
    return {
        **kept,
        "data_id": str(9_000_000 + int(row["event_id_cnty"].removeprefix("CAF"))),
        "event_id_no_cnty": row["event_id_cnty"].removeprefix("CAF"),
        "event_date": f"{day.day} {day:%B %Y}",
        "iso3": "CAF",
    }


def _today(row: Row) -> Row:
    return {
        **row,
        "event_date": _day(row).isoformat(),
        "inter1": INTER_TEXT[row["inter1"]],
        "inter2": INTER_TEXT[row["inter2"]],
        "population_1km": "1200",
        "population_2km": "3400",
        "population_5km": "",
        "population_best": "3400",
    }


LAYOUTS: dict[str, tuple[list[str], Callable[[Row], Row]]] = {
    "before 2019": (HEADER_BEFORE_2019, _before_2019),
    "2019-2022": (HEADER_2019_2022, _2019_2022),
    "today": (HEADER_TODAY, _today),
}


@pytest.mark.parametrize("era", list(LAYOUTS))
def test_every_export_layout_imports_the_same_events(
    owner: Organization, tmp_path: Path, rows: list[Row], era: str
) -> None:
    header, convert = LAYOUTS[era]
    path = write_csv(
        tmp_path / f"acled_{era.replace(' ', '_')}.csv", header, [convert(r) for r in rows]
    )

    run = do_import(ACLED, path, owner)

    assert run.outcome == ImportOutcome.SUCCEEDED, run.problems
    events = {e.source_id: e for e in Event.objects.filter(dataset="acled")}
    assert set(events) == {r["event_id_cnty"] for r in rows}
    for row in rows:
        event = events[row["event_id_cnty"]]
        assert event.date_start == _day(row)
        assert event.fatalities_best == int(row["fatalities"])
        expected = "one_sided" if row["event_type"] == "Violence against civilians" else None
        expected = expected or (
            "state_based" if "1" in (row["inter1"], row["inter2"]) else "non_state"
        )
        assert event.violence_type == expected
    first = events[rows[0]["event_id_cnty"]]
    assert list(source_fields(first)) == header  # the source's own names, capitals included


def test_an_export_without_timestamps_is_dated_by_its_newest_event(
    tmp_path: Path, rows: list[Row]
) -> None:
    path = write_csv(
        tmp_path / "acled_2017.csv", HEADER_BEFORE_2019, [_before_2019(r) for r in rows]
    )
    assert parse(path, no_progress).version == max(_day(r) for r in rows).isoformat()


def _excel_resaved(header: list[str], rows: list[Row]) -> bytes:
    """What Excel writes for 'CSV UTF-8' in a day-first locale: BOM, CRLF, 31/01/2023."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({**r, "event_date": f"{_day(r):%d/%m/%Y}"} for r in rows)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode()


@pytest.mark.parametrize(
    ("tool", "write"),
    [
        ("excel", _excel_resaved),
        ("r", lambda h, rs: _text(h, [{**r, "event_date": _day(r).isoformat()} for r in rs])),
        (
            "pandas",
            lambda h, rs: _text(h, [{**r, "event_date": f"{_day(r)} 00:00:00"} for r in rs]),
        ),
    ],
)
def test_files_resaved_by_other_tools_give_the_same_dates(
    tmp_path: Path,
    rows: list[Row],
    tool: str,
    write: Callable[[list[str], list[Row]], bytes],
) -> None:
    path = tmp_path / f"acled_{tool}.csv"
    path.write_bytes(write(ACLED_HEADER, rows))

    batch = parse(path, no_progress)

    dates = dict(zip(batch.frame["source_id"], batch.frame["date_start"], strict=True))
    assert dates == {r["event_id_cnty"]: _day(r) for r in rows}


def _text(header: list[str], rows: list[Row]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_month_first_dates_are_read_month_first_when_the_file_shows_it(
    tmp_path: Path, rows: list[Row]
) -> None:
    """A file re-saved by Excel in a United States locale: 1/31/2023."""
    us = [{**r, "event_date": f"{_day(r).month}/{_day(r).day}/{_day(r).year}"} for r in rows]
    assert any(_day(r).day > 12 for r in rows)  # the file itself shows the order
    batch = parse(write_csv(tmp_path / "acled_us.csv", ACLED_HEADER, us), no_progress)
    assert list(batch.frame["date_start"]) == [_day(r) for r in rows]


@pytest.mark.parametrize(
    ("value", "phrase"),
    [
        ("31/02/2023", "is not a real date"),
        ("2023-02-30", "is not a real date"),
        ("30 February 2023", "is not a real date"),
        ("0000-01-01", "is not a real date"),
        ("Jan 31st", "is not a date in a form we read"),
        ("2023/31/01", "is not a date in a form we read"),
    ],
)
def test_date_messages_tell_an_impossible_date_from_an_unknown_form(
    tmp_path: Path, rows: list[Row], value: str, phrase: str
) -> None:
    bad = [dict(r) for r in rows[:3]]
    bad[1]["event_date"] = value
    with pytest.raises(ImportRejected) as caught:
        parse(write_csv(tmp_path / "acled_dates.csv", ACLED_HEADER, bad), no_progress)
    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "event_date")
    assert phrase in problem.reason


def test_a_real_date_in_another_form_is_never_called_not_real(
    tmp_path: Path, rows: list[Row]
) -> None:
    forms = ["2023-01-31", "31 January 2023", "31-Jan-2023", "31/01/2023", "2023-01-31 00:00:00"]
    dated = [{**r, "event_date": forms[n % len(forms)]} for n, r in enumerate(rows)]
    batch = parse(write_csv(tmp_path / "acled_forms.csv", ACLED_HEADER, dated), no_progress)
    assert set(batch.frame["date_start"]) == {dt.date(2023, 1, 31)}


def test_a_record_without_an_id_is_kept_under_a_stable_key_with_a_warning(
    owner: Organization, tmp_path: Path, rows: list[Row]
) -> None:
    no_id = [dict(r) for r in rows]
    no_id[2]["event_id_cnty"] = ""
    path = write_csv(tmp_path / "acled_no_id.csv", ACLED_HEADER, no_id)

    run = do_import(ACLED, path, owner)

    assert run.outcome == ImportOutcome.SUCCEEDED
    assert Event.objects.filter(dataset="acled").count() == len(rows)
    (warning,) = [p["reason"] for p in run.problems if "no id" in p["reason"]]
    assert "row 4" in warning and "event_id_cnty" in warning
    keyed = Event.objects.get(dataset="acled", source_row=4)
    assert keyed.source_id.startswith("CAF-noid-") and keyed.source_id in warning
    again = do_import(ACLED, path, owner)  # the same key: nothing added, nothing withdrawn
    assert (again.added, again.removed, again.unchanged) == (0, 0, len(rows))


@pytest.mark.parametrize(
    ("inter", "actor", "expected"),
    [
        ("8", "Military Forces of Rwanda (2000-)", "state_based"),
        ("External/Other forces", "Military Forces of Rwanda (2000-)", "state_based"),
        ("8", "Police Forces of Cameroon (1982-)", "state_based"),
        ("8", "United Nations", "non_state"),
        ("8", "Wagner Group", "non_state"),
    ],
)
def test_foreign_state_forces_fighting_rebels_is_state_based(
    tmp_path: Path, rows: list[Row], inter: str, actor: str, expected: str
) -> None:
    """ACLED's inter 8 holds foreign states' forces, whom UCDP counts as state parties, and
    the UN, private firms and mercenaries, whom it does not."""
    battle = next(r for r in rows if r["event_type"] == "Battles" and r["inter2"] == "2")
    row = {**battle, "actor1": actor, "inter1": inter}
    assert CAR_STATE not in (row["actor1"], row["actor2"])
    batch = parse(write_csv(tmp_path / "acled_foreign.csv", ACLED_HEADER, [row]), no_progress)
    assert batch.frame["violence_type"].to_list() == [expected]


#: The ACLED summaries HDX (per admin area and month) and HAPI (conflict events) publish.
SUMMARIES = {
    "hdx": "Country,Admin1,Admin2,ISO3,Admin2 Pcode,Admin1 Pcode,Month,Year,Events,Fatalities\n"
    "Central African Republic,Ouaka,Bambari,CAF,CF0621,CF062,January,2023,4,7\n",
    "hapi": "location_code,has_hrp,in_gho,provider_admin1_name,provider_admin2_name,admin1_code,"
    "admin1_name,admin2_code,admin2_name,admin_level,event_type,events,fatalities,"
    "reference_period_start,reference_period_end\n"
    "CAF,True,True,Ouaka,Bambari,CF062,Ouaka,CF0621,Bambari,2,political_violence,4,7,"
    "2023-01-01,2023-01-31\n",
}


@pytest.mark.parametrize("publisher", list(SUMMARIES))
def test_monthly_counts_are_refused_as_what_they_are(tmp_path: Path, publisher: str) -> None:
    path = tmp_path / f"acled_{publisher}_summary.csv"
    path.write_text(SUMMARIES[publisher], encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        parse(path, no_progress)
    (problem,) = caught.value.problems
    assert "counts of events" in problem.reason
    assert "HDX and HAPI" in problem.reason
