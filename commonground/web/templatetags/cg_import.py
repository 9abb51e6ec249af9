"""``{% may_import as allowed %}``: whether the page's user may import (for the nav link only;
the import views check the access policy themselves)."""

from __future__ import annotations

from typing import Any

from django import template

from commonground.sharing.policy import may_import as policy_may_import

register = template.Library()


@register.simple_tag(takes_context=True)
def may_import(context: dict[str, Any]) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and policy_may_import(user))
