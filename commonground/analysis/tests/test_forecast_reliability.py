"""The backtest figures shown beside forecasts are the documented ones (docs/forecasting.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from commonground.analysis.forecast.learned import MODEL_VERSION
from commonground.analysis.forecast.reliability import Reliability, documented_runs, reliability

DOC = (Path(__file__).resolve().parents[3] / "docs" / "forecasting.md").read_text(encoding="utf-8")


def percent(value: float) -> str:
    return f"{value * 100:+.1f} %".replace("+-", "-")


def test_the_admin1_figures_are_those_of_the_documented_backtest() -> None:
    run = reliability("CAF", "admin1", MODEL_VERSION)
    assert run is not None
    assert f"{run.origins} origins {run.first_origin}..{run.last_origin}" in DOC
    assert f"CRPS {run.model_crps:.3f} vs {run.baseline_crps:.3f}" in DOC
    assert f"a gain\nof **{run.gain * 100:.1f} %**" in DOC
    assert f"interval {run.gain_low * 100:.1f} % to {percent(run.gain_high)}" in DOC
    cell, number = r" \| [^|]+", r" \| \**([\d.]+)\**"
    row = r"^\| lgbm" + number + cell * 2 + number + cell * 3 + number + r" \|$"
    lgbm = re.search(row, DOC, re.M)
    mixture = re.search(r"^\| mixture \| ([\d.]+) \|", DOC, re.M)
    assert lgbm is not None and mixture is not None
    assert (run.brier_step1, run.coverage90_step1, run.coverage90_step6) == tuple(
        float(g) for g in lgbm.groups()
    )
    assert run.baseline_brier_step1 == float(mixture.group(1))


def test_the_country_figures_are_those_of_the_documented_backtest() -> None:
    run = reliability("CAF", "country", MODEL_VERSION)
    assert run is not None
    assert f"lgbm {run.model_crps:.2f} vs mixture {run.baseline_crps:.2f}" in DOC
    assert f"gain {percent(run.gain)}" in DOC.replace("+0.04 %", "+0.0 %")
    assert f"interval {run.gain_low * 100:.1f} % to {percent(run.gain_high)}" in DOC


@pytest.mark.parametrize(
    ("gain", "low", "high", "verdict"),
    [
        (-0.002, -0.044, 0.011, "same"),  # the documented admin-1 run
        (0.20, 0.10, 0.30, "better"),
        (0.03, 0.01, 0.05, "same"),  # significant, but too small to call better
        (-0.20, -0.30, -0.10, "worse"),
    ],
)
def test_the_verdict_in_words(gain: float, low: float, high: float, verdict: str) -> None:
    run = Reliability(
        "CAF", "admin1", "v", 10, "2013-01", "2013-10", "mixture", 1, 1, gain, low, high
    )
    assert run.verdict == verdict


def test_every_documented_run_speaks_plainly() -> None:
    for run in documented_runs():
        words = " ".join(run.sentences())
        assert "CRPS" not in words and "baseline" not in words
        assert f"{run.model_crps:.2f}" in words and f"{run.baseline_crps:.2f}" in words
