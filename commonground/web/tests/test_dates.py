"""Honest dates (issue 10 §3): every page that shows a period says how old the data is.

On the real GED file, whose last event is in December 2022, years before today: the expected
month and age come from the CSV file and today's date, never from our queries.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import re
from collections.abc import Iterator

import pytest
from django.db.models import Count
from django.test import Client
from django.utils import timezone, translation

from commonground.analysis.coverage import country_coverage
from commonground.analysis.freshness import OLD_AFTER_MONTHS, duration_words
from commonground.events.models import Event
from commonground.web.tests.conftest import FullData

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Words compared here are English; a request of another test may leave French active."""
    with translation.override("en"):
        yield


def text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode()))


def last_event(full_data: FullData) -> datetime.date:
    with full_data.path.open(newline="", encoding="utf-8") as handle:
        return max(
            datetime.date.fromisoformat(r["date_start"][:10]) for r in csv.DictReader(handle)
        )


def expected_age(last: datetime.date) -> tuple[str, int]:
    """``Data ends December 2022, 4 years before today.`` and the months behind."""
    today = timezone.localdate()
    months = (today.year - last.year) * 12 + today.month - last.month
    month = f"{calendar.month_name[last.month]} {last.year}"
    return f"Data ends {month}, {duration_words(months)} before today.", months


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/areas/CAF.ouaka/",
        "/coverage/?country=CAF",
        "/map/?country=CAF",
        "/events/?violence_type=one_sided",
        "/actors/{actor}/",
    ],
)
def test_pages_that_show_a_period_say_how_old_the_data_is(
    full_data: FullData, client: Client, url: str
) -> None:
    sentence, months = expected_age(last_event(full_data))
    busiest = Event.objects.values("actor1").annotate(n=Count("id")).order_by("-n").first()
    assert busiest is not None
    page = text(client.get(url.format(actor=busiest["actor1"])).content)
    assert sentence in page
    assert months > OLD_AFTER_MONTHS  # the real data is years old: the warning must show
    assert "Old data." in page
    assert "what happened since is not shown" in page


def test_the_overview_names_its_periods_by_their_months(
    full_data: FullData, client: Client
) -> None:
    last = last_event(full_data)
    page = text(client.get("/").content)
    year = f"Jan\N{EN DASH}Dec {last.year}"
    assert f"{year}, the last 12 months of data" in page
    assert f"Jan {last.year - 4} \N{EN DASH} Dec {last.year}, the last 5 years of data" in page
    assert f"Central African Republic: {year}" in page
    assert "Latest 12 months" not in page and "Latest 5 years" not in page


def test_area_trends_are_the_last_months_of_data_not_of_today(
    full_data: FullData, client: Client
) -> None:
    page = text(client.get("/areas/CAF.ouaka/").content)
    assert "Last 12 months of data" in page and "Latest 12 months" not in page


def test_the_dates_speak_french(full_data: FullData, client: Client) -> None:
    last = last_event(full_data)
    page = text(client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content)
    translation.activate("en")  # the request left French active in this thread
    assert f"Les données s\N{RIGHT SINGLE QUOTATION MARK}arrêtent en décembre {last.year}" in page
    assert f"jan.\N{EN DASH}déc. {last.year}, les 12 derniers mois de données" in page
    assert "Données anciennes." in page


# --- Presence that knows when forces left (issue 10 §4) -----------------------------------------


def presence_rows(full_data: FullData) -> list[dict[str, str]]:
    with (full_data.path.parent / "presence_CAF.csv").open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def operation_ends(full_data: FullData) -> dict[str, str]:
    """Operation acronym -> end as stated in operations.csv (``YYYY-MM`` or ``YYYY``)."""
    with (full_data.path.parent / "operations.csv").open(newline="", encoding="utf-8") as f:
        return {r["acronym"]: r["end_date"] for r in csv.DictReader(f) if r["end_date"]}


def last_day_of(stated: str) -> datetime.date:
    parts = [int(p) for p in stated.split("-")]
    if len(parts) == 1:
        return datetime.date(parts[0], 12, 31)
    if len(parts) == 2:
        return datetime.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return datetime.date(*parts)


def present_in_file(full_data: FullData, day: datetime.date) -> set[str]:
    """Located records present on ``day`` by the files alone: start by then, and the record's
    end, else its operation's end, not before it; an unknown end is open."""
    ends = operation_ends(full_data)
    found = set()
    for r in presence_rows(full_data):
        if not (r["latitude"] and r["longitude"]):
            continue
        if r["start"] and datetime.date.fromisoformat((r["start"] + "-01-01")[:10]) > day:
            continue
        end = r["end"] or ends.get(r["organization_acronym"], "")
        if end and last_day_of(end) < day:
            continue
        found.add(r["id"])
    return found


def map_presence(client: Client, **params: str) -> dict[str, object]:
    response = client.get("/map/data/presence.geojson", {"country": "CAF", **params})
    assert response.status_code == 200, response.content[:300]
    return response.json()  # type: ignore[no-any-return]  # a JSON object


def ids(answer: dict[str, object]) -> set[str]:
    return {f["properties"]["id"] for f in answer["features"]}  # type: ignore[attr-defined]  # GeoJSON features


def test_sangaris_ended_in_2016_and_is_not_on_the_map_in_2023(
    full_data: FullData, client: Client
) -> None:
    sangaris = {
        r["id"] for r in presence_rows(full_data) if r["organization_acronym"] == "Sangaris"
    }
    assert operation_ends(full_data)["Sangaris"] == "2016-10"
    in_2023 = map_presence(client, as_of="2023-06-01")
    assert ids(in_2023) == present_in_file(full_data, datetime.date(2023, 6, 1))
    assert not ids(in_2023) & sangaris
    in_2015 = map_presence(client, as_of="2015-06-01")
    assert ids(in_2015) & sangaris
    assert in_2023["heading"] == "Presence as of 2023-06-01"


