"""``{% may_use_voices as allowed %}``: whether to show the inbox link (the views check again)."""

from __future__ import annotations

from typing import Any

from django import template

from commonground.voices.queries import may_use_inbox

register = template.Library()


@register.simple_tag(takes_context=True)
def may_use_voices(context: dict[str, Any]) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and may_use_inbox(user))
