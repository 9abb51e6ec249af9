"""KoBoToolbox / ODK Central exports as a channel: the imported XLSForm and its mapping.

One ``FormMapping`` per ``ReportForm``: the organization uploads the XLSForm once, says which
question fills which report field (suggested from the questions' names and types), and every
later export of that form is read with the same mapping (docs/voices.md, ADR 0022).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from commonground.core.models import BaseModel
from commonground.sharing.models import Organization
from commonground.voices.models import ReportForm


class FormMapping(BaseModel):
    """An XLSForm's questions and which of them fill which report field, stored per form."""

    owner = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    report_form = models.OneToOneField(ReportForm, on_delete=models.CASCADE, related_name="+")
    form_id = models.CharField(max_length=200, help_text=_("The XLSForm's form_id."))
    version = models.CharField(max_length=200, blank=True, default="", db_default="")
    title = models.CharField(max_length=200, blank=True, default="", db_default="")
    xlsform_sha256 = models.CharField(max_length=64, blank=True, default="", db_default="")
    questions = models.JSONField(
        default=list, db_default=[], help_text=_("The XLSForm's questions: path, type, choices.")
    )
    fields = models.JSONField(
        default=dict, db_default={}, help_text=_("Report field to question path.")
    )
    values = models.JSONField(
        default=dict, db_default={}, help_text=_("Report field to {choice name: report value}.")
    )
    repeats = models.JSONField(
        default=list,
        db_default=[],
        help_text=_("The XLSForm's repeat groups: path, enclosing repeat, questions."),
    )
    people = models.JSONField(
        default=dict,
        db_default={},
        help_text=_(
            "The repeat group of affected people whose entries are counted by sex and age: "
            "repeat, sex and age question paths, and what each of their choices stands for."
        ),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(default=False, db_default=False)

    class Meta:
        verbose_name = _("form mapping")
        verbose_name_plural = _("form mappings")

    def __str__(self) -> str:
        return f"{self.owner.slug}/{self.form_id}"
