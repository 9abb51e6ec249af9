"""Reading an XLSForm (with ``pyxform``) and the submissions export KoBoToolbox or ODK Central
writes for it (CSV or XLSX), into rows keyed by question path (``group/question``).

The layouts read, and where they are documented:

- **KoBoToolbox** ("Exporting and downloading your data", https://support.kobotoolbox.org/
  export_download.html; the export API's options ``group_sep``, default ``/``, and
  ``multiple_select`` = ``both`` / ``summary`` / ``details``): one header per question, group
  path joined by ``/`` (``incident/category``), or the bare name when "include groups in
  headers" is off; system columns ``_id``, ``_uuid``, ``_submission_time``, ``_index``,
  ``_validation_status``, ``__version__``; ``meta/instanceID`` (``uuid:...``); a select_multiple
  as one space-separated column and/or one ``question/option`` column per choice holding ``1`` /
  ``0`` (older exports: ``True`` / ``False``). The XLSX export's first sheet holds the
  submissions, the other sheets the repeat groups (not read: a report is one submission).
- **ODK Central** (https://docs.getodk.org/central-submissions/, "Downloading Submissions as
  CSVs"; the column format is the one ODK Briefcase documents in getodk/briefcase
  ``docs/export-format.md``): ``SubmissionDate`` first, then the values with group names joined
  by ``-`` (``incident-category``, ``meta-instanceID``), then ``KEY`` (the instanceID),
  ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``,
  ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``; with "split select
  multiple choices into columns", one ``question/option`` column per choice holding ``1`` / ``0``.

Both become rows whose keys are question paths as the XLSForm names them (``group/question``,
``meta/instanceID``) and whose values are text: what :func:`kobo.import_submission_rows` takes.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from commonground.core.importing import MAX_FIELD_CHARS, ImportRejected, Problem, ProblemList

#: XLSForm types that hold no answer of their own.
NO_ANSWER_TYPES = {"group", "repeat", "note", "survey"}
#: pyxform's names for the select types.
SELECT_ONE = "select one"
SELECT_MULTIPLE = "select all that apply"
#: Columns the tools add that are not questions (ODK Central's, then KoBo's).
SYSTEM_COLUMNS = {
    "SubmissionDate",
    "KEY",
    "SubmitterID",
    "SubmitterName",
    "AttachmentsPresent",
    "AttachmentsExpected",
    "Status",
    "ReviewState",
    "DeviceID",
    "Edits",
    "FormVersion",
    "isValidated",
    "instanceID",
}
#: Where the submission's own id is, in the order it is looked for.
KEY_COLUMNS = ("meta/instanceID", "KEY", "_uuid")
TRUE_WORDS = {"1", "true", "yes", "oui", "y", "o"}
FALSE_WORDS = {"0", "false", "no", "non", "n", ""}


@dataclass(frozen=True)
class Question:
    """One question of the form: its path (``group/name``), type, label and choices."""

    path: str
    name: str
    type: str
    label: str
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "name": self.name,
            "type": self.type,
            "label": self.label,
            "choices": list(self.choices),
            "choice_labels": list(self.choice_labels),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        return cls(
            path=data["path"],
            name=data["name"],
            type=data["type"],
            label=data.get("label", ""),
            choices=tuple(data.get("choices", ())),
            choice_labels=tuple(data.get("choice_labels", ())),
        )


@dataclass
class XLSForm:
    """What an XLSForm says about its answers."""

    form_id: str
    version: str
    title: str
    questions: list[Question]
    sha256: str = ""

    def by_path(self) -> dict[str, Question]:
        return {q.path: q for q in self.questions}


def first_label(label: Any) -> str:
    """A label is text or ``{language: text}``; the first language's text is enough here."""
    if isinstance(label, dict):
        return str(next(iter(label.values()), ""))
    return str(label or "")


def walk(children: Iterable[dict[str, Any]], prefix: str) -> Iterable[Question]:
    for child in children:
        kind = str(child.get("type", ""))
        path = f"{prefix}{child.get('name', '')}"
        if kind in {"group", "repeat"}:
            if kind == "group":  # a repeat's answers are in other sheets: not one submission
                yield from walk(child.get("children", []), path + "/")
            continue
        if kind in NO_ANSWER_TYPES:
            continue
        choices = child.get("choices", []) or []
        yield Question(
            path=path,
            name=str(child.get("name", "")),
            type=kind,
            label=first_label(child.get("label", "")),
            choices=tuple(str(c.get("name", "")) for c in choices),
            choice_labels=tuple(first_label(c.get("label", "")) for c in choices),
        )


def read_xlsform(path: Path, name: str | None = None) -> XLSForm:
    """Read an XLSForm with pyxform; a malformed one is :class:`ImportRejected`, saying why."""
    from pyxform.xls2json import parse_file_to_json  # type: ignore[import-untyped]

    shown = name or path.name
    if not path.exists():
        raise ImportRejected([Problem(shown, None, None, _("no such file"))])
    if path.suffix.lower() not in {".xlsx", ".xls", ".csv", ".md"}:
        reason = _("an XLSForm is an .xlsx (or .xls) workbook with a 'survey' sheet")
        raise ImportRejected([Problem(shown, None, None, reason)])
    try:
        tree = parse_file_to_json(str(path))
    except Exception as exc:  # pyxform raises many kinds for a bad workbook
        reason = _("this is not a valid XLSForm: {error}").format(
            error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        )
        raise ImportRejected([Problem(shown, None, None, reason)]) from exc
    questions = list(walk(tree.get("children", []), ""))
    if not [q for q in questions if not q.path.startswith("meta/")]:
        raise ImportRejected([Problem(shown, None, None, _("the XLSForm has no questions"))])
    return XLSForm(
        form_id=str(tree.get("id_string") or tree.get("name") or ""),
        version=str(tree.get("version") or ""),
        title=str(tree.get("title") or ""),
        questions=questions,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )


