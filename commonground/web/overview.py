"""The overview (``/``): one country's picture for a period, beside what is loaded."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from commonground.analysis import figures
from commonground.analysis.cache import cached_response, cached_value
from commonground.analysis.freshness import data_age, month_span
from commonground.events import queries
from commonground.events.models import ViolenceType
from commonground.events.schemas import EventFilters, parse_event_filters
from commonground.registry.queries import (
    operation_list,
    presence_list,
    present_during,
    visible_operation_ids,
)
from commonground.sharing.policy import AnyUser, policy
from commonground.web.maps import AREA_PATH, map_config

#: How many recent imports the overview lists.
LATEST_IMPORTS = 10

#: How many admin-1 areas the "most affected" table lists.
TOP_AREAS = 10

# --- Periods ----------------------------------------------------------------------------------


def month_end(day: datetime.date) -> datetime.date:
    following = day.replace(day=28) + datetime.timedelta(days=4)
    return following - datetime.timedelta(days=following.day)


def months_back(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return datetime.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date

    @property
    def whole_months(self) -> int | None:
        """How many calendar months the period covers exactly, or None if it is not whole."""
        if self.start.day != 1 or self.end != month_end(self.end):
            return None
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def previous(self) -> Period:
        """The period of equal length just before: the same number of months when whole."""
        months = self.whole_months
        if months is not None:
            start = months_back(self.start, months)
            return Period(start, self.start - datetime.timedelta(days=1))
        length = self.end - self.start + datetime.timedelta(days=1)
        return Period(self.start - length, self.start - datetime.timedelta(days=1))

    def query(self) -> str:
        return f"date_from={self.start.isoformat()}&date_to={self.end.isoformat()}"

    @property
    def name(self) -> str:
        """Whole months by their names (``Jan-Dec 2022``), other periods by their dates."""
        if self.whole_months is None:
            return gettext("%(start)s to %(end)s") % {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
            }
        return month_span(self.start, self.end)


def latest_months(last: datetime.date, months: int) -> Period:
    """The ``months`` calendar months that end with the month of ``last``."""
    return Period(months_back(last, months - 1), month_end(last))


def chosen_period(
    filters: EventFilters, first: datetime.date | None, last: datetime.date | None
) -> Period | None:
    """The period asked for; by default the 12 months up to the latest event."""
    if first is None or last is None:
        return None
    if filters.date_from or filters.date_to:
        return Period(filters.date_from or first, filters.date_to or last)
    return latest_months(last, 12)


# --- Headline figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """One headline figure and how it moved against the previous period."""

    key: str
    label: Promise | str
    value: float
    previous: float
    is_share: bool = False

    @property
    def change(self) -> float | None:
        """Percent change; for a share, the difference in percentage points."""
        if self.is_share:
            return self.value - self.previous
        if not self.previous:
            return None
        return (self.value - self.previous) / self.previous * 100

    @property
    def direction(self) -> str:
        change = self.change
        if change is None or round(change, 1) == 0:
            return "same"
        return "up" if change > 0 else "down"

    @property
    def change_text(self) -> str:
        """``+12 %``, ``-3.5 points`` (with a true minus sign), or why nothing compares."""
        change = self.change
        if change is None:
            return gettext("none in the previous period")
        sign = {"up": "+", "down": "\N{MINUS SIGN}", "same": "±"}[self.direction]
        number = number_format(abs(change), 1 if self.is_share else 0)
        if self.is_share:
            return pgettext("change in percentage points", "%(sign)s%(number)s points") % {
                "sign": sign,
                "number": number,
            }
        return pgettext("percent change", "%(sign)s%(number)s %%") % {
            "sign": sign,
            "number": number,
        }


def one_sided_share(figures: dict[str, Any]) -> float:
    """Percent of events that are one-sided violence against civilians."""
    if not figures["events"]:
        return 0.0
    one_sided = figures["by_violence_type"][ViolenceType.ONE_SIDED]["events"]
    return float(one_sided) / float(figures["events"]) * 100


def headlines(current: dict[str, Any], previous: dict[str, Any]) -> list[Headline]:
    return [
        Headline("events", _("Events"), current["events"], previous["events"]),
        Headline("deaths", _("Deaths (best estimate)"), current["deaths"], previous["deaths"]),
        Headline(
            "civilians",
            _("Civilian deaths"),
            current["civilian_deaths"],
            previous["civilian_deaths"],
        ),
        Headline(
            "one-sided",
            _("Share of one-sided violence"),
            one_sided_share(current),
            one_sided_share(previous),
            is_share=True,
        ),
    ]


def yearly(monthly: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    """The monthly series summed by year, for the table beside the chart."""
    years: dict[str, dict[str, Any]] = {}
    for month, found in monthly.items():
        year = years.setdefault(
            month[:4], {"year": month[:4], "events": 0, "deaths": 0, "civilian_deaths": 0}
        )
        for key in ("events", "deaths", "civilian_deaths"):
            year[key] += found[key]
    return list(years.values())


# --- Who is present ---------------------------------------------------------------------------


class Dated(Protocol):
    start_date: datetime.date | None
    end_date: datetime.date | None


D = TypeVar("D", bound=Dated)


def active_during(records: Iterable[D], period: Period) -> list[D]:
    """Records whose dates overlap the period; an unknown start or end counts as open."""
    return [
        r
        for r in records
        if (r.start_date is None or r.start_date <= period.end)
        and (r.end_date is None or r.end_date >= period.start)
    ]


def organizations_present(user: AnyUser | None, country: str, period: Period) -> list[Any]:
    """Per organization: its kinds of presence and the places it was in during the period.

    A record ends when it says, else when its operation ended (issue 10 §4: Sangaris, which
    left in October 2016, is not present in 2022).
    """
    rows: dict[Any, dict[str, Any]] = {}
    visible = visible_operation_ids(user)
    chosen = (
        r
        for r in presence_list(user, country=country)
        if present_during(r, period.start, period.end, visible)
    )
    for record in chosen:
        row = rows.setdefault(
            record.organization_id,
            {"organization": record.organization, "kinds": set(), "places": set()},
        )
        row["kinds"].add(record.get_actor_kind_display())
        row["places"].add(record.place or (record.area.name_en if record.area else ""))
    found = [
        {**row, "kinds": sorted(map(str, row["kinds"])), "places": sorted(row["places"] - {""})}
        for row in rows.values()
    ]
    return sorted(found, key=lambda r: (-len(r["places"]), r["organization"].name))


# --- The page ---------------------------------------------------------------------------------


def presets(first: datetime.date, last: datetime.date) -> list[tuple[str, Period]]:
    """The period links, named by their real months: the data may end years before today."""
    year, five = latest_months(last, 12), latest_months(last, 60)
    return [
        (
            gettext("%(months)s, the last 12 months of data")
            % {"months": month_span(year.start, year.end)},
            year,
        ),
        (
            gettext("%(months)s, the last 5 years of data")
            % {"months": month_span(five.start, five.end)},
            five,
        ),
        (gettext("All years"), Period(first, last)),
    ]


def country_picture(user: AnyUser | None, country: str, filters: EventFilters) -> dict[str, Any]:
    """Everything the overview shows about one country and period (figures: stored sums)."""
    overall = figures.event_figures(user, EventFilters(country=country))
    period = chosen_period(filters, overall["first"], overall["last"])
    picture: dict[str, Any] = {
        "country": country,
        "overall": overall,
        "period": period,
        "age": data_age(overall["last"]),
    }
    if period is None:
        return picture
    previous = period.previous()
    in_period = EventFilters(country=country, date_from=period.start, date_to=period.end)
    current = figures.event_figures(user, in_period)
    before = figures.event_figures(
        user, EventFilters(country=country, date_from=previous.start, date_to=previous.end)
    )
    last = overall["last"]
    areas = figures.admin1_figures(user, in_period)
    picture.update(
        previous=previous,
        headlines=headlines(current, before),
        without_admin1=current["events"] - sum(a["events"] for a in areas),
        areas=[{**row, "url": AREA_PATH.format(code=row["code"])} for row in areas[:TOP_AREAS]],
        operations=active_during(operation_list(user, country=country), period),
        organizations=organizations_present(user, country, period),
        years=yearly(overall["monthly"]),
        presets=presets(overall["first"], last),
        timeline={
            "months": [f"{m}-01" for m in overall["monthly"]],
            "events": [f["events"] for f in overall["monthly"].values()],
            "deaths": [f["deaths"] for f in overall["monthly"].values()],
            "civilian_deaths": [f["civilian_deaths"] for f in overall["monthly"].values()],
            "range": [period.start.isoformat(), period.end.isoformat()],
        },
        map_query=f"country={country}&{period.query()}",
    )
    return picture


@policy("public")
@cached_response(anonymous_only=True)
def home(request: HttpRequest) -> HttpResponse:
    """The overview: a country's picture for a period, then what is loaded.

    The country is the one asked for, else the one with most events the user may see.
    """
    parsed = parse_event_filters(request.GET)
    user = request.user
    countries = figures.countries_by_events(user)
    country = parsed.filters.country or (countries[0][0] if countries else None)
    context: dict[str, Any] = {
        "countries": countries,
        "errors": parsed.errors,
        "summary": cached_value("dataset_summary", user, lambda: figures.dataset_summary(user)),
        "imports": queries.latest_imports(request.user, LATEST_IMPORTS),
        "map_config": map_config(overview=True),
    }
    if country:
        context["picture"] = country_picture(request.user, country, parsed.filters)
    return render(request, "web/home.html", context, status=400 if parsed.errors else 200)
