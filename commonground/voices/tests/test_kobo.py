"""KoBoToolbox and ODK Central exports as a channel: real layouts, idempotent, all-or-nothing."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.utils import translation

from commonground.core.importing import ImportRejected
from commonground.core.models import Area
from commonground.sharing.models import AuditEvent, Organization
from commonground.voices import crypto
from commonground.voices.kobo import do_import_kobo, do_save_mapping, import_submission_rows
from commonground.voices.kobo_models import FormMapping
from commonground.voices.models import Channel, Report, ReportForm
from commonground.voices.tests.kobo_files import (
    central_table,
    kobo_table,
    submission,
    write_table,
    write_xlsform,
)


@pytest.fixture
def bambari_area(db: None) -> Area:
    area, _created = Area.objects.get_or_create(
        code="CAF.ouaka.bambari",
        defaults={"level": 2, "country_code": "CAF", "name_en": "Bambari", "name_fr": "Bambari"},
    )
    return area


@pytest.fixture
def xlsform(tmp_path: Path) -> Path:
    return write_xlsform(tmp_path / "signalement.xlsx")


def rows(n: int, seed: int = 0) -> list[dict[str, str]]:
    return [submission(i, seed) for i in range(n)]


LAYOUTS = [
    ("kobo.csv", kobo_table),
    ("kobo.xlsx", kobo_table),
    ("central.csv", central_table),
    ("central.xlsx", central_table),
]


@pytest.mark.parametrize(("name", "layout"), LAYOUTS)
def test_each_tool_and_format_imports_sealed_reports(
    tmp_path: Path,
    xlsform: Path,
    bambari_form: ReportForm,
    bambari_area: Area,
    name: str,
    layout: object,
) -> None:
    source = rows(5)
    export = write_table(tmp_path / name, layout(source))  # type: ignore[operator]
    result, mapping = do_import_kobo(bambari_form, xlsform, export)
    assert (result.added, result.already_known) == (5, 0)
    assert mapping.fields["category"] == "incident/categorie"
    assert mapping.fields["narrative"] == "recit"
    reports = Report.objects.filter(channel=Channel.KOBO)
    assert reports.count() == 5
    first = source[0]
    report = reports.get(client_key=first["_uuid"])
    assert (
        report.category
        == {"pillage": "looting", "menace": "threat", "retour": "return"}[
            first["incident/categorie"]
        ]
    )
    assert report.women == int(first["personnes/femmes"])
    assert report.may_count is True
    assert report.area == (bambari_area if first["incident/commune"] == "bambari" else None)
    opened = crypto.open_sealed(
        crypto.organization_key(report.owner), report.pk, report.wrapped_key, report.sealed
    )
    assert opened["narrative"] == first["recit"]
    assert opened["occurred_on"] == first["incident/date_incident"]
    assert opened["latitude"] == float(first["incident/gps"].split()[0])
    assert opened["contact"] == (first["contact"] if first["consent_contact"] == "oui" else "")


def test_narrative_and_contact_are_never_in_clear(
    tmp_path: Path, xlsform: Path, bambari_form: ReportForm
) -> None:
    source = rows(3)
    source[0]["recit"] = "CANARY-KOBO-NARRATIVE-7731"
    source[0]["contact"] = "CANARY-KOBO-CONTACT-7731"
    source[0]["consent_contact"] = "oui"
    do_import_kobo(bambari_form, xlsform, write_table(tmp_path / "k.csv", kobo_table(source)))
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM voices_report")
        dump = repr(cursor.fetchall())
    assert "CANARY-KOBO" not in dump
    assert "CANARY-KOBO" not in repr(list(AuditEvent.objects.values()))


def test_same_or_grown_export_adds_only_new_submissions(
    tmp_path: Path, xlsform: Path, bambari_form: ReportForm
) -> None:
    source = rows(10)
    first = write_table(tmp_path / "first.csv", kobo_table(source[:6]))
    do_import_kobo(bambari_form, xlsform, first)
    again, _mapping = do_import_kobo(bambari_form, None, first)
    assert (again.added, again.already_known) == (0, 6)
    # The same submissions, now from ODK Central (KEY / meta-instanceID), plus four more.
    grown = write_table(tmp_path / "grown.xlsx", central_table(source))
    result, _mapping = do_import_kobo(bambari_form, None, grown)
    assert (result.added, result.already_known) == (4, 6)
    assert Report.objects.count() == 10


def test_shuffled_replay_with_duplicates_stores_each_submission_once(
    bambari_form: ReportForm, tmp_path: Path, xlsform: Path
) -> None:
    source = rows(300, seed=7)
    rng = random.Random(3)
    replay = source + rng.sample(source, 90)
    rng.shuffle(replay)
    do_import_kobo(bambari_form, xlsform, write_table(tmp_path / "a.csv", kobo_table(replay[:200])))
    result, _mapping = do_import_kobo(
        bambari_form, None, write_table(tmp_path / "b.csv", kobo_table(replay))
    )
    assert Report.objects.count() == 300
    assert result.repeated_in_file == 90
    keys = list(Report.objects.values_list("client_key", flat=True))
    assert len(keys) == len(set(keys)) == 300


def test_a_malformed_xlsform_is_a_clear_error_and_stores_nothing(
    tmp_path: Path, bambari_form: ReportForm
) -> None:
    bad = write_xlsform(
        tmp_path / "bad.xlsx", survey=[("select_one missing_list", "q", "Q", "Q")], choices=[]
    )
    export = write_table(tmp_path / "k.csv", kobo_table(rows(2)))
    with pytest.raises(ImportRejected) as caught:
        do_import_kobo(bambari_form, bad, export)
    assert caught.value.problems[0].file == "bad.xlsx"
    assert "XLSForm" in caught.value.problems[0].reason
    assert not FormMapping.objects.exists()
    assert not Report.objects.exists()


def test_an_export_of_another_form_is_refused(
    tmp_path: Path, xlsform: Path, bambari_form: ReportForm
) -> None:
    other = [{"meta/instanceID": "uuid:1", "water/point": "x", "water/depth": "3"}]
    export = write_table(tmp_path / "other.csv", [list(other[0]), list(other[0].values())])
    with pytest.raises(ImportRejected) as caught:
        do_import_kobo(bambari_form, xlsform, export)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("other.csv", 1, "water/point")
    assert not Report.objects.exists()
    assert not FormMapping.objects.exists()


def test_a_bad_row_names_file_row_column_and_reason_in_both_languages(
    tmp_path: Path, xlsform: Path, bambari_form: ReportForm
) -> None:
    source = rows(4)
    source[2]["personnes/femmes"] = "-3"
    export = write_table(tmp_path / "k.csv", kobo_table(source))
    with pytest.raises(ImportRejected) as caught:
        do_import_kobo(bambari_form, xlsform, export)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("k.csv", 4, "personnes/femmes")
    assert "not a count" in problem.reason
    assert not Report.objects.exists()
    with translation.override("fr"), pytest.raises(ImportRejected) as french:
        do_import_kobo(bambari_form, xlsform, export)
    assert "pas un nombre" in french.value.problems[0].reason


def test_the_mapping_is_stored_once_and_reused(
    tmp_path: Path, xlsform: Path, bambari_form: ReportForm, cast: dict[str, User]
) -> None:
    do_import_kobo(bambari_form, xlsform, write_table(tmp_path / "a.csv", kobo_table(rows(2))))
    mapping = FormMapping.objects.get()
    values = dict(mapping.values)
    values["category"] = {"pillage": "looting", "menace": "hate_speech", "retour": "return"}
    do_save_mapping(mapping, dict(mapping.fields), values, cast["grace"])
    source = rows(8, seed=5)
    do_import_kobo(bambari_form, xlsform, write_table(tmp_path / "b.csv", kobo_table(source)))
    threats = [r for r in source if r["incident/categorie"] == "menace"]
    assert Report.objects.filter(category="hate_speech").count() == len(threats)
    assert FormMapping.objects.count() == 1


def test_dry_run_writes_nothing(tmp_path: Path, xlsform: Path, bambari_form: ReportForm) -> None:
    export = write_table(tmp_path / "k.csv", kobo_table(rows(3)))
    result, _mapping = do_import_kobo(bambari_form, xlsform, export, dry_run=True)
    assert (result.added, result.dry_run) == (3, True)
    assert not Report.objects.exists()
    assert not FormMapping.objects.exists()


def test_rows_fed_directly_follow_the_contract(
    tmp_path: Path, xlsform: Path, bambari_form: ReportForm, bambari: Organization
) -> None:
    """What the ODK encrypted-submission reader does: rows keyed like export columns."""
    do_import_kobo(bambari_form, xlsform, write_table(tmp_path / "a.csv", kobo_table(rows(1))))
    row = submission(42)
    del row["_uuid"]
    result = import_submission_rows(bambari_form, [row, row], "submission.xml")
    assert (result.added, result.repeated_in_file) == (1, 1)
    assert Report.objects.filter(client_key=row["meta/instanceID"][5:]).exists()
    row.pop("meta/instanceID")
    with pytest.raises(ImportRejected) as caught:
        import_submission_rows(bambari_form, [row], "submission.xml")
    assert caught.value.problems[0].column == "meta/instanceID"
