"""Speed of the web endpoints under load, on a labelled synthetic GED database, in one run.

What it does:

1. builds, in a temporary ``COMMONGROUND_HOME`` (or the ``--keep-db`` folder, reused when it
   already holds a database made with the same ``--rows`` and ``--seed``), a SQLite database
   with the registries from the shared data folder (operations, parallel forces, presence) and
   ``--rows`` SYNTHETIC GED events (:mod:`bench.synthetic`) imported with ``do_import``;
2. starts the real server, ``commonground serve --host 127.0.0.1 --port <free> --threads 8
   --workers <CPUs>`` (``--workers 1``: one Waitress process), as a subprocess, and waits
   until it answers;
3. drives every endpoint with ``wrk`` (a real load generator, loopback only) for ``--duration``
   seconds with ``--connections`` connections, after a short warm-up, and reads its p50, p95
   and p99 from :file:`bench/wrk_report.lua`;
4. measures, in the same run, a baseline: a static file served by the same server (WhiteNoise),
   so each endpoint's requests per second is also given as a ratio to it;
5. prints a table, writes ``bench/out/web.json`` and always stops the server.

Before serving, it applies any pending migration (an older kept database gets the stored
figures of ``commonground.analysis`` built then) and times ``refresh_figures()`` over all
events, the rebuild every import runs for its dataset.

The targets (issue 3): map and filter endpoints at p95 < 100 ms; cached aggregate endpoints at
>= 500 requests/s. wrk repeats one URL, so with the answer cache on (the default) every
request after the first is a cache hit; ``--no-cache`` starts the server with
``COMMONGROUND_RESPONSE_CACHE=false`` to measure the work itself.

    python -m bench.web [--rows 1000000] [--seed 0] [--duration 10] [--connections 8]
                        [--keep-db DIR] [--only NAME ...] [--no-cache]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from bench.synthetic import SYNTHETIC_NAME, default_source, write_synthetic_ged

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "web.json"
LUA = HERE / "wrk_report.lua"
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

#: What the issue asks: p95 of map and filter endpoints, throughput of aggregate endpoints.
TARGET_P95_MS = 100.0
TARGET_RPS = 500.0

#: The longest wait for a slow endpoint's abandoned requests to finish, between measurements.
DRAIN_MAX_S = 30.0

#: The marker a kept database folder carries, so a rerun only reuses a matching database.
MARKER = "bench-web.json"

#: The registries imported before the events, in order (parallel forces refer to operations).
REGISTRY_FILES = (
    ("operations", "operations.csv"),
    ("parallel-forces", "parallel_forces.csv"),
    ("presence", "presence_CAF.csv"),
)

FILTER = "violence_type=one_sided&date_from=2014-01-01&date_to=2014-12-31"

console = Console(width=None if sys.stdout.isatty() else 140)


@dataclass(frozen=True)
class Endpoint:
    """One URL to load, with the kind of target it has."""

    name: str
    path: str
    kind: str  # "baseline", "map/filter" (p95 target), "aggregate" (rps target), "reference"


ENDPOINTS = (
    Endpoint("baseline: static site.css", "/static/web/site.css", "baseline"),
    Endpoint("login page (small Django page)", "/accounts/login/", "reference"),
    # Map and filter endpoints: p95 < 100 ms.
    Endpoint("map events GeoJSON, filtered", f"/map/data/events.geojson?{FILTER}", "map/filter"),
    Endpoint("map events GeoJSON, no filter", "/map/data/events.geojson", "map/filter"),
    Endpoint("map areas, filtered", f"/map/data/areas.json?{FILTER}", "map/filter"),
    Endpoint("map grid, filtered", f"/map/data/grid.json?{FILTER}", "map/filter"),
    Endpoint(
        "map timeline, one-sided",
        "/map/data/timeline.json?violence_type=one_sided",
        "map/filter",
    ),
    Endpoint("map summary, filtered", f"/map/data/summary/?{FILTER}", "map/filter"),
    Endpoint("map page, filtered", f"/map/?{FILTER}", "map/filter"),
    Endpoint("events page, filtered", f"/events/?{FILTER}", "map/filter"),
    Endpoint("API events, filtered", f"/api/v1/events?{FILTER}", "map/filter"),
    # Aggregates over everything: >= 500 requests/s.
    Endpoint("API stats", "/api/v1/stats", "aggregate"),
    Endpoint("API area CAF", "/api/v1/areas/CAF", "aggregate"),
    Endpoint("API actors CAF", "/api/v1/actors?country=CAF", "aggregate"),
    Endpoint("map areas, all events", "/map/data/areas.json", "aggregate"),
    Endpoint("map grid, all events", "/map/data/grid.json", "aggregate"),
    Endpoint("map timeline, all events", "/map/data/timeline.json", "aggregate"),
    Endpoint("area page CAF", "/areas/CAF/", "aggregate"),
)


@dataclass
class Result:
    """What wrk measured on one endpoint, plus one probe request's status and size."""

    name: str
    path: str
    kind: str
    status: int
    response_bytes: int
    probe_ms: float
    requests: int = 0
    seconds: float = 0.0
    errors: dict[str, int] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)
    ratio_to_baseline_rps: float | None = None
    target: str = ""
    target_met: bool | None = None

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


