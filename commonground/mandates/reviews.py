"""The review calendar of a mission: end dates, deadlines, strategic reviews and what changed.

- **Recorded items** (:class:`ReviewItem`, read through the access policy): mandate end dates and
  reporting deadlines (public facts) and strategic reviews (public or owned). Each says whether
  its date was read in a source or derived, and how (:func:`derive_end_dates`).
- **Review points.** The Council's renewals and every recorded strategic review. The rule "a
  strategic review at least every two years" flags every interval between two review points,
  or from the last one to today, longer than :data:`REVIEW_EVERY_DAYS`; and the mission is
  *overdue* when the last recorded strategic review (or, with none, the first resolution) is
  more than that before today.
- **What changed**, per interval, each through the access policy or the gate: the events the
  viewer may see in the mission's country by admin-1 area; the current stored admin-1 forecast's
  risk of one-sided violence over its months in the interval; the community-report figures
  released to the viewer through the disclosure gate (``sharing.gate.release`` of the published
  table ``voices-area-month``, never reports); the peace-agreement implementation events, and
  how the implementation scores moved (mean score and provisions up or down).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext_noop

from commonground.analysis.coverage import combined_probability
from commonground.events.queries import visible_events
from commonground.forecasts.models import ForecastRun
from commonground.forecasts.queries import current_forecast
from commonground.mandates import scoring
from commonground.mandates.coverage import boundaries, boundary_code, mission_country
from commonground.mandates.models import (
    AgreementEvent,
    Direction,
    ImplementationScore,
    Resolution,
    ReviewItem,
    ReviewKind,
)
from commonground.mandates.queries import MISSION_BODY_KINDS, agreements, visible
from commonground.sharing import gate
from commonground.sharing.policy import AnyUser

#: "At least every two years", in days (two years of 365 days and one leap day).
REVIEW_EVERY_DAYS = 731
#: How many areas of highest forecast risk an interval shows.
FORECAST_AREAS = 3


@dataclass(frozen=True)
class AreaChange:
    code: str
    name: str
    events: int
    deaths: int


@dataclass(frozen=True)
class ReviewPoint:
    """A renewal (``resolution``) or a recorded strategic review (``review``)."""

    date: datetime.date
    resolution: Resolution | None = None
    review: ReviewItem | None = None

    @property
    def number(self) -> int | None:
        return self.resolution.number if self.resolution else None


@dataclass(frozen=True)
class AreaRisk:
    code: str
    name: str
    risk: float


@dataclass(frozen=True)
class ScoreChange:
    """How one scorer's implementation scores of an agreement moved over an interval."""

    agreement: str
    scorer: str
    before: float | None  # mean score of the last half-year begun before the interval
    after: float | None  # mean score of the last half-year begun before its end
    up: int
    down: int

    @property
    def change(self) -> float | None:
        if self.after is None:
            return None
        return self.after - (self.before or 0.0)


@dataclass(frozen=True)
class VoicesChange:
    """One owner's released monthly totals of community reports falling in an interval."""

    owner: str
    released: int  # the sum of the released monthly totals
    months_released: int
    months_withheld: int  # suppressed or withheld cells: not counted, never guessed


@dataclass(frozen=True)
class ReviewWindow:
    """The interval from one review point to the next (or to today)."""

    start: datetime.date
    end: datetime.date
    before: ReviewPoint
    after: ReviewPoint | None  # None: the interval runs to today
    areas: list[AreaChange]
    unplaced_events: int
    agreement_events: list[AgreementEvent]
    forecast: list[AreaRisk] = field(default_factory=list)
    forecast_runs: int = 0
    scores: list[ScoreChange] = field(default_factory=list)
    voices: list[VoicesChange] = field(default_factory=list)

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


