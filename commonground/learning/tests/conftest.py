"""Fixtures: the real UCDP GED CAR events and presence registry, the cast, the demo records."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.utils import translation

from commonground.core.models import ImportRun
from commonground.core.services import do_import
from commonground.learning.demo import do_demo_learning
from commonground.learning.models import Programme
from commonground.registry.importers import PRESENCE
from commonground.sharing.services import local_organization

GED = "ged_23_1_CAF.csv"
PRESENCE_FILE = "presence_CAF.csv"


@pytest.fixture(autouse=True)
def default_language_after() -> Iterator[None]:
    """A French page leaves French active in the thread: put the default back after."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def presence_run(db: None, data_dir: Path) -> ImportRun:
    return do_import(PRESENCE, data_dir / PRESENCE_FILE, owner=local_organization())


@pytest.fixture
def demo(ged_run: ImportRun, presence_run: ImportRun, cast: dict[str, User]) -> Programme:
    """The demonstration programme and MINUSCA benchmarks on the real files, with the cast."""
    return do_demo_learning()
