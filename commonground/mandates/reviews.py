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

    @property
    def upcoming_deadlines(self) -> list[ReviewItem]:
        """Reporting deadlines from today on, soonest first."""
        return [i for i in self.deadlines if i.date >= self.today]

    @property
    def past_deadlines(self) -> list[ReviewItem]:
        """Reporting deadlines before today, the latest first: "reporting due", not "missed"
        (whether the report came is not recorded)."""
        return sorted((i for i in self.deadlines if i.date < self.today), key=lambda i: i.date)[
            ::-1
        ]

    @property
    def next_deadline(self) -> ReviewItem | None:
        upcoming = self.upcoming_deadlines
        return upcoming[0] if upcoming else None


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


# --- Seeding the reporting deadlines -------------------------------------------------------------


@dataclass(frozen=True)
class ReportingCycle:
    """How often a resolution asked the Secretary-General to report, as a cited source says.

    ``first``: the first deadline when the source states it (the dates are then stated: the
    first and every ``months`` after it while the mandate runs). Without it, the dates are
    derived (:func:`cycle_dates`). ``follows``: no source was read for this resolution; its
    dates repeat the cycle of that earlier resolution and are derived.
    """

    resolution: int
    months: int
    source_url: str
    document: str  # the document read, e.g. "S/2015/227"
    confidence: str  # Confidence
    first: datetime.date | None = None
    follows: int | None = None


#: The reporting cycles of MINUSCA's resolutions (docs/mandates.md, "Reporting deadlines").
#: Cited: 2149 (S/2015/227 quotes it: every four months starting on 1 August 2014), 2499
#: (S/2020/545: every four months) and 2605 (S/2022/762: every four months). The others of the
#: same November-to-November kind repeat the latest cited cycle before them; 2217, 2301, 2387
#: and 2448 (mandates of other calendars, technical rollovers) are left out: no cycle was read.
S_2015_227 = (
    "https://fdocuments.us/document/security-65bfcf9b-6d27-4e9c-2019-1-5-united-nations-s-"
    "2015227-security.html"
)
S_2020_545 = (
    "https://vdocuments.us/s-security-council-minusca-2020-6-22-central-african-republic-"
    "20-07544-e.html"
)
S_2022_762 = (
    "https://reliefweb.int/report/central-african-republic/"
    "central-african-republic-report-secretary-general-s2022762"
)
REPORTING_CYCLES: dict[str, tuple[ReportingCycle, ...]] = {
    "MINUSCA": (
        ReportingCycle(2149, 4, S_2015_227, "S/2015/227", "medium", datetime.date(2014, 8, 1)),
        ReportingCycle(2499, 4, S_2020_545, "S/2020/545", "medium"),
        ReportingCycle(2552, 4, S_2020_545, "S/2020/545", "medium", follows=2499),
        ReportingCycle(2605, 4, S_2022_762, "S/2022/762", "high"),
        ReportingCycle(2659, 4, S_2022_762, "S/2022/762", "medium", follows=2605),
        ReportingCycle(2709, 4, S_2022_762, "S/2022/762", "medium", follows=2605),
        ReportingCycle(2759, 4, S_2022_762, "S/2022/762", "medium", follows=2605),
        ReportingCycle(2800, 4, S_2022_762, "S/2022/762", "medium", follows=2605),
    )
}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (or earlier); the days used here (1, 15) exist every month."""
    index = day.year * 12 + day.month - 1 + months
    return day.replace(year=index // 12, month=index % 12 + 1)


@dataclass(frozen=True)
class Deadline:
    resolution: Resolution
    date: datetime.date
    basis: str  # DateBasis
    cycle: ReportingCycle

    @property
    def how(self) -> str:
        """What the date rests on, in English (pages translate it: :func:`deadline_how`)."""
        return deadline_how(self.cycle, self.basis)


def cycle_dates(
    cycle: ReportingCycle, adopted: datetime.date, end: datetime.date
) -> list[datetime.date]:
    """The deadlines of a cycle within a mandate, from its adoption (excluded) to its end.

    Stated start: ``first`` and every ``months`` after it, before the end. No stated start: the
    last report is due one month before the mandate ends (so it can inform the renewal) and the
    others every ``months`` before it, after the adoption: a mandate until 15 November gives
    15 February, 15 June and 15 October, the dates the Secretary-General's reports kept.
    """
    found = []
    if cycle.first is not None:
        day = cycle.first
        while day < end:
            found.append(day)
            day = add_months(day, cycle.months)
        return found
    day = add_months(end, -1)
    while day > adopted:
        found.append(day)
        day = add_months(day, -cycle.months)
    return sorted(found)


def reporting_deadlines(
    mission: str, resolutions: list[Resolution], ends: dict[int, datetime.date]
) -> list[Deadline]:
    """Every reporting deadline of the mission's cited (or repeated) cycles, by date.

    ``ends``: each resolution's mandate end date (the README's stated ones); a resolution with
    none, or not stored, gives no deadline.
    """
    stored = {r.number: r for r in resolutions}
    found = []
    for cycle in REPORTING_CYCLES.get(mission, ()):
        resolution = stored.get(cycle.resolution)
        end = ends.get(cycle.resolution)
        if resolution is None or end is None:
            continue
        basis = "stated" if cycle.first is not None and cycle.follows is None else "derived"
        for day in cycle_dates(cycle, resolution.adopted, end):
            found.append(Deadline(resolution, day, basis, cycle))
    return sorted(found, key=lambda d: (d.date, d.resolution.number))


#: Stored in English; pages translate them (the French is in the catalogue).
HOW_STATED = gettext_noop(
    "Stated: S/RES/%(number)s asked for a report every %(months)s months from %(first)s, as "
    "the Secretary-General's report %(document)s says; this date is one of that cycle."
)
HOW_CITED = gettext_noop(
    "Derived: S/RES/%(number)s asked for a report every %(months)s months (read in the "
    "Secretary-General's report %(document)s); the dates are not in what was read: the last one "
    "month before the mandate ends, the others every %(months)s months before it."
)
HOW_FOLLOWS = gettext_noop(
    "Derived: no source for the reporting cycle of S/RES/%(number)s was read; the dates repeat "
    "the cycle of S/RES/%(follows)s (every %(months)s months, read in %(document)s): the last "
    "one month before the mandate ends, the others every %(months)s months before it."
)


def deadline_how(cycle: ReportingCycle, basis: str, translate: Any = None) -> str:
    """What a seeded deadline rests on; ``translate`` (e.g. gettext) gives it in the page's
    language, else English."""
    if cycle.follows is not None:
        text = HOW_FOLLOWS
    elif basis == "stated":
        text = HOW_STATED
    else:
        text = HOW_CITED
    values = {
        "number": cycle.resolution,
        "months": cycle.months,
        "first": cycle.first.isoformat() if cycle.first else "",
        "document": cycle.document,
        "follows": cycle.follows or "",
    }
    return (translate(text) if translate else text) % values


def seeded_cycle(item: ReviewItem) -> ReportingCycle | None:
    """The cited cycle a seeded reporting deadline came from (None: recorded by a person)."""
    if item.kind != ReviewKind.REPORTING or item.resolution is None:
        return None
    if not item.key.startswith(f"{item.mission}|report|"):
        return None
    cycles = REPORTING_CYCLES.get(item.mission, ())
    return next((c for c in cycles if c.resolution == item.resolution.number), None)
