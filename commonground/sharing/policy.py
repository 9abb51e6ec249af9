"""The access policy: the one place that decides who sees which owned records.

Every read of owned data goes through an ``access_*`` function here. Each rule is written one
condition per line so a reviewer can check it against the table in ``docs/access-policy.md``.

Who sees an owned record (owner, sensitivity, licence, circle) — ADR 0020:
- a platform administrator: everything;
- anyone, signed in or not: public records whose licence allows sharing raw rows;
- a member of an organization in the record's sharing circle: the record, when
  the circle is owned by the record's owner (another's circle widens nothing),
  and it is above public,
  and its sensitivity is at most the circle's ``max_sensitivity``,
  and its licence allows raw sharing,
  and it is not a separated owner's record seen only through an armed organization;
- a member of a recipient of a sharing agreement: the provider's records up to the agreed level,
  when the licence allows raw sharing,
  and not when the provider is a separated owner and the recipient of an armed kind;
- a member of the owner: the owner's records up to ``restricted``; analysts and above also see
  ``confidential``.
A non-public record in no circle is the owner's alone (and its agreements' recipients).

Humanitarian-military separation: records owned by :data:`SEPARATED_OWNER_KINDS` are never seen
above ``public`` through a membership of an :data:`ARMED_KINDS` organization, whatever circle or
agreement says. Creating such an agreement or circle membership is refused and audited
(:func:`separation_refusal`); a person who is a member of both an armed organization and another
one sees what the other membership gives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db.models import F, Model, Q, QuerySet
from django.utils.translation import gettext as _

from commonground.sharing.models import (
    RAW_SHARING_FORBIDDEN,
    ROLE_RANK,
    Membership,
    Organization,
    OrganizationKind,
    Role,
    Sensitivity,
    SharingAgreement,
    SharingCircle,
)

AnyUser = AbstractBaseUser | AnonymousUser
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Viewer:
    """What the policy needs to know about whoever is asking."""

    user_id: int | None
    is_platform_admin: bool
    roles: dict[Any, str]  # organization id -> role
    kinds: dict[Any, str] = field(default_factory=dict)  # organization id -> kind

    @property
    def is_member(self) -> bool:
        return bool(self.roles)

    @property
    def armed_organizations(self) -> frozenset[Any]:
        """The viewer's organizations of :data:`ARMED_KINDS` (separation applies to these)."""
        return frozenset(org for org in self.roles if self.kinds.get(org) in ARMED_KINDS)

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
    rows = Membership.objects.filter(user_id=user.pk).values_list(
        "organization_id", "role", "organization__kind"
    )
    roles = {org: role for org, role, _kind in rows}
    kinds = {org: kind for org, _role, kind in rows}
    is_admin = bool(getattr(user, "is_superuser", False)) or Role.PLATFORM_ADMIN in roles.values()
    return Viewer(user_id=user.pk, is_platform_admin=is_admin, roles=roles, kinds=kinds)


def as_viewer(who: AnyUser | Viewer | None) -> Viewer:
    """Accept a user or an already worked-out :class:`Viewer` (``request_viewer``)."""
    return who if isinstance(who, Viewer) else viewer_for(who)


def separated_owner_ids() -> list[Any]:
    """The organizations whose records armed organizations never see raw (one query)."""
    return sorted(
        Organization.objects.filter(kind__in=SEPARATED_OWNER_KINDS).values_list("id", flat=True),
        key=str,
    )


def _circle_levels(
    viewer: Viewer,
) -> tuple[dict[tuple[int, Any], set[Any]], dict[tuple[int, Any], set[Any]]]:
    """The viewer's circles by their ``max_sensitivity`` and owner: reached through a non-armed
    organization (open), and reached only through armed ones (separation applies). One query.

    The owner is kept so that a circle only ever opens its own owner's records: a record put in
    another organization's circle (past the services) stays its owner's alone.
    """
    through = SharingCircle.members.through
    rows = through.objects.filter(organization_id__in=list(viewer.roles)).values_list(
        "sharingcircle_id",
        "sharingcircle__max_sensitivity",
        "sharingcircle__owner_id",
        "organization_id",
    )
    armed = viewer.armed_organizations
    keys: dict[Any, tuple[int, Any]] = {}
    open_circles: set[Any] = set()
    for circle_id, level, owner_id, organization_id in rows:
        keys[circle_id] = (level, owner_id)
        if organization_id not in armed:
            open_circles.add(circle_id)
    opened: dict[tuple[int, Any], set[Any]] = {}
    armed_only: dict[tuple[int, Any], set[Any]] = {}
    for circle_id, key in keys.items():
        (opened if circle_id in open_circles else armed_only).setdefault(key, set()).add(circle_id)
    return opened, armed_only