@dataclass(frozen=True)
class Calendar:
    mission: str
    today: datetime.date
    items: list[ReviewItem]
    windows: list[ReviewWindow]
    last_review: ReviewItem | None
    first_adopted: datetime.date | None

    @property
    def since(self) -> datetime.date | None:
        """The last recorded strategic review, or with none the first resolution."""
        return self.last_review.date if self.last_review else self.first_adopted

    @property
    def days_since_review(self) -> int | None:
        return (self.today - self.since).days if self.since else None

    @property
    def overdue(self) -> bool:
        days = self.days_since_review
        return days is not None and days > REVIEW_EVERY_DAYS

    def of_kind(self, kind: str) -> list[ReviewItem]:
        return [i for i in self.items if i.kind == kind]

    @property
    def end_dates(self) -> list[ReviewItem]:
        return self.of_kind(ReviewKind.MANDATE_END)

    @property
    def deadlines(self) -> list[ReviewItem]:
        return self.of_kind(ReviewKind.REPORTING)

    @property
    def strategic_reviews(self) -> list[ReviewItem]:
        return self.of_kind(ReviewKind.STRATEGIC_REVIEW)


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
    names = area_names()
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


def area_names() -> dict[str, str]:
    return {b.code: b.name for b in boundaries()[0]}


def month_in(month: str, start: datetime.date, end: datetime.date) -> bool:
    """Whether a ``YYYY-MM`` month counts in the interval: from the start's month up to, not
    including, the end's month (so each month counts in one interval only)."""
    return f"{start:%Y-%m}" <= month < f"{end:%Y-%m}"


def forecast_risks(forecast: Any, start: datetime.date, end: datetime.date) -> list[AreaRisk]:
    """The areas of highest risk of one-sided violence over the forecast's months in it."""
    if forecast is None:
        return []
    names = area_names()
    risks = []
    for unit, steps in forecast.units.items():
        inside = [s.p_one_sided for s in steps if month_in(s.month, start, end)]
        if inside:
            code = boundary_code(unit) or unit
            risks.append(AreaRisk(code, names.get(code, code), combined_probability(inside)))
    return sorted(risks, key=lambda r: (-r.risk, r.code))[:FORECAST_AREAS]


def latest_before(
    scores: list[ImplementationScore], day: datetime.date
) -> dict[Any, ImplementationScore]:
    """Each provision's score of the last half-year begun before ``day``."""
    found: dict[Any, ImplementationScore] = {}
    for s in sorted(scores, key=lambda s: s.period):
        if s.period < day:
            found[s.provision_id] = s
    return found


def score_change(
    agreement: str,
    scorer: str,
    scores: list[ImplementationScore],
    start: datetime.date,
    end: datetime.date,
) -> ScoreChange:
    ups = scoring.roll_ups(scores)
    before = [u.overall for u in ups if u.period < start]
    after = [u.overall for u in ups if u.period < end]
    first, last = latest_before(scores, start), latest_before(scores, end)
    moved = [(first[p].score if p in first else 0, s.score) for p, s in last.items()]
    return ScoreChange(
        agreement,
        scorer,
        before[-1] if before else None,
        after[-1] if after else None,
        sum(1 for a, b in moved if b > a),
        sum(1 for a, b in moved if b < a),
    )


def scorers(user: AnyUser | None) -> list[tuple[str, str, list[ImplementationScore]]]:
    """Per visible agreement, the demonstration's scores (or the first scorer's)."""
    found = []
    for item in agreements(user):
        every = scoring.visible_scores(user, item["agreement"])
        labels = sorted({s.scorer_label for s in every})
        if not labels:
            continue
        chosen = scoring.DEMO_SCORER if scoring.DEMO_SCORER in labels else labels[0]
        mine = [s for s in every if s.scorer_label == chosen]
        found.append((item["agreement"], chosen, mine))
    return found


def voices_change(
    released: list[gate.ReleasedTable], start: datetime.date, end: datetime.date
) -> list[VoicesChange]:
    """Released monthly totals (all areas) of each owner's table in the interval; nothing else."""
    found = []
    for table in released:
        cells = [
            c
            for c in table.cells
            if not c.cell[0] and c.cell[1] and month_in(c.cell[1][-1], start, end)
        ]
        if not cells:
            continue
        shown = [c for c in cells if c.status == gate.RELEASED and c.value is not None]
        found.append(
            VoicesChange(
                str(table.owner),
                sum(c.value or 0 for c in shown),
                len(shown),
                len(cells) - len(shown),
            )
        )
    return found


