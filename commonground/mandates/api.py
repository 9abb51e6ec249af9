"""Read routes for mandates, the renewal diff, agreements and deployments (mounted by ``api``).

Every read goes through ``mandates.queries`` (the access policy), as the pages do. Schema names
start with ``Mandate``/``Agreement``/``Deployment`` so they stay unique in the OpenAPI document.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import P, PathEx, Query, Router, Schema
from pydantic import Field

from commonground.api.auth import ANONYMOUS_ALLOWED, READ
from commonground.api.errors import ErrorEnvelope
from commonground.api.paging import Page, Paging, paginate
from commonground.api.schemas import SLUG, QueryFilters
from commonground.mandates import coverage, queries, reviews, scoring
from commonground.mandates.models import (
    AgreementEvent,
    Capability,
    Confidence,
    Deployment,
    DeploymentContributor,
    DeploymentUnits,
    Direction,
    MandateTask,
    Mode,
    Provision,
    Score,
    Tier,
)
from commonground.sharing.markings import tlp_label
from commonground.sharing.policy import policy, record_denied

router = Router(tags=["mandates"])

ERRORS = frozenset({401, 404, 422})
#: A mission acronym as Geo-PKO and the tasks files write it (``UNAVEM II`` has a space).
MISSION = r"^[A-Za-z0-9][A-Za-z0-9 _-]*$"

MissionPath = PathEx[str, P(pattern=MISSION, max_length=80)]
AgreementPath = PathEx[str, P(pattern=SLUG, max_length=80)]


class MandateMissionOut(Schema):
    mission: str
    resolutions: int = Field(description="Resolutions coded with tasks.")
    deployments: int = Field(description="Geo-PKO rows.")
    first_year: int | None = Field(description="First year with a deployment.")
    last_year: int | None


class MandateResolutionOut(Schema):
    number: int
    year: int
    adopted: datetime.date
    source_url: str
    tasks: int
    by_tier: dict[str, int] = Field(description="Tasks per tier: priority, other, unstated.")
    by_mode: dict[str, int]


class MandateTaskOut(Schema):
    resolution: int
    task_code: str
    task: str
    task_fr: str
    paragraph: str = Field(description="Operative paragraph(s); empty where not established.")
    tier: Tier
    mode: Mode
    confidence: Confidence
    source_url: str
    evidence: str
    notes: str
    source_file: str
    source_row: int | None


class MandateTaskFilters(QueryFilters):
    resolution: int | None = Field(None, ge=1, le=99_999, description="One resolution only.")


class MandateTaskState(Schema):
    code: str
    label_en: str
    label_fr: str
    tier: Tier
    modes: list[Mode]


class MandateTaskChange(Schema):
    before: MandateTaskState
    after: MandateTaskState


class MandateDiffOut(Schema):
    before: int
    after: int
    kept: int
    added: list[MandateTaskState]
    dropped: list[MandateTaskState]
    promoted: list[MandateTaskChange] = Field(description="Became a priority task.")
    demoted: list[MandateTaskChange] = Field(description="Stopped being a priority task.")
    mode_changed: list[MandateTaskChange]


class MandateDiffFilters(QueryFilters):
    before: int | None = Field(None, ge=1, le=99_999, description="Earlier resolution.")
    after: int | None = Field(
        None, ge=1, le=99_999, description="Later resolution; default the last one."
    )


class AgreementProvisionOut(Schema):
    code: str
    article: str
    theme: str
    commitment: str
    commitment_fr: str
    responsible: str
    deadline: str
    confidence: Confidence
    evidence_url: str
    notes: str
    source_file: str
    source_row: int | None


class AgreementEventOut(Schema):
    event_id: str
    date: datetime.date
    date_precision: str = Field(description="day, or month when the source gives no day.")
    provisions: list[str] = Field(description="Codes of the provisions the event concerns.")
    what: str
    direction: Direction
    source_url: str
    confidence: Confidence
    notes: str
    source_file: str
    source_row: int | None


class DeploymentOut(Schema):
    mission: str
    year: int
    country: str
    location: str
    latitude: float
    longitude: float
    troops: int | None = Field(description="Geo-PKO NoTroops; null where NA.")
    average_troops: int | None
    infantry: int | None
    reserve: int | None
    hq: int | None
    unpol: int | None
    medical: int | None
    aviation: int | None
    unmo: int | None
    source_row: int | None


class DeploymentFilters(QueryFilters):
    year: int | None = Field(None, ge=1900, le=2100)


def visible_mission(request: HttpRequest, mission: str) -> queries.MissionSummary:
    found = next((m for m in queries.missions(request.user) if m.mission == mission), None)
    if found is None:
        if queries.mission_exists(mission):
            record_denied(request.user, f"mission:{mission}", "not visible under access policy")
        raise Http404("No such mission.")
    return found


def file_of(record: Any) -> str:
    return record.import_run.file_name if record.import_run_id else ""


@router.get(
    "/mandates/missions",
    response={200: list[MandateMissionOut], 401: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_missions(request: HttpRequest) -> list[MandateMissionOut]:
    """Missions with coded resolutions or Geo-PKO deployments."""
    return [MandateMissionOut(**vars(m)) for m in queries.missions(request.user)]


@router.get(
    "/mandates/missions/{mission}/resolutions",
    response={200: list[MandateResolutionOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_resolutions(request: HttpRequest, mission: MissionPath) -> list[MandateResolutionOut]:
    """A mission's resolutions, oldest first, with their tasks counted by tier and mode."""
    visible_mission(request, mission)
    return [
        MandateResolutionOut(
            number=item.resolution.number,
            year=item.resolution.year,
            adopted=item.resolution.adopted,
            source_url=item.resolution.source_url,
            tasks=len(item.tasks),
            by_tier={tier: len(tasks) for tier, _label, tasks in item.tier_groups},
            by_mode={mode: n for mode, _label, n in item.mode_counts},
        )
        for item in queries.mandate_over_time(request.user, mission)
    ]


