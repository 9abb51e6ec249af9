"""Geo-masking of points and coarsening of dates, for anything the gate shows on a map.

DHS practice (the Demographic and Health Surveys' displacement of cluster points): an urban
point moves up to 2 km, a rural one up to 5 km, and one rural point in a hundred up to 10 km, in
a random direction, and the moved point stays inside the same admin-2 area (checked with
shapely; a draw outside is drawn again). The draw is seeded by a secret and the record's id, so
the same record always lands on the same masked point: asking again cannot average it out.

:func:`shown_to` applies it to a record with a point (an event) for one viewer: a public record,
a member of the record's owner and a platform administrator see the exact point and dates;
anyone else who may see a protected record (a circle's or an agreement's organization) sees the
point masked and the dates coarsened to the month. Admin-2 boundaries do not ship with Common
Ground (only admin-1), so "the same admin-2" is the platform's own placement of a point in an
admin-2 (``voices.places.area_for_point``): inside the same shipped admin-1 boundary, and nearer
the record's admin-2 centre (the mean of its public events) than any other admin-2 centre of that
unit. No urban layer ships either, so every point is moved as a rural one (the larger distance).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import math
import random
from collections.abc import Callable
from copy import copy
from typing import Any

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
    centre = area.representative_point()
    return mask_point_where(
        longitude,
        latitude,
        lambda lon, lat: bool(area.contains(Point(lon, lat))),
        record_id,
        urban,
        (centre.x, centre.y),
    )


def mask_point_where(
    longitude: float,
    latitude: float,
    inside: Callable[[float, float], bool],
    record_id: str,
    urban: bool,
    fallback: tuple[float, float],
) -> tuple[float, float]:
    """The point moved as DHS does to where ``inside`` holds (else ``fallback``); always the
    same."""
    rng = _rng(record_id)
    limit = max_distance(rng, urban)
    for _draw in range(MAX_DRAWS):
        angle = rng.uniform(0, 2 * math.pi)
        distance = rng.uniform(0, limit)
        d_lat = distance * math.cos(angle) / METRES_PER_DEGREE
        d_lon = distance * math.sin(angle) / (METRES_PER_DEGREE * math.cos(math.radians(latitude)))
        moved = (longitude + d_lon, latitude + d_lat)
        if inside(*moved):
            return moved
    return fallback


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """An equirectangular distance in metres (enough at these scales)."""
    mean_lat = math.radians((a[1] + b[1]) / 2)
    dx = (b[0] - a[0]) * METRES_PER_DEGREE * math.cos(mean_lat)
    dy = (b[1] - a[1]) * METRES_PER_DEGREE
    return math.hypot(dx, dy)


def coarsen_date(day: datetime.date) -> datetime.date:
    """Dates leave the gate as months only."""
    return day.replace(day=1)


def same_admin2(
    longitude: float, latitude: float, admin2_id: Any, memo: dict[Any, Any] | None = None
) -> tuple[Callable[[float, float], bool], tuple[float, float]]:
    """Where a masked point may land (see the module's docstring), and where it goes if no draw
    lands there: the admin-2 centre when known, else the point's own admin-1 unit's."""
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import Avg

    from commonground.core.models import Area, AreaLevel
    from commonground.events.models import Event
    from commonground.sharing.policy import access_areas, access_owned
    from commonground.voices.places import admin1_shapes

    here = Point(longitude, latitude)
    unit = next((shape for _codes, shape in admin1_shapes() if shape.contains(here)), None)
    if unit is None:  # outside the shipped boundaries: only the distance applies
        return (lambda lon, lat: True), (longitude, latitude)
    codes = next(codes for codes, shape in admin1_shapes() if shape is unit)
    memo = {} if memo is None else memo
    if codes not in memo:  # one query per admin-1 unit and call
        anonymous = AnonymousUser()
        districts = access_areas(
            Area.objects.filter(level=AreaLevel.ADMIN2, parent__code__in=codes), anonymous
        )
        memo[codes] = {
            row["admin2"]: (row["lon"], row["lat"])
            for row in access_owned(
                Event.objects.filter(withdrawn=False, admin2__in=districts), anonymous
            )
            .order_by()
            .values("admin2")
            .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
        }
    centres: dict[Any, tuple[float, float]] = memo[codes]
    own = centres.get(admin2_id)
    scale = math.cos(math.radians(latitude))

    def nearest(lon: float, lat: float) -> Any:
        return min(
            centres,
            key=lambda a: (centres[a][1] - lat) ** 2 + ((centres[a][0] - lon) * scale) ** 2,
        )

    def inside(lon: float, lat: float) -> bool:
        if not unit.contains(Point(lon, lat)):
            return False
        return own is None or nearest(lon, lat) == admin2_id

    point = unit.representative_point()
    return inside, own or (point.x, point.y)


#: UCDP's ``where_prec`` of a masked point: "within 25 km of the point", which a move of at most
#: 10 km keeps true.
MASKED_LOCATION_PRECISION = 2


def sees_exactly(record: Any, viewer: Any) -> bool:
    """A public record, a member of its owner and a platform administrator see it as it is."""
    from commonground.sharing.models import Sensitivity

    return (
        record.sensitivity <= Sensitivity.PUBLIC
        or viewer.is_platform_admin
        or record.owner_id in viewer.roles
    )


def shown_to(record: Any, viewer: Any, memo: dict[Any, Any] | None = None) -> Any:
    """The record as ``viewer`` may see its point and dates: itself, or an unsaved copy with the
    point masked inside its admin-2 and the dates coarsened to the month (``geomasked`` True)."""
    if sees_exactly(record, viewer):
        return record
    from commonground.events.models import DatePrecisionCode

    inside, fallback = same_admin2(record.longitude, record.latitude, record.admin2_id, memo)
    shown = copy(record)
    shown.longitude, shown.latitude = mask_point_where(
        record.longitude, record.latitude, inside, f"event:{record.pk}", False, fallback
    )
    shown.date_start = coarsen_date(record.date_start)
    shown.date_end = coarsen_date(record.date_end)
    shown.date_precision = max(record.date_precision, DatePrecisionCode.MONTH)
    # The point may have moved up to 10 km: it no longer is "exact" (UCDP where_prec 2: the
    # place is within 25 km of the point).
    shown.location_precision = max(record.location_precision, MASKED_LOCATION_PRECISION)
    shown.geomasked = True
    return shown


def masked_points(points: list[dict[str, Any]], events: Any, viewer: Any) -> list[dict[str, Any]]:
    """Map markers (``id``, ``longitude``, ``latitude``, ``date_start``) with those of protected
    events the viewer does not own geomasked and their dates coarsened (one query for them)."""
    from commonground.sharing.models import Sensitivity

    ids = [p["id"] for p in points]
    if viewer.is_platform_admin or not ids:
        return points
    protected = events.filter(id__in=ids, sensitivity__gt=Sensitivity.PUBLIC).exclude(
        owner_id__in=list(viewer.roles)
    )
    memo: dict[Any, Any] = {}
    shown = {e.pk: shown_to(e, viewer, memo) for e in protected.order_by()}
    return [
        {
            **p,
            "longitude": shown[p["id"]].longitude,
            "latitude": shown[p["id"]].latitude,
            "date_start": shown[p["id"]].date_start,
        }
        if p["id"] in shown
        else p
        for p in points
    ]
