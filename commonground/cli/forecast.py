"""``commonground forecast``: rolling-origin backtests and today's forecasts (docs/forecasting.md).

Heavy libraries (NumPy, LightGBM) are imported inside the commands, so the rest of the command
line starts as fast as before.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from django.utils.translation import gettext as _

from commonground.cli.language import gettext_noop

DEFAULT_ORIGINS = "2013-01:2021-12"


def _origins(text: str) -> tuple[int, int]:
    from commonground.analysis.panels import parse_month

    first, sep, last = text.partition(":")
    if not sep:
        raise click.BadParameter(
            _("%(text)s is not FROM:TO, e.g. %(example)s")
            % {"text": repr(text), "example": DEFAULT_ORIGINS}
        )
    try:
        return parse_month(first), parse_month(last)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


def _models(text: str | None) -> tuple[str, ...]:
    from commonground.analysis.forecast.backtest import MODELS

    if not text:
        return MODELS
    chosen = tuple(name.strip() for name in text.split(",") if name.strip())
    unknown = [name for name in chosen if name not in MODELS]
    if unknown:
        raise click.BadParameter(
            _("unknown model(s) %(unknown)s; use %(models)s")
            % {"unknown": ", ".join(unknown), "models": ", ".join(MODELS)}
        )
    return chosen


@click.group(
    help=gettext_noop(
        "Forecasts of deaths per area and month: backtest the models, make today's forecast."
    )
)
def forecast() -> None:
    pass


@forecast.command(
    help=gettext_noop(
        "Rolling-origin backtest: from each monthly origin, forecast steps 1-12 with only the "
        "data up to the origin, and score every model (CRPS, ignorance, Brier, average "
        "precision, 90 % interval coverage). Uses events visible to the public."
    )
)
@click.option("--country", required=True, help=gettext_noop("ISO3 code, e.g. CAF."))
@click.option(
    "--level",
    type=click.Choice(["country", "admin1"]),
    default="admin1",
    show_default=True,
    help=gettext_noop("Areas: the country as a whole, or its admin-1 areas."),
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help=gettext_noop("Print one JSON object on standard output."),
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help=gettext_noop("Folder to write every forecast and observation to, as Parquet."),
)
@click.option(
    "--report",
    type=click.Path(path_type=Path, dir_okay=False),
    help=gettext_noop("HTML report to write."),
)
@click.option(
    "--models", help=gettext_noop("Comma-separated models (default: all baselines and lgbm).")
)
@click.option(
    "--origins", default=DEFAULT_ORIGINS, show_default=True, help=gettext_noop("FROM:TO months.")
)
@click.option(
    "--target",
    type=click.Choice(["deaths", "one_sided"]),
    default="deaths",
    show_default=True,
    help=gettext_noop("All deaths, or deaths in one-sided violence (against civilians)."),
)
@click.option(
    "--samples",
    default=1000,
    show_default=True,
    type=click.IntRange(10, 10000),
    help=gettext_noop("Samples drawn from each forecast distribution."),
)
@click.option(
    "--seed",
    default=20230101,
    show_default=True,
    type=int,
    help=gettext_noop("Seed of the random draws (the same seed gives the same results)."),
)
@click.option("--quiet", is_flag=True, help=gettext_noop("No progress bar."))
def backtest(**options: Any) -> None:
    from commonground.cli.forecast_output import run_backtest_command

    first, last = _origins(options.pop("origins"))
    models = _models(options.pop("models"))
    sys.exit(run_backtest_command(first=first, last=last, models=models, **options))


@forecast.command(
    help=gettext_noop(
        "Make and store the forecasts of the next 12 months from the public events, with the "
        "model version and data cut; area pages, the map and the API show the latest."
    )
)
@click.option("--country", required=True, help=gettext_noop("ISO3 code, e.g. CAF."))
@click.option(
    "--level",
    type=click.Choice(["country", "admin1"]),
    multiple=True,
    default=("country", "admin1"),
    show_default=True,
    help=gettext_noop("Repeat for several levels."),
)
@click.option(
    "--samples",
    default=1000,
    show_default=True,
    type=click.IntRange(10, 10000),
    help=gettext_noop("Samples drawn from each forecast distribution."),
)
@click.option(
    "--seed",
    default=20230101,
    show_default=True,
    type=int,
    help=gettext_noop("Seed of the random draws (the same seed gives the same results)."),
)
def run(country: str, level: tuple[str, ...], samples: int, seed: int) -> None:
    from commonground.forecasts.services import do_forecast_run

    for name in level:
        started = time.perf_counter()
        try:
            stored = do_forecast_run(
                country, name, made_by_label="command line", samples=samples, seed=seed
            )
        except ValueError as exc:
            raise click.ClickException(f"{country} {name}: {exc}") from exc
        click.echo(
            json.dumps(
                {
                    "run": str(stored.pk),
                    "country": country,
                    "level": name,
                    "model": f"{stored.model_name} {stored.model_version}",
                    "data_cut": f"{stored.data_cut:%Y-%m}",
                    "seconds": round(time.perf_counter() - started, 1),
                }
            )
        )
