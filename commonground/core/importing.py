"""What every importer shares: problems, the rejection error, reading CSV files safely.

Importers parse and validate without touching the database, then persist in one transaction.
A file that fails validation raises :class:`ImportRejected` listing its problems (file, row,
column, reason); nothing is written but the record of the rejected attempt.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first record row 2.
(A record whose quoted text holds line breaks is still one row.)
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# Formula neutralising lives with the one CSV writer; re-exported here for older imports.
from commonground.core.csv_out import FORMULA_PREFIXES as FORMULA_PREFIXES
from commonground.core.csv_out import neutralize_formula as neutralize_formula

#: A text field longer than this is refused: no real source writes one, an attack might.
MAX_FIELD_CHARS = 32_000

#: Reports progress: (phase, done, total).
ProgressCallback = Callable[[str, int, int], None]


def no_progress(phase: str, done: int, total: int) -> None:
    """The default progress callback: say nothing."""


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be imported, located as precisely as the input allows."""

    file: str
    row: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        """``file, row 3, column 'best': reason``: the CLI's line, and the form of a warning the
        import page reads back (``web.imports``), so only the reason is translated."""
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.reason}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


class ImportRejected(Exception):
    """The file did not validate; the database is unchanged."""

    def __init__(self, problems: Sequence[Problem], rows_read: int = 0, more: int = 0) -> None:
        self.problems = list(problems)
        self.rows_read = rows_read
        self.more = more
        super().__init__(self.summary())

    def summary(self) -> str:
        lines = [str(p) for p in self.problems]
        if self.more:
            lines.append(f"... and {self.more} more problems")
        return "\n".join(lines)


@dataclass
class ProblemList:
    """Collects problems up to ``COMMONGROUND_MAX_PROBLEMS`` and counts the rest."""

    file: str
    limit: int = field(default_factory=lambda: int(settings.COMMONGROUND_MAX_PROBLEMS))
    items: list[Problem] = field(default_factory=list)
    more: int = 0
    bad_rows: set[int] = field(default_factory=set)

    def add(self, row: int | None, column: str | None, reason: str) -> None:
        if row is not None:
            self.bad_rows.add(row)
        if len(self.items) < self.limit:
            self.items.append(Problem(self.file, row, column, reason))
        else:
            self.more += 1

    def add_rows(
        self, rows: Iterable[int], column: str | None, reason: Callable[[int], str]
    ) -> None:
        for row in rows:
            self.add(row, column, reason(row))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, rows_read: int) -> None:
        if self.items:
            raise ImportRejected(self.items, rows_read=rows_read, more=self.more)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def reject(path: Path, reason: str, row: int | None = None, column: str | None = None) -> None:
    raise ImportRejected([Problem(path.name, row, column, reason)])


#: The first bytes of files people give in place of a CSV or GeoJSON, and what each is.
#: (A zip that holds ``xl/`` is an Excel workbook; see :func:`check_not_packed`.)
PACKED_FORMATS = (
    (b"\x1f\x8b", gettext_noop("compressed with gzip")),
    (b"PK\x03\x04", gettext_noop("a zip archive")),
    (b"PK\x05\x06", gettext_noop("a zip archive")),
    (b"BZh", gettext_noop("compressed with bzip2")),
    (b"\xfd7zXZ\x00", gettext_noop("compressed with xz")),
    (b"7z\xbc\xaf\x27\x1c", gettext_noop("a 7-Zip archive")),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", gettext_noop("an Excel 97-2003 workbook (.xls)")),
)


def check_not_packed(path: Path, data: bytes) -> None:
    """Refuse a compressed file, an archive or a workbook by what it is, from its first bytes,
    before its bytes are read as text (a gzip file may hold carriage returns and no line feed,
    and would be taken for an old Mac CSV)."""
    for magic, what in PACKED_FORMATS:
        if data.startswith(magic):
            if magic.startswith(b"PK") and b"xl/" in data[:65536]:
                reject(path, _("the file is an Excel workbook, not a CSV: save it as 'CSV UTF-8'"))
            reject(
                path,
                _("the file is {what}, not text: extract the file inside and import that").format(
                    what=_(what)
                ),
            )


def check_readable_text(path: Path, data: bytes) -> None:
    """Refuse a file that is missing, empty or not UTF-8, saying where the bad byte is."""
    check_not_packed(path, data)
    if not data.strip():
        reject(path, _("the file is empty"))
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reject(
            path,
            _(
                "the file is not UTF-8 (byte 0x{byte:02x} on line {line}); "
                "save it as UTF-8 (in Excel: 'CSV UTF-8') and try again"
            ).format(byte=data[exc.start], line=line),
        )


