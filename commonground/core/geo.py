"""Pure geographic helpers: PRIO-GRID cells, coordinate checks, country boxes."""

from __future__ import annotations

import math
from functools import cache

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
