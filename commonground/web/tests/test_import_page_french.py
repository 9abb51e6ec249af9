"""The import page in French: the importers' problems and warnings in the user's language.

Uses the real world-wide GED 23.1 sample (two events coded under the borders of their time) and
the real CAR extract saved with semicolons.
"""

from __future__ import annotations

import csv
import html as html_lib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client, override_settings

from commonground.core.models import ImportRun
from commonground.testing.cast import DEMO_PASSWORD
from commonground.web.tests.conftest import FAST_HASHERS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uploads_home")]

DATA = Path(settings.COMMONGROUND_DATA_DIR)


@pytest.fixture
def uploads_home(tmp_path: Path) -> object:
    with override_settings(
        COMMONGROUND_HOME=tmp_path, COMMONGROUND_IMPORT_SYNC=True, PASSWORD_HASHERS=FAST_HASHERS
    ):
        yield tmp_path


def french(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    assert client.login(request=HttpRequest(), username=user.get_username(), password=DEMO_PASSWORD)
    return client


def upload(client: Client, path: Path) -> tuple[str, int]:
    response = client.post(
        "/import/",
        {"dataset": "ged", "file": SimpleUploadedFile(path.name, path.read_bytes(), "text/csv")},
    )
    return html_lib.unescape(response.content.decode()), response.status_code


def test_a_rejected_file_is_explained_in_french(cast: dict[str, User], tmp_path: Path) -> None:
    bad = tmp_path / "ged_23_1_CAF.csv"
    with (
        (DATA / "ged_23_1_CAF.csv").open(newline="", encoding="utf-8") as source,
        bad.open("w", newline="", encoding="utf-8") as target,
    ):
        csv.writer(target, delimiter=";").writerows(csv.reader(source))

    page, status = upload(french(cast["amina"]), bad)

    assert status == 422
    reasons = re.findall(r'<tr class="problem">.*?<td>([^<]*)</td></tr>', page)
    assert reasons == [
        "les colonnes sont séparées par des points-virgules, pas par des virgules ; "
        "exportez le fichier en CSV séparé par des virgules"
    ]


def test_warnings_are_shown_and_recorded_in_french(cast: dict[str, User]) -> None:
    client = french(cast["amina"])
    page, status = upload(client, DATA / "ged_23_1_sample1000.csv")

    assert status == 200, page
    rows = re.findall(
        r'<tr class="warning"><td class="num">(\d*)</td><td>([^<]*)</td><td>([^<]*)</td>', page
    )
    borders = {int(row): (column, reason) for row, column, reason in rows if "époque" in reason}
    assert set(borders) == {274, 529}
    column, reason = borders[529]
    assert column == "country"
    assert reason.startswith("la source code cet événement sous 'Sudan' (SDN)")
    assert "(conservé tel que l'UCDP l'a publié)" in page  # the best-outside-range warnings
    assert "kept as UCDP" not in page and "a state of the time" not in page

    job = re.search(r'action="/import/([0-9a-f]{32})/confirm"', page)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert job and token
    client.post(f"/import/{job[1]}/confirm", {"csrfmiddlewaretoken": token[1]})
    run = ImportRun.objects.get(file_name="ged_23_1_sample1000.csv")
    recorded = [p["reason"] for p in run.problems if p.get("level") == "warning"]
    assert any("row 529, column 'country': la source code" in r for r in recorded)
