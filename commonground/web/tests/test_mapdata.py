"""The committed offline boundaries: they exist, are small, and match the areas the data names."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from commonground.core.areas import area_code
from commonground.core.geo import country_boxes
from commonground.core.models import Area, AreaLevel
from commonground.web.basemap import ADMIN1_STATIC, country_outlines
from commonground.web.tests.conftest import RealData

MAPDATA = Path(__file__).resolve().parent.parent / "static" / "web" / "mapdata"

#: The Central African Republic and the Sahel at least (the issue); the DRC as well.
COUNTRIES = {"CAF", "MLI", "NER", "BFA", "TCD", "MRT", "COD"}


@cache
def admin1() -> dict[str, Any]:
    return dict(json.loads((MAPDATA / "admin1.geojson").read_text(encoding="utf-8")))


def codes_of(country: str) -> set[str]:
    found: set[str] = set()
    for feature in admin1()["features"]:
        if feature["properties"]["country"] == country:
            found.add(feature["properties"]["code"])
            found.update(feature["properties"]["aliases"])
    return found


def ged_admin1_names() -> set[str]:
    path = Path(settings.COMMONGROUND_DATA_DIR) / "ged_23_1_CAF.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["adm_1"] for row in csv.DictReader(handle) if row["adm_1"]}


def test_every_caf_prefecture_in_the_ged_file_has_a_shape() -> None:
    names = ged_admin1_names()
    unmatched = sorted(name for name in names if area_code("CAF", name) not in codes_of("CAF"))

    assert len(names) == 17
    assert unmatched == []


def test_caf_has_its_seventeen_units_each_once() -> None:
    caf = [f for f in admin1()["features"] if f["properties"]["country"] == "CAF"]
    codes = [f["properties"]["code"] for f in caf]

    assert len(caf) == 17 == len(set(codes))
    assert {"CAF.bangui", "CAF.nana-grebizi", "CAF.sangha-mbaere", "CAF.ouaka"} <= set(codes)
    assert {area_code("CAF", n) for n in ged_admin1_names()} == set(codes)


def test_the_sahel_is_covered_and_every_shape_lies_in_its_country() -> None:
    features = admin1()["features"]
    assert {f["properties"]["country"] for f in features} == COUNTRIES
    for feature in features:
        geometry = feature["geometry"]
        assert geometry["type"] in {"Polygon", "MultiPolygon"}
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        points = [point for polygon in polygons for ring in polygon for point in ring]
        west, south, east, north = (
            min(p[0] for p in points),
            min(p[1] for p in points),
            max(p[0] for p in points),
            max(p[1] for p in points),
        )
        boxes = country_boxes(feature["properties"]["country"])
        assert any(
            w - 0.5 <= west and e + 0.5 >= east and s - 0.5 <= south and n + 0.5 >= north
            for w, s, e, n in boxes
        ), feature["properties"]["code"]


def test_the_file_is_small_served_and_credited() -> None:
    path = MAPDATA / "admin1.geojson"
    readme = (MAPDATA / "README.md").read_text(encoding="utf-8")

    assert path.stat().st_size < 1_000_000
    assert finders.find(ADMIN1_STATIC) is not None
    assert "public domain" in readme and "Natural Earth" in readme
    assert "make mapdata" in readme
    assert "Natural Earth" in admin1()["source"]


def test_country_outlines_come_from_the_installed_package() -> None:
    outlines = json.loads(country_outlines())

    assert len({f["properties"]["iso_a3"] for f in outlines["features"]}) > 150
    assert len(country_outlines()) < 1_000_000


@pytest.mark.django_db
def test_every_imported_caf_area_has_a_shape(real_data: RealData) -> None:
    imported = set(
        Area.objects.filter(country_code="CAF", level=AreaLevel.ADMIN1).values_list(
            "code", flat=True
        )
    )

    assert len(imported) == 17
    assert imported <= codes_of("CAF")
