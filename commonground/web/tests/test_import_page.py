"""The import page: who sees it, the row-by-row check, confirmation and the finished job.

Uploads the real UCDP GED file; expected figures come from the file read with the csv module.
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
from django.urls import resolve

from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.sharing.models import Membership, Role
from commonground.testing.cast import DEMO_PASSWORD
from commonground.web.tests.conftest import FAST_HASHERS

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("uploads_home"),
]


@pytest.fixture
def uploads_home(tmp_path: Path) -> object:
    with override_settings(
        COMMONGROUND_HOME=tmp_path, COMMONGROUND_IMPORT_SYNC=True, PASSWORD_HASHERS=FAST_HASHERS
    ):
        yield tmp_path


@pytest.fixture
def ged_file() -> Path:
    return Path(settings.COMMONGROUND_DATA_DIR) / "ged_23_1_CAF.csv"


def signed_in(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    # django-axes checks every sign-in against its request, so the test gives it one.
    assert client.login(request=HttpRequest(), username=user.get_username(), password=DEMO_PASSWORD)
    return client


def csrf_of(client: Client) -> str:
    html = client.get("/import/").content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match
    return match[1]


def upload(
    client: Client, path: Path, dataset: str = "ged", name: str | None = None
) -> tuple[str, int]:
    """Post the file (with the CSRF token) and return the check page."""
    token = csrf_of(client)
    response = client.post(
        "/import/",
        {
            "csrfmiddlewaretoken": token,
            "dataset": dataset,
            "file": SimpleUploadedFile(name or path.name, path.read_bytes(), "text/csv"),
        },
    )
    return response.content.decode(), response.status_code


def test_views_declare_the_importer_policy() -> None:
    for url in ("/import/", "/import/" + "a" * 32 + "/", "/import/" + "a" * 32 + "/progress"):
        assert getattr(resolve(url).func, "access_policy", None) == "importer"


def test_anonymous_visitors_are_sent_to_sign_in() -> None:
    response = Client().get("/import/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/import/")


def test_a_viewer_is_refused_and_sees_no_link(cast: dict[str, User]) -> None:
    client = signed_in(cast["jean"])
    assert client.get("/import/").status_code == 403
    assert 'href="/import/"' not in client.get("/atlas/").content.decode()
    assert 'href="/import/"' in signed_in(cast["amina"]).get("/atlas/").content.decode()


def test_amina_checks_then_imports_the_real_ged_file(cast: dict[str, User], ged_file: Path) -> None:
    with ged_file.open(newline="", encoding="utf-8") as handle:
        expected_rows = sum(1 for _row in csv.DictReader(handle))
    assert expected_rows == 1848
    client = signed_in(cast["amina"])
    html, status = upload(client, ged_file)
    assert status == 200, html
    assert re.search(r'id="rows-read">1,848<', html)
    assert re.search(r'id="warning-count">20<', html)
    assert html.count('<tr class="warning">') == 20
    assert Event.objects.count() == 0
    assert not ImportRun.objects.exists()

    job = re.search(r'action="/import/([0-9a-f]{32})/confirm"', html)
    assert job
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    # CSRF is required on the confirmation too
    assert client.post(f"/import/{job[1]}/confirm").status_code == 403
    response = client.post(f"/import/{job[1]}/confirm", {"csrfmiddlewaretoken": token[1]})
    assert response.status_code == 302
    assert response["Location"] == f"/import/{job[1]}/"

    progress = client.get(f"/import/{job[1]}/progress").json()
    assert progress["state"] == "done", progress
    assert progress["summary"]["rows_read"] == 1848
    assert progress["summary"]["added"] == 1848
    amina_org = Membership.objects.get(user=cast["amina"], role=Role.ANALYST).organization
    assert Event.objects.count() == 1848
    assert Event.objects.filter(owner=amina_org).count() == 1848
    page = client.get(f"/import/{job[1]}/").content.decode()
    assert "/events/?dataset=" in page
    # the uploaded file is gone once imported
    assert not list((Path(settings.COMMONGROUND_HOME) / "uploads").glob("*/*"))

    # another user cannot see the job
    assert signed_in(cast["sofia"]).get(f"/import/{job[1]}/progress").status_code in (403, 404)


def test_a_semicolon_file_shows_its_problem_and_writes_nothing(
    cast: dict[str, User], ged_file: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "ged_23_1_CAF.csv"
    with (
        ged_file.open(newline="", encoding="utf-8") as source,
        bad.open("w", newline="", encoding="utf-8") as target,
    ):
        writer = csv.writer(target, delimiter=";")
        for row in csv.reader(source):
            writer.writerow(row)
    client = signed_in(cast["amina"])
    html, status = upload(client, bad)
    assert status == 422
    assert "cannot be imported" in html
    problems = re.findall(
        r'<tr class="problem"><td>([^<]*)</td><td class="num">([^<]*)</td><td>(.*?)</td>'
        r"<td>([^<]*)</td>",
        html,
    )
    assert len(problems) == 1, html
    file_name, row, column, reason = problems[0]
    assert file_name == "ged_23_1_CAF.csv"
    assert row == "1"  # the header: the importer names the separator, for the whole row
    assert "the whole row" in column
    assert "semicolons" in reason
    assert Event.objects.count() == 0
    assert not list((Path(settings.COMMONGROUND_HOME) / "uploads").glob("*/*"))


def test_an_upload_needs_the_csrf_token(cast: dict[str, User], ged_file: Path) -> None:
    client = signed_in(cast["amina"])
    response = client.post(
        "/import/", {"dataset": "ged", "file": SimpleUploadedFile("x.csv", b"a,b\n1,2\n")}
    )
    assert response.status_code == 403


def test_an_oversized_file_is_refused(cast: dict[str, User], ged_file: Path) -> None:
    client = signed_in(cast["amina"])
    with override_settings(COMMONGROUND_UPLOAD_MAX_BYTES=1000):
        html, status = upload(client, ged_file)
    assert status == 400
    assert "larger than" in html
    assert Event.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_import_runs_in_a_background_thread(
    transactional_db: None, ged_file: Path, tmp_path: Path
) -> None:
    """Without the synchronous setting the job runs in a thread; the page polls its progress."""
    import threading

    from commonground.testing.cast import ensure_cast

    cast = ensure_cast()
    client = signed_in(cast["amina"])
    html, status = upload(client, ged_file)
    assert status == 200
    job = re.search(r'action="/import/([0-9a-f]{32})/confirm"', html)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert job and token
    with override_settings(COMMONGROUND_IMPORT_SYNC=False):
        response = client.post(f"/import/{job[1]}/confirm", {"csrfmiddlewaretoken": token[1]})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert f'data-progress-url="/import/{job[1]}/progress"' in page
    for thread in threading.enumerate():
        if thread.name == f"import-{job[1][:8]}":
            thread.join(timeout=120)
    progress = client.get(f"/import/{job[1]}/progress").json()
    assert progress["state"] == "done", progress
    assert Event.objects.count() == 1848
