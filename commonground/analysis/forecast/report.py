"""The HTML evaluation report of a backtest: skill by step, calibration, and a map of errors.

One self-contained file: plotly.js is embedded from the plotly wheel (no CDN, readable on a
laptop with no internet), the map is drawn from the offline admin-1 boundaries as plain
polygons (no map tiles), and the model card closes the page.
"""

from __future__ import annotations

import html
import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np

from commonground.analysis.forecast.backtest import LEARNED, STEPS, BacktestResult
from commonground.analysis.forecast.neighbours import BOUNDARIES

#: plotly.js as the plotly wheel ships it (found without importing plotly's Python side).
PLOTLY_JS = Path(
    next(iter(importlib.util.find_spec("plotly").submodule_search_locations or [""])),  # type: ignore[union-attr]  # plotly is a dependency
    "package_data",
    "plotly.min.js",
)
MODEL_CARD = Path(__file__).resolve().parent / "model_card.md"
CALIBRATION_BINS = np.linspace(0, 1, 11)


def _lines(output: dict[str, Any], metric: str) -> list[dict[str, Any]]:
    steps = [str(s) for s in range(1, STEPS + 1)]
    return [
        {"type": "scatter", "mode": "lines+markers", "name": name, "x": list(range(1, STEPS + 1)),
         "y": [scores[metric][s] for s in steps]}
        for name, scores in output["models"].items()
    ]  # fmt: skip


def _calibration(result: BacktestResult, names: list[str]) -> list[dict[str, Any]]:
    """Reliability of P(any death) at step 1: forecast probability against observed frequency."""
    traces: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "lines", "name": "perfect", "x": [0, 1], "y": [0, 1],
         "line": {"dash": "dot", "color": "#888"}}
    ]  # fmt: skip
    observed = result.observed[:, 0].ravel()
    known = ~np.isnan(observed)
    for name in names:
        p = result.scores[name].p_any[:, 0].ravel()[known]
        hit = observed[known] > 0
        which = np.clip(np.digitize(p, CALIBRATION_BINS) - 1, 0, len(CALIBRATION_BINS) - 2)
        xs, ys = [], []
        for b in range(len(CALIBRATION_BINS) - 1):
            chosen = which == b
            if chosen.sum() >= 5:
                xs.append(float(p[chosen].mean()))
                ys.append(float(hit[chosen].mean()))
        traces.append({"type": "scatter", "mode": "lines+markers", "name": name, "x": xs, "y": ys})
    return traces


def _map(result: BacktestResult, baseline: str) -> list[dict[str, Any]]:
    """Admin-1 polygons coloured by the learned model's CRPS minus the baseline's (steps 1-6)."""
    if LEARNED not in result.scores or result.level != "admin1":
        return []
    diff = np.nanmean(
        result.scores[LEARNED].crps[:, :6] - result.scores[baseline].crps[:, :6], axis=(0, 1)
    )
    worst = float(np.nanmax(np.abs(diff))) or 1.0
    by_unit = dict(zip(result.units, diff, strict=True))
    traces = []
    for feature in json.loads(BOUNDARIES.read_text(encoding="utf-8"))["features"]:
        code = feature["properties"]["code"]
        if code not in by_unit:
            continue
        value = float(by_unit[code])
        red, blue = (int(255 * min(abs(value) / worst, 1)),) * 2
        colour = (
            f"rgb(255,{255 - red},{255 - red})"
            if value > 0
            else f"rgb({255 - blue},{255 - blue},255)"
        )
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        for polygon in polygons:
            ring = polygon[0]
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "fill": "toself",
                    "fillcolor": colour,
                    "line": {"color": "#555", "width": 1},
                    "showlegend": False,
                    "x": [p[0] for p in ring],
                    "y": [p[1] for p in ring],
                    "hoverinfo": "text",
                    "text": f"{feature['properties']['name']}: {value:+.2f}",
                }
            )
    return traces  # fmt: skip


def _figure(node: str, traces: list[dict[str, Any]], layout: dict[str, Any]) -> str:
    return (
        f'<div id="{node}" class="chart"></div><script>Plotly.newPlot("{node}", '
        f"{json.dumps(traces)}, {json.dumps(layout)}, {{responsive: true}});</script>"
    )


def _goal_text(output: dict[str, Any]) -> str:
    goal = output.get("goal")
    if not goal:
        return "<p>No learned model in this backtest.</p>"
    low, high = goal["interval95"]
    return (
        f"<p>Learned model <b>{goal['model']}</b> against the best baseline "
        f"<b>{goal['baseline']}</b>, steps {goal['steps']}: mean CRPS {goal['crps_model']:.3f} "
        f"against {goal['crps_baseline']:.3f}, a gain of <b>{goal['gain']:.1%}</b> "
        f"(95 % moving-block bootstrap interval over origins {low:.1%} to {high:.1%}; "
        f"the goal is {goal['goal']:.0%}).</p>"
    )


STYLE = "body{font-family:sans-serif;max-width:1000px;margin:auto}.chart{height:380px}"
STEP_AXIS = {"xaxis": {"title": {"text": "step (months after the origin)"}}}


def _charts(result: BacktestResult, output: dict[str, Any], baseline: str) -> str:
    calibrated = [n for n in (LEARNED, baseline) if n in result.scores]
    axes = {
        "xaxis": {"title": {"text": "forecast probability"}},
        "yaxis": {"title": {"text": "observed frequency"}},
    }
    map_title = f"CRPS of {LEARNED} minus {baseline}, steps 1-6 (red: worse, blue: better)"
    crps = {**STEP_AXIS, "title": {"text": "CRPS (lower is better)"}}
    brier = {**STEP_AXIS, "title": {"text": "Brier score of any death"}}
    coverage = {**STEP_AXIS, "title": {"text": "Coverage of the 90 % interval"}}
    calibration = {**axes, "title": {"text": "Calibration of P(any death), step 1"}}
    errors = {"title": {"text": map_title}, "yaxis": {"scaleanchor": "x"}}
    charts: list[tuple[str, list[dict[str, Any]], dict[str, Any]]] = [
        ("crps", _lines(output, "crps"), crps),
        ("brier", _lines(output, "brier_any"), brier),
        ("coverage", _lines(output, "coverage90"), coverage),
        ("calibration", _calibration(result, calibrated), calibration),
        ("errors", _map(result, baseline), errors),
    ]
    return "".join(_figure(node, traces, layout) for node, traces, layout in charts)


def render_report(result: BacktestResult, output: dict[str, Any]) -> str:
    """The report as one HTML document (see the module docstring)."""
    baseline = output.get("best_baseline") or next(iter(result.scores))
    origins = output["origins"]
    title = html.escape(f"Forecast backtest: {result.country}, {result.level}, {result.target}")
    return "\n".join(
        [
            '<!doctype html><html lang="en"><head><meta charset="utf-8">',
            f"<title>{title}</title><style>{STYLE}</style>",
            f"<script>{PLOTLY_JS.read_text(encoding='utf-8')}</script></head><body>",
            f"<h1>{title}</h1>",
            f"<p>{origins['count']} monthly origins from {origins['first']} to {origins['last']},",
            "steps 1 to 12, each model seeing only the data up to its origin;",
            "events visible to the public.</p>",
            _goal_text(output),
            _charts(result, output, baseline),
            "<h2>Model card</h2>",
            f"<pre>{html.escape(MODEL_CARD.read_text(encoding='utf-8'))}</pre>",
            "</body></html>",
        ]
    )


def write_report(result: BacktestResult, output: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_report(result, output), encoding="utf-8")
