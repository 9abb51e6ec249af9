"""Need against deployment for one task of a mission, per admin-1 area and year.

For protection of civilians (and any task whose needs are stated): where one-sided violence
(events of type ``one_sided`` the viewer may see) and the forecast risk were high, against where
Geo-PKO shows units with the capabilities the task needs. This extends the coverage-gap view
(``analysis/coverage.py``), which rests on uncertain presence records, with real deployments.

- **Needs.** The capabilities stated for the task by the organizations whose statements the viewer
  may see (``CapabilityNeed``). When none is stated for protection of civilians, the page uses
  infantry and police (:data:`DEFAULT_NEEDS`) and says so.
- **Deployed.** A Geo-PKO location counts for an area when it lies inside the area's boundary
  (the offline admin-1 boundaries the maps ship; Geo-PKO gives points, so no admin-2 boundaries
  are needed for this and none are shipped) and has one of the needed kinds of units that year:
  TTMap's infantry, engineering, medical, signals, aviation, riverine, maintenance or transport
  figure above 0, FrontMap's UNPOL (police) or UNMO (observers) above 0. Civilian sections are in
  no Geo-PKO table: a need for them is shown as not measurable.
- **Violence.** Events of type one-sided violence starting in the year, per the event's admin-1
  area as its source gives it (codes folded onto the boundaries' codes through their aliases);
  deaths are the sum of ``fatalities_best``. Events with no admin-1 area are counted apart.
- **Forecast risk.** From the current stored admin-1 forecast, when its months fall in the year:
  the chance of at least one one-sided event over those months (the coverage view's formula).
- **Rank.** Areas with no needed unit first, then by one-sided events, deaths, forecast risk,
  code: "much violence, no protection-capable unit" comes first.
- **Admin-2** (``level="admin2"``, sub-prefectures). The admin-2 areas are those the event
  sources name (``Area`` rows of level admin-2, read through ``access_areas``); no admin-2
  boundaries ship. Events count by the admin-2 area their source gives. A Geo-PKO location is
  placed by the rule of the voices map (``voices/places.py``): the admin-1 boundary holding it,
  then, among that unit's admin-2 areas, the one whose centre (the mean position of the public
  events recorded in it) is nearest. The forecast exists at admin-1 only: each admin-2 row
  shows its admin-1 area's risk, and the page says so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Avg, Count, Sum

from commonground.analysis.coverage import combined_probability
from commonground.core.models import Area, AreaLevel
from commonground.events.models import ViolenceType
from commonground.events.queries import visible_events
from commonground.forecasts.queries import current_forecast
from commonground.mandates.models import Capability, Deployment, DeploymentUnits
from commonground.mandates.queries import visible, visible_needs
from commonground.sharing.policy import AnyUser, access_areas
from commonground.web.basemap import ADMIN1_STATIC

#: The offline admin-1 boundaries the maps ship (``web/static/`` + ADMIN1_STATIC).
BOUNDARIES_FILE = Path(__file__).resolve().parents[1] / "web" / "static" / ADMIN1_STATIC
#: The levels the table is drawn at: prefectures (admin-1) or sub-prefectures (admin-2).
ADMIN1 = "admin1"
ADMIN2 = "admin2"
LEVELS = (ADMIN1, ADMIN2)
#: The task code of protection of civilians in the taxonomy (PEMA's ``CivProtect``).
PROTECTION_OF_CIVILIANS = "CivProtect"
#: What protection of civilians needs when no organization has stated it.
DEFAULT_NEEDS = (Capability.INFANTRY, Capability.POLICE)
#: Capability -> the Geo-PKO table and figure that shows it deployed (None: not in Geo-PKO).
GEOPKO_FIGURE: dict[str, tuple[str, str] | None] = {
    Capability.INFANTRY: ("units", "infantry"),
    Capability.ENGINEERING: ("units", "engineering"),
    Capability.MEDICAL: ("units", "medical"),
    Capability.AVIATION: ("units", "aviation"),
    Capability.SIGNALS: ("units", "signals"),
    Capability.RIVERINE: ("units", "riverine"),
    Capability.TRANSPORT: ("units", "transport"),
    Capability.MAINTENANCE: ("units", "maintenance"),
    Capability.POLICE: ("front", "unpol"),
    Capability.OBSERVERS: ("front", "unmo"),
    Capability.CIVILIAN: None,
}


# --- Admin-1 boundaries --------------------------------------------------------------------------


@dataclass(frozen=True)
class Boundary:
    code: str
    name: str
    country: str
    shape: Any  # a prepared shapely geometry


@cache
def boundaries() -> tuple[tuple[Boundary, ...], dict[str, str]]:
    """The shipped admin-1 boundaries, and every alias -> its boundary's code."""
    from shapely.geometry import shape
    from shapely.prepared import prep

    collection = json.loads(BOUNDARIES_FILE.read_text(encoding="utf-8"))
    shapes: list[Boundary] = []
    aliases: dict[str, str] = {}
    for feature in collection["features"]:
        props = feature["properties"]
        shapes.append(
            Boundary(
                props["code"], props["name"], props["country"], prep(shape(feature["geometry"]))
            )
        )
        aliases[props["code"]] = props["code"]
        for alias in props.get("aliases") or []:
            aliases[alias] = props["code"]
    return tuple(shapes), aliases


