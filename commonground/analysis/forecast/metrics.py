"""Scores of probabilistic forecasts, as VIEWS computes them, vectorised over samples.

Samples are on the last axis. Each function returns one score per forecast (same shape as the
observations), so the backtest can average them any way and bootstrap over origins.

- CRPS on samples: the energy form ``E|X - y| - E|X - X'| / 2`` over the empirical
  distribution (the estimator of ``properscoring.crps_ensemble`` and of ``scoringrules``'
  ``estimator="nrg"``), computed from sorted samples in O(n log n).
- Ignorance (log score, bits) on the VIEWS bins of deaths: 0, 1-2, 3-5, 6-10, 11-25, 26-50,
  51-100, 101-250, 251-500, 501-1000, more than 1000. The sample frequency of each bin is shrunk
  towards the uniform ``(1 - eps) * f + eps / 11`` with ``eps = 0.01``, so a bin no sample fell
  in costs about 10 bits instead of infinity.
- 90 % interval score (Gneiting and Raftery 2007) of the central interval between the 5 % and
  95 % sample quantiles, and whether it covers the observation.
- Brier score and average precision for "any death", the probability being the share of
  samples above zero.
"""

from __future__ import annotations

import numpy as np
from sklearn.metrics import average_precision_score

#: Upper edges of the VIEWS bins (deaths); the last bin is everything above 1000.
VIEWS_BIN_EDGES = np.array([0.5, 2.5, 5.5, 10.5, 25.5, 50.5, 100.5, 250.5, 500.5, 1000.5])
IGN_EPSILON = 0.01
INTERVAL_ALPHA = 0.1


def crps(samples: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """CRPS of each sample ensemble (last axis) against its observation."""
    ordered = np.sort(samples, axis=-1)
    n = ordered.shape[-1]
    spread_weights = (2 * np.arange(1, n + 1) - n - 1) / (n * n)
    accuracy = np.abs(ordered - observed[..., None]).mean(axis=-1)
    spread = (ordered * spread_weights).sum(axis=-1)
    return np.asarray(accuracy - spread)


def views_bin(values: np.ndarray) -> np.ndarray:
    """The VIEWS bin (0..10) of each value."""
    return np.searchsorted(VIEWS_BIN_EDGES, values, side="right")


def ignorance(samples: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Ignorance score (bits) on the VIEWS bins; see the module docstring for the smoothing."""
    bins = len(VIEWS_BIN_EDGES) + 1
    sample_bins = views_bin(samples)
    hit = (sample_bins == views_bin(observed)[..., None]).mean(axis=-1)
    probability = (1 - IGN_EPSILON) * hit + IGN_EPSILON / bins
    return np.asarray(-np.log2(probability))


def interval(samples: np.ndarray, alpha: float = INTERVAL_ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """The central (1 - alpha) interval of the samples (linear-interpolated quantiles)."""
    low, high = np.quantile(samples, [alpha / 2, 1 - alpha / 2], axis=-1)
    return low, high


def interval_score(
    samples: np.ndarray, observed: np.ndarray, alpha: float = INTERVAL_ALPHA
) -> tuple[np.ndarray, np.ndarray]:
    """Interval score of the central (1 - alpha) interval, and whether it covers (0 or 1)."""
    low, high = interval(samples, alpha)
    below = np.maximum(low - observed, 0)
    above = np.maximum(observed - high, 0)
    score = (high - low) + (2 / alpha) * (below + above)
    covered = ((observed >= low) & (observed <= high)).astype(np.float64)
    return np.asarray(score), covered


def p_any(samples: np.ndarray) -> np.ndarray:
    """Probability of at least one death: the share of samples above zero."""
    return np.asarray((samples > 0).mean(axis=-1))


def brier(probability: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Brier score of each probability of any death."""
    return np.asarray((probability - (observed > 0)) ** 2)


def average_precision(probability: np.ndarray, observed: np.ndarray) -> float:
    """Average precision (scikit-learn) of "any death", pooled over the forecasts given.

    With no month that saw a death there is nothing to rank: NaN, not a flattering number.
    """
    truth = (observed.reshape(-1) > 0).astype(int)
    if truth.sum() == 0:
        return float("nan")
    return float(average_precision_score(truth, probability.reshape(-1)))
