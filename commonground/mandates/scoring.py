"""Peace-agreement implementation scores in the manner of the Peace Accords Matrix.

- **Scale** (``Score``): 0 not initiated, 1 minimal, 2 intermediate, 3 full, per provision and
  half-year (periods start on 1 January and 1 July).
- **Scores are owned records** (``ImplementationScore``): the scorer (a user, or the
  demonstration rule) and the organization that owns them; read through the access policy.
- **Agreement between two scorers** of one organization on the same provisions and half-years:
  Cohen's kappa (scikit-learn's ``cohen_kappa_score``), unweighted and quadratic-weighted. The
  scale is ordinal, so a 0 against a 3 is a worse disagreement than a 2 against a 3; quadratic
  weights count a disagreement by its squared distance (docs/adr/0024).
- **Roll-ups**: for one scorer, per half-year, the mean score of the provisions of each theme
  and of all provisions scored for that half-year.
- **The demonstration rule** (:func:`demo_score`), for the demo only and labelled so everywhere:
  a provision's score for a half-year is the number of cited advances concerning it up to the
  end of the half-year, capped at 3, less one for each cited setback concerning it dated in that
  half-year, never below 0. The events counted are the score's evidence.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sklearn.metrics import cohen_kappa_score

from commonground.mandates.models import (
    AgreementEvent,
    Direction,
    ImplementationScore,
    Provision,
)
from commonground.mandates.queries import agreement_events, agreement_provisions, visible
from commonground.sharing.policy import AnyUser

#: The scorer label of the demonstration scores.
DEMO_SCORER = "demonstration rule"


def half_year(day: datetime.date) -> datetime.date:
    """The first day of the half-year holding ``day``."""
    return datetime.date(day.year, 1 if day.month <= 6 else 7, 1)


def half_year_end(period: datetime.date) -> datetime.date:
    """The day after the half-year that starts on ``period``."""
    return (
        datetime.date(period.year, 7, 1)
        if period.month == 1
        else datetime.date(period.year + 1, 1, 1)
    )


def half_years(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every half-year from the one holding ``first`` to the one holding ``last``."""
    found, period = [], half_year(first)
    while period <= half_year(last):
        found.append(period)
        period = half_year_end(period)
    return found


def period_label(period: datetime.date) -> str:
    return f"{period.year}-H{1 if period.month == 1 else 2}"


# --- The demonstration rule ------------------------------------------------------------------


@dataclass(frozen=True)
class DemoScore:
    provision: Provision
    period: datetime.date
    score: int
    events: list[AgreementEvent]


def demo_score(
    events: Sequence[AgreementEvent], period: datetime.date
) -> tuple[int, list[AgreementEvent]]:
    """The rule's score of one provision for one half-year from its events, and the evidence."""
    end = half_year_end(period)
    advances = [e for e in events if e.direction == Direction.ADVANCE and e.date < end]
    setbacks = [e for e in events if e.direction == Direction.SETBACK and period <= e.date < end]
    return max(0, min(3, len(advances)) - len(setbacks)), advances + setbacks


def demo_scores(user: AnyUser | None, agreement: str) -> list[DemoScore]:
    """The rule's scores of every visible provision for every half-year of the events."""
    events = agreement_events(user, agreement)
    if not events:
        return []
    periods = half_years(events[0].date, events[-1].date)
    by_provision: dict[object, list[AgreementEvent]] = {}
    for event in events:
        for provision in event.visible_provisions:  # type: ignore[attr-defined]  # set by queries
            by_provision.setdefault(provision.pk, []).append(event)
    found = []
    for provision in agreement_provisions(user, agreement):
        mine = by_provision.get(provision.pk, [])
        for period in periods:
            score, evidence = demo_score(mine, period)
            found.append(DemoScore(provision, period, score, evidence))
    return found


# --- Reading scores, roll-ups, agreement ---------------------------------------------------------


def visible_scores(user: AnyUser | None, agreement: str) -> list[ImplementationScore]:
    """The agreement's scores the user may see, on provisions the user may see."""
    provisions = agreement_provisions(user, agreement)
    return list(
        visible(ImplementationScore, user)
        .filter(provision__in=provisions)
        .select_related("provision", "owner")
        .prefetch_related("events")
        .order_by("provision__source_row", "period", "scorer_label")
    )


@dataclass(frozen=True)
class RollUp:
    period: datetime.date
    overall: float
    themes: dict[str, float]
    provisions: int


def mean(values: Iterable[int]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


def roll_ups(scores: Iterable[ImplementationScore]) -> list[RollUp]:
    """Per half-year, the mean score overall and per theme (the scores of one scorer)."""
    by_period: dict[datetime.date, list[ImplementationScore]] = {}
    for score in scores:
        by_period.setdefault(score.period, []).append(score)
    found = []
    for period in sorted(by_period):
        items = by_period[period]
        themes: dict[str, list[int]] = {}
        for s in items:
            themes.setdefault(s.provision.theme or "—", []).append(s.score)
        found.append(
            RollUp(
                period,
                mean(s.score for s in items),
                {t: mean(v) for t, v in sorted(themes.items())},
                len(items),
            )
        )
    return found


@dataclass(frozen=True)
class Agreement:
    """How two scorers of one organization agree on the items both scored."""

    organization: str
    first: str
    second: str
    items: int
    same: int
    kappa: float | None
    weighted_kappa: float | None


def kappa(first: Sequence[int], second: Sequence[int], weights: str | None = None) -> float | None:
    """Cohen's kappa of two scorers' paired scores; None when it is undefined (one category)."""
    if not first or len(set(first) | set(second)) < 2:
        return None
    return float(cohen_kappa_score(first, second, labels=[0, 1, 2, 3], weights=weights))


def scorer_agreement(scores: Iterable[ImplementationScore]) -> list[Agreement]:
    """Every pair of scorers of one organization with items in common (demonstration excluded)."""
    table: dict[tuple[str, str], dict[tuple[object, datetime.date], int]] = {}
    for s in scores:
        if s.is_demonstration:
            continue
        table.setdefault((str(s.owner), s.scorer_label), {})[(s.provision_id, s.period)] = s.score
    found = []
    keys = sorted(table)
    for i, (org, one) in enumerate(keys):
        for other_org, two in keys[i + 1 :]:
            if other_org != org:
                continue
            common = sorted(set(table[(org, one)]) & set(table[(org, two)]), key=str)
            if not common:
                continue
            a = [table[(org, one)][k] for k in common]
            b = [table[(org, two)][k] for k in common]
            found.append(
                Agreement(
                    org,
                    one,
                    two,
                    len(common),
                    sum(1 for x, y in zip(a, b, strict=True) if x == y),
                    kappa(a, b),
                    kappa(a, b, "quadratic"),
                )
            )
    return found
