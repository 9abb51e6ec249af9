"""Today's forecasts: the learned model trained on the whole history, summarised per unit and step.

The samples of deaths give the mean, the 5/25/50/75/95 % quantiles and the probability of any
death; a second model, trained on deaths in one-sided violence (violence against civilians),
gives the probability of any such death on its own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from commonground.analysis.forecast import learned
from commonground.analysis.forecast.data import History

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass(frozen=True)
class Summary:
    unit: str
    month: int  # month_id of the forecast month
    step: int
    deaths_mean: float
    q05: float
    q25: float
    q50: float
    q75: float
    q95: float
    p_any_death: float
    p_one_sided: float


def summarise(history: History, deaths: np.ndarray, one_sided: np.ndarray) -> list[Summary]:
    """Summaries of samples (units x steps x n) from a history's last month."""
    quantiles = np.quantile(deaths, QUANTILES, axis=-1)
    means = deaths.mean(axis=-1)
    p_any = (deaths > 0).mean(axis=-1)
    p_one_sided = (one_sided > 0).mean(axis=-1)
    rows = []
    for i, unit in enumerate(history.units):
        for s in range(deaths.shape[1]):
            q = [round(float(v), 3) for v in quantiles[:, i, s]]
            rows.append(
                Summary(
                    unit=unit,
                    month=history.last_month + s + 1,
                    step=s + 1,
                    deaths_mean=round(float(means[i, s]), 3),
                    q05=q[0],
                    q25=q[1],
                    q50=q[2],
                    q75=q[3],
                    q95=q[4],
                    p_any_death=round(float(p_any[i, s]), 4),
                    p_one_sided=round(float(p_one_sided[i, s]), 4),
                )
            )
    return rows


def make_forecasts(
    history: History, samples: int = 1000, seed: int = 20230101
) -> tuple[list[Summary], dict[str, object]]:
    """Forecasts for the 12 months after the history's last month, and the parameters used."""
    params = learned.LearnedParams(seed=seed)
    draws = {}
    for k, target in enumerate(("deaths", "one_sided")):
        model = learned.fit(history, target, params)  # type: ignore[arg-type]  # a Target literal
        rng = np.random.default_rng([seed, k, history.last_month])
        draws[target] = model.sample(history, learned.STEPS, samples, rng)
    parameters: dict[str, object] = {
        **asdict(params),
        "analogs": learned.ANALOGS,
        "local_share": learned.LOCAL_SHARE,
        "calibration_months": learned.CALIBRATION_MONTHS,
        "events": "visible to the public (visible_events(None))",
    }
    return summarise(history, draws["deaths"], draws["one_sided"]), parameters
