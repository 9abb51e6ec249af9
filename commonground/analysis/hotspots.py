"""Hot spots on the PRIO-GRID lattice: Getis-Ord Gi* per time window, and how each cell changed.

**Statistic.** Getis-Ord Gi* (``esda.G_Local`` with ``star=True``, binary weights): for each cell,
the sum of the counts of the cell and its neighbours against what the whole lattice would give
if counts were placed at random. Neighbours are queen contiguity on the 0.5-degree grid (the
eight cells around). The lattice is every cell whose centre lies inside the country's outline
(``countryinfo``, about 1:110m) plus every cell with an event in the country, so quiet cells
count as zeros: Gi* over event cells alone would never see the quiet land around a cluster.

**Significance.** Pseudo p-values from 999 conditional permutations with a fixed seed (the same
data give the same answer), then the Benjamini-Hochberg false discovery rate at 5 % across the
cells of each window (``esda.fdr``): with some 300 cells a plain 5 % level would call about 15
cells hot by chance alone. A cell is *hot* in a window when Gi* is above its expectation and
its p-value passes the FDR cut.

**Change over time** (rule ``window-rule-5x12``). The last 5 windows of 12 months, ending with
the last month of the data, are tested one by one, and each cell is classed from its hot windows:

- ``emerging``: hot in the last window and in none before;
- ``persistent``: hot in the last window and in at least 4 of the 5;
- ``recurring``: hot in the last window, and in some but fewer earlier ones;
- ``cooling``: not hot in the last window but hot in the one before;
- ``former``: hot in an earlier window only (not the last two);
- ``none``: never hot.

This is a simpler cousin of ESRI's emerging hot spot analysis (no Mann-Kendall trend: five
windows are too few for it to reach significance).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from django.db.models import Max

from commonground.analysis.panels import FIGURES, build_panel, month_id, month_label
from commonground.core.geo import (
    PRIOGRID_CELL_DEGREES,
    PRIOGRID_COLUMNS,
    country_features,
    priogrid_centre,
)
from commonground.events.queries import visible_events
from commonground.sharing.policy import AnyUser

if TYPE_CHECKING:
    from libpysal.weights import W

RULE_NAME = "window-rule-5x12"
WINDOW_MONTHS = 12
WINDOWS = 5
PERMUTATIONS = 999
SEED = 20_231
ALPHA = 0.05
PERSISTENT_SHARE = 0.75

CATEGORIES = ("emerging", "persistent", "recurring", "cooling", "former", "none")


# --- The lattice --------------------------------------------------------------------------------


def cell_row_col(gid: int) -> tuple[int, int]:
    return divmod(gid - 1, PRIOGRID_COLUMNS)


def queen_neighbours(cells: Iterable[int]) -> dict[int, list[int]]:
    """The cells around each cell (up to eight) among ``cells``: queen contiguity."""
    present = set(cells)
    found: dict[int, list[int]] = {}
    for gid in sorted(present):
        row, col = cell_row_col(gid)
        around = [
            (row + dr) * PRIOGRID_COLUMNS + (col + dc) + 1
            for dr in (-1, 0, 1)
            for dc in (-1, 0, 1)
            if (dr or dc) and 0 <= col + dc < PRIOGRID_COLUMNS
        ]
        found[gid] = [other for other in around if other in present]
    return found


def lattice_weights(cells: Sequence[int]) -> W:
    """Binary queen-contiguity weights over ``cells`` in their order (libpysal ``W``)."""
    from libpysal.weights import W

    neighbours = queen_neighbours(cells)
    return W({gid: neighbours[gid] for gid in cells}, id_order=list(cells), silence_warnings=True)


def inside(point: tuple[float, float], ring: Sequence[Sequence[float]]) -> bool:
    """Whether (lon, lat) is inside a polygon ring: the even-odd ray-casting rule."""
    x, y = point
    found = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            found = not found
        j = i
    return found


def in_polygon(point: tuple[float, float], polygon: Sequence[Sequence[Sequence[float]]]) -> bool:
    """Inside the outer ring and outside every hole."""
    return inside(point, polygon[0]) and not any(inside(point, hole) for hole in polygon[1:])


@cache
def country_polygons(iso3: str) -> tuple[Any, ...]:
    """The country's outline polygons from the ``countryinfo`` package (offline)."""
    polygons: list[Any] = []
    for feature in country_features(iso3):
        geometry = feature.get("geometry") or {}
        if geometry.get("type") == "Polygon":
            polygons.append(geometry["coordinates"])
        elif geometry.get("type") == "MultiPolygon":
            polygons.extend(geometry["coordinates"])
    return tuple(polygons)


