"""Writes of forecasts: every stored run goes through :func:`do_forecast_run`."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from commonground.analysis.figures import bump_generation
from commonground.analysis.forecast.current import make_forecasts
from commonground.analysis.forecast.data import load_history
from commonground.analysis.forecast.learned import MODEL_VERSION
from commonground.analysis.panels import month_label, month_start
from commonground.forecasts.models import ForecastRun, ForecastValue
from commonground.sharing.models import AuditEvent

MODEL_NAME = "lgbm"


def do_forecast_run(
    country: str,
    level: str,
    made_by: User | None = None,
    made_by_label: str = "",
    samples: int = 1000,
    seed: int = 20230101,
) -> ForecastRun:
    """Forecast the next 12 months of ``country`` at ``level`` from public events, and store it.

    The data cut is the last month with a public event in the country. The run and its values
    are written in one transaction, and the run is recorded in the audit log; the data generation
    is renewed in the same transaction, so no cached page keeps showing the previous forecast.
    """
    history = load_history(country, level)
    rows, parameters = make_forecasts(history, samples=samples, seed=seed)
    with transaction.atomic():
        run = ForecastRun.objects.create(
            country=country,
            level=level,
            model_name=MODEL_NAME,
            model_version=MODEL_VERSION,
            data_cut=month_start(history.last_month),
            made_at=timezone.now(),
            made_by=made_by,
            made_by_label=made_by_label,
            parameters=parameters,
            seed=seed,
            samples=samples,
        )
        ForecastValue.objects.bulk_create(
            ForecastValue(
                run=run,
                unit=row.unit,
                month=month_start(row.month),
                step=row.step,
                deaths_mean=row.deaths_mean,
                q05=row.q05,
                q25=row.q25,
                q50=row.q50,
                q75=row.q75,
                q95=row.q95,
                p_any_death=row.p_any_death,
                p_one_sided=row.p_one_sided,
            )
            for row in rows
        )
        # Cached pages show the current forecast: they must not outlive this run (issue 11 §16).
        bump_generation()
        AuditEvent.objects.create(
            actor=made_by,
            action="forecast.run",
            target=f"forecast:{run.pk}",
            detail={
                "country": country,
                "level": level,
                "model": f"{MODEL_NAME} {MODEL_VERSION}",
                "data_cut": month_label(history.last_month),
            },
        )
    return run
