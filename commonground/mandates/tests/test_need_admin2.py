"""Need against deployment at admin-2 (sub-prefectures): the one-sided events and deaths per
sub-prefecture, and the Geo-PKO infantry of the locations placed in each, recomputed here from
the real UCDP GED and Geo-PKO CSV files (csv module and shapely) and compared with the page and
the API."""

from __future__ import annotations

import csv
import json
import math
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
from django.test import Client
from shapely.geometry import Point, shape

from commonground.core.models import ImportRun
from commonground.mandates.tests.conftest import FRONTMAP, TTMAP

pytestmark = pytest.mark.django_db

TASK_URL = "/mandates/MINUSCA/tasks/CivProtect/"
API_URL = "/api/v1/mandates/missions/MINUSCA/tasks/CivProtect/coverage"
YEAR = 2019
BOUNDARIES = (
    Path(__file__).resolve().parents[2] / "web" / "static" / "web" / "mapdata" / "admin1.geojson"
)
GED = "ged_23_1_CAF.csv"


def fold(name: str) -> str:
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = plain.casefold()
    for suffix in (" province", " prefecture", " region", " sub-prefecture"):
        plain = plain.removesuffix(suffix)
    return plain.strip()


def ged_rows(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / GED).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_violence(data_dir: Path) -> dict[tuple[str, str], tuple[int, int]]:
    """(admin-1, admin-2) folded -> one-sided events and deaths in the year."""
    found: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row in ged_rows(data_dir):
        if row["type_of_violence"] == "3" and row["year"] == str(YEAR) and row["adm_2"]:
            key = (fold(row["adm_1"]), fold(row["adm_2"]))
            found[key][0] += 1
            found[key][1] += int(row["best"])
    return {k: (v[0], v[1]) for k, v in found.items()}


def expected_infantry(data_dir: Path) -> dict[tuple[str, str], int]:
    """(admin-1, admin-2) folded -> TTMap infantry of the MINUSCA locations of the year with
    infantry or police, each placed in its admin-1 shape and then at the nearest sub-prefecture
    centre (the mean position of the GED events recorded in it)."""
    shapes = [
        (fold(f["properties"]["name"]), shape(f["geometry"]))
        for f in json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]
        if f["properties"]["country"] == "CAF"
    ]
    sums: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for row in ged_rows(data_dir):
        if row["adm_2"]:
            cell = sums[(fold(row["adm_1"]), fold(row["adm_2"]))]
            cell[0] += float(row["latitude"])
            cell[1] += float(row["longitude"])
            cell[2] += 1
    centres = {k: (v[0] / v[2], v[1] / v[2]) for k, v in sums.items()}

    def place(lat: float, lon: float) -> tuple[str, str] | None:
        point = Point(lon, lat)
        admin1 = next((n for n, s in shapes if s.contains(point)), None)
        scale = math.cos(math.radians(lat))
        near = sorted(
            ((c[0] - lat) ** 2 + ((c[1] - lon) * scale) ** 2, k)
            for k, c in centres.items()
            if k[0] == admin1
        )
        return near[0][1] if near else None

    capable: dict[str, tuple[float, float]] = {}
    infantry: dict[str, int] = defaultdict(int)
    for name, column in ((TTMAP, "Infantry"), (FRONTMAP, "UNPOL")):
        with (data_dir / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                wanted = row["mission"] == "MINUSCA" and row["year"] == str(YEAR)
                if wanted and row[column] not in ("NA", "0", ""):
                    capable[row["location"]] = (float(row["latitude"]), float(row["longitude"]))
                    if name == TTMAP:
                        infantry[row["location"]] += int(row["Infantry"])
    found: dict[tuple[str, str], int] = defaultdict(int)
    for location, (lat, lon) in capable.items():
        district = place(lat, lon)
        if district is not None:
            found[district] += infantry.get(location, 0)
    return dict(found)


def test_admin2_figures_equal_the_csv_files_on_the_page_and_the_api(
    client: Client,
    ged_run: ImportRun,
    tasks_run: ImportRun,
    units_run: ImportRun,
    geopko_run: ImportRun,
    data_dir: Path,
) -> None:
    page = client.get(f"{TASK_URL}?year={YEAR}&level=admin2")
    assert page.status_code == 200
    table = page.context["table"]
    assert table.level == "admin2"
    rows = {(fold(r.parent_name), fold(r.name)): r for r in table.rows}
    violence = {k: (r.events, r.deaths) for k, r in rows.items() if r.events}
    assert violence == expected_violence(data_dir)
    assert len(violence) == 18  # the file's named sub-prefectures with one-sided violence, 2019
    covered = {k: r.infantry_total for k, r in rows.items() if r.covered}
    assert covered == expected_infantry(data_dir)
    assert sum(covered.values()) > 0
    # Ranked: no needed unit first, then most events.
    order = [(r.covered, -r.events) for r in table.rows]
    assert [c for c, _e in order] == sorted(c for c, _e in order)
    html = page.content.decode()
    assert 'data-level="admin2"' in html and 'id="risk-note"' in html
    assert '"level": "admin2"' in html and '"districts": [' in html
    # The API gives the same figures.
    answer = client.get(f"{API_URL}?year={YEAR}&level=admin2").json()
    assert answer["level"] == "admin2" and answer["forecast_level"] == "admin1"
    by_code = {r.code: r for r in table.rows}
    assert len(answer["areas"]) == len(table.rows)
    for area in answer["areas"]:
        row = by_code[area["code"]]
        assert (area["one_sided_events"], area["deaths"], area["infantry"]) == (
            row.events,
            row.deaths,
            row.infantry_total,
        )
        assert area["admin1"] == row.parent
    assert client.get(f"{API_URL}?year={YEAR}&level=admin3").status_code == 422


def test_admin2_page_in_french_says_the_forecast_is_admin1(
    client: Client, ged_run: ImportRun, tasks_run: ImportRun, units_run: ImportRun
) -> None:
    html = client.get(f"{TASK_URL}?year={YEAR}&level=admin2&lang=fr").content.decode()
    assert "Sous-préfectures (admin-2)" in html
    assert "de la préfecture : aucune prévision par sous-préfecture" in html
    english = client.get(f"{TASK_URL}?year={YEAR}&level=admin2&lang=en").content.decode()
    assert "of the admin-1 area: no admin-2 forecast exists" in english
    # An unknown level falls back to admin-1.
    page = client.get(f"{TASK_URL}?year={YEAR}&level=nowhere")
    assert page.status_code == 200 and page.context["table"].level == "admin1"
