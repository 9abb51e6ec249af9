"""The registry importers on the real files, and on small bad copies of them.

Counts come from ``shared/data/SOURCES.md`` and ``presence_CAF.md``: if a file changes, these
tests say which documented figure no longer holds.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Count

from commonground.core.importing import ImportRejected
from commonground.core.models import Area, ImportOutcome, ImportRun
from commonground.core.services import Importer, do_import, do_undo_withdrawals
from commonground.registry.importers import (
    OPERATIONS,
    PARALLEL_FORCES,
    PRESENCE,
    parse_period,
)
from commonground.registry.models import Operation, ParallelForce, Presence
from commonground.registry.tests.conftest import ImportFile, Rows, data_file, read_rows, write_rows
from commonground.sharing.models import Licence, Organization, OrganizationKind, Sensitivity

pytestmark = pytest.mark.django_db


def counts_by(model: Any, field: str) -> dict[str, int]:
    return dict(Counter(model.objects.values_list(field, flat=True)))


# --- The real files ---------------------------------------------------------------------------


def test_operations_match_sources_md(operations_run: ImportRun) -> None:
    assert operations_run.outcome == ImportOutcome.SUCCEEDED
    assert (operations_run.rows_read, operations_run.added) == (168, 168)
    assert counts_by(Operation, "lead_type") == {
        "UN_PKO": 42, "UN_SPM": 31, "EU": 27, "bilateral": 18,
        "REC": 15, "coalition": 15, "AU": 10, "NATO": 10,
    }  # fmt: skip


def test_operation_values_and_provenance(operations_run: ImportRun) -> None:
    untso = Operation.objects.get(slug="untso")
    assert (untso.start_date, untso.start_precision) == (date(1948, 5, 1), "month")
    assert untso.end_date is None and untso.end_precision == ""
    assert untso.host_countries == ["ISR", "EGY", "JOR", "LBN", "SYR"]
    assert untso.unsc_resolutions == [50]
    assert (untso.import_run_id, untso.source_row) == (operations_run.pk, 2)
    assert (untso.owner_id, untso.sensitivity) == (operations_run.owner_id, Sensitivity.PUBLIC)
    assert untso.licence == Licence.PUBLIC_FACTS
    assert "XKX" in Operation.objects.get(acronym="UNMIK").host_countries
    eucap = Operation.objects.get(acronym="EUCAP Sahel Niger")
    assert (eucap.end_date, eucap.end_precision) == (date(2024, 1, 1), "year")


def test_parallel_forces_link_to_their_un_operations(forces_run: ImportRun) -> None:
    assert (forces_run.rows_read, forces_run.added) == (74, 74)
    assert counts_by(ParallelForce, "command_relation") == {
        "coordinated": 41,
        "independent": 30,
        "integrated": 3,
    }
    assert counts_by(ParallelForce, "unsc_status") == {
        "authorized": 36,
        "welcomed/recognized": 13,
        "none": 14,
        "": 11,
    }
    assert not ParallelForce.objects.annotate(n=Count("parallel_to")).filter(n=0).exists()
    sangaris = ParallelForce.objects.get(slug="sangaris")
    assert "MINUSCA" in {o.acronym for o in sangaris.parallel_to.all()}
    assert sangaris.operation == Operation.objects.get(slug="sangaris")
    unitaf = ParallelForce.objects.get(slug="unitaf")
    assert [o.acronym for o in unitaf.parallel_to.all()] == ["UNOSOM I"]
    assert set(
        Operation.objects.filter(parallel_forces__isnull=False).values_list("lead_type", flat=True)
    ) == {"UN_PKO", "UN_SPM"}
    # 71 of the 74 forces are also rows of operations.csv (SOURCES.md: the ids match).
    assert ParallelForce.objects.filter(operation__isnull=False).count() == 71


def test_presence_matches_presence_md(presence_run: ImportRun) -> None:
    assert (presence_run.rows_read, presence_run.added) == (120, 120)
    assert counts_by(Presence, "actor_kind") == {
        "UN_mission": 27, "regional_force": 12, "parallel_force": 21, "national_forces": 8,
        "police": 6, "humanitarian": 21, "peacebuilder": 10, "local_peace_committee": 13,
        "other": 2,
    }  # fmt: skip
    assert set(Presence.objects.values_list("country_code", flat=True)) == {"CAF"}
    # Unknown dates stay unknown (presence_CAF.md: 57 rows without a start, 100 without an end).
    assert Presence.objects.filter(start_date__isnull=True).count() == 57
    assert Presence.objects.filter(end_date__isnull=True).count() == 100


def test_minusca_rows_are_one_organization(presence_run: ImportRun) -> None:
    minusca = Organization.objects.get(acronym="MINUSCA")
    assert minusca.kind == OrganizationKind.UN_MISSION
    assert minusca.name.startswith("United Nations Multidimensional Integrated Stabilization")
    assert "(" not in minusca.name
    assert any("Bangladesh Special Forces" in alias for alias in minusca.aliases)
    assert minusca.presences.count() == 26
    assert set(minusca.presences.values_list("operation__acronym", flat=True)) == {"MINUSCA"}
    linked = set(
        Presence.objects.exclude(operation=None).values_list("operation__acronym", flat=True)
    )
    assert {"Sangaris", "EUFOR RCA", "MISCA", "MICOPAX", "FOMUC", "MINURCAT"} <= linked


def test_presence_areas_and_points(presence_run: ImportRun) -> None:
    first = Presence.objects.get(source_id="CAF-PRES-001")
    assert first.area is not None and first.area.code == "CAF.bangui"
    assert first.area.parent is not None and first.area.parent.code == "CAF"
    assert (first.latitude, first.longitude) == (4.36122, 18.55496)
    assert (first.start_date, first.start_precision) == (date(2014, 9, 1), "month")
    assert Area.objects.filter(country_code="CAF", level=1).count() == 16
    figures = Presence.objects.values_list("personnel", flat=True)
    assert sorted(n for n in figures if n is not None) == [7, 72, 130, 150, 750, 750]


# --- Re-import --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("importer", "model", "name", "rows"),
    [
        (OPERATIONS, Operation, "operations.csv", 168),
        (PARALLEL_FORCES, ParallelForce, "parallel_forces.csv", 74),
        (PRESENCE, Presence, "presence_CAF.csv", 120),
    ],
)
def test_reimport_changes_nothing(
    operations_run: ImportRun,
    import_file: ImportFile,
    importer: Importer[Any],
    model: Any,
    name: str,
    rows: int,
) -> None:
    first = operations_run if importer is OPERATIONS else import_file(importer, data_file(name))
    organizations = Organization.objects.count()
    again = import_file(importer, data_file(name))
    assert (again.added, again.updated, again.removed) == (0, 0, 0)
    assert again.unchanged == again.rows_read == rows
    assert Organization.objects.count() == organizations
    assert set(model.objects.values_list("import_run", flat=True)) == {first.pk}


def test_changed_copy_updates_only_changed_rows(
    operations_run: ImportRun, import_file: ImportFile, tmp_path: Path
) -> None:
    header, rows = read_rows("operations.csv")
    rows[0]["name"] = "UN Truce Supervision Organization"
    rows[5]["end_date"] = "2024-12"
    dropped = rows.pop(10)
    run = import_file(OPERATIONS, write_rows(tmp_path / "operations.csv", header, rows))
    assert (run.added, run.updated, run.unchanged, run.removed) == (0, 2, 165, 0)
    untso = Operation.objects.get(slug="untso")
    assert untso.name == "UN Truce Supervision Organization"
    assert (untso.import_run_id, untso.source_row) == (run.pk, 2)
    assert Operation.objects.get(slug=rows[1]["id"]).import_run_id == operations_run.pk
    # A newer file that lacks a record deletes nothing unless asked to replace the registry.
    assert Operation.objects.filter(slug=dropped["id"]).exists()


def test_replacing_the_registry_deletes_what_the_file_lacks_and_undo_restores_it(
    operations_run: ImportRun, owner: Organization, tmp_path: Path
) -> None:
    header, rows = read_rows("operations.csv")
    dropped = rows.pop(10)
    before = Operation.objects.get(slug=dropped["id"])
    path = write_rows(tmp_path / "operations.csv", header, rows)
    run = do_import(OPERATIONS, path, owner, replace_release=True)
    assert (run.unchanged, run.removed) == (len(rows), 1)
    assert not Operation.objects.filter(slug=dropped["id"]).exists()
    assert list(run.withdrawals.values_list("source_id", flat=True)) == [dropped["id"]]

    assert do_undo_withdrawals(run) == 1
    after = Operation.objects.get(slug=dropped["id"])
    assert (after.pk, after.name, after.import_run_id) == (
        before.pk,
        before.name,
        before.import_run_id,
    )


def test_referenced_operation_is_kept_when_absent(
    forces_run: ImportRun, owner: Organization, tmp_path: Path
) -> None:
    header, rows = read_rows("operations.csv")
    rows = [row for row in rows if row["acronym"] != "MINUSCA"]
    path = write_rows(tmp_path / "operations.csv", header, rows)
    run = do_import(OPERATIONS, path, owner, replace_release=True)
    assert (run.removed, run.unchanged) == (1, 167)
    assert not run.withdrawals.exists()
    minusca = Operation.objects.get(acronym="MINUSCA")
    assert minusca.parallel_forces.filter(slug="sangaris").exists()


def test_changed_presence_and_force_rows(
    forces_run: ImportRun, presence_run: ImportRun, import_file: ImportFile, tmp_path: Path
) -> None:
    header, rows = read_rows("parallel_forces.csv")
    sangaris = next(row for row in rows if row["id"] == "sangaris")
    assert sangaris["un_operation"] == "BINUCA;MINUSCA"
    sangaris["un_operation"] = "MINUSCA"
    run = import_file(PARALLEL_FORCES, write_rows(tmp_path / "parallel_forces.csv", header, rows))
    assert (run.updated, run.unchanged) == (1, 73)
    force = ParallelForce.objects.get(slug="sangaris")
    assert [o.acronym for o in force.parallel_to.all()] == ["MINUSCA"]
    assert (force.import_run_id, force.source_row) == (run.pk, 54)

    header, rows = read_rows("presence_CAF.csv")
    rows[2]["end"] = "2016-10"
    run = import_file(PRESENCE, write_rows(tmp_path / "presence_CAF.csv", header, rows))
    assert (run.updated, run.unchanged) == (1, 119)
    assert Presence.objects.get(source_id=rows[2]["id"]).end_date == date(2016, 10, 1)


# --- Bad input --------------------------------------------------------------------------------

Edit = Callable[[list[str], Rows], None]


def set_cell(index: int, column: str, value: str, **others: str) -> Edit:
    def edit(header: list[str], rows: Rows) -> None:
        rows[index].update({column: value, **others})

    return edit


def drop_column(column: str) -> Edit:
    def edit(header: list[str], rows: Rows) -> None:
        header.remove(column)

    return edit


def same_id(header: list[str], rows: Rows) -> None:
    rows[1]["id"] = rows[0]["id"]


FILES: dict[str, tuple[Importer[Any], str]] = {
    "ops": (OPERATIONS, "operations.csv"),
    "forces": (PARALLEL_FORCES, "parallel_forces.csv"),
    "presence": (PRESENCE, "presence_CAF.csv"),
}

BAD_FILES = [
    # (file, edit, row, column, a word of the reason)
    ("ops", set_cell(0, "lead_type", "UN-PKO"), 2, "lead_type", "UN_PKO"),
    ("ops", set_cell(0, "lead_type", "un_pko"), 2, "lead_type", "did you mean 'UN_PKO'"),
    ("ops", set_cell(1, "start_date", "2014-13"), 3, "start_date", "month"),
    ("ops", set_cell(1, "start_date", "March 2014"), 3, "start_date", "YYYY"),
    ("ops", set_cell(0, "end_date", "1947"), 2, "end_date", "before"),
    ("ops", set_cell(0, "host_countries", "ISR;XYZ"), 2, "host_countries", "ISO"),
    ("ops", same_id, 3, "id", "already used on row 2"),
    ("ops", set_cell(2, "acronym", "UNTSO"), 4, "acronym", "already used"),
    ("ops", set_cell(0, "name", ""), 2, "name", "required"),
    ("ops", set_cell(0, "source_url", "undocs.org/S/RES/50"), 2, "source_url", "http"),
    ("ops", drop_column("lead_type"), 1, "lead_type", "missing"),
    ("forces", set_cell(0, "command_relation", "joint"), 2, "command_relation", "coordinated"),
    ("forces", set_cell(0, "end_year", "1980"), 2, "end_year", "before"),
    ("forces", set_cell(0, "un_operation", ""), 2, "un_operation", "UN operation"),
    ("presence", set_cell(0, "latitude", "95"), 2, "latitude", "outside -90..90"),
    ("presence", set_cell(0, "latitude", "4,36"), 2, "latitude", "decimal point"),
    ("presence", set_cell(0, "longitude", "nan"), 2, "longitude", "not a number"),
    ("presence", set_cell(1, "latitude", "48.85"), 3, "latitude", "outside CAF"),
    ("presence", set_cell(0, "longitude", ""), 2, "latitude", "both"),
    ("presence", set_cell(0, "personnel", "-5"), 2, "personnel", "negative"),
    ("presence", set_cell(0, "personnel", "about 100"), 2, "personnel", "whole number"),
    ("presence", set_cell(0, "personnel_women", "3", personnel="2"), 2, "personnel_women", "women"),
    ("presence", set_cell(0, "organization_kind", "NGO"), 2, "organization_kind", "humanitarian"),
    ("presence", set_cell(0, "end", "2013-01"), 2, "end", "before"),
]


def table_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Operation, ParallelForce, Presence, Organization, Area)
    }


def assert_rejected(
    import_file: ImportFile,
    importer: Importer[Any],
    path: Path,
    row: int | None,
    column: str,
    word: str,
) -> None:
    """The import is refused with a problem naming file, row and column, and nothing changes."""
    before, runs = table_counts(), ImportRun.objects.count()
    with pytest.raises(ImportRejected) as caught:
        import_file(importer, path)
    problems = [(p.file, p.row, p.column) for p in caught.value.problems]
    assert (path.name, row, column) in problems, caught.value.summary()
    assert word in caught.value.summary()
    assert table_counts() == before
    assert ImportRun.objects.count() == runs + 1
    rejected = ImportRun.objects.order_by("-started_at").first()
    assert rejected is not None and rejected.outcome == ImportOutcome.REJECTED
    assert rejected.problems and rejected.problems[0]["file"] == path.name


@pytest.mark.parametrize(("file", "edit", "row", "column", "word"), BAD_FILES)
def test_bad_file_is_rejected_whole(
    owner: Organization,
    import_file: ImportFile,
    tmp_path: Path,
    file: str,
    edit: Edit,
    row: int,
    column: str,
    word: str,
) -> None:
    importer, name = FILES[file]
    header, rows = read_rows(name)
    rows = rows[:5]
    edit(header, rows)
    path = write_rows(tmp_path / name, header, rows)
    assert_rejected(import_file, importer, path, row, column, word)


def test_unknown_un_operation_rolls_back(
    operations_run: ImportRun, import_file: ImportFile, tmp_path: Path
) -> None:
    header, rows = read_rows("parallel_forces.csv")
    rows[3]["un_operation"] = "MINUSCA;UNXYZ"
    path = write_rows(tmp_path / "parallel_forces.csv", header, rows)
    assert_rejected(
        import_file, PARALLEL_FORCES, path, 5, "un_operation", "import operations.csv first"
    )


def test_parallel_forces_before_operations(import_file: ImportFile) -> None:
    path = data_file("parallel_forces.csv")
    assert_rejected(import_file, PARALLEL_FORCES, path, None, "un_operation", "import it first")


def test_parallel_force_beside_a_non_un_operation(
    operations_run: ImportRun, import_file: ImportFile, tmp_path: Path
) -> None:
    header, rows = read_rows("parallel_forces.csv")
    rows[0]["un_operation"] = "AMISOM"
    path = write_rows(tmp_path / "parallel_forces.csv", header, rows[:3])
    assert_rejected(import_file, PARALLEL_FORCES, path, 2, "un_operation", "not a UN one")


def test_presence_needs_a_country(import_file: ImportFile, tmp_path: Path) -> None:
    header, rows = read_rows("presence_CAF.csv")
    path = write_rows(tmp_path / "presence.csv", header, rows[:3])
    assert_rejected(import_file, PRESENCE, path, 1, "country", "country")


def test_presence_country_column_overrides_file_name(
    import_file: ImportFile, tmp_path: Path
) -> None:
    header, rows = read_rows("presence_CAF.csv")
    for row in rows[:3]:
        row["country"] = "CAF"
    path = write_rows(tmp_path / "presence.csv", [*header, "country"], rows[:3])
    run = import_file(PRESENCE, path)
    assert run.added == 3
    assert set(Presence.objects.values_list("country_code", flat=True)) == {"CAF"}


def test_unknown_extra_columns_are_fine(import_file: ImportFile, tmp_path: Path) -> None:
    header, rows = read_rows("operations.csv")
    path = write_rows(tmp_path / "operations.csv", [*header, "comment"], rows[:4])
    assert import_file(OPERATIONS, path).added == 4


def test_copy_under_another_name_is_the_same_data(
    operations_run: ImportRun, import_file: ImportFile, tmp_path: Path
) -> None:
    copy = shutil.copy(data_file("operations.csv"), tmp_path / "ops-2024.csv")
    assert import_file(OPERATIONS, Path(copy)).unchanged == 168


@pytest.mark.parametrize(
    ("text", "first", "precision"),
    [
        ("2014", date(2014, 1, 1), "year"),
        ("2014-09", date(2014, 9, 1), "month"),
        ("2024-02-29", date(2024, 2, 29), "day"),
    ],
)
def test_parse_period(text: str, first: date, precision: str) -> None:
    period = parse_period(text)
    assert (period.first, period.precision) == (first, precision)


@pytest.mark.parametrize("text", ["2014-13", "2014-00", "2023-02-29", "14-09", "2014/09", "1850"])
def test_parse_period_refuses(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_period(text)


def test_another_organizations_copy_never_takes_over_the_registry(
    operations_run: ImportRun, owner: Organization, tmp_path: Path
) -> None:
    """An analyst of another organization uploads a changed copy of the operations registry:
    the installation's records keep their owner and their values, and the run says why."""
    other = Organization.objects.create(name="Another organization", slug="another-org")
    header, rows = read_rows("operations.csv")
    rows[0]["name"] = "Renamed by someone else"
    run = do_import(OPERATIONS, write_rows(tmp_path / "operations.csv", header, rows), owner=other)

    assert (run.added, run.updated, run.unchanged) == (0, 0, len(rows))
    untso = Operation.objects.get(slug="untso")
    assert (untso.owner_id, untso.name) == (
        owner.pk,
        "United Nations Truce Supervision Organization",
    )
    assert not Operation.objects.filter(owner=other).exists()
    assert any("another organization" in p["reason"] for p in run.problems)
