""" "You said, we did" on the receipt page and the public page; the tapped point's district.

The district test reads the real UCDP GED CAR file (public events give each district's centre)
and the shipped admin-1 boundaries; reports are SYNTHETIC.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from commonground.core.models import Area, ImportRun
from commonground.sharing.models import AuditEvent, Organization
from commonground.voices.inbox_models import Theme
from commonground.voices.models import Report, ReportForm
from commonground.voices.places import admin1_codes_at, area_for_point
from commonground.voices.queries import protected_fields
from commonground.voices.tests.test_form_and_inbox import answers, receipt_in

URL = "/voices/femmes-bambari/signaler/"


def send(client: Client, **changes: Any) -> str:
    response = client.post(URL, answers(**changes))
    assert response.status_code == 200, response.content.decode()[:2000]
    return receipt_in(response.content.decode())


def read_receipt(client: Client, code: str) -> str:
    return client.post("/voices/receipt/", {"code": code}).content.decode()


def test_a_reporter_reads_the_answer_to_the_theme_of_their_report(
    client: Client, cast: dict[str, User], bambari_form: ReportForm
) -> None:
    code = send(client)
    other = send(client, client_key="o" * 32)
    report = Report.objects.get(client_key="k" * 32)
    grace = Client()
    grace.force_login(cast["grace"])
    created = grace.post(
        "/voices/inbox/themes/",
        {"owner": str(bambari_form.owner_id), "title": "Shops looted at the market (SYNTHETIC)"},
    )
    theme = Theme.objects.get()
    assert created.status_code == 302 and theme.published_at is None
    grace.post(f"/voices/inbox/{report.pk}/verify/", {"action": "theme_add", "theme": theme.pk})
    assert "You said, we did" not in read_receipt(client, code)  # not published yet
    refused = grace.post(
        f"/voices/inbox/themes/{theme.pk}/",
        {"owner": str(bambari_form.owner_id), "title": theme.title, "publish": "on"},
    )
    assert "Write the answer before publishing it." in refused.content.decode()
    grace.post(
        f"/voices/inbox/themes/{theme.pk}/",
        {
            "owner": str(bambari_form.owner_id),
            "title": theme.title,
            "answer": "Patrols at the market since May (SYNTHETIC).",
            "publish": "on",
        },
    )
    page = read_receipt(client, code)
    assert "You said, we did" in page and "Patrols at the market since May" in page
    assert "Patrols at the market" not in read_receipt(client, other)  # not under the theme
    public = client.get("/voices/answers/femmes-bambari/").content.decode()
    assert "Patrols at the market since May" in public and str(report.pk) not in public
    saved = AuditEvent.objects.filter(action="voices.theme.saved", target=str(theme.pk))
    assert saved.count() == 2


def test_the_public_form_carries_the_tap_map_script_and_works_without_it(
    client: Client, bambari_form: ReportForm
) -> None:
    page = client.get(URL).content.decode()
    assert '/static/voices/tap_map.js"' in page and "leaflet/leaflet.js" in page
    assert "unpkg" not in page and "cdn" not in page.lower()
    config = re.search(r'id="voices-tap-map-config" type="application/json">([^<]+)<', page)
    assert config and "admin1.geojson" in config.group(1)
    # Without script: the latitude and longitude fields are plain inputs of the form.
    assert 'name="latitude"' in page and 'name="longitude"' in page


def test_the_admin1_unit_of_a_point() -> None:
    assert admin1_codes_at(5.757, 20.675) == ("CAF.ouaka",)  # Bambari
    assert admin1_codes_at(48.85, 2.35) == ()  # Paris: off the shipped map


@pytest.mark.django_db
def test_a_tapped_point_decides_the_district(
    client: Client, cast: dict[str, User], ged_run: ImportRun, bambari_form: ReportForm
) -> None:
    bambari = area_for_point(5.757, 20.675)
    assert bambari is not None and bambari.code.startswith("CAF.ouaka.")
    assert bambari.level == 2
    bangui = Area.objects.filter(level=2, parent__code="CAF.bangui").first()
    chosen = bangui.code if bangui else ""
    # The reporter chose another district in the list, then tapped Bambari: the point wins.
    send(client, area=chosen, latitude="5.757", longitude="20.675")
    report = Report.objects.get()
    assert report.area == bambari
    fields = protected_fields(report, cast["grace"], why="test")
    assert fields is not None and (fields["latitude"], fields["longitude"]) == (5.757, 20.675)
    # Off the map: the list's choice stands.
    send(client, client_key="p" * 32, area=chosen, latitude="48.85", longitude="2.35")
    assert Report.objects.get(client_key="p" * 32).area_id == (bangui.pk if bangui else None)


def test_viewers_never_see_the_exact_point(
    client: Client, cast: dict[str, User], bambari_form: ReportForm
) -> None:
    send(
        client,
        latitude="5.7612345",
        longitude="20.6712345",
        contact="+236 7000 0001",
        may_contact="on",
    )
    report = Report.objects.get()
    client.force_login(cast["jean"])
    page = client.get(f"/voices/inbox/{report.pk}/").content.decode()
    assert "5.7612345" not in page and "+236 7000 0001" not in page
    api = client.get(f"/api/v1/voices/reports/{report.pk}").json()
    assert api["protected"] is None


def test_an_organization_with_nothing_public_has_no_answers_page(
    client: Client, cast: dict[str, User]
) -> None:
    bambari = Organization.objects.get(slug="femmes-bambari")
    Theme.objects.create(owner=bambari, title="Draft only", answer="not yet")
    assert client.get("/voices/answers/femmes-bambari/").status_code == 404


@pytest.mark.parametrize(
    ("language", "shown"),
    [("en", "No theme of this organization has this id."), ("fr", "Aucun thème")],
)
def test_a_refused_verification_action_is_shown_on_the_report_page(
    client: Client,
    cast: dict[str, User],
    bambari_form: ReportForm,
    language: str,
    shown: str,
) -> None:
    """A refusal travels as a message across the redirect: the analyst must read it there."""
    send(client)
    report = Report.objects.get(client_key="k" * 32)
    grace = Client()
    grace.force_login(cast["grace"])
    page = grace.post(
        f"/voices/inbox/{report.pk}/verify/?lang={language}",
        {"action": "theme_add", "theme": "999999"},
        follow=True,
    )
    assert page.status_code == 200
    assert 'role="alert"' in page.content.decode()
    assert shown in page.content.decode()
