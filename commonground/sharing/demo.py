"""The demo's sharing circle: the Bambari protection circle of the women's network (ADR 0020).

Other features' demos (alerts, released tables) send to the same circle, so it is found by
(owner, slug) and made only when missing; running the demo again changes nothing.
"""

from __future__ import annotations

from commonground.sharing.models import Sensitivity, SharingCircle

#: (owner slug, circle slug, name, highest sensitivity shared, member slugs)
BAMBARI_PROTECTION = (
    "femmes-bambari",
    "bambari-protection",
    "Bambari protection circle / Cercle de protection de Bambari",
    Sensitivity.RESTRICTED,
    ("minusca-jmac", "faca-liaison", "minusca-force", "ocha-car", "cpl-bambari"),
)


#: The mission analysis centre's partners: civil society, peacebuilders, humanitarians, the
#: national army and the mission's force; not the parallel force.
MISSION_PARTNERS = (
    "minusca-jmac",
    "mission-partners",
    "MINUSCA JMAC partners / Partenaires du JMAC de la MINUSCA",
    Sensitivity.PARTNERS,
    ("sfcg-car", "femmes-bambari", "ocha-car", "faca-liaison", "minusca-force", "cpl-bambari"),
)


def ensure_circle(spec: tuple[str, str, str, int, tuple[str, ...]]) -> SharingCircle:
    """A demo circle found by (owner, slug), made when missing, with its members."""
    from commonground.testing.cast import ensure_organizations

    owner_slug, slug, name, level, member_slugs = spec
    # The cast's organizations, as the demo knows them: an imported registry may have brought
    # one in first under another slug (SFCG as "sfcg", the peace committee as "clp").
    organizations = ensure_organizations()
    circle, _created = SharingCircle.objects.get_or_create(
        owner=organizations[owner_slug],
        slug=slug,
        defaults={"name": name, "max_sensitivity": level},
    )
    circle.members.add(*(organizations[member] for member in member_slugs))
    return circle


def ensure_demo_circles() -> SharingCircle:
    """The Bambari protection circle with its members (the cast's organizations must exist).

    Its armed members (the army liaison, the mission's force) receive alerts and released
    tables through it, never the network's raw records: the policy's separation rule.
    """
    return ensure_circle(BAMBARI_PROTECTION)
