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
  submissions; each repeat group is a sheet of its own (see "Repeat groups" below).
- **ODK Central** (https://docs.getodk.org/central-submissions/, "Downloading Submissions as
  CSVs"; the column format is the one ODK Briefcase documents in getodk/briefcase
  ``docs/export-format.md``): ``SubmissionDate`` first, then the values with group names joined
  by ``-`` (``incident-category``, ``meta-instanceID``), then ``KEY`` (the instanceID),
  ``SubmitterID``, ``SubmitterName``, ``AttachmentsPresent``, ``AttachmentsExpected``,
  ``Status``, ``ReviewState``, ``DeviceID``, ``Edits``, ``FormVersion``; with "split select
  multiple choices into columns", one ``question/option`` column per choice holding ``1`` / ``0``.

Both become rows whose keys are question paths as the XLSForm names them (``group/question``,
``meta/instanceID``) and whose values are text: what :func:`kobo.import_submission_rows` takes.

Repeat groups (read only when asked for: the mapping counts people from one), as the tools write
them:

- **KoBoToolbox XLSX**: one sheet per repeat, named after the repeat (kobotoolbox/formpack
  ``reporting/export.py``, ``Export.to_xlsx`` and ``utils/string.py`` ``unique_name_for_xls``:
  the name cut to Excel's 31 characters as ``first 28...``, `` (1)`` added on a clash). Its
  columns: the repeat's questions (``group/repeat/question``), then ``_index`` (the entry's
  number in that sheet), ``_parent_table_name``, ``_parent_index`` (the ``_index`` of the row it
  belongs to, in the parent sheet: the first sheet, or the enclosing repeat's sheet) and
  ``_submission__id``, ``_submission__uuid``... (the submission's own columns, copied). KoBo
  writes a repeat's sheet only when some submission has an entry in it.
- **ODK Central ZIP** ("Download all submissions (.csv.zip)", https://docs.getodk.org/
  central-submissions/; written by getodk/central-backend ``lib/data/briefcase.js``, the
  format getodk/briefcase ``docs/export-format.md`` documents): ``<form_id>.csv`` for the
  submissions and ``<form_id>-<repeat name>.csv`` per repeat (``~1``, ``~2`` added, depth-first,
  when two repeats share a name); a repeat file's columns are its questions named from inside
  the repeat (groups joined by ``-``), then ``PARENT_KEY`` (the submission's ``KEY``, i.e. its
  instanceID, or the enclosing entry's ``KEY``) and ``KEY`` (``uuid:.../repeat[1]``).

Nested repeats are read: an entry of an inner repeat belongs, through its parents, to one
submission.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import zipfile
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
    "PARENT_KEY",
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


@dataclass(frozen=True)
class Repeat:
    """A repeat group: its path, name, enclosing repeat (``""`` at the top) and questions."""

    path: str
    name: str
    parent: str
    questions: tuple[Question, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "name": self.name,
            "parent": self.parent,
            "questions": [q.as_dict() for q in self.questions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Repeat:
        return cls(
            path=data["path"],
            name=data["name"],
            parent=data.get("parent", ""),
            questions=tuple(Question.from_dict(q) for q in data.get("questions", ())),
        )


@dataclass
class XLSForm:
    """What an XLSForm says about its answers: the submission's questions, and its repeats."""

    form_id: str
    version: str
    title: str
    questions: list[Question]
    sha256: str = ""
    repeats: list[Repeat] = field(default_factory=list)

    def repeat(self, path: str) -> Repeat | None:
        return next((r for r in self.repeats if r.path == path), None)

    def chain(self, path: str) -> list[Repeat]:
        """The repeat at ``path`` and its enclosing repeats, outermost first."""
        found: list[Repeat] = []
        current = self.repeat(path)
        while current is not None:
            found.insert(0, current)
            current = self.repeat(current.parent)
        return found

    def by_path(self) -> dict[str, Question]:
        return {q.path: q for q in self.questions}


def first_label(label: Any) -> str:
    """A label is text or ``{language: text}``; the first language's text is enough here."""
    if isinstance(label, dict):
        return str(next(iter(label.values()), ""))
    return str(label or "")


def walk(
    children: Iterable[dict[str, Any]],
    prefix: str,
    repeats: list[Repeat] | None = None,
    parent: str = "",
) -> Iterable[Question]:
    """The questions answered once per submission (or once per entry of the repeat ``parent``);
    each repeat met is added to ``repeats`` (outer before inner), its questions not yielded."""
    for child in children:
        kind = str(child.get("type", ""))
        path = f"{prefix}{child.get('name', '')}"
        if kind == "group":
            yield from walk(child.get("children", []), path + "/", repeats, parent)
            continue
        if kind == "repeat":  # its answers are in other sheets or files
            if repeats is not None:
                place = len(repeats)
                inner = tuple(walk(child.get("children", []), path + "/", repeats, path))
                repeats.insert(place, Repeat(path, str(child.get("name", "")), parent, inner))
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
    repeats: list[Repeat] = []
    questions = list(walk(tree.get("children", []), "", repeats))
    if not [q for q in questions if not q.path.startswith("meta/")]:
        raise ImportRejected([Problem(shown, None, None, _("the XLSForm has no questions"))])
    return XLSForm(
        form_id=str(tree.get("id_string") or tree.get("name") or ""),
        version=str(tree.get("version") or ""),
        title=str(tree.get("title") or ""),
        questions=questions,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
        repeats=repeats,
    )


# --- The submissions export --------------------------------------------------------------------


@dataclass
class Table:
    """One sheet or file of an export: the name problems give it, its header and records."""

    shown: str
    header: list[str]
    records: list[list[str]]


@dataclass
class RepeatEntry:
    """One entry of a repeat group: where it was read (sheet or file, row; in a submission's
    XML, the element and no row) and its answers, keyed by question path
    (``group/repeat/question``)."""

    where: str
    number: int | None
    values: dict[str, str]


@dataclass
class ExportRows:
    """An export read into rows keyed by question path; ``rows[i]`` is spreadsheet row ``i + 2``.

    ``entries[repeat_path][i]`` are the entries of that repeat group belonging to ``rows[i]``
    (for a nested repeat: through its enclosing entries), for the repeats asked for.
    """

    name: str
    header: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    entries: dict[str, list[list[RepeatEntry]]] = field(default_factory=dict)


#: Characters Excel refuses in a sheet name, which KoBo replaces by ``_`` (formpack).
XLS_FORBIDDEN = "[]:*?/\\"
#: Excel's longest sheet name.
XLS_SHEET_MAX = 31
#: Characters ODK Central drops from a file name (the ``sanitize-filename`` package).
FILE_FORBIDDEN = '/\\?<>:*|"'


def kobo_sheet_name(name: str) -> str:
    """The sheet KoBo writes a repeat to (formpack ``unique_name_for_xls``, first choice)."""
    name = name.translate({ord(c): "_" for c in XLS_FORBIDDEN})
    return name if len(name) <= XLS_SHEET_MAX else name[: XLS_SHEET_MAX - 3] + "..."


def central_file_name(form: XLSForm, repeat: Repeat) -> str:
    """The file ODK Central writes a repeat to: ``<form_id>-<name>.csv``, with ``~n`` counted
    depth-first when several repeats share the name (central-backend ``briefcase.js``)."""
    base = "".join(c for c in form.form_id if c not in FILE_FORBIDDEN)
    same = [r.path for r in form.repeats if r.name == repeat.name]
    suffix = f"~{same.index(repeat.path) + 1}" if len(same) > 1 else ""
    return f"{base}-{repeat.name}{suffix}.csv"


@dataclass
class ExportSource:
    """An export file opened: a CSV, a KoBo workbook (``xlsx``) or an ODK Central ZIP."""

    kind: str
    shown: str
    main: Table
    book: Any = None
    archive: zipfile.ZipFile | None = None
    members: dict[str, str] = field(default_factory=dict)

    def expected(self, form: XLSForm, repeat: Repeat) -> str:
        """Where this kind of export keeps the repeat: a sheet name or a file name."""
        if self.kind == "zip":
            return central_file_name(form, repeat)
        return kobo_sheet_name(repeat.name)

    def table(self, form: XLSForm, repeat: Repeat) -> Table | None:
        """The repeat's sheet or file; ``None`` if the export has none."""
        wanted = self.expected(form, repeat)
        if self.kind == "xlsx":
            others = self.book.sheetnames[1:]  # the first sheet is the submissions
            title = next((t for t in (repeat.name, wanted) if t in others), None)
            if title is None:
                return None
            shown = _("{file}, sheet {sheet}").format(file=self.shown, sheet=title)
            return sheet_table(self.book[title], shown)
        if self.kind == "zip" and self.archive is not None and wanted in self.members:
            member = self.members[wanted]
            shown = _("{file}, file {member}").format(file=self.shown, member=member)
            header, records = text_table(self.archive.read(member), shown)
            return Table(shown, header, records)
        return None

    def close(self) -> None:
        if self.book is not None:
            self.book.close()
        if self.archive is not None:
            self.archive.close()


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


def text_table(data: bytes, shown: str) -> tuple[list[str], list[list[str]]]:
    """A CSV file's header and records, as text."""
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


def sheet_table(sheet: Any, shown: str) -> Table:
    rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    if not rows:
        raise ImportRejected([Problem(shown, None, None, _("the file is empty"))])
    return Table(shown, rows[0], rows[1:])


def open_export(path: Path, shown: str, form_id: str) -> ExportSource:
    """Open a CSV, a workbook (its first sheet is the submissions) or an ODK Central ZIP (its
    ``<form_id>.csv`` is the submissions); a repeat's table is read when asked for."""
    data = path.read_bytes()
    if not data.startswith(b"PK\x03\x04"):
        header, records = text_table(data, shown)
        return ExportSource("csv", shown, Table(shown, header, records))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = archive.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        reason = _("the workbook cannot be read: {error}").format(error=type(exc).__name__)
        raise ImportRejected([Problem(shown, None, None, reason)]) from exc
    if "[Content_Types].xml" in names:
        archive.close()
        return open_workbook(data, shown)
    members = {n.rsplit("/", 1)[-1]: n for n in names if n.lower().endswith(".csv")}
    base = "".join(c for c in form_id if c not in FILE_FORBIDDEN)
    main = members.get(f"{base}.csv")
    if main is None and len(members) == 1 and not form_id:
        main = next(iter(members.values()))
    if main is None:
        archive.close()
        reason = _(
            "this ZIP has no {expected} (it holds: {found}): is it ODK Central's export of "
            "this form?"
        ).format(expected=f"{base}.csv", found=", ".join(sorted(members)) or "-")
        raise ImportRejected([Problem(shown, None, None, reason)])
    member_shown = _("{file}, file {member}").format(file=shown, member=main)
    header, records = text_table(archive.read(main), member_shown)
    return ExportSource(
        "zip", shown, Table(member_shown, header, records), archive=archive, members=members
    )


def open_workbook(data: bytes, shown: str) -> ExportSource:
    import openpyxl  # type: ignore[import-untyped]

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a bad workbook
        reason = _("the workbook cannot be read: {error}").format(error=type(exc).__name__)
        raise ImportRejected([Problem(shown, None, None, reason)]) from exc
    try:
        main = sheet_table(book.worksheets[0], shown)
    except ImportRejected:
        book.close()
        raise
    return ExportSource("xlsx", shown, main, book=book)


def header_paths(header: list[str], form: XLSForm) -> dict[str, str]:
    """Each export column's question path: KoBo's ``a/b``, Central's ``a-b``, or a bare name."""
    known = spellings(form.questions, "")
    return {column: known.get(column, column) for column in header}


def spellings(questions: Iterable[Question], inside: str) -> dict[str, str]:
    """Every header a question may have, to its path: ``a/b``, ``a-b``, the bare name; inside a
    repeat (``inside`` its path) also the path from the repeat (Central's repeat files)."""
    known: dict[str, str] = {}
    for question in questions:
        bases = [question.path, question.path.replace("/", "-")]
        if inside and question.path.startswith(inside + "/"):
            relative = question.path[len(inside) + 1 :]
            bases += [relative, relative.replace("/", "-")]
        bases.append(question.name)
        for spelling in bases:
            known.setdefault(spelling, question.path)
        for choice in question.choices if question.type == SELECT_MULTIPLE else ():
            for base in bases:
                known.setdefault(f"{base}/{choice}", f"{question.path}/{choice}")
    if not inside:
        known.setdefault("meta-instanceID", "meta/instanceID")
    return known


def is_system_column(column: str) -> bool:
    last = column.replace("-", "/").rsplit("/", 1)[-1]
    return (
        column in SYSTEM_COLUMNS
        or last.startswith("_")
        or column.startswith("meta")
        or column.startswith("SET-OF-")
    )


def read_export(
    path: Path, form: XLSForm, name: str | None = None, repeats: Iterable[str] = ()
) -> ExportRows:
    """Read an export of ``form``; refuse one of another form, naming the unknown columns.

    ``repeats``: paths of repeat groups whose entries are needed (with their enclosing repeats);
    a missing sheet or file for one of them, an entry whose parent is not in the export, or a
    column that is not a question of the repeat refuses the whole export.
    """
    shown = name or path.name
    if not path.exists():
        raise ImportRejected([Problem(shown, None, None, _("no such file"))])
    source = open_export(path, shown, form.form_id)
    try:
        export = read_rows(source.main, form)
        export.name = shown
        wanted = [r for r in dict.fromkeys(repeats) if r]
        if wanted:
            read_repeats(source, form, export, wanted)
    finally:
        source.close()
    return export


def read_rows(table: Table, form: XLSForm) -> ExportRows:
    """The submissions' table, checked against the form's questions."""
    shown = table.shown
    header = [h.strip() for h in table.header]
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
    for number, record in enumerate(table.records, start=2):
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


#: How each kind of export links an entry to its parent: (the parent's own id column, the
#: entry's column naming its parent).
LINKS = {"xlsx": ("_index", "_parent_index"), "zip": ("KEY", "PARENT_KEY")}


def read_repeats(
    source: ExportSource, form: XLSForm, export: ExportRows, wanted: list[str]
) -> None:
    """Read the wanted repeats' tables (and their enclosing repeats'), each entry joined to the
    submission it belongs to, into ``export.entries``; all problems first, then refuse."""
    problems = ProblemList(source.main.shown)
    needed: list[Repeat] = []
    for path in wanted:
        chain = form.chain(path)
        if not chain:
            problems.add(
                None, None, _("the XLSForm has no repeat group {repeat}").format(repeat=path)
            )
        needed += [r for r in chain if r not in needed]
    if source.kind not in LINKS:
        reason = _(
            "this export holds no repeat group, and the mapping counts people from the repeat "
            "{repeat}: upload KoBoToolbox's XLSX export or ODK Central's ZIP (.csv.zip)"
        ).format(repeat=", ".join(wanted))
        problems.add(None, None, reason)
    problems.raise_if_any(len(export.rows))
    own_column, parent_column = LINKS[source.kind]
    if own_column not in export.header:
        reason = _("the column {column} is missing: repeat entries find their submission by it")
        problems.add(1, own_column, reason.format(column=own_column))
        problems.raise_if_any(len(export.rows))
    # Each table's own ids, to the offset of the submission (in export.rows) they belong to.
    owners: dict[str, dict[str, int]] = {
        "": {row.get(own_column, "").strip(): i for i, row in enumerate(export.rows)}
    }
    for repeat in needed:
        table = source.table(form, repeat)
        if table is None:
            problems.file = source.shown
            reason = _(
                "no {where} for the repeat group {repeat}, which the mapping counts people "
                "from: is this the whole export (KoBo: XLSX; ODK Central: the ZIP)?"
            ).format(where=source.expected(form, repeat), repeat=repeat.path)
            problems.add(None, None, reason)
            continue
        owners[repeat.path] = read_repeat_table(
            table,
            repeat,
            form,
            owners.get(repeat.parent, {}),
            (own_column, parent_column),
            export,
            problems,
        )
    problems.raise_if_any(len(export.rows))


def read_repeat_table(
    table: Table,
    repeat: Repeat,
    form: XLSForm,
    parents: dict[str, int],
    columns: tuple[str, str],
    export: ExportRows,
    problems: ProblemList,
) -> dict[str, int]:
    """One repeat's table: its header checked, each entry joined to its parent row."""
    problems.file = table.shown
    own_column, parent_column = columns
    header = [h.strip() for h in table.header]
    known = spellings(repeat.questions, repeat.path)
    before = len(problems.items) + problems.more
    for column in header:
        if column in known or is_system_column(column) or column == "PARENT_KEY" or not column:
            continue
        problems.add(
            1,
            column,
            _("not a question of the repeat group {repeat} of the form {form}").format(
                repeat=repeat.path, form=form.form_id
            ),
        )
    inner = any(r.parent == repeat.path for r in form.repeats)
    for column in (parent_column, own_column) if inner else (parent_column,):
        if column not in header:
            reason = _("the column {column} is missing: it links each entry to its parent")
            problems.add(1, column, reason.format(column=column))
    if len(problems.items) + problems.more > before:
        return {}
    at = {column: header.index(column) for column in columns if column in header}
    entries = export.entries.setdefault(repeat.path, [[] for _row in export.rows])
    parent_name = repeat.parent or _("the submissions")
    owners: dict[str, int] = {}
    width = len(header)
    for number, record in enumerate(table.records, start=2):
        if not any(v.strip() for v in record):
            continue
        if len(record) > width:
            reason = _("{count} fields where the header has {width}")
            problems.add(number, None, reason.format(count=len(record), width=width))
            continue
        record = record + [""] * (width - len(record))
        parent = record[at[parent_column]].strip()
        owner = parents.get(parent)
        if owner is None:
            reason = _("no row {value} in {parent}: this entry's parent is not in the export")
            problems.add(number, parent_column, reason.format(value=parent, parent=parent_name))
            continue
        values: dict[str, str] = {}
        for column, value in zip(header, record, strict=False):
            if len(value) > MAX_FIELD_CHARS or "\x00" in value:
                problems.add(number, column, _("the value is too long or holds a NUL character"))
            if column in known:
                values[known[column]] = value
        if own_column in at:
            owners[record[at[own_column]].strip()] = owner
        entries[owner].append(RepeatEntry(table.shown, number, values))
    return owners


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
