"""A refused API token is audited, and a script retrying it leaves one counted row."""

from __future__ import annotations

import pytest
from django.test import Client

from commonground.sharing.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_refused_tokens_are_audited_on_one_counted_row() -> None:
    client = Client(REMOTE_ADDR="203.0.113.5")
    for n in range(30):
        response = client.get("/api/v1/stats", HTTP_AUTHORIZATION=f"Bearer cg_guess{n}")
        assert response.status_code == 401

    (row,) = AuditEvent.objects.filter(action="api_token.refused")
    assert 1 + row.detail["repeats"] == 30
    assert row.detail["address"] == "203.0.113.5"
    assert "cg_guess" not in str(row.detail)  # the token tried is never written down
