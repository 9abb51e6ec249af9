"""Base models and the area hierarchy every other domain hangs its records on."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """UUID keys so records can move between a field laptop and a mission server."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class AreaLevel(models.IntegerChoices):
    COUNTRY = 0, _("Country")
    ADMIN1 = 1, _("Admin-1 (region, prefecture, province)")
    ADMIN2 = 2, _("Admin-2 (district, sub-prefecture)")


class Area(BaseModel):
    """A country (ISO3), admin-1 or admin-2 unit.

    ``code`` is stable and readable: ``CAF`` for a country, ``CAF.ouaka`` for an admin-1 unit,
    ``CAF.ouaka.bambari`` for an admin-2 unit, derived from the names sources use until official
    p-codes are loaded. Aliases hold every spelling a source used, so a re-import matches.
    """

    code = models.CharField(max_length=120, unique=True)
    level = models.PositiveSmallIntegerField(choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    country_code = models.CharField(max_length=3, db_index=True)
    name_en = models.CharField(max_length=200)
    name_fr = models.CharField(max_length=200)
    aliases = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return f"{self.name_en} ({self.code})"


class ImportOutcome(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    REJECTED = "rejected", _("Rejected: the file did not validate, nothing changed")
    FAILED = "failed", _("Failed: nothing changed")


class ImportRun(BaseModel):
    """One attempt to import one file: the root of every imported record's provenance.

    Rejected and failed attempts are kept too (with their problems) so that an operator can
    see what was tried; the records they would have written are not.
    """

    dataset = models.CharField(max_length=60, db_index=True)
    dataset_version = models.CharField(max_length=40, blank=True)
    file_name = models.CharField(max_length=500)
    sha256 = models.CharField(max_length=64, db_index=True)
    rows_read = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    likely_duplicates = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner = models.ForeignKey(
        "sharing.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=20, choices=ImportOutcome.choices, default=ImportOutcome.RUNNING
    )
    problems = models.JSONField(default=list, blank=True)
    #: The machine, process and (PostgreSQL) database session that runs the import, recorded
    #: when it starts, so that a run still "running" whose process is gone shows as interrupted.
    host = models.CharField(max_length=255, blank=True, db_default="")
    pid = models.PositiveIntegerField(null=True, blank=True)
    database_pid = models.PositiveIntegerField(null=True, blank=True)
    #: The user asked this file to replace the release: records of the same dataset, owned by
    #: the same organization, in the file's countries, that the file lacks were withdrawn.
    #: Off by default: an import never withdraws anything otherwise (ADR 0010).
    replace_release = models.BooleanField(default=False, db_default=False)
    #: When the withdrawals this run made were undone (``commonground imports undo-withdrawals``).
    withdrawals_undone_at = models.DateTimeField(null=True, blank=True)
    #: Every record this run wrote or withdrew was public: its counts may be shown to anyone
    #: who sees the run. Otherwise only its organization's members see them (issue 11 §4).
    only_public = models.BooleanField(default=False, db_default=False)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.dataset} {self.dataset_version} {self.file_name} ({self.outcome})"

    @property
    def state_label(self) -> str:
        """The outcome in words as it really is: a killed run's shows it was interrupted."""
        from commonground.core.queries import run_state_label  # queries import this module

        return run_state_label(self)


class Withdrawal(models.Model):
    """One record an import withdrew (an event) or deleted (a registry row), so it can be listed
    and undone: which run, which record, and what it was.

    ``object_id`` is the record's key as text (events have integer keys, registries UUIDs);
    ``source_id`` the key the file used, for people. A deleted registry row keeps its values in
    ``snapshot`` (Django's JSON serialization), from which an undo re-creates it. ``public``
    says whether the record was public, so that a count of withdrawals is shown only to those
    who may see what was withdrawn.
    """

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="withdrawals")
    model = models.CharField(max_length=60)
    object_id = models.CharField(max_length=64)
    source_id = models.CharField(max_length=200, blank=True)
    public = models.BooleanField(default=True)
    snapshot = models.TextField(blank=True)

    class Meta:
        ordering = ["run", "model", "source_id"]
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")
        indexes = [models.Index(fields=["model", "object_id"], name="withdrawal_record")]

    def __str__(self) -> str:
        return f"{self.model} {self.source_id or self.object_id} (run {self.run_id})"
