"""Writes to organizations and memberships (``do_*``), each one audited."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from commonground.sharing.models import (
    API_TOKEN_NAME_LENGTH,
    ApiToken,
    AuditEvent,
    Membership,
    Organization,
    OrganizationKind,
    Role,
)

# --- Repeated events: audited, but bounded ----------------------------------------------------

#: Repeats of one audited event (same action, actor and target) within this window update the
#: first row's count instead of adding rows; so do events past the cap below.
AUDIT_WINDOW = datetime.timedelta(minutes=10)

#: At most this many rows per action and actor within the window; past it, one summary row per
#: window counts the rest and keeps a sample of their targets. Anonymous callers share one actor.
AUDIT_ROWS_PER_WINDOW = 20

#: Target of the summary row that counts events past the cap.
AUDIT_SUMMARY_TARGET = "(more)"

#: How many targets a summary row keeps as a sample.
AUDIT_SAMPLE_SIZE = 20


def do_record_repeatable(
    action: str, actor: User | None, target: str, detail: dict[str, Any]
) -> AuditEvent:
    """Audit an event that a caller can repeat at will (a denied read, a failed sign-in).

    Every occurrence is counted, but the log grows by at most ``AUDIT_ROWS_PER_WINDOW`` + 1 rows
    per action, actor and ``AUDIT_WINDOW``: a repeat of the same target adds to ``repeats`` of
    its row; past the cap, other targets add to one summary row (target ``(more)``) that counts
    them and samples their names. A guessing script thus leaves a readable trace, not a flood.
    """
    since = timezone.now() - AUDIT_WINDOW
    with transaction.atomic():
        recent = AuditEvent.objects.filter(action=action, actor=actor, at__gte=since)
        same = recent.filter(target=target).order_by("at").first()
        if same is not None:
            return _count_repeat(same, target)
        if recent.exclude(target=AUDIT_SUMMARY_TARGET).count() < AUDIT_ROWS_PER_WINDOW:
            return AuditEvent.objects.create(
                actor=actor, action=action, target=target, detail=detail
            )
        summary = recent.filter(target=AUDIT_SUMMARY_TARGET).order_by("at").first()
        if summary is None:
            return AuditEvent.objects.create(
                actor=actor,
                action=action,
                target=AUDIT_SUMMARY_TARGET,
                detail={**detail, "repeats": 0, "sample": [target]},
            )
        return _count_repeat(summary, target)


def _count_repeat(row: AuditEvent, target: str) -> AuditEvent:
    """Add one to a row's ``repeats``, note when it was last seen and sample the target."""
    detail = dict(row.detail)
    detail["repeats"] = int(detail.get("repeats", 0)) + 1
    detail["last_at"] = timezone.now().isoformat()
    sample = detail.get("sample")
    if isinstance(sample, list) and target not in sample and len(sample) < AUDIT_SAMPLE_SIZE:
        detail["sample"] = [*sample, target]
    row.detail = detail
    row.save(update_fields=["detail"])
    return row


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
    match = matching_organization(name, acronym, aliases)
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


def matching_organization(
    name: str, acronym: str, aliases: list[str] | None = None
) -> Organization | None:
    """The organization known by this acronym, name or one of the aliases (any case), if any."""
    wanted = {n.casefold() for n in (acronym, name, *(aliases or [])) if n}
    return next(
        (
            org
            for org in Organization.objects.all()
            if wanted & {n.casefold() for n in (org.acronym, org.name, *org.aliases) if n}
        ),
        None,
    )


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


def do_change_password(user: User, new_password: str, actor: User | None) -> User:
    """Set a user's password (already checked by the form's validators) and audit it.

    The audit row says who changed it and whose it is; never the password.
    """
    user.set_password(new_password)
    user.save(update_fields=["password"])
    AuditEvent.objects.create(
        actor=actor, action="user.password_changed", target=user.username, detail={}
    )
    return user


# --- API tokens --------------------------------------------------------------------------------

#: Every token starts with this, so a leaked one is recognisable (e.g. by secret scanners).
API_TOKEN_PREFIX = "cg_"  # noqa: S105  # a public marker, not a secret

#: How many leading characters of a token are kept in clear, to tell tokens apart in lists.
API_TOKEN_SHOWN = 10

#: ``last_used_at`` is written at most this often per token, so reads do not become writes.
API_TOKEN_TOUCH_SECONDS = 60


def api_token_hash(plaintext: str) -> str:
    """SHA-256 of a token, hex. Tokens carry 256 random bits, so a fast hash is enough."""
    return hashlib.sha256(plaintext.encode("utf-8", "surrogatepass")).hexdigest()


