"""Importing a KoBoToolbox export of 10,000 SYNTHETIC submissions, 30 % of them duplicates,
in shuffled order (``make bench``; issue 12's target: under 10 s on this machine, 0 duplicates).

The submissions are made in code (``voices/tests/kobo_files.py``, KoBo's documented layout),
written to a CSV, and imported with ``do_import_kobo`` (XLSForm read with pyxform, the export
parsed and checked, every new submission sealed and inserted in one transaction). Then the same
file is imported again (it must add nothing). Fresh database as in ``bench.ingest``: SQLite in a
temporary ``COMMONGROUND_HOME``, or a PostgreSQL test database when ``DATABASE_URL`` is set.

    python -m bench.voices_kobo [--rows 10000] [--duplicates 0.3] [--seed 0]
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.ingest import _drop_test_database, configure

TARGET_SECONDS = 10.0
OUT = Path(__file__).resolve().parent / "out" / "voices_kobo.json"


def run(rows: int, duplicates: float, seed: int, workdir: Path) -> dict[str, Any]:
    where = configure(workdir)
    from django.conf import settings

    settings.COMMONGROUND_HOME = workdir / "home-keys"
    from commonground.sharing.models import Organization
    from commonground.voices.demo_kobo import write_xlsform
    from commonground.voices.kobo import do_import_kobo
    from commonground.voices.models import Report, ReportForm
    from commonground.voices.tests.kobo_files import kobo_table, submission, write_table

    unique = round(rows * (1 - duplicates))
    source = [submission(n, seed) for n in range(unique)]
    rng = random.Random(seed)  # synthetic order, reproducible
    replay = source + [rng.choice(source) for _ in range(rows - unique)]
    rng.shuffle(replay)
    xlsform = write_xlsform(workdir / "form.xlsx")
    export = write_table(workdir / "export.csv", kobo_table(replay))
    owner = Organization.objects.create(slug="bench-voices", name="Benchmark", kind="other")
    form = ReportForm.objects.create(owner=owner, slug="kobo", title="SYNTHETIC bench form")

    profile = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    started, cpu_started = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    result, _mapping = do_import_kobo(form, xlsform, export)
    first, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if profile:
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
    started = time.perf_counter()
    again, _mapping = do_import_kobo(form, None, export)
    second = time.perf_counter() - started
    stored = Report.objects.filter(owner=owner).count()
    keys = set(Report.objects.filter(owner=owner).values_list("client_key", flat=True))
    return {
        "database": where,
        "rows": rows,
        "unique_submissions": unique,
        "repeated_in_file": result.repeated_in_file,
        "stored": stored,
        "duplicates_stored": stored - len(keys) + (stored - unique if stored > unique else 0),
        "import_seconds": round(first, 2),
        "import_cpu_seconds": round(cpu, 2),
        "load_average": os.getloadavg()[0],
        "reimport_seconds": round(second, 2),
        "reimport_added": again.added,
        "target_seconds": TARGET_SECONDS,
        "met": first < TARGET_SECONDS and stored == unique and again.added == 0,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.voices_kobo")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--duplicates", type=float, default=0.3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="commonground-bench-kobo-"))
    try:
        results = run(args.rows, args.duplicates, args.seed, workdir)
    finally:
        _drop_test_database()
        shutil.rmtree(workdir, ignore_errors=True)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    for name, value in results.items():
        print(f"{name:>20}: {value}")


if __name__ == "__main__":
    main()
