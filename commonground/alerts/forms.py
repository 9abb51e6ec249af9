"""The forms of the alerts pages: raise an alert, answer it, close it.

The choices offered are already what the policy allows (the owner's verified reports and its
own circles); the services check everything again, so a forged form changes nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from commonground.alerts.models import ALERT_TEXT_MAX, RESPONSE_TEXT_MAX, ResponseKind, Urgency
from commonground.alerts.services import AlertInput, AlertInvalid
from commonground.core.models import Area
from commonground.sharing.models import Sensitivity, SharingCircle
from commonground.voices.models import Category, Report


class DateInput(forms.DateInput):
    input_type = "date"


def area_label(area: Area) -> str:
    name = area.name_fr if get_language() == "fr" else area.name_en
    return f"{name} ({area.get_level_display()})"


def report_label(report: Report) -> str:
    """What the author picks a report by: its clear columns only (month, area, category)."""
    area = area_label(report.area) if report.area else "—"
    return f"{report.month:%Y-%m} · {area} · {report.get_category_display()}"


class RaiseForm(forms.Form):
    reports = forms.MultipleChoiceField(
        label=_("Verified reports this alert rests on (never shown to recipients)"),
        widget=forms.CheckboxSelectMultiple,
    )
    area = forms.ChoiceField(label=_("Area (a district, or the whole region)"))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, widget=forms.RadioSelect
    )
    starts_on = forms.DateField(label=_("From (the week of)"), widget=DateInput)
    ends_on = forms.DateField(label=_("Until (the week of)"), widget=DateInput)
    text = forms.CharField(
        label=_("What recipients should know and do"),
        max_length=ALERT_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Your own words. Never name a person, an exact place or date, or quote a report."
        ),
    )
    circles = forms.MultipleChoiceField(
        label=_("Send to these circles"), widget=forms.CheckboxSelectMultiple
    )
    sensitivity = forms.TypedChoiceField(
        label=_("Sensitivity"),
        coerce=int,
        choices=Sensitivity.choices,
        initial=Sensitivity.PARTNERS,
    )

    def __init__(
        self,
        data: Any,
        reports: list[Report],
        areas: list[Area],
        circles: list[SharingCircle],
    ) -> None:
        today = timezone.localdate()
        initial = {"starts_on": today, "ends_on": today + datetime.timedelta(days=7)}
        super().__init__(data, initial=initial)
        choose = {
            "reports": [(str(r.pk), report_label(r)) for r in reports],
            "area": [(a.code, area_label(a)) for a in areas],
            "circles": [(c.slug, c.name) for c in circles],
        }
        for name, choices in choose.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)  # narrowed for the type checker
            field.choices = choices

    def alert_input(self) -> AlertInput:
        data = self.cleaned_data
        return AlertInput(
            reports=data["reports"],
            area=data["area"],
            category=data["category"],
            urgency=data["urgency"],
            starts_on=data["starts_on"],
            ends_on=data["ends_on"],
            text=data["text"],
            circles=data["circles"],
            sensitivity=data["sensitivity"],
        )


def add_errors(form: forms.Form, problem: AlertInvalid) -> None:
    """The service's refusals, shown beside the fields they name."""
    for name, message in problem.errors:
        form.add_error(name if name in form.fields else None, message)


class RespondForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What your organization did"),
        choices=ResponseKind.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Details (required for no action: say why)"),
        max_length=RESPONSE_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Close or withdraw"),
        choices=[
            ("closed", _("Close: the danger has passed or was handled")),
            ("withdrawn", _("Withdraw: raised in error")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note for recipients"),
        max_length=RESPONSE_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
