"""Every message an importer gives a person is translated: the same bad files, read in French.

The files are the real GED extract and the real operations registry (shared/data) with one cell
changed; the French is the .po's, so a message left in English or untranslated fails here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from commonground.core.importing import ImportRejected, ProgressCallback, no_progress
from commonground.events.importers import acled, ged
from commonground.registry.importers import parse_operations

DATA = Path(settings.COMMONGROUND_DATA_DIR)
PARIS = {"latitude": "48.85", "longitude": "2.35"}


def _changed(source: Path, target: Path, **values: str) -> Path:
    """The file's first three records, the second with ``values`` changed."""
    with source.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for _n, row in zip(range(3), reader, strict=False)]
        header = list(reader.fieldnames or [])
    rows[1].update(values)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    target.write_text(buffer.getvalue(), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("parse", "source", "name", "values", "french"),
    [
        (ged.parse, "ged_23_1_CAF.csv", "ged_23_1_x.csv", {"best": "many"},
         "'many' n'est pas un nombre entier"),
        (ged.parse, "ged_23_1_CAF.csv", "ged_23_1_x.csv", {"date_start": "2014-02-30"},
         "'2014-02-30' n'est pas une date réelle : ce jour n'existe pas dans le calendrier"),
        (ged.parse, "ged_23_1_CAF.csv", "ged_23_1_x.csv", PARIS,
         "le point (48.85, 2.35) se trouve hors de CAF (la latitude et la longitude sont-elles "
         "inversées, ou le pays est-il faux ?)"),
        (parse_operations, "operations.csv", "operations.csv", {"start_date": "2014-02-30"},
         "'2014-02-30' : février 2014 n'a pas de jour 30"),
        (parse_operations, "operations.csv", "operations.csv", {"lead_type": "UN"},
         "'UN' ne fait pas partie de"),
    ],
)  # fmt: skip
def test_problems_are_given_in_french(
    tmp_path: Path,
    parse: Callable[[Path, ProgressCallback], object],
    source: str,
    name: str,
    values: dict[str, str],
    french: str,
) -> None:
    path = _changed(DATA / source, tmp_path / name, **values)
    with translation.override("fr"), pytest.raises(ImportRejected) as caught:
        parse(path, no_progress)
    reasons = [p.reason for p in caught.value.problems]
    assert any(r.startswith(french) for r in reasons), reasons


def test_acled_summaries_are_refused_in_french(tmp_path: Path) -> None:
    path = tmp_path / "acled_hdx.csv"
    path.write_text("Admin1,ISO3,Month,Year,Events,Fatalities\nOuaka,CAF,January,2023,4,7\n")
    with translation.override("fr"), pytest.raises(ImportRejected) as caught:
        acled.parse(path, no_progress)
    (problem,) = caught.value.problems
    assert problem.reason.startswith("ce fichier contient des nombres d'événements")
