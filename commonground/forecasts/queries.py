"""Reads of stored forecasts: the current forecast of a country at a level, and whether it is stale.

Forecasts are made from public events only, so reading them needs no access check: anyone may
see them. Staleness is decided here, once, for the pages, the map and the API alike: a forecast
is stale when public events exist after its data cut (a newer forecast could be made), when
public events of the country were imported after it was made, when it was made more than
:data:`STALE_AFTER_DAYS` days ago, or when the data it was made from ends more than
``freshness.OLD_AFTER_MONTHS`` months before today (a forecast made today from data of 2022
"forecasts" months that are already past: issue 10 §3).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from commonground.analysis.freshness import (
    DataAge,
    data_age,
    duration_words,
    month_name,
    month_span,
)
from commonground.core.models import ImportRun
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
    first_month: datetime.date | None = None  # the first and last month forecast
    last_month: datetime.date | None = None
    data_age: DataAge | None = None  # the data cut against today

    @property
    def months(self) -> str:
        """The months forecast, by name (``Jan-Dec 2023``): never "the next 12 months"."""
        if self.first_month is None or self.last_month is None:
            return ""
        return month_span(self.first_month, self.last_month)

    @property
    def first_month_name(self) -> str:
        return month_name(self.first_month) if self.first_month else ""


def latest_public_event(country: str) -> datetime.date | None:
    """Start date of the latest event an anonymous visitor may see in the country."""
    found = visible_events(None).filter(country_code=country).aggregate(last=Max("date_start"))
    last: datetime.date | None = found["last"]
    return last


def month_end(day: datetime.date) -> datetime.date:
    following = day.replace(day=28) + datetime.timedelta(days=4)
    return following - datetime.timedelta(days=following.day)


def target_months(run: ForecastRun) -> tuple[datetime.date, datetime.date]:
    """The first and last month a run forecasts: the 12 months after its data cut."""
    index = run.data_cut.year * 12 + run.data_cut.month - 1
    return (
        datetime.date((index + 1) // 12, (index + 1) % 12 + 1, 1),
        datetime.date((index + 12) // 12, (index + 12) % 12 + 1, 1),
    )


def imported_after(run: ForecastRun) -> datetime.datetime | None:
    """When public events of the run's country were last imported after the run was made."""
    later = ImportRun.objects.filter(finished_at__gt=run.made_at).filter(
        Q(added__gt=0) | Q(updated__gt=0) | Q(removed__gt=0)
    )
    for found in later.order_by("-finished_at")[:20]:  # imports are few; each check is indexed
        if visible_events(None).filter(import_run=found, country_code=run.country).exists():
            return found.finished_at
    return None


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
    elif (imported := imported_after(run)) is not None:
        reasons.append(
            _("events of this country were imported on %(day)s, after the forecast was made")
            % {"day": f"{imported:%Y-%m-%d}"}
        )
    on = timezone.localtime(now).date()
    cut = data_age(month_end(run.data_cut), on)
    if cut is not None and cut.is_old:
        first_target, last_target = target_months(run)
        words = {
            "month": cut.ends,
            "age": duration_words(cut.months),
            "months": month_span(first_target, last_target),
        }
        if (last_target.year, last_target.month) < (on.year, on.month):
            reasons.append(
                _("it was made from data that ends %(month)s, %(age)s before today: the months "
                  "it forecasts, %(months)s, are already past") % words
            )  # fmt: skip
        else:
            reasons.append(
                _("it was made from data that ends %(month)s, %(age)s before today") % words
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
    first, last = target_months(run)
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
        first_month=first,
        last_month=last,
        data_age=data_age(month_end(run.data_cut)),
    )
