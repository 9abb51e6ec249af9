"""Every CSV and HXL output neutralises formulas: the API panel, and the CSV and HXL exports.

The real UCDP GED events of CAF, with names given formula prefixes in the test (synthetic: the
real files hold no formula): admin-1 area names (the panel's ``unit_name``) and event places,
descriptions and actor names (the exports' text columns). What is stored is left as it is.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.test import Client

from commonground.api.tests.conftest import ApiData
from commonground.core.csv_out import FORMULA_PREFIXES
from commonground.core.models import Area, AreaLevel
from commonground.events.exports import export_events
from commonground.events.models import Event
from commonground.registry.models import Actor

pytestmark = pytest.mark.django_db

#: One synthetic payload per prefix a spreadsheet may run.
PAYLOADS = [
    f'{prefix}HYPERLINK("http://evil.example","{n}")' for n, prefix in enumerate(FORMULA_PREFIXES)
]


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_panel_csv_quotes_area_names_that_are_formulas(api_data: ApiData) -> None:
    areas = list(Area.objects.filter(country_code="CAF", level=AreaLevel.ADMIN1).order_by("code"))
    assert len(areas) >= len(PAYLOADS)
    for area, payload in zip(areas, PAYLOADS, strict=False):
        area.name_en = payload
        area.save(update_fields=["name_en"])

    response = Client().get(
        "/api/v1/panels/CAF?level=admin1&format=csv&date_from=2014-01&date_to=2014-02"
    )
    assert response.status_code == 200
    rows = read_csv(response.content.decode())
    names = {row[rows[0].index("unit_name")] for row in rows[1:]}
    for payload in PAYLOADS:
        assert "'" + payload in names
        assert payload not in names
    assert Area.objects.filter(name_en=PAYLOADS[0]).exists()  # stored as it was


def poison_events() -> list[Event]:
    """Give one public GED event per payload a formula as place, description and actor name."""
    events = list(Event.objects.filter(dataset="ucdp-ged", actor1__isnull=False).order_by("pk"))
    chosen = events[: len(PAYLOADS)]
    for event, payload in zip(chosen, PAYLOADS, strict=True):
        event.place = payload
        event.description = payload
        event.save(update_fields=["place", "description"])
        actor = Actor.objects.create(name=f"{payload} actor", kind=event.actor1.kind)  # type: ignore[union-attr]  # filtered on actor1 above
        Event.objects.filter(pk=event.pk).update(actor1=actor)
    return chosen


@pytest.mark.parametrize("fmt", ["csv", "hxl"])
def test_the_exports_quote_every_text_that_is_a_formula(
    api_data: ApiData, tmp_path: Path, fmt: str
) -> None:
    poison_events()
    out = tmp_path / f"events.{fmt}"
    export_events(
        fmt=fmt, country="CAF", date_from=None, date_to=None, dataset="ucdp-ged",
        max_sensitivity="public", output=out,
    )  # fmt: skip
    with out.open(encoding="utf-8", newline="") as handle:  # keep a CR inside a cell
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[2 if fmt == "hxl" else 1 :]
    for column in ("place", "description", "actor1"):
        values = {row[header.index(column)] for row in body}
        for payload in PAYLOADS:
            expected = payload if column != "actor1" else f"{payload} actor"
            assert "'" + expected in values, (column, payload)
            assert expected not in values
    longitudes = [float(row[header.index("longitude")]) for row in body]
    assert all(-180 <= value <= 180 for value in longitudes)  # numbers stay numbers
