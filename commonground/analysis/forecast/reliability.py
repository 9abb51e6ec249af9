"""How well the forecasting model did in its backtest, in words a planner reads beside a forecast.

Why: the pages showed a forecast with only a path to ``docs/forecasting.md`` for its skill
(issue 10 §3). A backtest takes about a minute, so its results are not computed per page: they
are the documented runs, kept in ``backtest_summary.json`` next to this module (a test checks
they match ``docs/forecasting.md``), looked up by country, level and model version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy

SUMMARY = Path(__file__).with_name("backtest_summary.json")

#: Gains within this of zero read "about as good as"; past it "better" or "worse".
ABOUT_THE_SAME = 0.05

#: What each baseline is, for a reader who does not know the names.
BASELINES = {
    "mixture": gettext_lazy(
        "a simple rule that draws the coming months from the area's own last 12 months and "
        "from the whole history of every area"
    ),
    "conflictology": gettext_lazy("a simple rule that repeats the area's own last 12 months"),
    "zero": gettext_lazy("a rule that always says no deaths"),
}


def decimal(value: float, places: int) -> str:
    """``6.46`` / ``6,46``: rounded as printed (half up), with the language's decimal mark."""
    return number_format(Decimal(f"{value:.{places}f}"), places)


@dataclass(frozen=True)
class Reliability:
    """One documented backtest of a model at a country and level."""

    country: str
    level: str
    model_version: str
    origins: int
    first_origin: str
    last_origin: str
    baseline: str
    model_crps: float
    baseline_crps: float
    gain: float  # 1 - model / baseline error: above 0, the model did better
    gain_low: float  # 95 % block-bootstrap interval of the gain
    gain_high: float
    coverage90_step1: float | None = None
    coverage90_step6: float | None = None
    brier_step1: float | None = None
    baseline_brier_step1: float | None = None

    @property
    def verdict(self) -> str:
        """``better``, ``same`` or ``worse`` than the baseline, by the gain and its interval."""
        if self.gain_low > 0 and self.gain >= ABOUT_THE_SAME:
            return "better"
        if self.gain_high < 0 and self.gain <= -ABOUT_THE_SAME:
            return "worse"
        return "same"

    def sentences(self) -> list[str]:
        """The backtest in plain words, most important first."""
        words: dict[str, Any] = {
            "origins": self.origins,
            "first": self.first_origin,
            "last": self.last_origin,
            "baseline": BASELINES.get(self.baseline, self.baseline),
            "model": decimal(self.model_crps, 2),
            "base": decimal(self.baseline_crps, 2),
            "gain": decimal(abs(self.gain) * 100, 1),
        }
        lead = {
            "better": gettext(
                "Tested on the past (forecasts made from %(origins)d months, %(first)s to "
                "%(last)s, checked against what then happened), this model did better than "
                "%(baseline)s: its typical error was %(model)s deaths per area and month against "
                "%(base)s, %(gain)s %% smaller."
            ),
            "same": gettext(
                "Tested on the past (forecasts made from %(origins)d months, %(first)s to "
                "%(last)s, checked against what then happened), this model did about as well as "
                "%(baseline)s, not better: its typical error was %(model)s deaths per area and "
                "month against %(base)s."
            ),
            "worse": gettext(
                "Tested on the past (forecasts made from %(origins)d months, %(first)s to "
                "%(last)s, checked against what then happened), this model did worse than "
                "%(baseline)s: its typical error was %(model)s deaths per area and month against "
                "%(base)s, %(gain)s %% larger."
            ),
        }[self.verdict]
        found = [lead % words]
        if self.coverage90_step1 is not None and self.coverage90_step6 is not None:
            found.append(
                gettext(
                    "Its 90 %% ranges held the real number of deaths %(one)d %% of the time one "
                    "month ahead and %(six)d %% of the time six months ahead."
                )
                % {
                    "one": round(self.coverage90_step1 * 100),
                    "six": round(self.coverage90_step6 * 100),
                }
            )
        if self.brier_step1 is not None and self.baseline_brier_step1 is not None:
            better = self.brier_step1 < self.baseline_brier_step1
            found.append(
                (
                    gettext(
                        "Its chance of any death next month was a little more accurate than the "
                        "simple rule's (Brier score %(model)s against %(base)s; lower is "
                        "better)."
                    )
                    if better
                    else gettext(
                        "Its chance of any death next month was no more accurate than the "
                        "simple rule's (Brier score %(model)s against %(base)s; lower is "
                        "better)."
                    )
                )
                % {
                    "model": decimal(self.brier_step1, 3),
                    "base": decimal(self.baseline_brier_step1, 3),
                }
            )
        found.append(
            gettext(
                "Like every model here, it does not foresee sudden surges: the few months with "
                "more than 100 deaths make up almost half of all its error."
            )
        )
        return found


@cache
def documented_runs() -> tuple[Reliability, ...]:
    data = json.loads(SUMMARY.read_text(encoding="utf-8"))
    return tuple(Reliability(**run) for run in data["runs"])


def reliability(country: str, level: str, model_version: str) -> Reliability | None:
    """The documented backtest of this model version at this country and level, or None."""
    return next(
        (
            run
            for run in documented_runs()
            if (run.country, run.level, run.model_version) == (country, level, model_version)
        ),
        None,
    )
