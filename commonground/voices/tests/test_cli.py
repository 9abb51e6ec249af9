"""``commonground voices rotate-key | shred | export`` and the stats figures, on real keys."""

from __future__ import annotations

import datetime
import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from commonground.cli.main import cli
from commonground.sharing.models import AuditEvent
from commonground.voices import crypto
from commonground.voices.models import Report, ReportForm
from commonground.voices.queries import protected_fields
from commonground.voices.services import ReportInput, do_submit_report


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.fixture
def two_reports(bambari_form: ReportForm) -> list[Report]:
    made = []
    for n, words in enumerate(("Premier récit", "Second récit")):
        data = ReportInput(
            category="threat", occurred_on=datetime.date(2020, 1, 5 + n), narrative=words
        )
        made.append(do_submit_report(bambari_form, bambari_form.owner, f"{n}" * 20, data)[0])
    return made


def test_rotate_key_rewraps_every_data_key(
    two_reports: list[Report], cast: dict[str, object], key_home: Path
) -> None:
    path = key_home / "keys" / "femmes-bambari.key"
    old = path.read_bytes()
    before = {r.pk: bytes(r.wrapped_key) for r in Report.objects.all()}
    sealed_before = {r.pk: bytes(r.sealed) for r in Report.objects.all()}
    code, output = run("voices", "rotate-key", "femmes-bambari")
    assert code == 0, output
    assert "2 reports re-wrapped" in output
    assert path.read_bytes() != old
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for report in Report.objects.all():
        assert bytes(report.wrapped_key) != before[report.pk]
        assert bytes(report.sealed) == sealed_before[report.pk]  # only the wrapping changed
        opened = protected_fields(report, cast["grace"], why="test")  # type: ignore[arg-type]  # a User
        assert opened is not None and opened["narrative"] in {"Premier récit", "Second récit"}
    assert AuditEvent.objects.filter(action="voices.key.rotated", target="femmes-bambari").exists()


def test_shred_needs_yes_then_nothing_reads_again(
    two_reports: list[Report], cast: dict[str, object], key_home: Path
) -> None:
    path = key_home / "keys" / "femmes-bambari.key"
    saved_key = crypto.decode_key(path.read_text(), "backup")
    code, output = run("voices", "shred", "femmes-bambari")
    assert code != 0 and "--yes" in output
    assert path.exists()
    code, output = run("voices", "shred", "femmes-bambari", "--yes")
    assert code == 0, output
    assert not path.exists()
    report = Report.objects.get(pk=two_reports[0].pk)
    assert (report.category, report.month) == ("threat", datetime.date(2020, 1, 1))  # coarse stays
    with pytest.raises(crypto.CannotOpen):  # even a backup of the key opens nothing
        crypto.open_sealed(saved_key, report.pk, report.wrapped_key, report.sealed)
    assert protected_fields(report, cast["grace"], why="test") == {"shredded": True}  # type: ignore[arg-type]  # a User


def test_export_writes_decrypted_json_lines_audited(
    two_reports: list[Report], tmp_path: Path
) -> None:
    out = tmp_path / "rfpb.jsonl"
    code, output = run("voices", "export", "femmes-bambari", "--out", str(out))
    assert code == 0, output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(row["protected"]["narrative"] for row in rows) == [
        "Premier récit",
        "Second récit",
    ]
    assert {row["month"] for row in rows} == {"2020-01-01"}
    assert {row["tlp"] for row in rows} == {"TLP:RED"}  # each line holds the protected fields
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert AuditEvent.objects.get(action="voices.exported").detail["reports"] == 2


def test_export_without_the_key_fails_clearly(
    two_reports: list[Report], key_home: Path, tmp_path: Path
) -> None:
    (key_home / "keys" / "femmes-bambari.key").unlink()
    out = tmp_path / "rfpb.jsonl"
    code, output = run("voices", "export", "femmes-bambari", "--out", str(out))
    assert code != 0 and "no key for femmes-bambari" in output
    assert not out.exists()


def test_unknown_organization_is_named(db: None) -> None:
    code, output = run("voices", "rotate-key", "nobody")
    assert code != 0 and "no organization 'nobody'" in output


def test_stats_count_reports(two_reports: list[Report]) -> None:
    code, output = run("stats", "--json")
    assert code == 0, output
    figures = json.loads(output)
    assert (figures["voices_reports"], figures["perception_responses"]) == (2, 0)


def test_shred_destroys_the_organizations_sms_and_odk_keys_too(
    two_reports: list[Report], cast: dict[str, object], key_home: Path
) -> None:
    """After shredding, repeat SMS senders cannot be linked and ODK copies cannot be opened."""
    assert run("voices", "sms-channel", "femmes-bambari", "rapidpro")[0] == 0
    assert run("voices", "odk-keygen", "femmes-bambari")[0] == 0
    keys = key_home / "keys"
    side_keys = [keys / "femmes-bambari.sms.key", keys / "femmes-bambari.odk.pem"]
    assert all(path.exists() for path in side_keys)
    code, output = run("voices", "shred", "femmes-bambari", "--yes")
    assert code == 0, output
    assert [path for path in side_keys if path.exists()] == []
