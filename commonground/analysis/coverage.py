"""Coverage gaps: where civilians are at risk and no protection actor or peacebuilder is known.

**Risk.** From the current stored forecast (``forecasts.queries.current_forecast`` at admin-1):
the probability of at least one event of one-sided violence in an area over the next three
forecast months, ``1 - (1 - p1)(1 - p2)(1 - p3)`` from the monthly ``p_one_sided`` (months
taken as independent, which overstates the risk a little when they are not). When no forecast
exists, a clearly labelled stand-in is used instead: the one-sided violence events of the last
12 months of data that the user may see. It is not a forecast and the page says so.

**Presence.** From the registry's presence records the user may see, deduplicated on
(organization, place) as ``presence_CAF.md`` asks. Each record is judged for the risk period
(the forecast months, or the stand-in's 12 months):

- *absent* when its stated dates exclude the period (ended before, or started after); a
  record that states no end ends when its operation ended, if the operations registry says;
- *present* when its stated start and end cover part of the period, or when the source states
  it ongoing (no end) on a date inside or after the period, from a start no later than the
  period's end, or when the source's own date falls inside the period;
- *uncertain* otherwise: no start date, no end and a source older than the period, or an
  undated source. An organization at a place is present if any of its records is, else
  uncertain if any is, else absent. A record with no known area is counted apart, never assigned.

**Kinds.** Protection: UN missions, regional forces, police and gendarmerie. Peacebuilding:
peacebuilders and local peace committees. Other kinds (national forces, parallel forces,
humanitarian organizations, other) are listed but not counted: in the CAR the national and
parallel forces are themselves parties to the violence the risk measures.

**Rank.** ``gap = risk x weight``, with weight 1 when no protection actor is known to be present
(none), 0.5 when only uncertain ones are, and 0 when one is present; highest gap first, then
highest risk: "high risk, nobody there" comes first.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from commonground.analysis.panels import build_panel, month_start, parse_month
from commonground.analysis.trends import data_months
from commonground.events.queries import visible_events
from commonground.forecasts.queries import ForecastView, current_forecast
from commonground.registry.models import Presence, PresenceKind
from commonground.registry.queries import (
    last_day,
    presence_end,
    presence_list,
    visible_operation_ids,
)
from commonground.sharing.policy import AnyUser

Status = Literal["present", "uncertain", "absent"]
Cover = Literal["present", "uncertain", "none"]

PROTECTION_KINDS = (PresenceKind.UN_MISSION, PresenceKind.REGIONAL_FORCE, PresenceKind.POLICE)
PEACEBUILDING_KINDS = (PresenceKind.PEACEBUILDER, PresenceKind.LOCAL_PEACE_COMMITTEE)

#: How much of the risk counts as a gap, by what is known of protection there.
GAP_WEIGHT: dict[Cover, float] = {"none": 1.0, "uncertain": 0.5, "present": 0.0}

#: The forecast months whose risk of one-sided violence is combined.
RISK_MONTHS = 3


# --- Dates ------------------------------------------------------------------------------------


def parse_source_date(text: str) -> tuple[datetime.date, datetime.date] | None:
    """A source date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as its first and last day."""
    parts = text.strip().split("-")
    try:
        numbers = [int(p) for p in parts if p]
        if len(numbers) == 1:
            return datetime.date(numbers[0], 1, 1), datetime.date(numbers[0], 12, 31)
        first = datetime.date(numbers[0], numbers[1], numbers[2] if len(numbers) > 2 else 1)
    except (ValueError, IndexError):
        return None
    return first, last_day(first, "day" if len(numbers) > 2 else "month")


# --- Presence, judged for a period -----------------------------------------------------------


@dataclass(frozen=True)
class Evidence:
    """One presence record, as much of it as coverage needs."""

    organization: str
    place: str
    unit: str | None  # admin-1 code, None when the record has no known admin-1 area
    kind: str
    start: datetime.date | None  # first day of the stated start
    end: datetime.date | None  # last day of the stated end
    source: tuple[datetime.date, datetime.date] | None  # the source's date, first and last day
    source_id: str


def status(record: Evidence, first: datetime.date, last: datetime.date) -> Status:
    """Whether a record shows its organization present in ``first..last`` (see the module doc)."""
    if record.end is not None and record.end < first:
        return "absent"
    if record.start is not None and record.start > last:
        return "absent"
    if record.start is not None and record.end is not None:
        return "present"
    if record.source is not None:
        source_first, source_last = record.source
        if source_first <= last and source_last >= first:
            return "present"  # the source's own date falls in the period
        if record.end is None and record.start is not None and source_first > last:
            return "present"  # ongoing from a start before the period's end to after it
    return "uncertain"


@dataclass
class Actor:
    """An organization at a place: its records together (the dedupe rule of presence_CAF.md)."""

    organization: str
    place: str
    unit: str | None
    kinds: set[str] = field(default_factory=set)
    statuses: list[Status] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def status(self) -> Status:
        for found in ("present", "uncertain"):
            if found in self.statuses:
                return found
        return "absent"


def deduplicate(
    records: Iterable[Evidence], first: datetime.date, last: datetime.date
) -> list[Actor]:
    """One actor per (organization, place), each record judged for the period."""
    actors: dict[tuple[str, str, str | None], Actor] = {}
    for record in records:
        key = (record.organization, record.place.casefold(), record.unit)
        actor = actors.setdefault(key, Actor(record.organization, record.place, record.unit))
        actor.kinds.add(record.kind)
        actor.statuses.append(status(record, first, last))
        actor.sources.append(record.source_id)
    return list(actors.values())


def cover(actors: Sequence[Actor], kinds: Iterable[str]) -> Cover:
    """``present`` if one actor of ``kinds`` is, else ``uncertain`` if one may be, else none."""
    wanted = set(kinds)
    states = {a.status for a in actors if a.kinds & wanted}
    if "present" in states:
        return "present"
    return "uncertain" if "uncertain" in states else "none"


# --- Risk and rank -------------------------------------------------------------------------------


def combined_probability(probabilities: Iterable[float]) -> float:
    """At least one event over several months, the months taken as independent."""
    stay = 1.0
    for p in probabilities:
        stay *= 1.0 - min(max(p, 0.0), 1.0)
    return 1.0 - stay


@dataclass(frozen=True)
class CoverageRow:
    unit: str
    risk: float
    protection: Cover
    peacebuilding: Cover
    actors: list[Actor]
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float:
        return self.risk * GAP_WEIGHT[self.protection]

    def names(self, kinds: Iterable[str], state: Status) -> list[str]:
        wanted = set(kinds)
        return sorted(
            {
                f"{a.organization} ({a.place})" if a.place else a.organization
                for a in self.actors
                if a.kinds & wanted and a.status == state
            }
        )


def rank(
    risk: Mapping[str, float],
    actors: Sequence[Actor],
    details: Mapping[str, dict[str, Any]] | None = None,
) -> list[CoverageRow]:
    """Every unit with a risk, highest gap first, then highest risk, then by code."""
    by_unit: dict[str | None, list[Actor]] = {}
    for actor in actors:
        by_unit.setdefault(actor.unit, []).append(actor)
    rows = [
        CoverageRow(
            unit=unit,
            risk=value,
            protection=cover(by_unit.get(unit, []), PROTECTION_KINDS),
            peacebuilding=cover(by_unit.get(unit, []), PEACEBUILDING_KINDS),
            actors=by_unit.get(unit, []),
            detail=dict((details or {}).get(unit, {})),
        )
        for unit, value in risk.items()
    ]
    return sorted(rows, key=lambda r: (-r.gap, -r.risk, r.unit))


# --- Reading through the access policy --------------------------------------------------------


def admin1_of(code: str | None) -> str | None:
    """The admin-1 code of an area code (``CAF.ouaka.bambari`` -> ``CAF.ouaka``); None above."""
    if not code:
        return None
    parts = code.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None


def evidence(record: Presence, visible_operations: set[Any] | None = None) -> Evidence:
    """A registry record as coverage reads it; organization by slug, area by admin-1 code.

    Its end is its own, else its operation's (issue 10 §4: Sangaris left in October 2016 and
    protects no one in 2023, though its records state no end).
    """
    return Evidence(
        organization=record.organization.acronym or record.organization.name,
        place=record.place,
        unit=admin1_of(record.area.code if record.area else None),
        kind=record.actor_kind,
        start=record.start_date,
        end=presence_end(record, visible_operations).last,
        source=parse_source_date(record.source_date) if record.source_date else None,
        source_id=record.source_id,
    )


@dataclass(frozen=True)
class Coverage:
    """A country's coverage table, with what the risk rests on."""

    country: str
    basis: Literal["forecast", "recent_one_sided"]
    first: datetime.date  # the period the risk and the presence are judged for
    last: datetime.date
    rows: list[CoverageRow]
    unplaced: list[Actor]
    forecast: ForecastView | None = None
    unknown_area_events: int = 0  # stand-in only: one-sided events of unknown admin-1
    as_of: datetime.date | None = None  # presence judged on this day instead of the period
    unknown_end: int = 0  # presence records with no end, their own or their operation's


