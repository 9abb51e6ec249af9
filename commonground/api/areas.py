"""``/areas``: countries, admin-1 and admin-2 areas, and the figures of the events in each."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import P, PathEx, Query, Router, Schema
from pydantic import Field, model_validator

from commonground.analysis import figures as stored
from commonground.analysis.cache import cached_answer
from commonground.api.auth import ANONYMOUS_ALLOWED, READ
from commonground.api.errors import ErrorEnvelope
from commonground.api.paging import Page, Paging, paginate
from commonground.api.schemas import AREA_CODE, COUNTRY_CODE, QueryFilters
from commonground.core.models import Area, AreaLevel
from commonground.core.periods import Day
from commonground.events import queries
from commonground.sharing.policy import policy

router = Router(tags=["areas"])


class AreaOut(Schema):
    id: uuid.UUID
    code: str = Field(description="CAF, CAF.ouaka, CAF.ouaka.bambari.")
    level: int = Field(description="0 country, 1 admin-1, 2 admin-2.")
    country_code: str
    name_en: str
    name_fr: str
    parent: str | None = Field(description="Code of the area above, or null for a country.")


class AreaFilters(QueryFilters):
    country: str | None = Field(None, pattern=COUNTRY_CODE, description="ISO3, e.g. CAF.")
    level: AreaLevel | None = Field(None, description="0 country, 1 admin-1, 2 admin-2.")
    parent: str | None = Field(None, pattern=AREA_CODE, max_length=120)


class Figures(Schema):
    events: int
    deaths: int = Field(description="Sum of the best estimates of deaths.")
    civilian_deaths: int


class AreaFigures(Figures):
    first: datetime.date | None = Field(description="Start date of the earliest event.")
    last: datetime.date | None = Field(description="Start date of the latest event.")
    by_violence_type: dict[str, Figures]
    monthly: dict[str, Figures] = Field(
        description="YYYY-MM -> figures, every month from the first event's to the last one's."
    )


class AreaPeriod(QueryFilters):
    date_from: Day | None = Field(None, description="First day (event start dates).")
    date_to: Day | None = Field(None, description="Last day (event start dates).")

    @model_validator(mode="after")
    def dates_in_order(self) -> AreaPeriod:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("date_from is after date_to")
        return self


class AreaDetail(AreaOut):
    children: list[AreaOut]
    period: AreaPeriod
    figures: AreaFigures


def area_out(area: Area) -> AreaOut:
    return AreaOut(
        id=area.pk,
        code=area.code,
        level=area.level,
        country_code=area.country_code,
        name_en=area.name_en,
        name_fr=area.name_fr,
        parent=area.parent.code if area.parent else None,
    )


@router.get(
    "/areas",
    response={200: Page[AreaOut], frozenset({401, 404, 422}): ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_areas(
    request: HttpRequest, filters: Query[AreaFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Countries, admin-1 and admin-2 areas you may know of, by level then code.

    An area is listed when its boundary ships with Common Ground or a record you may see lies
    in it (docs/access-policy.md).
    """
    level = int(filters.level) if filters.level is not None else None
    areas = queries.area_list(request.user, filters.country, level, filters.parent)
    return paginate(request, areas, paging, area_out)


@router.get(
    "/areas/{code}",
    response={200: AreaDetail, frozenset({401, 404, 422}): ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_area(
    request: HttpRequest,
    code: PathEx[str, P(pattern=AREA_CODE, max_length=120)],
    filters: Query[AreaPeriod],
) -> AreaDetail | HttpResponse:
    """An area with the figures of the events you may see in it, optionally for a period.

    Events, deaths (best estimate) and civilian deaths: in total, by violence type, and month by
    month. A country counts its events by country code; an admin-1 or admin-2 area, the events
    located in it (events located only to the country are in no admin-1 area).
    """
    if (hit := cached_answer(request)) is not None:
        return hit
    area = queries.area_by_code(request.user, code)
    if area is None:
        raise Http404("No such area.")
    found = stored.area_figures(request.user, area, filters.date_from, filters.date_to)
    children = queries.area_list(request.user, parent=area.code)
    return AreaDetail(
        **area_out(area).model_dump(),
        children=[area_out(child) for child in children],
        period=filters,
        figures=AreaFigures(**found),
    )
