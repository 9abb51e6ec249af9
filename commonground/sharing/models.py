"""Organizations, roles, sensitivity, licences, sharing agreements and the audit log.

Who may see what is decided in ``commonground.sharing.policy`` and nowhere else.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import BaseModel


class OrganizationKind(models.TextChoices):
    UN_MISSION = "un_mission", _("UN mission")
    REGIONAL_ORGANIZATION = "regional_org", _("Regional or subregional organization")
    EU = "eu", _("European Union")
    NATO = "nato", _("NATO")
    NATIONAL_GOVERNMENT = "national_government", _("National government or forces")
    PARALLEL_FORCE = "parallel_force", _("Parallel or coalition force")
    NGO_PEACEBUILDER = "peacebuilder", _("NGO or peacebuilder")
    HUMANITARIAN = "humanitarian", _("Humanitarian organization")
    DEVELOPMENT = "development", _("Development organization")
    DONOR = "donor", _("Donor")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    LOCAL_AUTHORITY = "local_authority", _("Local or customary authority")
    ARMED_GROUP = "armed_group", _("Armed group")
    DATA_PROVIDER = "data_provider", _("Data provider")
    MILITARY_COMPONENT = "military_component", _("Military component of a mission")
    OTHER = "other", _("Other")


class Organization(BaseModel):
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=300)
    acronym = models.CharField(max_length=80, blank=True)
    kind = models.CharField(max_length=40, choices=OrganizationKind.choices)
    aliases = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.acronym or self.name


class Role(models.TextChoices):
    """Roles in increasing power; each includes what the ones before it may do.

    A planner reads as a viewer and may also state the organization's capability needs and
    exit benchmarks (``mandates``, ``learning``); nothing else of the policy changes.
    """

    VIEWER = "viewer", _("Viewer")
    PLANNER = "planner", _("Mission planner")
    ANALYST = "analyst", _("Analyst")
    ORG_ADMIN = "org_admin", _("Organization administrator")
    PLATFORM_ADMIN = "platform_admin", _("Platform administrator")


ROLE_RANK = {
    Role.VIEWER: 1,
    Role.PLANNER: 1,
    Role.ANALYST: 2,
    Role.ORG_ADMIN: 3,
    Role.PLATFORM_ADMIN: 4,
}


class Membership(BaseModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"


class Sensitivity(models.IntegerChoices):
    """How far a record may travel. Higher is more closely held."""

    PUBLIC = 0, _("Public")
    PARTNERS = 1, _("Partners")
    RESTRICTED = 2, _("Restricted")
    CONFIDENTIAL = 3, _("Confidential")


class Licence(models.TextChoices):
    """Terms a record came under. ``acled`` allows sharing derived data only."""

    CC_BY_4_0 = "CC-BY-4.0", _("Creative Commons Attribution 4.0")
    ACLED = "ACLED-terms", _("ACLED terms of use (derived data only)")
    PUBLIC_FACTS = "public-facts", _("Facts compiled from public sources")
    OWNER = "owner", _("Owner's own data")


#: Licences whose raw rows never leave the owning organization.
RAW_SHARING_FORBIDDEN = frozenset({Licence.ACLED})


class OwnershipFields(models.Model):
    """Every owned record says who owns it, how sensitive it is and under what licence."""

    owner = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    sensitivity = models.PositiveSmallIntegerField(
        choices=Sensitivity.choices, default=Sensitivity.PUBLIC
    )
    licence = models.CharField(max_length=40, choices=Licence.choices, default=Licence.OWNER)
    #: Who besides the owner sees a record above ``public`` (up to the circle's level); none:
    #: the owner only. Deleting a circle narrows its records back to the owner (ADR 0020).
    #: No index: the policy ORs this with the owner's conditions, so an index would not be used.
    circle = models.ForeignKey(
        "sharing.SharingCircle",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )

    class Meta:
        abstract = True


class OwnedModel(BaseModel, OwnershipFields):
    """An owned record with a UUID key (registries and other low-volume records)."""

    class Meta:
        abstract = True


class SharingAgreement(BaseModel):
    """``provider`` lets ``recipient`` see its records up to ``max_sensitivity``."""

    provider = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="agreements_given"
    )
    recipient = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="agreements_received"
    )
    max_sensitivity = models.PositiveSmallIntegerField(
        choices=Sensitivity.choices, default=Sensitivity.RESTRICTED
    )
    note = models.TextField(blank=True)
    #: Whether the agreement also gives the recipient the provider's community reports (voices):
    #: coarse parts to every member of the recipient. Never to ARMED_KINDS (the policy).
    covers_voices = models.BooleanField(default=False, db_default=False)
    #: Whether the recipient's analysts (not viewers) may also read reports' protected fields.
    voices_protected = models.BooleanField(default=False, db_default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "recipient"], name="one_agreement_per_pair")
        ]
        verbose_name = _("sharing agreement")
        verbose_name_plural = _("sharing agreements")

    def __str__(self) -> str:
        return f"{self.provider} → {self.recipient} (≤ {self.get_max_sensitivity_display()})"


class SharingCircle(BaseModel):
    """A named set of organizations that records, datasets, alerts or released tables go to.

    As MISP's sharing groups: each circle is owned by one organization, which chooses its members
    and the highest sensitivity shared through it. Being in a circle never overrides the
    humanitarian-military separation rule of the policy (``commonground.sharing.policy``).
    ``releases_paused`` lets the owner stop the disclosure gate releasing tables to the circle.
    """

    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="circles_owned")
    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    members = models.ManyToManyField(Organization, related_name="circles", blank=True)
    max_sensitivity = models.PositiveSmallIntegerField(
        choices=Sensitivity.choices, default=Sensitivity.PARTNERS, db_default=Sensitivity.PARTNERS
    )
    releases_paused = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "slug"], name="one_circle_slug_per_owner")
        ]
        verbose_name = _("sharing circle")
        verbose_name_plural = _("sharing circles")

    def __str__(self) -> str:
        return f"{self.name} ({self.owner})"


class AuditEvent(models.Model):
    """An append-only log of writes with side effects and of denied access."""

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=60, db_index=True)
    target = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target}"


#: The longest name a token may have.
API_TOKEN_NAME_LENGTH = 100


class ApiToken(models.Model):
    """A bearer token a script uses for the JSON API, on behalf of one user.

    Only the SHA-256 of the token is stored: the token itself is shown once, when it is created,
    and cannot be recovered. ``prefix`` (the first characters) tells tokens apart in lists.
    A revoked token is kept, with when it was revoked, so the audit log keeps pointing at it.
    Tokens are credentials of one installation: integer keys, never synced between machines.
    """

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=API_TOKEN_NAME_LENGTH, help_text=_("What the token is for."))
    prefix = models.CharField(max_length=16, help_text=_("The token's first characters."))
    token_hash = models.CharField(max_length=64, unique=True, help_text=_("SHA-256, hex."))
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


# The disclosure gate's release log lives in its own module (``releases.py``); imported here so
# Django registers it with the app.
from commonground.sharing.releases import Release as Release  # noqa: E402
