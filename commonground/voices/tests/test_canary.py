"""Canaries: protected fields never reach the database in clear, on SQLite or PostgreSQL.

Unique strings go into every protected field through the real public form; then the raw bytes
of the SQLite file and its WAL (or a ``pg_dump`` of the PostgreSQL test database) are searched.
Two controls keep the test honest: the canaries do come back decrypted (they were stored), and
a canary put in a clear column (the public answer) IS found in the same bytes (the scan works).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from commonground.voices.services import PROTECTED_FIELDS

TAG = uuid.uuid4().hex[:10]
CANARIES = {
    "narrative": f"CANARY-NARRATIVE-{TAG}",
    "contact": f"CANARY-CONTACT-{TAG}",
    "reporter_name": f"CANARY-NAME-{TAG}",
    "place": f"CANARY-PLACE-{TAG}",
    "latitude": "6.123457",
    "longitude": "20.654321",
    "occurred_on": "2017-02-23",
}
CLEAR_CONTROL = f"CLEAR-ANSWER-{TAG}"

#: Run in a fresh process on a real SQLite file: migrate, post the form, grade, export.
SCRIPT = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.test import Client
from commonground.testing.cast import ensure_cast
from commonground.sharing.models import Organization
from commonground.voices.models import Report, ReportForm
from commonground.voices.queries import protected_fields
from commonground.voices.services import do_grade_report
canaries, control = json.loads(sys.argv[1]), sys.argv[2]
users = ensure_cast()
owner = Organization.objects.get(slug="femmes-bambari")
ReportForm.objects.create(owner=owner, slug="signaler", title="Signaler", published=True)
answer = client_answer = {
    "client_key": "c" * 32, "category": "sgbv", "date_precision": "day", "area": "",
    "women": "1", "men": "0", "girls": "0", "boys": "0", "unknown": "0",
    "perpetrator_kind": "armed_group", "may_count": "on", "may_contact": "on",
    **canaries,
}
response = Client(HTTP_HOST="localhost").post("/voices/femmes-bambari/signaler/", answer)
assert response.status_code == 200, response.content
report = Report.objects.get()
do_grade_report(report, users["grace"], "verified", "B", 2, control)
print(json.dumps(protected_fields(report, users["grace"], why="test")))
"""


def test_every_protected_field_has_a_canary() -> None:
    assert set(CANARIES) == set(PROTECTED_FIELDS)


def assert_canaries_absent(raw: bytes, where: str) -> None:
    found = [name for name, value in CANARIES.items() if value.encode() in raw]
    assert found == [], f"protected fields in clear in {where}: {found}"
    assert CLEAR_CONTROL.encode() in raw, f"the control is missing from {where}: the scan is blind"


def test_sqlite_file_and_wal_hold_no_canary(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(COMMONGROUND_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="commonground.settings")
    done = subprocess.run(  # noqa: S603  # our own interpreter and script, fixed arguments
        [sys.executable, "-c", SCRIPT, json.dumps(CANARIES), CLEAR_CONTROL],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    opened = json.loads(done.stdout.strip().splitlines()[-1])
    assert {name: str(opened[name]) for name in CANARIES} == CANARIES  # stored, and readable
    files = [p for p in tmp_path.iterdir() if p.name.startswith("commonground.sqlite3")]
    assert any(p.name.endswith("-wal") for p in files) or files, "no database file"
    raw = b"".join(p.read_bytes() for p in files)
    assert_canaries_absent(raw, ", ".join(p.name for p in files))


@pytest.mark.django_db(transaction=True)
def test_pg_dump_holds_no_canary(client: pytest.FixtureRequest, cast: dict[str, object]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite run: the file half of the canary test covers it (set DATABASE_URL)")
    if shutil.which("pg_dump") is None:
        pytest.fail("pg_dump is not installed; it is needed to check PostgreSQL at rest")
    from commonground.sharing.models import Organization
    from commonground.voices.models import Report, ReportForm
    from commonground.voices.services import do_grade_report

    owner = Organization.objects.get(slug="femmes-bambari")
    ReportForm.objects.create(owner=owner, slug="signaler", title="Signaler", published=True)
    answer = {
        "client_key": "c" * 32,
        "category": "sgbv",
        "date_precision": "day",
        "women": "1",
        "perpetrator_kind": "armed_group",
        "may_count": "on",
        "may_contact": "on",
        **CANARIES,
    }
    assert client.post("/voices/femmes-bambari/signaler/", answer).status_code == 200  # type: ignore[attr-defined]  # Django's test client
    do_grade_report(Report.objects.get(), cast["grace"], "verified", "B", 2, CLEAR_CONTROL)  # type: ignore[arg-type]  # a User from the cast
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
    assert_canaries_absent(dump.stdout, "pg_dump")
