"""Staff and monitoring reports: entered through the page, sealed like public reports.

The archived copy is bounded and type-checked from its bytes; the canary part plants unique
strings in the link, the quote, the pasted copy and the file, then searches the raw SQLite file
(and a ``pg_dump`` on PostgreSQL): none appears in clear.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from commonground.sharing.models import Organization
from commonground.voices.models import Channel, Report
from commonground.voices.queries import protected_fields
from commonground.voices.staff import ARCHIVE_MAX_BYTES, sniff_archive

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
TAG = uuid.uuid4().hex[:10]
CANARIES = {
    "source_url": f"https://example.org/CANARY-URL-{TAG}",
    "quoted_text": f"CANARY-QUOTE-{TAG}",
    "archived_text": f"<html>CANARY-ARCHIVE-{TAG}</html>",
    "narrative": f"CANARY-STAFF-NARRATIVE-{TAG}",
    "place": f"CANARY-STAFF-PLACE-{TAG}",
}
FILE_CANARY = f"CANARY-FILE-{TAG}"
CLEAR_CONTROL = f"CLEAR-THEME-{TAG}"


def staff_answers(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "owner": str(Organization.objects.get(slug="femmes-bambari").pk),
        "channel": "social_media",
        "client_key": "staff" + "x" * 20,
        "category": "hate_speech",
        "occurred_on": "2021-06-02",
        "date_precision": "day",
        "area": "",
        "perpetrator_kind": "unknown",
        "narrative": "A post calls for attacks on a neighbourhood. SYNTHETIC.",
        "source_url": "https://example.org/post/1",
        "quoted_text": "SYNTHETIC quoted words",
        "archived_text": "",
        "may_count": "on",
    }
    base.update(changes)
    return base


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"%PDF-1.7\n...", ("application/pdf", "pdf")),
        (PNG, ("image/png", "png")),
        (b"\xff\xd8\xff\xe0JFIF", ("image/jpeg", "jpg")),
        (b"GIF89a....", ("image/gif", "gif")),
        (b"RIFF\0\0\0\0WEBPVP8 ", ("image/webp", "webp")),
        ("<html><body>Saved page é</body></html>".encode(), ("text/plain", "txt")),
        (b"MZ\x90\0\x03\0\0\0", None),  # a Windows program
        (b"\xff\xfe\x00\x00binary", None),
        (b"PK\x03\x04zip", ("text/plain", "txt")),  # decodes as text: kept, served as text
    ],
)
def test_archived_files_are_told_apart_by_their_bytes(
    content: bytes, expected: tuple[str, str] | None
) -> None:
    assert sniff_archive(content) == expected


def test_an_analyst_enters_a_monitoring_report_with_an_archived_file(
    client: Client, cast: dict[str, User], bambari: Organization
) -> None:
    client.force_login(cast["grace"])
    page = client.get("/voices/inbox/new/")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
    upload = SimpleUploadedFile("post.exe.png", PNG, content_type="application/x-msdownload")
    response = client.post("/voices/inbox/new/", staff_answers(archived_file=upload))
    assert response.status_code == 302, response.content.decode()[:2000]
    again = client.post("/voices/inbox/new/", staff_answers())  # the same form sent twice
    assert again.status_code == 302
    report = Report.objects.get()
    assert (report.channel, report.owner, report.form) == (Channel.SOCIAL_MEDIA, bambari, None)
    fields = protected_fields(report, cast["grace"], why="test")
    assert fields is not None
    media = fields["media"]
    assert media["url"] == "https://example.org/post/1"
    assert media["archived_file"]["content_type"] == "image/png"
    assert media["archived_file"]["name"] == "archive.png"  # never the sender's name
    download = client.get(f"/voices/inbox/{report.pk}/archive/")
    assert download.content == PNG
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("content", "error"),
    [
        (b"MZ\x90\0\x03\0\0\0", "This kind of file is not accepted"),
        (b"%PDF-" + b"0" * ARCHIVE_MAX_BYTES, "The file is larger than 2 MB."),
    ],
)
def test_a_refused_file_stores_nothing(
    client: Client, cast: dict[str, User], bambari: Organization, content: bytes, error: str
) -> None:
    client.force_login(cast["grace"])
    upload = SimpleUploadedFile("copy.bin", content)
    response = client.post("/voices/inbox/new/", staff_answers(archived_file=upload))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert not Report.objects.exists()


def test_a_viewer_or_another_organization_cannot_enter_for_the_network(
    client: Client, cast: dict[str, User], bambari: Organization
) -> None:
    client.force_login(cast["jean"])
    assert client.post("/voices/inbox/new/", staff_answers()).status_code == 404
    client.force_login(cast["amina"])  # analyst, but of the mission: the network is no choice
    response = client.post("/voices/inbox/new/", staff_answers())
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Report.objects.exists()


SCRIPT = """
import base64, json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.test import Client
from commonground.testing.cast import ensure_cast
from commonground.sharing.models import Organization
from commonground.voices.inbox_models import Theme
from commonground.voices.models import Report
from commonground.voices.queries import protected_fields
canaries, file_canary, control = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
users = ensure_cast()
owner = Organization.objects.get(slug="femmes-bambari")
client = Client(HTTP_HOST="localhost")
client.force_login(users["grace"])
answer = {
    "owner": str(owner.pk), "channel": "media", "client_key": "c" * 32, "category": "hate_speech",
    "occurred_on": "2021-06-02", "date_precision": "day", "area": "",
    "perpetrator_kind": "unknown", "may_count": "on", **canaries,
    "archived_file": SimpleUploadedFile("a.txt", file_canary.encode()),
}
response = client.post("/voices/inbox/new/", answer)
assert response.status_code == 302, response.content
Theme.objects.create(owner=owner, title=control)
report = Report.objects.get()
opened = protected_fields(report, users["grace"], why="test")
opened["file"] = base64.b64decode(opened["media"]["archived_file"]["data"]).decode()
print(json.dumps(opened))
"""


def assert_absent(raw: bytes, where: str) -> None:
    values = [*CANARIES.values(), FILE_CANARY]
    found = [value for value in values if value.encode() in raw]
    assert found == [], f"protected fields in clear in {where}: {found}"
    assert CLEAR_CONTROL.encode() in raw, f"the control is missing from {where}: the scan is blind"


def test_sqlite_file_holds_no_staff_canary(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(COMMONGROUND_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="commonground.settings")
    done = subprocess.run(  # noqa: S603  # our own interpreter and script, fixed arguments
        [sys.executable, "-c", SCRIPT, json.dumps(CANARIES), FILE_CANARY, CLEAR_CONTROL],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    opened = json.loads(done.stdout.strip().splitlines()[-1])
    assert opened["media"]["quote"] == CANARIES["quoted_text"]  # stored, and readable
    assert opened["media"]["archived_text"] == CANARIES["archived_text"]
    assert opened["file"] == FILE_CANARY
    files = [p for p in tmp_path.iterdir() if p.name.startswith("commonground.sqlite3")]
    assert files, "no database file"
    assert_absent(b"".join(p.read_bytes() for p in files), ", ".join(p.name for p in files))


@pytest.mark.django_db(transaction=True)
def test_pg_dump_holds_no_staff_canary(client: Client, cast: dict[str, User]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite run: the file half of the canary test covers it (set DATABASE_URL)")
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is not installed; it is needed to check PostgreSQL at rest")
    from commonground.voices.inbox_models import Theme

    owner = Organization.objects.get(slug="femmes-bambari")
    client.force_login(cast["grace"])
    upload = SimpleUploadedFile("a.txt", FILE_CANARY.encode())
    answer = staff_answers(**CANARIES, archived_file=upload)
    assert client.post("/voices/inbox/new/", answer).status_code == 302
    Theme.objects.create(owner=owner, title=CLEAR_CONTROL)
    settings_dict = connection.settings_dict
    dump = subprocess.run(  # noqa: S603  # pg_dump of our own test database
        [  # noqa: S607  # pg_dump from PATH, as the operator runs it
            "pg_dump",
            "--data-only",
            "-h",
            str(settings_dict.get("HOST") or "127.0.0.1"),
            "-p",
            str(settings_dict.get("PORT") or 5432),
            "-U",
            str(settings_dict.get("USER") or "postgres"),
            str(settings_dict["NAME"]),
        ],
        capture_output=True,
        check=True,
        timeout=600,
    )
    assert_absent(dump.stdout, "pg_dump")
