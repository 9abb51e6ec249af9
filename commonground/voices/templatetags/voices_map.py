"""``{% voices_tap_map_config as config %}``: what ``voices/tap_map.js`` needs (URLs, words).

The base map is the product's offline one (``web/basemap.py``): country outlines and admin-1
boundaries from this server, tiles only when the deployment sets ``COMMONGROUND_TILE_URL``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _

from commonground.web.basemap import ADMIN1_STATIC, outlines_version

register = template.Library()


@register.simple_tag
def voices_tap_map_config() -> dict[str, Any]:
    return {
        "countries": reverse("web:map_countries") + f"?v={outlines_version()}",
        "admin1": static(ADMIN1_STATIC),
        "tiles": settings.COMMONGROUND_TILE_URL,
        "labels": {
            "hint": _("Or tap the map to mark the exact place (optional)."),
            "chosen": _("Exact place marked. The district is worked out from it."),
            "clear": _("Remove the point"),
            "map": _("Map to mark the exact place"),
        },
    }
