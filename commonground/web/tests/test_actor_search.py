"""Finding actors as people type them: without accents or case, and by their other names.

UCDP writes "Seleka"; French reports write "Séléka". Expected counts come from the real GED file
of the CAR (Python's csv module). Runs on SQLite and on PostgreSQL (``DATABASE_URL``): the
folding is done in Python, not by a database collation.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.test import Client

from commonground.core.services import do_import
from commonground.events.importers.ged import GED
from commonground.registry.models import Actor
from commonground.registry.search import fold, search_key
from commonground.sharing.services import local_organization
from commonground.web.tests.conftest import RealData

pytestmark = pytest.mark.django_db

SPELLINGS = ["Seleka", "Séléka", "seleka", "SÉLÉKA", "  séLéka "]


def seleka_events(data: RealData) -> int:
    with data.path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return sum(1 for r in rows if "seleka" in (r["side_a"] + " " + r["side_b"]).lower())


@pytest.mark.parametrize(
    ("typed", "folded"),
    [("Séléka", "seleka"), ("  Anti-Balaka  ", "anti-balaka"), ("Straße", "strasse"), ("Ǆ", "dz")],
)
def test_fold(typed: str, folded: str) -> None:
    assert fold(typed) == folded


@pytest.mark.parametrize("typed", SPELLINGS)
def test_events_list_finds_seleka_however_typed(
    real_data: RealData, client: Client, typed: str
) -> None:
    expected = seleka_events(real_data)
    assert expected > 0

    response = client.get("/events/", {"actor": typed})

    assert response.context["page"].paginator.count == expected


@pytest.mark.parametrize("typed", SPELLINGS)
def test_api_actor_search_finds_seleka_however_typed(real_data: RealData, typed: str) -> None:
    response = Client().get("/api/v1/actors", {"q": typed})

    assert response.status_code == 200, response.content
    names = [a["name"] for a in response.json()["results"]]
    assert names == ["Seleka"]


@pytest.mark.parametrize("typed", SPELLINGS)
def test_api_events_filter_finds_seleka_however_typed(real_data: RealData, typed: str) -> None:
    response = Client().get("/api/v1/events", {"actor": typed, "page_size": "1"})

    assert response.status_code == 200, response.content
    assert response.json()["count"] == seleka_events(real_data)


def test_an_alias_is_found_and_the_key_follows_the_name(real_data: RealData) -> None:
    """Synthetic alias: a name no source gives, set by hand as an operator would."""
    actor = Actor.objects.get(name="UPC")
    actor.aliases = ["Unité pour la Paix en Centrafrique"]
    actor.save(update_fields=["aliases"])

    found = Client().get("/api/v1/actors", {"q": "unite pour la paix"}).json()["results"]

    assert [a["name"] for a in found] == ["UPC"]
    assert Actor.objects.get(pk=actor.pk).search_key == search_key("UPC", actor.aliases)


def test_a_new_spelling_in_a_file_becomes_an_alias(
    real_data: RealData, client: Client, tmp_path: Path
) -> None:
    """The real file with Seleka's side renamed (synthetic), as UCDP renames sides between
    versions: the actor keeps its name, the new spelling is an alias, and both find it."""
    text = real_data.path.read_text(encoding="utf-8").replace(",Seleka,", ",Séléka coalition,")
    renamed = tmp_path / "ged_23_1_CAF.csv"
    renamed.write_text(text, encoding="utf-8")

    do_import(GED, renamed, owner=local_organization(), user=real_data.cast["admin"])

    actor = Actor.objects.get(identifiers__scheme="ucdp", name="Seleka")
    assert actor.aliases == ["Séléka coalition"]
    found = Client().get("/api/v1/actors", {"q": "seleka coalition"}).json()["results"]
    assert [a["name"] for a in found] == ["Seleka"]
