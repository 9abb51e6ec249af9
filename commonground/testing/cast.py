"""The named cast of users that tests and the demo share.

Each person stands for one kind of user the product serves (see PRODUCT.md), with one role in
one organization, so a test reads like a story: "Jean, a viewer in a civil-society network,
cannot see the mission's restricted incident".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from commonground.sharing.models import Organization, OrganizationKind, Role
from commonground.sharing.services import (
    do_add_member,
    local_organization,
    matching_organization,
)


@dataclass(frozen=True)
class CastMember:
    username: str
    full_name: str
    organization_slug: str
    role: Role
    description: str


ORGANIZATIONS = {
    "minusca-jmac": ("MINUSCA Joint Mission Analysis Centre", "JMAC", OrganizationKind.UN_MISSION),
    "femmes-bambari": (
        "Réseau des femmes pour la paix de Bambari",
        "RFPB",
        OrganizationKind.CIVIL_SOCIETY,
    ),
    "sfcg-car": ("Search for Common Ground CAR", "SFCG", OrganizationKind.NGO_PEACEBUILDER),
    # Liaison offices of their own: the forces the presence registry names stay non-members.
    "faca-liaison": (
        "National armed forces liaison office",
        "FACA-LO",
        OrganizationKind.NATIONAL_GOVERNMENT,
    ),
    "parallel-force": ("Parallel force liaison cell", "PFLC", OrganizationKind.PARALLEL_FORCE),
    "ocha-car": ("OCHA Central African Republic", "OCHA CAR", OrganizationKind.HUMANITARIAN),
    "minusca-force": (
        "MINUSCA Force headquarters",
        "MINUSCA Force",
        OrganizationKind.MILITARY_COMPONENT,
    ),
    # "CLP" alone is every local peace committee (the registry has Obo's and Haute-Kotto's).
    "cpl-bambari": (
        "Comité local de paix de Bambari",
        "CLP Bambari",
        OrganizationKind.LOCAL_AUTHORITY,
    ),
}

CAST = (
    CastMember("admin", "Platform Admin", "local", Role.PLATFORM_ADMIN, "runs this installation"),
    CastMember("amina", "Amina Diallo", "minusca-jmac", Role.ANALYST, "mission analyst"),
    CastMember("marc", "Marc Lefèvre", "minusca-jmac", Role.PLANNER, "mission planner"),
    CastMember("jean", "Jean Ngoumbé", "femmes-bambari", Role.VIEWER, "civil-society member"),
    CastMember("sofia", "Sofia Ramos", "sfcg-car", Role.ORG_ADMIN, "peacebuilding NGO lead"),
    CastMember("grace", "Grace Yakété", "femmes-bambari", Role.ANALYST, "women's network analyst"),
    CastMember("ousmane", "Ousmane Kossi", "faca-liaison", Role.ANALYST, "national-army liaison"),
    CastMember("viktor", "Viktor Ilin", "parallel-force", Role.ANALYST, "parallel-force liaison"),
    CastMember("lucie", "Lucie Martin", "ocha-car", Role.ORG_ADMIN, "humanitarian coordinator"),
    CastMember(
        "kofi",
        "Kofi Mensah",
        "minusca-force",
        Role.ANALYST,
        "mission military component officer",
    ),
    CastMember("awa", "Awa Namsona", "cpl-bambari", Role.VIEWER, "local peace committee member"),
    CastMember(
        "clarisse",
        "Clarisse Yangongo",
        "femmes-bambari",
        Role.ORG_ADMIN,
        "women's network administrator",
    ),
)

#: Demo password for every cast member. For a laptop demo only; the README says so.
DEMO_PASSWORD = "commonground-demo"  # noqa: S105  # published demo password, laptop demo only


def ensure_organizations() -> dict[str, Organization]:
    """The cast's organizations by their slug here; one already known by acronym is reused.

    The demo imports the presence registry first, which brings Search for Common Ground in as
    "SFCG": the cast's "sfcg-car" must be that organization, not a second one of the same name.
    """
    orgs = {"local": local_organization()}
    for slug, (name, acronym, kind) in ORGANIZATIONS.items():
        known = Organization.objects.filter(slug=slug).first() or matching_organization(
            name, acronym
        )
        orgs[slug] = known or Organization.objects.create(
            slug=slug, name=name, acronym=acronym, kind=kind
        )
    return orgs


def ensure_cast(password: str = DEMO_PASSWORD) -> dict[str, User]:
    """Create (or reset) the cast's accounts and memberships; returns users by username."""
    orgs = ensure_organizations()
    users: dict[str, User] = {}
    for member in CAST:
        first, _, last = member.full_name.partition(" ")
        user, _created = User.objects.get_or_create(username=member.username)
        user.first_name, user.last_name = first, last
        user.is_staff = user.is_superuser = member.role == Role.PLATFORM_ADMIN
        user.set_password(password)
        user.save()
        do_add_member(user, orgs[member.organization_slug], member.role)
        users[member.username] = user
    return users