# --------------------------------------------------------------------------------------------
# The database.


def data_dir() -> Path:
    return default_source().parent


def build_database(home: Path, rows: int, seed: int) -> dict[str, Any]:
    """Migrate, import the registries and ``rows`` synthetic GED events into ``home``."""
    os.environ["COMMONGROUND_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from commonground.cli.importers import load_importer
    from commonground.core.services import do_import
    from commonground.events.importers.ged import GED
    from commonground.sharing.services import local_organization

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    owner = local_organization()
    for dataset, name in REGISTRY_FILES:
        run = do_import(load_importer(dataset), data_dir() / name, owner)
        console.print(f"  registry {dataset}: {run.outcome} ({name})")

    path = home / SYNTHETIC_NAME
    t0 = time.perf_counter()
    console.print(f"  writing {rows:,} synthetic GED rows (seed {seed}) ...")
    write_synthetic_ged(path, rows, seed)
    generated = time.perf_counter() - t0
    console.print(f"  written in {generated:.1f} s ({path.stat().st_size / 1e6:.0f} MB)")

    shown: dict[str, float] = {}
    t0 = time.perf_counter()

    def progress(phase: str, done: int, total: int) -> None:
        moment = time.perf_counter()
        if moment - shown.get(phase, 0.0) >= 5 or (total and done >= total):
            shown[phase] = moment
            of = f"/{total:,}" if total else ""
            console.print(f"  import {phase}: {done:,}{of} ({moment - t0:.0f} s)")

    run = do_import(GED, path, owner, progress=progress)
    imported = time.perf_counter() - t0
    console.print(f"  GED import: {run.outcome} in {imported:.0f} s")
    path.unlink()
    connection.close()
    info = {
        "rows": rows,
        "seed": seed,
        "import_seconds": round(imported, 1),
        "generate_seconds": round(generated, 1),
        "build_seconds": round(time.perf_counter() - started, 1),
    }
    (home / MARKER).write_text(json.dumps(info, indent=2))
    return info


def measure_refresh(home: Path) -> dict[str, Any]:
    """Migrate a kept database if needed, then time one rebuild of every stored figure."""
    os.environ["COMMONGROUND_HOME"] = str(home)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commonground.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from commonground.analysis.figures import refresh_figures
    from commonground.analysis.models import (
        AreaMonthFigure,
        CellMonthFigure,
        CountryMonthFigure,
        DyadMonthFigure,
    )

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    migrated = time.perf_counter() - t0
    t0, cpu0 = time.perf_counter(), time.process_time()
    refresh_figures()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    rows = {
        m.__name__: m.objects.count()
        for m in (CountryMonthFigure, AreaMonthFigure, CellMonthFigure, DyadMonthFigure)
    }
    connection.close()
    console.print(
        f"  migrate {migrated:.1f} s; refresh_figures() of all events {seconds:.1f} s "
        f"({cpu:.1f} s CPU); rows {rows}"
    )
    return {
        "migrate_s": round(migrated, 1),
        "refresh_s": round(seconds, 2),
        "refresh_cpu_s": round(cpu, 2),
        "rows": rows,
    }


def prepare_home(args: argparse.Namespace, scratch: Path) -> tuple[Path, dict[str, Any]]:
    """The COMMONGROUND_HOME to serve: a kept one if it matches, else a newly built one."""
    if args.keep_db:
        home = Path(args.keep_db).resolve()
        marker = home / MARKER
        if marker.exists() and (home / "commonground.sqlite3").exists():
            info = json.loads(marker.read_text())
            if info.get("rows") == args.rows and info.get("seed") == args.seed:
                console.print(f"reusing the database in {home} ({args.rows:,} events)")
                return home, {**info, "reused": True}
            console.print(f"[yellow]{home} holds another database ({info}); rebuilding[/]")
            shutil.rmtree(home)
        home.mkdir(parents=True, exist_ok=True)
    else:
        home = scratch / "home"
        home.mkdir()
    console.print(f"building the database in {home} ...")
    return home, {**build_database(home, args.rows, args.seed), "reused": False}


# --------------------------------------------------------------------------------------------
# The server and the load.


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def get(url: str, timeout: float = 60.0) -> tuple[int, int]:
    """Status and body size of one GET."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            return int(response.status), len(response.read())
    except urllib.error.HTTPError as exc:
        return int(exc.code), len(exc.read())


def start_server(
    home: Path, port: int, threads: int, log: Path, cache: bool = True, workers: int = 1
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "COMMONGROUND_HOME": str(home)}
    env["COMMONGROUND_RESPONSE_CACHE"] = "true" if cache else "false"
    env.pop("DATABASE_URL", None)  # the benchmark's database is the SQLite one in home
    command = [
        str(VENV_BIN / "commonground"),
        "serve",
        "--host",
        HOST,
        "--port",
        str(port),
        "--threads",
        str(threads),
        "--workers",
        str(workers),
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(  # noqa: S603 (our own venv's command, fixed arguments)
            command, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server stopped: {log.read_text()[-2000:]}")
        try:
            if get(f"http://{HOST}:{port}/static/web/site.css", timeout=2)[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError("the server did not answer within 60 s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wrk(url: str, seconds: float, connections: int) -> dict[str, Any]:
    """Run wrk once; its report as a dict (latencies in microseconds)."""
    command = [
        wrk_path(),
        f"--threads={min(connections, 2)}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=60s",
        f"--script={LUA}",
        url,
    ]
    done = subprocess.run(  # noqa: S603 (wrk on a loopback URL we made)
        command, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    match = re.search(r"^WRK_JSON (.*)$", done.stdout, re.MULTILINE)
    if done.returncode != 0 or match is None:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stdout}{done.stderr}")
    report: dict[str, Any] = json.loads(match.group(1))
    return report


def drain(report: dict[str, Any], probe_ms: float) -> None:
    """Wait for the requests wrk left running in the server when it stopped.

    Waitress finishes a request whose client has gone, so a slow endpoint's last requests would
    load the next measurement. Under the same load they took at most about the longest latency
    wrk saw (or, when none finished, the connections times one request alone).
    """
    longest_ms = max(float(report["latency_us"]["max"]) / 1000, probe_ms)
    if not report["requests"]:
        longest_ms = max(longest_ms, probe_ms * 8)
    if longest_ms > 200:
        time.sleep(min(longest_ms / 1000, DRAIN_MAX_S))


def measure(
    base: str, endpoint: Endpoint, seconds: float, connections: int, warmup: float
) -> Result:
    # One request alone, before the load: the second when the first was quick (the first one
    # also pays for lazy imports and cold caches).
    for _ in range(2):
        started = time.perf_counter()
        status, size = get(base + endpoint.path, timeout=600)
        probe_ms = round((time.perf_counter() - started) * 1000, 1)
        if probe_ms > 5000:
            break
    result = Result(endpoint.name, endpoint.path, endpoint.kind, status, size, probe_ms)
    if warmup > 0 and probe_ms < 1000:  # a slow endpoint's probes were its warm-up
        drain(wrk(base + endpoint.path, warmup, connections), probe_ms)
    report = wrk(base + endpoint.path, seconds, connections)
    drain(report, probe_ms)
    result.requests = int(report["requests"])
    result.seconds = report["duration_us"] / 1e6
    result.errors = {k: int(v) for k, v in report["errors"].items() if v}
    result.latency_ms = {k: round(v / 1000, 2) for k, v in report["latency_us"].items()}
    return result


def judge(result: Result, baseline: Result | None, cache: bool) -> None:
    if baseline is not None and baseline.rps:
        result.ratio_to_baseline_rps = round(result.rps / baseline.rps, 4)
    ok_status = result.status == 200 and result.error_count == 0 and result.requests > 0
    if result.kind == "map/filter":
        result.target = f"p95 < {TARGET_P95_MS:.0f} ms"
        result.target_met = ok_status and result.latency_ms.get("p95", 1e9) < TARGET_P95_MS
    elif result.kind == "aggregate":
        result.target = f">= {TARGET_RPS:.0f} req/s ({'cached' if cache else 'uncached'})"
        result.target_met = ok_status and result.rps >= TARGET_RPS


# --------------------------------------------------------------------------------------------
# Reporting.


def ms(value: float | None, requests: int) -> str:
    return "-" if not requests or value is None else f"{value:,.1f}"


def table(results: list[Result], rows: int, cache: bool) -> Table:
    cached = "answer cache on" if cache else "answer cache off"
    out = Table(
        title=f"Common Ground web endpoints under wrk, synthetic, {rows:,} events, {cached}"
    )
    out.add_column("endpoint")
    out.add_column("data")
    for column in ("req/s", "p50 ms", "p95 ms", "p99 ms", "1 alone ms", "err", "KB", "x base"):
        out.add_column(column, justify="right")
    out.add_column("target")
    for r in results:
        verdict = (
            ""
            if r.target_met is None
            else ("[green]met[/] " if r.target_met else "[red]missed[/] ") + r.target
        )
        data = "static file" if r.kind == "baseline" else f"synthetic, {rows:,} events"
        ratio = "1" if r.kind == "baseline" else f"{r.ratio_to_baseline_rps or 0:.4f}"
        errors = f"{r.error_count}" + ("" if r.status == 200 else f" (HTTP {r.status})")
        out.add_row(
            r.name,
            data,
            f"{r.rps:,.1f}",
            ms(r.latency_ms.get("p50"), r.requests),
            ms(r.latency_ms.get("p95"), r.requests),
            ms(r.latency_ms.get("p99"), r.requests),
            f"{r.probe_ms:,.0f}",
            errors,
            f"{r.response_bytes / 1024:,.1f}",
            ratio,
            verdict,
        )
    return out


def wrk_path() -> str:
    return shutil.which("wrk") or "/usr/bin/wrk"


def wrk_version() -> str:
    done = subprocess.run(  # noqa: S603 (wrk itself)
        [wrk_path(), "--version"], capture_output=True, text=True, check=False
    )
    return (done.stdout or done.stderr).splitlines()[0] if (done.stdout or done.stderr) else ""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="synthetic GED events")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--threads", type=int, default=8, help="server threads (per process)")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="server processes (default: one per CPU); 1 is one Waitress process, more are "
        "Gunicorn workers",
    )
    parser.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per endpoint")
    parser.add_argument(
        "--keep-db",
        metavar="DIR",
        help="COMMONGROUND_HOME to keep the built database in, and to reuse when it matches",
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="measure only endpoints whose name has these words"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="serve with COMMONGROUND_RESPONSE_CACHE=false (measure the work, not cache hits)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    scratch = Path(tempfile.mkdtemp(prefix="cg-bench-web-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        console.rule(f"Common Ground web benchmark: synthetic GED, {args.rows:,} events")
        home, database = prepare_home(args, scratch)
        database["figures"] = measure_refresh(home)
        cache = not args.no_cache
        port = free_port()
        log = scratch / "server.log"
        server = start_server(home, port, args.threads, log, cache, args.workers)
        base = f"http://{HOST}:{port}"
        console.print(
            f"server: commonground serve --host {HOST} --port {port} --threads {args.threads} "
            f"--workers {args.workers} "
            f"(pid {server.pid}); load: {wrk_version()}, {args.connections} connections, "
            f"{args.duration:g} s per endpoint after {args.warmup:g} s warm-up; "
            f"answer cache {'on' if cache else 'off'}"
        )
        endpoints = [
            e
            for e in ENDPOINTS
            if e.kind == "baseline"
            or args.only is None
            or any(word.lower() in e.name.lower() for word in args.only)
        ]
        results: list[Result] = []
        for endpoint in endpoints:
            with console.status(f"wrk {endpoint.path}"):
                result = measure(base, endpoint, args.duration, args.connections, args.warmup)
            results.append(result)
            console.print(
                f"  {endpoint.name}: {result.rps:,.1f} req/s, "
                f"p95 {ms(result.latency_ms.get('p95'), result.requests)} ms, "
                f"one request alone {result.probe_ms:,.0f} ms, HTTP {result.status}, "
                f"{result.error_count} errors"
            )
        # The baseline once more at the end: how much the machine drifted during the run.
        with console.status("wrk baseline again"):
            again = measure(base, ENDPOINTS[0], args.duration, args.connections, args.warmup)
        baseline = results[0]
        for result in results:
            judge(result, baseline, cache)
        console.print(table(results, args.rows, cache))
        console.print(
            f"baseline at the start {baseline.rps:,.0f} req/s, at the end {again.rps:,.0f} req/s"
        )
        OUT.parent.mkdir(parents=True, exist_ok=True)
        report = {
            "benchmark": "bench.web",
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "data": f"synthetic, {args.rows:,} events (bench.synthetic, seed {args.seed})",
            "database": {"vendor": "sqlite", **database},
            "machine": {
                "python": platform.python_version(),
                "platform": platform.platform(),
                "cpus": os.cpu_count(),
            },
            "load": {
                "generator": wrk_version(),
                "connections": args.connections,
                "duration_s": args.duration,
                "warmup_s": args.warmup,
                "server": (
                    f"commonground serve --threads {args.threads} --workers {args.workers} "
                    f"({'Waitress' if args.workers == 1 else 'Gunicorn gthread'}), loopback"
                ),
                "answer_cache": cache,
            },
            "targets": {"map_filter_p95_ms": TARGET_P95_MS, "aggregate_rps": TARGET_RPS},
            "baseline_rps_end": round(again.rps, 1),
            "results": [{**asdict(r), "rps": round(r.rps, 1)} for r in results],
        }
        out = OUT if cache else OUT.with_name("web-nocache.json")
        out.write_text(json.dumps(report, indent=2) + "\n")
        console.print(f"written {out}")
    finally:
        if server is not None:
            stop_server(server)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
