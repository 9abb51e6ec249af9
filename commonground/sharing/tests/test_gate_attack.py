"""The differencing attack, run by the army liaison against the released figures (SYNTHETIC data).

Ousmane (faca-liaison, a national force, in the Bambari protection circle) sends 1,000 random,
overlapping requests through the page and the API: districts and their unions, regions, shifted
month and quarter windows, categories and their combinations, every table. Then he tries to
infer the planted reports (each alone in its district, month and category) from everything he
received, by linear programming with the perturbation allowed for: he recovers none. Removing
one report and asking again changes nothing beyond the perturbation.
"""

from __future__ import annotations

import html
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.contrib.auth.models import User
from django.test import Client

from commonground.sharing import gate
from commonground.sharing.releases import Release
from commonground.sharing.tests.gate_synthetic import DISTRICTS, PLANTED, Synthetic, make_synthetic
from commonground.voices import published
from commonground.voices.models import Category

pytestmark = pytest.mark.django_db

REQUESTS = 1000
TABLES = [t.slug for t in gate.tables_of(published.SOURCE)]
CELL = re.compile(r'data-cell="([^"]*)">([^<]*)<')


@pytest.fixture(autouse=True)
def key_home(settings: LazySettings, tmp_path: Path) -> Path:
    settings.COMMONGROUND_HOME = tmp_path
    return tmp_path


@pytest.fixture
def synthetic(cast: dict[str, User]) -> Synthetic:
    return make_synthetic(cast)


@pytest.fixture
def ousmane(client: Client, cast: dict[str, User]) -> Client:
    client.force_login(cast["ousmane"])
    return client


def random_query(rng: random.Random, table: str) -> dict[str, Any]:
    """Areas and their unions, shifted windows, categories and their combinations."""
    districts = [f"{a1}.{d}" for a1, names in DISTRICTS.items() for d in names]
    query: dict[str, Any] = {}
    if rng.random() < 0.7:
        pool = districts + list(DISTRICTS) + [published.OTHER_AREAS]
        query["area"] = rng.sample(pool, rng.randint(1, 4))
    if table == "voices-area-month" and rng.random() < 0.7:
        start = rng.randint(1, 12)
        query["month_from"] = f"2024-{start:02d}"
        query["month_to"] = f"2024-{min(12, start + rng.randint(0, 4)):02d}"
    if table == "voices-area-category" and rng.random() < 0.7:
        query["category"] = rng.sample(Category.values, rng.randint(1, 4))
    if table == "voices-people-quarter":
        query.pop("area", None)
        if rng.random() < 0.7:
            start = rng.randint(1, 4)
            query["quarter_from"] = f"2024-Q{start}"
            query["quarter_to"] = f"2024-Q{min(4, start + rng.randint(0, 2))}"
        if rng.random() < 0.5:
            query["sex_age"] = rng.sample(published.SEX_AGE, rng.randint(1, 3))
    return query


def ask(
    client: Client, table: str, query: dict[str, Any], via: str
) -> Iterator[tuple[str, str, int | None]]:
    """One request; yields (cell id, status, value) as the recipient reads them."""
    if via == "api":
        response = client.get(f"/api/v1/voices/figures/femmes-bambari/{table}", query)
        assert response.status_code == 200, response.content
        for cell in response.json()["cells"]:
            yield cell["id"], cell["status"], cell["value"]
        return
    response = client.get("/voices/figures/", {"owner": "femmes-bambari", "table": table, **query})
    assert response.status_code == 200
    for cell_id, text in CELL.findall(response.content.decode()):
        text = html.unescape(text).strip()
        if text.isdigit():
            yield cell_id, gate.RELEASED, int(text)
        elif text.startswith("fewer than"):
            yield cell_id, gate.FEWER_THAN_K, None
        else:
            yield cell_id, gate.HIDDEN, None


def planted_cells(table: gate.PublishedTable, synthetic: Synthetic) -> list[str]:
    """The leaf cell of each planted report in ``table`` (what the intruder wants to learn)."""
    ids = []
    for code, month, category in PLANTED:
        area = "/".join([*code.rsplit(".", 1)[0:1], code])
        if table.slug == "voices-area-month":
            ids.append(f"{area}|{month:%Y-%m}")
        elif table.slug == "voices-area-category":
            ids.append(f"{area}|{category}")
    return ids


