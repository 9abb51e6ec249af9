"""Every alert carries its TLP 2.0 marking, on its pages and in the API (docs/access-policy.md)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.alerts.models import Alert
from commonground.sharing.markings import tlp_label

pytestmark = pytest.mark.django_db


def test_an_alert_shows_the_marking_of_its_sensitivity(
    alert: Alert, cast: dict[str, User], client: Client
) -> None:
    client.force_login(cast["ousmane"])
    label = tlp_label(alert.sensitivity)
    assert label.startswith("TLP:")
    assert client.get("/api/v1/alerts/" + str(alert.pk)).json()["tlp"] == label
    assert [row["tlp"] for row in client.get("/api/v1/alerts").json()] == [label]
    for page in (f"/alerts/{alert.pk}/", "/alerts/"):
        assert label in client.get(page).content.decode(), page
