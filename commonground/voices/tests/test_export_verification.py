"""``commonground voices export ORG --out FILE --verification CSV``: themes, corroborations,
duplicates and follow-ups as CSV, every text cell safe to open in a spreadsheet, audited."""

from __future__ import annotations

import csv
import datetime
import stat
from pathlib import Path

from click.testing import CliRunner
from django.contrib.auth.models import User

from commonground.cli.main import cli
from commonground.sharing.models import AuditEvent, Organization
from commonground.voices.inbox_models import FollowUp, Theme
from commonground.voices.services import ReportInput, do_submit_report
from commonground.voices.tests.inbox_helpers import make_world
from commonground.voices.verification import do_corroborate_with_report, do_mark_duplicate


def test_the_export_writes_the_verification_as_safe_csv(
    cast: dict[str, User], bambari: Organization, tmp_path: Path
) -> None:
    world = make_world(cast, bambari)
    grace = cast["grace"]
    formula = Theme.objects.create(owner=bambari, title='=HYPERLINK("http://x","y")')
    formula.reports.add(world.staff_report)
    do_corroborate_with_report(world.staff_report, grace, world.public_report.pk)
    third, _code, _new = do_submit_report(
        None,
        bambari,
        "d" * 24,
        ReportInput(category="threat", occurred_on=datetime.date(2021, 6, 9)),
    )
    do_mark_duplicate(third, grace, world.public_report.pk)
    FollowUp.objects.create(
        report=world.staff_report, assignee=grace, due_on=datetime.date(2021, 7, 1)
    )
    mission = Organization.objects.get(slug="minusca-jmac")
    theirs = Theme.objects.create(owner=mission, title="not the network's")
    out, sheet = tmp_path / "all.jsonl", tmp_path / "verification.csv"
    result = CliRunner().invoke(
        cli,
        ["voices", "export", "femmes-bambari", "--out", str(out), "--verification", str(sheet)],
    )
    assert result.exit_code == 0, result.output
    with sheet.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    staff, public = str(world.staff_report.pk), str(world.public_report.pk)
    got = sorted((r["report"], r["kind"], r["target"]) for r in rows)
    assert got == sorted(
        [
            (staff, "theme", '\'=HYPERLINK("http://x","y")'),
            (public, "theme", world.published.title),
            (staff, "corroboration_report", public),
            (str(third.pk), "duplicate_of", public),
            (staff, "follow_up", "grace"),
        ]
    )
    assert theirs.title not in sheet.read_text(encoding="utf-8")
    assert {r["tlp"] for r in rows} == {"TLP:AMBER+STRICT"}  # the marking travels with each row
    follow_up = next(r for r in rows if r["kind"] == "follow_up")
    assert (follow_up["due_on"], follow_up["done"]) == ("2021-07-01", "no")
    assert stat.S_IMODE(sheet.stat().st_mode) == 0o600
    assert AuditEvent.objects.get(action="voices.exported_verification").detail["rows"] == 5
