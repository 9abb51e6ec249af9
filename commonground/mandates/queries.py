"""Reads of mandates, agreements and deployments, through the access policy.

These records are public facts, but they are owned records like the registry's: every read goes
through :func:`commonground.sharing.policy.access_owned`, so a record imported with a higher
sensitivity (or by an organization the viewer may not see) stays hidden.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Count, Model, QuerySet, Sum

from commonground.mandates.models import (
    AgreementEvent,
    CapabilityNeed,
    Deployment,
    MandateTask,
    Mode,
    Provision,
    Resolution,
    TaskCategory,
    Tier,
)
from commonground.registry.models import LeadType, Operation
from commonground.sharing.models import ROLE_RANK, Organization, OrganizationKind, Role
from commonground.sharing.policy import AnyUser, access_owned, viewer_for

M = TypeVar("M", bound=Model)

#: Tiers from highest to lowest; a task listed twice in a resolution counts at its highest.
TIER_ORDER = (Tier.PRIORITY, Tier.OTHER, Tier.UNSTATED)


def mandate_counts(access: Callable[[QuerySet[Any]], QuerySet[Any]]) -> dict[str, int]:
    """The four counts ``commonground stats`` shows, through the given access rule."""
    return {
        "mandate_tasks": access(MandateTask.objects.all()).count(),
        "agreement_provisions": access(Provision.objects.all()).count(),
        "agreement_events": access(AgreementEvent.objects.all()).count(),
        "deployments": access(Deployment.objects.all()).count(),
    }


def visible(model: type[M], user: AnyUser | None) -> QuerySet[M]:
    return access_owned(model._default_manager.all(), user)


def visible_tasks(user: AnyUser | None, mission: str) -> QuerySet[MandateTask]:
    """A mission's tasks the user may see, whose resolution the user may see too."""
    resolutions = visible(Resolution, user).filter(mission=mission)
    return (
        visible(MandateTask, user)
        .filter(resolution__in=resolutions)
        .select_related("resolution", "category", "import_run")
    )


# --- Missions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MissionSummary:
    mission: str
    resolutions: int
    deployments: int
    first_year: int | None
    last_year: int | None


def missions(user: AnyUser | None) -> list[MissionSummary]:
    """Every mission with a visible resolution or deployment, by acronym."""
    resolutions = dict(
        visible(Resolution, user).values_list("mission").annotate(n=Count("pk")).order_by()
    )
    years: dict[str, list[int]] = {}
    deployments: dict[str, int] = {}
    rows = visible(Deployment, user).values("mission", "year").annotate(n=Count("pk")).order_by()
    for row in rows:
        years.setdefault(row["mission"], []).append(row["year"])
        deployments[row["mission"]] = deployments.get(row["mission"], 0) + row["n"]
    return [
        MissionSummary(
            mission,
            resolutions.get(mission, 0),
            deployments.get(mission, 0),
            min(years[mission]) if mission in years else None,
            max(years[mission]) if mission in years else None,
        )
        for mission in sorted(set(resolutions) | set(deployments))
    ]


def mission_of(user: AnyUser | None, acronym: str) -> MissionSummary | None:
    """The visible mandate and deployment records of the mission with this acronym, if any: what
    the registry's operation page links to."""
    return next((m for m in missions(user) if m.mission.casefold() == acronym.casefold()), None)


def mission_exists(mission: str) -> bool:
    """Whether any record names the mission: only to tell the audit log about a denied read."""
    return (
        Resolution.objects.filter(mission=mission).exists()
        or Deployment.objects.filter(mission=mission).exists()
    )


def operation_for(user: AnyUser | None, mission: str) -> Operation | None:
    """The registry's visible UN operation with this acronym (MINUSCA), if any."""
    operations = access_owned(Operation.objects.filter(acronym__iexact=mission), user)
    return operations.filter(lead_type=LeadType.UN_PKO).first() or operations.first()


# --- Mandate over time --------------------------------------------------------------------------


@dataclass
class ResolutionTasks:
    """One resolution and its visible tasks, by tier."""

    resolution: Resolution
    tasks: list[MandateTask]
    by_tier: dict[str, list[MandateTask]] = field(default_factory=dict)
    by_mode: dict[str, int] = field(default_factory=dict)

    @property
    def tier_groups(self) -> list[tuple[str, str, list[MandateTask]]]:
        """(tier, label, tasks) from priority down, for the page."""
        return [(t.value, str(t.label), self.by_tier.get(t.value, [])) for t in TIER_ORDER]

    @property
    def mode_counts(self) -> list[tuple[str, str, int]]:
        """(mode, label, tasks) for every mode, zero included."""
        return [(m.value, str(m.label), self.by_mode.get(m.value, 0)) for m in Mode]


