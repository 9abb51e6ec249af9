"""Place names from hidden records stay hidden: every listing of areas, one row per case.

Areas are made from the ``admin1``/``admin2`` text of imports. The real UCDP GED file (public)
gives the areas everyone sees; JMAC then imports, through the real incidents importer, three
SYNTHETIC incidents (written here: no real record can name a secret place) whose place names
exist nowhere else:

- a CONFIDENTIAL incident in Ouaka, admin-2 "Hidden detention site" (a new admin-2 area under
  a reference admin-1 area whose boundary ships with the product);
- a CONFIDENTIAL incident in Sudan, admin-1 "Secret camp" (a country no visible record and no
  shipped boundary names: the country itself is hidden too);
- a RESTRICTED incident in CAR, admin-1 "Hidden valley" (JMAC's viewer may see it).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client, override_settings
from pytest_django import DjangoDbBlocker

from commonground.core.services import do_import
from commonground.events.importers.ged import GED
from commonground.events.importers.incidents import INCIDENTS, TEMPLATE_COLUMNS
from commonground.sharing.models import Organization
from commonground.sharing.policy import reference_area_codes
from commonground.sharing.services import local_organization
from commonground.testing.cast import ensure_cast

pytestmark = [pytest.mark.django_db, pytest.mark.access]

PEOPLE = ["admin", "amina", "marc", "jean", "sofia", "anonymous"]

#: (label, country, admin1, admin2, latitude, longitude, sensitivity): SYNTHETIC incidents.
HIDDEN_INCIDENTS = [
    ("C1", "CAF", "Ouaka", "Hidden detention site", 5.76, 20.67, "confidential"),
    ("C2", "SDN", "Secret camp", "", 15.5, 32.53, "confidential"),
    ("R1", "CAF", "Hidden valley", "", 6.5, 21.9, "restricted"),
]

JMAC_ANALYSTS = {"admin", "amina"}
JMAC_MEMBERS = {"admin", "amina", "marc"}

#: Area code -> who may know of it. CAF and Ouaka: public GED events and shipped boundaries.
WHO_SEES_AREA = {
    "CAF": set(PEOPLE),
    "CAF.ouaka": set(PEOPLE),
    "CAF.ouaka.bambari": set(PEOPLE),  # a public GED event lies there
    "CAF.ouaka.hidden-detention-site": JMAC_ANALYSTS,
    "SDN": JMAC_ANALYSTS,
    "SDN.secret-camp": JMAC_ANALYSTS,
    "CAF.hidden-valley": JMAC_MEMBERS,
}

#: One row per (person, area, expected visibility): the table every listing is held to.
CASES = [(who, code, who in seen) for code, seen in WHO_SEES_AREA.items() for who in PEOPLE]


def synthetic_incidents(folder: Path) -> Path:
    """JMAC's SYNTHETIC incidents file, in the documented template's columns."""
    path = folder / "jmac-hidden-places.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=TEMPLATE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for label, country, admin1, admin2, lat, lon, sensitivity in HIDDEN_INCIDENTS:
            row = dict.fromkeys(TEMPLATE_COLUMNS, "")
            row.update(
                incident_id=f"JMAC-SYN-{label}",
                date_start="2020-05-01",
                date_precision="day",
                latitude=str(lat),
                longitude=str(lon),
                location_precision="exact",
                country=country,
                admin1=admin1,
                admin2=admin2,
                violence_type="one_sided",
                fatalities_best="1",
                description="SYNTHETIC test incident",
                sensitivity=sensitivity,
            )
            writer.writerow(row)
    return path


@pytest.fixture(scope="module")
def people(
    django_db_setup: None,
    django_db_blocker: DjangoDbBlocker,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, User]]:
    """The cast, the real GED file and JMAC's synthetic incidents; rolled back at the end."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        override_settings(PASSWORD_HASHERS=fast),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        cast = ensure_cast()
        data = Path(settings.COMMONGROUND_DATA_DIR)
        do_import(GED, data / "ged_23_1_CAF.csv", owner=local_organization())
        jmac = Organization.objects.get(slug="minusca-jmac")
        folder = tmp_path_factory.mktemp("incidents")
        run = do_import(INCIDENTS, synthetic_incidents(folder), owner=jmac)
        assert run.added == len(HIDDEN_INCIDENTS), run.problems
        yield cast
        transaction.set_rollback(True)


