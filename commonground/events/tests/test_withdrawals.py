"""No import hides data its user did not mean to replace (issue 10 §1), on the real CAR file.

The installation imports ``ged_23_1_CAF.csv`` (1,848 events); then a 20-row extract of that
same file, written by the test, is imported by another organization's analyst, with and without
``replace_release``, and by the installation itself. Expectations are counted from the file with
the csv module (the ``ged_rows`` fixture), never from the importer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User

from commonground.core.importing import ImportRejected, no_progress
from commonground.core.models import ImportRun
from commonground.core.services import (
    NothingToUndo,
    do_import,
    do_undo_withdrawals,
    preview_import,
)
from commonground.events.importers.ged import GED, parse, version_in_name
from commonground.events.models import Event
from commonground.events.tests.conftest import GedRow, read_csv_rows, write_csv
from commonground.sharing.models import AuditEvent, Organization

EXTRACT_ROWS = 20


@pytest.fixture
def extract(tmp_path: Path, ged_header: list[str], ged_rows: list[GedRow]) -> Path:
    """Twenty real rows of the release, spread over its years, under UCDP's naming."""
    step = len(ged_rows) // EXTRACT_ROWS
    rows = ged_rows[::step][:EXTRACT_ROWS]
    return write_csv(tmp_path / "ged_23_1_extract.csv", ged_header, rows)


@pytest.fixture
def amina(other_owner: Organization) -> User:
    """An analyst of another organization than the installation that owns the GED events."""
    return User.objects.create_user("amina", password="x")


def extract_ids(path: Path) -> set[str]:
    return {row["id"] for row in read_csv_rows(path)[1]}


def live_events() -> int:
    return Event.objects.filter(withdrawn=False).count()


def test_an_extract_from_another_organization_withdraws_nothing(
    ged_run: ImportRun, owner: Organization, other_owner: Organization, amina: User, extract: Path
) -> None:
    run = do_import(GED, extract, other_owner, user=amina)
    assert (run.added, run.updated, run.unchanged, run.removed) == (0, 0, EXTRACT_ROWS, 0)
    assert live_events() == 1848
    assert set(Event.objects.values_list("owner", flat=True)) == {owner.pk}


def test_replacing_never_withdraws_another_organizations_records(
    ged_run: ImportRun, other_owner: Organization, amina: User, extract: Path
) -> None:
    preview = preview_import(GED, parse(extract, no_progress), other_owner, replace_release=True)
    assert preview.removed == 0
    run = do_import(GED, extract, other_owner, user=amina, replace_release=True)
    assert run.removed == 0
    assert live_events() == 1848
    assert not run.withdrawals.exists()


def test_an_extract_from_the_owner_withdraws_nothing_unless_asked(
    ged_run: ImportRun, owner: Organization, extract: Path
) -> None:
    run = do_import(GED, extract, owner)
    assert (run.unchanged, run.removed) == (EXTRACT_ROWS, 0)
    assert live_events() == 1848


def test_the_check_step_says_what_would_change_per_owner_and_writes_nothing(
    ged_run: ImportRun, owner: Organization, other_owner: Organization, extract: Path
) -> None:
    parsed = parse(extract, no_progress)
    runs = ImportRun.objects.count()

    kept = preview_import(GED, parsed, other_owner)
    replaced = preview_import(GED, parsed, owner, replace_release=True)

    assert [(o.owner, o.unchanged, o.removed) for o in kept.owners] == [
        (owner.name, EXTRACT_ROWS, 0)
    ]
    assert [(o.owner, o.unchanged, o.removed) for o in replaced.owners] == [
        (owner.name, EXTRACT_ROWS, 1848 - EXTRACT_ROWS)
    ]
    assert (replaced.added, replaced.updated) == (0, 0)
    assert live_events() == 1848
    assert ImportRun.objects.count() == runs


