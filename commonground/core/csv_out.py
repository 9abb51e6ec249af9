"""The one CSV writer of every CSV the product hands out (exports, HXL, API answers, downloads).

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula (and a tab
or carriage return before one is skipped over), so text from a source file or a person, such as
an area's or an actor's name, could run in the reader's spreadsheet (CSV injection, OWASP). Every
text cell is written through :func:`neutralize_formula`, which puts a ``'`` in front: the
spreadsheet shows the text and runs nothing. Numbers are written as numbers (a longitude of
``-5.2`` stays a number); only text is changed, and only in what leaves: what is stored stays as
the source wrote it.

A test (``core/tests/test_csv_out.py``) fails when a module writes CSV with ``csv.writer``
directly, so a new CSV output cannot skip this one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any, TextIO

#: What a spreadsheet may take as the start of a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(value: str) -> str:
    """Make text safe to open in a spreadsheet: a leading formula character is quoted."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def safe_cell(value: Any) -> Any:
    """A cell as the writer writes it: text neutralised, numbers as they are, None empty."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralize_formula(value)
    return value


class SafeWriter:
    """``csv.writer`` whose every text cell is neutralised (see the module's note)."""

    def __init__(self, handle: TextIO, lineterminator: str = "\r\n") -> None:
        self._writer = csv.writer(handle, lineterminator=lineterminator)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_text(rows: Iterable[Iterable[Any]], lineterminator: str = "\n") -> str:
    """Rows (the header first) as CSV text, through :class:`SafeWriter`."""
    buffer = io.StringIO()
    SafeWriter(buffer, lineterminator=lineterminator).writerows(rows)
    return buffer.getvalue()