def mandate_over_time(user: AnyUser | None, mission: str) -> list[ResolutionTasks]:
    """Each visible resolution of the mission, oldest first, with its tasks by tier and mode."""
    tasks: dict[Any, list[MandateTask]] = {}
    for task in visible_tasks(user, mission).order_by("source_row"):
        tasks.setdefault(task.resolution_id, []).append(task)
    out = []
    for resolution in visible(Resolution, user).filter(mission=mission).order_by("adopted"):
        mine = tasks.get(resolution.pk, [])
        by_mode: dict[str, int] = {}
        for task in mine:
            by_mode[task.mode] = by_mode.get(task.mode, 0) + 1
        out.append(
            ResolutionTasks(
                resolution,
                mine,
                {tier.value: [t for t in mine if t.tier == tier] for tier in TIER_ORDER},
                by_mode,
            )
        )
    return out


@dataclass(frozen=True)
class TaskState:
    """What a resolution says of one task category: its highest tier and its modes."""

    code: str
    label_en: str
    label_fr: str
    tier: str
    modes: frozenset[str]

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label)

    @property
    def mode_labels(self) -> str:
        return ", ".join(str(Mode(m).label) for m in sorted(self.modes))


def task_states(tasks: list[MandateTask]) -> dict[str, TaskState]:
    """Task category -> its state in one resolution (rows of a category merged)."""
    states: dict[str, TaskState] = {}
    for task in tasks:
        code = task.category.key
        before = states.get(code)
        tier = task.tier
        if before is not None and TIER_ORDER.index(Tier(before.tier)) < TIER_ORDER.index(
            Tier(tier)
        ):
            tier = before.tier
        modes = (before.modes if before else frozenset()) | {task.mode}
        states[code] = TaskState(code, task.category.label_en, task.category.label_fr, tier, modes)
    return states


@dataclass
class MandateDiff:
    """What a renewal changed, by task category (see docs/mandates.md, "The diff")."""

    before: Resolution
    after: Resolution
    added: list[TaskState]
    dropped: list[TaskState]
    promoted: list[tuple[TaskState, TaskState]]
    demoted: list[tuple[TaskState, TaskState]]
    mode_changed: list[tuple[TaskState, TaskState]]
    kept: int


def diff_resolutions(before: ResolutionTasks, after: ResolutionTasks) -> MandateDiff:
    """Added and dropped categories; promoted to or demoted from the priority tier; modes changed.

    A category is promoted when it becomes a priority task, demoted when it stops being one; a
    move between ``other`` and ``unstated`` is neither (``unstated`` says the tier was not read).
    """
    old, new = task_states(before.tasks), task_states(after.tasks)
    both = sorted(set(old) & set(new))
    priority = Tier.PRIORITY.value
    return MandateDiff(
        before=before.resolution,
        after=after.resolution,
        added=[new[c] for c in sorted(set(new) - set(old))],
        dropped=[old[c] for c in sorted(set(old) - set(new))],
        promoted=[
            (old[c], new[c]) for c in both if old[c].tier != priority and new[c].tier == priority
        ],
        demoted=[
            (old[c], new[c]) for c in both if old[c].tier == priority and new[c].tier != priority
        ],
        mode_changed=[(old[c], new[c]) for c in both if old[c].modes != new[c].modes],
        kept=len(both),
    )


def mandate_diff(
    user: AnyUser | None, mission: str, before: int | None, after: int | None
) -> MandateDiff | None:
    """The diff between two visible resolutions of the mission (numbers); by default the last
    renewal against the one before it. None when either is not there."""
    timeline = mandate_over_time(user, mission)
    numbers = [item.resolution.number for item in timeline]
    if after is None and len(numbers) >= 2:
        after = numbers[-1]
    if before is None and after in numbers and numbers.index(after) > 0:
        before = numbers[numbers.index(after) - 1]
    if before not in numbers or after not in numbers:
        return None
    return diff_resolutions(timeline[numbers.index(before)], timeline[numbers.index(after)])


def renewals(timeline: list[ResolutionTasks]) -> list[tuple[int, int]]:
    """Each resolution number with the one before it: the diffs worth a link."""
    numbers = [item.resolution.number for item in timeline]
    return list(itertools.pairwise(numbers))


# --- Agreements ---------------------------------------------------------------------------------


def agreements(user: AnyUser | None) -> list[dict[str, Any]]:
    """Every agreement with visible provisions: its name, provisions and events."""
    provisions = dict(
        visible(Provision, user).values_list("agreement").annotate(n=Count("pk")).order_by()
    )
    events = dict(
        visible(AgreementEvent, user).values_list("agreement").annotate(n=Count("pk")).order_by()
    )
    return [
        {"agreement": name, "provisions": provisions.get(name, 0), "events": events.get(name, 0)}
        for name in sorted(set(provisions) | set(events))
    ]


def agreement_exists(agreement: str) -> bool:
    return Provision.objects.filter(agreement=agreement).exists()


def agreement_provisions(user: AnyUser | None, agreement: str) -> QuerySet[Provision]:
    """The agreement's visible provisions in file order, with how many events concern each."""
    return (
        visible(Provision, user)
        .filter(agreement=agreement)
        .select_related("import_run")
        .order_by("source_row")
    )