def month_bounds(first: int, last: int) -> tuple[datetime.date, datetime.date]:
    end = month_start(last)
    return month_start(first), last_day(end, "month")


def forecast_risk(forecast: ForecastView) -> tuple[dict[str, float], dict[str, dict[str, Any]]]:
    """Per unit, the risk of one-sided violence over the first forecast months, and details."""
    risk: dict[str, float] = {}
    details: dict[str, dict[str, Any]] = {}
    for unit, steps in forecast.units.items():
        chosen = [s for s in steps if s.step <= RISK_MONTHS]
        risk[unit] = combined_probability(s.p_one_sided for s in chosen)
        details[unit] = {
            "deaths_mean": sum(s.deaths_mean for s in chosen),
            "p_one_sided": [s.p_one_sided for s in chosen],
            "months": [s.month for s in chosen],
        }
    return risk, details


def recent_one_sided(
    user: AnyUser | None, country: str
) -> tuple[dict[str, float], int, int, int] | None:
    """The stand-in: one-sided events per admin-1 area over the last 12 months of data."""
    span = data_months(user, country)
    if span is None:
        return None
    last = span[1]
    panel = build_panel(visible_events(user), country, "admin1", last - 11, last, viewer=user)
    per_unit = panel.frame.group_by("unit").agg(pl.col("events_one_sided").sum())
    unknown = int(panel.unknown.get_column("events_one_sided").sum()) if panel.unknown.height else 0
    return {u: float(n) for u, n in per_unit.iter_rows()}, unknown, last - 11, last


