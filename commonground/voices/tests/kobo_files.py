"""SYNTHETIC KoBoToolbox and ODK Central files, made in code after the documented layouts.

- The XLSForm: the XLSForm standard (https://xlsform.org): sheets ``survey`` (type, name,
  label::language), ``choices`` (list_name, name, label) and ``settings`` (form_id, version).
- KoBoToolbox exports: https://support.kobotoolbox.org/export_download.html (group separator
  ``/``, ``meta/instanceID``, ``_id``, ``_uuid``, ``_submission_time``, ``_index``,
  ``__version__``; select_multiple as one column and/or ``question/option`` columns of 1/0).
- ODK Central exports: https://docs.getodk.org/central-submissions/ and the column format of
  getodk/briefcase ``docs/export-format.md`` (``SubmissionDate``, groups joined by ``-``,
  ``meta-instanceID``, ``KEY``, ``SubmitterID`` ... ``FormVersion``; split select_multiple
  columns ``question/option`` of 1/0).

No real person's submission: every text says SYNTHETIC.
"""

from __future__ import annotations

import csv
import io
import random
import uuid
import zipfile
from pathlib import Path
from typing import Any

import openpyxl  # type: ignore[import-untyped]

from commonground.voices.demo_kobo import CHOICES as CHOICES
from commonground.voices.demo_kobo import FORM_ID as FORM_ID
from commonground.voices.demo_kobo import SURVEY as SURVEY
from commonground.voices.demo_kobo import write_xlsform as write_xlsform


def submission(n: int, seed: int = 0) -> dict[str, str]:
    """One SYNTHETIC submission, keyed by question path (the KoBo 'XML values' headers)."""
    rng = random.Random(seed * 100_003 + n)  # synthetic test values
    instance = str(uuid.UUID(int=rng.getrandbits(128)))
    victims = rng.choice(["femmes", "enfants", "femmes enfants", ""])
    return {
        "start": "2024-05-01T08:00:00.000+01:00",
        "end": "2024-05-01T08:10:00.000+01:00",
        "incident/categorie": rng.choice(["pillage", "menace", "retour"]),
        "incident/date_incident": f"2024-0{rng.randint(1, 5)}-{rng.randint(10, 28)}",
        "incident/commune": rng.choice(["bambari", "ailleurs"]),
        "incident/lieu_precis": f"SYNTHETIC place {n}",
        "incident/gps": f"5.{rng.randint(70, 79)} 20.{rng.randint(60, 69)} 0 5",
        "incident/victimes": victims,
        "personnes/femmes": str(rng.randint(0, 5)),
        "personnes/hommes": str(rng.randint(0, 5)),
        "recit": f"SYNTHETIC account number {n}, invented.",
        "consent_count": "oui",
        "consent_contact": rng.choice(["oui", "non"]),
        "contact": f"+236 00 00 {n:04d}",
        "meta/instanceID": f"uuid:{instance}",
        "_uuid": instance,
        "_submission_time": "2024-06-01T10:00:00",
    }


MULTIPLE = ("incident/victimes", ("femmes", "enfants"))


def kobo_table(rows: list[dict[str, str]], split: bool = True) -> list[list[str]]:
    """KoBo's layout: questions with ``/`` groups, the select_multiple as one column then (with
    "both") one column per option of 1/0, then meta/instanceID and the ``_`` system columns."""
    questions = [k for k in rows[0] if not k.startswith("_") and k != "meta/instanceID"]
    header: list[str] = []
    for name in questions:
        header.append(name)
        if split and name == MULTIPLE[0]:
            header.extend(f"{name}/{option}" for option in MULTIPLE[1])
    header += ["meta/instanceID", "_id", "_uuid", "_submission_time", "_validation_status"]
    header += ["_notes", "_status", "_submitted_by", "__version__", "_tags", "_index"]
    table = [header]
    for index, row in enumerate(rows, start=1):
        values = dict(row)
        for option in MULTIPLE[1]:
            values[f"{MULTIPLE[0]}/{option}"] = "1" if option in row[MULTIPLE[0]].split() else "0"
        values.update(
            {"_id": str(1000 + index), "_validation_status": "", "_notes": "", "_tags": ""}
        )
        values.update({"_status": "submitted_via_web", "_submitted_by": "", "_index": str(index)})
        values["__version__"] = "vSyntheticVersion"
        table.append([values.get(column, "") for column in header])
    return table


