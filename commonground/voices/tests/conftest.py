"""Fixtures for voices: a key folder of the test's own and the Bambari network's published form."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from commonground.sharing.models import Organization
from commonground.voices.models import ReportForm


@pytest.fixture(autouse=True)
def key_home(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Each test keeps its organization keys in its own COMMONGROUND_HOME/keys."""
    settings.COMMONGROUND_HOME = tmp_path  # type: ignore[attr-defined]  # pytest-django's settings
    return tmp_path


@pytest.fixture
def bambari(cast: dict[str, User]) -> Organization:
    return Organization.objects.get(slug="femmes-bambari")


@pytest.fixture
def bambari_form(bambari: Organization) -> ReportForm:
    return ReportForm.objects.create(
        owner=bambari, slug="signaler", title="Signaler un incident", published=True
    )
