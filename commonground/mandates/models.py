"""Mission mandates resolution by resolution, peace-agreement provisions and their
implementation events, and Geo-PKO deployments (docs/adr/0019-mandates-data-model.md).

Every record is a public fact owned by whoever imported it (like the registry), keeps the run and
row that last wrote it, and is keyed by a ``key`` built from the file (so a re-import of the same
file changes nothing). Missions are named by acronym; the registry's ``Operation`` with that
acronym is linked when the pages are drawn, so the files import in any order.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import ImportRun
from commonground.sharing.models import OwnedModel


class Confidence(models.TextChoices):
    HIGH = "high", _("High: read in the document or an official summary")
    MEDIUM = "medium", _("Medium: secondary source")


class Tier(models.TextChoices):
    PRIORITY = "priority", _("Priority")
    OTHER = "other", _("Other")
    UNSTATED = "unstated", _("Unstated")


class Mode(models.TextChoices):
    MONITOR = "monitor", _("Monitor")
    ASSIST = "assist", _("Assist")
    SECURE = "secure", _("Secure")
    IMPLEMENT = "implement", _("Implement")
    COORDINATE = "coordinate", _("Coordinate")


class Direction(models.TextChoices):
    ADVANCE = "advance", _("Advance")
    SETBACK = "setback", _("Setback")


class Provenance(OwnedModel):
    """What every imported record here keeps: its key in the file, the run and row that wrote it."""

    key = models.CharField(max_length=200, unique=True)
    import_run = models.ForeignKey(
        ImportRun, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_row = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        abstract = True


class TaskCategory(Provenance):
    """A task code of the taxonomy (PEMA's task variables and Common Ground's ``CG_*``)."""

    label_en = models.CharField(max_length=300)
    label_fr = models.CharField(max_length=300)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["key"]
        verbose_name = _("task category")
        verbose_name_plural = _("task categories")

    def __str__(self) -> str:
        return self.key


class Resolution(Provenance):
    """A Security Council resolution that set a mission's mandate (key ``MISSION-NUMBER``)."""

    mission = models.CharField(max_length=80, db_index=True)
    number = models.PositiveIntegerField()
    year = models.PositiveSmallIntegerField()
    adopted = models.DateField()
    source_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["mission", "adopted", "number"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self) -> str:
        return f"S/RES/{self.number} ({self.year})"


class MandateTask(Provenance):
    """One task of one resolution, as one row of the tasks file."""

    resolution = models.ForeignKey(Resolution, on_delete=models.CASCADE, related_name="tasks")
    category = models.ForeignKey(TaskCategory, on_delete=models.PROTECT, related_name="tasks")
    paragraph = models.CharField(max_length=200, blank=True)
    task = models.CharField(max_length=500)
    task_fr = models.CharField(max_length=500, blank=True)
    tier = models.CharField(max_length=10, choices=Tier.choices)
    mode = models.CharField(max_length=12, choices=Mode.choices)
    source_url = models.URLField(max_length=500, blank=True)
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    evidence = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["resolution", "source_row"]
        verbose_name = _("mandate task")
        verbose_name_plural = _("mandate tasks")

    def __str__(self) -> str:
        return f"{self.resolution}: {self.task}"


