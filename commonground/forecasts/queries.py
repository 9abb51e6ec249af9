"""Reads of stored forecasts: the current forecast of a country at a level, and whether it is stale.

Forecasts are made from public events only, so reading them needs no access check: anyone may
see them. Staleness is decided here, once, for the pages, the map and the API alike: a forecast
is stale when public events exist after its data cut (a newer forecast could be made), or when
it was made more than :data:`STALE_AFTER_DAYS` days ago.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.events.queries import visible_events
from commonground.forecasts.models import ForecastRun

#: Forecasts are monthly: one made more than this many days ago is stale whatever the data.
STALE_AFTER_DAYS = 45


@dataclass(frozen=True)
class UnitForecast:
    month: str  # YYYY-MM
    step: int
    deaths_mean: float
    q05: float
    q25: float
    q50: float
    q75: float
    q95: float
    p_any_death: float
    p_one_sided: float


@dataclass(frozen=True)
class ForecastView:
    run_id: str
    country: str
    level: str
    model_name: str
    model_version: str
    data_cut: str  # YYYY-MM
    made_at: datetime.datetime
    age_days: int
    is_stale: bool
    stale_reason: str
    units: dict[str, list[UnitForecast]]  # unit code -> steps 1..12


def latest_public_event(country: str) -> datetime.date | None:
    """Start date of the latest event an anonymous visitor may see in the country."""
    found = visible_events(None).filter(country_code=country).aggregate(last=Max("date_start"))
    last: datetime.date | None = found["last"]
    return last


def staleness(run: ForecastRun, now: datetime.datetime | None = None) -> tuple[int, list[str]]:
    """Age in days, and every reason the run is stale (none: it is current)."""
    now = now or timezone.now()
    age = max((now - run.made_at).days, 0)
    reasons = []
    last = latest_public_event(run.country)
    if last is not None and (last.year, last.month) > (run.data_cut.year, run.data_cut.month):
        reasons.append(
            _("newer events exist (up to %(last)s) than the data the forecast used (to %(cut)s)")
            % {"last": f"{last:%Y-%m}", "cut": f"{run.data_cut:%Y-%m}"}
        )
    if age > STALE_AFTER_DAYS:
        reasons.append(
            _("made %(age)d days ago, more than %(limit)d")
            % {"age": age, "limit": STALE_AFTER_DAYS}
        )
    return age, reasons


def current_forecast(country: str, level: str) -> ForecastView | None:
    """The latest forecast run of ``country`` at ``level`` (``country`` or ``admin1``), or None."""
    run = ForecastRun.objects.filter(country=country, level=level).order_by("-made_at").first()
    if run is None:
        return None
    age, reasons = staleness(run)
    units: dict[str, list[UnitForecast]] = {}
    for value in run.values.order_by("unit", "step"):
        units.setdefault(value.unit, []).append(
            UnitForecast(
                month=f"{value.month:%Y-%m}",
                step=value.step,
                deaths_mean=value.deaths_mean,
                q05=value.q05,
                q25=value.q25,
                q50=value.q50,
                q75=value.q75,
                q95=value.q95,
                p_any_death=value.p_any_death,
                p_one_sided=value.p_one_sided,
            )
        )
    return ForecastView(
        run_id=str(run.pk),
        country=run.country,
        level=run.level,
        model_name=run.model_name,
        model_version=run.model_version,
        data_cut=f"{run.data_cut:%Y-%m}",
        made_at=run.made_at,
        age_days=age,
        is_stale=bool(reasons),
        stale_reason="; ".join(reasons),
        units=units,
    )
