"""What ``commonground forecast backtest`` does and prints, apart from its options."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import cast

import click
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from commonground.analysis.forecast.backtest import (
    LEARNED,
    BacktestConfig,
    BacktestResult,
    run_backtest,
    summary,
)
from commonground.analysis.forecast.data import Target, load_history


def _run(config: BacktestConfig, country: str, level: str, quiet: bool) -> BacktestResult:
    history = load_history(country, level)
    if config.last_origin >= history.last_month:
        raise click.ClickException(
            _("the last origin must be before the last month of data (%(month)s)")
            % {"month": history.last_month}
        )
    if quiet:
        return run_backtest(history, config)
    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(_("Backtest"), total=config.last_origin - config.first_origin + 1)
        return run_backtest(
            history, config, lambda done, total: progress.update(task, completed=done)
        )


def _table(result: dict[str, object]) -> Table:
    models = result["models"]
    assert isinstance(models, dict)
    table = Table(title=_("CRPS by step (%(level)s, lower is better)") % {"level": result["level"]})
    table.add_column(_("model"))
    for step in range(1, 13):
        table.add_column(str(step), justify="right")
    for name, scores in models.items():
        table.add_row(name, *(f"{scores['crps'][str(s)]:.2f}" for s in range(1, 13)))
    return table


def run_backtest_command(
    *,
    country: str,
    level: str,
    first: int,
    last: int,
    models: tuple[str, ...],
    target: str,
    samples: int,
    seed: int,
    as_json: bool,
    out: Path | None,
    report: Path | None,
    quiet: bool,
) -> int:
    """Run, print (JSON on stdout, anything else on stderr), write the files; exit status."""
    from commonground.analysis.forecast.evaluation import block_bootstrap_gain, write_parquet

    config = BacktestConfig(
        first,
        last,
        models,
        cast(Target, target),  # click checked it is one of the targets
        samples,
        seed,
        keep_quantiles=out is not None,
    )
    started = time.perf_counter()
    result = _run(config, country, level, quiet)
    output = summary(result)
    if LEARNED in result.scores and len(result.scores) > 1:
        output["goal"] = block_bootstrap_gain(result, seed=seed)
    elapsed = time.perf_counter() - started
    if out is not None:
        for path in write_parquet(result, out):
            click.echo(_("wrote %(path)s") % {"path": path}, err=True)
    if report is not None:
        from commonground.analysis.forecast.report import write_report

        write_report(result, output, report)
        click.echo(_("wrote %(path)s") % {"path": report}, err=True)
    if as_json:
        click.echo(json.dumps(output, indent=2, sort_keys=False))
    else:
        Console(width=140).print(_table(output))
        if "goal" in output:
            click.echo(json.dumps(output["goal"]))
    click.echo(
        _("backtest: %(origins)s origins x 12 steps in %(seconds)s s")
        % {"origins": len(result.origins), "seconds": f"{elapsed:.1f}"},
        err=True,
    )
    return 0