# --- The submissions export --------------------------------------------------------------------


@dataclass
class ExportRows:
    """An export read into rows keyed by question path; ``rows[i]`` is spreadsheet row ``i + 2``."""

    name: str
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)


def cell_text(value: Any) -> str:
    """A workbook cell as the text the CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def read_table(path: Path, shown: str) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a CSV or of an XLSX's first sheet, as text."""
    data = path.read_bytes()
    if data.startswith(b"PK\x03\x04"):
        return read_workbook(data, shown)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = _("the file is not UTF-8 (line {line}); export it again as CSV UTF-8").format(
            line=line
        )
        raise ImportRejected([Problem(shown, line, None, reason)]) from exc
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise ImportRejected([Problem(shown, None, None, str(exc))]) from exc
    if not records:
        raise ImportRejected([Problem(shown, None, None, _("the file is empty"))])
    if len(records[0]) == 1 and records[0][0].count(";") >= 2:
        reason = _("the columns are separated by semicolons; export with commas")
        raise ImportRejected([Problem(shown, 1, None, reason)])
    return records[0], records[1:]


def read_workbook(data: bytes, shown: str) -> tuple[list[str], list[list[str]]]:
    import openpyxl  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad workbook
        reason = _("the workbook cannot be read: {error}").format(error=type(exc).__name__)
        raise ImportRejected([Problem(shown, None, None, reason)]) from exc
    sheet = book.worksheets[0]
    rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    if not rows:
        raise ImportRejected([Problem(shown, None, None, _("the file is empty"))])
    return rows[0], rows[1:]


def header_paths(header: list[str], form: XLSForm) -> dict[str, str]:
    """Each export column's question path: KoBo's ``a/b``, Central's ``a-b``, or a bare name."""
    known: dict[str, str] = {}
    for question in form.questions:
        for spelling in (question.path, question.path.replace("/", "-"), question.name):
            known.setdefault(spelling, question.path)
        for choice in question.choices if question.type == SELECT_MULTIPLE else ():
            for base in (question.path, question.path.replace("/", "-"), question.name):
                known.setdefault(f"{base}/{choice}", f"{question.path}/{choice}")
    known.setdefault("meta-instanceID", "meta/instanceID")
    return {column: known.get(column, column) for column in header}


def is_system_column(column: str) -> bool:
    last = column.replace("-", "/").rsplit("/", 1)[-1]
    return column in SYSTEM_COLUMNS or last.startswith("_") or column.startswith("meta")


def read_export(path: Path, form: XLSForm, name: str | None = None) -> ExportRows:
    """Read an export of ``form``; refuse one of another form, naming the unknown columns."""
    shown = name or path.name
    if not path.exists():
        raise ImportRejected([Problem(shown, None, None, _("no such file"))])
    header, records = read_table(path, shown)
    header = [h.strip() for h in header]
    problems = ProblemList(shown)
    paths = header_paths(header, form)
    questions = form.by_path()
    split = {
        f"{q.path}/{c}" for q in form.questions if q.type == SELECT_MULTIPLE for c in q.choices
    }
    seen: set[str] = set()
    for column in header:
        target = paths[column]
        if target in seen and column:
            problems.add(1, column, _("this column appears twice in the header"))
        seen.add(target)
        if target in questions or target in split or is_system_column(column) or not column:
            continue
        problems.add(
            1,
            column,
            _("not a question of the form {form}: is this the export of another form?").format(
                form=form.form_id
            ),
        )
    if not any(paths[c] in questions for c in header):
        problems.add(
            1, None, _("no column is a question of the form {form}").format(form=form.form_id)
        )
    problems.raise_if_any(0)
    export = ExportRows(shown, [paths[c] for c in header])
    width = len(header)
    for number, record in enumerate(records, start=2):
        if not any(v.strip() for v in record):
            continue
        if len(record) > width:
            problems.add(
                number,
                None,
                _("{count} fields where the header has {width}").format(
                    count=len(record), width=width
                ),
            )
            continue
        for column, value in zip(header, record, strict=False):
            if len(value) > MAX_FIELD_CHARS or "\x00" in value:
                problems.add(number, column, _("the value is too long or holds a NUL character"))
        export.rows.append(dict(zip(export.header, record, strict=False)))
    problems.raise_if_any(len(export.rows))
    if not export.rows:
        raise ImportRejected([Problem(shown, 1, None, _("the file has a header but no data rows"))])
    return export


def joined_multiple(row: dict[str, str], question: Question) -> str:
    """A select_multiple's answer as one space-separated text, from one column or split ones."""
    whole = row.get(question.path, "")
    if whole.strip():
        return " ".join(whole.split())
    chosen = [
        choice
        for choice in question.choices
        if row.get(f"{question.path}/{choice}", "").strip().lower() in TRUE_WORDS
    ]
    return " ".join(chosen)


def submission_key(row: dict[str, str]) -> str:
    """The submission's id: ``meta/instanceID``, else Central's ``KEY``, else KoBo's ``_uuid``;
    without its ``uuid:`` prefix, so the same submission has the same key in both tools."""
    for column in KEY_COLUMNS:
        value = row.get(column, "").strip()
        if value:
            return value.removeprefix("uuid:")[:64]
    return ""
