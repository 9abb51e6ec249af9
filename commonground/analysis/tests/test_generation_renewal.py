"""Every write that changes what a page shows renews the data generation (the cache key).

Issue 11 §16: after ``commonground forecast run`` anonymous visitors kept the old, cached area
page, because the forecasts app did not renew the generation. One row per app that writes,
each through its real ``do_*`` service on the real files; and the forecast case end to end,
through the anonymous page cache.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from commonground.analysis.figures import generation
from commonground.core.services import do_import
from commonground.events.importers.ged import GED
from commonground.forecasts.services import do_forecast_run
from commonground.registry.importers import OPERATIONS, PRESENCE
from commonground.sharing.models import Membership, Organization, Role
from commonground.sharing.services import (
    do_add_member,
    do_ensure_organization,
    do_remove_member,
    local_organization,
)

pytestmark = pytest.mark.django_db


def real(name: str) -> Path:
    return Path(settings.COMMONGROUND_DATA_DIR) / name


def import_events(cast: dict[str, User]) -> None:
    do_import(GED, real("ged_23_1_CAF.csv"), owner=local_organization())


def import_operations(cast: dict[str, User]) -> None:
    do_import(OPERATIONS, real("operations.csv"), owner=local_organization())


def import_presence(cast: dict[str, User]) -> None:
    do_import(OPERATIONS, real("operations.csv"), owner=local_organization())
    before = generation()
    do_import(PRESENCE, real("presence_CAF.csv"), owner=local_organization())
    assert generation() != before


def new_organization(cast: dict[str, User]) -> None:
    do_ensure_organization("Synthetic relief group", "SRG", "ngo")


def add_member(cast: dict[str, User]) -> None:
    do_add_member(cast["sofia"], Organization.objects.get(slug="minusca-jmac"), Role.ANALYST)


def remove_member(cast: dict[str, User]) -> None:
    membership = Membership.objects.filter(user=cast["jean"]).first()
    assert membership is not None
    do_remove_member(membership, None)


def run_forecast(cast: dict[str, User]) -> None:
    do_import(GED, real("ged_23_1_CAF.csv"), owner=local_organization())
    before = generation()
    do_forecast_run("CAF", "admin1", samples=50)
    assert generation() != before


#: (app, write): every service that changes what a page shows.
WRITES: list[tuple[str, Callable[[dict[str, User]], None]]] = [
    ("events", import_events),
    ("registry", import_operations),
    ("registry", import_presence),
    ("sharing", new_organization),
    ("sharing", add_member),
    ("sharing", remove_member),
    ("forecasts", run_forecast),
]


@pytest.mark.parametrize(("app", "write"), WRITES, ids=[w.__name__ for _a, w in WRITES])
def test_every_write_renews_the_data_generation(
    cast: dict[str, User], app: str, write: Callable[[dict[str, User]], None]
) -> None:
    before = generation()
    write(cast)
    assert generation() != before, f"{app}: {write.__name__} left the data generation as it was"


def test_a_forecast_run_shows_at_once_on_the_cached_anonymous_area_page(
    cast: dict[str, User],
) -> None:
    do_import(GED, real("ged_23_1_CAF.csv"), owner=local_organization())
    url = "/areas/CAF.ouaka/"
    assert "No forecast has been made for this area yet." in Client().get(url).content.decode()
    assert "No forecast has been made" in Client().get(url).content.decode()  # from the cache

    do_forecast_run("CAF", "admin1", samples=50)
    page = Client().get(url).content.decode()

    assert 'id="forecast-chart"' in page
    assert "No forecast has been made" not in page