def admin1_at(latitude: float, longitude: float) -> str | None:
    """The code of the admin-1 boundary holding the point, if any."""
    from shapely.geometry import Point

    point = Point(longitude, latitude)
    return next((b.code for b in boundaries()[0] if b.shape.contains(point)), None)


def boundary_code(code: str | None) -> str | None:
    """An area code as the boundaries write it (``CAF.ndele`` -> ``CAF.bamingui-bangoran``)."""
    return boundaries()[1].get(code or "", code) if code else None


# --- Needs and deployments -----------------------------------------------------------------------


def needed_capabilities(user: AnyUser | None, mission: str, code: str) -> tuple[list[str], bool]:
    """The capabilities the task needs (stated ones the user may see), and whether stated."""
    stated = sorted({n.capability for n in visible_needs(user, mission, code)})
    if stated:
        return stated, True
    if code == PROTECTION_OF_CIVILIANS:
        return [c.value for c in DEFAULT_NEEDS], False
    return [], False


@dataclass
class Location:
    """A Geo-PKO location in one year with the needed kinds of units found there."""

    name: str
    latitude: float
    longitude: float
    area: str | None
    capabilities: set[str] = field(default_factory=set)
    infantry: int = 0
    district: str | None = None  # the admin-2 area's code, at admin-2 only


def capable_locations(
    user: AnyUser | None, mission: str, year: int, capabilities: Iterable[str]
) -> list[Location]:
    """The mission's locations in the year that have at least one needed kind of unit."""
    wanted = [(c, figure) for c in capabilities if (figure := GEOPKO_FIGURE.get(c)) is not None]
    places: dict[str, Location] = {}

    def visit(rows: Iterable[Any], table: str) -> None:
        for row in rows:
            present = {c for c, (t, name) in wanted if t == table and (getattr(row, name) or 0) > 0}
            if not present:
                continue
            place = places.get(row.location)
            if place is None:
                area = admin1_at(row.latitude, row.longitude)
                place = places[row.location] = Location(
                    row.location, row.latitude, row.longitude, area
                )
            place.capabilities |= present
            if table == "units":
                place.infantry += row.infantry

    visit(visible(DeploymentUnits, user).filter(mission=mission, year=year), "units")
    visit(visible(Deployment, user).filter(mission=mission, year=year), "front")
    return sorted(places.values(), key=lambda p: p.name)


def mission_country(user: AnyUser | None, mission: str) -> str | None:
    """The country the mission's Geo-PKO locations (FrontMap or TTMap) mostly fall in (ISO3)."""
    counts: dict[str, int] = {}
    seen: set[str] = set()
    fields = ("location", "latitude", "longitude")
    rows: list[Any] = [
        *visible(Deployment, user).filter(mission=mission).only(*fields),
        *visible(DeploymentUnits, user).filter(mission=mission).only(*fields),
    ]
    for row in rows:
        if row.location in seen:
            continue
        seen.add(row.location)
        code = admin1_at(row.latitude, row.longitude)
        if code:
            counts[code.split(".")[0]] = counts.get(code.split(".")[0], 0) + 1
    return max(counts, key=lambda c: (counts[c], c)) if counts else None