@cache
def country_cells(iso3: str) -> tuple[int, ...]:
    """PRIO-GRID cells whose centre lies inside the country's outline."""
    cells = []
    half = PRIOGRID_CELL_DEGREES / 2
    for polygon in country_polygons(iso3):
        lons = [p[0] for p in polygon[0]]
        lats = [p[1] for p in polygon[0]]
        lat = math.floor(min(lats) / PRIOGRID_CELL_DEGREES) * PRIOGRID_CELL_DEGREES + half
        while lat < max(lats):
            lon = math.floor(min(lons) / PRIOGRID_CELL_DEGREES) * PRIOGRID_CELL_DEGREES + half
            while lon < max(lons):
                if in_polygon((lon, lat), polygon):
                    row = int((lat + 90.0) // PRIOGRID_CELL_DEGREES)
                    col = int((lon + 180.0) // PRIOGRID_CELL_DEGREES)
                    cells.append(row * PRIOGRID_COLUMNS + col + 1)
                lon += PRIOGRID_CELL_DEGREES
            lat += PRIOGRID_CELL_DEGREES
    return tuple(sorted(set(cells)))


# --- Gi* ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GiStar:
    """Gi* of one window: z-scores, pseudo p-values, and which cells are significantly hot."""

    z: np.ndarray
    p: np.ndarray
    hot: np.ndarray
    cut: float


def gi_star(
    values: Sequence[float] | np.ndarray,
    weights: W,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
    alpha: float = ALPHA,
    fdr: bool = True,
) -> GiStar:
    """Gi* (esda, binary weights, star) with a false-discovery-rate cut on the pseudo p-values.

    A lattice with no count at all has no hot spot (Gi* is undefined there: nothing to divide).
    """
    from esda import fdr as fdr_cut
    from esda.getisord import G_Local

    y = np.asarray(values, dtype=float)
    if y.sum() == 0:
        zeros = np.zeros(len(y))
        return GiStar(zeros, np.ones(len(y)), np.zeros(len(y), dtype=bool), 0.0)
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        # esda announces that its default alternative will change; p_sim here is the folded
        # (directed) one its docs describe, and the test against esda pins it.
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="esda")
        result = G_Local(
            y, weights, transform="B", star=True, permutations=permutations, seed=seed, n_jobs=1
        )
    z = np.nan_to_num(np.asarray(result.Zs, dtype=float))
    p = np.asarray(result.p_sim, dtype=float)
    cut = float(fdr_cut(p, alpha)) if fdr else alpha
    return GiStar(z, p, (z > 0) & (p <= cut), cut)


# --- Windows and classes ----------------------------------------------------------------------


def windows(last_month: int, length: int = WINDOW_MONTHS, count: int = WINDOWS) -> list[range]:
    """``count`` windows of ``length`` months, oldest first, the last ending at ``last_month``."""
    return [
        range(last_month - (count - k) * length + 1, last_month - (count - k - 1) * length + 1)
        for k in range(count)
    ]


def classify(hot: Sequence[bool], persistent_share: float = PERSISTENT_SHARE) -> str:
    """A cell's class from its hot windows, oldest first (see the module docstring)."""
    if not hot:
        return "none"
    *earlier, last = hot
    if last:
        if not any(earlier):
            return "emerging"
        if sum(hot) >= math.ceil(persistent_share * len(hot)):
            return "persistent"
        return "recurring"
    if earlier and earlier[-1]:
        return "cooling"
    return "former" if any(earlier) else "none"


@dataclass(frozen=True)
class CellResult:
    gid: int
    category: str
    counts: list[int]
    z: list[float]
    p: list[float]
    hot: list[bool]

    def as_dict(self) -> dict[str, Any]:
        latitude, longitude = priogrid_centre(self.gid)
        return {
            "gid": self.gid,
            "lat": latitude,
            "lon": longitude,
            "category": self.category,
            "counts": self.counts,
            "z": [round(v, 3) for v in self.z],
            "p": [round(v, 4) for v in self.p],
            "hot": self.hot,
        }


@dataclass(frozen=True)
class Hotspots:
    cells: list[CellResult]
    windows: list[range]
    cuts: list[float]

    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(CATEGORIES, 0)
        for cell in self.cells:
            counts[cell.category] += 1
        return counts

    def window_labels(self) -> list[dict[str, str]]:
        return [{"from": month_label(w[0]), "to": month_label(w[-1])} for w in self.windows]


def window_counts(
    monthly: Mapping[tuple[int, int], int], cells: Sequence[int], spans: Sequence[range]
) -> np.ndarray:
    """Cells x windows matrix of counts from ``(gid, month_id) -> count``."""
    index = {gid: i for i, gid in enumerate(cells)}
    where = {month: k for k, span in enumerate(spans) for month in span}
    matrix = np.zeros((len(cells), len(spans)), dtype=float)
    for (gid, month), count in monthly.items():
        if gid in index and month in where:
            matrix[index[gid], where[month]] += count
    return matrix


def emerging_hotspots(
    monthly: Mapping[tuple[int, int], int],
    cells: Sequence[int],
    last_month: int,
    window_months: int = WINDOW_MONTHS,
    window_count: int = WINDOWS,
    permutations: int = PERMUTATIONS,
    seed: int = SEED,
    alpha: float = ALPHA,
) -> Hotspots:
    """Gi* per window on the lattice ``cells`` and each cell's class over the windows."""
    spans = windows(last_month, window_months, window_count)
    matrix = window_counts(monthly, cells, spans)
    weights = lattice_weights(cells)
    results = [gi_star(matrix[:, k], weights, permutations, seed, alpha) for k in range(len(spans))]
    found = []
    for i, gid in enumerate(cells):
        hot = [bool(r.hot[i]) for r in results]
        found.append(
            CellResult(
                gid=gid,
                category=classify(hot),
                counts=[int(v) for v in matrix[i]],
                z=[float(r.z[i]) for r in results],
                p=[float(r.p[i]) for r in results],
                hot=hot,
            )
        )
    return Hotspots(found, spans, [r.cut for r in results])


# --- Reading through the access policy --------------------------------------------------------


@lru_cache(maxsize=32)
def _cached(
    monthly: tuple[tuple[tuple[int, int], int], ...],
    cells: tuple[int, ...],
    last_month: int,
    window_months: int,
    window_count: int,
) -> Hotspots:
    """Gi* is the slow part (about 0.2 s a window): the same counts give the same answer."""
    return emerging_hotspots(dict(monthly), cells, last_month, window_months, window_count)


def country_hotspots(
    user: AnyUser | None,
    country: str,
    figure: str = "events",
    last_month: int | None = None,
    window_months: int = WINDOW_MONTHS,
    window_count: int = WINDOWS,
) -> Hotspots | None:
    """Hot spots of the events in ``country`` the user may see; None when there are none.

    ``last_month`` defaults to the last month with a visible event in the country.
    """
    if figure not in FIGURES:
        raise ValueError(f"unknown figure {figure!r}")
    events = visible_events(user).filter(country_code=country)
    latest = events.aggregate(last=Max("date_start"))["last"]
    if latest is None:
        return None
    last = month_id(latest) if last_month is None else last_month
    first = last - window_months * window_count + 1
    panel = build_panel(events, country, "priogrid", first, last)
    counted = panel.frame.filter(pl.col(figure) > 0).select("unit", "month_id", figure)
    monthly = tuple(sorted(((int(u), m), v) for u, m, v in counted.iter_rows()))
    cells = tuple(sorted(set(country_cells(country)) | {int(u) for u in panel.units}))
    return _cached(monthly, cells, last, window_months, window_count)
