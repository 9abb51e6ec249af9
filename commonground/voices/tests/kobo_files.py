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