def country_coverage(
    user: AnyUser | None, country: str, as_of: datetime.date | None = None
) -> Coverage | None:
    """Risk against presence for every admin-1 area of a country; None with neither risk basis.

    Presence is judged for the risk period, or on the day ``as_of`` when it is given (who may
    be there on that day, e.g. today).
    """
    forecast = current_forecast(country, "admin1")
    unknown = 0
    details: dict[str, dict[str, Any]] = {}
    if forecast is not None and forecast.units:
        risk, details = forecast_risk(forecast)
        months = sorted({m for d in details.values() for m in d["months"]})
        first, last = month_bounds(parse_month(months[0]), parse_month(months[-1]))
        basis: Literal["forecast", "recent_one_sided"] = "forecast"
    else:
        recent = recent_one_sided(user, country)
        if recent is None:
            return None
        risk, unknown, first_month, last_month = recent
        first, last = month_bounds(first_month, last_month)
        basis, forecast = "recent_one_sided", None
    visible = visible_operation_ids(user)
    records = [evidence(r, visible) for r in presence_list(user, country=country)]
    actors = deduplicate(records, as_of or first, as_of or last)
    return Coverage(
        country=country,
        basis=basis,
        first=first,
        last=last,
        rows=rank(risk, [a for a in actors if a.unit], details),
        unplaced=[a for a in actors if not a.unit],
        forecast=forecast,
        unknown_area_events=unknown,
        as_of=as_of,
        unknown_end=sum(1 for r in records if r.end is None),
    )
