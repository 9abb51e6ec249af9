"""Who is present where: actors in the conflict, operations, parallel forces, presence."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import Area, BaseModel, ImportRun
from commonground.registry.search import search_key
from commonground.sharing.models import Organization, OwnedModel


class DatePrecision(models.TextChoices):
    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class ActorKind(models.TextChoices):
    STATE_FORCES = "state_forces", _("State forces")
    REBEL_GROUP = "rebel_group", _("Rebel group")
    MILITIA = "militia", _("Militia")
    COMMUNAL_GROUP = "communal_group", _("Communal or identity group")
    EXTERNAL_FORCES = "external_forces", _("External forces")
    UN_FORCES = "un_forces", _("UN forces")
    CIVILIANS = "civilians", _("Civilians")
    PROTESTERS = "protesters", _("Protesters or rioters")
    OTHER = "other", _("Other or unknown")


class Actor(BaseModel):
    """A party to the conflict, as one record however many sources name it."""

    name = models.CharField(max_length=300, db_index=True)
    kind = models.CharField(max_length=30, choices=ActorKind.choices, default=ActorKind.OTHER)
    country_code = models.CharField(max_length=3, blank=True)
    #: Other names the sources give this actor (other spellings, former names).
    aliases = models.JSONField(default=list, blank=True)
    #: The name and aliases without accents or case (``registry.search``), kept by ``save``:
    #: what name searches match, the same on every database.
    search_key = models.TextField(blank=True, default="", editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("actor")
        verbose_name_plural = _("actors")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refold the search key from the name and aliases whenever the actor is saved."""
        self.search_key = search_key(self.name, self.aliases)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"name", "aliases"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        super().save(*args, **kwargs)


class ActorIdentifier(models.Model):
    """An actor's id in one source: ``ucdp`` side ids, ``acled`` actor names, ``cg`` names."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=20)
    value = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scheme", "value"], name="one_actor_per_source_id")
        ]
        verbose_name = _("actor identifier")
        verbose_name_plural = _("actor identifiers")

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


class LeadType(models.TextChoices):
    UN_PKO = "UN_PKO", _("UN peacekeeping operation")
    UN_SPM = "UN_SPM", _("UN special political mission")
    AU = "AU", _("African Union")
    REC = "REC", _("Regional economic community")
    EU = "EU", _("European Union")
    NATO = "NATO", _("NATO")
    COALITION = "coalition", _("Coalition")
    BILATERAL = "bilateral", _("Bilateral")


class Operation(OwnedModel):
    """A peace or security operation (UN, AU, REC, EU, NATO, coalition or bilateral)."""

    slug = models.SlugField(max_length=80, unique=True)
    acronym = models.CharField(max_length=80, db_index=True)
    name = models.CharField(max_length=300)
    lead_type = models.CharField(max_length=20, choices=LeadType.choices)
    lead_org = models.CharField(max_length=300, blank=True)
    host_countries = models.JSONField(default=list, blank=True)
    start_date = models.DateField(null=True, blank=True)
    start_precision = models.CharField(max_length=8, choices=DatePrecision.choices, blank=True)
    end_date = models.DateField(null=True, blank=True)
    end_precision = models.CharField(max_length=8, choices=DatePrecision.choices, blank=True)
    unsc_resolutions = models.JSONField(default=list, blank=True)
    mandate_focus = models.JSONField(default=list, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    verification = models.CharField(max_length=20, blank=True)
    notes = models.TextField(blank=True)
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "acronym"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")

    def __str__(self) -> str:
        return self.acronym


class LeadEntityType(models.TextChoices):
    BILATERAL = "bilateral", _("Bilateral")
    AD_HOC_COALITION = "ad hoc coalition", _("Ad hoc coalition")
    REGIONAL_ORG = "regional org", _("Regional organization")
    SUBREGIONAL_ORG = "subregional org", _("Subregional organization")
    NATO = "NATO", _("NATO")
    EU = "EU", _("European Union")


class UnscStatus(models.TextChoices):
    AUTHORIZED = "authorized", _("Authorized by the Security Council")
    WELCOMED = "welcomed/recognized", _("Welcomed or recognized")
    NONE = "none", _("No Council endorsement")
    UNKNOWN = "", _("Not established")


class CommandRelation(models.TextChoices):
    INDEPENDENT = "independent", _("Independent")
    COORDINATED = "coordinated", _("Coordinated")
    INTEGRATED = "integrated", _("Integrated")


class PurposeType(models.TextChoices):
    BRIDGING = "bridging", _("Bridging")
    DETERRENCE = "deterrence/over-the-horizon support", _("Deterrence or over-the-horizon support")
    COUNTERTERRORISM = "counterterrorism", _("Counterterrorism")
    STABILIZATION = "stabilization/peace enforcement", _("Stabilization or peace enforcement")
    TRAINING = "training/SSR", _("Training or security sector reform")
    OTHER = "other", _("Other")


class ParallelForce(OwnedModel):
    """A force not under UN command that ran beside one or more UN operations (seed 002)."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=300)
    lead_entity = models.CharField(max_length=300)
    lead_entity_type = models.CharField(max_length=30, choices=LeadEntityType.choices)
    parallel_to = models.ManyToManyField(Operation, related_name="parallel_forces")
    operation = models.OneToOneField(
        Operation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="as_parallel_force",
        help_text=_("The same force in the operations registry, where it is there too."),
    )
    host_countries = models.JSONField(default=list, blank=True)
    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField(null=True, blank=True)
    unsc_status = models.CharField(max_length=30, choices=UnscStatus.choices, blank=True)
    command_relation = models.CharField(max_length=20, choices=CommandRelation.choices)
    purpose_type = models.CharField(max_length=50, choices=PurposeType.choices)
    sources = models.JSONField(default=list, blank=True)
    verification = models.CharField(max_length=20, blank=True)
    notes = models.TextField(blank=True)
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["start_year", "name"]
        verbose_name = _("parallel force")
        verbose_name_plural = _("parallel forces")

    def __str__(self) -> str:
        return self.name


