"""``{% may_use_voices as allowed %}``: whether to show the inbox link (the views check again)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _lazy

from commonground.voices.queries import may_use_inbox

register = template.Library()


@register.simple_tag(takes_context=True)
def may_use_voices(context: dict[str, Any]) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and may_use_inbox(user))


#: What a survey estimate is broken down by, and its groups, as a person reads them (the codes
#: are the survey module's: ``surveys.AGE_BANDS``, ``FEMALE``/``MALE`` read as female/male).
BREAKDOWN_LABELS = {"area": _lazy("Area"), "sex": _lazy("Sex"), "age_group": _lazy("Age group")}
GROUP_LABELS = {
    "female": _lazy("women"),
    "male": _lazy("men"),
    "unknown": _lazy("unknown"),
    "under_18": _lazy("under 18"),
    "18_24": "18-24",
    "25_34": "25-34",
    "35_49": "35-49",
    "50_plus": "50+",
}


@register.simple_tag
def survey_group(by: str, group: str) -> str:
    """``Sex: women`` rather than ``sex: female``; an area's group is its name already."""
    return f"{BREAKDOWN_LABELS.get(by, by)}: {GROUP_LABELS.get(group, group)}"
