"""Reads of the registries, through the access policy."""

from __future__ import annotations

from django.db.models import QuerySet

from commonground.registry.models import Operation, ParallelForce, Presence
from commonground.sharing.models import Organization
from commonground.sharing.policy import AnyUser, access_owned


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
