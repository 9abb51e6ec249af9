"""``/api/v1/presence`` says when each presence ended: its own end, else its operation's (issue
10 §4), checked against the real presence and operations files."""

from __future__ import annotations

import calendar
import datetime

import pytest
from django.test import Client

from commonground.api.tests.conftest import ApiData, csv_rows
from commonground.registry.models import Operation
from commonground.sharing.models import Sensitivity

pytestmark = pytest.mark.django_db


def last_day(stated: str) -> datetime.date:
    parts = [int(p) for p in stated.split("-")]
    if len(parts) == 1:
        return datetime.date(parts[0], 12, 31)
    if len(parts) == 2:
        return datetime.date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    return datetime.date(*parts)


def presence(client: Client) -> dict[str, dict[str, object]]:
    response = client.get("/api/v1/presence", {"page_size": 500})
    assert response.status_code == 200
    return {r["source_id"]: r for r in response.json()["results"]}


def test_each_record_ends_with_itself_else_with_its_operation(full_data: ApiData) -> None:
    ends = {r["acronym"]: r["end_date"] for r in csv_rows("operations.csv") if r["end_date"]}
    found = presence(Client())
    for row in csv_rows("presence_CAF.csv"):
        record = found[row["id"]]
        expected: tuple[str | None, str]
        if row["end"]:
            expected = (last_day(row["end"]).isoformat(), "record")
        elif row["organization_acronym"] in ends:
            expected = (last_day(ends[row["organization_acronym"]]).isoformat(), "operation")
        else:
            expected = (None, "unknown")
        assert (record["effective_end"], record["end_basis"]) == expected, row["id"]
    sangaris = [r for r in found.values() if r["operation"] == "sangaris" and not r["end_date"]]
    assert sangaris and {r["effective_end"] for r in sangaris} == {"2016-10-31"}


def test_a_hidden_operation_lends_no_end(full_data: ApiData) -> None:
    Operation.objects.filter(acronym="Sangaris").update(sensitivity=Sensitivity.RESTRICTED)
    found = presence(Client())
    rows = [r for r in csv_rows("presence_CAF.csv") if r["organization_acronym"] == "Sangaris"]
    open_ended = [found[r["id"]] for r in rows if not r["end"]]
    assert open_ended and {(r["effective_end"], r["end_basis"]) for r in open_ended} == {
        (None, "unknown")
    }
