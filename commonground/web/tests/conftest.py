"""The real UCDP GED file, imported once per test module and rolled back afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.test import override_settings
from pytest_django import DjangoDbBlocker

from commonground.core.models import ImportRun
from commonground.core.services import do_import
from commonground.events.importers.ged import GED
from commonground.sharing.services import local_organization
from commonground.testing.cast import ensure_cast

#: The cast's passwords are hashed for every module; the slow default hasher adds seconds.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def ged_path() -> Path:
    return Path(settings.COMMONGROUND_DATA_DIR) / "ged_23_1_CAF.csv"


@dataclass(frozen=True)
class RealData:
    run: ImportRun
    cast: dict[str, User]
    path: Path


@pytest.fixture(scope="module")
def real_data(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[RealData]:
    """Import the 1,848 real events once for a module; each test's own writes roll back.

    The import runs inside a transaction that is rolled back when the module ends, so other
    modules see an empty database again (tests nest their savepoints inside it).
    """
    path = ged_path()
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        cast = ensure_cast()
        run = do_import(GED, path, owner=local_organization(), user=cast["admin"])
        yield RealData(run=run, cast=cast, path=path)
        transaction.set_rollback(True)


@dataclass(frozen=True)
class FullData(RealData):
    """The GED events plus the operations registry and the presence records of the CAR."""

    operations: ImportRun
    presence: ImportRun


@pytest.fixture(scope="module")
def full_data(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[FullData]:
    """Like ``real_data``, with the registries the overview and the map's presence layer show."""
    from commonground.registry.importers import OPERATIONS, PRESENCE

    path = ged_path()
    folder = Path(settings.COMMONGROUND_DATA_DIR)
    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        cast = ensure_cast()
        owner = local_organization()
        run = do_import(GED, path, owner=owner, user=cast["admin"])
        operations = do_import(OPERATIONS, folder / "operations.csv", owner=owner)
        presence = do_import(PRESENCE, folder / "presence_CAF.csv", owner=owner)
        yield FullData(run=run, cast=cast, path=path, operations=operations, presence=presence)
        transaction.set_rollback(True)
