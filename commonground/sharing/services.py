"""Writes to organizations and memberships (``do_*``), each one audited."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.utils.text import slugify

from commonground.sharing.models import (
    AuditEvent,
    Membership,
    Organization,
    OrganizationKind,
    Role,
)


def local_organization() -> Organization:
    """The organization that runs this installation; owns what the command line imports."""
    org, _created = Organization.objects.get_or_create(
        slug=settings.COMMONGROUND_DEFAULT_OWNER,
        defaults={"name": "This installation", "kind": OrganizationKind.OTHER},
    )
    return org


def organization_by_slug(slug: str) -> Organization:
    try:
        return Organization.objects.get(slug=slug)
    except Organization.DoesNotExist:
        if slug == settings.COMMONGROUND_DEFAULT_OWNER:
            return local_organization()
        raise


def do_ensure_organization(
    name: str,
    acronym: str,
    kind: OrganizationKind | str,
    actor: User | None = None,
    aliases: list[str] | None = None,
) -> Organization:
    """Match an organization by acronym, name or alias, or create it; record new aliases.

    Organizations are few (hundreds), so matching in Python keeps the rule the same on SQLite
    and PostgreSQL (SQLite has no JSON containment lookup).
    """
    wanted = {n.casefold() for n in (acronym, name, *(aliases or [])) if n}
    match = next(
        (
            org
            for org in Organization.objects.all()
            if wanted & {n.casefold() for n in (org.acronym, org.name, *org.aliases) if n}
        ),
        None,
    )
    if match is None:
        match = Organization.objects.create(
            slug=_free_slug(acronym or name), name=name, acronym=acronym, kind=kind
        )
        AuditEvent.objects.create(actor=actor, action="organization.created", target=match.slug)
    known = {n.casefold() for n in (match.acronym, match.name, *match.aliases) if n}
    new = [n for n in dict.fromkeys((name, *(aliases or []))) if n and n.casefold() not in known]
    if new:
        match.aliases = [*match.aliases, *new]
        match.save(update_fields=["aliases", "updated_at"])
        AuditEvent.objects.create(
            actor=actor, action="organization.aliases_added", target=match.slug, detail={"new": new}
        )
    return match


def _free_slug(text: str) -> str:
    slug = slugify(text)[:80] or "organization"
    base, n = slug, 2
    while Organization.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"[:80]
        n += 1
    return slug


def do_add_member(
    user: User, organization: Organization, role: Role, actor: User | None = None
) -> Membership:
    membership, _created = Membership.objects.update_or_create(
        user=user, organization=organization, defaults={"role": role}
    )
    AuditEvent.objects.create(
        actor=actor,
        action="membership.set",
        target=f"{user.username}@{organization.slug}",
        detail={"role": str(role)},
    )
    return membership
