"""What each baseline must return, on small hand-made histories (units x months)."""

from __future__ import annotations

import numpy as np
import pytest

from commonground.analysis.forecast import baselines

# Unit 0: quiet, then 5 deaths in the last month. Unit 1: 1..12 in its last 12 months.
Y = np.array([[0.0] * 13 + [5.0], [100.0, 100.0] + [float(v) for v in range(1, 13)]])


def draw(name: str, samples: int = 2000) -> np.ndarray:
    return baselines.BASELINES[name](Y, 3, samples, np.random.default_rng(1))


def test_every_baseline_gives_units_x_steps_x_samples() -> None:
    for name in baselines.BASELINES:
        assert draw(name, 50).shape == (2, 3, 50), name


def test_zero_last_and_mean12_are_point_forecasts() -> None:
    assert (draw("zero") == 0).all()
    assert (draw("last")[0] == 5).all() and (draw("last")[1] == 12).all()
    assert draw("mean12")[0] == pytest.approx(5 / 12)
    assert draw("mean12")[1] == pytest.approx(6.5)


def test_conflictology_draws_from_the_units_last_12_months_only() -> None:
    samples = draw("conflictology")
    assert set(np.unique(samples[0])) == {0.0, 5.0}
    assert set(np.unique(samples[1])) == {float(v) for v in range(1, 13)}  # never 100
    assert (samples[0] == 5).mean() == pytest.approx(1 / 12, abs=0.02)


def test_bootstrap_draws_from_every_unit_month() -> None:
    samples = draw("bootstrap", 20000)
    assert set(np.unique(samples)) == set(np.unique(Y))
    assert (samples == 100).mean() == pytest.approx(2 / Y.size, abs=0.01)


def test_poisson_is_centred_on_the_last_value() -> None:
    samples = draw("poisson", 20000)
    assert samples[0].mean() == pytest.approx(5, rel=0.03)
    assert samples[1].var() == pytest.approx(12, rel=0.1)
    assert (samples == np.round(samples)).all()


def test_mixture_is_half_local_half_global() -> None:
    samples = draw("mixture", 20000)
    assert (samples[1] == 100).mean() == pytest.approx(0.5 * 2 / Y.size, abs=0.01)
    # 5 is one of unit 0's last 12 months, and 2 of the 28 unit-months of the pool.
    assert (samples[0] == 5).mean() == pytest.approx(0.5 / 12 + 0.5 * 2 / Y.size, abs=0.01)


def test_same_seed_same_draws() -> None:
    for name in baselines.BASELINES:
        first = baselines.BASELINES[name](Y, 3, 10, np.random.default_rng(3))
        again = baselines.BASELINES[name](Y, 3, 10, np.random.default_rng(3))
        assert (first == again).all(), name
