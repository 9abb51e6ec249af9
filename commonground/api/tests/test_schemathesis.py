"""Schemathesis against the OpenAPI schema, through the WSGI app, on the real data: no 5xx.

Every operation in ``/api/v1/openapi.json`` gets requests generated from its schema, valid and
invalid (NUL bytes, huge numbers, unknown enum values, random Authorization headers). Half of
them carry Amina's API token so the signed-in routes and the restricted records are exercised
too. The one check is that the API never answers with a server error.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from commonground.api.tests.conftest import ApiData
from commonground.wsgi import application

pytestmark = pytest.mark.django_db

#: Generated requests per operation and per caller; bounded so the test stays under a minute.
MAX_EXAMPLES = 25


#: Loaded through the WSGI app, as a client would fetch it. (``schemathesis.pytest.from_fixture``
#: would defer this to a fixture, but fails on pytest 9: it sets ``Function._nodeid``.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def same_connection() -> Iterator[None]:
    """Keep the test's database connection open across requests, as Django's test client does.

    The WSGI handler closes connections when a request starts and finishes; inside the test's
    transaction that would close it under the test (PostgreSQL notices, in-memory SQLite does
    not).
    """
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_no_server_error(case: Any, full_data: ApiData, same_connection: None) -> None:
    case.call_and_validate(checks=[not_a_server_error])
    case.call_and_validate(
        checks=[not_a_server_error], headers={"Authorization": f"Bearer {full_data.token}"}
    )