def infer(
    table: gate.PublishedTable, owner: Any, seen: dict[str, tuple[str, int | None]]
) -> dict[str, tuple[float, float]]:
    """The intruder's best inference: every value seen (± the noise), every relation, every label.

    The table's layout (which cells add up to which) is public; values come only from ``seen``.
    """
    layout = gate.protected_tables(table.source, owner)[table.slug].tab
    status: dict[gate.Cell, gate.Status] = {}
    values: dict[gate.Cell, float] = {}
    for cell in layout.cells:
        observed_status, value = seen[gate.cell_id(cell)]
        status[cell] = observed_status  # type: ignore[assignment]  # one of the gate's statuses
        if value is not None:
            values[cell] = value
    targets = [c for c in layout.cells if status[c] != gate.RELEASED]
    bounds = gate.lowest_derivable(
        layout, gate.relations(layout), status, table.measure, 10, targets, values, gate.MAX_NOISE
    )
    return {gate.cell_id(cell): bound for cell, bound in bounds.items()}


def test_a_thousand_overlapping_requests_recover_no_planted_report(
    ousmane: Client, synthetic: Synthetic
) -> None:
    rng = random.Random(2026)
    seen: dict[str, dict[str, tuple[str, int | None]]] = {t: {} for t in TABLES}
    for n in range(REQUESTS):
        table = TABLES[n % len(TABLES)] if n < len(TABLES) else rng.choice(TABLES)
        query = {} if n < len(TABLES) else random_query(rng, table)
        via = "page" if n % 4 == 0 else "api"
        for cell_id, status, value in ask(ousmane, table, query, via):
            before = seen[table].setdefault(cell_id, (status, value))
            # The same cell always answers the same: asking again reveals nothing new.
            assert before == (status, value), (table, cell_id, before, status, value)
    assert Release.objects.filter(recipient__username="ousmane").count() == REQUESTS
    for slug in TABLES:  # the tables are useful: something is released in each
        assert any(status == gate.RELEASED for status, _v in seen[slug].values()), slug
    recovered = []
    for slug in TABLES:
        published_table = gate.TABLES[slug]
        bounds = infer(published_table, synthetic.owner, seen[slug])
        for cell_id in planted_cells(published_table, synthetic):
            assert seen[slug][cell_id][0] == gate.FEWER_THAN_K
            lowest, _highest = bounds[cell_id]
            if lowest > 0.5:  # he could prove a report lies in that district, month or category
                recovered.append((slug, cell_id, lowest))
    assert recovered == []


def test_removing_one_report_changes_nothing_beyond_the_perturbation(
    ousmane: Client, synthetic: Synthetic
) -> None:
    before = {t: {c: (s, v) for c, s, v in ask(ousmane, t, {}, "api")} for t in TABLES}
    removed = synthetic.planted[0]
    removed_cells = {
        slug: {
            gate.cell_id(c)
            for leaf in gate.protected_tables("voices", synthetic.owner)[slug].tab.row_cells.get(
                str(removed.pk), []
            )
            for c in _ancestors(leaf)
        }
        for slug in TABLES
    }
    removed.delete()
    after = {t: {c: (s, v) for c, s, v in ask(ousmane, t, {}, "api")} for t in TABLES}
    for slug in TABLES:
        for cell_id, (status, value) in before[slug].items():
            new_status, new_value = after[slug][cell_id]
            if status != gate.RELEASED or new_status != gate.RELEASED:
                continue
            assert value is not None and new_value is not None
            if cell_id in removed_cells[slug]:
                assert abs(new_value - value) <= 1 + 2 * gate.MAX_NOISE
            else:
                assert new_value == value, (slug, cell_id)
        for cell_id in planted_cells(gate.TABLES[slug], synthetic)[:1]:
            assert before[slug][cell_id][0] == after[slug][cell_id][0] == gate.FEWER_THAN_K


def _ancestors(leaf: gate.Cell) -> list[gate.Cell]:
    import itertools

    return [tuple(c) for c in itertools.product(*(gate._prefixes(p) for p in leaf))]
