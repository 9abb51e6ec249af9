"""Area-month panels: events and deaths per unit and month, by violence type, zero-filled.

Every analysis (trends, hotspots, forecasts, coverage) starts from a panel, so it is built in one
place, from events the asking user may see (``events.queries.visible_events`` applies the access
policy). A panel is a long Polars frame with one row per unit and month, including the months
and units with no event at all: a forecast or a trend that never sees zeros is wrong.

Units by level:
- ``country``: the country itself;
- ``admin1``: every admin-1 area the platform knows in the country (zero rows for quiet ones).
  Events whose admin-1 is unknown are not spread over the units: they are counted apart, month
  by month, in :attr:`Panel.unknown`, so totals still add up;
- ``priogrid``: every PRIO-GRID cell with at least one event in the country over the whole
  record (the VIEWS convention of all land cells would need a land mask we do not ship).

Months are ``month_id = year * 12 + (month - 1)``, an integer that makes lags plain arithmetic,
with ``month`` (first day of the month) alongside for people.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

import polars as pl
from django.db.models import QuerySet

from commonground.core.models import Area, AreaLevel
from commonground.events.models import Event, ViolenceType
from commonground.sharing.policy import AnyUser, access_areas

Level = Literal["country", "admin1", "priogrid"]
LEVELS: tuple[Level, ...] = ("country", "admin1", "priogrid")

#: The violence types a panel counts apart (strategic developments are not violence).
PANEL_TYPES: tuple[str, ...] = (
    ViolenceType.STATE_BASED,
    ViolenceType.NON_STATE,
    ViolenceType.ONE_SIDED,
    ViolenceType.UNREST,
)

#: Figure columns of a panel, in order: totals first, then per violence type.
FIGURES: tuple[str, ...] = (
    "events",
    "deaths",
    "civilian_deaths",
    *(f"events_{t}" for t in PANEL_TYPES),
    *(f"deaths_{t}" for t in PANEL_TYPES),
)


def month_id(day: datetime.date) -> int:
    """The month a day falls in, as ``year * 12 + month - 1``."""
    return day.year * 12 + day.month - 1


def month_start(mid: int) -> datetime.date:
    """The first day of a ``month_id``."""
    return datetime.date(mid // 12, mid % 12 + 1, 1)


def month_label(mid: int) -> str:
    """``YYYY-MM`` for a ``month_id``."""
    return f"{mid // 12:04d}-{mid % 12 + 1:02d}"


def parse_month(text: str) -> int:
    """``YYYY-MM`` to a ``month_id``; raises ``ValueError`` naming the bad text."""
    try:
        year, month = (int(part) for part in text.split("-"))
    except ValueError:
        raise ValueError(f"{text!r} is not a month as YYYY-MM") from None
    if not 1 <= month <= 12 or not 1 <= year <= 9999:
        raise ValueError(f"{text!r} is not a month as YYYY-MM")
    return year * 12 + month - 1


@dataclass(frozen=True)
class Panel:
    """A zero-filled area-month panel and what it leaves out.

    ``frame`` has columns ``unit`` (area code or cell id as text), ``unit_name``, ``month_id``,
    ``month`` and the :data:`FIGURES`. ``unknown`` has ``month_id`` and the figures of events
    whose unit is unknown at this level (only ever non-empty for ``admin1``).
    """

    country: str
    level: Level
    first_month: int
    last_month: int
    frame: pl.DataFrame
    unknown: pl.DataFrame

    @property
    def units(self) -> list[str]:
        return self.frame.get_column("unit").unique(maintain_order=True).to_list()

    @property
    def months(self) -> list[int]:
        return list(range(self.first_month, self.last_month + 1))

    def matrix(self, figure: str = "deaths") -> tuple[list[str], list[int], pl.DataFrame]:
        """Units x months of one figure, as a wide frame (one column per month label)."""
        wide = self.frame.pivot(on="month_id", index="unit", values=figure, sort_columns=True)
        return self.units, self.months, wide


def events_frame(events: QuerySet[Event]) -> pl.DataFrame:
    """The columns a panel needs, from an already access-checked queryset, in one query."""
    rows = events.order_by().values_list(
        "date_start",
        "admin1__code",
        "priogrid_gid",
        "violence_type",
        "fatalities_best",
        "civilian_deaths",
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "date_start": pl.Date,
            "admin1": pl.String,
            "priogrid": pl.Int64,
            "violence_type": pl.String,
            "deaths": pl.Int64,
            "civilian_deaths": pl.Int64,
        },
        orient="row",
    )


def _figures(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Sum the figures of events by ``keys``."""
    per_type = [
        expr
        for t in PANEL_TYPES
        for expr in (
            (pl.col("violence_type") == t).sum().cast(pl.Int64).alias(f"events_{t}"),
            pl.col("deaths").filter(pl.col("violence_type") == t).sum().alias(f"deaths_{t}"),
        )
    ]
    violent = frame.filter(pl.col("violence_type").is_in(PANEL_TYPES))
    return violent.group_by(keys).agg(
        pl.len().cast(pl.Int64).alias("events"),
        pl.col("deaths").sum().alias("deaths"),
        pl.col("civilian_deaths").fill_null(0).sum().alias("civilian_deaths"),
        *per_type,
    )


