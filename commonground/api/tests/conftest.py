"""The real data behind the API tests, loaded once per module and rolled back afterwards.

Besides the 1,848 real UCDP GED events (public, CC BY 4.0) each module gets three records owned
by the MINUSCA JMAC, so the access rules have something to hide:

- a RESTRICTED incident in Ouaka (seen by JMAC's viewer and analyst, and platform admins);
- a CONFIDENTIAL incident in Ouaka (JMAC's analyst and platform admins only);
- a PUBLIC row under ACLED's licence (raw rows stay inside JMAC: members and admins only).

The restricted and confidential incidents name an actor that appears nowhere else, so that
actor's name is itself something only those who may see the incidents can see. Amina (JMAC
analyst) also holds an API token: the "token" person in the tables.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client, override_settings
from pytest_django import DjangoDbBlocker

from commonground.core.models import Area, ImportRun
from commonground.core.services import do_import
from commonground.events.importers.ged import GED
from commonground.events.models import Event
from commonground.registry.importers import OPERATIONS, PARALLEL_FORCES, PRESENCE
from commonground.registry.models import Actor, ActorKind
from commonground.sharing.models import Licence, Organization, Sensitivity
from commonground.sharing.services import do_create_api_token, local_organization
from commonground.testing.cast import ensure_cast

#: The cast's passwords are hashed for every module; the slow default hasher adds seconds.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

#: How many events each person sees: the GED file, plus what JMAC shares with them.
GED_EVENTS = 1848


def data_path(name: str) -> Path:
    return Path(settings.COMMONGROUND_DATA_DIR) / name


def csv_rows(name: str) -> list[dict[str, str]]:
    """A real file's rows, read with the csv module (independently of our importers)."""
    with data_path(name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class ApiData:
    cast: dict[str, User]
    restricted: Event
    confidential: Event
    acled: Event
    secret_actor: Actor
    token: str  # Amina's API token


def jmac_event(
    run: ImportRun, owner: Organization, n: int, sensitivity: int, licence: str, **extra: Any
) -> Event:
    ouaka = Area.objects.get(code="CAF.ouaka")
    fields: dict[str, Any] = {
        "dataset": "jmac-incidents",
        "dataset_version": "1",
        "source_id": f"JMAC-{n}",
        "import_run": run,
        "source_row": n + 1,
        "content_hash": f"jmac{n}",
        "date_start": datetime.date(2014, 6, 1),
        "date_end": datetime.date(2014, 6, 1),
        "date_precision": 1,
        "latitude": 5.75,
        "longitude": 20.67,
        "location_precision": 1,
        "place": "Bambari",
        "country_code": "CAF",
        "admin1": ouaka,
        "priogrid_gid": 1,
        "violence_type": "one_sided",
        "fatalities_best": 7,
        "civilian_deaths": 7,
        "description": f"JMAC incident {n}, {Sensitivity(sensitivity).label}",
        "owner": owner,
        "sensitivity": sensitivity,
        "licence": licence,
    }
    fields.update(extra)
    return Event.objects.create(**fields)


def load(registries: bool) -> ApiData:
    cast = ensure_cast()
    do_import(GED, data_path("ged_23_1_CAF.csv"), owner=local_organization(), user=cast["admin"])
    if registries:
        for importer, name in (
            (OPERATIONS, "operations.csv"),
            (PARALLEL_FORCES, "parallel_forces.csv"),
            (PRESENCE, "presence_CAF.csv"),
        ):
            do_import(importer, data_path(name), owner=local_organization())
    jmac = Organization.objects.get(slug="minusca-jmac")
    run = ImportRun.objects.create(
        dataset="jmac-incidents", file_name="jmac.csv", sha256="0" * 64, owner=jmac
    )
    secret = Actor.objects.create(name="Ouaka informant network", kind=ActorKind.OTHER)
    _token_record, token = do_create_api_token(cast["amina"], "api tests")
    return ApiData(
        cast=cast,
        restricted=jmac_event(
            run, jmac, 1, Sensitivity.RESTRICTED, Licence.OWNER, actor1=secret, fatalities_best=3
        ),
        confidential=jmac_event(
            run, jmac, 2, Sensitivity.CONFIDENTIAL, Licence.OWNER, actor2=secret
        ),
        acled=jmac_event(run, jmac, 3, Sensitivity.PUBLIC, Licence.ACLED, dataset="acled"),
        secret_actor=secret,
        token=token,
    )


def loaded(django_db_blocker: DjangoDbBlocker, registries: bool) -> Iterator[ApiData]:
    """Load inside a transaction that is rolled back when the module ends."""
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield load(registries)
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def api_data(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[ApiData]:
    """The GED events, the cast, JMAC's three records and Amina's token."""
    yield from loaded(django_db_blocker, registries=False)


@pytest.fixture(scope="module")
def full_data(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[ApiData]:
    """As ``api_data``, with the operations, parallel-forces and presence registries."""
    yield from loaded(django_db_blocker, registries=True)


def client_for(data: ApiData, who: str) -> Client:
    """A test client acting as one person: a session, a bearer token, or nobody."""
    if who == "token":
        return Client(headers={"Authorization": f"Bearer {data.token}"})
    client = Client()
    if who != "anonymous":
        client.force_login(data.cast[who])
    return client
