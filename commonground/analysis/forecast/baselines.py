"""The standard baselines of conflict forecasting, as VIEWS and its prediction challenges use.

Each baseline takes the target's history up to the origin (units x months) and returns samples
of shape (units, steps, samples). None learns anything; a learned model earns its keep only by
beating the best of them. All draws come from the generator passed in, so results are
reproducible from a seed.

- ``zero``: no deaths, ever. Hard to beat on mostly quiet unit-months.
- ``last``: the last month's value, for every step (a point forecast: every sample equal).
- ``mean12``: the mean of the last 12 months (a point forecast).
- ``conflictology``: draws from the unit's own last 12 months (VIEWS' "conflictology").
- ``bootstrap``: draws from every unit-month of the whole history (the global bootstrap).
- ``poisson``: Poisson draws around the last value (VIEWS' "last historical Poisson").
- ``mixture``: half the draws from the unit's last 12 months, half from the global bootstrap.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Baseline = Callable[[np.ndarray, int, int, np.random.Generator], np.ndarray]

WINDOW = 12


def _repeat(values: np.ndarray, steps: int, samples: int) -> np.ndarray:
    return np.broadcast_to(values[:, None, None], (values.shape[0], steps, samples)).astype(
        np.float64
    )


def zero(y: np.ndarray, steps: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    return np.zeros((y.shape[0], steps, samples))


def last(y: np.ndarray, steps: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    return _repeat(y[:, -1], steps, samples)


def mean12(y: np.ndarray, steps: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    return _repeat(y[:, -WINDOW:].mean(axis=1), steps, samples)


def conflictology(y: np.ndarray, steps: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    recent = y[:, -WINDOW:]
    picks = rng.integers(0, recent.shape[1], size=(y.shape[0], steps, samples))
    return recent[np.arange(y.shape[0])[:, None, None], picks].astype(np.float64)


def bootstrap(y: np.ndarray, steps: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    pool = y.reshape(-1)
    return pool[rng.integers(0, pool.size, size=(y.shape[0], steps, samples))].astype(np.float64)


def poisson(y: np.ndarray, steps: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    lam = np.broadcast_to(y[:, -1][:, None, None], (y.shape[0], steps, samples))
    return rng.poisson(lam).astype(np.float64)


def mixture(y: np.ndarray, steps: int, samples: int, rng: np.random.Generator) -> np.ndarray:
    local = conflictology(y, steps, samples, rng)
    pooled = bootstrap(y, steps, samples, rng)
    return np.where(rng.random(local.shape) < 0.5, local, pooled)


BASELINES: dict[str, Baseline] = {
    "zero": zero,
    "last": last,
    "mean12": mean12,
    "conflictology": conflictology,
    "bootstrap": bootstrap,
    "poisson": poisson,
    "mixture": mixture,
}
