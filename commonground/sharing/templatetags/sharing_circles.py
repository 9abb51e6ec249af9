"""``{% record_circle record %}``: the circle a record is shared through, with a link to move it
for those who may (the owner's analysts and above; ADR 0020)."""

from __future__ import annotations

from typing import Any

from django import template

from commonground.sharing.policy import may_place_records, request_viewer

register = template.Library()


@register.inclusion_tag("sharing/_record_circle.html", takes_context=True)
def record_circle(context: dict[str, Any], record: Any, kind: str) -> dict[str, Any]:
    """Shown to the owner's members and platform administrators only: a circle's name is the
    owner's business."""
    request = context.get("request")
    if request is None:
        return {"shown": False}
    viewer = request_viewer(request)
    shown = viewer.is_platform_admin or record.owner_id in viewer.roles
    may_move = shown and may_place_records(viewer, record.owner_id)
    return {"record": record, "kind": kind, "shown": shown, "may_move": may_move}


@register.inclusion_tag("sharing/_record_circle_link.html", takes_context=True)
def record_circle_link(context: dict[str, Any], record: Any, kind: str) -> dict[str, Any]:
    """The link to a record's circle page alone, for a row of a table (parallel forces,
    presence records): shown only to those who may move the record (the owner's analysts and
    above, platform administrators); nobody else learns the page exists."""
    request = context.get("request")
    if request is None:
        return {"may_move": False}
    may_move = may_place_records(request_viewer(request), record.owner_id)
    return {"record": record, "kind": kind, "may_move": may_move}
