"""The public report form and the analysts' grading form (Django forms: validation in one place).

Every text has a maximum length and every count a ceiling, so one anonymous post costs a
bounded amount of work and storage; the form's ``daily_limit`` bounds how many (docs/voices.md).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from commonground.core.models import Area, AreaLevel
from commonground.sharing.policy import access_areas
from commonground.voices.models import (
    COUNT_MAX,
    NARRATIVE_MAX,
    SHORT_TEXT_MAX,
    Category,
    DatePrecision,
    InformationCredibility,
    PerpetratorKind,
    SourceReliability,
    Status,
)
from commonground.voices.places import area_for_point
from commonground.voices.services import ReportInput

CLIENT_KEY = RegexValidator(r"^[A-Za-z0-9_-]{16,64}$", _("This form has expired; open it again."))


def public_areas() -> list[tuple[str, Any]]:
    """Admin-2 areas anyone may know of (never a name only a confidential record brought)."""
    areas = access_areas(Area.objects.filter(level=AreaLevel.ADMIN2), AnonymousUser())
    name = "name_fr" if get_language() == "fr" else "name_en"
    return [("", _("I prefer not to say"))] + [
        (
            area.code,
            f"{getattr(area, name)} ({getattr(area.parent, name)})"
            if area.parent
            else getattr(area, name),
        )
        for area in areas.select_related("parent").order_by(name)
    ]


def count_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=COUNT_MAX,
        initial=0,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "count"}),
    )


class PublicReportForm(forms.Form):
    """What a person with no account tells; plain words, one question at a time."""

    client_key = forms.CharField(widget=forms.HiddenInput, validators=[CLIENT_KEY])
    category = forms.ChoiceField(
        label=_("What happened?"), choices=Category.choices, widget=forms.RadioSelect
    )
    occurred_on = forms.DateField(
        label=_("When did it happen?"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_precision = forms.ChoiceField(
        label=_("How sure are you of the day?"),
        choices=DatePrecision.choices,
        initial=DatePrecision.DAY,
        widget=forms.RadioSelect,
    )
    area = forms.ChoiceField(label=_("Where? (district)"), required=False)
    place = forms.CharField(
        label=_("The exact place, if you wish (village, neighbourhood)"),
        max_length=SHORT_TEXT_MAX,
        required=False,
    )
    latitude = forms.FloatField(
        label=_("Latitude (optional)"), min_value=-90, max_value=90, required=False
    )
    longitude = forms.FloatField(
        label=_("Longitude (optional)"), min_value=-180, max_value=180, required=False
    )
    women = count_field(_("Women"))
    men = count_field(_("Men"))
    girls = count_field(_("Girls (under 18)"))
    boys = count_field(_("Boys (under 18)"))
    unknown = count_field(_("People of unknown sex or age"))
    perpetrator_kind = forms.ChoiceField(
        label=_("Who did it? (a kind of person or group, never a name)"),
        choices=PerpetratorKind.choices,
        initial=PerpetratorKind.NOT_SAID,
        widget=forms.RadioSelect,
    )
    narrative = forms.CharField(
        label=_("Tell us what happened, in your own words"),
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    may_count = forms.BooleanField(
        label=_("You may count this report in anonymous figures."), required=False
    )
    may_contact = forms.BooleanField(label=_("You may contact me back."), required=False)
    contact = forms.CharField(
        label=_("How to contact you (phone or other)"), max_length=SHORT_TEXT_MAX, required=False
    )
    may_quote = forms.BooleanField(
        label=_("You may quote my words without anything that identifies me."), required=False
    )
    reporter_name = forms.CharField(
        label=_("Your name (optional)"), max_length=SHORT_TEXT_MAX, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area = self.fields["area"]
        assert isinstance(area, forms.ChoiceField)
        area.choices = public_areas()
        self.fields["client_key"].initial = uuid.uuid4().hex

    def clean_occurred_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["occurred_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("This day is in the future."))
        if day.year < 1990:
            raise forms.ValidationError(_("Please give a day after 1990."))
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("may_contact") and not cleaned.get("contact", "").strip():
            self.add_error("contact", _("Say how to contact you, or untick “contact me back”."))
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return cleaned

    def report_input(self) -> ReportInput:
        data = self.cleaned_data
        area = Area.objects.filter(code=data["area"]).first() if data.get("area") else None
        if data.get("latitude") is not None and data.get("longitude") is not None:
            # A tapped point decides the district; off the shipped map, the list's choice stands.
            area = area_for_point(data["latitude"], data["longitude"]) or area
        return ReportInput(
            category=data["category"],
            occurred_on=data["occurred_on"],
            date_precision=data["date_precision"],
            area=area,
            women=data.get("women") or 0,
            men=data.get("men") or 0,
            girls=data.get("girls") or 0,
            boys=data.get("boys") or 0,
            unknown=data.get("unknown") or 0,
            perpetrator_kind=data["perpetrator_kind"],
            may_count=data["may_count"],
            may_contact=data["may_contact"],
            may_quote=data["may_quote"],
            narrative=data["narrative"],
            contact=data["contact"],
            reporter_name=data["reporter_name"],
            place=data["place"],
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
        )


class ReceiptForm(forms.Form):
    code = forms.CharField(label=_("Your receipt code"), max_length=40)


class GradeForm(forms.Form):
    """An analyst's verdict on a report and the answer its reporter reads with the receipt."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)
    source_reliability = forms.ChoiceField(
        label=_("Source reliability"),
        choices=[("", "—"), *SourceReliability.choices],
        required=False,
    )
    information_credibility = forms.TypedChoiceField(
        label=_("Information credibility"),
        choices=[("", "—"), *InformationCredibility.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    public_answer = forms.CharField(
        label=_("Public answer (the reporter reads it with the receipt code)"),
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