def read_header(path: Path, text: str) -> list[str]:
    """The header row, with the delimiter checked: sources export commas, Excel may not."""
    lines = text.lstrip("\ufeff").splitlines()
    first_line = lines[0] if lines else ""
    try:
        header = next(csv.reader([first_line]))
    except (csv.Error, StopIteration):
        reject(path, _("the header row cannot be read as CSV"), row=1)
    if len(header) == 1:
        separators = ((";", _("semicolons")), ("\t", _("tabs")), ("|", _("pipes")))
        for delimiter, label in separators:
            if first_line.count(delimiter) >= 2:
                reject(
                    path,
                    _(
                        "the columns are separated by {label}, not commas; "
                        "export the file as comma-separated CSV"
                    ).format(label=label),
                    row=1,
                )
    return [name.strip() for name in header]


def peek_header(path: Path) -> list[str]:
    """The header's column names, for an importer that must know the layout before reading
    (an older one, or another kind of file); [] when the file cannot be read, as
    :func:`read_csv_frame` then says why."""
    try:
        with path.open("rb") as handle:
            head = handle.read(65536)
    except OSError:
        return []
    lines = head.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
    if not lines:
        return []
    try:
        return [name.strip() for name in next(csv.reader([lines[0]]))]
    except (csv.Error, StopIteration):
        return []


def check_columns(
    path: Path, header: list[str], required: Sequence[str], problems: ProblemList
) -> None:
    """Missing, renamed and repeated columns, with the nearest name as a hint."""
    seen: set[str] = set()
    for name in header:
        if name in seen:
            problems.add(1, name, _("this column appears twice in the header"))
        seen.add(name)
    extra = [name for name in header if name not in required]
    for name in required:
        if name not in seen:
            hint = difflib.get_close_matches(name, extra, n=1, cutoff=0.6)
            reason = _("required column is missing")
            if hint:
                reason = _("required column is missing (is {name} this column renamed?)").format(
                    name=repr(hint[0])
                )
            problems.add(1, name, reason)


def read_csv_frame(path: Path, required: Sequence[str]) -> pl.DataFrame:
    """Read a CSV into a frame of strings, every column checked, row numbers attached.

    Fast path: Polars reads the file. If Polars cannot, Python's csv module re-reads it to name
    the row at fault. Short rows (a truncated last line) are found on the fast path.
    """
    if not path.exists():
        reject(path, _("no such file"))
    data = path.read_bytes()
    check_not_packed(path, data)
    if not data or data.isspace():
        reject(path, _("the file is empty"))
    if b"\r" in data and b"\n" not in data:
        reject(
            path,
            _(
                "lines end with a carriage return only (the old Mac 'CSV (Macintosh)' format); "
                "save the file as 'CSV UTF-8'"
            ),
        )
    text_head = data[:65536].decode("utf-8", errors="replace")
    header = read_header(path, text_head)
    problems = ProblemList(path.name)
    check_columns(path, header, required, problems)
    if problems:
        check_readable_text(path, data)  # a bad encoding explains bad column names best
    problems.raise_if_any(0)
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            infer_schema=False,
            empty_string_is_null=False,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as exc:
        check_readable_text(path, data)  # Polars refuses bad UTF-8: say which line
        locate_lone_carriage_return(path, data)
        locate_csv_fault(path, data, len(header))
        reject(
            path,
            _("the file cannot be read as CSV: {error}").format(error=str(exc).splitlines()[0]),
        )
    frame = frame.rename({name: name.strip() for name in frame.columns})
    frame = drop_trailing_blank_rows(frame.with_row_index("_row", offset=2))
    if frame.height == 0:
        reject(path, _("the file has a header but no data rows"), row=1)
    if not rows_have_header_width(data, header, frame):
        locate_lone_carriage_return(path, data)
        locate_short_rows(path, data, len(header), problems)
    check_cells(frame, problems)
    problems.raise_if_any(frame.height)
    return frame


#: A quoted CSV field, whose line breaks are part of the value.
_QUOTED_FIELD = re.compile(rb'"(?:[^"]|"")*"')


def locate_lone_carriage_return(path: Path, data: bytes) -> None:
    """Refuse a file whose lines end with a line feed, except one that ends with a carriage
    return alone (two tools edited it), naming the row it ends; quoted values may hold one."""
    if b"\r" not in data:
        return
    unquoted = _QUOTED_FIELD.sub(b'""', data)
    lone = re.search(rb"\r(?!\n)", unquoted)
    if lone is None:
        return
    row = unquoted.count(b"\n", 0, lone.start()) + 1
    reject(
        path,
        _(
            "this row ends with a carriage return alone, where the other rows end with a line "
            "feed: the line endings are mixed (the file was edited by tools that disagree); "
            "save it again as 'CSV UTF-8'"
        ),
        row=row,
    )


