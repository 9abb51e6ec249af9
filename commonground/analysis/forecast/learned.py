"""The learned model: gradient boosting of expected deaths, turned into samples by analogs.

One LightGBM model (Tweedie loss, log link) predicts the expected deaths of a unit ``step``
months after the origin from what is known at the origin: the unit's own recent deaths (lags,
rolling means, months since the last death), deaths by violence type, events, the neighbours'
recent deaths (spatial lag through the admin-1 adjacency), the national totals, the presence of
operations and other actors (registry presence records), and short-against-long trends. The step
is a feature, so the twelve horizons share one model (VIEWS' "direct" approach, steps pooled).

Samples: a count distribution around a mean (negative binomial) and a hurdle model (classifier
plus log-size regression) both scored worse on CRPS than the local+global mixture baseline in
the CAR backtest (docs/forecasting.md). What works better is to draw half the samples from the
unit's own last 12 months (as the mixture baseline does) and half from *analogs*: the outcomes of
the calibration rows (the last 36 months of the training window, predicted out of sample by a
model trained without them) whose expected value is closest to this forecast's. The learned part
thus replaces the mixture's unconditional global bootstrap by a bootstrap conditioned on the
features.

Everything is computed from the :class:`History` passed in, which ends at the origin: the model
cannot see later months (a test plants a future spike to prove it).
"""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np

from commonground.analysis.forecast.data import History, Target

MODEL_VERSION = "lgbm-analogs-1"
STEPS = 12
#: Months skipped at the start of the record so that yearly windows are full.
WARM_UP = 12
#: Months held out at the end of the training window to fit the dispersion out of sample.
CALIBRATION_MONTHS = 36
MAX_SINCE = 120
#: Calibration rows whose outcomes a forecast draws from (those with the closest expected value).
ANALOGS = 100
#: Share of the draws taken from the unit's own last 12 months (the rest from the analogs).
LOCAL_SHARE = 0.5
LOCAL_WINDOW = 12

FEATURE_NAMES: tuple[str, ...] = (
    "lag0",
    "lag1",
    "lag2",
    "mean3",
    "mean6",
    "mean12",
    "mean36",
    "mean_all",
    "one_sided12",
    "state_based12",
    "non_state12",
    "events3",
    "events12",
    "since_death",
    "since_one_sided",
    "neighbours3",
    "neighbours12",
    "national3",
    "national12",
    "presence",
    "forces",
    "trend",
    "deaths3",
    "step",
)


@dataclass(frozen=True)
class LearnedParams:
    """Hyper-parameters, fixed before the backtest (not tuned on it) and stored with each run."""

    n_estimators: int = 120
    learning_rate: float = 0.06
    num_leaves: int = 15
    min_child_samples: int = 40
    subsample: float = 0.8
    colsample: float = 0.8
    seed: int = 20230101


def rolling_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Mean over the last ``window`` months up to and including each month (causal)."""
    total = np.cumsum(values, axis=-1)
    shifted = np.zeros_like(total)
    shifted[..., window:] = total[..., :-window]
    count = np.minimum(np.arange(1, values.shape[-1] + 1), window)
    return np.asarray((total - shifted) / count)


def months_since(values: np.ndarray) -> np.ndarray:
    """Months since the last month above zero (capped at ``MAX_SINCE``), per unit and month."""
    since = np.full(values.shape, float(MAX_SINCE))
    running = np.full(values.shape[:-1], float(MAX_SINCE))
    for t in range(values.shape[-1]):
        running = np.where(values[..., t] > 0, 0.0, np.minimum(running + 1, MAX_SINCE))
        since[..., t] = running
    return since


def _lag(values: np.ndarray, k: int) -> np.ndarray:
    lagged = np.zeros_like(values)
    lagged[..., k:] = values[..., : values.shape[-1] - k]
    return lagged


def feature_tensor(history: History, target: Target) -> np.ndarray:
    """Features of every unit and month (units x months x features, without ``step``)."""
    y = history.target(target)
    log = np.log1p
    mean3, mean12 = rolling_mean(y, 3), rolling_mean(y, 12)
    national = np.broadcast_to(history.national, y.shape)
    columns = [
        log(y),
        log(_lag(y, 1)),
        log(_lag(y, 2)),
        log(mean3),
        log(rolling_mean(y, 6)),
        log(mean12),
        log(rolling_mean(y, 36)),
        log(np.cumsum(y, axis=-1) / np.arange(1, y.shape[-1] + 1)),
        log(rolling_mean(history.one_sided, 12)),
        log(rolling_mean(history.state_based, 12)),
        log(rolling_mean(history.non_state, 12)),
        log(rolling_mean(history.events, 3)),
        log(rolling_mean(history.events, 12)),
        months_since(y) / MAX_SINCE,
        months_since(history.one_sided) / MAX_SINCE,
        log(history.neighbours @ rolling_mean(history.deaths, 3)),
        log(history.neighbours @ rolling_mean(history.deaths, 12)),
        log(rolling_mean(national, 3)),
        log(rolling_mean(national, 12)),
        history.presence,
        history.forces,
        log(mean3) - log(mean12),
        log(rolling_mean(history.deaths, 3)),
    ]
    return np.stack(columns, axis=-1)


def training_rows(
    features: np.ndarray, y: np.ndarray, last_target: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(X, y, target month index) of every (unit, origin, step) whose target month is known.

    ``last_target`` is the index of the last month whose value may be a target.
    """
    rows, targets, months = [], [], []
    for step in range(1, STEPS + 1):
        origins = np.arange(WARM_UP, last_target - step + 1)
        if origins.size == 0:
            continue
        block = features[:, origins, :].reshape(-1, features.shape[-1])
        steps = np.full((block.shape[0], 1), float(step))
        rows.append(np.hstack([block, steps]))
        targets.append(y[:, origins + step].reshape(-1))
        months.append(np.tile(origins + step, features.shape[0]))
    if not rows:
        raise ValueError("not enough history to train the learned model")
    return np.vstack(rows), np.concatenate(targets), np.concatenate(months)