def one_sided_by_area(
    user: AnyUser | None, country: str, year: int
) -> tuple[dict[str, tuple[int, int]], int]:
    """One-sided events and deaths per admin-1 boundary code in the year, and those unplaced."""
    events = visible_events(user).filter(
        country_code=country, violence_type=ViolenceType.ONE_SIDED, date_start__year=year
    )
    found: dict[str, tuple[int, int]] = {}
    rows = (
        events.order_by().values("admin1__code").annotate(n=Count("id"), d=Sum("fatalities_best"))
    )
    unplaced = 0
    for row in rows:
        code = boundary_code(row["admin1__code"])
        if code is None:
            unplaced += row["n"]
            continue
        before = found.get(code, (0, 0))
        found[code] = (before[0] + row["n"], before[1] + (row["d"] or 0))
    return found, unplaced


def forecast_by_area(country: str, year: int) -> tuple[dict[str, float], list[str]]:
    """The current forecast's risk of one-sided violence over its months in the year, per area."""
    forecast = current_forecast(country, "admin1")
    if forecast is None:
        return {}, []
    risk: dict[str, float] = {}
    months: set[str] = set()
    for unit, steps in forecast.units.items():
        inside = [s for s in steps if s.month.startswith(f"{year}-")]
        if inside:
            code = boundary_code(unit) or unit
            risk[code] = combined_probability(s.p_one_sided for s in inside)
            months |= {s.month for s in inside}
    return risk, sorted(months)


# --- Admin-2 areas -------------------------------------------------------------------------------


@dataclass(frozen=True)
class District:
    """An admin-2 area the event sources name, with its admin-1 boundary and its centre."""

    code: str
    name: str
    parent: str | None  # the admin-1 boundary's code
    latitude: float | None  # the mean position of the public events recorded in it
    longitude: float | None


def districts(user: AnyUser | None, country: str) -> dict[str, District]:
    """The country's admin-2 areas the user may know of, by code, each with its centre.

    A centre is the mean position of the **public** events recorded in the area (an anonymous
    visitor's view, as on the voices map), so where a location is placed never depends on who
    looks, nor reveals a record the viewer may not see.
    """
    areas = access_areas(
        Area.objects.filter(level=AreaLevel.ADMIN2, country_code=country), user
    ).select_related("parent")
    centres = {
        row["admin2__code"]: (row["lat"], row["lon"])
        for row in visible_events(AnonymousUser())
        .filter(country_code=country, admin2__isnull=False)
        .order_by()
        .values("admin2__code")
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
    }
    found = {}
    for area in areas:
        lat, lon = centres.get(area.code, (None, None))
        parent = boundary_code(area.parent.code) if area.parent else None
        found[area.code] = District(area.code, area.name_en, parent, lat, lon)
    return found


def district_at(latitude: float, longitude: float, known: dict[str, District]) -> str | None:
    """The admin-2 area a point most likely lies in: within its admin-1 boundary, the area of
    nearest centre (``voices.places.area_for_point``'s rule); None outside every boundary or in
    a unit with no known centre."""
    parent = admin1_at(latitude, longitude)
    if parent is None:
        return None
    scale = math.cos(math.radians(latitude))
    best: tuple[float, str] | None = None
    for d in known.values():
        if d.parent != parent or d.latitude is None or d.longitude is None:
            continue
        distance = (d.latitude - latitude) ** 2 + ((d.longitude - longitude) * scale) ** 2
        if best is None or (distance, d.code) < best:
            best = (distance, d.code)
    return best[1] if best else None


def one_sided_by_district(
    user: AnyUser | None, country: str, year: int, known: dict[str, District]
) -> tuple[dict[str, tuple[int, int]], int]:
    """One-sided events and deaths per admin-2 area in the year, and those with none known."""
    rows = (
        visible_events(user)
        .filter(country_code=country, violence_type=ViolenceType.ONE_SIDED, date_start__year=year)
        .order_by()
        .values("admin2__code")
        .annotate(n=Count("id"), d=Sum("fatalities_best"))
    )
    found: dict[str, tuple[int, int]] = {}
    unplaced = 0
    for row in rows:
        code = row["admin2__code"]
        if code is None or code not in known:
            unplaced += row["n"]
            continue
        found[code] = (row["n"], row["d"] or 0)
    return found, unplaced


