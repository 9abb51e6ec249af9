"""Tap the map: the admin-2 area of a point a reporter chose on the offline base map.

The product ships admin-1 boundaries (``web/mapdata/admin1.geojson``) but no admin-2 shapes, so a
point's district is worked out in two steps:

1. the admin-1 unit whose boundary contains the point (shapely, point in polygon);
2. among that unit's admin-2 areas anyone may know of (``access_areas`` for an anonymous
   visitor), the one whose centre is nearest, where a district's centre is the mean position of
   the public events recorded in it (``access_owned`` for an anonymous visitor).

This is an approximation near district borders; the exact point stays in the sealed part for
the analysts, and only the coarse area is a clear column. A point outside every shipped
boundary, or in a unit with no known district, gives ``None``: the area chosen from the list
stands.
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.db.models import Avg

from commonground.core.models import Area, AreaLevel
from commonground.sharing.policy import access_areas, access_owned
from commonground.web.basemap import ADMIN1_STATIC


@cache
def admin1_shapes() -> tuple[tuple[tuple[str, ...], Any], ...]:
    """Every shipped admin-1 boundary, prepared for fast containment tests, with its codes."""
    from shapely import prepare
    from shapely.geometry import shape

    path = finders.find(ADMIN1_STATIC)
    if not path:
        return ()
    with open(path if isinstance(path, str) else path[0], encoding="utf-8") as handle:
        collection = json.load(handle)
    shapes = []
    for feature in collection["features"]:
        geometry = shape(feature["geometry"])
        prepare(geometry)
        properties = feature["properties"]
        shapes.append(((properties["code"], *properties.get("aliases", [])), geometry))
    return tuple(shapes)


def admin1_codes_at(latitude: float, longitude: float) -> tuple[str, ...]:
    """The codes (main and aliases) of the admin-1 unit containing the point, or ``()``."""
    from shapely import Point

    point = Point(longitude, latitude)
    for codes, geometry in admin1_shapes():
        if geometry.contains(point):
            return codes
    return ()


def area_for_point(latitude: float, longitude: float) -> Area | None:
    """The public admin-2 area a point most likely lies in (see the module's docstring)."""
    codes = admin1_codes_at(latitude, longitude)
    if not codes:
        return None
    anonymous = AnonymousUser()
    districts = access_areas(
        Area.objects.filter(level=AreaLevel.ADMIN2, parent__code__in=codes), anonymous
    )
    from commonground.events.models import Event

    centres = (
        access_owned(Event.objects.filter(withdrawn=False, admin2__in=districts), anonymous)
        .order_by()
        .values("admin2")
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
    )
    scale = math.cos(math.radians(latitude))
    best: tuple[float, Any] | None = None
    for row in centres:
        distance = (row["lat"] - latitude) ** 2 + ((row["lon"] - longitude) * scale) ** 2
        if best is None or distance < best[0]:
            best = (distance, row["admin2"])
    return Area.objects.filter(pk=best[1]).first() if best else None
