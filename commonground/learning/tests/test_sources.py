"""Indicators on deployments (Geo-PKO) and on peace-agreement implementation events, against
the real files read here with polars; and the drivers of a benchmark link to its events."""

from __future__ import annotations

import datetime
from pathlib import Path

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.core.models import ImportRun
from commonground.learning import compute
from commonground.learning.models import Benchmark, Desired, Programme, Source
from commonground.learning.services import do_save_indicator
from commonground.mandates.tests.conftest import (  # noqa: F401 - fixtures used below
    EVENTS,
    FRONTMAP,
    events_run,
    geopko_run,
    owner,
    provisions_run,
)
from commonground.sharing.models import Organization

pytestmark = pytest.mark.django_db


def test_setbacks_per_month_equal_the_file(
    events_run: ImportRun,  # noqa: F811 - the fixture imported above
    owner: Organization,  # noqa: F811 - the fixture imported above
    data_dir: Path,
) -> None:
    indicator = do_save_indicator(
        None,
        owner,
        "appr-setbacks",
        name="APPR setbacks",
        source=Source.AGREEMENT_EVENTS,
        kind="setback",
        unit="events",
        desired=Desired.DECREASE,
    )
    rows = pl.read_csv(data_dir / EVENTS, infer_schema=False).filter(
        pl.col("direction") == "setback"
    )
    expected = rows.group_by(pl.col("date").str.slice(0, 7).alias("m")).len()
    series = compute.indicator_series(indicator, None)
    assert {f"{m:%Y-%m}": v for m, v in series.items() if v} == {
        m: float(n) for m, n in expected.iter_rows()
    }
    assert 0.0 in series.values()  # covered months without a setback count zero


def test_troops_per_year_equal_geopko(
    geopko_run: ImportRun,  # noqa: F811 - the fixture imported above
    owner: Organization,  # noqa: F811 - the fixture imported above
    data_dir: Path,
) -> None:
    indicator = do_save_indicator(
        None,
        owner,
        "minusca-troops",
        name="MINUSCA troops",
        source=Source.DEPLOYMENTS,
        kind="MINUSCA",
        unit="troops",
        desired=Desired.DECREASE,
    )
    geo = pl.read_csv(data_dir / FRONTMAP, infer_schema=False).filter(
        (pl.col("mission") == "MINUSCA") & (pl.col("country") == "Central African Republic")
    )
    sums = geo.with_columns(pl.col("NoTroops").replace("NA", None).cast(pl.Int64))
    series = compute.indicator_series(indicator, None)
    for year, troops in sums.group_by("year").agg(pl.col("NoTroops").sum()).iter_rows():
        assert series[datetime.date(int(year), 6, 1)] == float(troops)


def test_benchmark_drivers_link_to_the_events_counted(
    demo: Programme, cast: dict[str, User]
) -> None:
    benchmark = Benchmark.objects.get(indicator__slug="minusca-vac-ouaka")
    client = Client()
    client.force_login(cast["amina"])
    html = client.get("/learning/benchmarks/MINUSCA/").content.decode()
    section = html.split(f'id="benchmark-{benchmark.pk}"')[1]
    link = (
        "/events/?country=CAF&amp;violence_type=one_sided&amp;admin1=CAF.ouaka"
        "&amp;date_from=2017-01-01&amp;date_to=2017-01-31"
    )
    assert f'<a href="{link}">8</a>' in section
    api = client.get(
        "/api/v1/events?admin1=CAF.ouaka&violence_type=one_sided"
        "&date_from=2017-01-01&date_to=2017-01-31"
    ).json()
    assert api["count"] == 8
