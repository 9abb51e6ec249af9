"""Encrypted ODK submissions whose form lists the affected people in a repeat group.

The submissions are SYNTHETIC (no real person's answers): the XML is the one ODK Collect writes
for the XLSForm (a repeat's entries are the repeated element, an inner repeat inside each entry
of its enclosing one), encrypted in code as ODK Collect encrypts it (``test_odk.collect_encrypt``:
real RSA-OAEP and AES-CFB, no mock), then decrypted and imported through the form's mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import translation

from commonground.cli.main import cli
from commonground.core.importing import ImportRejected
from commonground.sharing.models import AuditEvent
from commonground.voices import odk
from commonground.voices.kobo import do_set_xlsform, import_submission_rows
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
    expected_counts,
    people_submission,
    write_xlsform,
)
from commonground.voices.tests.test_odk import collect_encrypt
from commonground.voices.xlsform import read_export, read_xlsform

COUNTS = ("women", "men", "girls", "boys", "unknown")
COMMAND = ["voices", "import-odk-encrypted", "femmes-bambari", "signaler"]
#: An entry: the element name of each of its answers (``{"sexe": "f", "age": "30"}``), or a
#: nested repeat's entries under their repeat's name (``{"chef": "x", "membre_touche": [...]}``).
Entry = Mapping[str, object]


def instance_xml(row: dict[str, str], repeats: dict[str, list[Entry]]) -> bytes:
    """A submission's XML as ODK Collect writes it: groups as elements, each repeat entry one
    more element at the repeat's path (``repeats``: repeat path to its entries)."""
    root = ElementTree.Element("data", {"id": FORM_ID, "version": "2024061201"})

    def at(path: list[str]) -> ElementTree.Element:
        element = root
        for name in path:
            found = element.find(name)
            element = found if found is not None else ElementTree.SubElement(element, name)
        return element

    def add(parent: ElementTree.Element, name: str, entry: Entry) -> None:
        element = ElementTree.SubElement(parent, name)
        for key, value in entry.items():
            if isinstance(value, list):
                for inner in value:
                    add(element, key, inner)
            else:
                ElementTree.SubElement(element, key).text = str(value)

    for path, value in row.items():
        if path.startswith("_") or path.startswith("meta/"):
            continue
        *groups, name = path.split("/")
        ElementTree.SubElement(at(groups), name).text = value
    for path, entries in repeats.items():
        *groups, name = path.split("/")
        parent = at(groups)
        for entry in entries:
            add(parent, name, entry)
    ElementTree.SubElement(at(["meta"]), "instanceID").text = row["meta/instanceID"]
    xml: bytes = ElementTree.tostring(root, encoding="utf-8")
    return xml


def write_encrypted(
    folder: Path, public: rsa.RSAPublicKey, rows: list[dict[str, str]], xmls: list[bytes]
) -> Path:
    """One Briefcase instance folder per submission (manifest and ``submission.xml.enc``)."""
    for row, xml in zip(rows, xmls, strict=True):
        files = collect_encrypt(public, FORM_ID, row["meta/instanceID"], xml, version="2024061201")
        instance = folder / row["_uuid"]
        instance.mkdir(parents=True)
        for name, data in files.items():
            (instance / name).write_bytes(data)
    return folder


def people_batch(
    folder: Path, public: rsa.RSAPublicKey, n: int, seed: int = 0
) -> tuple[Path, list[dict[str, str]], list[list[dict[str, str]]]]:
    rows = [people_submission(i, seed) for i in range(n)]
    people = [affected(i, seed) for i in range(n)]
    xmls = [
        instance_xml(row, {PEOPLE_REPEAT: list(persons)})
        for row, persons in zip(rows, people, strict=True)
    ]
    return write_encrypted(folder, public, rows, xmls), rows, people


@pytest.fixture
def public(cast: dict[str, object], key_home: Path) -> rsa.RSAPublicKey:
    """femmes-bambari's ODK key, made by the command; its public half encrypts the batches."""
    CliRunner().invoke(cli, ["voices", "odk-keygen", "femmes-bambari"])
    path = key_home / "keys" / "femmes-bambari.odk.pem"
    return odk.load_private_key(path.read_bytes(), str(path)).public_key()


def private_key(key_home: Path) -> rsa.RSAPrivateKey:
    path = key_home / "keys" / "femmes-bambari.odk.pem"
    return odk.load_private_key(path.read_bytes(), str(path))


@pytest.fixture
def people_mapping(tmp_path: Path, bambari_form: ReportForm) -> FormMapping:
    xlsform = read_xlsform(
        write_xlsform(tmp_path / "personnes.xlsx", PEOPLE_SURVEY, PEOPLE_CHOICES)
    )
    mapping, _new = do_set_xlsform(bambari_form, xlsform)
    assert mapping.people["repeat"] == PEOPLE_REPEAT  # suggested by name, as for exports
    return mapping


