"""TLP 2.0 markings on the owned records of learning: programmes (their theory of change and
PDIA log), indicators and exit benchmarks carry their marking (their sensitivity's,
docs/access-policy.md) on every page that shows them and in the API answers (``tlp``)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.learning.models import Benchmark, Indicator, Programme
from commonground.sharing.markings import tlp_label

pytestmark = pytest.mark.django_db


def test_every_learning_page_and_answer_marks_what_it_shows(
    client: Client, cast: dict[str, User], demo: Programme
) -> None:
    client.force_login(cast["admin"])  # sees every record of the demo
    programme = tlp_label(demo.sensitivity)
    indicators = list(Indicator.objects.filter(programme=demo))
    assert indicators and programme != "TLP:CLEAR"  # the demo's programme is not public
    pages = {
        "/learning/": [programme, *[tlp_label(i.sensitivity) for i in indicators]],
        f"/learning/programmes/{demo.slug}/": [programme],
        f"/learning/indicators/{indicators[0].slug}/": [tlp_label(indicators[0].sensitivity)],
        "/learning/benchmarks/": [tlp_label(b.sensitivity) for b in Benchmark.objects.all()],
    }
    for path, markings in pages.items():
        page = client.get(path).content.decode()
        body = page[page.index("<h1") :]
        for marking in markings:
            assert marking in body, (path, marking)
    answer = client.get(f"/api/v1/learning/programmes/{demo.slug}").json()
    assert answer["tlp"] == programme
    assert {i["tlp"] for i in answer["indicators"]} == {
        tlp_label(i.sensitivity) for i in indicators
    }
    benchmarks = client.get("/api/v1/learning/benchmarks").json()
    assert benchmarks and {b["id"]: b["tlp"] for b in benchmarks} == {
        str(b.pk): tlp_label(b.sensitivity) for b in Benchmark.objects.all()
    }
    values = client.get(f"/api/v1/learning/indicators/{indicators[0].slug}/values").json()
    assert values and {v["tlp"] for v in values} == {tlp_label(indicators[0].sensitivity)}
