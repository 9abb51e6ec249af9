"""The demo's organizations: one Search for Common Ground, and no armed force as a member.

The demo imports the real registries (presence in the CAR names SFCG and the armed forces
present there) before it creates the demo accounts; this test does the same, in that order.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.core.services import do_import
from commonground.registry.importers import OPERATIONS, PRESENCE
from commonground.sharing.models import Membership, Organization
from commonground.sharing.services import local_organization
from commonground.testing.cast import ensure_cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(data_dir: Path) -> dict[str, User]:
    """As `commonground demo` does: the registries first, then the cast."""
    do_import(OPERATIONS, data_dir / "operations.csv", owner=local_organization())
    do_import(PRESENCE, data_dir / "presence_CAF.csv", owner=local_organization())
    return ensure_cast()


def test_there_is_one_search_for_common_ground(demo: dict[str, User]) -> None:
    sfcg = Organization.objects.filter(acronym="SFCG")
    assert sfcg.count() == 1
    assert Membership.objects.get(user=demo["sofia"]).organization == sfcg.get()


def test_a_second_demo_run_adds_no_organization(demo: dict[str, User]) -> None:
    before = Organization.objects.count()
    ensure_cast()
    assert Organization.objects.count() == before


def test_armed_forces_present_in_the_field_are_not_listed_as_platform_members(
    demo: dict[str, User],
) -> None:
    client = Client()
    client.force_login(demo["jean"])
    page = client.get("/organizations/").content.decode()
    listed = set(re.findall(r'href="/organizations/([^/]+)/"', page))

    members = set(
        Organization.objects.filter(memberships__isnull=False).values_list("slug", flat=True)
    )
    assert listed == members
    forces = Organization.objects.filter(acronym__in=["FACA", "Sangaris", "MINUSCA"])
    assert forces.count() == 3  # known from the presence registry ...
    assert not listed & set(forces.values_list("slug", flat=True))  # ... but not members


def test_bambari_s_peace_committee_is_not_another_committee_that_shares_its_acronym(
    demo: dict[str, User],
) -> None:
    """The registry's "CLP" rows are the committees of Obo and Haute-Kotto: the cast's Bambari
    committee (and Awa, its member) must not be merged into them by a shared generic acronym."""
    awa = Membership.objects.get(user=demo["awa"]).organization
    assert awa.name == "Comité local de paix de Bambari"
    assert awa.kind == "local_authority"
    assert "Obo" not in " ".join([awa.name, *awa.aliases])