class PresenceType(models.TextChoices):
    SECTOR_HQ = "sector_hq", _("Sector headquarters")
    BASE = "base", _("Base")
    TEMPORARY_OPERATING_BASE = "temporary_operating_base", _("Temporary operating base")
    OFFICE = "office", _("Office")
    PROJECT_SITE = "project_site", _("Project site")
    DEPLOYMENT_AREA = "deployment_area", _("Deployment or patrol area")


class PresenceKind(models.TextChoices):
    """What kind of actor is present, as ``presence_CAF.md`` classifies them."""

    UN_MISSION = "UN_mission", _("UN mission")
    REGIONAL_FORCE = "regional_force", _("Regional force")
    PARALLEL_FORCE = "parallel_force", _("Parallel force")
    NATIONAL_FORCES = "national_forces", _("National forces")
    POLICE = "police", _("Police or gendarmerie")
    HUMANITARIAN = "humanitarian", _("Humanitarian")
    PEACEBUILDER = "peacebuilder", _("Peacebuilder")
    LOCAL_PEACE_COMMITTEE = "local_peace_committee", _("Local peace committee")
    OTHER = "other", _("Other")


class Presence(OwnedModel):
    """Evidence that an organization was present in a place over a period.

    Each row is one piece of evidence from one source, not an installation: two rows for the same
    organization and town are deduplicated when counting actors per area.
    """

    source_id = models.CharField(max_length=60, unique=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="presences"
    )
    organization_name = models.CharField(
        max_length=300,
        blank=True,
        help_text=_("The organization as this source named it (contingent, unit, committee)."),
    )
    operation = models.ForeignKey(
        Operation, null=True, blank=True, on_delete=models.SET_NULL, related_name="presences"
    )
    actor_kind = models.CharField(max_length=30, choices=PresenceKind.choices)
    presence_type = models.CharField(max_length=30, choices=PresenceType.choices)
    country_code = models.CharField(max_length=3, db_index=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="presences"
    )
    place = models.CharField(max_length=200, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    start_precision = models.CharField(max_length=8, choices=DatePrecision.choices, blank=True)
    end_date = models.DateField(null=True, blank=True)
    end_precision = models.CharField(max_length=8, choices=DatePrecision.choices, blank=True)
    personnel = models.PositiveIntegerField(null=True, blank=True)
    personnel_women = models.PositiveIntegerField(null=True, blank=True)
    personnel_men = models.PositiveIntegerField(null=True, blank=True)
    source_url = models.URLField(max_length=500, blank=True)
    source_date = models.CharField(max_length=10, blank=True)
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["source_id"]
        verbose_name = _("presence")
        verbose_name_plural = _("presence records")

    def __str__(self) -> str:
        return f"{self.organization} — {self.place or self.area}"
