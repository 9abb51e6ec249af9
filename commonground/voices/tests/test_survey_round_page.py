"""A survey round uploaded from the survey page (KoBo layout built in code after the documented
export, as ``test_surveys``): check first, then import; all or nothing; analysts only.

The responses are SYNTHETIC.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commonground.sharing.models import Organization
from commonground.testing.cast import CAST
from commonground.voices.survey_models import PerceptionResponse, PerceptionSurvey, SurveyRound
from commonground.voices.tests.kobo_files import write_table
from commonground.voices.tests.test_surveys import kobo_layout, responses
from commonground.voices.tests.test_surveys import survey as survey  # fixture

pytestmark = pytest.mark.django_db

#: Who may import a round of the Bambari network's survey: its analysts and above (grace, and
#: clarisse, its organization administrator). Everyone else's upload answers 404, as for a
#: missing page, and stores nothing.
MAY_IMPORT = {member.username: member.username in {"grace", "clarisse"} for member in CAST}


def upload(client: Client, survey: PerceptionSurvey, path: Path, **fields: str) -> tuple[int, str]:
    data = {"action": "round", "round": "2", **fields}
    data["export"] = SimpleUploadedFile(path.name, path.read_bytes())  # type: ignore[assignment]  # a file field
    answer = client.post(f"/voices/surveys/{survey.pk}/", data)
    return answer.status_code, answer.content.decode()


def test_the_table_lists_the_whole_cast() -> None:
    assert set(MAY_IMPORT) == {member.username for member in CAST}


def test_an_analyst_checks_then_imports_a_round_and_a_replay_adds_nothing(
    client: Client, cast: dict[str, User], survey: PerceptionSurvey, tmp_path: Path
) -> None:
    export = write_table(tmp_path / "round2.csv", kobo_layout(responses(12, 2)))
    client.force_login(cast["grace"])
    status, page = upload(client, survey, export, dry_run="1")
    assert status == 200 and "would add 12" in page
    assert not PerceptionResponse.objects.exists() and not SurveyRound.objects.exists()
    status, page = upload(client, survey, export)
    assert status == 200 and "added 12" in page
    assert PerceptionResponse.objects.filter(round__number=2).count() == 12
    status, page = upload(client, survey, export)
    assert "added 0" in page and "12 already stored" in page
    assert PerceptionResponse.objects.count() == 12


def test_a_bad_row_is_named_and_nothing_is_stored(
    client: Client, cast: dict[str, User], survey: PerceptionSurvey, tmp_path: Path
) -> None:
    rows = responses(5, 2)
    rows[3]["poids"] = "-1"
    export = write_table(tmp_path / "bad.csv", kobo_layout(rows))
    client.force_login(cast["grace"])
    status, page = upload(client, survey, export)
    assert status == 400
    assert "bad.csv, row 5, column <code>poids</code>" in page  # file, row, column
    assert not PerceptionResponse.objects.exists()


def test_the_form_and_messages_read_in_french(
    client: Client, cast: dict[str, User], survey: PerceptionSurvey, tmp_path: Path
) -> None:
    export = write_table(tmp_path / "round2.csv", kobo_layout(responses(3, 2)))
    client.force_login(cast["grace"])
    page = client.get(f"/voices/surveys/{survey.pk}/?lang=fr").content.decode()
    assert "Importer une vague" in page
    _status, answer = upload(client, survey, export, dry_run="1")
    assert "ajouterait 3" in answer


@pytest.mark.parametrize("who", [who for who, may in MAY_IMPORT.items() if not may])
def test_anyone_else_gets_a_missing_page_and_nothing_is_stored(
    who: str,
    client: Client,
    cast: dict[str, User],
    survey: PerceptionSurvey,
    bambari: Organization,
    tmp_path: Path,
) -> None:
    export = write_table(tmp_path / "round2.csv", kobo_layout(responses(3, 2)))
    client.force_login(cast[who])
    status, page = upload(client, survey, export)
    assert status == 404
    assert "Importer une vague" not in page and "Import a round" not in page
    assert not PerceptionResponse.objects.exists()
