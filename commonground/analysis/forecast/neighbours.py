"""Which admin-1 areas touch which: the spatial lag of the learned model reads this.

The adjacency is computed once from the offline boundaries the map ships
(``web/static/web/mapdata/admin1.geojson``) with shapely, and committed as
``admin1_neighbours.json`` next to this module, so running a forecast needs no geometry library.
A test recomputes it and fails when the boundaries change and the file was not regenerated:
``.venv/bin/python -m commonground.analysis.forecast.neighbours > \
commonground/analysis/forecast/admin1_neighbours.json``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
NEIGHBOURS_FILE = HERE / "admin1_neighbours.json"
BOUNDARIES = HERE.parent.parent / "web" / "static" / "web" / "mapdata" / "admin1.geojson"

#: Boundaries are simplified, so shared borders may not touch exactly: a gap this small (degrees,
#: about 1 km) still counts as a shared border.
TOLERANCE = 0.01


def compute_neighbours(geojson: dict[str, Any]) -> dict[str, list[str]]:
    """Area code -> sorted codes of the areas in the same country whose boundary it touches."""
    from shapely.geometry import shape  # only to regenerate the file (a dev dependency)

    features = geojson["features"]
    shapes = [shape(f["geometry"]).buffer(TOLERANCE / 2) for f in features]
    found: dict[str, list[str]] = {}
    for i, feature in enumerate(features):
        props = feature["properties"]
        found[props["code"]] = sorted(
            other["properties"]["code"]
            for j, other in enumerate(features)
            if j != i
            and other["properties"]["country"] == props["country"]
            and shapes[i].intersects(shapes[j])
        )
    return found


@cache
def _stored() -> tuple[dict[str, list[str]], dict[str, str]]:
    """The committed adjacency, and every alias a boundary carries mapped to its code."""
    neighbours: dict[str, list[str]] = json.loads(NEIGHBOURS_FILE.read_text(encoding="utf-8"))
    boundaries = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    aliases = {
        alias: f["properties"]["code"]
        for f in boundaries["features"]
        for alias in [f["properties"]["code"], *f["properties"].get("aliases", [])]
    }
    return neighbours, aliases


def adjacency(units: list[str]) -> np.ndarray:
    """Row-normalised weights (units x units): 1/k for each of a unit's k neighbours.

    A unit without a known boundary, or without neighbours, gets a row of zeros (no spatial lag).
    """
    neighbours, aliases = _stored()
    canonical = [aliases.get(unit, unit) for unit in units]
    index = {code: i for i, code in enumerate(canonical)}
    weights = np.zeros((len(units), len(units)))
    for i, code in enumerate(canonical):
        near = [index[c] for c in neighbours.get(code, []) if c in index]
        if near:
            weights[i, near] = 1.0 / len(near)
    return weights


if __name__ == "__main__":
    data = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    print(json.dumps(compute_neighbours(data), indent=1, sort_keys=True))