def test_replacing_withdraws_exactly_the_missing_ones_lists_them_and_undo_restores_them(
    ged_run: ImportRun, owner: Organization, extract: Path, ged_rows: list[GedRow]
) -> None:
    predicted = preview_import(GED, parse(extract, no_progress), owner, replace_release=True)

    run = do_import(GED, extract, owner, replace_release=True)

    missing = {row["id"] for row in ged_rows} - extract_ids(extract)
    assert run.removed == predicted.removed == len(missing) == 1848 - EXTRACT_ROWS
    withdrawn = set(Event.objects.filter(withdrawn=True).values_list("source_id", flat=True))
    assert withdrawn == missing
    assert set(run.withdrawals.values_list("source_id", flat=True)) == missing

    assert do_undo_withdrawals(run) == len(missing)
    assert live_events() == 1848
    run.refresh_from_db()
    assert run.withdrawals_undone_at is not None
    assert AuditEvent.objects.filter(action="import.withdrawals_undone").count() == 1
    with pytest.raises(NothingToUndo):
        do_undo_withdrawals(run)


def test_a_renamed_file_needs_its_version(
    ged_run: ImportRun, owner: Organization, tmp_path: Path, ged_csv: Path
) -> None:
    renamed = tmp_path / "caf_events.csv"
    renamed.write_bytes(ged_csv.read_bytes())
    with pytest.raises(ImportRejected, match="give the version"):
        do_import(GED, renamed, owner)
    with pytest.raises(ImportRejected, match="is not a GED version"):
        do_import(GED, renamed, owner, version="latest")
    run = do_import(GED, renamed, owner, version="23.1")
    assert (run.dataset_version, run.unchanged, run.removed) == ("23.1", 1848, 0)


def test_a_version_that_contradicts_the_name_is_refused(
    ged_run: ImportRun, owner: Organization, ged_csv: Path
) -> None:
    with pytest.raises(ImportRejected, match=r"file name says GED 23\.1"):
        do_import(GED, ged_csv, owner, version="24.1")


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("ged231.csv", "23.1"),
        ("GEDEvent_v23_1.csv", "23.1"),
        ("ged_23_1_CAF.csv", "23.1"),
        ("GEDEvent_v24_0_3.csv", "24.0.3"),
        ("GEDEvent_v25_01_25_06.csv", "25.01-25.06 (candidate)"),
        ("caf_events.csv", None),
    ],
)
def test_versions_in_ucdp_names(name: str, version: str | None) -> None:
    assert version_in_name(name) == version


def test_another_organizations_changed_rows_never_take_over_the_installations_events(
    ged_run: ImportRun,
    owner: Organization,
    other_owner: Organization,
    amina: User,
    tmp_path: Path,
    ged_header: list[str],
    ged_rows: list[GedRow],
) -> None:
    """A shared dataset stays one copy, and its holder's: another organization's file whose
    rows differ (a doctored or newer extract) neither rewrites nor takes the events over."""
    doctored = [dict(row, best="999", deaths_civilians="999") for row in ged_rows[:EXTRACT_ROWS]]
    path = write_csv(tmp_path / "ged_23_1_doctored.csv", ged_header, doctored)
    before = dict(Event.objects.filter(source_id__in=extract_ids(path)).values_list("id", "owner"))

    preview = preview_import(GED, parse(path, no_progress), other_owner, replace_release=False)
    run = do_import(GED, path, other_owner, user=amina)

    assert (preview.updated, run.updated, run.added) == (0, 0, 0)
    assert run.unchanged == EXTRACT_ROWS
    after = Event.objects.filter(id__in=before)
    assert dict(after.values_list("id", "owner")) == before
    assert not after.filter(fatalities_best=999).exists()
    assert any("another organization" in p["reason"] for p in run.problems)


def test_the_holder_of_a_shared_dataset_still_updates_its_events(
    ged_run: ImportRun,
    owner: Organization,
    tmp_path: Path,
    ged_header: list[str],
    ged_rows: list[GedRow],
) -> None:
    revised = [dict(row, best="999") for row in ged_rows[:EXTRACT_ROWS]]
    path = write_csv(tmp_path / "ged_23_1_revised.csv", ged_header, revised)
    run = do_import(GED, path, owner)
    assert run.updated == EXTRACT_ROWS
    assert Event.objects.filter(fatalities_best=999).count() == EXTRACT_ROWS
