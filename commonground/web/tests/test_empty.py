"""The pages of an installation with nothing loaded yet (no module-wide data here)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_overview_of_an_empty_installation(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.context.get("picture") is None
    assert "No events that you may see are loaded yet." in response.content.decode()


def test_the_map_of_an_empty_installation(client: Client) -> None:
    page = client.get("/map/")
    events = json.loads(client.get("/map/data/events.geojson").content)
    timeline = json.loads(client.get("/map/data/timeline.json").content)

    assert page.status_code == 200 and "<strong>0 events</strong>" in page.content.decode()
    assert events["count"] == 0 and events["features"] == []
    assert timeline["months"] == []
