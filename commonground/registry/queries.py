"""Reads of the registries, through the access policy."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from django.db.models import Prefetch, Q, QuerySet

from commonground.registry.models import Operation, ParallelForce, Presence
from commonground.sharing.models import Organization
from commonground.sharing.policy import AnyUser, access_owned

R = TypeVar("R", Operation, ParallelForce)


def visible_operations(user: AnyUser | None) -> QuerySet[Operation]:
    return access_owned(Operation.objects.all(), user)


def visible_parallel_forces(user: AnyUser | None) -> QuerySet[ParallelForce]:
    return access_owned(ParallelForce.objects.all(), user)


def visible_presence(user: AnyUser | None) -> QuerySet[Presence]:
    return access_owned(Presence.objects.all(), user)


def registry_counts(user: AnyUser | None) -> dict[str, int]:
    """Counts of registry records the user may see; organizations are public names."""
    return {
        "operations": visible_operations(user).count(),
        "parallel_forces": visible_parallel_forces(user).count(),
        "organizations": Organization.objects.count(),
        "presence": visible_presence(user).count(),
    }


# --- Lists and records for the API and the registry pages ---------------------------------------


def _hosted_in(records: QuerySet[R], country: str) -> QuerySet[R]:
    """Records whose ``host_countries`` list holds ``country``.

    Matched in Python: SQLite has no JSON containment lookup, and registries are small (hundreds
    of rows), so the rule stays the same on SQLite and PostgreSQL.
    """
    ids = [pk for pk, hosts in records.values_list("pk", "host_countries") if country in hosts]
    return records.filter(pk__in=ids)


def operation_list(
    user: AnyUser | None, lead_type: str | None = None, country: str | None = None
) -> QuerySet[Operation]:
    """Visible operations, oldest first, by lead type and host country if given."""
    operations = visible_operations(user).order_by("start_date", "acronym", "slug")
    if lead_type:
        operations = operations.filter(lead_type=lead_type)
    if country:
        operations = _hosted_in(operations, country)
    return operations


def visible_operation(user: AnyUser | None, slug: str) -> Operation | None:
    return visible_operations(user).filter(slug=slug).first()


def operation_exists(slug: str) -> bool:
    """Whether a slug names an operation at all: only to tell the audit log about a denied read."""
    return Operation.objects.filter(slug=slug).exists()


def visible_operation_ids(user: AnyUser | None) -> set[Any]:
    """Ids of the operations a user may see, to leave hidden ones out of other records' links."""
    return set(visible_operations(user).values_list("pk", flat=True))


def parallel_force_list(
    user: AnyUser | None,
    lead_entity_type: str | None = None,
    purpose_type: str | None = None,
    unsc_status: str | None = None,
    command_relation: str | None = None,
    country: str | None = None,
    beside: Operation | None = None,
) -> QuerySet[ParallelForce]:
    """Visible parallel forces by start year, with the visible operations each ran beside.

    ``unsc_status`` may be the empty string: forces whose authorization was not established.
    """
    forces = visible_parallel_forces(user).order_by("start_year", "name", "slug")
    if lead_entity_type:
        forces = forces.filter(lead_entity_type=lead_entity_type)
    if purpose_type:
        forces = forces.filter(purpose_type=purpose_type)
    if unsc_status is not None:
        forces = forces.filter(unsc_status=unsc_status)
    if command_relation:
        forces = forces.filter(command_relation=command_relation)
    if beside is not None:
        forces = forces.filter(parallel_to=beside)
    if country:
        forces = _hosted_in(forces, country)
    shown = visible_operations(user).order_by("start_date", "acronym")
    return forces.prefetch_related(Prefetch("parallel_to", queryset=shown))


def presence_list(
    user: AnyUser | None,
    country: str | None = None,
    area: str | None = None,
    actor_kind: str | None = None,
    organization: str | None = None,
) -> QuerySet[Presence]:
    """Visible presence records; ``area`` is a code and takes in the areas below it."""
    records = visible_presence(user).select_related("organization", "area", "operation")
    if country:
        records = records.filter(country_code=country)
    if area:
        records = records.filter(Q(area__code=area) | Q(area__code__startswith=f"{area}."))
    if actor_kind:
        records = records.filter(actor_kind=actor_kind)
    if organization:
        records = records.filter(organization__slug=organization)
    return records.order_by("source_id")


# --- When a presence ended ---------------------------------------------------------------------


def last_day(day: datetime.date, precision: str) -> datetime.date:
    """The last day a date stated to ``precision`` may mean (2016-10 -> 2016-10-31)."""
    if precision == "year":
        return datetime.date(day.year, 12, 31)
    if precision == "month":
        return datetime.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return day


def stated(day: datetime.date, precision: str) -> str:
    """A date to the precision its source gave (``2016``, ``2016-10``, ``2016-10-31``)."""
    if precision == "year":
        return f"{day.year:04d}"
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


@dataclass(frozen=True)
class PresenceEnd:
    """When a presence record ends: its own end, else its operation's, else unknown.

    Issue 10 §4: most presence records state no end, yet the operations registry knows when
    an operation left (Sangaris, October 2016); a record of an operation that ended is not
    present after that end, whatever its source left unsaid.
    """

    last: datetime.date | None  # the last day the stated end may mean; None when unknown
    text: str  # the end as stated, to its precision ("" when unknown)
    basis: Literal["record", "operation", "unknown"]

    @property
    def known(self) -> bool:
        return self.last is not None


UNKNOWN_END = PresenceEnd(None, "", "unknown")


def presence_end(record: Presence, visible_operations: set[Any] | None = None) -> PresenceEnd:
    """The record's effective end; an operation the viewer may not see lends it no end."""
    if record.end_date is not None:
        return PresenceEnd(
            last_day(record.end_date, record.end_precision),
            stated(record.end_date, record.end_precision),
            "record",
        )
    operation = record.operation if record.operation_id else None
    if (
        operation is not None
        and operation.end_date is not None
        and (visible_operations is None or operation.pk in visible_operations)
    ):
        return PresenceEnd(
            last_day(operation.end_date, operation.end_precision),
            stated(operation.end_date, operation.end_precision),
            "operation",
        )
    return UNKNOWN_END


def present_on(
    record: Presence, day: datetime.date, visible_operations: set[Any] | None = None
) -> bool:
    """Whether a record may be present on ``day``: started by then (or start unknown), and not
    ended before it (its own end, else its operation's; an unknown end counts as open)."""
    if record.start_date is not None and record.start_date > day:
        return False
    end = presence_end(record, visible_operations)
    return end.last is None or end.last >= day


def present_during(
    record: Presence,
    start: datetime.date | None,
    end: datetime.date | None,
    visible_operations: set[Any] | None = None,
) -> bool:
    """Whether a record's dates meet the period; unknown dates (and open bounds) count as open."""
    if end is not None and record.start_date is not None and record.start_date > end:
        return False
    last = presence_end(record, visible_operations).last
    return not (start is not None and last is not None and last < start)


# --- The operation page -------------------------------------------------------------------------


def operation_presence(user: AnyUser | None, operation: Operation) -> QuerySet[Presence]:
    """The visible presence records of one operation, by country, place and start."""
    return (
        visible_presence(user)
        .filter(operation=operation)
        .select_related("organization", "area")
        .order_by("country_code", "place", "start_date", "source_id")
    )


def force_record_of(user: AnyUser | None, operation: Operation) -> ParallelForce | None:
    """The operation's own record among the parallel forces, if it ran beside UN operations."""
    return parallel_force_list(user).filter(operation=operation).first()
