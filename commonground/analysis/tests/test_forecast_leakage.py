"""A forecast never sees data after its origin: plant a future spike, nothing changes.

On the real CAR admin-1 history, every model forecasts from 2019-12 twice: once from the real
history, once from a history where every month after the origin carries a huge spike in every
figure (deaths of every type, events, national totals, presence). The forecasts must be equal to
the last bit. The same spike planted *at* the origin must change them, or the test proves nothing.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from commonground.analysis.forecast.backtest import LEARNED, MODELS, BacktestConfig, run_backtest
from commonground.analysis.forecast.data import History, load_history
from commonground.analysis.panels import parse_month

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ged_imported")]

ORIGIN = parse_month("2019-12")
SPIKED = ("deaths", "one_sided", "state_based", "non_state", "events", "national", "presence")


def plant_spike(history: History, from_month: int) -> History:
    """The history with 5,000 more of everything in every month from ``from_month`` on."""
    index = from_month - history.first_month
    changed = {}
    for name in SPIKED:
        values = getattr(history, name).copy()
        values[..., index:] += 5000
        changed[name] = values
    return replace(history, **changed)


def forecasts(history: History, model: str) -> list[np.ndarray]:
    config = BacktestConfig(ORIGIN, ORIGIN, (model,), samples=200, keep_quantiles=True)
    scores = run_backtest(history, config).scores[model]
    assert scores.quantiles is not None
    return [scores.quantiles, scores.mean, scores.p_any]


#: The learned model trains twice per forecast (a few seconds): marked slow, still run in CI.
ALL_MODELS = [pytest.param(m, marks=pytest.mark.slow) if m == LEARNED else m for m in MODELS]


@pytest.mark.parametrize("model", ALL_MODELS)
def test_a_future_spike_changes_no_forecast(model: str) -> None:
    history = load_history("CAF", "admin1")
    future = plant_spike(history, ORIGIN + 1)
    assert future.deaths.sum() > history.deaths.sum() + 5000
    for real, spiked in zip(forecasts(history, model), forecasts(future, model), strict=True):
        assert np.array_equal(real, spiked), model


@pytest.mark.parametrize("model", [m for m in ALL_MODELS if m != "zero"])
def test_the_same_spike_at_the_origin_does_change_the_forecast(model: str) -> None:
    """The control: a model that reads its inputs reacts to a spike it may see."""
    history = load_history("CAF", "admin1")
    present = plant_spike(history, ORIGIN)
    real, spiked = forecasts(history, model)[1], forecasts(present, model)[1]
    assert not np.array_equal(real, spiked), model


def test_until_cuts_every_array_at_the_origin() -> None:
    history = load_history("CAF", "admin1")
    cut = history.until(ORIGIN)
    assert cut.last_month == ORIGIN
    for name in SPIKED:
        assert getattr(cut, name).shape[-1] == ORIGIN - history.first_month + 1, name
    with pytest.raises(ValueError, match="outside"):
        history.until(history.last_month + 1)