def _ids(values: Iterable[Any]) -> list[Any]:
    """A stable order, so the condition's text (a cache key) is the same for the same viewer."""
    return sorted(values, key=str)


def owned_records_filter(who: Viewer | AnyUser | None) -> Q | None:
    """The condition an owned record must meet to be visible; ``None`` means no condition.

    The rules, one per line, are in the module's docstring and in docs/access-policy.md.
    """
    viewer = as_viewer(who)
    if viewer.is_platform_admin:
        return None
    shareable = ~Q(licence__in=RAW_SHARING_FORBIDDEN)
    visible = Q(sensitivity=Sensitivity.PUBLIC) & shareable
    if not viewer.is_member:
        return visible
    armed = viewer.armed_organizations
    separated = separated_owner_ids() if armed else []
    above_public = Q(sensitivity__gt=Sensitivity.PUBLIC)
    opened, armed_only = _circle_levels(viewer)
    # A circle opens only its own owner's records (``owner_id``): see ``_circle_levels``.
    for (level, owner_id), circles in sorted(opened.items(), key=lambda item: str(item[0])):
        visible |= (
            Q(owner_id=owner_id, circle_id__in=_ids(circles), sensitivity__lte=level)
            & above_public
            & shareable
        )
    for (level, owner_id), circles in sorted(armed_only.items(), key=lambda item: str(item[0])):
        visible |= (
            Q(owner_id=owner_id, circle_id__in=_ids(circles), sensitivity__lte=level)
            & above_public
            & shareable
            & ~Q(owner_id__in=separated)
        )
    agreements = SharingAgreement.objects.filter(recipient_id__in=list(viewer.roles))
    granted: dict[Any, int] = {}
    for provider_id, recipient_id, level in agreements.values_list(
        "provider_id", "recipient_id", "max_sensitivity"
    ):
        if recipient_id in armed and provider_id in separated:
            continue  # separation: whatever the agreement says
        granted[provider_id] = max(level, granted.get(provider_id, level))
    for provider_id, level in sorted(granted.items(), key=lambda item: str(item[0])):
        visible |= Q(owner_id=provider_id, sensitivity__lte=level) & shareable
    for organization_id in _ids(viewer.roles):
        top = Sensitivity.RESTRICTED
        if viewer.rank_in(organization_id) >= ROLE_RANK[Role.ANALYST]:
            top = Sensitivity.CONFIDENTIAL
        visible |= Q(owner_id=organization_id, sensitivity__lte=top)
    return visible


def access_owned(queryset: QuerySet[M], user: AnyUser | Viewer | None) -> QuerySet[M]:
    """Restrict any queryset of owned records to what ``user`` (or a viewer) may see."""
    condition = owned_records_filter(as_viewer(user))
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


#: The audited reason of a refusal that humanitarian-military separation decided.
SEPARATION_REASON = "humanitarian-military separation"


def record_denied(
    user: AnyUser | Viewer | None,
    target: str,
    reason: str,
    records: QuerySet[Any] | None = None,
) -> None:
    """Every denied access is audited; repeats are counted on one row (a bounded log).

    ``records``, the hidden record(s) asked for, lets the audit say when separation refused it
    (a member of an armed organization asked for a separated owner's record above public).
    """
    from commonground.sharing.services import do_record_repeatable

    if records is not None and _separation_decided(user, records):
        reason = SEPARATION_REASON
    elif records is not None and misplaced_circle_records(records).exists():
        reason = CIRCLE_MISMATCH_REASON
    if isinstance(user, Viewer):
        user = User.objects.filter(pk=user.user_id).first() if user.user_id else None
    actor = user if isinstance(user, User) else None
    do_record_repeatable("access.denied", actor, target, {"reason": reason})


#: The audited reason when a record asked for sits in a circle its owner does not own: the
#: policy reads it as its owner's alone (``owned_records_filter``).
CIRCLE_MISMATCH_REASON = "record in another owner's circle"


