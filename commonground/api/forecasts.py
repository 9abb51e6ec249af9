"""``/forecasts/{country}``: the current forecast of a country, per unit and month.

Forecasts are made from public events only, so anyone may read them (the same as the pages).
"""

from __future__ import annotations

import datetime
from dataclasses import asdict
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import P, PathEx, Query, Router, Schema
from pydantic import Field

from commonground.api.auth import ANONYMOUS_ALLOWED, READ
from commonground.api.errors import ErrorEnvelope
from commonground.api.schemas import COUNTRY_CODE
from commonground.forecasts.queries import current_forecast
from commonground.sharing.policy import policy

router = Router(tags=["forecasts"])
ERRORS = frozenset({401, 404, 422})


class UnitForecastOut(Schema):
    month: str = Field(description="YYYY-MM.")
    step: int = Field(description="Months after the data cut, 1 to 12.")
    deaths_mean: float
    q05: float
    q25: float
    q50: float
    q75: float
    q95: float
    p_any_death: float = Field(description="Probability of at least one death.")
    p_one_sided: float = Field(
        description="Probability of at least one death in one-sided violence."
    )


class ForecastOut(Schema):
    run_id: str
    country: str
    level: str
    model_name: str
    model_version: str
    data_cut: str = Field(description="YYYY-MM: the last month of data the forecast used.")
    made_at: datetime.datetime
    age_days: int
    is_stale: bool
    stale_reason: str = Field(description="Why the forecast is stale; empty when it is current.")
    units: dict[str, list[UnitForecastOut]] = Field(description="Area code -> steps 1 to 12.")


class ForecastLevelQuery(Schema):
    level: Literal["country", "admin1"] = Field("admin1", description="country or admin1.")


@router.get(
    "/forecasts/{country}",
    response={200: ForecastOut, ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_forecast(
    request: HttpRequest,
    country: PathEx[str, P(pattern=COUNTRY_CODE)],
    query: Query[ForecastLevelQuery],
) -> dict[str, Any]:
    """The latest forecast of deaths for the next 12 months, made from public events only."""
    view = current_forecast(country, query.level)
    if view is None:
        raise Http404("No forecast for this country and level.")
    return asdict(view)
