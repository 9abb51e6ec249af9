"""Who is there: ``/actors``, ``/operations``, ``/parallel-forces`` and ``/presence``."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import P, PathEx, Query, Router, Schema
from pydantic import Field

from commonground.analysis import actor_figures
from commonground.analysis.cache import cached_answer
from commonground.api.auth import ANONYMOUS_ALLOWED, READ
from commonground.api.errors import ErrorEnvelope
from commonground.api.paging import Page, Paging, paginate
from commonground.api.schemas import (
    AREA_CODE,
    COUNTRY_CODE,
    SLUG,
    TLP_FIELD,
    OrganizationRef,
    QueryFilters,
    SensitivityName,
    TlpName,
    sensitivity_name,
    tlp_name,
)
from commonground.events import queries as event_queries
from commonground.registry import queries
from commonground.registry.models import (
    ActorKind,
    CommandRelation,
    LeadEntityType,
    LeadType,
    Operation,
    ParallelForce,
    Presence,
    PresenceKind,
    PurposeType,
    UnscStatus,
)
from commonground.sharing.policy import policy, record_denied

router = Router(tags=["registry"])

ERRORS = frozenset({401, 404, 422})

# --- Actors ---------------------------------------------------------------------------------------


class ActorOut(Schema):
    id: uuid.UUID
    name: str
    kind: ActorKind
    country_code: str
    events: int = Field(description="Visible events with the actor on either side.")
    as_side_a: int
    as_side_b: int


class ActorFilters(QueryFilters):
    q: str | None = Field(
        None, max_length=100, description="Part of the name or an alias; accents and case ignored."
    )
    kind: ActorKind | None = None
    country: str | None = Field(None, pattern=COUNTRY_CODE, description="Active in this country.")
    order: Literal["events", "name"] = Field("events", description="Most events first, or A-Z.")


class ActorRefWithKind(Schema):
    id: uuid.UUID
    name: str
    kind: ActorKind


class DyadOut(Schema):
    other: ActorRefWithKind
    events: int = Field(description="Visible events with both actors.")
    deaths: int
    by_violence_type: dict[str, int]


class ActorDetail(ActorOut):
    aliases: list[str]
    deaths: int = Field(description="Best estimates, summed over the actor's visible events.")
    civilian_deaths: int
    first: datetime.date | None
    last: datetime.date | None
    by_violence_type: dict[str, int] = Field(description="Events by violence type.")
    dyads: list[DyadOut] = Field(description="The actors it appears with, most often first.")


def actor_out(actor: Any) -> ActorOut:
    return ActorOut(
        id=actor.pk,
        name=actor.name,
        kind=actor.kind,
        country_code=actor.country_code,
        events=actor.event_count,
        as_side_a=actor.as_side_a,
        as_side_b=actor.as_side_b,
    )


@router.get(
    "/actors",
    response={200: Page[ActorOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_actors(
    request: HttpRequest, filters: Query[ActorFilters], paging: Query[Paging]
) -> dict[str, Any] | HttpResponse:
    """Actors named in the events you may see, with how many events name them."""
    if (hit := cached_answer(request)) is not None:
        return hit
    actors = actor_figures.actor_list(
        request.user, filters.q, filters.kind, filters.country, filters.order
    )
    return paginate(request, actors, paging, actor_out)


@router.get(
    "/actors/{actor_id}",
    response={200: ActorDetail, ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_actor(request: HttpRequest, actor_id: uuid.UUID) -> ActorDetail | HttpResponse:
    """An actor's figures over the events you may see, and its dyads: whom it appears with.

    An actor named only in events you may not see answers as a missing one (404).
    """
    if (hit := cached_answer(request)) is not None:
        return hit
    actor = actor_figures.visible_actor(request.user, actor_id)
    if actor is None:
        if event_queries.actor_exists(actor_id):
            record_denied(request.user, f"actor:{actor_id}", "named only in hidden events")
        raise Http404("No such actor.")
    figures = actor_figures.actor_figures(request.user, actor)  # stored, same as the events
    dyads = [
        DyadOut(
            other=ActorRefWithKind(id=d["actor"].pk, name=d["actor"].name, kind=d["actor"].kind),
            events=d["events"],
            deaths=d["deaths"],
            by_violence_type=d["by_violence_type"],
        )
        for d in actor_figures.actor_dyads(request.user, actor)
    ]
    return ActorDetail(
        **actor_out(actor).model_dump(),
        aliases=list(actor.aliases),
        deaths=figures["deaths"],
        civilian_deaths=figures["civilian_deaths"],
        first=figures["first"],
        last=figures["last"],
        by_violence_type={t: f["events"] for t, f in figures["by_violence_type"].items()},
        dyads=dyads,
    )


# --- Operations and parallel forces ---------------------------------------------------------------


class OperationRef(Schema):
    slug: str
    acronym: str
    name: str


class OperationOut(OperationRef):
    lead_type: LeadType
    lead_org: str
    host_countries: list[str]
    start_date: datetime.date | None
    start_precision: str = Field(description="day, month or year: how much of the date is known.")
    end_date: datetime.date | None
    end_precision: str
    unsc_resolutions: list[int]
    mandate_focus: list[str]
    source_url: str
    owner: str
    sensitivity: SensitivityName
    tlp: TlpName = TLP_FIELD
    licence: str


class Typology(Schema):
    """How seed 002 classifies a force that ran beside a UN operation."""

    lead_entity_type: LeadEntityType
    purpose_type: PurposeType
    unsc_status: UnscStatus = Field(description="Empty when the authorization is not established.")
    command_relation: CommandRelation


class ParallelForceOut(Schema):
    slug: str
    name: str
    lead_entity: str
    typology: Typology
    host_countries: list[str]
    start_year: int
    end_year: int | None
    parallel_to: list[OperationRef] = Field(description="The UN operations it ran beside.")
    operation: str | None = Field(description="Its own slug in the operations registry, if any.")
    sources: list[str]
    verification: str
    notes: str


class OperationDetail(OperationOut):
    notes: str
    verification: str
    parallel_forces: list[ParallelForceOut] = Field(description="Forces that ran beside it.")
    presence: int = Field(description="Visible presence records of the operation.")


class OperationFilters(QueryFilters):
    lead_type: LeadType | None = None
    country: str | None = Field(None, pattern=COUNTRY_CODE, description="A host country, ISO3.")


class ParallelForceFilters(QueryFilters):
    lead_entity_type: LeadEntityType | None = None
    purpose_type: PurposeType | None = None
    unsc_status: Literal["authorized", "welcomed/recognized", "none", "unknown"] | None = Field(
        None, description="'unknown': the forces whose authorization was not established."
    )
    command_relation: CommandRelation | None = None
    country: str | None = Field(None, pattern=COUNTRY_CODE, description="A host country, ISO3.")

    def unsc_status_value(self) -> str | None:
        """The stored value: the registry writes an authorization not established as ''."""
        if self.unsc_status == "unknown":
            return UnscStatus.UNKNOWN.value
        return self.unsc_status


def operation_ref(operation: Operation) -> OperationRef:
    return OperationRef(slug=operation.slug, acronym=operation.acronym, name=operation.name)


def operation_out(operation: Operation) -> OperationOut:
    return OperationOut(
        slug=operation.slug,
        acronym=operation.acronym,
        name=operation.name,
        lead_type=LeadType(operation.lead_type),
        lead_org=operation.lead_org,
        host_countries=list(operation.host_countries),
        start_date=operation.start_date,
        start_precision=operation.start_precision,
        end_date=operation.end_date,
        end_precision=operation.end_precision,
        unsc_resolutions=list(operation.unsc_resolutions),
        mandate_focus=list(operation.mandate_focus),
        source_url=operation.source_url,
        owner=operation.owner.slug,
        sensitivity=sensitivity_name(operation.sensitivity),
        tlp=tlp_name(operation.sensitivity),
        licence=operation.licence,
    )


def force_out(force: ParallelForce, visible_operations: set[Any]) -> ParallelForceOut:
    """A force; ``parallel_to`` was prefetched with visible operations only."""
    return ParallelForceOut(
        slug=force.slug,
        name=force.name,
        lead_entity=force.lead_entity,
        typology=Typology(
            lead_entity_type=LeadEntityType(force.lead_entity_type),
            purpose_type=PurposeType(force.purpose_type),
            unsc_status=UnscStatus(force.unsc_status),
            command_relation=CommandRelation(force.command_relation),
        ),
        host_countries=list(force.host_countries),
        start_year=force.start_year,
        end_year=force.end_year,
        parallel_to=[operation_ref(op) for op in force.parallel_to.all()],
        operation=force.operation.slug
        if force.operation and force.operation_id in visible_operations
        else None,
        sources=list(force.sources),
        verification=force.verification,
        notes=force.notes,
    )


@router.get(
    "/operations",
    response={200: Page[OperationOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_operations(
    request: HttpRequest, filters: Query[OperationFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Peace and security operations, oldest first."""
    operations = queries.operation_list(request.user, filters.lead_type, filters.country)
    return paginate(request, operations.select_related("owner"), paging, operation_out)


