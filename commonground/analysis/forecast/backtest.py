"""Rolling-origin backtest: forecast from every origin with only what was known then, and score.

For each origin month ``o`` (the last month of data a forecast may use) and step ``s`` in 1..12,
every model forecasts month ``o + s`` from ``history.until(o)``; forecasts whose month lies past
the data are not scored. The learned model is retrained every ``refit_every`` origins, each time
on the history up to that origin, and used for the following origins: it never sees a month
after the origin it forecasts from (it sees a little less than it could, never more).

Random draws use one generator per (seed, model, origin), so a run is reproducible and adding a
model does not change the draws of the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from commonground.analysis.forecast import learned, metrics
from commonground.analysis.forecast.baselines import BASELINES
from commonground.analysis.forecast.data import History, Target
from commonground.analysis.panels import month_label

LEARNED = "lgbm"
MODELS: tuple[str, ...] = (*BASELINES, LEARNED)
STEPS = 12
QUANTILE_LEVELS = np.round(np.arange(1, 100) / 100, 2)
#: The steps the goal is stated for: the best baseline is the best over these.
GOAL_STEPS = range(1, 7)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BacktestConfig:
    first_origin: int
    last_origin: int
    models: tuple[str, ...] = MODELS
    target: Target = "deaths"
    samples: int = 1000
    seed: int = 20230101
    refit_every: int = 12
    keep_quantiles: bool = False


@dataclass
class ModelScores:
    """Scores (origins x steps x units) of one model; NaN where the month is past the data."""

    crps: np.ndarray
    ign: np.ndarray
    interval: np.ndarray
    covered: np.ndarray
    p_any: np.ndarray
    mean: np.ndarray
    quantiles: np.ndarray | None = None  # origins x steps x units x levels, only if kept


@dataclass
class BacktestResult:
    country: str
    level: str
    target: Target
    units: tuple[str, ...]
    origins: list[int]
    observed: np.ndarray  # origins x steps x units, NaN past the data
    scores: dict[str, ModelScores] = field(default_factory=dict)


def _sampler(
    name: str, history: History, target: Target, fitted: learned.FittedModel | None
) -> Callable[[int, int, np.random.Generator], np.ndarray]:
    if name == LEARNED:
        if fitted is None:
            raise ValueError("the learned model was not fitted")
        return lambda steps, n, rng: fitted.sample(history, steps, n, rng)
    baseline = BASELINES[name]
    y = history.target(target)
    return lambda steps, n, rng: baseline(y, steps, n, rng)


def _observed(history: History, target: Target, origins: list[int]) -> np.ndarray:
    y = history.target(target)
    out = np.full((len(origins), STEPS, len(history.units)), np.nan)
    for i, origin in enumerate(origins):
        for step in range(1, STEPS + 1):
            index = origin + step - history.first_month
            if index < history.months:
                out[i, step - 1] = y[:, index]
    return out


def _empty_scores(shape: tuple[int, int, int], keep: bool) -> ModelScores:
    def nan() -> np.ndarray:
        return np.full(shape, np.nan)

    quantiles = np.full((*shape, len(QUANTILE_LEVELS)), np.nan) if keep else None
    return ModelScores(nan(), nan(), nan(), nan(), nan(), nan(), quantiles)


def _score_into(scores: ModelScores, i: int, samples: np.ndarray, observed: np.ndarray) -> None:
    """Score one origin's samples (units x steps x n) against observed (steps x units)."""
    draws = samples.transpose(1, 0, 2)  # steps x units x n
    known = ~np.isnan(observed)
    y = np.where(known, observed, 0.0)
    scores.crps[i] = np.where(known, metrics.crps(draws, y), np.nan)
    scores.ign[i] = np.where(known, metrics.ignorance(draws, y), np.nan)
    interval, covered = metrics.interval_score(draws, y)
    scores.interval[i] = np.where(known, interval, np.nan)
    scores.covered[i] = np.where(known, covered, np.nan)
    scores.p_any[i] = metrics.p_any(draws)
    scores.mean[i] = draws.mean(axis=-1)
    if scores.quantiles is not None:
        scores.quantiles[i] = np.moveaxis(np.quantile(draws, QUANTILE_LEVELS, axis=-1), 0, -1)


def run_backtest(
    history: History, config: BacktestConfig, progress: Progress | None = None
) -> BacktestResult:
    """Forecast and score every model from every origin (see the module docstring)."""
    origins = list(range(config.first_origin, config.last_origin + 1))
    if not origins or origins[0] <= history.first_month + learned.WARM_UP:
        raise ValueError("the first origin must leave at least a year of history")
    observed = _observed(history, config.target, origins)
    result = BacktestResult(
        history.country, history.level, config.target, history.units, origins, observed
    )
    shape = (len(origins), STEPS, len(history.units))
    for name in config.models:
        result.scores[name] = _empty_scores(shape, config.keep_quantiles)
    fitted: learned.FittedModel | None = None
    for i, origin in enumerate(origins):
        past = history.until(origin)
        if LEARNED in config.models and (fitted is None or i % config.refit_every == 0):
            fitted = learned.fit(past, config.target, learned.LearnedParams(seed=config.seed))
        for k, name in enumerate(config.models):
            rng = np.random.default_rng([config.seed, MODELS.index(name), origin])
            samples = _sampler(name, past, config.target, fitted)(STEPS, config.samples, rng)
            _score_into(result.scores[name], i, samples, observed[i])
            del k
        if progress:
            progress(i + 1, len(origins))
    return result


def _by_step(values: np.ndarray) -> dict[str, float]:
    return {
        str(step): round(float(np.nanmean(values[:, step - 1])), 6) for step in range(1, STEPS + 1)
    }


def model_summary(scores: ModelScores, observed: np.ndarray) -> dict[str, dict[str, float]]:
    """Per-step averages over origins and units, the shape the JSON output promises."""
    ap = {}
    for step in range(1, STEPS + 1):
        known = ~np.isnan(observed[:, step - 1])
        value = metrics.average_precision(
            scores.p_any[:, step - 1][known], observed[:, step - 1][known]
        )
        ap[str(step)] = round(value, 6)
    brier = metrics.brier(scores.p_any, np.nan_to_num(observed))
    brier = np.where(np.isnan(observed), np.nan, brier)
    return {
        "crps": _by_step(scores.crps),
        "brier_any": _by_step(brier),
        "ap_any": ap,
        "ign": _by_step(scores.ign),
        "coverage90": _by_step(scores.covered),
        "interval90": _by_step(scores.interval),
    }


def goal_crps(scores: ModelScores, steps: Iterable[int] = GOAL_STEPS) -> float:
    """Mean CRPS over the goal's steps (all origins and units)."""
    chosen = [s - 1 for s in steps]
    return float(np.nanmean(scores.crps[:, chosen]))


def best_baseline(result: BacktestResult) -> str | None:
    """The baseline with the lowest mean CRPS over steps 1-6 (ties: the first in BASELINES)."""
    names = [name for name in BASELINES if name in result.scores]
    return min(names, key=lambda n: goal_crps(result.scores[n])) if names else None


def summary(result: BacktestResult) -> dict[str, object]:
    """The backtest as one JSON-ready object (see ``docs/forecasting.md``)."""
    return {
        "country": result.country,
        "level": result.level,
        "target": result.target,
        "origins": {
            "first": month_label(result.origins[0]),
            "last": month_label(result.origins[-1]),
            "count": len(result.origins),
        },
        "models": {
            name: model_summary(scores, result.observed) for name, scores in result.scores.items()
        },
        "best_baseline": best_baseline(result),
    }