# --- The table --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaRow:
    code: str
    name: str
    events: int
    deaths: int
    risk: float | None
    locations: list[Location]
    parent: str = ""  # at admin-2: the admin-1 area's code (its forecast risk is shown)
    parent_name: str = ""
    latitude: float | None = None  # at admin-2: the area's centre, for the map
    longitude: float | None = None

    @property
    def covered(self) -> bool:
        return bool(self.locations)

    @property
    def infantry_total(self) -> int:
        return sum(p.infantry for p in self.locations)


def rank_rows(rows: Iterable[AreaRow]) -> list[AreaRow]:
    """No needed unit first, then most one-sided events, deaths, forecast risk; then code."""
    return sorted(rows, key=lambda r: (r.covered, -r.events, -r.deaths, -(r.risk or 0.0), r.code))


@dataclass(frozen=True)
class NeedTable:
    mission: str
    code: str
    year: int
    country: str | None
    capabilities: list[str]
    stated: bool
    rows: list[AreaRow]
    unplaced_events: int
    unplaced_locations: list[Location]
    forecast_months: list[str]
    level: str = ADMIN1

    @property
    def not_measurable(self) -> list[str]:
        return [c for c in self.capabilities if GEOPKO_FIGURE.get(c) is None]


def need_vs_deployment(
    user: AnyUser | None, mission: str, code: str, year: int, level: str = ADMIN1
) -> NeedTable:
    """Every admin-1 (or admin-2) area of the mission's country for the year, ranked (see the
    module doc)."""
    capabilities, stated = needed_capabilities(user, mission, code)
    country = mission_country(user, mission)
    locations = capable_locations(user, mission, year, capabilities)
    risk, months = forecast_by_area(country, year) if country else ({}, [])
    if level == ADMIN2:
        return need_by_district(
            user, mission, code, year, country, capabilities, stated, locations, risk, months
        )
    violence, unplaced = one_sided_by_area(user, country, year) if country else ({}, 0)
    by_area: dict[str, list[Location]] = {}
    for place in locations:
        if place.area:
            by_area.setdefault(place.area, []).append(place)
    rows = [
        AreaRow(
            b.code,
            b.name,
            violence.get(b.code, (0, 0))[0],
            violence.get(b.code, (0, 0))[1],
            risk.get(b.code),
            by_area.get(b.code, []),
        )
        for b in boundaries()[0]
        if b.country == country
    ]
    return NeedTable(
        mission=mission,
        code=code,
        year=year,
        country=country,
        capabilities=capabilities,
        stated=stated,
        rows=rank_rows(rows),
        unplaced_events=unplaced,
        unplaced_locations=[
            p for p in locations if not p.area or not p.area.startswith(f"{country}.")
        ],
        forecast_months=months,
    )


def need_by_district(
    user: AnyUser | None,
    mission: str,
    code: str,
    year: int,
    country: str | None,
    capabilities: list[str],
    stated: bool,
    locations: list[Location],
    risk: dict[str, float],
    months: list[str],
) -> NeedTable:
    """The table at admin-2: every admin-2 area the user may know of, with its admin-1 risk."""
    known = districts(user, country) if country else {}
    violence, unplaced = one_sided_by_district(user, country, year, known) if country else ({}, 0)
    names = {b.code: b.name for b in boundaries()[0]}
    by_district: dict[str, list[Location]] = {}
    for place in locations:
        place.district = district_at(place.latitude, place.longitude, known)
        if place.district:
            by_district.setdefault(place.district, []).append(place)
    rows = [
        AreaRow(
            d.code,
            d.name,
            violence.get(d.code, (0, 0))[0],
            violence.get(d.code, (0, 0))[1],
            risk.get(d.parent) if d.parent else None,
            by_district.get(d.code, []),
            parent=d.parent or "",
            parent_name=names.get(d.parent or "", d.parent or ""),
            latitude=d.latitude,
            longitude=d.longitude,
        )
        for d in known.values()
    ]
    return NeedTable(
        mission=mission,
        code=code,
        year=year,
        country=country,
        capabilities=capabilities,
        stated=stated,
        rows=rank_rows(rows),
        unplaced_events=unplaced,
        unplaced_locations=[p for p in locations if not p.district],
        forecast_months=months,
        level=ADMIN2,
    )
