"""``{% may_use_alerts as allowed %}``: whether to show the alerts link (the views check again)."""

from __future__ import annotations

from typing import Any

from django import template

from commonground.alerts.queries import may_use_alerts as member_of_any
from commonground.sharing.policy import request_viewer

register = template.Library()


@register.simple_tag(takes_context=True)
def may_use_alerts(context: dict[str, Any]) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(
        user is not None and user.is_authenticated and member_of_any(request_viewer(request))
    )