def origin_rows(features: np.ndarray) -> np.ndarray:
    """Features at the last month for steps 1..12: (units * steps) x features, unit-major."""
    last = features[:, -1, :]
    units = last.shape[0]
    repeated = np.repeat(last, STEPS, axis=0)
    steps = np.tile(np.arange(1, STEPS + 1, dtype=float), units)[:, None]
    return np.hstack([repeated, steps])


def _booster(x: np.ndarray, y: np.ndarray, params: LearnedParams, objective: str) -> lgb.Booster:
    config = {
        "objective": objective,
        "tweedie_variance_power": 1.5,
        "learning_rate": params.learning_rate,
        "num_leaves": params.num_leaves,
        "min_data_in_leaf": params.min_child_samples,
        "bagging_fraction": params.subsample,
        "bagging_freq": 1,
        "feature_fraction": params.colsample,
        "max_bin": 63,
        "seed": params.seed,
        "deterministic": True,
        "force_col_wise": True,
        "num_threads": 1,  # OpenMP threads spin on a shared, busy machine
        "verbose": -1,
    }
    data = lgb.Dataset(x, label=y, feature_name=list(FEATURE_NAMES), free_raw_data=True)
    return lgb.train(config, data, num_boost_round=params.n_estimators)


@dataclass(frozen=True)
class FittedModel:
    """A trained learned model: draws samples for any history ending at a later origin."""

    booster: lgb.Booster  # expected deaths (Tweedie, log link)
    analog_means: np.ndarray  # out-of-sample expected deaths of the calibration rows, sorted
    analog_values: np.ndarray  # what those rows then saw, in the same order
    target: Target
    fitted_until: int  # the last month the model saw

    def mean(self, history: History) -> np.ndarray:
        """Expected value per unit and step (units x steps) from the history's last month."""
        x = origin_rows(feature_tensor(history, self.target))
        return np.asarray(self.booster.predict(x)).reshape(len(history.units), STEPS)

    def sample(
        self, history: History, steps: int, samples: int, rng: np.random.Generator
    ) -> np.ndarray:
        """Half the draws from the unit's last 12 months, half from its analogs.

        The analogs are the ``ANALOGS`` calibration rows whose out-of-sample expected value is
        closest to this forecast's: what happened after situations the model rated alike.
        """
        mu = self.mean(history)[:, :steps]
        pool = self.analog_means.size
        k = min(ANALOGS, pool)
        start = np.clip(np.searchsorted(self.analog_means, mu) - k // 2, 0, pool - k)
        picks = start[..., None] + rng.integers(0, k, size=(*mu.shape, samples))
        analogs = self.analog_values[picks].astype(np.float64)
        recent = history.target(self.target)[:, -LOCAL_WINDOW:]
        choice = rng.integers(0, recent.shape[1], size=analogs.shape)
        local = recent[np.arange(mu.shape[0])[:, None, None], choice]
        return np.asarray(np.where(rng.random(analogs.shape) < LOCAL_SHARE, local, analogs))


def fit(history: History, target: Target, params: LearnedParams | None = None) -> FittedModel:
    """Train on everything the history holds (it ends at the origin); see the module docstring."""
    params = params or LearnedParams()
    features = feature_tensor(history, target)
    y = history.target(target)
    last = history.months - 1
    held_out = last - CALIBRATION_MONTHS
    x, y_all, months = training_rows(features, y, last)
    early = months <= held_out
    if early.sum() < params.min_child_samples or (~early).sum() < ANALOGS:
        raise ValueError("not enough history to train the learned model")
    early_model = _booster(x[early], y_all[early], params, "tweedie")
    means = np.asarray(early_model.predict(x[~early]))
    order = np.argsort(means, kind="stable")
    booster = _booster(x, y_all, params, "tweedie")
    return FittedModel(booster, means[order], y_all[~early][order], target, history.last_month)
