"""Geo-PKO's contributors (TCCMap) and unit types (TTMap) on the real files and on bad copies.

The expected sums are computed here from the CSV with the csv module and a regular expression of
the test's own, never by the importer's code.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from django.db.models import Sum

from commonground.core.importing import ImportRejected
from commonground.core.models import ImportRun
from commonground.core.services import do_import
from commonground.mandates.importers import GEOPKO_CONTRIBUTORS, GEOPKO_UNITS_IMPORTER
from commonground.mandates.models import DeploymentContributor, DeploymentUnits
from commonground.mandates.tests.conftest import TCCMAP, TTMAP, read_rows, write_rows
from commonground.sharing.models import Organization

pytestmark = pytest.mark.django_db


def csv_troops(path: Path) -> tuple[Counter[tuple[str, int]], int]:
    """Troops per mission and year from ``year.overview``, and how many contributors there are."""
    sums: Counter[tuple[str, int]] = Counter()
    contributors = 0
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for number in re.findall(r"\((\d+|size unknown)\)", row["year.overview"]):
                contributors += 1
                sums[(row["mission"], int(row["year"]))] += (
                    0 if number == "size unknown" else int(number)
                )
    return sums, contributors


def test_troops_per_mission_and_year_equal_the_csv(
    contributors_run: ImportRun, data_dir: Path
) -> None:
    expected, contributors = csv_troops(data_dir / TCCMAP)
    rows = DeploymentContributor.objects.values("mission", "year").annotate(t=Sum("troops"))
    found = {(r["mission"], r["year"]): r["t"] or 0 for r in rows}
    assert found == dict(expected)
    assert DeploymentContributor.objects.count() == contributors
    assert found[("MINUSCA", 2014)] == 650 * 8 + 150 * 3 + 300 + 800  # read by eye from the file


def test_size_unknown_is_kept_as_unknown_not_zero(contributors_run: ImportRun) -> None:
    nepal = DeploymentContributor.objects.get(
        mission="MINUJUSTH", year=2017, location="Cap-Haïtien", contributor="Nepal"
    )
    assert nepal.troops is None
    assert nepal.import_run == contributors_run and nepal.source_row == 2


def test_unit_types_equal_the_csv_and_reimport_changes_nothing(
    units_run: ImportRun, owner: Organization, data_dir: Path
) -> None:
    _header, rows = read_rows(data_dir / TTMAP)
    for column, field in (("Infantry", "infantry"), ("eng", "engineering"), ("med", "medical")):
        expected: Counter[tuple[str, int]] = Counter()
        for row in rows:
            expected[(row["mission"], int(row["year"]))] += int(row[column])
        found = {
            (r["mission"], r["year"]): r["t"]
            for r in DeploymentUnits.objects.values("mission", "year").annotate(t=Sum(field))
        }
        assert found == dict(expected)
    assert DeploymentUnits.objects.count() == len(rows)
    again = do_import(GEOPKO_UNITS_IMPORTER, data_dir / TTMAP, owner=owner)
    assert (again.added, again.updated, again.unchanged) == (0, 0, len(rows))


def test_a_bad_overview_is_refused_with_file_row_column_and_nothing_written(
    owner: Organization, data_dir: Path, tmp_path: Path
) -> None:
    header, rows = read_rows(data_dir / TCCMAP)
    rows[4]["year.overview"] = "Rwanda 650"
    bad = write_rows(tmp_path / "TCCMap_bad.csv", header, rows)
    with pytest.raises(ImportRejected) as caught:
        do_import(GEOPKO_CONTRIBUTORS, bad, owner=owner)
    text = str(caught.value)
    assert "TCCMap_bad.csv" in text and "year.overview" in text and "6" in text
    assert DeploymentContributor.objects.count() == 0


def test_a_wrong_contributor_count_is_refused(
    owner: Organization, data_dir: Path, tmp_path: Path
) -> None:
    header, rows = read_rows(data_dir / TCCMAP)
    rows[0]["No.TCC"] = "3"
    bad = write_rows(tmp_path / "TCCMap_bad.csv", header, rows)
    with pytest.raises(ImportRejected) as caught:
        do_import(GEOPKO_CONTRIBUTORS, bad, owner=owner)
    assert "No.TCC" in str(caught.value)
    assert DeploymentContributor.objects.count() == 0


def test_a_bad_unit_figure_is_refused_in_french_too(
    owner: Organization, data_dir: Path, tmp_path: Path
) -> None:
    from django.utils import translation

    header, rows = read_rows(data_dir / TTMAP)
    rows[9]["med"] = "some"
    bad = write_rows(tmp_path / "TTMap_bad.csv", header, rows)
    with translation.override("fr"), pytest.raises(ImportRejected) as caught:
        do_import(GEOPKO_UNITS_IMPORTER, bad, owner=owner)
    assert "med" in str(caught.value) and "entier" in str(caught.value)
    assert DeploymentUnits.objects.count() == 0
