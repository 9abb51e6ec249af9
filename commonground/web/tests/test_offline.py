"""Nothing a page loads comes from another host: no CDN, no tile server, no web fonts."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.core.models import ImportRun
from commonground.events.models import Event

#: Attributes that make the browser fetch something as the page loads.
LOADED = re.compile(r"""<(?:script|img|link|iframe|source)\b[^>]*\b(?:src|href)=["']([^"']+)""")


def external_loads(html: str) -> list[str]:
    return [url for url in LOADED.findall(html) if re.match(r"^(https?:)?//", url)]


@pytest.mark.django_db
def test_pages_and_api_docs_load_nothing_from_another_host(
    client: Client, cast: dict[str, User], ged_run: ImportRun
) -> None:
    event = Event.objects.first()
    assert event is not None
    client.force_login(cast["amina"])
    for path in ("/", "/map/", "/events/", f"/events/{event.pk}/", "/api/v1/docs", "/?lang=fr"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert external_loads(response.content.decode()) == [], path
    client.logout()
    login = client.get("/accounts/login/")
    assert external_loads(login.content.decode()) == []


def test_the_check_itself_catches_a_cdn_script() -> None:
    html = '<script src="https://cdn.example.org/x.js"></script><link href="/static/a.css">'
    assert external_loads(html) == ["https://cdn.example.org/x.js"]


@pytest.mark.django_db
def test_a_nul_character_in_a_filter_is_a_clear_error_not_a_server_error(client: Client) -> None:
    response = client.get("/events/", {"actor": "anti\x00Balaka"})
    assert response.status_code == 400