class Provision(Provenance):
    """A commitment of a peace agreement (key: the file's ``provision_code``)."""

    agreement = models.CharField(max_length=80, db_index=True)
    article = models.CharField(max_length=200, blank=True)
    theme = models.CharField(max_length=200, blank=True)
    commitment = models.TextField()
    commitment_fr = models.TextField(blank=True)
    responsible = models.TextField(blank=True)
    deadline = models.CharField(max_length=200, blank=True)
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    evidence_url = models.TextField(blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["agreement", "source_row"]
        verbose_name = _("agreement provision")
        verbose_name_plural = _("agreement provisions")

    def __str__(self) -> str:
        return self.key


class AgreementEvent(Provenance):
    """A dated, cited step of implementation (or a setback), for the provisions it concerns."""

    agreement = models.CharField(max_length=80, db_index=True)
    date = models.DateField()
    #: ``day`` or ``month`` (the file writes YYYY-MM when the source gives no day).
    date_precision = models.CharField(max_length=8, default="day")
    provision_codes = models.JSONField(default=list, blank=True)
    provisions = models.ManyToManyField(Provision, related_name="events", blank=True)
    what = models.TextField()
    direction = models.CharField(max_length=8, choices=Direction.choices)
    source_url = models.TextField(blank=True)
    confidence = models.CharField(max_length=8, choices=Confidence.choices)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["agreement", "date", "key"]
        verbose_name = _("implementation event")
        verbose_name_plural = _("implementation events")

    def __str__(self) -> str:
        return self.key


class Deployment(Provenance):
    """One Geo-PKO row: a mission's deployment at a location in a year, with troop numbers.

    Geo-PKO repeats a mission, year and location when the year's source maps differ; the key
    counts the repeats (``MISSION|YEAR|COUNTRY|LOCATION|n``). ``None`` is Geo-PKO's ``NA``.
    """

    mission = models.CharField(max_length=80, db_index=True)
    year = models.PositiveSmallIntegerField(db_index=True)
    country = models.CharField(max_length=200)
    location = models.CharField(max_length=200)
    latitude = models.FloatField()
    longitude = models.FloatField()
    troops = models.PositiveIntegerField(null=True, blank=True)
    average_troops = models.PositiveIntegerField(null=True, blank=True)
    infantry = models.PositiveIntegerField(null=True, blank=True)
    reserve = models.PositiveIntegerField(null=True, blank=True)
    hq = models.PositiveSmallIntegerField(null=True, blank=True)
    unpol = models.PositiveIntegerField(null=True, blank=True)
    medical = models.PositiveIntegerField(null=True, blank=True)
    aviation = models.PositiveIntegerField(null=True, blank=True)
    unmo = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["mission", "year", "location"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")

    def __str__(self) -> str:
        return f"{self.mission} {self.year} {self.location}"


# --- Geo-PKO contributors and unit types (docs/adr/0024-capabilities-and-scores.md) ------------


class DeploymentContributor(Provenance):
    """One troop-contributing country at a Geo-PKO location in a year (``TCCMap``).

    Geo-PKO writes the contributors of a location as one cell, ``Rwanda (650), Nepal (size
    unknown)``; each becomes a record. ``troops`` is ``None`` when the map says "size unknown".
    """

    mission = models.CharField(max_length=80, db_index=True)
    year = models.PositiveSmallIntegerField(db_index=True)
    location = models.CharField(max_length=200)
    latitude = models.FloatField()
    longitude = models.FloatField()
    contributor = models.CharField(max_length=200)
    troops = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["mission", "year", "location", "contributor"]
        verbose_name = _("troop contributor")
        verbose_name_plural = _("troop contributors")

    def __str__(self) -> str:
        return f"{self.mission} {self.year} {self.location}: {self.contributor}"


class DeploymentUnits(Provenance):
    """The kinds of units at a Geo-PKO location in a year (``TTMap``).

    ``infantry`` is Geo-PKO's estimate of infantry troops; the other figures are Geo-PKO's codes
    for the support units (0 = none of that kind on the year's maps).
    """

    mission = models.CharField(max_length=80, db_index=True)
    year = models.PositiveSmallIntegerField(db_index=True)
    location = models.CharField(max_length=200)
    latitude = models.FloatField()
    longitude = models.FloatField()
    infantry = models.PositiveIntegerField(default=0, db_default=0)
    engineering = models.PositiveIntegerField(default=0, db_default=0)
    medical = models.PositiveIntegerField(default=0, db_default=0)
    signals = models.PositiveIntegerField(default=0, db_default=0)
    aviation = models.PositiveIntegerField(default=0, db_default=0)
    riverine = models.PositiveIntegerField(default=0, db_default=0)
    maintenance = models.PositiveIntegerField(default=0, db_default=0)
    transport = models.PositiveIntegerField(default=0, db_default=0)

    class Meta:
        ordering = ["mission", "year", "location"]
        verbose_name = _("unit types at a location")
        verbose_name_plural = _("unit types at locations")

    def __str__(self) -> str:
        return f"{self.mission} {self.year} {self.location}"


class Capability(models.TextChoices):
    """What a task needs, each mapped to the Geo-PKO figure that shows it deployed (if any)."""

    INFANTRY = "infantry", _("Infantry")
    ENGINEERING = "engineering", _("Engineering")
    MEDICAL = "medical", _("Medical")
    AVIATION = "aviation", _("Aviation")
    SIGNALS = "signals", _("Signals")
    RIVERINE = "riverine", _("Riverine")
    TRANSPORT = "transport", _("Transport")
    MAINTENANCE = "maintenance", _("Maintenance")
    POLICE = "police", _("Police (UNPOL)")
    OBSERVERS = "observers", _("Military observers")
    CIVILIAN = "civilian", _("Civilian sections")


class CapabilityNeed(OwnedModel):
    """A mission's statement that a task category needs a capability (an owned record).

    Written by analysts of the owning organization on the task's page; every change is audited.
    """

    mission = models.CharField(max_length=80, db_index=True)
    category = models.ForeignKey(TaskCategory, on_delete=models.PROTECT, related_name="needs")
    capability = models.CharField(max_length=20, choices=Capability.choices)
    note = models.TextField(blank=True, default="", db_default="")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["mission", "category", "capability"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "mission", "category", "capability"], name="one_need_per_owner"
            )
        ]
        verbose_name = _("capability need")
        verbose_name_plural = _("capability needs")

    def __str__(self) -> str:
        return f"{self.mission} {self.category_id}: {self.capability}"