def stored_counts() -> dict[str, dict[str, int]]:
    return {
        r.client_key: {f: getattr(r, f) for f in COUNTS}
        for r in Report.objects.filter(channel=Channel.KOBO)
    }


def stored_rows() -> tuple[int, int, int]:
    return Report.objects.count(), FormMapping.objects.count(), AuditEvent.objects.count()


def test_people_of_encrypted_submissions_become_the_reports_counts_once(
    tmp_path: Path, public: rsa.RSAPublicKey, people_mapping: FormMapping
) -> None:
    folder, rows, people = people_batch(tmp_path / "instances", public, 10)
    assert any(not persons for persons in people) and sum(map(len, people)) > 10
    first = CliRunner().invoke(cli, [*COMMAND, str(folder)])
    assert first.exit_code == 0, first.output
    assert "Decrypted 10 submissions" in first.output and "added 10 reports" in first.output
    assert stored_counts() == {
        row["_uuid"]: expected_counts(persons) for row, persons in zip(rows, people, strict=True)
    }
    assert sum(sum(c.values()) for c in stored_counts().values()) == sum(map(len, people))
    # The same batch again adds nothing: no report, no count changed.
    before, counts = stored_rows(), stored_counts()
    again = CliRunner().invoke(cli, [*COMMAND, str(folder)])
    assert again.exit_code == 0, again.output
    assert "added 0 reports, 10 already stored" in again.output
    assert stored_counts() == counts and stored_rows()[0] == before[0]


def test_entries_have_the_shape_the_central_reader_gives(
    tmp_path: Path, public: rsa.RSAPublicKey, people_mapping: FormMapping, key_home: Path
) -> None:
    """The decrypted entries and ODK Central's ZIP entries of the same submissions are the same
    values, keyed alike, in the same order: one counting code reads both."""
    folder, rows, people = people_batch(tmp_path / "instances", public, 6, seed=4)
    decrypted = odk.read_encrypted_for_form(
        folder, private_key(key_home), people_mapping.report_form
    )
    form = read_xlsform(tmp_path / "personnes.xlsx")
    central = read_export(
        central_people_zip(tmp_path / "c.zip", rows, people), form, repeats=[PEOPLE_REPEAT]
    )
    order = [r["meta/instanceID"] for r in decrypted.rows]
    keys = [r["meta/instanceID"] for r in central.rows]
    by_key = dict(zip(keys, central.entries[PEOPLE_REPEAT], strict=True))
    assert [[e.values for e in by_key[k]] for k in order] == [
        [e.values for e in entries] for entries in decrypted.entries[PEOPLE_REPEAT]
    ]
    entry = next(e for entries in decrypted.entries[PEOPLE_REPEAT] for e in entries)
    assert entry.number is None and "element personnes/personne[1]" in entry.where


def test_nested_repeats_count_every_member_of_every_household(
    tmp_path: Path, public: rsa.RSAPublicKey, bambari_form: ReportForm
) -> None:
    xlsform = read_xlsform(write_xlsform(tmp_path / "nested.xlsx", NESTED_SURVEY, NESTED_CHOICES))
    mapping, _new = do_set_xlsform(bambari_form, xlsform)
    assert mapping.people["repeat"] == "menage/membre_touche"
    rows = [people_submission(i, 9) for i in range(6)]
    groups = ["0_17", "18_59", "60_plus", "nsp", ""]
    as_ages = {"0_17": "5", "18_59": "30", "60_plus": "70", "nsp": "", "": ""}
    households = [
        [
            [{"sexe": "fmf"[(i + k + j) % 3], "age": groups[(i + j) % 5]} for j in range(k + i % 2)]
            for k in range(i % 3 + 1)
        ]
        for i in range(6)
    ]
    xmls = [
        instance_xml(
            row,
            {
                "menage": [
                    {
                        "chef": f"SYNTHETIC head {k}",
                        "membre_touche": [
                            {"sexe": m["sexe"], "tranche_age": m["age"]} for m in members
                        ],
                    }
                    for k, members in enumerate(homes)
                ]
            },
        )
        for row, homes in zip(rows, households, strict=True)
    ]
    folder = write_encrypted(tmp_path / "instances", public, rows, xmls)
    result = CliRunner().invoke(cli, [*COMMAND, str(folder)])
    assert result.exit_code == 0, result.output
    assert "added 6 reports" in result.output
    assert stored_counts() == {
        row["_uuid"]: expected_counts(
            [{"sexe": m["sexe"], "age": as_ages[m["age"]]} for home in homes for m in home]
        )
        for row, homes in zip(rows, households, strict=True)
    }
    assert sum(sum(c.values()) for c in stored_counts().values()) == sum(
        len(members) for homes in households for members in homes
    )
    # A new batch whose second household's first member has an age group the mapping lacks:
    # refused, naming that inner entry through its household; nothing more stored.
    more = [people_submission(i, 10) for i in range(2)]
    girl: Entry = {"chef": "SYNTHETIC", "membre_touche": [{"sexe": "f", "tranche_age": "0_17"}]}
    unmapped: Entry = {
        "chef": "SYNTHETIC",
        "membre_touche": [{"sexe": "m", "tranche_age": "25_40"}],
    }
    homes = [[girl], [girl, unmapped]]
    folder = write_encrypted(
        tmp_path / "more",
        public,
        more,
        [instance_xml(r, {"menage": h}) for r, h in zip(more, homes, strict=True)],
    )
    before = stored_rows()
    refused = CliRunner().invoke(cli, [*COMMAND, str(folder)])
    assert refused.exit_code != 0, refused.output
    assert f"({more[1]['meta/instanceID']}), element menage[2]/membre_touche[1]" in refused.output
    assert "column 'menage/membre_touche/tranche_age'" in refused.output
    assert "'25_40' has no age group" in refused.output
    assert stored_rows() == before