def misplaced_circle_records(records: QuerySet[M]) -> QuerySet[M]:
    """The records put in a circle that their owner does not own (written past the services).

    The policy never lets such a circle widen who sees them; this finds them for the audit.
    Records with no circle (community reports) are never misplaced.
    """
    if not any(f.name == "circle" for f in records.model._meta.get_fields()):
        return records.none()
    return records.filter(circle__isnull=False).exclude(circle__owner_id=F("owner_id"))


def _separation_decided(user: AnyUser | Viewer | None, records: QuerySet[Any]) -> bool:
    viewer = as_viewer(user)
    if viewer.is_platform_admin or not viewer.armed_organizations:
        return False
    separated = records.filter(owner__kind__in=SEPARATED_OWNER_KINDS)
    if any(f.name == "sensitivity" for f in records.model._meta.get_fields()):
        separated = separated.filter(sensitivity__gt=Sensitivity.PUBLIC)
    return separated.exists()


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


def sharing_organizations(user: AnyUser | Viewer | None) -> QuerySet[Organization]:
    """The organizations whose circles and agreements ``user`` manages: those they administer
    (organization administrators), every one for a platform administrator."""
    viewer = as_viewer(user)
    if viewer.is_platform_admin:
        return Organization.objects.all()
    return Organization.objects.filter(
        pk__in=[org for org in viewer.roles if viewer.rank_in(org) >= ROLE_RANK[Role.ORG_ADMIN]]
    )


def may_manage_sharing(user: AnyUser | Viewer | None, organization_id: Any) -> bool:
    """Circles of an owner and agreements of a provider: its organization administrators and
    platform administrators (the same right as managing its members)."""
    viewer = as_viewer(user)
    if viewer.is_platform_admin:
        return True
    return viewer.rank_in(organization_id) >= ROLE_RANK[Role.ORG_ADMIN]


def may_place_records(user: AnyUser | Viewer | None, owner_id: Any) -> bool:
    """Moving an owner's record between its circles (or to the owner alone): the owner's
    analysts and above, and platform administrators."""
    viewer = as_viewer(user)
    if viewer.is_platform_admin:
        return True
    return viewer.rank_in(owner_id) >= ROLE_RANK[Role.ANALYST]


def grantable_roles(user: AnyUser | None, organization_id: Any) -> list[Role]:
    """The roles a user may give in an organization: never more than they hold there.

    Only a platform administrator makes another platform administrator.
    """
    viewer = viewer_for(user)
    if viewer.is_platform_admin:
        return list(Role)
    if not may_manage_members(user, organization_id):
        return []
    return [Role.VIEWER, Role.PLANNER, Role.ANALYST, Role.ORG_ADMIN]


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


def may_ever_be_separated(owner_kind: str, recipient_kind: str) -> bool:
    """Whether raw records of an owner of this kind may never reach a recipient of that kind."""
    return owner_kind in SEPARATED_OWNER_KINDS and recipient_kind in ARMED_KINDS


def separation_refusal(owner: Organization, recipient: Organization) -> str | None:
    """Why sharing ``owner``'s raw records with ``recipient`` is refused, or ``None``.

    The message is translated (English and French); callers audit the attempt.
    """
    if may_ever_be_separated(owner.kind, recipient.kind):
        return _(
            "%(owner)s is a civil-society, humanitarian or peacebuilding organization and "
            "%(recipient)s bears arms or commands those who do: its raw records are never "
            "shared with them (humanitarian-military separation)."
        ) % {"owner": owner, "recipient": recipient}
    return None


def _voices_agreements(viewer: Viewer) -> list[tuple[Any, Any, bool]]:
    """(provider, recipient, protected) of the voices agreements the viewer's organizations
    receive, without those whose recipient is of :data:`VOICES_EXCLUDED_KINDS`."""
    eligible = [org for org in viewer.roles if may_ever_receive_voices(viewer.kinds.get(org, ""))]
    if not eligible:
        return []
    return list(
        SharingAgreement.objects.filter(recipient_id__in=eligible, covers_voices=True)
        .exclude(recipient__kind__in=VOICES_EXCLUDED_KINDS)
        .values_list("provider_id", "recipient_id", "voices_protected")
    )


