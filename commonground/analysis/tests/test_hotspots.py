"""Hot spots: Gi* equals esda's own on a known lattice, a planted cluster is found, classes follow
the window rule, and the real CAR file gives an answer that only counts what a user may see."""

from __future__ import annotations

import numpy as np
import pytest
from django.contrib.auth.models import User
from esda.getisord import G_Local
from libpysal.weights import lat2W

from commonground.analysis.hotspots import (
    classify,
    country_cells,
    country_hotspots,
    emerging_hotspots,
    gi_star,
    lattice_weights,
    queen_neighbours,
    windows,
)
from commonground.analysis.panels import month_label, parse_month
from commonground.core.geo import PRIOGRID_COLUMNS, priogrid_gid
from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.events.tests.conftest import GedRow
from commonground.sharing.models import Organization, Sensitivity

#: A 10 x 10 block of PRIO-GRID cells in the CAR (rows and columns in the grid's own order).
ORIGIN = priogrid_gid(4.0, 18.0)


def block(size: int = 10) -> list[int]:
    return [ORIGIN + r * PRIOGRID_COLUMNS + c for r in range(size) for c in range(size)]


def test_queen_neighbours_on_the_grid() -> None:
    cells = block(3)
    centre = ORIGIN + PRIOGRID_COLUMNS + 1
    assert sorted(queen_neighbours(cells)[centre]) == sorted(c for c in cells if c != centre)
    assert len(queen_neighbours(cells)[ORIGIN]) == 3  # a corner


@pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")
def test_gi_star_equals_esdas_on_a_known_lattice() -> None:
    """Our lattice weights and call give esda's Gi* on libpysal's own 10 x 10 queen lattice."""
    rng = np.random.default_rng(3)
    y = rng.poisson(2.0, 100).astype(float)
    ours = gi_star(y, lattice_weights(block()), permutations=99, seed=5, fdr=False)
    theirs = G_Local(
        y, lat2W(10, 10, rook=False), transform="B", star=True, permutations=99, seed=5, n_jobs=1
    )
    np.testing.assert_allclose(ours.z, theirs.Zs)
    np.testing.assert_allclose(ours.p, theirs.p_sim)


def test_a_planted_cluster_is_found_hot_and_nothing_else() -> None:
    cells = block()
    y = np.zeros(100)
    cluster = [r * 10 + c for r in (4, 5, 6) for c in (4, 5, 6)]
    y[cluster] = 12
    y[[0, 99, 9, 90]] = 1  # a little noise far away
    found = gi_star(y, lattice_weights(cells))
    hot = set(np.flatnonzero(found.hot))
    assert 55 in hot  # the centre of the cluster
    assert hot <= {r * 10 + c for r in range(3, 8) for c in range(3, 8)}


def test_no_events_no_hot_spot() -> None:
    found = gi_star(np.zeros(100), lattice_weights(block()))
    assert not found.hot.any()


def test_windows_end_with_the_last_month() -> None:
    spans = windows(parse_month("2022-12"), 12, 3)
    assert [(month_label(s[0]), month_label(s[-1])) for s in spans] == [
        ("2020-01", "2020-12"),
        ("2021-01", "2021-12"),
        ("2022-01", "2022-12"),
    ]


@pytest.mark.parametrize(
    ("hot", "category"),
    [
        ([False, False, False, False, True], "emerging"),
        ([True, True, True, False, True], "persistent"),
        ([True, False, False, False, True], "recurring"),
        ([True, True, True, True, False], "cooling"),
        ([True, False, False, False, False], "former"),
        ([False] * 5, "none"),
    ],
)
def test_window_rule(hot: list[bool], category: str) -> None:
    assert classify(hot) == category


def test_a_planted_emerging_cluster() -> None:
    """Quiet noise for four years, then a cluster in the fifth: emerging there, nowhere else."""
    cells = block()
    last = parse_month("2022-12")
    rng = np.random.default_rng(11)
    monthly: dict[tuple[int, int], int] = {}
    for month in range(last - 59, last + 1):
        for gid in rng.choice(cells, 3):
            monthly[(int(gid), month)] = monthly.get((int(gid), month), 0) + 1
    centre = ORIGIN + 5 * PRIOGRID_COLUMNS + 5
    around = [centre + dr * PRIOGRID_COLUMNS + dc for dr in (-1, 0, 1) for dc in (-1, 0, 1)]
    for month in range(last - 11, last + 1):
        for gid in around:
            monthly[(gid, month)] = monthly.get((gid, month), 0) + 4

    found = {c.gid: c for c in emerging_hotspots(monthly, cells, last).cells}

    assert found[centre].category == "emerging"
    assert {g for g, c in found.items() if c.category == "emerging"} <= {
        centre + dr * PRIOGRID_COLUMNS + dc for dr in (-2, -1, 0, 1, 2) for dc in (-2, -1, 0, 1, 2)
    }


def test_the_lattice_covers_the_country() -> None:
    cells = country_cells("CAF")
    assert 180 < len(cells) < 240  # about 620,000 km2 in cells of about 3,000 km2
    assert priogrid_gid(5.76, 20.67) in cells  # Bambari
    assert priogrid_gid(10.29, 22.78) in cells  # Birao
    assert priogrid_gid(0.0, 0.0) not in cells


# --- On the real CAR file ---------------------------------------------------------------------


@pytest.mark.django_db
def test_real_data_counts_and_visibility(
    ged_imported: ImportRun, ged_rows: list[GedRow], cast: dict[str, User]
) -> None:
    public = country_hotspots(None, "CAF")
    assert public is not None
    in_window = [r for r in ged_rows if "2018-01" <= r["date_start"][:7] <= "2022-12"]
    assert sum(sum(c.counts) for c in public.cells) == len(in_window)
    per_cell: dict[int, int] = {}
    for row in in_window:
        per_cell[int(row["priogrid_gid"])] = per_cell.get(int(row["priogrid_gid"]), 0) + 1
    assert {c.gid: sum(c.counts) for c in public.cells if sum(c.counts)} == per_cell
    assert public.summary()["emerging"] + public.summary()["persistent"] >= 0

    # A restricted cluster far from everything shows up only for those who may see it.
    jmac = Organization.objects.get(slug="minusca-jmac")
    template = Event.objects.filter(date_start__year=2022).first()
    assert template is not None
    lattice = country_cells("CAF")
    around = queen_neighbours(lattice)
    quiet_cell = next(c for c in lattice if not {c, *around[c]} & set(per_cell))
    for n in range(40):
        template.pk, template.source_id, template.dataset = None, f"JMAC-H-{n}", "jmac"
        template.owner, template.sensitivity = jmac, Sensitivity.RESTRICTED
        template.priogrid_gid = quiet_cell
        template.save()
    anonymous = country_hotspots(None, "CAF")
    analyst = country_hotspots(cast["amina"], "CAF")
    assert anonymous is not None and analyst is not None
    hot_for = {c.gid: c.hot[-1] for c in analyst.cells}
    assert hot_for[quiet_cell]
    assert not {c.gid: c.hot[-1] for c in anonymous.cells}[quiet_cell]
