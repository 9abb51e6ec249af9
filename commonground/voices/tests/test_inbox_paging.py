"""Inbox pages: the "next" link seeks with a cursor, and agrees with pages asked for by number.

Reports of the same month, some received at the very same instant (only the id tells them
apart), so the order's tie-breakers are exercised.
"""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from commonground.sharing.models import Organization
from commonground.voices.models import Report
from commonground.voices.services import ReportInput, do_submit_report


@pytest.fixture
def reports(bambari: Organization) -> list[Report]:
    made = [
        do_submit_report(
            None,
            bambari,
            f"seek-{n:04d}-xxxxxxxxxxxx",
            ReportInput(category="threat", occurred_on=datetime.date(2021, 1 + n % 3, 1)),
        )[0]
        for n in range(230)
    ]
    same = timezone.now()
    Report.objects.filter(pk__in=[r.pk for r in made[:120]]).update(created_at=same)
    return made


def shown(body: str) -> list[str]:
    return re.findall(r'href="/voices/inbox/([0-9a-f-]{36})/"', body)


def next_link(body: str) -> str:
    found = re.search(r'<a href="\?([^"]*)" rel="next">', body)
    return html.unescape(found.group(1)) if found else ""


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_following_next_reads_every_report_once_in_order(
    client: Client, cast: dict[str, User], reports: list[Report], lang: str
) -> None:
    client.force_login(cast["grace"])
    query = f"lang={lang}&category=threat"
    seen: list[str] = []
    pages = 0
    while query:
        body = client.get(f"/voices/inbox/?{query}").content.decode()
        seen += shown(body)
        pages += 1
        query = next_link(body)
        assert not query or ("after=" in query and "category=threat" in query)
    expected = Report.objects.order_by("-month", "-created_at", "-id").values_list("pk", flat=True)
    assert seen == [str(pk) for pk in expected]
    assert pages == 3
    by_number = client.get("/voices/inbox/?category=threat&page=2").content.decode()
    assert shown(by_number) == seen[100:200]


def test_a_wrong_cursor_shows_the_page_by_number(
    client: Client, cast: dict[str, User], reports: list[Report]
) -> None:
    client.force_login(cast["grace"])
    by_number = shown(client.get("/voices/inbox/?page=2").content.decode())
    for cursor in ("junk", "2021-01-01~nope~x", "2021-01-01~2021-01-01T00:00:00~" + "0" * 32, ""):
        body = client.get(f"/voices/inbox/?page=2&after={cursor}").content.decode()
        assert shown(body) == by_number


def test_fresh_statistics_after_a_bulk_load(reports: list[Report]) -> None:
    from django.db import connection

    from commonground.voices.queries import refresh_statistics

    def planner_rows() -> float:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
                if cursor.fetchone() is None:
                    return 0
                cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'voices_report'")
                found = cursor.fetchone()
                return float(found[0].split()[0]) if found else 0
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'voices_report'")
            return max(0.0, float(cursor.fetchone()[0]))

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone() is not None:
                cursor.execute("DELETE FROM sqlite_stat1")
        assert planner_rows() == 0  # (PostgreSQL's autovacuum may have analysed it already)
    refresh_statistics()
    assert planner_rows() == pytest.approx(len(reports), rel=0.05)