def test_without_a_date_the_map_shows_presence_as_of_today(
    full_data: FullData, client: Client
) -> None:
    answer = map_presence(client)
    assert answer["as_of"] == timezone.localdate().isoformat()
    assert ids(answer) == present_in_file(full_data, timezone.localdate())


def test_each_presence_says_how_it_ends(full_data: FullData, client: Client) -> None:
    answer = map_presence(client, date_from="2014-01-01", date_to="2014-12-31")
    by_id = {f["properties"]["id"]: f["properties"] for f in answer["features"]}  # type: ignore[attr-defined]  # GeoJSON features
    rows = {r["id"]: r for r in presence_rows(full_data)}
    ends = operation_ends(full_data)
    for source_id, found in by_id.items():
        row = rows[source_id]
        if row["end"]:
            assert (found["end_basis"], found["end_label"]) == ("record", row["end"])
        elif row["organization_acronym"] in ends:
            end = ends[row["organization_acronym"]]
            assert found["end_label"] == f"{end} (when its operation ended)"
        else:
            assert (found["end_basis"], found["end_label"]) == ("unknown", "end unknown")
    assert {f["end_basis"] for f in by_id.values()} == {"record", "operation", "unknown"}


def test_a_bad_as_of_is_named(full_data: FullData, client: Client) -> None:
    response = client.get("/map/data/presence.geojson", {"as_of": "June 2023"})
    assert response.status_code == 400
    assert response.json()["error"] == "as_of: June 2023 is not a date as YYYY-MM-DD."


def sangaris_ids(full_data: FullData) -> set[str]:
    return {r["id"] for r in presence_rows(full_data) if r["organization_acronym"] == "Sangaris"}


def test_sangaris_is_not_counted_on_the_coverage_page(full_data: FullData) -> None:
    """No forecast: the stand-in period is the last 12 months of data, 2022."""
    found = country_coverage(None, "CAF")
    assert found is not None and found.first.year == 2022
    judged = {
        source: state
        for actor in [*found.unplaced, *(a for row in found.rows for a in row.actors)]
        for source, state in zip(actor.sources, actor.statuses, strict=True)
    }
    assert sangaris_ids(full_data) <= set(judged)
    assert {judged[s] for s in sangaris_ids(full_data)} == {"absent"}
    in_2015 = country_coverage(None, "CAF", as_of=datetime.date(2015, 6, 1))
    assert in_2015 is not None and in_2015.as_of == datetime.date(2015, 6, 1)
    assert any(
        a.organization == "Sangaris" and a.status == "present"
        for row in in_2015.rows
        for a in row.actors
    )
    ends = operation_ends(full_data)
    unknown = [r for r in presence_rows(full_data) if not r["end"]]
    assert found.unknown_end == sum(1 for r in unknown if r["organization_acronym"] not in ends)


def test_the_coverage_page_has_a_legend_and_an_as_of_date(
    full_data: FullData, client: Client
) -> None:
    page = client.get("/coverage/?country=CAF&as_of=2015-06-01").content.decode()
    assert 'id="coverage-legend"' in page and "no gap: protection present, or no risk" in page
    assert "Presence is judged on 2015-06-01, not for the risk period" in page
    assert 'value="2015-06-01"' in page


def test_the_area_page_says_when_presence_ended_or_that_its_end_is_unknown(
    full_data: FullData, client: Client
) -> None:
    response = client.get("/areas/CAF/")
    presence = response.context["presence"]
    assert presence["as_of"] == timezone.localdate()
    rows = presence["rows"]
    sangaris = [r for r in rows if r["organization"].acronym == "Sangaris"]
    assert sangaris and {r["status"] for r in sangaris} == {"ended"}
    open_ended = {
        (r["organization_acronym"], r["place"]) for r in presence_rows(full_data) if not r["end"]
    }
    borrowed = [r for r in sangaris if ("Sangaris", r["place"]) in open_ended]
    assert borrowed and {(r["end"], r["end_basis"]) for r in borrowed} == {("2016-10", "operation")}
    minusca = [r for r in rows if r["organization"].acronym == "MINUSCA"]
    assert {r["status"] for r in minusca} == {"unknown"}  # MINUSCA has no end in either file
    page = text(response.content)
    assert "end unknown" in page and "when its operation ended" in page
    assert f"As of {timezone.localdate().isoformat()}:" in page
    then = client.get("/areas/CAF/?as_of=2015-06-01").context["presence"]["rows"]
    assert "present" in {r["status"] for r in then if r["organization"].acronym == "Sangaris"}


def test_the_overview_does_not_count_sangaris_in_2022(full_data: FullData, client: Client) -> None:
    def acronyms(query: str) -> set[str]:
        picture = client.get(f"/?country=CAF{query}").context["picture"]
        return {row["organization"].acronym for row in picture["organizations"]}

    assert "Sangaris" not in acronyms("")  # the default period: 2022
    assert "Sangaris" in acronyms("&date_from=2014-01-01&date_to=2014-12-31")


def test_the_operation_page_ends_its_open_records_with_the_operation(
    full_data: FullData, client: Client
) -> None:
    page = text(client.get("/operations/sangaris/").content)
    open_ended = [
        r
        for r in presence_rows(full_data)
        if r["organization_acronym"] == "Sangaris" and not r["end"]
    ]
    assert open_ended
    assert page.count("2016-10 when its operation ended") == len(open_ended)
    assert "end unknown" in text(client.get("/operations/minusca/").content)
