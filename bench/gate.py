"""The disclosure gate against pytauargus on SYNTHETIC frequency tables (ADR 0021).

Run from the worktree root:
    DJANGO_SETTINGS_MODULE=commonground.settings python -m bench.gate

Prints, for a few table sizes, the seconds pytauargus (Tau-Argus engine with HiGHS, offline)
takes for primary (FREQ(10,0)) and secondary suppression (MOD and OPT), and the seconds the
gate takes (threshold, singleton rule, LP audit, risk, perturbation) on an area x month table.
"""

from __future__ import annotations

import random
import tempfile
import time
from collections import Counter

import django


def micro(
    rng: random.Random, n: int, areas: int, months: int, cats: int
) -> dict[str, list[object]]:
    rows: dict[str, list[object]] = {"Area": [], "Month": [], "Cat": [], "One": []}
    for _ in range(n):
        rows["Area"].append(f"A{rng.randrange(areas)}")
        rows["Month"].append(f"M{rng.randrange(months):02d}")
        rows["Cat"].append(f"C{rng.randrange(cats)}")
        rows["One"].append(1.0)
    return rows


def tau_argus() -> None:
    from pytauargus import protect  # type: ignore[import-untyped]  # ships no type hints

    rng = random.Random(1)
    for n, a, m, c in [(36, 5, 6, 7), (500, 8, 12, 12), (5000, 20, 12, 12)]:
        data = micro(rng, n, a, m, c)
        for dims in (["Area", "Cat"], ["Area", "Month", "Cat"]):
            for method in ("MOD(1)", "OPT(1)"):
                start = time.perf_counter()
                result = protect(
                    data,
                    dims,
                    response="One",
                    safety_rules="FREQ(10,0)",
                    suppress=method,
                    workdir=tempfile.mkdtemp(),
                )
                status = result.tables[0].dataframe()["status"].value_counts().to_dict()
                print(
                    f"pytauargus n={n} dims={len(dims)} {method}: "
                    f"{time.perf_counter() - start:.2f} s {status}"
                )


def gate() -> None:
    from commonground.sharing import gate as g

    rng = random.Random(3)
    table = g.PublishedTable(
        "t",
        "bench",
        "T",
        (g.Dimension("area", "A", depth=2), g.Dimension("month", "M")),
        "count",
        "r",
        rows=lambda _o: [],
        domain=lambda _o, _r: (),
    )
    for n in (36, 300, 1000, 3000):
        rows = []
        for i in range(n):
            x, y = rng.randrange(2), rng.randrange(4)
            rows.append(
                g.SourceRow(
                    str(i),
                    rng.randrange(256),
                    ((f"R{x}", f"R{x}.D{y}"), (f"M{rng.randrange(12):02d}",)),
                )
            )
        domain: tuple[list[tuple[str, ...]], ...] = (
            [(f"R{x}", f"R{x}.D{y}") for x in range(2) for y in range(4)],
            [(f"M{m:02d}",) for m in range(12)],
        )
        start = time.perf_counter()
        done = g.protect_family([table], {"t": rows}, {"t": domain}, 10)["t"]
        print(
            f"gate n={n} cells={len(done.tab.cells)}: {time.perf_counter() - start:.2f} s "
            f"{dict(Counter(done.status.values()))} risk={done.risk:.4f}"
        )


if __name__ == "__main__":
    django.setup()
    tau_argus()
    gate()
