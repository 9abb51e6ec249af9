"""The demo's Bambari protection circle: made once, with its five members, whoever runs first."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from commonground.sharing.demo import ensure_demo_circles
from commonground.sharing.models import Organization, SharingCircle


def test_the_demo_circle_is_made_once_with_its_members(cast: dict[str, User]) -> None:
    owner = Organization.objects.get(slug="femmes-bambari")
    # Another feature's demo made it first, with only its name.
    SharingCircle.objects.get_or_create(
        owner=owner, slug="bambari-protection", defaults={"name": "x"}
    )
    first = ensure_demo_circles()
    again = ensure_demo_circles()
    assert first.pk == again.pk
    assert SharingCircle.objects.filter(slug="bambari-protection").count() == 1
    assert set(first.members.values_list("slug", flat=True)) == {
        "minusca-jmac",
        "faca-liaison",
        "minusca-force",
        "ocha-car",
        "cpl-bambari",
    }


pytestmark = pytest.mark.django_db
