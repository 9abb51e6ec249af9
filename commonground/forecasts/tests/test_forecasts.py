"""Stored forecasts on real CAR data: `forecast run`, area page, map, API, staleness."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import pytest
from click.testing import CliRunner
from django.test import Client
from django.utils import timezone, translation

from commonground.analysis.forecast.learned import MODEL_VERSION
from commonground.analysis.freshness import OLD_AFTER_MONTHS, duration_words
from commonground.cli.main import cli
from commonground.forecasts.models import ForecastRun, ForecastValue
from commonground.forecasts.queries import STALE_AFTER_DAYS, current_forecast, staleness
from commonground.sharing.models import AuditEvent

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ged_imported")]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Words compared here are English; a request of another test may leave French active."""
    with translation.override("en"):
        yield


LAST_GED_MONTH = datetime.date(2022, 12, 1)


def months_since(month: datetime.date) -> int:
    """Whole calendar months from ``month`` to today's month."""
    today = timezone.localdate()
    return (today.year - month.year) * 12 + today.month - month.month


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
    assert view is not None and view.data_cut == "2022-12"
    assert view.is_stale == (months_since(LAST_GED_MONTH) > OLD_AFTER_MONTHS)
    page = client.get("/areas/CAF.ouaka/").content.decode()
    assert 'id="forecast-chart"' in page and 'id="forecast-data"' in page
    assert "Made 0 days ago from the events up to 2022-12" in page
    assert "Forecast: deaths per month, Jan\N{EN DASH}Dec 2023" in page


def test_the_contract_of_current_forecast() -> None:
    assert current_forecast("CAF", "admin1") is None
    stored_run()
    view = current_forecast("CAF", "admin1")
    assert view is not None
    assert list(view.units) == ["CAF.ouaka"]
    steps = view.units["CAF.ouaka"]
    assert [row.step for row in steps] == list(range(1, 13))
    assert (steps[0].month, steps[-1].month) == ("2023-01", "2023-12")
    assert (view.first_month, view.last_month) == (
        datetime.date(2023, 1, 1),
        datetime.date(2023, 12, 1),
    )
    assert view.months == "Jan\N{EN DASH}Dec 2023"
    assert view.age_days == 0


def test_a_forecast_made_just_after_its_data_is_current() -> None:
    run = stored_run()
    assert staleness(run, now=timezone.make_aware(datetime.datetime(2023, 1, 10))) == (0, [])


def test_a_forecast_made_today_from_data_of_2022_is_stale_and_says_why(client: Client) -> None:
    """Issue 10 §3: made 0 days ago, yet forecasting months long past."""
    stored_run()
    view = current_forecast("CAF", "admin1")
    assert view is not None and view.age_days == 0
    age = duration_words(months_since(datetime.date(2022, 12, 1)))
    assert view.is_stale
    assert view.stale_reason == (
        f"it was made from data that ends December 2022, {age} before today: the months it "
        "forecasts, Jan\N{EN DASH}Dec 2023, are already past"
    )
    page = client.get("/areas/CAF.ouaka/").content.decode()
    assert 'id="forecast-stale"' in page and "are already past" in page
    assert f"Data ends December 2022, {age} before today." in page


def test_events_imported_after_a_forecast_make_it_stale() -> None:
    """The GED file was imported (module fixture) after a run dated long before it."""
    stored_run(age_days=20_000)
    view = current_forecast("CAF", "admin1")
    assert view is not None
    assert "events of this country were imported on" in view.stale_reason
    assert "after the forecast was made" in view.stale_reason


def test_the_area_page_says_how_reliable_the_forecast_was_in_its_backtest(
    client: Client,
) -> None:
    run = stored_run()
    run.model_version = MODEL_VERSION
    run.save()
    page = client.get("/areas/CAF.ouaka/").content.decode()
    assert 'id="forecast-reliability"' in page
    assert "this model did about as well as" in page  # lgbm 6.456 against mixture 6.441
    assert "6.46 deaths per area and month against 6.44" in page
    assert "held the real number of deaths 94 % of the time one month ahead" in page
    assert "docs/forecasting.md" not in page


def test_a_model_version_with_no_documented_backtest_says_so(client: Client) -> None:
    stored_run()  # model version "test"
    page = client.get("/areas/CAF.ouaka/").content.decode()
    assert "No backtest of the model version test at this level has been documented" in page


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
        f"made {STALE_AFTER_DAYS + 5} days ago, more than {STALE_AFTER_DAYS}" in view.stale_reason
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
    assert answer["data_cut"] == "2022-12"
    assert answer["is_stale"] is True and "are already past" in answer["stale_reason"]
    assert layer["months"] == "Jan\N{EN DASH}Dec 2023" and layer["month"] == "2023-02"
    assert layer["labels"]["legend"] == "Chance of any death in February 2023"
    assert len(answer["units"]["CAF.ouaka"]) == 12
    assert client.get("/api/v1/forecasts/caf").status_code == 422
