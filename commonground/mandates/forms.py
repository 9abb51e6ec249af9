"""Forms of the mandates app's pages that write owned records."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy

from commonground.mandates.models import ReviewKind
from commonground.sharing.models import Organization, Sensitivity

#: The kinds a person records on the page; mandate end dates come from the resolutions.
RECORDABLE_KINDS = (ReviewKind.REPORTING, ReviewKind.STRATEGIC_REVIEW)
FIRST_YEAR, LAST_YEAR = 1945, 2100
MAX_URL = 500


class OwnedRecordForm(forms.Form):
    """A record written for one of the organizations the user may write for, with who may see
    it. Subclasses list their own fields in ``field_order``."""

    organization = forms.ChoiceField(label=gettext_lazy("Organization"))
    sensitivity = forms.TypedChoiceField(
        label=gettext_lazy("Who may see it"),
        choices=Sensitivity.choices,
        coerce=int,
        initial=Sensitivity.PARTNERS,
    )

    def __init__(self, *args: Any, organizations: list[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organizations = {str(o.pk): o for o in organizations}
        field = self.fields["organization"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(o.pk), str(o)) for o in organizations]


class ReviewItemForm(OwnedRecordForm):
    """A reporting deadline or a strategic review, recorded for one of the organizations the user
    may plan for. ``source`` is a link (kept as the item's source URL) or words (kept as how the
    date is known)."""

    field_order = ["organization", "kind", "date", "title", "source", "sensitivity"]

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"), choices=[(k.value, k.label) for k in RECORDABLE_KINDS]
    )
    date = forms.DateField(
        label=gettext_lazy("Date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    source = forms.CharField(
        label=gettext_lazy("Source or evidence (a link, or in words)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_date(self) -> datetime.date:
        date: datetime.date = self.cleaned_data["date"]
        if not FIRST_YEAR <= date.year <= LAST_YEAR:
            raise ValidationError(gettext_lazy("Give a date between 1945 and 2100."))
        return date

    def clean_source(self) -> str:
        source: str = self.cleaned_data["source"].strip()
        if source.lower().startswith(("http://", "https://")):
            try:
                if len(source) > MAX_URL:
                    raise ValidationError("too long")
                URLValidator(schemes=["http", "https"])(source)
            except ValidationError:
                raise ValidationError(
                    gettext_lazy("Give a valid address (URL) or describe the source in words.")
                ) from None
        return source

    def source_parts(self) -> tuple[str, str]:
        """(how, source_url) of the cleaned source."""
        source: str = self.cleaned_data["source"]
        if source.lower().startswith(("http://", "https://")):
            return "", source
        return source, ""
