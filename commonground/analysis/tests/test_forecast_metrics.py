"""Our scores against the reference libraries, on known cases."""

from __future__ import annotations

import numpy as np
import properscoring
import pytest
import scoringrules
from sklearn.metrics import average_precision_score, brier_score_loss

from commonground.analysis.forecast import metrics

RNG = np.random.default_rng(7)
# Heavy-tailed counts with many zeros, like deaths per area-month.
SAMPLES = np.where(RNG.random((40, 300)) < 0.6, 0, RNG.negative_binomial(0.5, 0.02, (40, 300)))
OBSERVED = np.where(RNG.random(40) < 0.6, 0, RNG.negative_binomial(0.5, 0.02, 40)).astype(float)


def test_crps_by_hand() -> None:
    # Point forecast 3 against 5: CRPS is the absolute error.
    assert metrics.crps(np.array([[3.0, 3.0]]), np.array([5.0]))[0] == pytest.approx(2.0)
    # Ensemble {0, 10} against 0: E|X-y| = 5, E|X-X'|/2 = 2.5.
    assert metrics.crps(np.array([[0.0, 10.0]]), np.array([0.0]))[0] == pytest.approx(2.5)


def test_crps_matches_properscoring_and_scoringrules() -> None:
    ours = metrics.crps(SAMPLES.astype(float), OBSERVED)
    assert ours == pytest.approx(properscoring.crps_ensemble(OBSERVED, SAMPLES), rel=1e-9)
    reference = scoringrules.crps_ensemble(OBSERVED, SAMPLES.astype(float), estimator="nrg")
    assert ours == pytest.approx(np.asarray(reference), rel=1e-9)


def test_interval_score_matches_scoringrules() -> None:
    low, high = metrics.interval(SAMPLES.astype(float))
    score, covered = metrics.interval_score(SAMPLES.astype(float), OBSERVED)
    reference = scoringrules.interval_score(OBSERVED, low, high, 0.1)
    assert score == pytest.approx(np.asarray(reference), rel=1e-9)
    assert covered.tolist() == [
        float(lo <= y <= hi) for lo, y, hi in zip(low, OBSERVED, high, strict=True)
    ]


def test_brier_and_average_precision_match_scikit_learn() -> None:
    p = metrics.p_any(SAMPLES)
    truth = (OBSERVED > 0).astype(int)
    assert metrics.brier(p, OBSERVED).mean() == pytest.approx(brier_score_loss(truth, p))
    assert metrics.average_precision(p, OBSERVED) == pytest.approx(
        average_precision_score(truth, p)
    )
    assert np.isnan(metrics.average_precision(p, np.zeros_like(OBSERVED)))


def test_ignorance_on_views_bins() -> None:
    assert metrics.views_bin(np.array([0, 1, 2, 3, 10, 11, 1000, 1001])).tolist() == [
        0, 1, 1, 2, 3, 4, 9, 10
    ]  # fmt: skip
    # All samples in the right bin: p = 0.99 + 0.01 / 11.
    right = metrics.ignorance(np.array([[1.0, 2.0]]), np.array([2.0]))[0]
    assert right == pytest.approx(-np.log2(0.99 + 0.01 / 11))
    # No sample in the observed bin: only the epsilon, about 10.1 bits, not infinity.
    wrong = metrics.ignorance(np.array([[0.0, 0.0]]), np.array([500.0]))[0]
    assert wrong == pytest.approx(-np.log2(0.01 / 11))
