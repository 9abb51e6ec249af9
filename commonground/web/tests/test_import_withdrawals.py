"""The import page never withdraws what its user did not mean to replace (issue 10 §1, 11 §4).

The installation's 1,848 real GED events (``real_data``) and a 20-row extract of the same file,
written by the test; expected counts come from the file read with the csv module.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client, override_settings

from commonground.core.models import ImportRun
from commonground.core.services import do_import
from commonground.events.importers.ged import GED
from commonground.events.importers.incidents import INCIDENTS
from commonground.events.models import Event
from commonground.events.tests.conftest import INCIDENTS_TEMPLATE, incident_rows, read_csv_rows
from commonground.sharing.models import Membership, Organization, Role
from commonground.sharing.services import local_organization
from commonground.testing.cast import DEMO_PASSWORD
from commonground.web.imports import WITHDRAWALS_SHOWN
from commonground.web.tests.conftest import RealData

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uploads_home")]

EXTRACT_ROWS = 20


@pytest.fixture
def uploads_home(tmp_path: Path) -> object:
    with override_settings(COMMONGROUND_HOME=tmp_path, COMMONGROUND_IMPORT_SYNC=True):
        yield tmp_path


@pytest.fixture
def extract(real_data: RealData, tmp_path: Path) -> Path:
    """Twenty real rows of the release, spread over its years, named as UCDP names files."""
    header, rows = read_csv_rows(real_data.path)
    chosen = rows[:: len(rows) // EXTRACT_ROWS][:EXTRACT_ROWS]
    path = tmp_path / "ged_23_1_extract.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(chosen)
    return path


def signed_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    assert client.login(request=HttpRequest(), username=user.get_username(), password=DEMO_PASSWORD)
    return client


def token_in(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match
    return match[1]


def check(client: Client, path: Path, name: str | None = None, **fields: str) -> tuple[str, int]:
    """Upload the file on /import/ and return the check step's page and status."""
    token = token_in(client.get("/import/").content.decode())
    upload = SimpleUploadedFile(name or path.name, path.read_bytes(), "text/csv")
    data: dict[str, object] = {"csrfmiddlewaretoken": token, "dataset": "ged", "file": upload}
    data.update(fields)  # ``fields`` may give another dataset
    response = client.post("/import/", data)
    return response.content.decode(), response.status_code


def confirm(client: Client, html: str) -> dict[str, object]:
    job = re.search(r'action="/import/([0-9a-f]{32})/confirm"', html)
    assert job, html
    client.post(f"/import/{job[1]}/confirm", {"csrfmiddlewaretoken": token_in(html)})
    progress: dict[str, object] = client.get(f"/import/{job[1]}/progress").json()
    assert progress["state"] == "done", progress
    return progress


def changes(html: str) -> dict[str, tuple[int, ...]]:
    """The check step's table: owner -> (added, updated, unchanged, withdrawn)."""
    rows = re.findall(
        r'<tr data-owner="[^"]*"><th scope="row">([^<]*)</th>'
        + r'<td class="num" data-field="\w+">([\d,]+)</td>' * 4,
        html,
    )
    return {owner: tuple(int(n.replace(",", "")) for n in counts) for owner, *counts in rows}


def live_events() -> int:
    return Event.objects.filter(withdrawn=False).count()


def analysts_organization(user: User) -> Organization:
    return Membership.objects.get(user=user, role=Role.ANALYST).organization


def test_an_analysts_extract_withdraws_none_of_the_installations_events(
    real_data: RealData, extract: Path
) -> None:
    client = signed_in(real_data.cast["amina"])
    installation = local_organization().name
    for ticked in ({}, {"replace_release": "on"}):
        html, status = check(client, extract, **ticked)
        assert status == 200, html
        assert changes(html) == {installation: (0, 0, EXTRACT_ROWS, 0)}
        summary = confirm(client, html)["summary"]
        assert isinstance(summary, dict)
        assert (summary["unchanged"], summary["removed"]) == (EXTRACT_ROWS, 0)
        assert live_events() == 1848
    assert "Nothing will be withdrawn" in check(client, extract)[0]