def same_page(content: bytes, code: str) -> bytes:
    """A page less what differs between any two answers: the code asked for, CSRF tokens."""
    return re.sub(rb"[A-Za-z0-9]{64}", b"", content.replace(code.encode(), b""))


def client_for(people: dict[str, User], who: str) -> Client:
    client = Client()
    if who != "anonymous":
        client.force_login(people[who])
    return client


def test_the_hidden_places_are_no_reference_boundaries() -> None:
    """The table's premise: only CAF and Ouaka ship with the product."""
    shipped = {code for code in WHO_SEES_AREA if code in reference_area_codes()}
    assert shipped == {"CAF", "CAF.ouaka"}


@pytest.mark.parametrize(("who", "code", "visible"), CASES)
def test_the_api_lists_an_area_only_to_who_may_know_of_it(
    people: dict[str, User], who: str, code: str, visible: bool
) -> None:
    client = client_for(people, who)
    country = code.split(".")[0]
    listed = client.get("/api/v1/areas", {"country": country, "page_size": "500"}).json()
    assert (code in {a["code"] for a in listed["results"]}) is visible
    everything = client.get("/api/v1/areas", {"page_size": "500"}).json()
    assert (code in {a["code"] for a in everything["results"]}) is visible


@pytest.mark.parametrize(("who", "code", "visible"), CASES)
def test_a_hidden_area_answers_exactly_as_a_missing_one(
    people: dict[str, User], who: str, code: str, visible: bool
) -> None:
    client = client_for(people, who)
    missing_code = code.rsplit(".", 1)[0] + ".nowhere-at-all" if "." in code else "ZZZ"
    for path in ("/api/v1/areas/{}", "/areas/{}/", "/api/v1/trends/{}"):
        asked = client.get(path.format(code))
        missing = client.get(path.format(missing_code))
        assert missing.status_code == 404
        if visible:
            # Trends answer 404 where you see no event in the country, for any area.
            assert asked.status_code == 200 or "trends" in path, path
        else:
            assert asked.status_code == 404, path
            assert same_page(asked.content, code) == same_page(missing.content, missing_code), path


@pytest.mark.parametrize(("who", "code", "visible"), [c for c in CASES if "." in c[1]])
def test_area_pages_name_a_child_area_only_to_who_may_know_of_it(
    people: dict[str, User], who: str, code: str, visible: bool
) -> None:
    """The parent's child list, on the API and on the area page."""
    parent = code.rsplit(".", 1)[0]
    client = client_for(people, who)
    detail = client.get(f"/api/v1/areas/{parent}")
    children = (
        {c["code"] for c in detail.json()["children"]} if detail.status_code == 200 else set()
    )
    assert (code in children) is visible
    page = client.get(f"/areas/{parent}/")
    shown = (
        {row["area"].code for row in page.context["children"]} if page.status_code == 200 else set()
    )
    assert (code in shown) is visible


@pytest.mark.parametrize(("who", "code", "visible"), [c for c in CASES if "." in c[1]])
def test_panels_and_coverage_name_a_unit_only_to_who_may_know_of_it(
    people: dict[str, User], who: str, code: str, visible: bool
) -> None:
    """The admin-1 panel (a row of zeros would name the place) and the coverage table."""
    client = client_for(people, who)
    country = code.split(".")[0]
    admin1 = ".".join(code.split(".")[:2])
    panel = client.get(f"/api/v1/panels/{country}", {"level": "admin1"})
    if panel.status_code == 404:
        assert not visible
        return
    units = {row["unit"] for row in panel.json()["rows"]}
    assert (admin1 in units) is (who in WHO_SEES_AREA[admin1])
    body = client.get(f"/api/v1/coverage/{country}").content.decode()
    names = {"CAF.hidden-valley": "Hidden valley", "SDN.secret-camp": "Secret camp"}
    if admin1 in names and who not in WHO_SEES_AREA[admin1]:
        assert names[admin1] not in body
