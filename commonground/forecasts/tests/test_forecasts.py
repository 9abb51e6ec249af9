"""Stored forecasts on real CAR data: `forecast run`, area page, map, API, staleness."""

from __future__ import annotations

import datetime
import json

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone

from commonground.cli.main import cli
from commonground.forecasts.models import ForecastRun, ForecastValue
from commonground.forecasts.queries import STALE_AFTER_DAYS, current_forecast
from commonground.sharing.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ged_imported")]

LAST_GED_MONTH = datetime.date(2022, 12, 1)


def stored_run(data_cut: datetime.date = LAST_GED_MONTH, age_days: int = 0) -> ForecastRun:
    """A run as `forecast run` stores it, with hand-set values (for the pages and staleness)."""
    run = ForecastRun.objects.create(
        country="CAF",
        level="admin1",
        model_name="lgbm",
        model_version="test",
        data_cut=data_cut,
        made_at=timezone.now() - datetime.timedelta(days=age_days),
        seed=1,
        samples=10,
    )
    for step in range(1, 13):
        month = datetime.date(data_cut.year + (data_cut.month + step - 1) // 12,
                              (data_cut.month + step - 1) % 12 + 1, 1)  # fmt: skip
        ForecastValue.objects.create(
            run=run, unit="CAF.ouaka", month=month, step=step, deaths_mean=4.5, q05=0, q25=0,
            q50=1, q75=6, q95=30, p_any_death=0.61, p_one_sided=0.32,
        )  # fmt: skip
    return run


@pytest.mark.slow
def test_forecast_run_stores_a_run_that_the_area_page_shows(client: Client) -> None:
    result = CliRunner().invoke(
        cli, ["forecast", "run", "--country", "CAF", "--level", "admin1", "--samples", "200"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0])["data_cut"] == "2022-12"
    run = ForecastRun.objects.get()
    assert (run.country, run.level, run.model_name) == ("CAF", "admin1", "lgbm")
    assert run.values.count() == 17 * 12
    assert run.values.filter(month=datetime.date(2023, 1, 1)).count() == 17
    assert all(v.q05 <= v.q50 <= v.q95 for v in run.values.all())
    assert min(v.p_one_sided for v in run.values.all()) >= 0
    assert AuditEvent.objects.filter(action="forecast.run", target=f"forecast:{run.pk}").exists()
    view = current_forecast("CAF", "admin1")
    assert view is not None and not view.is_stale and view.data_cut == "2022-12"
    page = client.get("/areas/CAF.ouaka/").content.decode()
    assert 'id="forecast-chart"' in page and 'id="forecast-data"' in page
    assert "Made 0 days ago from the events up to 2022-12" in page
    assert "forecast-stale" not in page


def test_the_contract_of_current_forecast() -> None:
    assert current_forecast("CAF", "admin1") is None
    stored_run()
    view = current_forecast("CAF", "admin1")
    assert view is not None
    assert list(view.units) == ["CAF.ouaka"]
    steps = view.units["CAF.ouaka"]
    assert [row.step for row in steps] == list(range(1, 13))
    assert (steps[0].month, steps[-1].month) == ("2023-01", "2023-12")
    assert (view.age_days, view.is_stale, view.stale_reason) == (0, False, "")


def test_newer_events_than_the_data_cut_make_a_forecast_stale(client: Client) -> None:
    stored_run(data_cut=datetime.date(2022, 6, 1))
    view = current_forecast("CAF", "admin1")
    assert view is not None and view.is_stale
    assert "newer events exist (up to 2022-12)" in view.stale_reason
    page = client.get("/areas/CAF.ouaka/").content.decode()
    assert 'id="forecast-stale"' in page and "This forecast is stale" in page


def test_an_old_forecast_is_stale_and_says_its_age(client: Client) -> None:
    stored_run(age_days=STALE_AFTER_DAYS + 5)
    view = current_forecast("CAF", "admin1")
    assert view is not None and view.is_stale
    assert (
        view.stale_reason == f"made {STALE_AFTER_DAYS + 5} days ago, more than {STALE_AFTER_DAYS}"
    )
    page = client.get("/areas/CAF.ouaka/").content.decode()
    assert f"Made {STALE_AFTER_DAYS + 5} days ago" in page


def test_pages_without_a_forecast_say_so_and_admin2_pages_show_none(client: Client) -> None:
    assert (
        "No forecast has been made for this area yet." in client.get("/areas/CAF/").content.decode()
    )
    page = client.get("/areas/CAF.ouaka.bambari/")
    assert page.status_code == 200 and "area-forecast" not in page.content.decode()


def test_map_layer_and_api_serve_the_current_forecast(client: Client) -> None:
    assert client.get("/map/data/forecast.json?country=CAF").json()["available"] is False
    assert client.get("/api/v1/forecasts/CAF").status_code == 404
    stored_run()
    layer = client.get("/map/data/forecast.json?country=CAF&step=2").json()
    assert layer["units"] == [
        {"code": "CAF.ouaka", "month": "2023-02", "p_any_death": 0.61, "p_one_sided": 0.32,
         "deaths_mean": 4.5, "q05": 0.0, "q50": 1.0, "q95": 30.0}
    ]  # fmt: skip
    answer = client.get("/api/v1/forecasts/CAF?level=admin1").json()
    assert answer["data_cut"] == "2022-12" and answer["is_stale"] is False
    assert len(answer["units"]["CAF.ouaka"]) == 12
    assert client.get("/api/v1/forecasts/caf").status_code == 422
