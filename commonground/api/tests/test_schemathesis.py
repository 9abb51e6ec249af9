"""Schemathesis against the OpenAPI schema, through the WSGI app, on the real data: no 5xx.

Every operation in ``/api/v1/openapi.json`` gets requests generated from its schema, valid and
invalid (NUL bytes, huge numbers, unknown enum values, random Authorization headers). Half of
them carry Amina's API token so the signed-in routes and the restricted records are exercised
too. The checks: the API never answers with a server error, and every answer conforms to the
document (status code listed, content type listed, body valid against the response schema).

The stateful test follows the document's links (ninja declares none; Schemathesis infers them
from the paths and the response fields, e.g. ``POST /me/tokens`` then ``DELETE
/me/tokens/{token_id}``) through scenarios of several calls, with the stateful checks (a deleted
resource is gone, a created one is there) as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    ensure_resource_availability,
    response_schema_conformance,
    status_code_conformance,
    use_after_free,
)

from commonground.api.tests.conftest import ApiData
from commonground.sharing.services import do_create_api_token
from commonground.wsgi import application

#: ``serial``: schemathesis expands the first test into one item per API operation, all with
#: the same node id, which pytest-xdist folds into one; ``make test`` runs this file in the main
#: process so that every operation is tested.
pytestmark = [pytest.mark.django_db, pytest.mark.serial]

#: Generated requests per operation and per caller; bounded so the test stays under a minute.
MAX_EXAMPLES = 25

#: Stateful scenarios, and calls in each; bounded so the test stays under a minute too.
SCENARIOS = 30
STEPS = 6

#: No server error, and no answer that the document does not describe.
CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


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
def test_no_server_error_and_no_schema_violation(
    case: Any, full_data: ApiData, same_connection: None
) -> None:
    case.call_and_validate(checks=CONFORMANCE)
    case.call_and_validate(
        checks=CONFORMANCE, headers={"Authorization": f"Bearer {full_data.token}"}
    )


@pytest.mark.slow
def test_stateful_scenarios_conform(full_data: ApiData, same_connection: None) -> None:
    """Scenarios of linked calls as Amina (her own token: a scenario may revoke it)."""
    _record, token = do_create_api_token(full_data.cast["amina"], "stateful api tests")
    machine = schema.as_state_machine()
    assert machine.bundles, "Schemathesis found no link to follow"

    class Scenarios(machine):  # type: ignore[misc,valid-type]  # a class made at run time
        """Each scenario starts from the same database and cache: a scenario may revoke the
        token or write audit rows, and Hypothesis replays scenarios, so state left by one
        would change which links the next can follow (a flaky strategy, not a finding)."""

        def setup(self) -> None:
            self.savepoint = transaction.savepoint()
            cache.clear()

        def teardown(self) -> None:
            transaction.savepoint_rollback(self.savepoint)
            cache.clear()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def validate_response(self, response: Any, case: Any, **kwargs: Any) -> None:
            checks = [*CONFORMANCE, use_after_free, ensure_resource_availability]
            case.validate_response(response, checks=checks)

    Scenarios.run(
        settings=settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
    )
