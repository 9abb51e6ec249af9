"""The `commonground` command on the real data, as an operator uses it."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from commonground.cli.main import cli
from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.sharing.models import Licence

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def ged_rows(data_dir: Path) -> list[dict[str, str]]:
    with (data_dir / "ged_23_1_CAF.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_import_then_stats_match_the_real_file(data_dir: Path) -> None:
    code, _out, _err = run("import", "ged", str(data_dir / "ged_23_1_CAF.csv"), "--quiet")
    assert code == 0
    code, out, _err = run("stats", "--json")
    assert code == 0
    stats = json.loads(out)
    rows = ged_rows(data_dir)
    assert stats["events"] == len(rows)
    assert stats["events_by_dataset"] == {"ucdp-ged": len(rows)}
    assert stats["events_by_year"] == dict(sorted(Counter(r["year"] for r in rows).items()))
    assert stats["fatalities_best"] == sum(int(r["best"]) for r in rows)
    assert stats["civilian_deaths"] == sum(int(r["deaths_civilians"]) for r in rows)
    for key in ("operations", "parallel_forces", "organizations", "presence", "imports"):
        assert isinstance(stats[key], int)
    assert stats["imports"] == 1


def test_reimport_changes_nothing(data_dir: Path) -> None:
    path = str(data_dir / "ged_23_1_CAF.csv")
    assert run("import", "ged", path, "--quiet")[0] == 0
    assert run("import", "ged", path, "--quiet")[0] == 0
    latest = ImportRun.objects.order_by("-started_at").first()
    assert latest is not None
    assert (latest.added, latest.updated, latest.unchanged) == (0, 0, len(ged_rows(data_dir)))
    assert Event.objects.count() == len(ged_rows(data_dir))


def test_rejected_file_exits_2_names_the_problem_and_changes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "ged_23_1_bad.csv"
    bad.write_text("id;year;best\n1;2020;3\n", encoding="utf-8")
    code, _out, err = run("import", "ged", str(bad), "--quiet")
    assert code == 2
    assert "ged_23_1_bad.csv, row 1" in err and "semicolons" in err
    assert Event.objects.count() == 0


def test_unknown_owner_exits_1(data_dir: Path) -> None:
    code, _out, err = run("import", "ged", str(data_dir / "ged_23_1_CAF.csv"), "--owner", "nope")
    assert code == 1
    assert "nope" in err


def test_export_hxl_has_hashtags_and_neutralises_formulas(data_dir: Path, tmp_path: Path) -> None:
    rows = ged_rows(data_dir)[:5]
    rows[0]["where_coordinates"] = '=HYPERLINK("http://evil.example","click")'
    path = tmp_path / "ged_23_1_formula.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert run("import", "ged", str(path), "--quiet")[0] == 0
    out_file = tmp_path / "events.csv"
    code, _out, err = run("export", "events", "--format", "hxl", "-o", str(out_file))
    assert code == 0 and "Exported 5 events" in err
    lines = list(csv.reader(out_file.open(encoding="utf-8")))
    assert lines[1][0].startswith("#")
    places = [line[lines[0].index("place")] for line in lines[2:]]
    assert "'" + rows[0]["where_coordinates"] in places
    stored = Event.objects.get(source_id=rows[0]["id"]).place
    assert stored == rows[0]["where_coordinates"]


@pytest.mark.parametrize("country", ["XYZ", "FRA", "caf-"])
def test_export_of_an_unknown_country_exits_2_and_says_so(
    data_dir: Path, tmp_path: Path, country: str
) -> None:
    # FRA is a real code, but no event in France was ever imported: unknown here.
    assert run("import", "ged", str(data_dir / "ged_23_1_CAF.csv"), "--quiet")[0] == 0
    out_file = tmp_path / "events.csv"
    code, _out, err = run(
        "export", "events", "--country", country, "--format", "csv", "-o", str(out_file)
    )
    assert code == 2
    assert f"no country {country.upper()} is known here" in err
    assert not out_file.exists()


def test_export_of_a_known_country_in_lower_case_exports_its_events(
    data_dir: Path, tmp_path: Path
) -> None:
    assert run("import", "ged", str(data_dir / "ged_23_1_CAF.csv"), "--quiet")[0] == 0
    out_file = tmp_path / "events.csv"
    code, _out, err = run(
        "export", "events", "--country", "caf", "--format", "csv", "-o", str(out_file)
    )
    assert code == 0
    assert f"Exported {len(ged_rows(data_dir))} events" in err


def test_export_geojson_filters_by_country_and_period(data_dir: Path, tmp_path: Path) -> None:
    assert run("import", "ged", str(data_dir / "ged_23_1_CAF.csv"), "--quiet")[0] == 0
    out_file = tmp_path / "events.geojson"
    code, _o, _e = run(
        "export",
        "events",
        "--country",
        "CAF",
        "--from",
        "2014-01-01",
        "--to",
        "2014-12-31",
        "--format",
        "geojson",
        "-o",
        str(out_file),
    )
    assert code == 0
    features = json.loads(out_file.read_text())["features"]
    expected = [r for r in ged_rows(data_dir) if r["date_start"][:4] == "2014"]
    assert len(features) == len(expected)


def test_raw_acled_rows_are_never_exported(data_dir: Path, tmp_path: Path) -> None:
    assert run("import", "ged", str(data_dir / "ged_23_1_CAF.csv"), "--quiet")[0] == 0
    # Stand-in for ACLED rows: the licence, not the source, is what the policy reads.
    Event.objects.filter(date_start__year=2014).update(dataset="acled", licence=Licence.ACLED)
    held = Event.objects.filter(dataset="acled").count()
    code, _out, err = run("export", "events", "--dataset", "acled", "--format", "csv")
    assert code == 2 and "Refused" in err
    out_file = tmp_path / "all.csv"
    code, _out, err = run("export", "events", "--format", "csv", "-o", str(out_file))
    assert code == 0 and f"left out {held} raw rows" in err
    exported = list(csv.DictReader(out_file.open(encoding="utf-8")))
    assert len(exported) == Event.objects.count() - held
    assert {row["dataset"] for row in exported} == {"ucdp-ged"}


def write_extract(data_dir: Path, path: Path, rows: int = 20) -> set[str]:
    """``rows`` real rows of the CAR file, written as a UCDP-named extract; their ids."""
    every = ged_rows(data_dir)
    chosen = every[:: len(every) // rows][:rows]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(chosen[0]))
        writer.writeheader()
        writer.writerows(chosen)
    return {row["id"] for row in chosen}


def test_dry_run_shows_what_would_change_and_writes_nothing(data_dir: Path, tmp_path: Path) -> None:
    assert run("import", "ged", str(data_dir / "ged_23_1_CAF.csv"), "--quiet")[0] == 0
    extract = tmp_path / "ged_23_1_extract.csv"
    write_extract(data_dir, extract)
    runs = ImportRun.objects.count()
    code, out, err = run("import", "ged", str(extract), "--dry-run", "--replace-release")
    assert code == 0
    assert "This installation" in out and "1,828" in out
    assert "nothing was written" in err
    assert ImportRun.objects.count() == runs
    assert not Event.objects.filter(withdrawn=True).exists()


def test_replace_release_then_list_and_undo_the_withdrawals(data_dir: Path, tmp_path: Path) -> None:
    assert run("import", "ged", str(data_dir / "ged_23_1_CAF.csv"), "--quiet")[0] == 0
    extract = tmp_path / "ged_23_1_extract.csv"
    kept = write_extract(data_dir, extract)
    assert run("import", "ged", str(extract), "--quiet")[0] == 0
    assert not Event.objects.filter(withdrawn=True).exists()  # not asked: nothing withdrawn

    assert run("import", "ged", str(extract), "--quiet", "--replace-release")[0] == 0
    latest = ImportRun.objects.order_by("-started_at").first()
    assert latest is not None and latest.removed == len(ged_rows(data_dir)) - len(kept)
    code, out, _err = run("imports", "list")
    assert code == 0 and latest.pk.hex[:8] in out
    code, out, _err = run("imports", "withdrawn", latest.pk.hex[:8], "--limit", "5")
    assert code == 0 and f"{latest.removed:,}" in out
    code, out, _err = run("imports", "undo-withdrawals", latest.pk.hex)
    assert code == 0 and f"Brought back {latest.removed:,}" in out
    assert not Event.objects.filter(withdrawn=True).exists()
    code, _out, err = run("imports", "undo-withdrawals", latest.pk.hex)
    assert code == 1 and "already undone" in err


def test_a_renamed_ged_file_needs_the_version_option(data_dir: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "caf_events.csv"
    renamed.write_bytes((data_dir / "ged_23_1_CAF.csv").read_bytes())
    code, _out, err = run("import", "ged", str(renamed), "--quiet")
    assert code == 2 and "--version" in err
    assert run("import", "ged", str(renamed), "--quiet", "--version", "23.1")[0] == 0
    assert set(Event.objects.values_list("dataset_version", flat=True)) == {"23.1"}
    code, _out, err = run(
        "import", "operations", str(data_dir / "operations.csv"), "--version", "1"
    )
    assert code == 2 and "take none" in err


@pytest.mark.parametrize("command", [["stats"], ["imports", "list"], ["token", "list"]])
def test_commands_before_init_say_to_run_init(tmp_path: Path, command: list[str]) -> None:
    """A fresh COMMONGROUND_HOME (an empty SQLite file): a sentence, exit 2, no traceback."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
    env.update(COMMONGROUND_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="commonground.settings")
    done = subprocess.run(  # noqa: S603 (our own interpreter and module, fixed arguments)
        [sys.executable, "-c", "from commonground.cli.main import main; main()", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "commonground init" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
