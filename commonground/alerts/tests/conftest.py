"""Fixtures for alerts: areas, SYNTHETIC reports carrying canaries, the Bambari circle, an alert.

The reports are made in code (people's reports must never be real) and carry unique canary
strings in every protected field; no recipient's answer may ever hold one, nor a report's id.
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from commonground.alerts.models import Alert
from commonground.alerts.services import AlertInput, do_raise_alert
from commonground.core.models import Area, AreaLevel
from commonground.sharing.models import Organization, SharingCircle
from commonground.sharing.policy import viewer_for
from commonground.voices.models import Channel, Report, Status
from commonground.voices.services import ReportInput, do_submit_report

TAG = uuid.uuid4().hex[:10]
#: Planted in the protected fields of the reports an alert rests on.
CANARIES = {
    "narrative": f"CANARY-ALERT-NARRATIVE-{TAG}",
    "place": f"CANARY-ALERT-PLACE-{TAG}",
    "reporter_name": f"CANARY-ALERT-NAME-{TAG}",
    "contact": f"CANARY-ALERT-CONTACT-{TAG}",
}
ALERT_TEXT = f"Armed men seen near the market road; escort advised ({TAG})"


@pytest.fixture(autouse=True)
def key_home(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Each test keeps its organization keys in its own COMMONGROUND_HOME/keys."""
    settings.COMMONGROUND_HOME = tmp_path  # type: ignore[attr-defined]  # pytest-django's settings
    return tmp_path


@pytest.fixture
def areas(db: None) -> dict[str, Area]:
    country = Area.objects.create(
        code="CAF", level=AreaLevel.COUNTRY, country_code="CAF", name_en="CAR", name_fr="RCA"
    )
    ouaka = Area.objects.create(
        code="CAF.ouaka", level=AreaLevel.ADMIN1, parent=country, country_code="CAF",
        name_en="Ouaka", name_fr="Ouaka",
    )  # fmt: skip
    bambari = Area.objects.create(
        code="CAF.ouaka.bambari", level=AreaLevel.ADMIN2, parent=ouaka, country_code="CAF",
        name_en="Bambari", name_fr="Bambari",
    )  # fmt: skip
    bangui = Area.objects.create(
        code="CAF.bangui", level=AreaLevel.ADMIN1, parent=country, country_code="CAF",
        name_en="Bangui", name_fr="Bangui",
    )  # fmt: skip
    return {"country": country, "ouaka": ouaka, "bambari": bambari, "bangui": bangui}


def make_report(owner: Organization, area: Area, key: str, status: str) -> Report:
    """One SYNTHETIC report with a canary in every protected field."""
    data = ReportInput(
        category="threat",
        occurred_on=datetime.date(2022, 6, 9),
        area=area,
        women=2,
        may_count=True,
        may_contact=True,
        narrative=CANARIES["narrative"],
        place=CANARIES["place"],
        reporter_name=CANARIES["reporter_name"],
        contact=CANARIES["contact"],
    )
    report, _code, _new = do_submit_report(
        None, owner, key, data, channel=Channel.STAFF, is_synthetic=True
    )
    report.status = status
    report.save(update_fields=["status"])
    return report


@pytest.fixture
def bambari(cast: dict[str, User]) -> Organization:
    return Organization.objects.get(slug="femmes-bambari")


@pytest.fixture
def reports(bambari: Organization, areas: dict[str, Area]) -> dict[str, Report]:
    sfcg = Organization.objects.get(slug="sfcg-car")
    return {
        "verified": make_report(bambari, areas["bambari"], "v" * 20, Status.VERIFIED),
        "verified2": make_report(bambari, areas["bambari"], "w" * 20, Status.VERIFIED),
        "unverified": make_report(bambari, areas["bambari"], "u" * 20, Status.IN_REVIEW),
        "other_org": make_report(sfcg, areas["bambari"], "o" * 20, Status.VERIFIED),
    }


@pytest.fixture
def circle(bambari: Organization) -> SharingCircle:
    circle = SharingCircle.objects.create(
        owner=bambari, slug="bambari-protection", name="Bambari protection circle"
    )
    circle.members.set(
        Organization.objects.filter(
            slug__in=[
                "minusca-jmac",
                "faca-liaison",
                "ocha-car",
                "minusca-force",
                "cpl-bambari",
            ]
        )
    )
    return circle


def alert_input(chosen: list[Report], **changes: object) -> AlertInput:
    values: dict[str, object] = {
        "reports": [r.pk for r in chosen],
        "area": "CAF.ouaka.bambari",
        "category": "threat",
        "urgency": "immediate",
        "starts_on": datetime.date.today(),
        "ends_on": datetime.date.today() + datetime.timedelta(days=10),
        "text": ALERT_TEXT,
        "circles": ["bambari-protection"],
    }
    values.update(changes)
    return AlertInput(**values)  # type: ignore[arg-type]  # test values of the right types


@pytest.fixture
def alert(
    cast: dict[str, User],
    bambari: Organization,
    reports: dict[str, Report],
    circle: SharingCircle,
) -> Alert:
    grace = cast["grace"]
    data = alert_input([reports["verified"], reports["verified2"]])
    return do_raise_alert(viewer_for(grace), grace, bambari, data)
