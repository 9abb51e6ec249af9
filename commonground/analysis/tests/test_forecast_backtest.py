"""`commonground forecast backtest` on the real CAR data: JSON shape, files, determinism."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from commonground.analysis.forecast.backtest import MODELS
from commonground.analysis.forecast.baselines import BASELINES
from commonground.analysis.forecast.data import load_history
from commonground.analysis.panels import parse_month
from commonground.cli.main import cli

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ged_imported")]

SHORT = ["--country", "CAF", "--origins", "2015-01:2015-03", "--samples", "100", "--quiet"]
METRICS = {"crps", "brier_any", "ap_any", "ign", "coverage90", "interval90"}


def backtest(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["forecast", "backtest", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.slow
def test_json_has_every_model_metric_and_step_and_is_deterministic(tmp_path: Path) -> None:
    code, out, _err = backtest(*SHORT, "--json", "--out", str(tmp_path / "files"))
    assert code == 0
    answer = json.loads(out)
    assert answer["level"] == "admin1"
    assert answer["origins"] == {"first": "2015-01", "last": "2015-03", "count": 3}
    assert list(answer["models"]) == list(MODELS)
    for scores in answer["models"].values():
        assert set(scores) == METRICS
        for metric in METRICS:
            assert list(scores[metric]) == [str(s) for s in range(1, 13)]
    assert answer["best_baseline"] in BASELINES
    assert answer["goal"]["baseline"] == answer["best_baseline"]
    assert backtest(*SHORT, "--json")[1] == out  # same seed, same numbers

    forecasts = pl.read_parquet(tmp_path / "files" / "forecasts.parquet")
    assert forecasts.height == len(MODELS) * 3 * 12 * 17
    assert forecasts.get_column("quantiles").list.len().unique().to_list() == [99]
    observed = pl.read_parquet(tmp_path / "files" / "observed.parquet")
    assert observed.height == forecasts.select("unit", "month").unique().height


def test_country_level_and_a_model_subset() -> None:
    code, out, _err = backtest(*SHORT, "--level", "country", "--models", "zero,mixture", "--json")
    assert code == 0
    answer = json.loads(out)
    assert list(answer["models"]) == ["zero", "mixture"]
    assert "goal" not in answer  # no learned model, no gain to state
    # The zero forecast's CRPS is the observed deaths: step 1 is the mean of 2015-02..04.
    history = load_history("CAF", "country")
    start = parse_month("2015-02") - history.first_month
    expected = history.deaths[0, start : start + 3].mean()
    assert answer["models"]["zero"]["crps"]["1"] == pytest.approx(expected, abs=1e-6)


def test_bad_options_are_refused_with_a_reason() -> None:
    code, _out, err = backtest(*SHORT[:2], "--origins", "2015-01")
    assert code == 2 and "FROM:TO" in err
    code, _out, err = backtest(*SHORT[:2], "--models", "zero,oracle")
    assert code == 2 and "oracle" in err
