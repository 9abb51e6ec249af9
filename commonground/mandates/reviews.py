"""The review calendar of a mission: renewals, end dates, review points and what changed between.

- **End dates and reporting deadlines** are not in the tasks file (it gives each resolution's
  number and adoption date only); the page says so for each resolution rather than guess.
- **Review points.** No strategic review is recorded in the data. The Council's renewals are the
  review points we have; the rule "a strategic review at least every two years" flags every
  interval between two review points, or from the last one to today, longer than
  :data:`REVIEW_EVERY_DAYS`.
- **What changed.** For each interval, through the access policy: the events the viewer may see
  in the mission's country, by admin-1 area (events and deaths, ``fatalities_best``), and the
  peace-agreement implementation events dated in it (advances and setbacks).
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass

from django.db.models import Count, Sum

from commonground.events.queries import visible_events
from commonground.mandates.coverage import boundaries, boundary_code, mission_country
from commonground.mandates.models import AgreementEvent, Direction, Resolution
from commonground.mandates.queries import visible
from commonground.sharing.policy import AnyUser

#: "At least every two years", in days (two years of 365 days and one leap day).
REVIEW_EVERY_DAYS = 731


@dataclass(frozen=True)
class AreaChange:
    code: str
    name: str
    events: int
    deaths: int


@dataclass(frozen=True)
class ReviewWindow:
    """The interval from one review point to the next (or to today)."""

    start: datetime.date
    end: datetime.date
    before: Resolution | None
    after: Resolution | None  # None: the interval runs to today
    areas: list[AreaChange]
    unplaced_events: int
    agreement_events: list[AgreementEvent]

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def too_long(self) -> bool:
        return self.days > REVIEW_EVERY_DAYS

    @property
    def events(self) -> int:
        return sum(a.events for a in self.areas) + self.unplaced_events

    @property
    def deaths(self) -> int:
        return sum(a.deaths for a in self.areas)

    @property
    def advances(self) -> int:
        return sum(1 for e in self.agreement_events if e.direction == Direction.ADVANCE)

    @property
    def setbacks(self) -> int:
        return sum(1 for e in self.agreement_events if e.direction == Direction.SETBACK)


def area_changes(
    user: AnyUser | None, country: str | None, start: datetime.date, end: datetime.date
) -> tuple[list[AreaChange], int]:
    """Events and deaths per admin-1 area from ``start`` (included) to ``end`` (excluded)."""
    if country is None:
        return [], 0
    rows = (
        visible_events(user)
        .filter(country_code=country, date_start__gte=start, date_start__lt=end)
        .order_by()
        .values("admin1__code")
        .annotate(n=Count("id"), d=Sum("fatalities_best"))
    )
    names = {b.code: b.name for b in boundaries()[0]}
    found: dict[str, list[int]] = {}
    unplaced = 0
    for row in rows:
        code = boundary_code(row["admin1__code"])
        if code is None:
            unplaced += row["n"]
            continue
        figures = found.setdefault(code, [0, 0])
        figures[0] += row["n"]
        figures[1] += row["d"] or 0
    areas = [AreaChange(c, names.get(c, c), n, d) for c, (n, d) in found.items()]
    return sorted(areas, key=lambda a: (-a.events, -a.deaths, a.code)), unplaced


def review_calendar(
    user: AnyUser | None, mission: str, today: datetime.date | None = None
) -> list[ReviewWindow]:
    """Every interval between the mission's visible resolutions, and from the last to today."""
    today = today or datetime.date.today()
    resolutions = list(visible(Resolution, user).filter(mission=mission).order_by("adopted"))
    country = mission_country(user, mission)
    agreement_events = list(visible(AgreementEvent, user).order_by("date", "key"))
    windows = []
    points: list[Resolution | None] = [*resolutions, None]
    for before, after in itertools.pairwise(points):
        if before is None:
            continue
        start, end = before.adopted, after.adopted if after else today
        areas, unplaced = area_changes(user, country, start, end)
        windows.append(
            ReviewWindow(
                start,
                end,
                before,
                after,
                areas,
                unplaced,
                [e for e in agreement_events if start <= e.date < end],
            )
        )
    return windows
