"""Stored figures: events, deaths and civilian deaths per area or grid cell and month.

The map, the overview, the area pages and the API's stats and area figures sum these rows
instead of scanning every event (docs/performance.md). They are derived data, rebuilt from the
events inside the import's transaction (``figures.refresh_figures``), never edited.

Each row carries the same ownership fields as the events it sums (owner, sensitivity, licence),
grouped by them, so the one access policy (``sharing.policy.access_owned``) filters figures
exactly as it filters events: a user sees the sums of the records they may see, and nothing of
the others. Withdrawn events are in no row.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import Area
from commonground.registry.models import Actor
from commonground.sharing.models import OwnershipFields


class FigureFields(OwnershipFields):
    """The grouping every figure row shares and the sums it holds."""

    dataset = models.CharField(max_length=40)
    country_code = models.CharField(max_length=3)
    #: The first day of the month of the events' start dates.
    month = models.DateField()
    violence_type = models.CharField(max_length=20)
    events = models.PositiveIntegerField()
    deaths = models.PositiveBigIntegerField(help_text=_("Sum of the best estimates of deaths."))
    civilian_deaths = models.PositiveBigIntegerField()

    class Meta:
        abstract = True


class AdminAreaFields(models.Model):
    """The admin-1 and admin-2 areas of the events a row sums (null where not known)."""

    admin1 = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    admin2 = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        abstract = True


class CountryMonthFigure(FigureFields):
    """Figures per country and month: totals, timelines and stats without any area filter.

    About 1,000 rows for a country with 34 years of events, against some 20,000 per admin-2
    area, so country-wide answers sum a few rows (SQLite sums about a million rows a second).
    """

    id = models.BigAutoField(primary_key=True)
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["country_code", "month"], name="countrymonth_country_month"),
            models.Index(fields=["dataset", "country_code"], name="countrymonth_dataset_country"),
        ]
        verbose_name = _("country-month figure")
        verbose_name_plural = _("country-month figures")

    def __str__(self) -> str:
        return f"{self.country_code} {self.month}"


class AreaMonthFigure(FigureFields, AdminAreaFields):
    """Figures per admin-2 area (or admin-1, or country only, when that is all that is known).

    Summing rows gives any country, admin-1 or admin-2 area; ``first_day`` and ``last_day``
    keep the exact first and last start dates, which the area figures report.
    """

    id = models.BigAutoField(primary_key=True)
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["country_code", "month"], name="areamonth_country_month"),
            models.Index(fields=["month", "violence_type"], name="areamonth_month_type"),
            models.Index(fields=["admin1", "month"], name="areamonth_admin1_month"),
            models.Index(fields=["admin2", "month"], name="areamonth_admin2_month"),
            models.Index(fields=["dataset", "country_code"], name="areamonth_dataset_country"),
        ]
        verbose_name = _("area-month figure")
        verbose_name_plural = _("area-month figures")

    def __str__(self) -> str:
        return f"{self.country_code} {self.admin2_id or self.admin1_id or ''} {self.month}"


class CellMonthFigure(FigureFields):
    """Figures per PRIO-GRID cell (0.5°) and month: the map's grid view."""

    id = models.BigAutoField(primary_key=True)
    priogrid_gid = models.PositiveIntegerField()
    #: Kept so the grid answers an admin-1 filter; a cell across a boundary has a row per side.
    admin1 = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )

    class Meta:
        indexes = [
            models.Index(fields=["month", "violence_type"], name="cellmonth_month_type"),
            models.Index(fields=["country_code", "month"], name="cellmonth_country_month"),
            models.Index(fields=["dataset", "country_code"], name="cellmonth_dataset_country"),
        ]
        verbose_name = _("grid-cell-month figure")
        verbose_name_plural = _("grid-cell-month figures")

    def __str__(self) -> str:
        return f"{self.priogrid_gid} {self.month}"


class DyadMonthFigure(FigureFields, AdminAreaFields):
    """Figures per pair of sides (side A, side B), admin-2 area (or admin-1, or country), month.

    What the actor pages, the area pages' actor tables and the actor networks read: grouping a
    million events by actor took 8-25 s per page; these rows answer in well under a second.
    A row keeps both sides, so an actor's figures are the rows where it is on either side,
    each event counted once, and a network's ties are the rows themselves.
    """

    id = models.BigAutoField(primary_key=True)
    actor1 = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    actor2 = models.ForeignKey(
        Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    first_day = models.DateField()
    last_day = models.DateField()

    class Meta:
        indexes = [
            models.Index(fields=["country_code", "month"], name="dyadmonth_country_month"),
            models.Index(fields=["admin1", "month"], name="dyadmonth_admin1_month"),
            models.Index(fields=["admin2", "month"], name="dyadmonth_admin2_month"),
            # With the country: an actor list of one country finds each actor's rows by index
            # (with the country index instead, 21 s for CAF on a million events; now 0.3 s).
            models.Index(
                fields=["actor1", "country_code", "month"], name="dyadmonth_actor1_country"
            ),
            models.Index(
                fields=["actor2", "country_code", "month"], name="dyadmonth_actor2_country"
            ),
            models.Index(fields=["dataset", "country_code"], name="dyadmonth_dataset_country"),
        ]
        verbose_name = _("dyad-month figure")
        verbose_name_plural = _("dyad-month figures")

    def __str__(self) -> str:
        return f"{self.actor1_id} {self.actor2_id} {self.month}"


class DataGeneration(models.Model):
    """One row: a number bumped by every change to events or registries (imports, refreshes).

    Cached answers are keyed by it, so a cache never serves figures older than the data. It
    lives in the database, not the cache, so every server process and the command line agree.
    ``stamp`` is new at every bump: a database restored from a backup (or a rolled-back test)
    can repeat a ``value``, never a stamp, so a cache made before cannot be hit again.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.PositiveBigIntegerField(default=0)
    stamp = models.UUIDField(default=uuid.uuid4)

    class Meta:
        verbose_name = _("data generation")
        verbose_name_plural = _("data generations")

    def __str__(self) -> str:
        return str(self.value)
