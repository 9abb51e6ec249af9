"""The demo's sharing circle: the Bambari protection circle of the women's network (ADR 0020).

Other features' demos (alerts, released tables) send to the same circle, so it is found by
(owner, slug) and made only when missing; running the demo again changes nothing.
"""

from __future__ import annotations

from commonground.sharing.models import Organization, Sensitivity, SharingCircle

#: (owner slug, circle slug, name, highest sensitivity shared, member slugs)
BAMBARI_PROTECTION = (
    "femmes-bambari",
    "bambari-protection",
    "Bambari protection circle / Cercle de protection de Bambari",
    Sensitivity.RESTRICTED,
    ("minusca-jmac", "faca-liaison", "minusca-force", "ocha-car", "cpl-bambari"),
)


def ensure_demo_circles() -> SharingCircle:
    """The Bambari protection circle with its members (the cast's organizations must exist).

    Its armed members (the army liaison, the mission's force) receive alerts and released
    tables through it, never the network's raw records: the policy's separation rule.
    """
    owner_slug, slug, name, level, member_slugs = BAMBARI_PROTECTION
    owner = Organization.objects.get(slug=owner_slug)
    circle, _created = SharingCircle.objects.get_or_create(
        owner=owner, slug=slug, defaults={"name": name, "max_sensitivity": level}
    )
    circle.members.add(*Organization.objects.filter(slug__in=member_slugs))
    return circle