def agreement_events(user: AnyUser | None, agreement: str) -> list[AgreementEvent]:
    """The agreement's visible events, oldest first, each with its visible provisions."""
    provisions = {p.pk: p for p in agreement_provisions(user, agreement)}
    events = list(
        visible(AgreementEvent, user)
        .filter(agreement=agreement)
        .prefetch_related("provisions")
        .select_related("import_run")
        .order_by("date", "key")
    )
    for event in events:
        event.visible_provisions = [  # type: ignore[attr-defined]  # for the template
            provisions[p.pk] for p in event.provisions.all() if p.pk in provisions
        ]
    return events


# --- Deployments --------------------------------------------------------------------------------


def deployments(
    user: AnyUser | None, mission: str, year: int | None = None
) -> QuerySet[Deployment]:
    """A mission's visible deployments (in one year if given), by year and location."""
    rows = visible(Deployment, user).filter(mission=mission).order_by("year", "location", "key")
    return rows.filter(year=year) if year is not None else rows


def troops_by_year(user: AnyUser | None, mission: str) -> list[dict[str, Any]]:
    """Per year: locations, the sum of troops, and how many locations have troops unknown (NA)."""
    rows = (
        deployments(user, mission)
        .values("year")
        .annotate(locations=Count("pk"), troop_sum=Sum("troops"), known=Count("troops"))
        .order_by("year")
    )
    return [
        {
            "year": row["year"],
            "locations": row["locations"],
            "troops": row["troop_sum"] or 0,
            "unknown": row["locations"] - row["known"],
        }
        for row in rows
    ]


# --- Capability needs (owned records) -----------------------------------------------------------


def may_edit_for(user: AnyUser | None, owner_id: Any) -> bool:
    """Analysts and above of the owning organization (or a platform administrator) write its
    capability statements and scores; viewers read them."""
    viewer = viewer_for(user)
    return viewer.is_platform_admin or viewer.rank_in(owner_id) >= ROLE_RANK[Role.ANALYST]


def may_plan_for(user: AnyUser | None, owner_id: Any) -> bool:
    """Capability statements: also the owning organization's mission planners."""
    viewer = viewer_for(user)
    return may_edit_for(user, owner_id) or viewer.roles.get(owner_id) == Role.PLANNER


#: Who keeps a mission's review calendar: the bodies of missions (UN or regional missions and
#: their military components). A government, a parallel force or an NGO reads the calendar but
#: does not record the mission's deadlines or reviews: their "strategic review" would clear the
#: mission's overdue flag for everyone.
MISSION_BODY_KINDS = frozenset(
    {
        OrganizationKind.UN_MISSION,
        OrganizationKind.REGIONAL_ORGANIZATION,
        OrganizationKind.MILITARY_COMPONENT,
    }
)


def may_keep_calendar_for(user: AnyUser | None, owner_id: Any) -> bool:
    """Recording a mission's deadlines and strategic reviews: the planners' rule
    (:func:`may_plan_for`), for a body of a mission only."""
    if not may_plan_for(user, owner_id):
        return False
    return Organization.objects.filter(pk=owner_id, kind__in=MISSION_BODY_KINDS).exists()


def editing_organizations(
    user: AnyUser | None, may: Callable[[AnyUser | None, Any], bool] = may_edit_for
) -> list[Organization]:
    """The organizations for which the user may write scores (or, with ``may_plan_for``,
    capability statements)."""
    viewer = viewer_for(user)
    if viewer.user_id is None:
        return []
    if viewer.is_platform_admin:
        return list(Organization.objects.order_by("name"))
    return [
        org
        for org in Organization.objects.filter(pk__in=list(viewer.roles)).order_by("name")
        if may(user, org.pk)
    ]


def task_category(user: AnyUser | None, mission: str, code: str) -> TaskCategory | None:
    """The category, if the user may see it and one of the mission's visible tasks uses it."""
    if not visible_tasks(user, mission).filter(category__key=code).exists():
        return None
    return visible(TaskCategory, user).filter(key=code).first()


def task_rows(user: AnyUser | None, mission: str, code: str) -> list[MandateTask]:
    """The mission's visible tasks of one category, oldest resolution first."""
    return list(
        visible_tasks(user, mission)
        .filter(category__key=code)
        .order_by("resolution__adopted", "source_row")
    )


def visible_needs(user: AnyUser | None, mission: str, code: str) -> QuerySet[CapabilityNeed]:
    """The capability statements of a task the user may see, with their owners."""
    return (
        visible(CapabilityNeed, user)
        .filter(mission=mission, category__key=code)
        .select_related("owner", "changed_by")
        .order_by("owner__name", "capability")
    )


def visible_need(user: AnyUser | None, pk: str) -> CapabilityNeed | None:
    """A statement the user may see by its id; None for a hidden, missing or malformed id."""
    try:
        key = uuid.UUID(pk)
    except ValueError:
        return None
    return visible(CapabilityNeed, user).filter(pk=key).select_related("category", "owner").first()
