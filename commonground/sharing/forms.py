"""Forms of the circle and agreement pages (organization administrators; ADR 0020)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from commonground.sharing.models import Organization, Sensitivity, SharingCircle


class CircleForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Owner"), queryset=Organization.objects.none(), empty_label=None
    )
    slug = forms.SlugField(label=gettext_lazy("Short name (in addresses)"), max_length=80)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=300)
    description = forms.CharField(
        label=gettext_lazy("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    max_sensitivity = forms.TypedChoiceField(
        label=gettext_lazy("Shared up to"),
        choices=[(s.value, s.label) for s in Sensitivity if s != Sensitivity.PUBLIC],
        coerce=int,
        initial=Sensitivity.PARTNERS,
        help_text=gettext_lazy("Records above this level are never shared through the circle."),
    )
    releases_paused = forms.BooleanField(
        label=gettext_lazy("Pause releases of tables to this circle"), required=False
    )

    def __init__(self, owners: QuerySet[Organization], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        assert isinstance(owner, forms.ModelChoiceField)
        owner.queryset = owners


class CircleEditForm(CircleForm):
    """The same fields; owner and slug are the circle's identity and stay as they are."""

    def __init__(self, circle: SharingCircle, *args: Any, **kwargs: Any) -> None:
        super().__init__(Organization.objects.filter(pk=circle.owner_id), *args, **kwargs)
        for name in ("owner", "slug"):
            self.fields[name].disabled = True


class MemberForm(forms.Form):
    member = forms.ModelChoiceField(
        label=gettext_lazy("Organization to add"), queryset=Organization.objects.none()
    )

    def __init__(self, candidates: QuerySet[Organization], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        assert isinstance(member, forms.ModelChoiceField)
        member.queryset = candidates


class AgreementForm(forms.Form):
    provider = forms.ModelChoiceField(
        label=gettext_lazy("Provider"), queryset=Organization.objects.none(), empty_label=None
    )
    recipient = forms.ModelChoiceField(
        label=gettext_lazy("Recipient"), queryset=Organization.objects.all()
    )
    max_sensitivity = forms.TypedChoiceField(
        label=gettext_lazy("Shared up to"),
        choices=[(s.value, s.label) for s in Sensitivity if s != Sensitivity.PUBLIC],
        coerce=int,
        initial=Sensitivity.RESTRICTED,
    )
    covers_voices = forms.BooleanField(
        label=gettext_lazy("Also community reports (coarse parts)"), required=False
    )
    voices_protected = forms.BooleanField(
        label=gettext_lazy("Recipient's analysts may read reports' protected fields"),
        required=False,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, providers: QuerySet[Organization], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelChoiceField)
        provider.queryset = providers


class RecordCircleForm(forms.Form):
    """Which of its owner's circles a record is shared through; empty: the owner only."""

    circle = forms.ModelChoiceField(
        label=gettext_lazy("Shared through"),
        queryset=SharingCircle.objects.none(),
        required=False,
        empty_label=gettext_lazy("Owner only"),
    )

    def __init__(self, circles: QuerySet[SharingCircle], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        circle = self.fields["circle"]
        assert isinstance(circle, forms.ModelChoiceField)
        circle.queryset = circles
