"""Writes: programmes, indicators, benchmarks, theories of change and PDIA entries (``do_*``).

Each write is audited. Who may write is the owner's analysts and above (``may_write``); the
views check it before calling, and these functions check it again so the CLI, the API and the
demo cannot skip it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from commonground.learning.models import (
    Benchmark,
    EdgeKind,
    Indicator,
    IndicatorValue,
    PdiaEntry,
    Programme,
    TocEdge,
    TocNode,
    validate_round_months,
)
from commonground.sharing.models import ROLE_RANK, AuditEvent, Organization, Role
from commonground.sharing.policy import AnyUser, viewer_for


def may_write(user: AnyUser | None, owner_id: Any) -> bool:
    """Analysts and above of the owner, and platform administrators."""
    viewer = viewer_for(user)
    return viewer.is_platform_admin or viewer.rank_in(owner_id) >= ROLE_RANK[Role.ANALYST]


def may_plan(user: AnyUser | None, owner_id: Any) -> bool:
    """Exit benchmarks: the owner's writers and also its mission planners."""
    return may_write(user, owner_id) or viewer_for(user).roles.get(owner_id) == Role.PLANNER


def check_writer(actor: User | None, owner: Organization) -> None:
    """``actor`` None is the operator at the command line or the demo (a platform action)."""
    if actor is not None and not may_write(actor, owner.pk):
        raise PermissionDenied(_("Only the owner's analysts may change this record."))


def audit(action: str, actor: User | None, target: str, detail: dict[str, Any]) -> None:
    AuditEvent.objects.create(action=action, actor=actor, target=target, detail=detail)


def do_save_programme(
    actor: User | None, owner: Organization, slug: str, **fields: Any
) -> Programme:
    check_writer(actor, owner)
    with transaction.atomic():
        programme, created = Programme.objects.update_or_create(
            slug=slug, defaults={"owner": owner, **fields}
        )
        audit("learning.programme", actor, f"programme:{slug}", {"created": created})
    return programme


def do_save_indicator(
    actor: User | None, owner: Organization, slug: str, **fields: Any
) -> Indicator:
    check_writer(actor, owner)
    if "round_months" in fields:
        validate_round_months(fields["round_months"])
    with transaction.atomic():
        indicator, created = Indicator.objects.update_or_create(
            slug=slug, defaults={"owner": owner, **fields}
        )
        audit("learning.indicator", actor, f"indicator:{slug}", {"created": created})
    return indicator


def do_set_value(
    actor: User | None,
    indicator: Indicator,
    month: datetime.date,
    value: float,
    area: Any = None,
    women: float | None = None,
    men: float | None = None,
) -> IndicatorValue:
    """A hand-entered value; women and men, when given, must not exceed the value together."""
    check_writer(actor, indicator.owner)
    if women is not None and men is not None and women + men > value:
        raise ValidationError(_("Women and men together exceed the value."))
    with transaction.atomic():
        row, _created = IndicatorValue.objects.update_or_create(
            indicator=indicator,
            area=area,
            month=month.replace(day=1),
            defaults={"value": value, "women": women, "men": men},
        )
        audit("learning.value", actor, f"indicator:{indicator.slug}", {"month": str(row.month)})
    return row


def do_save_benchmark(
    actor: User | None, owner: Organization, mission: str, title: str, **fields: Any
) -> Benchmark:
    if actor is not None and not may_plan(actor, owner.pk):
        raise PermissionDenied(_("Only the owner's analysts and planners may change this record."))
    with transaction.atomic():
        benchmark, created = Benchmark.objects.update_or_create(
            owner=owner, mission=mission, title=title, defaults=fields
        )
        audit("learning.benchmark", actor, f"benchmark:{benchmark.pk}", {"created": created})
    return benchmark


#: The fields of a benchmark its edit page changes (the owner stays).
BENCHMARK_FIELDS = (
    "mission",
    "title",
    "title_fr",
    "indicator",
    "area",
    "comparison",
    "threshold",
    "months",
    "period_start",
    "sensitivity",
)


def do_change_benchmark(actor: User, benchmark: Benchmark, **fields: Any) -> Benchmark:
    """Change a benchmark (the owner's analysts and planners; its indicator stays the owner's);
    the audit row keeps each changed field as [before, after]."""
    indicator = fields.get("indicator", benchmark.indicator)
    if not may_plan(actor, benchmark.owner_id) or indicator.owner_id != benchmark.owner_id:
        raise PermissionDenied(_("Only the owner's analysts and planners may change this record."))
    diff: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in BENCHMARK_FIELDS:
            raise ValueError(name)
        before = getattr(benchmark, name)
        if before != value:
            diff[name] = [audit_value(before), audit_value(value)]
            setattr(benchmark, name, value)
    with transaction.atomic():
        benchmark.save()
        audit("learning.benchmark.change", actor, f"benchmark:{benchmark.pk}", diff)
    return benchmark


def audit_value(value: Any) -> Any:
    """A field's value as the audit log's JSON keeps it (records by their key)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(getattr(value, "slug", None) or getattr(value, "code", None) or value)


def do_save_theory(
    actor: User | None,
    programme: Programme,
    nodes: list[dict[str, Any]],
    edges: list[tuple[str, str, str]],
) -> None:
    """Replace a programme's theory of change: nodes (with ``indicators``) and typed edges.

    Everything is checked before anything is written: an edge to an unknown node is an error.
    """
    check_writer(actor, programme.owner)
    keys = {n["key"] for n in nodes}
    for source, target, kind in edges:
        if source not in keys or target not in keys or kind not in EdgeKind.values:
            raise ValidationError(
                _("Link %(source)s → %(target)s (%(kind)s) does not join two nodes.")
                % {"source": source, "target": target, "kind": kind}
            )
    with transaction.atomic():
        programme.nodes.all().delete()
        made: dict[str, TocNode] = {}
        for spec in nodes:
            spec = dict(spec)
            indicators = spec.pop("indicators", [])
            made[spec["key"]] = TocNode.objects.create(programme=programme, **spec)
            made[spec["key"]].indicators.set(indicators)
        TocEdge.objects.bulk_create(
            TocEdge(programme=programme, source=made[s], target=made[t], kind=k)
            for s, t, k in edges
        )
        audit("learning.theory", actor, f"programme:{programme.slug}", {"nodes": len(nodes)})


def do_add_pdia_entry(actor: User | None, programme: Programme, **fields: Any) -> PdiaEntry:
    check_writer(actor, programme.owner)
    with transaction.atomic():
        entry = PdiaEntry.objects.create(programme=programme, author=actor, **fields)
        audit(
            "learning.pdia",
            actor,
            f"programme:{programme.slug}",
            {"entry": str(entry.pk), "date": str(entry.date)},
        )
    return entry