def central_table(rows: list[dict[str, str]]) -> list[list[str]]:
    """ODK Central's layout: SubmissionDate, groups joined by ``-``, split select_multiple
    columns ``question/option`` of 1/0 (no single column), meta-instanceID, KEY, then its own."""
    questions = [k for k in rows[0] if not k.startswith("_") and k != "meta/instanceID"]
    header = ["SubmissionDate"]
    for name in questions:
        if name == MULTIPLE[0]:
            header.extend(f"{name.replace('/', '-')}/{option}" for option in MULTIPLE[1])
        else:
            header.append(name.replace("/", "-"))
    tail = ["meta-instanceID", "KEY", "SubmitterID", "SubmitterName", "AttachmentsPresent"]
    tail += ["AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"]
    header += tail
    table = [header]
    for row in rows:
        values: dict[str, Any] = {k.replace("/", "-"): v for k, v in row.items()}
        for option in MULTIPLE[1]:
            chosen = option in row[MULTIPLE[0]].split()
            values[f"{MULTIPLE[0].replace('/', '-')}/{option}"] = "1" if chosen else "0"
        values.update(
            {
                "SubmissionDate": "2024-06-01T10:00:00.000Z",
                "KEY": row["meta/instanceID"],
                "SubmitterID": "5",
                "SubmitterName": "enumerator",
                "AttachmentsPresent": "0",
                "AttachmentsExpected": "0",
                "ReviewState": "",
                "DeviceID": "collect:SYNTHETIC",
                "Edits": "0",
                "FormVersion": "2024061201",
            }
        )
        table.append([str(values.get(column, "")) for column in header])
    return table


def write_table(path: Path, table: list[list[str]]) -> Path:
    """As CSV (``.csv``) or as the first sheet of a workbook (``.xlsx``)."""
    if path.suffix == ".xlsx":
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "data"
        for record in table:
            sheet.append(record)
        book.create_sheet("incident_repeat").append(["_index", "_parent_index"])
        book.save(path)
    else:
        out = io.StringIO()
        csv.writer(out).writerows(table)
        path.write_text(out.getvalue(), encoding="utf-8")
    return path


# --- Repeat groups: a form that lists the affected people, one entry per person ----------------
#
# KoBoToolbox's XLSX export: the first sheet holds the submissions (with ``_index``); each repeat
# is a sheet named after it (kobotoolbox/formpack ``reporting/export.py``, ``to_xlsx``; names cut
# to 31 characters by ``utils/string.py`` ``unique_name_for_xls``) whose columns are the repeat's
# questions (``group/repeat/question``), ``_index``, ``_parent_table_name``, ``_parent_index`` and
# the submission's copied columns ``_submission__id``, ``_submission__uuid``...
# ODK Central's ZIP (getodk/central-backend ``lib/data/briefcase.js``; getodk/briefcase
# ``docs/export-format.md``): ``<form_id>.csv`` and ``<form_id>-<repeat>.csv``, whose columns are
# the questions named from inside the repeat, then ``PARENT_KEY`` and ``KEY``
# (``uuid:.../group/repeat[1]``: plain groups by name, repeats with their 1-based position).

#: The demo form with its counts replaced by a repeat group of affected people (SYNTHETIC).
PEOPLE_SURVEY = [
    *SURVEY[:10],  # the incident group
    ("begin_group", "personnes", "People", "Personnes"),
    ("begin_repeat", "personne", "Affected person", "Personne touchée"),
    ("select_one sexe", "sexe", "Sex", "Sexe"),
    ("integer", "age", "Age in years", "Âge en années"),
    ("end_repeat", "", "", ""),
    ("end_group", "", "", ""),
    *SURVEY[14:],  # the account, consents and contact
]
PEOPLE_CHOICES = [
    *CHOICES,
    ("sexe", "f", "Female", "Féminin"),
    ("sexe", "m", "Male", "Masculin"),
    ("sexe", "nsp", "Does not know", "Ne sait pas"),
]
PEOPLE_REPEAT = "personnes/personne"
#: The same people inside a household repeat (a nested repeat), the age as an age group.
NESTED_SURVEY = [
    *SURVEY[:10],  # the incident group
    ("begin_repeat", "menage", "Household", "Ménage"),
    ("text", "chef", "Head of household", "Chef de ménage"),
    ("begin_repeat", "membre_touche", "Affected member", "Membre touché"),
    ("select_one sexe", "sexe", "Sex", "Sexe"),
    ("select_one tranche", "tranche_age", "Age group", "Tranche d'âge"),
    ("end_repeat", "", "", ""),
    ("end_repeat", "", "", ""),
    *SURVEY[14:],  # the account, consents and contact
]
NESTED_CHOICES = [
    *PEOPLE_CHOICES,
    ("tranche", "0_17", "0-17 years", "0-17 ans"),
    ("tranche", "18_59", "18-59 years", "18-59 ans"),
    ("tranche", "60_plus", "60 and over", "60 ans et plus"),
    ("tranche", "nsp", "Does not know", "Ne sait pas"),
]