@router.get(
    "/operations/{slug}",
    response={200: OperationDetail, ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_operation(
    request: HttpRequest, slug: PathEx[str, P(pattern=SLUG, max_length=80)]
) -> OperationDetail:
    """An operation with the parallel forces that ran beside it and their typology."""
    operation = queries.visible_operation(request.user, slug)
    if operation is None:
        if queries.operation_exists(slug):
            record_denied(request.user, f"operation:{slug}", "not visible under access policy")
        raise Http404("No such operation.")
    visible = queries.visible_operation_ids(request.user)
    forces = queries.parallel_force_list(request.user, beside=operation).select_related("operation")
    return OperationDetail(
        **operation_out(operation).model_dump(),
        notes=operation.notes,
        verification=operation.verification,
        parallel_forces=[force_out(force, visible) for force in forces],
        presence=queries.visible_presence(request.user).filter(operation=operation).count(),
    )


@router.get(
    "/parallel-forces",
    response={200: Page[ParallelForceOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_parallel_forces(
    request: HttpRequest, filters: Query[ParallelForceFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Forces that ran in parallel to UN operations, by start year, filtered by typology."""
    forces = queries.parallel_force_list(
        request.user,
        lead_entity_type=filters.lead_entity_type,
        purpose_type=filters.purpose_type,
        unsc_status=filters.unsc_status_value(),
        command_relation=filters.command_relation,
        country=filters.country,
    ).select_related("operation")
    visible = queries.visible_operation_ids(request.user)
    return paginate(request, forces, paging, lambda force: force_out(force, visible))


# --- Presence -------------------------------------------------------------------------------------


class PresenceOut(Schema):
    source_id: str
    organization: OrganizationRef
    organization_name: str = Field(description="The organization as the source named it.")
    operation: str | None = Field(description="Slug of the operation it belongs to, if any.")
    actor_kind: PresenceKind
    presence_type: str
    country_code: str
    area: str | None = Field(description="Area code.")
    place: str
    latitude: float | None
    longitude: float | None
    start_date: datetime.date | None
    start_precision: str
    end_date: datetime.date | None
    end_precision: str
    effective_end: datetime.date | None = Field(
        description="The last day the presence may have lasted: its own end, else its "
        "operation's end (operations registry), else null (unknown)."
    )
    end_basis: Literal["record", "operation", "unknown"] = Field(
        description="Where effective_end comes from."
    )
    personnel: int | None
    personnel_women: int | None
    personnel_men: int | None
    source_url: str
    source_date: str
    sensitivity: SensitivityName
    tlp: TlpName = TLP_FIELD


class PresenceFilters(QueryFilters):
    country: str | None = Field(None, pattern=COUNTRY_CODE, description="ISO3, e.g. CAF.")
    area: str | None = Field(
        None, pattern=AREA_CODE, max_length=120, description="An area code; includes areas below."
    )
    actor_kind: PresenceKind | None = None
    organization: str | None = Field(None, pattern=SLUG, max_length=80, description="Its slug.")


def presence_out(record: Presence, visible_operations: set[Any]) -> PresenceOut:
    end = queries.presence_end(record, visible_operations)
    return PresenceOut(
        source_id=record.source_id,
        organization=OrganizationRef.of(record.organization),
        organization_name=record.organization_name,
        operation=record.operation.slug
        if record.operation and record.operation_id in visible_operations
        else None,
        actor_kind=PresenceKind(record.actor_kind),
        presence_type=record.presence_type,
        country_code=record.country_code,
        area=record.area.code if record.area else None,
        place=record.place,
        latitude=record.latitude,
        longitude=record.longitude,
        start_date=record.start_date,
        start_precision=record.start_precision,
        end_date=record.end_date,
        end_precision=record.end_precision,
        effective_end=end.last,
        end_basis=end.basis,
        personnel=record.personnel,
        personnel_women=record.personnel_women,
        personnel_men=record.personnel_men,
        source_url=record.source_url,
        source_date=record.source_date,
        sensitivity=sensitivity_name(record.sensitivity),
        tlp=tlp_name(record.sensitivity),
    )


@router.get(
    "/presence",
    response={200: Page[PresenceOut], ERRORS: ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def list_presence(
    request: HttpRequest, filters: Query[PresenceFilters], paging: Query[Paging]
) -> dict[str, Any]:
    """Who was present where and when, one record per piece of evidence, with its source."""
    records = queries.presence_list(
        request.user, filters.country, filters.area, filters.actor_kind, filters.organization
    )
    visible = queries.visible_operation_ids(request.user)
    return paginate(request, records, paging, lambda record: presence_out(record, visible))