def task_out(task: MandateTask) -> MandateTaskOut:
    return MandateTaskOut(
        resolution=task.resolution.number,
        task_code=task.category.key,
        task=task.task,
        task_fr=task.task_fr,
        paragraph=task.paragraph,
        tier=Tier(task.tier),
        mode=Mode(task.mode),
        confidence=Confidence(task.confidence),
        source_url=task.source_url,
        evidence=task.evidence,
        notes=task.notes,
        source_file=file_of(task),
        source_row=task.source_row,
    )


@router.get(
    "/mandates/missions/{mission}/tasks",
    response={200: Page[MandateTaskOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_tasks(
    request: HttpRequest,
    mission: MissionPath,
    filters: Query[MandateTaskFilters],
    paging: Query[Paging],
) -> dict[str, Any]:
    """A mission's tasks in file order, each with its paragraph, evidence, confidence, source."""
    visible_mission(request, mission)
    tasks = queries.visible_tasks(request.user, mission).order_by(
        "resolution__adopted", "source_row"
    )
    if filters.resolution is not None:
        tasks = tasks.filter(resolution__number=filters.resolution)
    return paginate(request, tasks, paging, task_out)


def state_out(state: queries.TaskState) -> MandateTaskState:
    return MandateTaskState(
        code=state.code,
        label_en=state.label_en,
        label_fr=state.label_fr,
        tier=Tier(state.tier),
        modes=sorted(Mode(m) for m in state.modes),
    )


def change_out(pair: tuple[queries.TaskState, queries.TaskState]) -> MandateTaskChange:
    return MandateTaskChange(before=state_out(pair[0]), after=state_out(pair[1]))


@router.get(
    "/mandates/missions/{mission}/diff",
    response={200: MandateDiffOut, ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_diff(
    request: HttpRequest, mission: MissionPath, filters: Query[MandateDiffFilters]
) -> MandateDiffOut:
    """What a renewal changed: by task category, added, dropped, promoted, demoted, mode."""
    visible_mission(request, mission)
    diff = queries.mandate_diff(request.user, mission, filters.before, filters.after)
    if diff is None:
        raise Http404("No such pair of resolutions for this mission.")
    return MandateDiffOut(
        before=diff.before.number,
        after=diff.after.number,
        kept=diff.kept,
        added=[state_out(s) for s in diff.added],
        dropped=[state_out(s) for s in diff.dropped],
        promoted=[change_out(p) for p in diff.promoted],
        demoted=[change_out(p) for p in diff.demoted],
        mode_changed=[change_out(p) for p in diff.mode_changed],
    )


def deployment_out(row: Deployment) -> DeploymentOut:
    fields = {name: getattr(row, name) for name in DeploymentOut.model_fields}
    return DeploymentOut(**fields)


@router.get(
    "/mandates/missions/{mission}/deployments",
    response={200: Page[DeploymentOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_deployments(
    request: HttpRequest,
    mission: MissionPath,
    filters: Query[DeploymentFilters],
    paging: Query[Paging],
) -> dict[str, Any]:
    """Geo-PKO locations of the mission by year, with troop numbers (null = NA)."""
    visible_mission(request, mission)
    return paginate(
        request, queries.deployments(request.user, mission, filters.year), paging, deployment_out
    )


def visible_agreement(request: HttpRequest, agreement: str) -> None:
    if not queries.agreement_provisions(request.user, agreement).exists():
        if queries.agreement_exists(agreement):
            record_denied(request.user, f"agreement:{agreement}", "not visible under access policy")
        raise Http404("No such agreement.")


def provision_out(p: Provision) -> AgreementProvisionOut:
    return AgreementProvisionOut(
        code=p.key,
        article=p.article,
        theme=p.theme,
        commitment=p.commitment,
        commitment_fr=p.commitment_fr,
        responsible=p.responsible,
        deadline=p.deadline,
        confidence=Confidence(p.confidence),
        evidence_url=p.evidence_url,
        notes=p.notes,
        source_file=file_of(p),
        source_row=p.source_row,
    )


@router.get(
    "/mandates/agreements/{agreement}/provisions",
    response={200: list[AgreementProvisionOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_provisions(request: HttpRequest, agreement: AgreementPath) -> list[AgreementProvisionOut]:
    """A peace agreement's provisions, in the file's order."""
    visible_agreement(request, agreement)
    return [provision_out(p) for p in queries.agreement_provisions(request.user, agreement)]


def event_out(e: AgreementEvent) -> AgreementEventOut:
    return AgreementEventOut(
        event_id=e.key,
        date=e.date,
        date_precision=e.date_precision,
        provisions=[p.key for p in e.visible_provisions],  # type: ignore[attr-defined]  # set by queries
        what=e.what,
        direction=Direction(e.direction),
        source_url=e.source_url,
        confidence=Confidence(e.confidence),
        notes=e.notes,
        source_file=file_of(e),
        source_row=e.source_row,
    )


@router.get(
    "/mandates/agreements/{agreement}/events",
    response={200: list[AgreementEventOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_agreement_events(
    request: HttpRequest, agreement: AgreementPath
) -> list[AgreementEventOut]:
    """Dated, cited implementation events (advances and setbacks), oldest first."""
    visible_agreement(request, agreement)
    return [event_out(e) for e in queries.agreement_events(request.user, agreement)]


# --- Contributors, unit types, capability needs, need against deployment, reviews, scores -------

TaskPath = PathEx[str, P(pattern=r"^[A-Za-z0-9_]+$", max_length=80)]


class DeploymentContributorOut(Schema):
    year: int
    location: str
    latitude: float
    longitude: float
    contributor: str
    troops: int | None = Field(description="Troops from this country; null = 'size unknown'.")
    source_row: int | None


class DeploymentUnitsOut(Schema):
    year: int
    location: str
    latitude: float
    longitude: float
    infantry: int = Field(description="Geo-PKO's estimate of infantry troops.")
    engineering: int = Field(description="Geo-PKO codes; 0 = none of that kind.")
    medical: int
    signals: int
    aviation: int
    riverine: int
    maintenance: int
    transport: int
    source_row: int | None


def geopko_page(
    request: HttpRequest,
    mission: str,
    model: type[DeploymentContributor] | type[DeploymentUnits],
    out: type[DeploymentContributorOut] | type[DeploymentUnitsOut],
    filters: DeploymentFilters,
    paging: Paging,
) -> dict[str, Any]:
    """One page of a mission's Geo-PKO rows of ``model`` (one year or all), as ``out``."""
    visible_mission(request, mission)
    rows = queries.visible(model, request.user).filter(mission=mission)
    if filters.year is not None:
        rows = rows.filter(year=filters.year)
    return paginate(
        request,
        rows.order_by("year", "location", "key"),
        paging,
        lambda r: out(**{n: getattr(r, n) for n in out.model_fields}),
    )


@router.get(
    "/mandates/missions/{mission}/contributors",
    response={200: Page[DeploymentContributorOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_contributors(
    request: HttpRequest,
    mission: MissionPath,
    filters: Query[DeploymentFilters],
    paging: Query[Paging],
) -> dict[str, Any]:
    """Geo-PKO troop-contributing countries per location and year (TCCMap)."""
    return geopko_page(
        request, mission, DeploymentContributor, DeploymentContributorOut, filters, paging
    )


@router.get(
    "/mandates/missions/{mission}/units",
    response={200: Page[DeploymentUnitsOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_units(
    request: HttpRequest,
    mission: MissionPath,
    filters: Query[DeploymentFilters],
    paging: Query[Paging],
) -> dict[str, Any]:
    """Geo-PKO unit types per location and year (TTMap)."""
    return geopko_page(request, mission, DeploymentUnits, DeploymentUnitsOut, filters, paging)


class MandateNeedOut(Schema):
    task_code: str
    capability: Capability
    note: str
    organization: str
    sensitivity: int
    tlp: str = Field(description="TLP 2.0 marking of the statement's sensitivity.")


class MandateNeedAreaOut(Schema):
    rank: int
    code: str
    name: str
    one_sided_events: int
    deaths: int
    forecast_risk: float | None = Field(description="Null when no stored forecast covers the year.")
    locations: list[str] = Field(description="Geo-PKO locations with a needed kind of unit.")
    infantry: int
    admin1: str | None = Field(
        None, description="At admin-2: the admin-1 area, whose forecast risk the row shows."
    )


class MandateNeedTableOut(Schema):
    year: int
    level: Literal["admin1", "admin2"]
    forecast_level: Literal["admin1"] = Field(
        "admin1", description="The forecast exists at admin-1 only, at either level."
    )
    country: str | None
    capabilities: list[str]
    stated: bool = Field(description="False: no visible statement; the default needs are used.")
    unplaced_events: int
    areas: list[MandateNeedAreaOut]


def visible_task(request: HttpRequest, mission: str, task: str) -> None:
    visible_mission(request, mission)
    if queries.task_category(request.user, mission, task) is None:
        raise Http404("No such task.")


@router.get(
    "/mandates/missions/{mission}/tasks/{task}/needs",
    response={200: list[MandateNeedOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_needs(request: HttpRequest, mission: MissionPath, task: TaskPath) -> list[MandateNeedOut]:
    """The capability statements of a task that the caller may see (owned records)."""
    visible_task(request, mission, task)
    return [
        MandateNeedOut(
            task_code=task,
            capability=Capability(n.capability),
            note=n.note,
            organization=str(n.owner),
            sensitivity=n.sensitivity,
            tlp=tlp_label(n.sensitivity),
        )
        for n in queries.visible_needs(request.user, mission, task)
    ]


class MandateYearFilter(QueryFilters):
    year: int = Field(ge=1900, le=2100)
    level: Literal["admin1", "admin2"] | None = Field(
        None, description="admin1 (prefectures, the default) or admin2 (sub-prefectures)."
    )


@router.get(
    "/mandates/missions/{mission}/tasks/{task}/coverage",
    response={200: MandateNeedTableOut, ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_need_table(
    request: HttpRequest, mission: MissionPath, task: TaskPath, filters: Query[MandateYearFilter]
) -> MandateNeedTableOut:
    """Need against deployment for one year: admin-1 (or admin-2) areas ranked
    (docs/mandates.md)."""
    visible_task(request, mission, task)
    level = filters.level or "admin1"
    table = coverage.need_vs_deployment(request.user, mission, task, filters.year, level)
    return MandateNeedTableOut(
        year=table.year,
        level=level,
        forecast_level="admin1",
        country=table.country,
        capabilities=table.capabilities,
        stated=table.stated,
        unplaced_events=table.unplaced_events,
        areas=[
            MandateNeedAreaOut(
                rank=i,
                code=r.code,
                name=r.name,
                one_sided_events=r.events,
                deaths=r.deaths,
                forecast_risk=r.risk,
                locations=[p.name for p in r.locations],
                infantry=r.infantry_total,
                admin1=r.parent or None,
            )
            for i, r in enumerate(table.rows, start=1)
        ],
    )


class MandateScoreChangeOut(Schema):
    agreement: str
    scorer: str
    before: float | None = Field(description="Mean score of the last half-year begun before.")
    after: float | None
    provisions_up: int
    provisions_down: int


class MandateReviewOut(Schema):
    start: datetime.date
    end: datetime.date
    from_resolution: int | None = Field(description="Null: the interval starts at a review.")
    from_strategic_review: bool
    to_resolution: int | None = Field(description="Null: a review, or the interval runs to today.")
    days: int
    longer_than_two_years: bool
    mandate_end_date: datetime.date | None = Field(
        None, description="The recorded end date of the mandate the interval starts with."
    )
    events: int
    deaths: int
    agreement_advances: int
    agreement_setbacks: int
    events_by_area: dict[str, int]
    forecast_runs: int
    forecast_risk_by_area: dict[str, float] = Field(
        description="Highest risks of one-sided violence over the current forecast's months in it."
    )
    score_changes: list[MandateScoreChangeOut]


@router.get(
    "/mandates/missions/{mission}/reviews",
    response={200: list[MandateReviewOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_reviews(request: HttpRequest, mission: MissionPath) -> list[MandateReviewOut]:
    """The review calendar: intervals between review points, the two-year flag, what changed."""
    visible_mission(request, mission)
    calendar = reviews.review_calendar(request.user, mission)
    ends = {i.resolution_id: i.date for i in calendar.end_dates if i.resolution_id}
    return [
        MandateReviewOut(
            start=w.start,
            end=w.end,
            from_resolution=w.before.number,
            from_strategic_review=w.before.review is not None,
            to_resolution=w.after.number if w.after else None,
            days=w.days,
            longer_than_two_years=w.too_long,
            mandate_end_date=ends.get(w.before.resolution.pk) if w.before.resolution else None,
            events=w.events,
            deaths=w.deaths,
            agreement_advances=w.advances,
            agreement_setbacks=w.setbacks,
            events_by_area={a.code: a.events for a in w.areas},
            forecast_runs=w.forecast_runs,
            forecast_risk_by_area={r.code: r.risk for r in w.forecast},
            score_changes=[
                MandateScoreChangeOut(
                    agreement=c.agreement,
                    scorer=c.scorer,
                    before=c.before,
                    after=c.after,
                    provisions_up=c.up,
                    provisions_down=c.down,
                )
                for c in w.scores
            ],
        )
        for w in calendar.windows
    ]


class AgreementScoreOut(Schema):
    provision: str
    half_year: str
    score: Score
    scorer: str
    organization: str
    is_demonstration: bool = Field(
        description="True: a demonstration score, made from the cited events by a stated rule."
    )
    events: list[str]
    evidence: str
    tlp: str = Field(description="TLP 2.0 marking of the score's sensitivity.")


class AgreementRollUpOut(Schema):
    half_year: str
    provisions: int
    overall: float
    themes: dict[str, float]


class AgreementKappaOut(Schema):
    organization: str
    first: str
    second: str
    items: int
    same: int
    kappa: float | None
    weighted_kappa: float | None = Field(description="Quadratic weights (an ordinal scale).")


class AgreementScoresOut(Schema):
    scorer: str | None
    scores: list[AgreementScoreOut]
    roll_ups: list[AgreementRollUpOut]
    agreement_between_scorers: list[AgreementKappaOut]


class AgreementScoreFilters(QueryFilters):
    scorer: str | None = Field(None, max_length=150, description="Default: the demonstration.")


@router.get(
    "/mandates/agreements/{agreement}/scores",
    response={200: AgreementScoresOut, ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_scores(
    request: HttpRequest, agreement: AgreementPath, filters: Query[AgreementScoreFilters]
) -> AgreementScoresOut:
    """One scorer's implementation scores with evidence, roll-ups, and scorers' agreement."""
    visible_agreement(request, agreement)
    every = scoring.visible_scores(request.user, agreement)
    scorers = sorted({s.scorer_label for s in every})
    chosen = filters.scorer if filters.scorer in scorers else None
    if chosen is None:
        chosen = (
            scoring.DEMO_SCORER if scoring.DEMO_SCORER in scorers else next(iter(scorers), None)
        )
    mine = [s for s in every if s.scorer_label == chosen]
    return AgreementScoresOut(
        scorer=chosen,
        scores=[
            AgreementScoreOut(
                provision=s.provision.key,
                half_year=scoring.period_label(s.period),
                score=Score(s.score),
                scorer=s.scorer_label,
                organization=str(s.owner),
                is_demonstration=s.is_demonstration,
                events=sorted(e.key for e in s.events.all()),
                evidence=s.evidence,
                tlp=tlp_label(s.sensitivity),
            )
            for s in mine
        ],
        roll_ups=[
            AgreementRollUpOut(
                half_year=scoring.period_label(u.period),
                provisions=u.provisions,
                overall=u.overall,
                themes=u.themes,
            )
            for u in scoring.roll_ups(mine)
        ],
        agreement_between_scorers=[
            AgreementKappaOut(**vars(a)) for a in scoring.scorer_agreement(every)
        ],
    )
