"""Shared fixtures: the named cast and the real data (see commonground/testing/fixtures.py)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

# Tests never touch a user's real database or secret key.
os.environ.setdefault("COMMONGROUND_HOME", tempfile.mkdtemp(prefix="commonground-test-"))

pytest_plugins = ["commonground.testing.fixtures"]


import pytest  # noqa: E402  # after COMMONGROUND_HOME is set, before Django reads it


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """The cast's passwords are hashed in every test; the real hasher would dominate run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]  # pytest-django's settings fixture


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """Each test starts in the default language: a French request through Django's test client
    leaves French active in the thread, which would change the messages later tests read."""
    from django.utils import translation

    yield
    translation.deactivate()