def voices_organizations(user: AnyUser | Viewer | None, analysts_only: bool = False) -> list[Any]:
    """The organizations whose community reports ``user`` sees (coarse parts at least).

    - members of the owner (viewers and above; ``analysts_only``: analysts and above);
    - members of the recipient of a sharing agreement that covers voices (``covers_voices``),
      when the recipient is not of :data:`VOICES_EXCLUDED_KINDS` (whatever the agreement says);
      with ``analysts_only``: only the recipient's analysts, and only when the agreement also
      gives protected fields (``voices_protected``).
    A platform administrator who is not a member sees nothing, as does everyone else.
    """
    viewer = as_viewer(user)
    lowest = ROLE_RANK[Role.ANALYST] if analysts_only else ROLE_RANK[Role.VIEWER]
    found = [org for org in viewer.roles if viewer.rank_in(org) >= lowest]
    for provider_id, recipient_id, protected in _voices_agreements(viewer):
        if analysts_only and not protected:
            continue
        if viewer.rank_in(recipient_id) >= lowest and provider_id not in found:
            found.append(provider_id)
    return found


def access_reports(queryset: QuerySet[M], user: AnyUser | Viewer | None) -> QuerySet[M]:
    """The reports ``user`` may know exist: their organizations' and agreed providers'."""
    return queryset.filter(owner_id__in=voices_organizations(user))


def may_read_protected(user: AnyUser | Viewer | None, owner_id: Any) -> bool:
    """Narrative, contact, identity, exact place and date: the owner's analysts and above, and
    the analysts of a recipient whose voices agreement gives protected fields."""
    return owner_id in voices_organizations(user, analysts_only=True)


def may_grade_reports(user: AnyUser | Viewer | None, owner_id: Any) -> bool:
    """Grading and answering a report: the owner's analysts and above only, never a recipient."""
    return as_viewer(user).rank_in(owner_id) >= ROLE_RANK[Role.ANALYST]


# --- Alerts ------------------------------------------------------------------------------------
# Early warning (commonground/alerts, docs/alerts.md). An alert carries no raw record: only the
# area, category, urgency, week window and short text its author wrote. So, unlike a report, it
# reaches every organization in the circles its owner chose, forces included: that is its point.
# Nobody else learns it exists, platform administrators included (as for reports).

POLICIES["alerts"] = (
    "Members of the alert's owner and of its circles' organizations (access_alerts); "
    "anyone else: not found."
)


def access_alerts(queryset: QuerySet[M], viewer: Viewer) -> QuerySet[M]:
    """The alerts ``viewer`` may know exist: their organizations' own, and those sent to a
    circle one of their organizations is a member of (one query, no duplicates)."""
    organizations = list(viewer.roles)
    if not organizations:
        return queryset.none()
    received = queryset.model._default_manager.filter(circles__members__in=organizations)
    return queryset.filter(Q(owner_id__in=organizations) | Q(pk__in=received.values("pk")))


def may_raise_alert(viewer: Viewer, owner_id: Any) -> bool:
    """Analysts and above of an organization raise alerts from its own verified reports."""
    return viewer.rank_in(owner_id) >= ROLE_RANK[Role.ANALYST]


def may_manage_alert(viewer: Viewer, owner_id: Any) -> bool:
    """Closing, withdrawing and seeing the source reports: the owner's analysts and above."""
    return viewer.rank_in(owner_id) >= ROLE_RANK[Role.ANALYST]


def may_see_all_responses(viewer: Viewer, owner_id: Any) -> bool:
    """Every member of the owner sees every recipient's acknowledgements and responses."""
    return owner_id in viewer.roles


def receiving_organizations(
    viewer: Viewer, owner_id: Any, recipient_ids: Iterable[Any]
) -> list[Any]:
    """The viewer's organizations an alert reached (the owner itself is not a recipient).

    A recipient sees its own organization's acknowledgement and responses, never another's.
    """
    recipients = set(recipient_ids)
    return sorted((org for org in viewer.roles if org in recipients and org != owner_id), key=str)


def responding_organizations(
    viewer: Viewer, owner_id: Any, recipient_ids: Iterable[Any]
) -> list[Any]:
    """Where the viewer may acknowledge and respond: recipients where they are analyst or above.

    Viewers of a recipient read the alert; they do not answer for their organization.
    """
    return [
        org
        for org in receiving_organizations(viewer, owner_id, recipient_ids)
        if viewer.rank_in(org) >= ROLE_RANK[Role.ANALYST]
    ]
