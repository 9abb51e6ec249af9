"""API routes of capability needs, need against deployment, reviews, scores, contributors, units."""

from __future__ import annotations

import pytest
from django.test import Client

from commonground.core.models import ImportRun
from commonground.mandates.services import do_demo_scores
from commonground.sharing.services import local_organization

pytestmark = pytest.mark.django_db


def test_contributors_and_units(
    client: Client, contributors_run: ImportRun, units_run: ImportRun, tasks_run: ImportRun
) -> None:
    answer = client.get("/api/v1/mandates/missions/MINUSCA/contributors?year=2014&page_size=100")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert sum(i["troops"] or 0 for i in body["results"]) == 6750
    units = client.get("/api/v1/mandates/missions/MINUSCA/units?year=2014").json()
    assert {i["location"] for i in units["results"]} >= {"Bangui", "Bambari"}


def test_need_table_reviews_and_scores(
    client: Client, tasks_run: ImportRun, events_run: ImportRun, units_run: ImportRun
) -> None:
    table = client.get("/api/v1/mandates/missions/MINUSCA/tasks/CivProtect/coverage?year=2019")
    assert table.status_code == 200, table.content
    assert table.json()["capabilities"] == ["infantry", "police"]
    assert [a["rank"] for a in table.json()["areas"]][:3] == [1, 2, 3]
    assert client.get("/api/v1/mandates/missions/MINUSCA/tasks/CivProtect/needs").json() == []
    assert client.get("/api/v1/mandates/missions/MINUSCA/tasks/Nope/needs").status_code == 404
    reviews = client.get("/api/v1/mandates/missions/MINUSCA/reviews").json()
    assert reviews[0]["from_resolution"] == 2149 and reviews[0]["mandate_end_date"] is None
    do_demo_scores(local_organization(), "appr_rca_2019")
    scores = client.get("/api/v1/mandates/agreements/appr_rca_2019/scores").json()
    assert scores["scorer"] == "demonstration rule"
    assert all(s["is_demonstration"] for s in scores["scores"])
    assert scores["roll_ups"] and scores["agreement_between_scorers"] == []
