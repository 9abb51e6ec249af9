"""Repeat groups of KoBo / ODK exports: the affected people counted by sex and age.

Files are SYNTHETIC, built in code after the documented layouts (kobo_files.py says where each
is documented); the XLSForms are parsed by pyxform.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from click.testing import CliRunner
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation

from commonground.cli.main import cli
from commonground.core.importing import ImportRejected
from commonground.sharing.models import AuditEvent
from commonground.voices.kobo import do_import_kobo, do_save_mapping
from commonground.voices.kobo_models import FormMapping
from commonground.voices.models import Channel, Report, ReportForm
from commonground.voices.tests.kobo_files import (
    FORM_ID,
    NESTED_CHOICES,
    NESTED_SURVEY,
    PEOPLE_CHOICES,
    PEOPLE_REPEAT,
    PEOPLE_SURVEY,
    affected,
    central_people_zip,
    central_table,
    csv_text,
    expected_counts,
    kobo_people_xlsx,
    kobo_table,
    people_submission,
    write_table,
    write_xlsform,
)
from commonground.voices.xlsform import read_xlsform

COUNTS = ("women", "men", "girls", "boys", "unknown")


@pytest.fixture
def people_form(tmp_path: Path) -> Path:
    return write_xlsform(tmp_path / "personnes.xlsx", PEOPLE_SURVEY, PEOPLE_CHOICES)


def source(n: int, seed: int = 0) -> tuple[list[dict[str, str]], list[list[dict[str, str]]]]:
    return [people_submission(i, seed) for i in range(n)], [affected(i, seed) for i in range(n)]


def stored_counts() -> dict[str, dict[str, int]]:
    return {
        r.client_key: {f: getattr(r, f) for f in COUNTS}
        for r in Report.objects.filter(channel=Channel.KOBO)
    }


def expected(
    rows: list[dict[str, str]], people: list[list[dict[str, str]]]
) -> dict[str, dict[str, int]]:
    return {row["_uuid"]: expected_counts(p) for row, p in zip(rows, people, strict=True)}


def stored_rows() -> tuple[int, int, int]:
    return Report.objects.count(), FormMapping.objects.count(), AuditEvent.objects.count()


def test_pyxform_reads_the_repeat_and_its_questions(people_form: Path) -> None:
    form = read_xlsform(people_form)
    (repeat,) = form.repeats
    assert (repeat.path, repeat.name, repeat.parent) == (PEOPLE_REPEAT, "personne", "")
    assert [q.path for q in repeat.questions] == [f"{PEOPLE_REPEAT}/sexe", f"{PEOPLE_REPEAT}/age"]
    assert not [q for q in form.questions if q.path.startswith(PEOPLE_REPEAT)]
    nested = read_xlsform(
        write_xlsform(people_form.with_name("n.xlsx"), NESTED_SURVEY, NESTED_CHOICES)
    )
    assert [(r.path, r.parent) for r in nested.repeats] == [
        ("menage", ""),
        ("menage/membre_touche", "menage"),
    ]


@pytest.mark.parametrize("layout", ["kobo.xlsx", "central.zip"])
def test_people_in_a_repeat_become_the_reports_counts(
    tmp_path: Path, people_form: Path, bambari_form: ReportForm, layout: str
) -> None:
    rows, people = source(12)
    build = kobo_people_xlsx if layout.endswith("xlsx") else central_people_zip
    export = build(tmp_path / layout, rows, people)
    result, mapping = do_import_kobo(bambari_form, people_form, export)
    assert result.added == 12
    assert mapping.people["repeat"] == PEOPLE_REPEAT
    assert mapping.people["sex"] == f"{PEOPLE_REPEAT}/sexe"
    assert mapping.people["age"] == f"{PEOPLE_REPEAT}/age"
    assert mapping.people["sex_values"] == {"f": "female", "m": "male", "nsp": "unknown"}
    assert not {"women", "men"} & set(mapping.fields)
    assert stored_counts() == expected(rows, people)
    assert sum(sum(c.values()) for c in stored_counts().values()) == sum(map(len, people))


def test_a_long_repeat_name_is_found_in_its_31_character_sheet(
    tmp_path: Path, bambari_form: ReportForm
) -> None:
    """Excel sheet names hold 31 characters: KoBo writes the first 28 and '...' (formpack)."""
    long_name = "personnes_touchees_par_cet_incident"
    survey = [(t, long_name if n == "personne" else n, en, fr) for t, n, en, fr in PEOPLE_SURVEY]
    xlsform = write_xlsform(tmp_path / "long.xlsx", survey, PEOPLE_CHOICES)
    rows, people = source(4)
    repeat = f"personnes/{long_name}"
    export = kobo_people_xlsx(tmp_path / "k.xlsx", rows, people, repeat)
    assert "personnes_touchees_par_cet_i..." in openpyxl.load_workbook(export).sheetnames
    result, mapping = do_import_kobo(bambari_form, xlsform, export)
    assert mapping.people["repeat"] == repeat
    assert result.added == 4 and stored_counts() == expected(rows, people)


def test_replay_and_grown_export_add_only_new_submissions_with_their_people(
    tmp_path: Path, people_form: Path, bambari_form: ReportForm
) -> None:
    rows, people = source(10, seed=3)
    first = kobo_people_xlsx(tmp_path / "first.xlsx", rows[:6], people[:6])
    do_import_kobo(bambari_form, people_form, first)
    again, _mapping = do_import_kobo(bambari_form, None, first)
    assert (again.added, again.already_known) == (0, 6)
    assert Report.objects.count() == 6
    # The same six from ODK Central, plus four more, their entries in the repeat file.
    grown = central_people_zip(tmp_path / "grown.zip", rows, people)
    result, _mapping = do_import_kobo(bambari_form, None, grown)
    assert (result.added, result.already_known) == (4, 6)
    assert stored_counts() == expected(rows, people)


def test_an_entry_whose_submission_is_missing_is_named_and_nothing_is_stored(
    tmp_path: Path, people_form: Path, bambari_form: ReportForm
) -> None:
    rows, people = source(5, seed=1)
    people[2] = [{"sexe": "f", "age": "30"}]
    export = kobo_people_xlsx(tmp_path / "k.xlsx", rows, people)
    book = openpyxl.load_workbook(export)
    book["personne"].cell(2 + sum(map(len, people[:2])), 5, 99)  # its _parent_index: no row 99
    book.save(export)
    before = stored_rows()
    with pytest.raises(ImportRejected) as caught:
        do_import_kobo(bambari_form, people_form, export)
    problem = caught.value.problems[0]
    row = 2 + sum(map(len, people[:2]))
    assert (problem.file, problem.row, problem.column) == (
        "k.xlsx, sheet personne",
        row,
        "_parent_index",
    )
    assert "parent is not in the export" in problem.reason
    assert stored_rows() == before
    with translation.override("fr"), pytest.raises(ImportRejected) as french:
        do_import_kobo(bambari_form, people_form, export)
    assert "feuille personne" in french.value.problems[0].file
    assert "n'est pas dans l'export" in french.value.problems[0].reason
    assert stored_rows() == before


def test_a_central_entry_whose_parent_key_is_unknown_is_named(
    tmp_path: Path, people_form: Path, bambari_form: ReportForm
) -> None:
    rows, people = source(3)
    people[0] = [{"sexe": "m", "age": "40"}]
    export = central_people_zip(tmp_path / "c.zip", rows, people)
    with zipfile.ZipFile(export) as archive:
        files = {n: archive.read(n).decode() for n in archive.namelist()}
    name = f"{FORM_ID}-personne.csv"
    files[name] = files[name].replace(rows[0]["meta/instanceID"] + ",", "uuid:nobody,", 1)
    with zipfile.ZipFile(export, "w") as archive:
        for member, text in files.items():
            archive.writestr(member, text)
    before = stored_rows()
    with pytest.raises(ImportRejected) as caught:
        do_import_kobo(bambari_form, people_form, export)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == (f"c.zip, file {name}", 2, "PARENT_KEY")
    assert "uuid:nobody" in problem.reason
    assert stored_rows() == before


@pytest.mark.parametrize("layout", ["kobo.xlsx", "central.zip", "kobo.csv"])
def test_a_missing_repeat_sheet_or_file_is_refused_naming_it(
    tmp_path: Path, people_form: Path, bambari_form: ReportForm, layout: str
) -> None:
    rows, people = source(4)
    path = tmp_path / layout
    if layout.endswith("xlsx"):
        kobo_people_xlsx(path, rows, people)
        book = openpyxl.load_workbook(path)
        del book["personne"]
        book.save(path)
        where = "personne"
    elif layout.endswith("zip"):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(f"{FORM_ID}.csv", csv_text(central_table(rows)))
        where = f"{FORM_ID}-personne.csv"
    else:
        write_table(path, kobo_table(rows))
        where = "XLSX"
    before = stored_rows()
    with pytest.raises(ImportRejected) as caught:
        do_import_kobo(bambari_form, people_form, path)
    problem = caught.value.problems[0]
    assert problem.file == layout and where in problem.reason and PEOPLE_REPEAT in problem.reason
    assert stored_rows() == before


def test_a_repeat_column_not_of_the_form_is_refused(
    tmp_path: Path, people_form: Path, bambari_form: ReportForm
) -> None:
    rows, people = source(3)
    export = kobo_people_xlsx(tmp_path / "k.xlsx", rows, people)
    book = openpyxl.load_workbook(export)
    book["personne"].cell(1, 9, "personnes/personne/taille")
    book.save(export)
    with pytest.raises(ImportRejected) as caught:
        do_import_kobo(bambari_form, people_form, export)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == (
        "k.xlsx, sheet personne",
        1,
        "personnes/personne/taille",
    )
    assert "not a question of the repeat group personnes/personne" in problem.reason
    assert not Report.objects.exists()


def test_a_bad_age_or_unmapped_sex_names_the_entry(
    tmp_path: Path, people_form: Path, bambari_form: ReportForm
) -> None:
    rows, people = source(3)
    people[1] = [{"sexe": "f", "age": "30"}, {"sexe": "f", "age": "30"}]
    people[1][1]["age"] = "230"
    export = central_people_zip(tmp_path / "c.zip", rows, people)
    with pytest.raises(ImportRejected) as caught:
        do_import_kobo(bambari_form, people_form, export)
    problem = caught.value.problems[0]
    row = 2 + len(people[0]) + 1
    assert (problem.row, problem.column) == (row, f"{PEOPLE_REPEAT}/age")
    assert problem.file == f"c.zip, file {FORM_ID}-personne.csv"
    assert "between 0 and 130" in problem.reason
    people[1][1] = {"sexe": "x", "age": "3"}
    export = central_people_zip(tmp_path / "c.zip", rows, people)
    with pytest.raises(ImportRejected) as caught:
        do_import_kobo(bambari_form, people_form, export)
    assert (caught.value.problems[0].row, caught.value.problems[0].column) == (
        row,
        f"{PEOPLE_REPEAT}/sexe",
    )
    assert not Report.objects.exists()


def test_counts_come_from_the_repeat_or_from_count_questions_not_both(
    tmp_path: Path, people_form: Path, bambari_form: ReportForm, cast: dict[str, User]
) -> None:
    rows, people = source(2)
    do_import_kobo(bambari_form, people_form, kobo_people_xlsx(tmp_path / "k.xlsx", rows, people))
    mapping = FormMapping.objects.get()
    fields = {**mapping.fields, "women": "recit"}
    with pytest.raises(ImportRejected) as caught:
        do_save_mapping(mapping, fields, mapping.values, cast["grace"])
    assert caught.value.problems[0].column == "women"
    with pytest.raises(ImportRejected) as caught:
        do_save_mapping(
            mapping, mapping.fields, mapping.values, None, {**mapping.people, "age": "recit"}
        )
    assert caught.value.problems[0].column == "people/age"
    do_save_mapping(mapping, mapping.fields, mapping.values, cast["grace"], {})
    assert FormMapping.objects.get().people == {}


def nested_files(
    tmp_path: Path, rows: list[dict[str, str]], households: list[list[list[dict[str, str]]]]
) -> tuple[Path, Path]:
    """KoBo's XLSX and Central's ZIP of the nested form: households, then their members."""
    book = openpyxl.Workbook()
    main = book.active
    assert main is not None
    main.title = FORM_ID
    for record in kobo_table(rows):
        main.append(record)
    outer, inner = book.create_sheet("menage"), book.create_sheet("membre_touche")
    outer.append(["menage/chef", "_index", "_parent_table_name", "_parent_index"])
    inner.append(["menage/membre_touche/sexe", "menage/membre_touche/tranche_age", "_index"])
    inner.cell(1, 4, "_parent_table_name")
    inner.cell(1, 5, "_parent_index")
    central_outer = [["chef", "PARENT_KEY", "KEY", "SET-OF-membre_touche"]]
    central_inner = [["sexe", "tranche_age", "PARENT_KEY", "KEY"]]
    h = m = 0
    for parent, (row, homes) in enumerate(zip(rows, households, strict=True), start=1):
        for k, members in enumerate(homes, start=1):
            h += 1
            outer.append([f"SYNTHETIC head {h}", h, FORM_ID, parent])
            home_key = f"{row['meta/instanceID']}/menage[{k}]"
            central_outer.append(
                ["x", row["meta/instanceID"], home_key, f"{home_key}/membre_touche"]
            )
            for j, member in enumerate(members, start=1):
                m += 1
                inner.append([member["sexe"], member["age"], m, "menage", h])
                central_inner.append(
                    [member["sexe"], member["age"], home_key, f"{home_key}/membre_touche[{j}]"]
                )
    book.save(tmp_path / "nested.xlsx")
    with zipfile.ZipFile(tmp_path / "nested.zip", "w") as archive:
        archive.writestr(f"{FORM_ID}.csv", csv_text(central_table(rows)))
        archive.writestr(f"{FORM_ID}-menage.csv", csv_text(central_outer))
        archive.writestr(f"{FORM_ID}-membre_touche.csv", csv_text(central_inner))
    return tmp_path / "nested.xlsx", tmp_path / "nested.zip"


def test_nested_repeats_count_every_member_of_every_household(
    tmp_path: Path, bambari_form: ReportForm, db: None
) -> None:
    xlsform = write_xlsform(tmp_path / "nested_form.xlsx", NESTED_SURVEY, NESTED_CHOICES)
    rows = [people_submission(i, 9) for i in range(6)]
    groups = ["0_17", "18_59", "60_plus", "nsp", ""]
    households = [
        [
            [{"sexe": "fmf"[(i + k + j) % 3], "age": groups[(i + j) % 5]} for j in range(k + i % 2)]
            for k in range(i % 3 + 1)
        ]
        for i in range(6)
    ]
    as_ages = {"0_17": "5", "18_59": "30", "60_plus": "70", "nsp": "", "": ""}
    expected_by_key = {
        row["_uuid"]: expected_counts(
            [{"sexe": m["sexe"], "age": as_ages[m["age"]]} for home in homes for m in home]
        )
        for row, homes in zip(rows, households, strict=True)
    }
    kobo, central = nested_files(tmp_path, rows, households)
    result, mapping = do_import_kobo(bambari_form, xlsform, kobo)
    assert mapping.people["repeat"] == "menage/membre_touche"
    assert mapping.people["age_values"] == {
        "0_17": "child",
        "18_59": "adult",
        "60_plus": "adult",
        "nsp": "unknown",
    }
    assert result.added == 6 and stored_counts() == expected_by_key
    Report.objects.all().delete()
    result, _mapping = do_import_kobo(bambari_form, None, central)
    assert result.added == 6 and stored_counts() == expected_by_key


def test_the_pages_take_a_central_zip_and_save_the_people_mapping(
    client: Client, tmp_path: Path, cast: dict[str, User], people_form: Path
) -> None:
    client.force_login(cast["grace"])
    rows, people = source(5)
    export = central_people_zip(tmp_path / "central.zip", rows, people)
    with people_form.open("rb") as x, export.open("rb") as e:
        page = client.post(
            "/voices/kobo/",
            {"organization": "femmes-bambari", "form": "kobo", "xlsform": x, "export": e},
        ).content.decode()
    assert "5 new reports" in page
    assert stored_counts() == expected(rows, people)
    mapping = FormMapping.objects.get()
    url = f"/voices/kobo/{mapping.pk}/"
    page = client.get(url).content.decode()
    assert 'name="people_repeat"' in page and f"{PEOPLE_REPEAT}/sexe" in page
    post = {f"field_{f}": p for f, p in mapping.fields.items()}
    for report_field, choices in mapping.values.items():
        post.update({f"value_{report_field}_{c}": v for c, v in choices.items()})
    post.update(
        {
            "action": "mapping",
            "people_repeat": PEOPLE_REPEAT,
            "people_sex": f"{PEOPLE_REPEAT}/sexe",
            "people_age": f"{PEOPLE_REPEAT}/age",
            "people_sex_value_f": "female",
            "people_sex_value_m": "male",
            "people_sex_value_nsp": "female",  # the analyst's call, kept as said
        }
    )
    assert "Mapping saved" in client.post(url, post).content.decode()
    assert FormMapping.objects.get().people["sex_values"]["nsp"] == "female"
    more_rows, more_people = source(8)
    grown = kobo_people_xlsx(tmp_path / "grown.xlsx", more_rows, more_people)
    with grown.open("rb") as e:
        page = client.post(url, {"export": e}).content.decode()
    assert "3 new reports" in page and Report.objects.count() == 8


def test_cli_imports_a_central_zip_then_nothing_new(
    tmp_path: Path, cast: dict[str, User], people_form: Path
) -> None:
    rows, people = source(4)
    export = central_people_zip(tmp_path / "central.zip", rows, people)
    args = ["voices", "import-kobo", "femmes-bambari", "kobo", str(people_form), str(export)]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0 and "added 4 reports" in first.output, first.output
    assert stored_counts() == expected(rows, people)
    again = CliRunner().invoke(cli, args)
    assert "added 0 reports, 4 already stored" in again.output
    with zipfile.ZipFile(export, "w") as archive:
        archive.writestr(f"{FORM_ID}.csv", csv_text(central_table(rows)))
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code != 0 and "central.zip: no " in refused.output
    assert Report.objects.count() == 4
