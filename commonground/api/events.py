"""``/events``: conflict events with the map's filters, paging, GeoJSON, and full provenance."""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.http import Http404, HttpRequest, HttpResponse
from ninja import P, PathEx, Query, QueryEx, Router, Schema
from pydantic import Field

from commonground.analysis.cache import cached_answer
from commonground.api.auth import ANONYMOUS_ALLOWED, READ
from commonground.api.errors import ErrorEnvelope
from commonground.api.paging import Page, Paging, paginate
from commonground.api.schemas import (
    MAX_INTEGER_ID,
    TLP_FIELD,
    ActorRef,
    OrganizationRef,
    SensitivityName,
    TlpName,
    sensitivity_name,
    tlp_name,
)
from commonground.events import queries
from commonground.events.models import Event, ViolenceType
from commonground.events.schemas import EventFilters
from commonground.events.sources import source_fields
from commonground.sharing.geomask import shown_to
from commonground.sharing.policy import policy, record_denied, request_viewer

router = Router(tags=["events"])


class EventOut(Schema):
    id: int
    dataset: str
    dataset_version: str
    source_id: str = Field(description="The record's id in its dataset.")
    date_start: datetime.date
    date_end: datetime.date
    date_precision: int = Field(description="UCDP's date_prec: 1 exact day ... 5 within a year.")
    latitude: float
    longitude: float
    location_precision: int = Field(description="UCDP's where_prec: 1 exact ... 7 international.")
    geomasked: bool = Field(
        default=False,
        description="The point was moved (up to 10 km, inside its admin-2) and the dates cut to "
        "the month, because the record is shared with you but you are not of its owner.",
    )
    place: str
    country_code: str
    admin1: str | None = Field(description="Admin-1 area code, e.g. CAF.ouaka.")
    admin2: str | None = Field(description="Admin-2 area code, e.g. CAF.ouaka.bambari.")
    violence_type: ViolenceType
    actor1: ActorRef | None
    actor2: ActorRef | None
    fatalities_best: int
    fatalities_low: int | None
    fatalities_high: int | None
    civilian_deaths: int | None
    owner: str = Field(description="Slug of the organization that owns the record.")
    sensitivity: SensitivityName
    tlp: TlpName = TLP_FIELD
    licence: str


class ImportRunOut(Schema):
    id: uuid.UUID
    dataset: str
    dataset_version: str
    file_name: str
    sha256: str = Field(description="SHA-256 of the imported file.")
    started_at: datetime.datetime
    imported_by: str | None = Field(description="Username, or null for the command line.")
    outcome: str


class Provenance(Schema):
    dataset: str
    dataset_version: str
    source_id: str
    file_name: str
    source_row: int = Field(description="Row (CSV, counting the header as 1) or feature number.")
    content_hash: str = Field(description="Fingerprint of the source's fields as read.")
    import_run: ImportRunOut


class DuplicateOut(Schema):
    event_id: int
    dataset: str
    source_id: str
    date_start: datetime.date
    distance_km: float
    days_apart: int


class EventDetail(EventOut):
    priogrid_gid: int
    source_event_type: str
    source_sub_event_type: str
    description: str
    withdrawn: bool = Field(description="No longer in the newest version of its dataset.")
    owner_organization: OrganizationRef
    provenance: Provenance
    source_fields: dict[str, Any] = Field(description="The source's own fields, as read.")
    likely_duplicates: list[DuplicateOut]


class PointGeometry(Schema):
    type: Literal["Point"] = "Point"
    coordinates: list[float] = Field(description="[longitude, latitude] (RFC 7946).")


class EventFeature(Schema):
    type: Literal["Feature"] = "Feature"
    id: int
    geometry: PointGeometry
    properties: EventOut