def _units(country: str, level: Level, frame: pl.DataFrame, viewer: AnyUser | None) -> pl.DataFrame:
    """Every unit of the level in the country that ``viewer`` may know of, with a readable name.

    An area only a hidden record names is no unit: even a row of zeros would name it.
    """
    if level == "country":
        area = Area.objects.filter(code=country).first()
        return pl.DataFrame({"unit": [country], "unit_name": [area.name_en if area else country]})
    if level == "admin1":
        areas = access_areas(
            Area.objects.filter(country_code=country, level=AreaLevel.ADMIN1), viewer
        )
        areas = areas.order_by("code")
        pairs = list(areas.values_list("code", "name_en"))
        return pl.DataFrame(
            {"unit": [c for c, _ in pairs], "unit_name": [n for _, n in pairs]},
            schema={"unit": pl.String, "unit_name": pl.String},
        )
    cells = sorted(set(frame.get_column("priogrid").drop_nulls().to_list()))
    return pl.DataFrame(
        {"unit": [str(c) for c in cells], "unit_name": [f"PRIO-GRID {c}" for c in cells]},
        schema={"unit": pl.String, "unit_name": pl.String},
    )


class PanelTooLarge(ValueError):
    """A panel would have more rows (units x months) than the caller's budget allows."""

    def __init__(self, units: int, months: int, budget: int) -> None:
        self.units, self.months, self.budget = units, months, budget
        super().__init__(
            f"the panel would have {units * months:,} rows ({units} units x {months} months), "
            f"more than the limit of {budget:,}; ask for fewer months or a coarser level"
        )


def build_panel(
    events: QuerySet[Event],
    country: str,
    level: Level,
    first_month: int | None = None,
    last_month: int | None = None,
    max_rows: int | None = None,
    *,
    viewer: AnyUser | None = None,
) -> Panel:
    """The zero-filled panel of ``events`` (already access-checked) in ``country`` at ``level``.

    ``viewer`` is whom the events are visible to: the admin-1 units are the areas they may know
    of (by default an anonymous visitor's, as for the forecasts' public events).

    The month range defaults to the first and last month with an event in the country.
    ``max_rows``: raise :class:`PanelTooLarge` before the zero-filled grid is made when it
    would be bigger (the grid, not the events, is what grows with the months asked for).
    """
    raw = events_frame(events.filter(country_code=country))
    raw = raw.with_columns(
        (pl.col("date_start").dt.year() * 12 + pl.col("date_start").dt.month() - 1)
        .cast(pl.Int64)
        .alias("month_id")
    )
    if first_month is None or last_month is None:
        known = raw.get_column("month_id")
        first_month = first_month if first_month is not None else int(known.min() or 0)  # type: ignore[arg-type]  # polars min is a Python scalar here
        last_month = last_month if last_month is not None else int(known.max() or 0)  # type: ignore[arg-type]  # polars max is a Python scalar here
    raw = raw.filter(pl.col("month_id").is_between(first_month, last_month))
    unit_column = {"country": pl.lit(country), "admin1": pl.col("admin1")}.get(
        level, pl.col("priogrid").cast(pl.String)
    )
    raw = raw.with_columns(unit_column.alias("unit"))
    units = _units(country, level, raw, viewer)
    months = last_month - first_month + 1
    if max_rows is not None and units.height * months > max_rows:
        raise PanelTooLarge(units.height, months, max_rows)
    grid = units.join(
        pl.DataFrame(
            {"month_id": list(range(first_month, last_month + 1))}, schema={"month_id": pl.Int64}
        ),
        how="cross",
    )
    counted = _figures(raw.filter(pl.col("unit").is_not_null()), ["unit", "month_id"])
    frame = (
        grid.join(counted, on=["unit", "month_id"], how="left")
        .with_columns(pl.col(f).fill_null(0).cast(pl.Int64) for f in FIGURES)
        .with_columns(
            pl.date(pl.col("month_id") // 12, pl.col("month_id") % 12 + 1, 1).alias("month")
        )
        .select("unit", "unit_name", "month_id", "month", *FIGURES)
        .sort("unit", "month_id")
    )
    unknown = _figures(raw.filter(pl.col("unit").is_null()), ["month_id"]).sort("month_id")
    unknown = unknown.select("month_id", *FIGURES).with_columns(
        pl.col(f).cast(pl.Int64) for f in FIGURES
    )
    return Panel(country, level, first_month, last_month, frame, unknown)
