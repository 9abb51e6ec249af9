"""The offline base map: country outlines from an installed package, admin-1 boundaries built
from Natural Earth (``static/web/mapdata/``, see its README), an optional online tile layer.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import metadata, resources
from typing import Any

#: The committed admin-1 boundaries, as a static file path (``make mapdata`` rebuilds them).
ADMIN1_STATIC = "web/mapdata/admin1.geojson"


@cache
def country_outlines() -> bytes:
    """Every country's outline (about 1:110m) as GeoJSON, from the ``countryinfo`` package.

    Built once per process (about 0.3 MB); each feature has ``iso_a3`` and ``name``.
    """
    features: list[dict[str, Any]] = []
    folder = resources.files("countryinfo").joinpath("data")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".json"):
            continue
        record = json.loads(entry.read_text(encoding="utf-8"))
        iso3 = (record.get("ISO") or {}).get("alpha3")
        for feature in (record.get("geoJSON") or {}).get("features", []):
            if iso3 and feature.get("geometry"):
                features.append(
                    {
                        "type": "Feature",
                        "properties": {"iso_a3": iso3, "name": record.get("name", iso3)},
                        "geometry": feature["geometry"],
                    }
                )
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, separators=(",", ":")).encode()


@cache
def outlines_version() -> str:
    """Changes when the package does: part of the outlines' URL, so browsers may cache it long."""
    return metadata.version("countryinfo")
