"""What a backtest means: the learned model's gain over the best baseline, and whether it is real.

The gain is ``1 - CRPS(learned) / CRPS(best baseline)`` over steps 1-6, all origins and units.
Forecasts from neighbouring origins share target months and conflict episodes, so origins are not
independent: a moving-block bootstrap over origins (blocks of 12 consecutive origins) keeps that
dependence and gives an interval for the gain.

Also here: writing every forecast and observation as Parquet, so anyone can re-score them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from commonground.analysis.forecast.backtest import (
    GOAL_STEPS,
    LEARNED,
    QUANTILE_LEVELS,
    STEPS,
    BacktestResult,
    best_baseline,
)
from commonground.analysis.panels import month_label

BLOCK = 12
REPLICATES = 2000
GOAL = 0.15


def _per_origin(result: BacktestResult, name: str) -> np.ndarray:
    """Mean CRPS per origin over the goal steps and all units."""
    chosen = [s - 1 for s in GOAL_STEPS]
    return np.asarray(np.nanmean(result.scores[name].crps[:, chosen, :], axis=(1, 2)))


def block_bootstrap_gain(
    result: BacktestResult,
    model: str = LEARNED,
    baseline: str | None = None,
    block: int = BLOCK,
    replicates: int = REPLICATES,
    seed: int = 20230101,
) -> dict[str, object]:
    """Gain of ``model`` over ``baseline`` at steps 1-6, with a 95 % moving-block interval."""
    baseline = baseline or best_baseline(result)
    if baseline is None or model not in result.scores:
        raise ValueError("the backtest has no baseline or no learned model to compare")
    ours, theirs = _per_origin(result, model), _per_origin(result, baseline)
    n = ours.size
    block = min(block, n)
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, n - block + 1, size=(replicates, -(-n // block)))
    index = (starts[..., None] + np.arange(block)).reshape(replicates, -1)[:, :n]
    gains = 1 - ours[index].sum(axis=1) / theirs[index].sum(axis=1)
    low, high = np.quantile(gains, [0.025, 0.975])
    point = 1 - ours.sum() / theirs.sum()
    return {
        "model": model,
        "baseline": baseline,
        "steps": f"{min(GOAL_STEPS)}-{max(GOAL_STEPS)}",
        "crps_model": round(float(ours.mean()), 6),
        "crps_baseline": round(float(theirs.mean()), 6),
        "gain": round(float(point), 6),
        "interval95": [round(float(low), 6), round(float(high), 6)],
        "share_above_zero": round(float((gains > 0).mean()), 4),
        "share_above_goal": round(float((gains >= GOAL).mean()), 4),
        "goal": GOAL,
        "block": block,
        "replicates": replicates,
    }


def forecasts_frame(result: BacktestResult) -> pl.DataFrame:
    """One row per model, origin, step and unit: summaries, the 99 quantiles, and what happened."""
    frames = []
    origins = np.asarray(result.origins)
    o, s, u = np.meshgrid(
        np.arange(len(origins)), np.arange(STEPS), np.arange(len(result.units)), indexing="ij"
    )
    for name, scores in result.scores.items():
        columns: dict[str, object] = {
            "model": name,
            "unit": np.asarray(result.units)[u.ravel()],
            "origin": [month_label(int(m)) for m in origins[o.ravel()]],
            "step": s.ravel() + 1,
            "month": [month_label(int(m)) for m in origins[o.ravel()] + s.ravel() + 1],
            "mean": scores.mean.ravel(),
            "p_any_death": scores.p_any.ravel(),
            "observed": result.observed.ravel(),
            "crps": scores.crps.ravel(),
        }
        if scores.quantiles is not None:
            columns["quantiles"] = scores.quantiles.reshape(-1, len(QUANTILE_LEVELS)).tolist()
        frames.append(pl.DataFrame(columns))
    return pl.concat(frames).filter(pl.col("observed").is_not_nan())


def write_parquet(result: BacktestResult, directory: Path) -> list[Path]:
    """``forecasts.parquet`` (see :func:`forecasts_frame`) and ``observed.parquet``."""
    directory.mkdir(parents=True, exist_ok=True)
    frame = forecasts_frame(result)
    forecasts = directory / "forecasts.parquet"
    frame.write_parquet(forecasts)
    observed = directory / "observed.parquet"
    frame.filter(pl.col("model") == frame.get_column("model")[0]).select(
        "unit", "month", "observed"
    ).unique(["unit", "month"]).sort("unit", "month").write_parquet(observed)
    return [forecasts, observed]
