"""The one CSV writer: every text cell that a spreadsheet would run is quoted; numbers are not.

Synthetic cells (a formula cannot come from the real files, which hold none).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

import commonground
from commonground.core.csv_out import FORMULA_PREFIXES, SafeWriter, csv_text

#: Each prefix a spreadsheet may run, with a payload behind it (synthetic).
PAYLOADS = [prefix + 'HYPERLINK("http://evil.example","click")' for prefix in FORMULA_PREFIXES]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_text_cell_with_a_formula_prefix_is_quoted(payload: str) -> None:
    rows = list(csv.reader(io.StringIO(csv_text([["name"], [payload]]), newline="")))
    assert rows[1] == ["'" + payload]


def test_every_prefix_is_covered() -> None:
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}


def test_numbers_and_plain_text_are_written_as_they_are() -> None:
    buffer = io.StringIO()
    SafeWriter(buffer).writerow([-5.25, -3, 0, None, "Bambari", "CAF.ouaka", "a=b"])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == [
        "-5.25", "-3", "0", "", "Bambari", "CAF.ouaka", "a=b",
    ]  # fmt: skip


PACKAGE = Path(commonground.__file__).resolve().parent

#: ``csv.writer``/``DictWriter`` outside the one writer would skip the neutralising.
DIRECT_WRITER = re.compile(r"\bcsv\.(writer|DictWriter)\(")


def test_no_module_writes_csv_without_the_one_writer() -> None:
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if "tests" not in path.parts
        and path.name != "csv_out.py"
        and DIRECT_WRITER.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