class EventFeatureCollection(Schema):
    """A GeoJSON FeatureCollection (RFC 7946) with the paging fields as foreign members."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    count: int
    next: str | None
    previous: str | None
    features: list[EventFeature]


def event_out(event: Event) -> EventOut:
    return EventOut(
        id=event.pk,
        dataset=event.dataset,
        dataset_version=event.dataset_version,
        source_id=event.source_id,
        date_start=event.date_start,
        date_end=event.date_end,
        date_precision=event.date_precision,
        latitude=event.latitude,
        longitude=event.longitude,
        location_precision=event.location_precision,
        geomasked=getattr(event, "geomasked", False),
        place=event.place,
        country_code=event.country_code,
        admin1=event.admin1.code if event.admin1 else None,
        admin2=event.admin2.code if event.admin2 else None,
        violence_type=ViolenceType(event.violence_type),
        actor1=ActorRef.of(event.actor1),
        actor2=ActorRef.of(event.actor2),
        fatalities_best=event.fatalities_best,
        fatalities_low=event.fatalities_low,
        fatalities_high=event.fatalities_high,
        civilian_deaths=event.civilian_deaths,
        owner=event.owner.slug,
        sensitivity=sensitivity_name(event.sensitivity),
        tlp=tlp_name(event.sensitivity),
        licence=event.licence,
    )


def event_feature(event: Event) -> EventFeature:
    geometry = PointGeometry(coordinates=[event.longitude, event.latitude])
    return EventFeature(id=event.pk, geometry=geometry, properties=event_out(event))


def event_detail(request: HttpRequest, event: Event) -> EventDetail:
    run = event.import_run
    provenance = Provenance(
        dataset=event.dataset,
        dataset_version=event.dataset_version,
        source_id=event.source_id,
        file_name=run.file_name,
        source_row=event.source_row,
        content_hash=event.content_hash,
        import_run=ImportRunOut(
            id=run.pk,
            dataset=run.dataset,
            dataset_version=run.dataset_version,
            file_name=run.file_name,
            sha256=run.sha256,
            started_at=run.started_at,
            imported_by=run.imported_by.get_username() if run.imported_by else None,
            outcome=run.outcome,
        ),
    )
    duplicates = [
        DuplicateOut(
            event_id=flag.other.pk,
            dataset=flag.other.dataset,
            source_id=flag.other.source_id,
            date_start=flag.other.date_start,
            distance_km=flag.distance_km,
            days_apart=flag.days_apart,
        )
        for flag in queries.duplicate_flags(request.user, event)
    ]
    return EventDetail(
        **event_out(event).model_dump(),
        priogrid_gid=event.priogrid_gid,
        source_event_type=event.source_event_type,
        source_sub_event_type=event.source_sub_event_type,
        description=event.description,
        withdrawn=event.withdrawn,
        owner_organization=OrganizationRef.of(event.owner),
        provenance=provenance,
        # A geomasked record's source columns would give the exact point and day back.
        source_fields={} if getattr(event, "geomasked", False) else source_fields(event),
        likely_duplicates=duplicates,
    )


EventList = Page[EventOut] | EventFeatureCollection


#: An OpenAPI link from a page of events to the first one's detail: clients and Schemathesis's
#: stateful tests follow it (an int key, merged into ninja's own 200 response).
EVENT_LINK = {
    200: {
        "links": {
            "first_event": {
                "operationId": "commonground_api_events_get_event",
                "parameters": {"event_id": "$response.body#/results/0/id"},
                "description": "The first event of the page, with its provenance.",
            }
        }
    }
}


@router.get(
    "/events",
    response={200: EventList, frozenset({401, 404, 422}): ErrorEnvelope},
    auth=READ,
    openapi_extra={**ANONYMOUS_ALLOWED, "responses": EVENT_LINK},
)
@policy("public")
def list_events(
    request: HttpRequest,
    filters: Query[EventFilters],
    paging: Query[Paging],
    fmt: QueryEx[Literal["json", "geojson"], P(alias="format")] = "json",
) -> EventList | HttpResponse:
    """Events the caller may see, newest first, with the same filters as the events page.

    ``format=geojson`` answers a GeoJSON FeatureCollection of points (longitude, latitude) with
    the same paging fields. A page past the last one is a 404.
    """
    if (hit := cached_answer(request)) is not None:
        return hit
    events = queries.event_list(request.user, filters).select_related("admin2", "owner")
    count = queries.event_list_count(request.user, filters)
    viewer = request_viewer(request)  # a protected point reaches a non-owner geomasked

    def feature(event: Event) -> EventFeature:
        return event_feature(shown_to(event, viewer))

    def out(event: Event) -> EventOut:
        return event_out(shown_to(event, viewer))

    if fmt == "geojson":
        page = paginate(request, events, paging, feature, count)
        return EventFeatureCollection(**page, features=page.pop("results"))
    return Page[EventOut](**paginate(request, events, paging, out, count))


@router.get(
    "/events/{event_id}",
    response={200: EventDetail, frozenset({401, 404, 422}): ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("public")
def get_event(
    request: HttpRequest, event_id: PathEx[int, P(ge=1, le=MAX_INTEGER_ID)]
) -> EventDetail:
    """One event with its provenance (file, row, import) and the likely duplicates you may see.

    An event you may not see answers exactly as a missing one (404), and the refusal is written
    to the audit log.
    """
    event = queries.visible_event(request.user, event_id)
    if event is None:
        if queries.event_exists(event_id):
            record_denied(
                request.user,
                f"event:{event_id}",
                "not visible under access policy",
                records=Event.objects.filter(pk=event_id),
            )
        raise Http404("No such event.")
    return event_detail(request, shown_to(event, request_viewer(request)))