def people_submission(n: int, seed: int = 0) -> dict[str, str]:
    """A SYNTHETIC submission of the people form (no count questions)."""
    row = submission(n, seed)
    del row["personnes/femmes"], row["personnes/hommes"]
    return row


def affected(n: int, seed: int = 0) -> list[dict[str, str]]:
    """The SYNTHETIC people of submission ``n``: 0 to 4, sex f/m/nsp/blank, age 0-80/blank."""
    rng = random.Random(seed * 7_919 + n)  # synthetic test values
    return [
        {
            "sexe": rng.choice(["f", "m", "m", "f", "nsp", ""]),
            "age": rng.choice([str(rng.randint(0, 80)), str(rng.randint(0, 17)), ""]),
        }
        for _person in range(rng.randint(0, 4))
    ]


def expected_counts(people: list[dict[str, str]]) -> dict[str, int]:
    """The documented rule, written out plainly: under 18 is a girl or a boy; no sex or no age
    known is unknown."""
    counts = {"women": 0, "men": 0, "girls": 0, "boys": 0, "unknown": 0}
    for person in people:
        sex, age = person["sexe"], person["age"]
        if sex not in {"f", "m"} or not age:
            counts["unknown"] += 1
        elif int(age) < 18:
            counts["girls" if sex == "f" else "boys"] += 1
        else:
            counts["women" if sex == "f" else "men"] += 1
    return counts


def kobo_people_xlsx(
    path: Path,
    rows: list[dict[str, str]],
    people: list[list[dict[str, str]]],
    repeat: str = PEOPLE_REPEAT,
) -> Path:
    """KoBo's XLSX export of the people form: submissions, then the repeat's sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = FORM_ID  # the first sheet is named after the form (formpack's root section)
    main = kobo_table(rows)
    for record in main:
        sheet.append(record)
    name = repeat.rsplit("/", 1)[-1]
    child = book.create_sheet(name[:28] + "..." if len(name) > 31 else name)
    child.append([f"{repeat}/sexe", f"{repeat}/age", "_index", "_parent_table_name"])
    child.cell(1, 5, "_parent_index")
    for column, title in enumerate(["_submission__id", "_submission__uuid"], start=6):
        child.cell(1, column, title)
    child.cell(1, 8, "_submission__submission_time")
    index = 0
    for parent, (row, persons) in enumerate(zip(rows, people, strict=True), start=1):
        for person in persons:
            index += 1
            child.append(
                [
                    person["sexe"],
                    int(person["age"]) if person["age"] else None,
                    index,
                    FORM_ID,
                    parent,
                    1000 + parent,
                    row["_uuid"],
                    row["_submission_time"],
                ]
            )
    book.save(path)
    return path


def central_people_zip(
    path: Path,
    rows: list[dict[str, str]],
    people: list[list[dict[str, str]]],
    repeat: str = PEOPLE_REPEAT,
) -> Path:
    """ODK Central's ZIP of the people form: ``<form>.csv`` and ``<form>-<repeat>.csv``."""
    name = repeat.rsplit("/", 1)[-1]
    lines = [["sexe", "age", "PARENT_KEY", "KEY"]]
    for row, persons in zip(rows, people, strict=True):
        for number, person in enumerate(persons, start=1):
            key = f"{row['meta/instanceID']}/{repeat}[{number}]"
            lines.append([person["sexe"], person["age"], row["meta/instanceID"], key])
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{FORM_ID}.csv", csv_text(central_table(rows)))
        archive.writestr(f"{FORM_ID}-{name}.csv", csv_text(lines))
        archive.writestr("media/", "")
    return path


def csv_text(table: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue()