def check_cells(frame: pl.DataFrame, problems: ProblemList) -> None:
    """What no value of any source may hold, whatever the file format: more than
    MAX_FIELD_CHARS characters, or a NUL character (PostgreSQL cannot store one in text, so
    refusing it everywhere keeps SQLite and PostgreSQL alike)."""
    check_field_sizes(frame, problems)
    columns = [c for c in frame.columns if c != "_row"]
    has_nul = frame.select(pl.col(columns).str.contains("\x00", literal=True).any()).row(
        0, named=True
    )
    for column in [c for c, hit in has_nul.items() if hit]:
        rows = frame.filter(pl.col(column).str.contains("\x00", literal=True))["_row"]
        for row in rows.head(problems.limit).to_list():
            problems.add(
                row,
                column,
                _("the value holds a NUL character (byte 0), which no text may hold"),
            )


def locate_csv_fault(path: Path, data: bytes, width: int) -> None:
    """Re-read a file Polars refused with the csv module, to name the row at fault."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), strict=True)
    row = 0
    try:
        for row, record in enumerate(reader, start=1):
            if row > 1 and record and len(record) > width:
                reject(
                    path,
                    _("{count} fields where the header has {width}").format(
                        count=len(record), width=width
                    ),
                    row=row,
                )
    except csv.Error as exc:
        reason = str(exc)
        if "unexpected end of data" in reason or "EOF" in reason:
            reason = _("a quoted field is never closed: the file looks truncated")
        reject(path, reason, row=row + 1)


def drop_trailing_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """Blank lines at the end of a file are not data (editors add them); Polars reads them as
    rows of empty cells."""
    columns = [c for c in frame.columns if c != "_row"]
    blank = pl.all_horizontal([pl.col(c).fill_null("") == "" for c in columns])
    if frame.is_empty() or not frame.tail(1).select(blank).item():
        return frame  # the usual case, told by the last row alone
    flags = frame.select(blank.alias("blank"))["blank"]
    end = frame.height
    while end > 0 and flags[end - 1]:
        end -= 1
    return frame.head(end)


def rows_have_header_width(data: bytes, header: list[str], frame: pl.DataFrame) -> bool:
    """Whether every record has as many fields as the header, without re-parsing the file.

    Polars pads a short record (a truncated last line, a deleted cell) with empty cells, so
    shape cannot be read off the frame. But a file whose records all have ``w`` fields holds
    exactly ``w - 1`` separating commas per record, and every other comma is inside a value:
    comparing the file's comma count with that sum is one pass in C and one in Polars.
    """
    width = len(header)
    columns = [c for c in frame.columns if c != "_row"]
    inside_values = frame.select(
        pl.sum_horizontal(
            [pl.col(c).fill_null("").str.count_matches(",", literal=True).sum() for c in columns]
        )
    ).item()
    inside_header = sum(name.count(",") for name in header)
    separators = data.count(b",") - int(inside_values or 0) - inside_header
    return bool(separators == (frame.height + 1) * (width - 1))


def locate_short_rows(path: Path, data: bytes, width: int, problems: ProblemList) -> None:
    """The slow path, only for a file that failed the comma count: name each bad record."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader, None)
    blank: list[int] = []
    for row, record in enumerate(reader, start=2):
        if not record or (record == [""] * len(record) and len(record) < width):
            blank.append(row)
            continue
        for line in blank:
            problems.add(line, None, _("empty line in the middle of the data"))
        blank = []
        if len(record) != width:
            problems.add(
                row,
                None,
                _(
                    "{count} fields where the header has {width} (a truncated or broken line)"
                ).format(count=len(record), width=width),
            )
    if not problems:
        problems.add(None, None, _("the number of fields differs between rows"))


def check_field_sizes(frame: pl.DataFrame, problems: ProblemList) -> None:
    """Refuse fields longer than MAX_FIELD_CHARS; only a column whose longest value has more
    bytes than that is counted in characters (counting bytes costs nothing in Polars)."""
    longest = frame.select(pl.exclude("_row").str.len_bytes().max()).row(0, named=True)
    columns = [c for c, size in longest.items() if size is not None and size > MAX_FIELD_CHARS]
    if not columns:
        return
    too_long = frame.select(
        "_row", *[(pl.col(c).str.len_chars() > MAX_FIELD_CHARS).alias(c) for c in columns]
    ).filter(pl.any_horizontal(pl.col(columns)))
    for record in too_long.iter_rows(named=True):
        for column in columns:
            if record[column]:
                problems.add(
                    record["_row"],
                    column,
                    _("the field is longer than {limit} characters").format(limit=MAX_FIELD_CHARS),
                )