class Score(models.IntegerChoices):
    """The Peace Accords Matrix scale of implementation."""

    NOT_INITIATED = 0, _("0 Not initiated")
    MINIMAL = 1, _("1 Minimal")
    INTERMEDIATE = 2, _("2 Intermediate")
    FULL = 3, _("3 Full")


class ImplementationScore(OwnedModel):
    """One scorer's score of one provision for one half-year, with its evidence (owned)."""

    provision = models.ForeignKey(Provision, on_delete=models.CASCADE, related_name="scores")
    #: First day of the half-year scored (1 January or 1 July).
    period = models.DateField()
    score = models.PositiveSmallIntegerField(choices=Score.choices)
    scorer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    #: Who scored, as shown: a user's name, or the demonstration rule's name.
    scorer_label = models.CharField(max_length=150, default="", db_default="")
    events = models.ManyToManyField(AgreementEvent, related_name="scores", blank=True)
    evidence = models.TextField(blank=True, default="", db_default="")
    is_demonstration = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["provision", "period", "scorer_label"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "provision", "period", "scorer_label"], name="one_score_per_scorer"
            )
        ]
        verbose_name = _("implementation score")
        verbose_name_plural = _("implementation scores")

    def __str__(self) -> str:
        return f"{self.provision_id} {self.period:%Y-%m}: {self.score}"


# --- The review calendar's recorded items -------------------------------------------------------


class ReviewKind(models.TextChoices):
    MANDATE_END = "mandate_end", _("Mandate end date")
    REPORTING = "reporting", _("Reporting deadline")
    STRATEGIC_REVIEW = "strategic_review", _("Strategic review")


class DateBasis(models.TextChoices):
    STATED = "stated", _("Stated in a source")
    DERIVED = "derived", _("Derived")


class ReviewItem(OwnedModel):
    """A dated item of a mission's review calendar: a mandate end date, a reporting deadline or a
    strategic review. Mandate end dates and deadlines are public facts; a mission may record its
    strategic reviews as public or keep them to its organization (the access policy).

    ``basis`` says whether the date was read in a source or derived, and ``how`` says from what.
    """

    key = models.CharField(max_length=200, unique=True)
    mission = models.CharField(max_length=80, db_index=True)
    kind = models.CharField(max_length=20, choices=ReviewKind.choices)
    date = models.DateField()
    resolution = models.ForeignKey(
        Resolution, null=True, blank=True, on_delete=models.SET_NULL, related_name="review_items"
    )
    title = models.CharField(max_length=300, blank=True, default="", db_default="")
    basis = models.CharField(
        max_length=8, choices=DateBasis.choices, default=DateBasis.STATED, db_default="stated"
    )
    how = models.TextField(blank=True, default="", db_default="")
    source_url = models.URLField(max_length=500, blank=True, default="", db_default="")
    #: How far the source can be trusted (seeded dates; empty for dates people record).
    confidence = models.CharField(
        max_length=8, choices=Confidence.choices, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["mission", "date", "kind", "key"]
        verbose_name = _("review calendar item")
        verbose_name_plural = _("review calendar items")

    def __str__(self) -> str:
        return f"{self.mission} {self.date} {self.kind}"
