"""Pytest fixtures on the real data in shared/data and the named cast (a pytest plugin)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from commonground.core.models import ImportRun
from commonground.core.services import do_import
from commonground.sharing.services import local_organization
from commonground.testing.cast import ensure_cast


@pytest.fixture(autouse=True)
def empty_answer_cache() -> Iterator[None]:
    """Every test starts with an empty cache of answers (``analysis.cache``).

    A test that reads a page's context needs the page rendered, not served from the cache; the
    data generation keys make a stale answer impossible, so this is about context, not safety.
    """
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def data_dir() -> Path:
    """The real data folder; the suite never copies it."""
    folder = Path(settings.COMMONGROUND_DATA_DIR)
    assert (folder / "ged_23_1_CAF.csv").exists(), f"real data missing in {folder}"
    return folder


@pytest.fixture
def cast(db: None) -> dict[str, User]:
    """The named cast (admin, amina, marc, jean, sofia, grace, ...): commonground.testing.cast."""
    return ensure_cast()


@pytest.fixture
def ged_run(db: None, data_dir: Path) -> ImportRun:
    """The real UCDP GED 23.1 CAR file, imported by the local organization."""
    from commonground.events.importers.ged import GED

    return do_import(GED, data_dir / "ged_23_1_CAF.csv", owner=local_organization())
