"""The demo's alerts (synthetic, on the synthetic reports placed on real GED events), the
operator's ``commonground alerts list`` and the ``alerts`` figure of ``commonground stats``."""

from __future__ import annotations

import json

from click.testing import CliRunner
from django.contrib.auth.models import User
from django.test import Client

from commonground.alerts.demo import DEMO_CIRCLE, do_demo_alerts
from commonground.alerts.models import Alert, AlertResponse
from commonground.cli.main import cli
from commonground.core.models import ImportRun
from commonground.sharing.models import SharingCircle
from commonground.voices.demo import do_demo_reports
from commonground.voices.models import Report


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_the_demo_raises_two_synthetic_alerts_once(
    ged_run: ImportRun, cast: dict[str, User], client: Client
) -> None:
    do_demo_reports()
    assert do_demo_alerts() == 2
    assert do_demo_alerts() == 0  # a second demo run adds nothing
    circle = SharingCircle.objects.get(owner__slug="femmes-bambari", slug=DEMO_CIRCLE)
    assert sorted(circle.members.values_list("slug", flat=True)) == [
        "cpl-bambari",
        "faca-liaison",
        "minusca-force",
        "minusca-jmac",
        "ocha-car",
    ]
    alerts = Alert.objects.all()
    assert all(a.is_synthetic and a.text.startswith("SYNTHETIC") for a in alerts)
    assert AlertResponse.objects.get().by == cast["amina"]
    for alert in alerts:
        assert all(r.is_synthetic and r.status == "verified" for r in alert.sources.all())
    client.force_login(cast["ousmane"])
    page = client.get("/alerts/").content.decode()
    assert "Synthetic demonstration data" in page
    assert not [r.pk for r in Report.objects.all() if str(r.pk) in page]
    client.force_login(cast["grace"])
    board = client.get("/api/v1/alerts/dashboard").json()
    assert board["overall"]["median_hours_to_acknowledge"] == 1.5
    assert board["overall"]["median_hours_to_respond"] == 6.0
    code, output = run("alerts", "list")
    assert code == 0 and output.count("femmes-bambari") == 2 and "Immediate" in output
    french = CliRunner().invoke(cli, ["alerts", "list"], env={"COMMONGROUND_LANGUAGE": "fr"})
    assert "Immédiate" in french.output and "immediate" not in french.output  # labels, not codes
    code, output = run("stats", "--json")
    assert code == 0 and json.loads(output)["alerts"] == 2
