"""The history a forecast learns from: area-month arrays cut at an origin.

Every model receives a :class:`History` that ends at its origin (:meth:`History.until`), so no
model can read a month after the one it forecasts from: the cut is made here, once, and not
trusted to each model. Arrays are units x months, months from ``first_month`` on.

The panel comes from :func:`commonground.analysis.panels.build_panel` over the events the
caller passes (by default the events visible to the public, ``visible_events(None)``), so a
forecast shown to everyone never rests on restricted records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import polars as pl

from commonground.analysis.forecast.neighbours import adjacency
from commonground.analysis.panels import Panel, month_id

Target = Literal["deaths", "one_sided"]
TARGETS: tuple[Target, ...] = ("deaths", "one_sided")

#: Presence kinds that are armed or security forces (the rest are civilian actors).
FORCE_KINDS = frozenset(
    {"UN_mission", "regional_force", "parallel_force", "national_forces", "police"}
)


@dataclass(frozen=True)
class History:
    """Monthly figures per unit (units x months), from ``first_month`` to ``last_month``."""

    country: str
    level: str
    units: tuple[str, ...]
    first_month: int
    deaths: np.ndarray
    one_sided: np.ndarray
    state_based: np.ndarray
    non_state: np.ndarray
    events: np.ndarray
    national: np.ndarray  # (months,) country deaths, including events of unknown admin-1
    presence: np.ndarray  # actors present (deduplicated organization x place)
    forces: np.ndarray  # of which armed or security forces
    neighbours: np.ndarray  # (units x units) row-normalised adjacency, zeros at country level

    @property
    def months(self) -> int:
        return int(self.deaths.shape[1])

    @property
    def last_month(self) -> int:
        return self.first_month + self.months - 1

    def target(self, name: Target) -> np.ndarray:
        return self.deaths if name == "deaths" else self.one_sided

    def until(self, month: int) -> History:
        """The same history with every month after ``month`` removed."""
        if not self.first_month <= month <= self.last_month:
            raise ValueError(f"origin {month} outside {self.first_month}..{self.last_month}")
        keep = month - self.first_month + 1
        cut = {
            name: getattr(self, name)[..., :keep]
            for name in (
                "deaths",
                "one_sided",
                "state_based",
                "non_state",
                "events",
                "national",
                "presence",
                "forces",
            )
        }
        return replace(self, **cut)


def _wide(panel: Panel, figure: str) -> np.ndarray:
    frame = panel.frame.sort("unit", "month_id")
    values = frame.get_column(figure).to_numpy().astype(np.float64)
    return values.reshape(len(panel.units), -1)


def _national(panel: Panel) -> np.ndarray:
    """Country deaths per month: every unit plus the events whose admin-1 is unknown."""
    months = pl.DataFrame({"month_id": panel.months}, schema={"month_id": pl.Int64})
    per_month = panel.frame.group_by("month_id").agg(pl.col("deaths").sum())
    unknown = panel.unknown.select("month_id", pl.col("deaths").alias("unknown"))
    joined = months.join(per_month, on="month_id", how="left").join(
        unknown, on="month_id", how="left"
    )
    total = joined.sort("month_id").select(
        pl.col("deaths").fill_null(0) + pl.col("unknown").fill_null(0)
    )
    return total.to_series().to_numpy().astype(np.float64)


PresenceRecord = tuple[str | None, str, str, str, int | None, int | None]


def presence_arrays(
    records: Sequence[PresenceRecord],
    units: list[str],
    first_month: int,
    months: int,
    country_level: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Actors present per unit and month, and how many of them are forces.

    ``records`` are (area code, organization, place, kind, start month, end month). A record
    counts from its start month to its end month (open end: ongoing); one without a start month
    is left out, since we cannot tell when it began. Organization x place is counted once.
    """
    seen: dict[tuple[int, str, str], tuple[int, int, bool]] = {}
    index = {unit: i for i, unit in enumerate(units)}
    last = first_month + months - 1
    for code, organization, place, kind, start, end in records:
        admin1 = ".".join((code or "").split(".")[:2])  # an admin-2 record counts in its admin-1
        i = 0 if country_level else index.get(admin1, -1)
        if i < 0 or start is None:
            continue
        key = (i, organization, place)
        old = seen.get(key)
        span = (start, end if end is not None else last, kind in FORCE_KINDS)
        seen[key] = span if old is None else (min(old[0], span[0]), max(old[1], span[1]), span[2])
    presence = np.zeros((len(units), months))
    forces = np.zeros((len(units), months))
    for (i, _org, _place), (start, end, is_force) in seen.items():
        lo, hi = max(start - first_month, 0), min(end, last) - first_month + 1
        if lo < hi:
            presence[i, lo:hi] += 1
            forces[i, lo:hi] += is_force
    return presence, forces


def history_from_panel(
    panel: Panel,
    presence: Sequence[PresenceRecord] = (),
) -> History:
    """A :class:`History` from a panel and presence records (see :func:`presence_arrays`)."""
    units = panel.units
    months = panel.last_month - panel.first_month + 1
    present, forces = presence_arrays(
        presence, units, panel.first_month, months, panel.level == "country"
    )
    weights = adjacency(units) if panel.level == "admin1" else np.zeros((len(units), len(units)))
    return History(
        country=panel.country,
        level=panel.level,
        units=tuple(units),
        first_month=panel.first_month,
        deaths=_wide(panel, "deaths"),
        one_sided=_wide(panel, "deaths_one_sided"),
        state_based=_wide(panel, "deaths_state_based"),
        non_state=_wide(panel, "deaths_non_state"),
        events=_wide(panel, "events"),
        national=_national(panel),
        presence=present,
        forces=forces,
        neighbours=weights,
    )


def load_history(country: str, level: str) -> History:
    """The public history of a country at a level, from the database.

    Events and presence records are those an anonymous visitor may see, so the forecasts made
    from this history can be shown to everyone.
    """
    from commonground.analysis.panels import build_panel
    from commonground.events.queries import visible_events
    from commonground.registry.queries import visible_presence

    if level not in ("country", "admin1"):
        raise ValueError(f"forecasts are made for country or admin1, not {level!r}")
    panel = build_panel(visible_events(None), country, level)  # type: ignore[arg-type]  # checked above
    rows = visible_presence(None).filter(country_code=country)
    records: list[PresenceRecord] = [
        (
            code,
            str(org),
            place,
            kind,
            month_id(start) if start else None,
            month_id(end) if end else None,
        )
        for code, org, place, kind, start, end in rows.values_list(
            "area__code", "organization_id", "place", "actor_kind", "start_date", "end_date"
        )
    ]
    return history_from_panel(panel, records)