def do_create_api_token(user: User, name: str, actor: User | None = None) -> tuple[ApiToken, str]:
    """Create a token for ``user``; returns the record and the token, which is never stored.

    ``actor`` is who asked (``None`` for the command line); the audit event names the token by
    id and prefix only.
    """
    name = name.strip()
    if not name:
        raise ValueError("a token needs a name that says what it is for")
    if len(name) > API_TOKEN_NAME_LENGTH:
        raise ValueError(f"a token name has at most {API_TOKEN_NAME_LENGTH} characters")
    if not user.is_active:
        raise ValueError(f"user {user.username!r} is inactive")
    plaintext = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=plaintext[:API_TOKEN_SHOWN],
        token_hash=api_token_hash(plaintext),
    )
    AuditEvent.objects.create(
        actor=actor,
        action="api_token.created",
        target=f"api_token:{token.pk}",
        detail={"user": user.username, "name": name, "prefix": token.prefix},
    )
    return token, plaintext


def do_revoke_api_token(token: ApiToken, actor: User | None = None) -> ApiToken:
    """Revoke a token from now on; revoking a revoked token changes nothing and is not logged."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    AuditEvent.objects.create(
        actor=actor,
        action="api_token.revoked",
        target=f"api_token:{token.pk}",
        detail={"user": token.user.username, "name": token.name, "prefix": token.prefix},
    )
    return token


def use_api_token(plaintext: str) -> ApiToken | None:
    """The active token with this value, its user loaded, or None; notes when it was used.

    Inactive users' tokens are refused too. The lookup is by hash, so the database never sees
    the token.
    """
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=api_token_hash(plaintext), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    stale = now - datetime.timedelta(seconds=API_TOKEN_TOUCH_SECONDS)
    if token.last_used_at is None or token.last_used_at < stale:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# --- Managing an organization's members --------------------------------------------------------


class MembershipRefused(ValueError):
    """A membership change that would break a rule; the message is shown to the user."""


def _would_orphan(membership: Membership, new_role: Role | None) -> bool:
    """Whether the change leaves the organization with no administrator of its own."""
    if membership.role not in (Role.ORG_ADMIN, Role.PLATFORM_ADMIN):
        return False
    if new_role in (Role.ORG_ADMIN, Role.PLATFORM_ADMIN):
        return False
    others = Membership.objects.filter(
        organization_id=membership.organization_id,
        role__in=[Role.ORG_ADMIN, Role.PLATFORM_ADMIN],
    ).exclude(pk=membership.pk)
    return not others.exists()


def do_set_member_role(membership: Membership, role: Role, actor: User | None) -> Membership:
    """Change a member's role; refuses to leave the organization without an administrator."""
    if _would_orphan(membership, role):
        raise MembershipRefused(
            _("%(org)s would have no administrator left: make someone else one first.")
            % {"org": membership.organization.name}
        )
    return do_add_member(membership.user, membership.organization, role, actor=actor)


def do_remove_member(membership: Membership, actor: User | None) -> None:
    """Take a user out of an organization; the account stays (it may belong elsewhere)."""
    if _would_orphan(membership, None):
        raise MembershipRefused(
            _("%(org)s would have no administrator left: make someone else one first.")
            % {"org": membership.organization.name}
        )
    target = f"{membership.user.username}@{membership.organization.slug}"
    membership.delete()
    AuditEvent.objects.create(actor=actor, action="membership.removed", target=target, detail={})


def do_create_member(
    username: str,
    full_name: str,
    password: str,
    organization: Organization,
    role: Role,
    actor: User | None,
) -> Membership:
    """Open an account for someone and make them a member, in one step.

    The password is checked by Django's validators (settings.AUTH_PASSWORD_VALIDATORS); the
    new member should change it at first sign-in.
    """
    from django.contrib.auth.password_validation import validate_password

    username = username.strip()
    if not username:
        raise MembershipRefused(_("A user name is required."))
    if User.objects.filter(username__iexact=username).exists():
        raise MembershipRefused(_("The user name %(name)s is taken.") % {"name": username})
    first, _space, last = full_name.strip().partition(" ")
    user = User(username=username, first_name=first, last_name=last)
    validate_password(password, user)
    user.set_password(password)
    user.save()
    AuditEvent.objects.create(
        actor=actor, action="user.created", target=username, detail={"by_org": organization.slug}
    )
    return do_add_member(user, organization, role, actor=actor)