def review_calendar(
    user: AnyUser | None,
    mission: str,
    today: datetime.date | None = None,
    released: list[gate.ReleasedTable] | None = None,
) -> Calendar:
    """The mission's recorded items and every interval between its review points.

    ``released`` are the voices tables the caller received through the gate (the view asks the
    gate; this module never reads reports).
    """
    today = today or datetime.date.today()
    resolutions = list(visible(Resolution, user).filter(mission=mission).order_by("adopted"))
    items = list(
        visible(ReviewItem, user).filter(mission=mission).select_related("resolution", "owner")
    )
    # Only a body of the mission reviews it (``MISSION_BODY_KINDS``); another's record is shown
    # on the calendar but is no review point and clears no flag.
    reviews = [
        i
        for i in items
        if i.kind == ReviewKind.STRATEGIC_REVIEW
        and i.date <= today
        and i.owner.kind in MISSION_BODY_KINDS
    ]
    points = sorted(
        [ReviewPoint(r.adopted, resolution=r) for r in resolutions]
        + [ReviewPoint(i.date, review=i) for i in reviews],
        key=lambda p: (p.date, p.review is not None),
    )
    country = mission_country(user, mission)
    agreement_events = list(visible(AgreementEvent, user).order_by("date", "key"))
    forecast = current_forecast(country, "admin1") if country else None
    runs = (
        list(ForecastRun.objects.filter(country=country).values_list("made_at", flat=True))
        if country
        else []
    )
    scored = scorers(user)
    windows = []
    for index, before in enumerate(points):
        after = points[index + 1] if index + 1 < len(points) else None
        start, end = before.date, after.date if after else today
        if end <= start and after is not None:
            continue
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
                forecast_risks(forecast, start, end),
                sum(1 for made in runs if start <= made.date() < end),
                [score_change(a, s, mine, start, end) for a, s, mine in scored],
                voices_change(released or [], start, end),
            )
        )
    return Calendar(
        mission,
        today,
        items,
        windows,
        reviews[-1] if reviews else None,
        resolutions[0].adopted if resolutions else None,
    )


# --- Seeding the mandate end dates ---------------------------------------------------------------

#: A row of the "Resolutions covered" table of the data's README: number, adoption, "mandate until".
README_ROW = re.compile(
    r"^\|\s*(?P<number>\d{4})\s*\|\s*(?P<adopted>\d{4}-\d{2}-\d{2})\s*\|[^|]*\|"
    r"\s*(?P<until>\d{1,2} [A-Z][a-z]{2} \d{4})\s*\|"
)


def stated_end_dates(readme: Path | None) -> dict[int, datetime.date]:
    """The "mandate until" column of the data's README table, by resolution number."""
    if readme is None or not readme.exists():
        return {}
    found = {}
    for line in readme.read_text(encoding="utf-8").splitlines():
        match = README_ROW.match(line)
        if match:
            until = datetime.datetime.strptime(match["until"], "%d %b %Y").date()
            found[int(match["number"])] = until
    return found


@dataclass(frozen=True)
class EndDate:
    resolution: Resolution
    date: datetime.date
    basis: str  # DateBasis
    how: str


def derive_end_dates(
    resolutions: list[Resolution], stated: dict[int, datetime.date]
) -> list[EndDate]:
    """Each resolution's mandate end date: stated when the README gives it, else derived.

    Derived: the adoption date of the next renewal in the tasks file (the mandate set by a
    resolution ran until the next one replaced it). The last resolution has no derived date.
    """
    ordered = sorted(resolutions, key=lambda r: r.adopted)
    found = []
    for index, resolution in enumerate(ordered):
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        if resolution.number in stated:
            found.append(EndDate(resolution, stated[resolution.number], "stated", STATED_HOW))
        elif following is not None:
            how = DERIVED_HOW.format(number=following.number)
            found.append(EndDate(resolution, following.adopted, "derived", how))
    return found


#: Stored in English (pages translate them; the French is in the catalogue).
STATED_HOW = gettext_noop(
    "Stated in the 'mandate until' column of the data README (mandates/README.md), "
    "from the UN press release of the adoption."
)
DERIVED_HOW = (
    "Derived from the tasks file: the adoption date of the next renewal, S/RES/{number}, "
    "which replaced this mandate."
)
