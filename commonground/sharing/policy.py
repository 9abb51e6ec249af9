"""The access policy: the one place that decides who sees which owned records.

Every read of owned data goes through an ``access_*`` function here. Each rule is written one
condition per line so a reviewer can check it against the table in ``docs/access-policy.md``.

Who sees an owned record (owner, sensitivity, licence):
- a platform administrator: everything;
- anyone, signed in or not: public records whose licence allows sharing raw rows;
- a member of any organization: also ``partners`` records whose licence allows raw sharing;
- a member of a recipient of a sharing agreement: the provider's records up to the agreed level
  (still never raw rows under a derived-only licence such as ACLED's);
- a member of the owner: the owner's records up to ``restricted``; analysts and above also see
  ``confidential``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import Model, Q, QuerySet

from commonground.sharing.models import (
    RAW_SHARING_FORBIDDEN,
    ROLE_RANK,
    Membership,
    OrganizationKind,
    Role,
    Sensitivity,
    SharingAgreement,
)

AnyUser = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Viewer:
    """What the policy needs to know about whoever is asking."""

    user_id: int | None
    is_platform_admin: bool
    roles: dict[Any, str]  # organization id -> role

    @property
    def is_member(self) -> bool:
        return bool(self.roles)

    def rank_in(self, organization_id: Any) -> int:
        role = self.roles.get(organization_id)
        return ROLE_RANK.get(Role(role), 0) if role else 0


ANONYMOUS = Viewer(user_id=None, is_platform_admin=False, roles={})


def request_viewer(request: Any) -> Viewer:
    """The policy's viewer for a request, worked out once and kept on the request."""
    viewer = getattr(request, "_commonground_viewer", None)
    if viewer is None:
        viewer = viewer_for(getattr(request, "user", None))
        request._commonground_viewer = viewer
    return viewer


def circle_ids_for(viewer: Viewer) -> frozenset[Any]:
    """The sharing circles any of the viewer's organizations is a member of (one query)."""
    from commonground.sharing.models import SharingCircle

    if not viewer.roles:
        return frozenset()
    return frozenset(
        SharingCircle.objects.filter(members__in=list(viewer.roles))
        .values_list("id", flat=True)
        .distinct()
    )


def viewer_for(user: AnyUser | None) -> Viewer:
    """Build the policy's view of a user from their memberships (one query)."""
    if user is None or not user.is_authenticated:
        return ANONYMOUS
    roles = dict(Membership.objects.filter(user_id=user.pk).values_list("organization_id", "role"))
    is_admin = bool(getattr(user, "is_superuser", False)) or Role.PLATFORM_ADMIN in roles.values()
    return Viewer(user_id=user.pk, is_platform_admin=is_admin, roles=roles)


def owned_records_filter(viewer: Viewer) -> Q | None:
    """The condition an owned record must meet to be visible; ``None`` means no condition."""
    if viewer.is_platform_admin:
        return None
    shareable = ~Q(licence__in=RAW_SHARING_FORBIDDEN)
    visible = Q(sensitivity=Sensitivity.PUBLIC) & shareable
    if viewer.is_member:
        visible |= Q(sensitivity=Sensitivity.PARTNERS) & shareable
    for provider_id, level in SharingAgreement.objects.filter(
        recipient_id__in=list(viewer.roles)
    ).values_list("provider_id", "max_sensitivity"):
        visible |= Q(owner_id=provider_id, sensitivity__lte=level) & shareable
    for organization_id in viewer.roles:
        top = Sensitivity.RESTRICTED
        if viewer.rank_in(organization_id) >= ROLE_RANK[Role.ANALYST]:
            top = Sensitivity.CONFIDENTIAL
        visible |= Q(owner_id=organization_id, sensitivity__lte=top)
    return visible


def access_owned(queryset: QuerySet[M], user: AnyUser | None) -> QuerySet[M]:
    """Restrict any queryset of owned records to what ``user`` may see."""
    condition = owned_records_filter(viewer_for(user))
    return queryset if condition is None else queryset.filter(condition)


def access_exportable(queryset: QuerySet[M], max_sensitivity: Sensitivity) -> QuerySet[M]:
    """Records that may leave the platform in raw form, up to a sensitivity level."""
    return queryset.filter(sensitivity__lte=max_sensitivity).exclude(
        licence__in=RAW_SHARING_FORBIDDEN
    )


def may_import(user: AnyUser | None) -> bool:
    """Analysts and above import data for their organization."""
    viewer = viewer_for(user)
    if viewer.is_platform_admin:
        return True
    return any(viewer.rank_in(org) >= ROLE_RANK[Role.ANALYST] for org in viewer.roles)


