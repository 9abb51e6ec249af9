"""Shared fixtures: the named cast and the real data (see commonground/testing/fixtures.py)."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator

# Tests never touch a user's real database or secret key.
os.environ.setdefault("COMMONGROUND_HOME", tempfile.mkdtemp(prefix="commonground-test-"))
# The command line speaks the locale's language: tests read English unless they ask for French.
os.environ["COMMONGROUND_LANGUAGE"] = "en"
# Under pytest-xdist each worker gets a folder of its own: keys, job files and caches that one
# worker's test writes or shreds must not be the other worker's.
if os.environ.get("PYTEST_XDIST_WORKER"):
    _worker_home = os.path.join(os.environ["COMMONGROUND_HOME"], os.environ["PYTEST_XDIST_WORKER"])
    os.makedirs(_worker_home, mode=0o700, exist_ok=True)
    os.environ["COMMONGROUND_HOME"] = _worker_home

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


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse a suite where two items share a node id outside the ``serial`` marker: pytest-xdist
    would fold them into one and the others would silently never run (``make test``)."""
    counts = Counter(item.nodeid for item in items if item.get_closest_marker("serial") is None)
    folded = sorted(nodeid for nodeid, count in counts.items() if count > 1)
    if folded:
        raise pytest.UsageError(
            "These tests share a node id and would not all run in parallel; give them ids or "
            "mark them `serial`: " + ", ".join(folded)
        )
