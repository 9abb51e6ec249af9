"""Pure geographic helpers: PRIO-GRID cells, coordinate checks, country boxes."""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import Any

from country_bounding_boxes import country_subunits_by_iso_code

#: PRIO-GRID has 720 columns of 0.5 degree; cell 1 is at the south-west corner (-180, -90).
PRIOGRID_COLUMNS = 720
PRIOGRID_CELL_DEGREES = 0.5


def priogrid_gid(latitude: float, longitude: float) -> int:
    """Return the PRIO-GRID cell id of a point, as UCDP GED writes it in ``priogrid_gid``.

    Rows count up from the south pole, columns from the antimeridian; a point on a cell edge
    belongs to the cell north and east of it, except on the north pole and antimeridian, which
    belong to the last row and column.
    """
    if not -90.0 <= latitude <= 90.0:
        raise ValueError(f"latitude {latitude} is outside -90..90")
    if not -180.0 <= longitude <= 180.0:
        raise ValueError(f"longitude {longitude} is outside -180..180")
    row = min(math.floor((latitude + 90.0) / PRIOGRID_CELL_DEGREES), 359)
    col = min(math.floor((longitude + 180.0) / PRIOGRID_CELL_DEGREES), 719)
    return row * PRIOGRID_COLUMNS + col + 1


def priogrid_centre(gid: int) -> tuple[float, float]:
    """Latitude and longitude of the centre of a PRIO-GRID cell."""
    if not 1 <= gid <= 360 * PRIOGRID_COLUMNS:
        raise ValueError(f"{gid} is not a PRIO-GRID cell id")
    row, col = divmod(gid - 1, PRIOGRID_COLUMNS)
    return (row * PRIOGRID_CELL_DEGREES - 90.0 + 0.25, col * PRIOGRID_CELL_DEGREES - 180.0 + 0.25)


#: How far outside a country's bounding box a point may lie and still count as in it. Sources
#: geocode border events to the nearest town, sometimes across the line; 0.5 degree (~55 km) keeps
#: those and still catches swapped coordinates or another country's events.
COUNTRY_BOX_TOLERANCE = 0.5


@cache
def country_boxes(iso3: str) -> tuple[tuple[float, float, float, float], ...]:
    """Bounding boxes (west, south, east, north) of a country's parts, from Natural Earth."""
    return tuple(tuple(unit.bbox) for unit in country_subunits_by_iso_code(iso3.upper()))


def is_known_country(iso3: str) -> bool:
    return bool(country_boxes(iso3))


def within_country(iso3: str, latitude: float, longitude: float) -> bool:
    """Whether a point lies within the country's bounding boxes, with a tolerance."""
    tol = COUNTRY_BOX_TOLERANCE
    return any(
        west - tol <= longitude <= east + tol and south - tol <= latitude <= north + tol
        for west, south, east, north in country_boxes(iso3)
    )


#: States that were part of another when a source coded its events. UCDP GED codes each event
#: under the state of its day: events in today's South Sudan before 2011 are coded ``Sudan``,
#: events in Bosnia, Croatia or Slovenia in the 1990s ``Serbia (Yugoslavia)``. A point outside
#: its coded country but inside one of these successors is such an event, not a slip.
#: (Kosovo is inside Serbia's Natural Earth outline, so it needs no entry.)
SUCCESSOR_STATES: dict[str, tuple[str, ...]] = {
    "SDN": ("SSD",),
    "SRB": ("BIH", "HRV", "SVN", "MKD", "MNE"),
    "RUS": (
        "UKR",
        "BLR",
        "MDA",
        "EST",
        "LVA",
        "LTU",
        "GEO",
        "ARM",
        "AZE",
        "KAZ",
        "KGZ",
        "TJK",
        "TKM",
        "UZB",
    ),
    "ETH": ("ERI",),
    "IDN": ("TLS",),
}


@cache
def country_outline(iso3: str) -> Any | None:
    """The country's outline today (about 1:110m, from ``countryinfo``) as a prepared shape.

    Shapely is imported here, not with the module: only a file with an event outside its
    stated country needs it, and every command would otherwise pay its 0.15 s import.
    """
    from shapely import prepare
    from shapely.geometry import shape
    from shapely.ops import unary_union

    shapes = [shape(f["geometry"]) for f in country_features(iso3) if f.get("geometry")]
    if not shapes:
        return None
    outline = unary_union(shapes)
    prepare(outline)
    return outline


@cache
def country_features(iso3: str) -> tuple[dict[str, Any], ...]:
    """The GeoJSON features of the country's outline in the ``countryinfo`` package (offline),
    read once: the one reader of that package's outlines (imports and hot spots use it)."""
    folder = resources.files("countryinfo").joinpath("data")
    for entry in folder.iterdir():
        if not entry.name.endswith(".json"):
            continue
        record = json.loads(entry.read_text(encoding="utf-8"))
        if (record.get("ISO") or {}).get("alpha3") == iso3:
            return tuple((record.get("geoJSON") or {}).get("features", []))
    return ()


def successor_state(coded: str, latitude: float, longitude: float) -> str | None:
    """The state that today holds a point its source coded under ``coded``, a state of the time.

    Only :data:`SUCCESSOR_STATES` of ``coded`` are considered, so swapped coordinates or another
    country's event are still caught. The point must lie in the successor's outline, or, for a
    point the coarse outline misses (a coast, a border town), in exactly one successor's
    bounding boxes.
    """
    from shapely import Point

    candidates = [c for c in SUCCESSOR_STATES.get(coded, ()) if c != coded]
    point = Point(longitude, latitude)
    for code in candidates:
        outline = country_outline(code)
        if outline is not None and outline.contains(point):
            return code
    boxed = [c for c in candidates if within_country(c, latitude, longitude)]
    return boxed[0] if len(boxed) == 1 else None
