"""Geo-masking of points and coarsening of dates, for anything the gate shows on a map.

DHS practice (the Demographic and Health Surveys' displacement of cluster points): an urban
point moves up to 2 km, a rural one up to 5 km, and one rural point in a hundred up to 10 km, in
a random direction, and the moved point stays inside the same admin-2 area (checked with
shapely; a draw outside is drawn again). The draw is seeded by a secret and the record's id, so
the same record always lands on the same masked point: asking again cannot average it out.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import math
import random

from django.conf import settings
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

#: Metres per degree of latitude (and of longitude at the equator).
METRES_PER_DEGREE = 111_320.0
URBAN_MAX_M = 2_000.0
RURAL_MAX_M = 5_000.0
RURAL_FAR_MAX_M = 10_000.0
RURAL_FAR_SHARE = 0.01
#: Draws before giving up on staying inside the area (then the area's representative point).
MAX_DRAWS = 200


def _rng(record_id: str) -> random.Random:
    secret = settings.SECRET_KEY.encode()
    digest = hmac.new(secret, f"geomask:{record_id}".encode(), hashlib.sha256).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311  # seeded by a secret


def max_distance(rng: random.Random, urban: bool) -> float:
    """The largest displacement for this point, in metres (DHS: 2 km, 5 km, 1 % up to 10 km)."""
    if urban:
        return URBAN_MAX_M
    return RURAL_FAR_MAX_M if rng.random() < RURAL_FAR_SHARE else RURAL_MAX_M


def mask_point(
    longitude: float, latitude: float, area: BaseGeometry, record_id: str, urban: bool
) -> tuple[float, float]:
    """The point moved as DHS does, inside ``area`` (the record's admin-2), always the same."""
    rng = _rng(record_id)
    limit = max_distance(rng, urban)
    for _draw in range(MAX_DRAWS):
        angle = rng.uniform(0, 2 * math.pi)
        distance = rng.uniform(0, limit)
        d_lat = distance * math.cos(angle) / METRES_PER_DEGREE
        d_lon = distance * math.sin(angle) / (METRES_PER_DEGREE * math.cos(math.radians(latitude)))
        moved = (longitude + d_lon, latitude + d_lat)
        if area.contains(Point(moved)):
            return moved
    centre = area.representative_point()
    return (centre.x, centre.y)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """An equirectangular distance in metres (enough at these scales)."""
    mean_lat = math.radians((a[1] + b[1]) / 2)
    dx = (b[0] - a[0]) * METRES_PER_DEGREE * math.cos(mean_lat)
    dy = (b[1] - a[1]) * METRES_PER_DEGREE
    return math.hypot(dx, dy)


def coarsen_date(day: datetime.date) -> datetime.date:
    """Dates leave the gate as months only."""
    return day.replace(day=1)