def test_a_bad_age_names_the_submission_and_the_element_and_nothing_is_stored(
    tmp_path: Path, public: rsa.RSAPublicKey, people_mapping: FormMapping, key_home: Path
) -> None:
    rows = [people_submission(i, 2) for i in range(4)]
    people = [[{"sexe": "f", "age": "30"}] for _row in rows]
    people[2] = [{"sexe": "m", "age": "8"}, {"sexe": "f", "age": "230"}]
    xmls = [instance_xml(r, {PEOPLE_REPEAT: list(p)}) for r, p in zip(rows, people, strict=True)]
    folder = write_encrypted(tmp_path / "instances", public, rows, xmls)
    before = stored_rows()
    refused = CliRunner().invoke(cli, [*COMMAND, str(folder)])
    assert refused.exit_code != 0 and "nothing imported" in refused.output
    bad = rows[2]
    assert f"{bad['_uuid']}/submission.xml" in refused.output  # the submission's folder
    assert bad["meta/instanceID"] in refused.output
    assert "element personnes/personne[2]" in refused.output
    assert f"column '{PEOPLE_REPEAT}/age'" in refused.output
    assert "between 0 and 130: '230'" in refused.output
    assert stored_rows() == before
    # The same, read in French: the element and the reason are said in French.
    form = people_mapping.report_form
    with translation.override("fr"), pytest.raises(ImportRejected) as french:
        export = odk.read_encrypted_for_form(folder, private_key(key_home), form)
        import_submission_rows(form, export.rows, folder.name, entries=export.entries)
    problem = french.value.problems[0]
    assert "élément personnes/personne[2]" in problem.file and bad["_uuid"] in problem.file
    assert (problem.row, problem.column) == (None, f"{PEOPLE_REPEAT}/age")
    assert "ce n'est pas un âge en années entre 0 et 130" in problem.reason
    assert stored_rows() == before


def test_an_answer_that_is_no_question_of_the_repeat_is_refused_in_both_languages(
    tmp_path: Path, public: rsa.RSAPublicKey, people_mapping: FormMapping
) -> None:
    rows = [people_submission(i, 5) for i in range(3)]
    people: list[list[Entry]] = [[{"sexe": "f", "age": "30"}] for _row in rows]
    people[1] = [{"sexe": "f", "age": "30"}, {"sexe": "m", "age_ans": "41"}]  # a renamed question
    xmls = [instance_xml(r, {PEOPLE_REPEAT: p}) for r, p in zip(rows, people, strict=True)]
    folder = write_encrypted(tmp_path / "instances", public, rows, xmls)
    before = stored_rows()
    refused = CliRunner().invoke(cli, [*COMMAND, str(folder)])
    assert refused.exit_code != 0
    assert rows[1]["meta/instanceID"] in refused.output
    assert "element personnes/personne[2]/age_ans" in refused.output
    assert "not a question of the repeat group personnes/personne" in refused.output
    assert "pas une question du groupe répété personnes/personne" in refused.output
    assert stored_rows() == before


def test_a_form_without_a_people_repeat_reads_no_entries(
    tmp_path: Path, public: rsa.RSAPublicKey, people_mapping: FormMapping, key_home: Path
) -> None:
    """Unmapping the repeat: the batch goes in as before, counts left empty (no count question)."""
    people_mapping.people = {}
    people_mapping.save()
    folder, _rows, _people = people_batch(tmp_path / "instances", public, 3)
    export = odk.read_encrypted_for_form(folder, private_key(key_home), people_mapping.report_form)
    assert export.entries == {} and len(export.rows) == 3
    result = CliRunner().invoke(cli, [*COMMAND, str(folder)])
    assert result.exit_code == 0 and "added 3 reports" in result.output, result.output