def record_denied(user: AnyUser | None, target: str, reason: str) -> None:
    """Every denied access is audited; repeats are counted on one row (a bounded log)."""
    from commonground.sharing.services import do_record_repeatable

    actor = user if isinstance(user, User) else None
    do_record_repeatable("access.denied", actor, target, {"reason": reason})


# --- Areas -------------------------------------------------------------------------------------

#: The admin-1 boundaries that ship with the product (``make mapdata``), relative to this package.
REFERENCE_BOUNDARIES = Path(__file__).resolve().parent.parent / (
    "web/static/web/mapdata/admin1.geojson"
)


@cache
def reference_area_codes() -> frozenset[str]:
    """Codes of the areas whose boundaries ship with the product: public geography.

    Each admin-1 unit of the offline boundaries, under its code and the codes of its other
    spellings, and the countries they lie in.
    """
    try:
        collection = json.loads(REFERENCE_BOUNDARIES.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return frozenset()
    codes: set[str] = set()
    for feature in collection["features"]:
        properties = feature["properties"]
        codes.update((properties["code"], properties["country"], *properties["aliases"]))
    return frozenset(codes)


def area_records_filter(viewer: Viewer) -> Q | None:
    """The condition an area must meet to be visible; ``None`` means every area.

    Areas are made from the place names imports carry, so an area's very name can come from a
    confidential record. An area is visible when its boundary ships with the product
    (:func:`reference_area_codes`) or a record the viewer may see lies in it or below it: a
    current event (through the stored area figures, which sum exactly the current events, with
    their ownership) or a presence record. The condition is subqueries, so a listing costs one
    query however many areas it holds.
    """
    from commonground.analysis.models import AreaMonthFigure, CountryMonthFigure
    from commonground.core.models import Area, AreaLevel
    from commonground.registry.models import Presence

    records = owned_records_filter(viewer)
    if records is None:
        return None
    figures = AreaMonthFigure.objects.filter(records).order_by()
    country_figures = CountryMonthFigure.objects.filter(records).order_by()  # far fewer rows
    presence = Presence.objects.filter(records).order_by()
    presence_areas = Area.objects.filter(pk__in=presence.values("area")).order_by()
    countries = Q(level=AreaLevel.COUNTRY)
    return (
        Q(code__in=sorted(reference_area_codes()))
        | Q(pk__in=figures.values("admin1"))
        | Q(pk__in=figures.values("admin2"))
        | (countries & Q(code__in=country_figures.values("country_code")))
        | Q(pk__in=presence.values("area"))
        | Q(pk__in=presence_areas.values("parent"))
        | (countries & Q(code__in=presence.values("country_code")))
    )


def access_areas(queryset: QuerySet[M], user: AnyUser | None) -> QuerySet[M]:
    """Restrict a queryset of areas to those ``user`` may know of (:func:`area_records_filter`).

    An area that is hidden answers exactly as one that does not exist.
    """
    condition = area_records_filter(viewer_for(user))
    return queryset if condition is None else queryset.filter(condition)


# --- Declaring the policy of a view ----------------------------------------------------------

#: The policies a view may declare. A test walks every URL and fails on a view with none.
POLICIES = {
    "public": "Anyone; owned records shown are filtered by access_owned.",
    "signed_in": "Signed-in users only.",
    "importer": "Analysts and above (may_import).",
    "platform_admin": "Platform administrators only (Django admin's staff check).",
    "voices": "Members of the report's owner only (access_reports); anyone else: not found.",
    "released": "Released tables only, through sharing.gate (release_routes); else not found.",
    "circle_owner": "Members of the organization owning the circles or records concerned.",
}

V = TypeVar("V", bound=Callable[..., Any])


def policy(name: str) -> Callable[[V], V]:
    """Mark a view with the access policy it applies; the URL walk test reads the mark."""
    if name not in POLICIES:
        raise ValueError(f"unknown access policy {name!r}")

    def mark(view: V) -> V:
        view.access_policy = name  # type: ignore[attr-defined]  # a plain marker attribute
        return view

    return mark


def access_operator(queryset: QuerySet[M]) -> QuerySet[M]:
    """Everything, for the operator at the command line.

    Whoever runs ``commonground`` on the machine holds the database file itself, so the command
    line reads as a platform administrator. What it lets *leave* the machine still goes through
    :func:`access_exportable`.
    """
    return queryset


# --- Organizations' members --------------------------------------------------------------------


def may_see_members(user: AnyUser | None, organization_id: Any) -> bool:
    """Who belongs to an organization is known to its members and platform administrators."""
    viewer = viewer_for(user)
    if viewer.is_platform_admin:
        return True
    return organization_id in viewer.roles


def may_manage_members(user: AnyUser | None, organization_id: Any) -> bool:
    """Organization administrators manage their own organization's members; platform admins any."""
    viewer = viewer_for(user)
    if viewer.is_platform_admin:
        return True
    return viewer.rank_in(organization_id) >= ROLE_RANK[Role.ORG_ADMIN]


def grantable_roles(user: AnyUser | None, organization_id: Any) -> list[Role]:
    """The roles a user may give in an organization: never more than they hold there.

    Only a platform administrator makes another platform administrator.
    """
    viewer = viewer_for(user)
    if viewer.is_platform_admin:
        return list(Role)
    if not may_manage_members(user, organization_id):
        return []
    return [Role.VIEWER, Role.ANALYST, Role.ORG_ADMIN]


def may_change_member(user: AnyUser | None, membership: Membership) -> bool:
    """Whether ``user`` may change or remove this membership.

    A platform administrator's membership carries platform rights, so only another platform
    administrator may change its role or remove it; an organization administrator may not
    take those rights away.
    """
    return membership.pk not in locked_members(user, [membership])


def locked_members(user: AnyUser | None, memberships: Iterable[Membership]) -> set[Any]:
    """The ids of the memberships ``user`` may not change or remove (one query for the viewer)."""
    viewer = viewer_for(user)
    if viewer.is_platform_admin:
        return set()
    return {
        m.pk
        for m in memberships
        if m.role == Role.PLATFORM_ADMIN
        or viewer.rank_in(m.organization_id) < ROLE_RANK[Role.ORG_ADMIN]
    }


def access_members(user: AnyUser | None, organization_id: Any) -> QuerySet[Membership]:
    """The memberships of an organization that ``user`` may see (all of them, or none)."""
    memberships = Membership.objects.filter(organization_id=organization_id)
    if not may_see_members(user, organization_id):
        return memberships.none()
    return memberships.select_related("user").order_by("user__username")


# --- Voices: community reports ----------------------------------------------------------------

#: Organization kinds that bear arms or command those who do: national and parallel forces, armed
#: groups and the military components of missions. Humanitarian-military separation: they never
#: receive raw records of :data:`SEPARATED_OWNER_KINDS`, whatever circle or agreement says.
ARMED_KINDS = frozenset(
    {
        OrganizationKind.NATIONAL_GOVERNMENT,
        OrganizationKind.PARALLEL_FORCE,
        OrganizationKind.ARMED_GROUP,
        OrganizationKind.MILITARY_COMPONENT,
    }
)

#: Owners whose raw records never reach :data:`ARMED_KINDS`.
SEPARATED_OWNER_KINDS = frozenset(
    {
        OrganizationKind.CIVIL_SOCIETY,
        OrganizationKind.HUMANITARIAN,
        OrganizationKind.NGO_PEACEBUILDER,
    }
)

#: Organization kinds that never see community reports, whatever agreement is made: people report
#: abuses by these very bodies.
VOICES_EXCLUDED_KINDS = ARMED_KINDS


def may_ever_receive_voices(kind: str) -> bool:
    """Whether an organization of this kind may ever be given raw reports (a later agreement)."""
    return kind not in VOICES_EXCLUDED_KINDS


def voices_organizations(user: AnyUser | None, analysts_only: bool = False) -> list[Any]:
    """The organizations whose community reports ``user`` sees (coarse parts at least).

    Only members of the owner: a platform administrator who is not a member sees nothing, as
    does everyone else. Sharing agreements for voices are a later slice
    (:func:`may_ever_receive_voices`).
    """
    viewer = viewer_for(user)
    lowest = ROLE_RANK[Role.ANALYST] if analysts_only else ROLE_RANK[Role.VIEWER]
    return [org for org in viewer.roles if viewer.rank_in(org) >= lowest]


def access_reports(queryset: QuerySet[M], user: AnyUser | None) -> QuerySet[M]:
    """The reports ``user`` may know exist: those of organizations they belong to."""
    return queryset.filter(owner_id__in=voices_organizations(user))


def may_read_protected(user: AnyUser | None, owner_id: Any) -> bool:
    """Narrative, contact, identity, exact place and date: the owner's analysts and above."""
    return viewer_for(user).rank_in(owner_id) >= ROLE_RANK[Role.ANALYST]
