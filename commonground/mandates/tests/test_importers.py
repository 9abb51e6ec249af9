"""The mandate, agreement and Geo-PKO importers on the real files, and on bad copies of them.

Expected figures are computed here from the CSV files with Polars (never written by hand), so a
changed file changes the answer and the test still checks the importer, not a number.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import polars as pl
import pytest

from commonground.core.importing import ImportRejected
from commonground.core.models import ImportOutcome, ImportRun
from commonground.core.services import do_import
from commonground.mandates import queries
from commonground.mandates.importers import (
    AGREEMENT,
    AGREEMENT_EVENTS,
    GEOPKO,
    MANDATE_TASKS,
    MANDATE_TAXONOMY,
)
from commonground.mandates.models import (
    AgreementEvent,
    Deployment,
    MandateTask,
    Provision,
    Resolution,
    TaskCategory,
)
from commonground.mandates.tests.conftest import (
    EVENTS,
    FRONTMAP,
    PROVISIONS,
    TASKS,
    TAXONOMY,
    read_rows,
    write_rows,
)
from commonground.sharing.models import Organization, Sensitivity

pytestmark = pytest.mark.django_db

TIER_RANK = {"priority": 0, "other": 1, "unstated": 2}


def frame(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


# --- Counts per resolution and tier ---------------------------------------------------------


def test_tasks_per_resolution_and_tier_equal_the_csv(tasks_run: ImportRun, data_dir: Path) -> None:
    tasks = frame(data_dir / TASKS)
    expected = {
        (int(r["resolution"]), r["priority"]): r["len"]
        for r in tasks.group_by("resolution", "priority").len().iter_rows(named=True)
    }
    timeline = queries.mandate_over_time(None, "MINUSCA")
    found = {
        (item.resolution.number, tier): len(group)
        for item in timeline
        for tier, _label, group in item.tier_groups
        if group
    }
    assert found == expected
    per_resolution = dict(tasks.group_by("resolution").len().iter_rows())
    assert {str(i.resolution.number): len(i.tasks) for i in timeline} == per_resolution
    assert tasks_run.outcome == ImportOutcome.SUCCEEDED
    assert (tasks_run.rows_read, tasks_run.added) == (tasks.height, tasks.height)
    assert Resolution.objects.count() == tasks["resolution"].n_unique()


def test_every_task_keeps_its_paragraph_evidence_confidence_and_source(
    tasks_run: ImportRun, data_dir: Path
) -> None:
    _header, rows = read_rows(data_dir / TASKS)
    stored = {t.source_row: t for t in MandateTask.objects.select_related("category", "resolution")}
    assert len(stored) == len(rows)
    for number, row in enumerate(rows, start=2):
        task = stored[number]
        assert task.import_run_id == tasks_run.pk
        assert (task.resolution.number, task.category.key) == (
            int(row["resolution"]),
            row["task_code"],
        )
        assert (task.paragraph, task.confidence, task.evidence, task.source_url) == (
            row["paragraph"],
            row["confidence"],
            row["evidence"],
            row["source_url"],
        )
        assert (task.owner_id, task.sensitivity) == (tasks_run.owner_id, Sensitivity.PUBLIC)


# --- The renewal diff -----------------------------------------------------------------------


def states(tasks: pl.DataFrame, number: str) -> dict[str, tuple[str, frozenset[str]]]:
    """Task code -> (highest tier, modes) in one resolution, computed from the CSV."""
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for row in tasks.filter(pl.col("resolution") == number).iter_rows(named=True):
        tier, modes = out.get(row["task_code"], ("unstated", frozenset()))
        best = min(tier, row["priority"], key=TIER_RANK.__getitem__)
        out[row["task_code"]] = (best, modes | {row["mode"]})
    return out


def test_every_consecutive_diff_equals_set_differences(
    tasks_run: ImportRun, data_dir: Path
) -> None:
    tasks = frame(data_dir / TASKS)
    order = tasks.unique("resolution").sort("adopted")["resolution"].to_list()
    assert len(order) > 2
    for before, after in itertools.pairwise(order):
        old, new = states(tasks, before), states(tasks, after)
        diff = queries.mandate_diff(None, "MINUSCA", int(before), int(after))
        assert diff is not None
        assert {s.code for s in diff.added} == set(new) - set(old)
        assert {s.code for s in diff.dropped} == set(old) - set(new)
        both = set(old) & set(new)
        priority_old = {c for c in both if old[c][0] == "priority"}
        priority_new = {c for c in both if new[c][0] == "priority"}
        assert {b.code for _a, b in diff.promoted} == priority_new - priority_old
        assert {b.code for _a, b in diff.demoted} == priority_old - priority_new
        assert {b.code for _a, b in diff.mode_changed} == {
            c for c in both if old[c][1] != new[c][1]
        }
        assert diff.kept == len(both)


def test_default_diff_is_the_last_renewal(tasks_run: ImportRun, data_dir: Path) -> None:
    order = frame(data_dir / TASKS).unique("resolution").sort("adopted")["resolution"].to_list()
    diff = queries.mandate_diff(None, "MINUSCA", None, None)
    assert diff is not None
    assert (diff.before.number, diff.after.number) == (int(order[-2]), int(order[-1]))
    assert queries.mandate_diff(None, "MINUSCA", 1, 2) is None


# --- Agreement ------------------------------------------------------------------------------


def test_provisions_and_events_equal_the_csv(events_run: ImportRun, data_dir: Path) -> None:
    provisions = frame(data_dir / PROVISIONS)
    events = frame(data_dir / EVENTS)
    assert Provision.objects.count() == provisions.height
    assert AgreementEvent.objects.count() == events.height
    expected_directions = dict(events.group_by("direction").len().iter_rows())
    stored = queries.agreement_events(None, "appr_rca_2019")
    assert {d: sum(1 for e in stored if e.direction == d) for d in expected_directions} == (
        expected_directions
    )
    by_id = {e.key: e for e in stored}
    for row in events.iter_rows(named=True):
        event = by_id[row["event_id"]]
        assert [p.key for p in getattr(event, "visible_provisions")] == [row["provision_code"]]  # noqa: B009 - set by queries, not a model field
        assert event.date.isoformat().startswith(row["date"])
        assert event.date_precision == ("month" if len(row["date"]) == 7 else "day")
        assert event.source_url == row["source_url"]


# --- Geo-PKO --------------------------------------------------------------------------------


def test_geopko_troop_sums_per_mission_and_year_equal_the_csv(
    geopko_run: ImportRun, data_dir: Path
) -> None:
    geo = frame(data_dir / FRONTMAP).with_columns(
        pl.col("NoTroops").replace("NA", None).cast(pl.Int64)
    )
    expected = {
        (r["mission"], int(r["year"])): (r["len"], r["NoTroops"] or 0)
        for r in geo.group_by("mission", "year")
        .agg(pl.len(), pl.col("NoTroops").sum())
        .iter_rows(named=True)
    }
    found = {
        (mission, row["year"]): (row["locations"], row["troops"])
        for mission in geo["mission"].unique()
        for row in queries.troops_by_year(None, mission)
    }
    assert found == expected
    assert Deployment.objects.count() == geo.height == geopko_run.added


# --- Idempotence ----------------------------------------------------------------------------


def test_reimport_changes_nothing(
    tasks_run: ImportRun,
    events_run: ImportRun,
    geopko_run: ImportRun,
    owner: Organization,
    data_dir: Path,
) -> None:
    models = (TaskCategory, Resolution, MandateTask, Provision, AgreementEvent, Deployment)
    before = {m.__name__: sorted(m.objects.values_list("pk", "updated_at")) for m in models}
    for importer, name in (
        (MANDATE_TAXONOMY, TAXONOMY),
        (MANDATE_TASKS, TASKS),
        (AGREEMENT, PROVISIONS),
        (AGREEMENT_EVENTS, EVENTS),
        (GEOPKO, FRONTMAP),
    ):
        run = do_import(importer, data_dir / name, owner=owner)
        assert (run.added, run.updated, run.removed) == (0, 0, 0), name
        assert run.unchanged == run.rows_read > 0
    after = {m.__name__: sorted(m.objects.values_list("pk", "updated_at")) for m in models}
    assert after == before


# --- Bad files ------------------------------------------------------------------------------


def rejected(importer: object, path: Path, owner: Organization) -> ImportRejected:
    with pytest.raises(ImportRejected) as caught:
        do_import(importer, path, owner=owner)  # type: ignore[arg-type]  # one of ours
    return caught.value


def test_tasks_file_missing_a_column_is_refused(
    taxonomy_run: ImportRun, owner: Organization, data_dir: Path, tmp_path: Path
) -> None:
    header, rows = read_rows(data_dir / TASKS)
    header.remove("priority")
    bad = write_rows(tmp_path / "minusca_mandate_tasks.csv", header, rows)
    error = rejected(MANDATE_TASKS, bad, owner)
    assert error.problems[0].file == "minusca_mandate_tasks.csv"
    assert "priority" in str(error)
    assert MandateTask.objects.count() == Resolution.objects.count() == 0


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("adopted", "2014-13-10", "no month 13"),
        ("task_code", "NotATask", "not a code of the task taxonomy"),
        ("priority", "urgent", "is not one of"),
        ("mode", "Protect", "is not one of"),
    ],
)
def test_bad_task_cell_is_refused_with_row_and_column(
    taxonomy_run: ImportRun,
    owner: Organization,
    data_dir: Path,
    tmp_path: Path,
    column: str,
    value: str,
    reason: str,
) -> None:
    header, rows = read_rows(data_dir / TASKS)
    rows[9][column] = value  # spreadsheet row 11
    bad = write_rows(tmp_path / "minusca_mandate_tasks.csv", header, rows)
    error = rejected(MANDATE_TASKS, bad, owner)
    located = [(p.file, p.row, p.column) for p in error.problems]
    assert ("minusca_mandate_tasks.csv", 11, column) in located
    assert reason in str(error)
    assert MandateTask.objects.count() == Resolution.objects.count() == 0
    assert ImportRun.objects.filter(dataset="mandate-tasks").get().outcome == "rejected"


def test_bad_event_date_and_unknown_provision_are_refused(
    provisions_run: ImportRun, owner: Organization, data_dir: Path, tmp_path: Path
) -> None:
    header, rows = read_rows(data_dir / EVENTS)
    rows[0]["date"] = "2019-02-30"
    rows[4]["provision_code"] = "APPR-NOPE-01"
    bad = write_rows(tmp_path / "appr_rca_2019_implementation_events.csv", header, rows)
    error = rejected(AGREEMENT_EVENTS, bad, owner)
    located = {(p.row, p.column) for p in error.problems}
    assert {(2, "date"), (6, "provision_code")} <= located
    assert AgreementEvent.objects.count() == 0


def test_bad_geopko_figure_is_refused(owner: Organization, data_dir: Path, tmp_path: Path) -> None:
    header, rows = read_rows(data_dir / FRONTMAP)
    rows = rows[:50]
    rows[3]["NoTroops"] = "about 200"
    rows[7]["latitude"] = "north"
    bad = write_rows(tmp_path / "FrontMap.csv", header, rows)
    error = rejected(GEOPKO, bad, owner)
    assert {(5, "NoTroops"), (9, "latitude")} <= {(p.row, p.column) for p in error.problems}
    assert Deployment.objects.count() == 0


def test_tasks_without_taxonomy_are_refused(owner: Organization, data_dir: Path) -> None:
    error = rejected(MANDATE_TASKS, data_dir / TASKS, owner)
    assert "import mandate-taxonomy first" in str(error)
    assert MandateTask.objects.count() == 0
