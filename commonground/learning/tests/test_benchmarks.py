"""Each demo benchmark's status, month by month, recomputed here from the real files.

The answer is computed with polars and csv straight from ``shared/data`` (never through the
app), then compared with what the dashboard shows and the API returns.
"""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.learning.models import Benchmark, Programme
from commonground.learning.tests.conftest import GED, PRESENCE_FILE

pytestmark = pytest.mark.django_db


def month_list(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def expected_statuses(
    values: dict[datetime.date, float], months: list[datetime.date], holds: object, run_needed: int
) -> dict[str, str]:
    """The rule of docs/learning.md, written again: met after ``run_needed`` months in a row."""
    statuses, run = {}, 0
    for month in months:
        if month not in values:
            run = 0
            statuses[f"{month:%Y-%m}"] = "no_data"
            continue
        run = run + 1 if holds(values[month]) else 0  # type: ignore[operator]  # a callable
        statuses[f"{month:%Y-%m}"] = "met" if run >= run_needed else "not_met"
    return statuses


def shown_statuses(html: str, benchmark: Benchmark) -> dict[str, str]:
    section = html.split(f'id="benchmark-{benchmark.pk}"')[1].split("</section>")[0]
    return dict(re.findall(r'<tr data-month="([0-9-]+)" data-status="([a-z_]+)">', section))


def vac_ouaka_expected(data_dir: Path) -> dict[str, str]:
    """One-sided events in Ouaka per month, zero in months the GED file covers without any."""
    ged = pl.read_csv(data_dir / GED, infer_schema=False).with_columns(
        pl.col("date_start").str.slice(0, 7).alias("month")
    )
    last = datetime.date.fromisoformat(str(ged["month"].max()) + "-01")
    counts = (
        ged.filter((pl.col("type_of_violence") == "3") & (pl.col("adm_1") == "Ouaka province"))
        .group_by("month")
        .len()
    )
    by_month = {datetime.date.fromisoformat(m + "-01"): float(n) for m, n in counts.iter_rows()}
    months = month_list(datetime.date(2017, 1, 1), last)
    values = {m: by_month.get(m, 0.0) for m in months}
    return expected_statuses(values, months, lambda v: v < 2, 6)


def presence_month(text: str, end: bool) -> datetime.date | None:
    """'2018' -> January (or December for an end), '2019-05' -> May; empty -> None."""
    if not text:
        return None
    parts = text.split("-")
    month = int(parts[1]) if len(parts) > 1 else (12 if end else 1)
    return datetime.date(int(parts[0]), month, 1)


def forces_expected(data_dir: Path) -> dict[str, str]:
    """Prefectures with a dated national-forces presence record, per month, at least 5."""
    with (data_dir / PRESENCE_FILE).open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["organization_kind"] == "national_forces"]
    today = datetime.date.today().replace(day=1)
    months = month_list(datetime.date(2018, 1, 1), today)
    first_record = min(m for r in rows if (m := presence_month(r["start"], False)))
    values: dict[datetime.date, float] = {}
    for month in months:
        if month < first_record:
            continue
        present = {
            r["admin1"]
            for r in rows
            if (start := presence_month(r["start"], False)) is not None
            and start <= month
            and ((end := presence_month(r["end"], True)) is None or month <= end)
        }
        values[month] = float(len(present))
    return expected_statuses(values, months, lambda v: v >= 5, 1)


def test_vac_benchmark_status_equals_recount_of_ged(
    demo: Programme, cast: dict[str, User], data_dir: Path
) -> None:
    benchmark = Benchmark.objects.get(indicator__slug="minusca-vac-ouaka")
    client = Client()
    client.force_login(cast["amina"])
    html = client.get("/learning/benchmarks/MINUSCA/").content.decode()
    expected = vac_ouaka_expected(data_dir)
    assert shown_statuses(html, benchmark) == expected
    assert {"met", "not_met"} <= set(expected.values())  # the test can tell them apart
    assert f'data-current="{list(expected.values())[-1]}"' in html


def test_presence_benchmark_status_equals_recount_of_registry(
    demo: Programme, cast: dict[str, User], data_dir: Path
) -> None:
    benchmark = Benchmark.objects.get(indicator__slug="minusca-national-forces-prefectures")
    client = Client()
    client.force_login(cast["marc"])
    html = client.get("/learning/benchmarks/").content.decode()
    expected = forces_expected(data_dir)
    assert shown_statuses(html, benchmark) == expected
    assert {"met", "not_met"} <= set(expected.values())


def test_api_gives_the_same_statuses(
    demo: Programme, cast: dict[str, User], data_dir: Path
) -> None:
    client = Client()
    client.force_login(cast["amina"])
    answer = client.get("/api/v1/learning/benchmarks?mission=MINUSCA").json()
    by_indicator = {b["indicator"]: b for b in answer}
    vac = {s["month"][:7]: s["status"] for s in by_indicator["minusca-vac-ouaka"]["statuses"]}
    assert vac == vac_ouaka_expected(data_dir)


def test_dashboard_in_french(demo: Programme, cast: dict[str, User]) -> None:
    client = Client()
    client.force_login(cast["amina"])
    html = client.get("/learning/benchmarks/?lang=fr").content.decode()
    assert "Critères de sortie" in html
    assert "Forces nationales présentes dans au moins 5 préfectures" in html
    assert "atteint" in html


def test_demo_twice_changes_nothing(demo: Programme) -> None:
    from commonground.learning.demo import do_demo_learning
    from commonground.learning.models import PdiaEntry, TocNode

    nodes = set(TocNode.objects.values_list("pk", flat=True))
    entries = PdiaEntry.objects.count()
    benchmarks = Benchmark.objects.count()
    do_demo_learning()
    assert set(TocNode.objects.values_list("pk", flat=True)) == nodes
    assert (PdiaEntry.objects.count(), Benchmark.objects.count()) == (entries, benchmarks)
