"""``commonground import`` of the new datasets and ``stats --json``, on the real files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from commonground.cli.importers import IMPORTERS
from commonground.cli.main import cli
from commonground.mandates.tests.conftest import EVENTS, FRONTMAP, PROVISIONS, TASKS, TAXONOMY

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def test_import_then_stats_count_each_file(data_dir: Path) -> None:
    steps = (
        ("mandate-taxonomy", TAXONOMY),
        ("mandate-tasks", TASKS),
        ("agreement", PROVISIONS),
        ("agreement-events", EVENTS),
        ("geopko", FRONTMAP),
    )
    for dataset, name in steps:
        assert dataset in IMPORTERS  # offered on the web import page too
        code, out = run("import", dataset, str(data_dir / name), "--quiet")
        assert code == 0, out
    code, out = run("stats", "--json")
    assert code == 0
    stats = json.loads(out)
    rows = {name: pl.read_csv(data_dir / name, infer_schema=False).height for _d, name in steps}
    assert stats["mandate_tasks"] == rows[TASKS]
    assert stats["agreement_provisions"] == rows[PROVISIONS]
    assert stats["agreement_events"] == rows[EVENTS]
    assert stats["deployments"] == rows[FRONTMAP]


def test_a_rejected_file_says_where(data_dir: Path, tmp_path: Path) -> None:
    """Tasks before the taxonomy: refused, exit code 2, the message names file, row, column."""
    code, _out = run("import", "mandate-tasks", str(data_dir / TASKS), "--quiet")
    assert code == 2
    result = CliRunner().invoke(cli, ["import", "mandate-tasks", str(data_dir / TASKS)])
    assert "minusca_mandate_tasks.csv, row 2, column 'task_code'" in result.output