def test_the_owner_replaces_the_release_sees_it_first_and_brings_it_back(
    real_data: RealData, extract: Path
) -> None:
    amina = real_data.cast["amina"]
    org = analysts_organization(amina)
    Event.objects.update(owner=org)  # the release is amina's organization's own here
    client = signed_in(amina)
    missing = 1848 - EXTRACT_ROWS

    html, status = check(client, extract, replace_release="on")
    assert status == 200, html
    assert changes(html) == {org.name: (0, 0, EXTRACT_ROWS, missing)}
    assert f"{missing:,} records of {org.name}" in html
    assert live_events() == 1848  # the check step wrote nothing

    summary = confirm(client, html)["summary"]
    assert isinstance(summary, dict)
    assert summary["removed"] == missing
    assert live_events() == EXTRACT_ROWS
    page = client.get(str(summary["withdrawals_link"])).content.decode()
    assert f"This import withdrew {missing:,} records." in page
    assert page.count("<tr><td>events.event</td>") == min(missing, WITHDRAWALS_SHOWN)

    # Only those who import for the organization see the list.
    assert (
        signed_in(real_data.cast["sofia"]).get(str(summary["withdrawals_link"])).status_code == 404
    )
    page = client.post(
        str(summary["withdrawals_link"]), {"csrfmiddlewaretoken": token_in(page)}
    ).content.decode()
    assert f"{missing} records were brought back." in page
    assert live_events() == 1848


def test_a_renamed_file_is_imported_with_its_version(real_data: RealData) -> None:
    client = signed_in(real_data.cast["amina"])
    html, status = check(client, real_data.path, name="caf_events.csv")
    assert status == 422
    assert "give the version" in html
    html, status = check(client, real_data.path, name="caf_events.csv", version="23.1")
    assert status == 200, html
    assert "Version given: 23.1." in html


def test_the_import_page_and_its_check_step_speak_french(
    real_data: RealData, extract: Path
) -> None:
    client = signed_in(real_data.cast["amina"])
    form = client.get("/import/", {"lang": "fr"}).content.decode()
    for english in ("UCDP GED events", "This file replaces the whole release", "GED only"):
        assert english not in form
    assert "Ce fichier remplace toute la version publiée" in form
    html, _status = check(client, extract)
    for english in ("What the import would change", "Nothing will be withdrawn", "Id in the file"):
        assert english not in html
    assert "Retirés" in html


def test_latest_imports_show_counts_only_to_who_may_see_them(real_data: RealData) -> None:
    """A run that wrote restricted incidents: its counts are its organization's to see."""
    amina = real_data.cast["amina"]
    rows = incident_rows()
    rows[0]["sensitivity"] = "public"  # so that others see the run listed
    rows[1]["sensitivity"] = "restricted"
    incidents = write_incidents(rows)
    run = do_import(INCIDENTS, incidents, analysts_organization(amina), user=amina)
    assert not run.only_public and real_data.run.only_public

    table = [
        # (user, run, counts shown)
        ("amina", run, True),
        ("admin", run, True),
        ("jean", run, False),
        ("jean", real_data.run, True),
    ]
    for username, shown_run, expected in table:
        home = signed_in(real_data.cast[username]).get("/").content.decode()
        row = re.search(
            rf'<td class="mono">{re.escape(shown_run.file_name)}</td>.*?</tr>', home, re.S
        )
        assert row, (username, shown_run.file_name)
        assert ("importing organization only" not in row[0]) is expected, (username, row[0])
        if expected:
            assert f">{shown_run.removed}<" in row[0] or f">{shown_run.removed} <" in row[0]


def write_incidents(rows: list[dict[str, str]]) -> Path:
    """The incidents template's columns with these rows, under COMMONGROUND_HOME."""
    header, _rows = read_csv_rows(INCIDENTS_TEMPLATE)
    path = Path(settings.COMMONGROUND_HOME) / "incidents_bambari.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_runs_record_whether_all_they_wrote_was_public(real_data: RealData) -> None:
    assert ImportRun.objects.get(pk=real_data.run.pk).only_public
    assert do_import(GED, real_data.path, local_organization()).only_public


def test_a_registry_replacement_is_previewed_without_deleting_anything(
    real_data: RealData, tmp_path: Path
) -> None:
    """Registries are previewed by a persist rolled back: the check step deletes nothing."""
    from commonground.registry.importers import OPERATIONS
    from commonground.registry.models import Operation

    amina = real_data.cast["amina"]
    org = analysts_organization(amina)
    operations = real_data.path.parent / "operations.csv"
    do_import(OPERATIONS, operations, org, user=amina)
    header, rows = read_csv_rows(operations)
    dropped = rows.pop(3)
    newer = tmp_path / "operations.csv"
    with newer.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    client = signed_in(amina)

    html, status = check(client, newer, dataset="operations", replace_release="on")
    assert status == 200, html
    assert changes(html) == {org.name: (0, 0, len(rows), 1)}
    assert Operation.objects.filter(slug=dropped["id"]).exists()
    assert ImportRun.objects.filter(dataset="operations").count() == 1
