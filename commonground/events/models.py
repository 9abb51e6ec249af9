"""Conflict events from every source on one taxonomy, with full provenance."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import Area, ImportRun
from commonground.registry.models import Actor
from commonground.sharing.models import Organization, OwnershipFields


class ViolenceType(models.TextChoices):
    """A common taxonomy that both UCDP's three types and ACLED's event types map onto.

    UCDP: 1 state-based, 2 non-state, 3 one-sided. ACLED: battles and explosions/remote violence
    are state-based when a state force is a party and non-state otherwise, except that remote
    violence whose victims are civilians is one-sided; violence against civilians is one-sided;
    protests and riots are unrest; strategic developments are not violence.
    """

    STATE_BASED = "state_based", _("State-based armed conflict")
    NON_STATE = "non_state", _("Non-state conflict")
    ONE_SIDED = "one_sided", _("One-sided violence against civilians")
    UNREST = "unrest", _("Protests and riots")
    STRATEGIC = "strategic", _("Strategic development (non-violent)")


class LocationPrecision(models.IntegerChoices):
    """UCDP's ``where_prec`` scale, which ACLED's geo-precision and our template map onto."""

    EXACT = 1, _("Exact location")
    NEAR = 2, _("Within about 25 km")
    ADMIN2 = 3, _("Admin-2 unit")
    ADMIN1 = 4, _("Admin-1 unit")
    LINEAR = 5, _("Along a line or in a wider region")
    COUNTRY = 6, _("Country only")
    INTERNATIONAL = 7, _("International waters or airspace")


class DatePrecisionCode(models.IntegerChoices):
    """UCDP's ``date_prec`` scale: how sure the date is."""

    DAY = 1, _("Exact day")
    DAYS = 2, _("Within 2-6 days")
    WEEK = 3, _("Within a week")
    MONTH = 4, _("Within a month")
    YEAR = 5, _("Within a year")


class Event(OwnershipFields):
    """One event from one dataset. The same event in two datasets is two rows, flagged."""

    id = models.BigAutoField(primary_key=True)
    dataset = models.CharField(max_length=40)
    dataset_version = models.CharField(max_length=40)
    source_id = models.CharField(max_length=80)
    # No index: events are looked up by import only when auditing one, and each index costs
    # every bulk import (docs/performance.md).
    import_run = models.ForeignKey(
        ImportRun, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    source_row = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=32)
    withdrawn = models.BooleanField(
        default=False,
        help_text=_("No longer in the newest version of its dataset; kept for provenance."),
    )

    date_start = models.DateField(db_index=True)
    date_end = models.DateField()
    date_precision = models.PositiveSmallIntegerField(choices=DatePrecisionCode.choices)
    latitude = models.FloatField()
    longitude = models.FloatField()
    location_precision = models.PositiveSmallIntegerField(choices=LocationPrecision.choices)
    place = models.CharField(max_length=300, blank=True)
    country_code = models.CharField(max_length=3)
    admin1 = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    admin2 = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    priogrid_gid = models.PositiveIntegerField()

    violence_type = models.CharField(max_length=20, choices=ViolenceType.choices)
    source_event_type = models.CharField(max_length=80, blank=True)
    source_sub_event_type = models.CharField(max_length=80, blank=True)
    actor1 = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor2 = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fatalities_best = models.PositiveIntegerField()
    fatalities_low = models.PositiveIntegerField(null=True, blank=True)
    fatalities_high = models.PositiveIntegerField(null=True, blank=True)
    civilian_deaths = models.PositiveIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)
    # The source's own fields are kept once per imported file, not per event: see
    # SourceChunk and events/sources.py.
    # No index on the owner: a few organizations own all events, so no query is narrowed by it
    # and each index costs every bulk import (docs/performance.md).
    owner = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["-date_start", "id"]
        constraints = [
            # Ids are each owner's own: another organization's ids are neither taken nor
            # confirmed to exist (docs/access-policy.md).
            models.UniqueConstraint(
                fields=["dataset", "owner", "source_id"], name="one_event_per_owner_source_id"
            )
        ]
        indexes = [
            models.Index(fields=["country_code", "date_start"], name="event_country_date"),
            models.Index(fields=["violence_type", "date_start"], name="event_type_date"),
        ]
        verbose_name = _("event")
        verbose_name_plural = _("events")

    def __str__(self) -> str:
        return f"{self.dataset}:{self.source_id} {self.date_start}"


class LikelyDuplicate(models.Model):
    """Two events from different datasets that are probably the same; never merged silently."""

    id = models.BigAutoField(primary_key=True)
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="duplicate_flags")
    other = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    distance_km = models.FloatField()
    days_apart = models.PositiveSmallIntegerField()
    flagged_by = models.ForeignKey(ImportRun, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "other"], name="one_flag_per_pair")]
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")

    def __str__(self) -> str:
        return f"{self.event_id} ≈ {self.other_id}"


class SourceChunk(models.Model):
    """Some rows of one imported file: the source's own fields as read, compressed.

    Content-addressed by the file's SHA-256 (``ImportRun.sha256``), so a file imported twice is
    kept once; an event finds its row through its import run. ``data`` is a zstd-compressed
    Parquet file with a ``_row`` column (the row number, as ``Event.source_row``) and one
    string column per source field, in file order. See events/sources.py and ADR 0006.
    """

    id = models.BigAutoField(primary_key=True)
    sha256 = models.CharField(max_length=64)
    first_row = models.PositiveIntegerField()
    last_row = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    complete = models.BooleanField(
        default=True,
        help_text=_(
            "Every row of the file is kept (false: only the rows events pointed at when the "
            "per-event fields were moved here)."
        ),
    )
    data = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sha256", "first_row"], name="one_chunk_per_file_row")
        ]
        verbose_name = _("source chunk")
        verbose_name_plural = _("source chunks")

    def __str__(self) -> str:
        return f"{self.sha256[:12]} rows {self.first_row}-{self.last_row}"
