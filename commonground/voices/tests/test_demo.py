"""The demo's reports: synthetic, labelled, placed on real one-sided events, made once."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from commonground.core.models import ImportRun
from commonground.events.models import Event, ViolenceType
from commonground.voices.demo import DEMO_EVENTS, do_demo_reports
from commonground.voices.models import Report


def test_demo_reports_sit_on_real_events_and_say_synthetic(
    ged_run: ImportRun, cast: dict[str, User], client: Client
) -> None:
    assert do_demo_reports() == DEMO_EVENTS
    assert do_demo_reports() == 0  # a second demo run adds nothing
    reports = Report.objects.all()
    assert reports.count() == DEMO_EVENTS
    assert not reports.filter(is_synthetic=False).exists()
    one_sided = Event.objects.filter(violence_type=ViolenceType.ONE_SIDED, dataset="ucdp-ged")
    real_pairs = {(e.admin2_id, e.date_start.replace(day=1)) for e in one_sided}
    assert {(r.area_id, r.month) for r in reports} <= real_pairs
    assert {r.area.code.rsplit(".", 1)[0] for r in reports if r.area} == {"CAF.ouaka"}  # Bambari
    assert not reports.filter(area=None).exists()
    client.force_login(cast["grace"])
    assert "Synthetic demonstration data" in client.get("/voices/inbox/").content.decode()
    report = reports.first()
    assert report is not None
    assert (
        "Synthetic demonstration data" in client.get(f"/voices/inbox/{report.pk}/").content.decode()
    )
    form_page = Client().get("/voices/femmes-bambari/signaler/").content.decode()
    assert "Synthetic demonstration data" in form_page
