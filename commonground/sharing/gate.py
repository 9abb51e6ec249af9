"""The disclosure gate: the one function every figure from protected records passes through.

Anyone who may not see protected records themselves (voices reports, perception responses,
events above ``public``) sees figures made from them only as the output of :func:`release`.
The gate releases **published tables** only: fixed dimensions defined in code
(:class:`PublishedTable`, registered with :func:`register`; voices defines its tables in
``commonground/voices/published.py``). A recipient chooses a table and may narrow it to some
values of its own dimensions; that only selects cells of the one protected table, it never adds
a sum, so no two answers can be subtracted to isolate a record.

For each table (docs/disclosure-gate.md, ADR 0021):

1. **threshold** ``K`` (``COMMONGROUND_DISCLOSURE_K``, default 10, never below 5): every cell
   with fewer than ``K`` contributing records is suppressed (primary suppression), zero cells
   included, so "fewer than K" never tells 0 from 1;
2. **secondary suppression**: the singleton rule (no relation "total = sum of parts" keeps
   exactly one suppressed cell), then an audit by linear programming (HiGHS through scipy) of
   what an intruder can derive from everything released: for each primary cell holding a
   record, the smallest value consistent with the released cells must be 0, i.e. no one can
   prove a record lies there. Cells are added until the audit passes. Tables of one source share
   their common margins, and a cell hidden in one is hidden in all (linked tables);
3. **re-identification risk**: the global risk (the mean over records of 1 / the size of the
   smallest group the release puts the record in, on the table's key variables, as sdcMicro
   computes it without sampling weights). Above ``COMMONGROUND_DISCLOSURE_MAX_RISK`` (3 %) the
   smallest released cells are hidden too; a table that cannot get below it is withheld;
4. **cell-key perturbation** (the ONS method): each record carries a random key 0-255
   (``cell_key``), a cell's key is the sum of its records' keys modulo 256 and the noise is read
   from a perturbation table, so the same cell always gets the same noise, whatever the question;
5. every release is **logged** (``sharing.releases.Release``).

Geo-masking of points and coarsening of dates live in ``commonground.sharing.geomask``.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from threading import Lock
from typing import Any, Literal

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise
from scipy.optimize import linprog
from scipy.sparse import csr_array

#: The lowest threshold the gate accepts, whatever the settings say.
MINIMUM_K = 5
#: Record keys and cell keys run from 0 to 255 (the ONS convention).
KEY_RANGE = 256
#: The largest cell value the perturbation table has rows for; above, rows 501-750 repeat.
PTABLE_MAX_PCV = 750

Path = tuple[str, ...]
Cell = tuple[Path, ...]
Measure = Literal["count", "sum"]
Status = Literal["released", "fewer_than_k", "hidden", "withheld"]

RELEASED: Status = "released"
FEWER_THAN_K: Status = "fewer_than_k"
HIDDEN: Status = "hidden"
WITHHELD: Status = "withheld"


# --- Settings ----------------------------------------------------------------------------------


def threshold_k() -> int:
    """The threshold K; refuses (ImproperlyConfigured) a setting below :data:`MINIMUM_K`."""
    k = int(getattr(settings, "COMMONGROUND_DISCLOSURE_K", 10))
    if k < MINIMUM_K:
        raise ImproperlyConfigured(
            f"COMMONGROUND_DISCLOSURE_K must be at least {MINIMUM_K}, not {k} / "
            f"COMMONGROUND_DISCLOSURE_K doit valoir au moins {MINIMUM_K}, pas {k}"
        )
    return k


def max_risk() -> float:
    """The highest global re-identification risk a release may carry (default 3 %)."""
    return float(getattr(settings, "COMMONGROUND_DISCLOSURE_MAX_RISK", 0.03))


# --- Published tables ------------------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    """One fixed dimension of a published table.

    ``key`` marks a quasi-identifier (what an intruder may know of a person: area, month, sex
    and age); the risk measure groups records on those. ``depth`` is 2 for admin-1 > admin-2.
    """

    name: str
    label: str | Promise
    key: bool = True
    depth: int = 1


@dataclass(frozen=True)
class SourceRow:
    """One record's contribution to a table: where it falls on each dimension, and how much.

    ``paths`` holds, for each dimension, the codes from the top of its hierarchy down to the
    record's value (``("CAF.ouaka", "CAF.ouaka.bambari")``). ``weight`` is 1 in a count table
    and, say, the number of people in a sum table (a record may then give several rows).
    """

    record: str
    record_key: int
    paths: tuple[Path, ...]
    weight: int = 1


@dataclass(frozen=True)
class PublishedTable:
    """A table the gate may release: fixed dimensions, one measure, and where its rows come from.

    Tables of one ``source`` and ``measure`` must count the same records: their common margins
    are the same cells and are protected together. ``rows`` reads the owner's protected records
    (it is the only code allowed to, see ``test_gate_no_bypass``); ``domain`` lists the leaf
    paths every dimension shows, records or not, so an empty row looks like a small one.
    """

    slug: str
    source: str
    title: str | Promise
    dimensions: tuple[Dimension, ...]
    measure: Measure
    measure_label: str | Promise
    rows: Callable[[Any], list[SourceRow]]
    domain: Callable[[Any, list[SourceRow]], tuple[list[Path], ...]]
    labels: Callable[[str, Iterable[str]], dict[str, str]] = field(
        default=lambda _dimension, codes: {code: code for code in codes}
    )
    #: A cheap fingerprint of the records (one query), so a cached protection is reused without
    #: reading them again; ``None``: the rows themselves are the fingerprint.
    version: Callable[[Any], Any] | None = None


TABLES: dict[str, PublishedTable] = {}


def register(table: PublishedTable) -> PublishedTable:
    """Add a table to the registry of published tables (slugs are unique)."""
    known = TABLES.get(table.slug)
    if known is not None and known is not table:
        raise ValueError(f"published table {table.slug!r} is defined twice")
    TABLES[table.slug] = table
    return table


def tables_of(source: str) -> list[PublishedTable]:
    return [table for table in TABLES.values() if table.source == source]


# --- Perturbation table (the ONS cell-key method) ---------------------------------------------


@cache
def ptable(k: int) -> dict[tuple[int, int], int]:
    """Noise by (cell value, cell key): 0 half the time, ±1 a fifth each, ±2 5 % each.

    Unbiased, at most 2 either way; no noise below ``k`` (those cells are suppressed) and none
    that would bring a released cell below ``k``. Same layout as the ONS package's p-tables
    (``pcv``, ``ckey``, ``pvalue``), so ``cell_key_perturbation`` can read it (a test does).
    """
    table: dict[tuple[int, int], int] = {}
    for pcv in range(1, PTABLE_MAX_PCV + 1):
        for ckey in range(KEY_RANGE):
            noise = _noise_for_key(ckey)
            table[pcv, ckey] = 0 if pcv < k or pcv + noise < k else noise
    return table


def _noise_for_key(ckey: int) -> int:
    if ckey < 128:
        return 0
    if ckey < 179:
        return 1
    if ckey < 230:
        return -1
    if ckey < 243:
        return 2
    return -2


#: The most the perturbation moves a released value.
MAX_NOISE = 2


def perturbation(value: int, cell_key: int, k: int) -> int:
    """The noise for a cell (the ONS rule: values above 750 reuse rows 501-750)."""
    if value <= 0:
        return 0
    pcv = value if value <= PTABLE_MAX_PCV else ((value - 1) % 250) + 501
    return ptable(k)[pcv, cell_key % KEY_RANGE]


# --- Tabulation --------------------------------------------------------------------------------


@dataclass
class Tabulation:
    """The true table: every cell (margins included), its value, contributors and cell key."""

    cells: list[Cell]
    value: dict[Cell, int]
    contributors: dict[Cell, int]
    cell_key: dict[Cell, int]
    children: list[dict[Path, list[Path]]]  # per dimension: a path's child paths
    row_cells: dict[str, list[Cell]]  # per record: the leaf cells its rows fall in


def _prefixes(path: Path) -> list[Path]:
    return [path[:n] for n in range(len(path) + 1)]


def tabulate(
    table: PublishedTable, rows: Sequence[SourceRow], domain: Sequence[list[Path]]
) -> Tabulation:
    """Count every cell of the table's hypercube, totals and subtotals included."""
    per_dim: list[set[Path]] = [set() for _ in table.dimensions]
    for d, leaves in enumerate(domain):
        for leaf in leaves:
            per_dim[d].update(_prefixes(leaf))
    for row in rows:
        for d, path in enumerate(row.paths):
            per_dim[d].update(_prefixes(path))
    ordered = [sorted(paths, key=lambda p: (len(p) > 0, p)) for paths in per_dim]
    children: list[dict[Path, list[Path]]] = []
    for paths in ordered:
        kids: dict[Path, list[Path]] = {}
        for path in paths:
            if path:
                kids.setdefault(path[:-1], []).append(path)
        children.append(kids)
    cells = list(itertools.product(*ordered))
    value = dict.fromkeys(cells, 0)
    records: dict[Cell, set[str]] = {cell: set() for cell in cells}
    keys: dict[str, int] = {}
    row_cells: dict[str, list[Cell]] = {}
    for row in rows:
        keys[row.record] = row.record_key
        row_cells.setdefault(row.record, []).append(tuple(row.paths))
        for cell in itertools.product(*(_prefixes(p) for p in row.paths)):
            value[cell] += row.weight
            records[cell].add(row.record)
    return Tabulation(
        cells=cells,
        value=value,
        contributors={cell: len(found) for cell, found in records.items()},
        cell_key={cell: sum(keys[r] for r in found) % KEY_RANGE for cell, found in records.items()},
        children=children,
        row_cells=row_cells,
    )


def relations(tab: Tabulation) -> list[tuple[Cell, list[Cell]]]:
    """Every additive relation of the table: a cell equals the sum of its children on one axis."""
    found: list[tuple[Cell, list[Cell]]] = []
    for cell in tab.cells:
        for d, path in enumerate(cell):
            kids = tab.children[d].get(path)
            if kids:
                found.append((cell, [(*cell[:d], kid, *cell[d + 1 :]) for kid in kids]))
    return found


# --- Suppression and its audit ---------------------------------------------------------------


def is_grand_total(cell: Cell) -> bool:
    return all(not path for path in cell)


def attacker_bounds(measure: Measure, status: Status, k: int) -> tuple[float, float | None]:
    """What anyone reading the release knows of a suppressed cell, from its label alone."""
    if measure == "sum":
        return (0, None)
    if status == FEWER_THAN_K:
        return (0, k - 1)
    return (k, None)


def lowest_derivable(
    tab: Tabulation,
    rels: list[tuple[Cell, list[Cell]]],
    status: Mapping[Cell, Status],
    measure: Measure,
    k: int,
    targets: Iterable[Cell],
    values: Mapping[Cell, float] | None = None,
    slack: float = 0.0,
    upper: bool = True,
) -> dict[Cell, tuple[float, float]]:
    """The interval an intruder can derive for each target cell, by linear programming.

    The intruder knows every released value (``values``; by default the true ones, the worst
    case), the additive relations, and what each suppressed cell's label says
    (:func:`attacker_bounds`). ``slack`` widens each released value by the perturbation an
    intruder must allow for. Answers {cell: (lowest, highest)}; an unbounded highest is inf.
    """
    shown = values if values is not None else tab.value
    suppressed = [cell for cell in tab.cells if status[cell] != RELEASED]
    index = {cell: n for n, cell in enumerate(suppressed)}
    n_sup = len(suppressed)
    released_in = [
        (total, parts)
        for total, parts in rels
        if status[total] != RELEASED or any(status[p] != RELEASED for p in parts)
    ]
    # Each released value v becomes a variable bounded to [v - slack, v + slack] when slack > 0.
    extra: dict[Cell, int] = {}
    data: list[float] = []
    row_ids: list[int] = []
    col_ids: list[int] = []
    rhs: list[float] = []
    for r, (total, parts) in enumerate(released_in):
        constant = 0.0
        for cell, sign in [(total, 1.0)] + [(p, -1.0) for p in parts]:
            if cell in index:
                row_ids.append(r)
                col_ids.append(index[cell])
                data.append(sign)
            elif slack:
                col = extra.setdefault(cell, n_sup + len(extra))
                row_ids.append(r)
                col_ids.append(col)
                data.append(sign)
            else:
                constant += sign * shown[cell]
        rhs.append(-constant)
    n_vars = n_sup + len(extra)
    bounds: list[tuple[float, float | None]] = [
        attacker_bounds(measure, status[cell], k) for cell in suppressed
    ]
    bounds += [(max(0.0, shown[cell] - slack), shown[cell] + slack) for cell in extra]
    matrix = csr_array((data, (row_ids, col_ids)), shape=(len(released_in), n_vars))
    answer: dict[Cell, tuple[float, float]] = {}
    for target in targets:
        objective = np.zeros(n_vars)
        objective[index[target]] = 1.0
        low = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
        lowest = float(low.fun) if low.status == 0 else 0.0
        highest = float("inf")
        if upper:
            high = linprog(-objective, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
            highest = float(-high.fun) if high.status == 0 else float("inf")
        answer[target] = (lowest, highest)
    return answer


def _singleton_pass(
    tab: Tabulation, rels: list[tuple[Cell, list[Cell]]], status: dict[Cell, Status]
) -> None:
    """The singleton rule: no relation keeps exactly one suppressed cell (add the smallest)."""
    changed = True
    while changed:
        changed = False
        for total, parts in rels:
            members = [total, *parts]
            if sum(status[c] != RELEASED for c in members) != 1:
                continue
            choice = _smallest_released(tab, status, members)
            if choice is not None:
                status[choice] = HIDDEN
                changed = True


def _smallest_released(
    tab: Tabulation, status: Mapping[Cell, Status], candidates: Iterable[Cell]
) -> Cell | None:
    """The released cell to hide at least cost: the smallest, never the grand total if avoidable."""
    released = [c for c in candidates if status[c] == RELEASED]
    if not released:
        return None
    return min(released, key=lambda c: (is_grand_total(c), tab.value[c], len(c), c))


def _failing_cells(
    tab: Tabulation,
    rels: list[tuple[Cell, list[Cell]]],
    status: Mapping[Cell, Status],
    measure: Measure,
    k: int,
) -> list[Cell]:
    """Primary cells holding a record whose presence an intruder could prove (lowest > 0)."""
    targets = [c for c in tab.cells if status[c] == FEWER_THAN_K and tab.contributors[c] > 0]
    if not targets:
        return []
    bounds = lowest_derivable(tab, rels, status, measure, k, targets, upper=False)
    return [cell for cell, (lowest, _high) in bounds.items() if lowest > 0.5]


def _global_risk(tab: Tabulation, table: PublishedTable, status: Mapping[Cell, Status]) -> float:
    """Mean over records of 1 / the size of the smallest group the release puts it in."""
    keys = [d.key for d in table.dimensions]
    if not tab.row_cells:
        return 0.0
    total = 0.0
    memo: dict[Cell, int] = {}
    for leaves in tab.row_cells.values():
        worst = 0.0
        for leaf in leaves:
            projected = tuple(p if key else () for p, key in zip(leaf, keys, strict=True))
            group = _group_size(tab, status, projected, memo)
            if group:
                worst = max(worst, 1.0 / group)
        total += worst
    return total / len(tab.row_cells)


def _group_size(
    tab: Tabulation,
    status: Mapping[Cell, Status],
    cell: Cell,
    memo: dict[Cell, int] | None = None,
) -> int:
    """How many records share ``cell`` in what is released (0: nothing narrows them down).

    A released cell: its contributors. A suppressed one: along each axis, the suppressed
    siblings together when their parent is released (the intruder isolates that group by
    subtraction), else the parent's own group; the smallest of these (the worst case).
    """
    memo = {} if memo is None else memo
    if cell in memo:
        return memo[cell]
    if status[cell] == RELEASED:
        memo[cell] = tab.contributors[cell]
        return memo[cell]
    sizes = []
    for d, path in enumerate(cell):
        if not path:
            continue
        parent = (*cell[:d], path[:-1], *cell[d + 1 :])
        if status[parent] == RELEASED:
            siblings = [(*cell[:d], kid, *cell[d + 1 :]) for kid in tab.children[d][path[:-1]]]
            sizes.append(sum(tab.contributors[s] for s in siblings if status[s] != RELEASED))
        else:
            sizes.append(_group_size(tab, status, parent, memo))
    positive = [size for size in sizes if size]
    memo[cell] = min(positive) if positive else 0
    return memo[cell]


def _risk_candidates(
    table: PublishedTable, tab: Tabulation, status: Mapping[Cell, Status]
) -> list[Cell]:
    keys = [d.key for d in table.dimensions]
    return [
        c
        for c in tab.cells
        if status[c] == RELEASED
        and not is_grand_total(c)
        and all(key or not path for path, key in zip(c, keys, strict=False))
    ]


@dataclass
class Protected:
    """A table after the gate: each cell's status and, when released, its perturbed value."""

    table: PublishedTable
    tab: Tabulation
    status: dict[Cell, Status]
    shown: dict[Cell, int]
    noise: dict[Cell, int]
    risk: float
    k: int
    withheld: bool = False

    @property
    def suppressed(self) -> list[Cell]:
        return [c for c in self.tab.cells if self.status[c] != RELEASED]

    @property
    def perturbed(self) -> list[Cell]:
        return [c for c in self.tab.cells if self.noise.get(c)]


def protect_table(
    table: PublishedTable, tab: Tabulation, k: int, forced: frozenset[Any] = frozenset()
) -> Protected:
    """Suppress, audit, measure the risk and perturb one table (``forced``: linked hidden cells)."""
    rels = relations(tab)
    status: dict[Cell, Status] = {}
    for cell in tab.cells:
        if tab.contributors[cell] < k:
            status[cell] = FEWER_THAN_K
        elif linked_key(table, cell) in forced:
            status[cell] = HIDDEN
        else:
            status[cell] = RELEASED
    limit = max_risk()
    # The risk first (cheap), then the audit (linear programs): hiding more only lowers the risk,
    # so the final check below passes unless the table must be withheld.
    while True:
        _singleton_pass(tab, rels, status)
        if _global_risk(tab, table, status) <= limit:
            break
        candidates = _risk_candidates(table, tab, status)
        if not candidates:
            return _withheld(table, tab, k)
        status[min(candidates, key=lambda c: (tab.contributors[c], c))] = HIDDEN
    if not _make_safe(table, tab, rels, status, k):
        return _withheld(table, tab, k)
    risk = _global_risk(tab, table, status)
    if risk > limit:
        return _withheld(table, tab, k)
    noise = {
        c: perturbation(tab.value[c], tab.cell_key[c], k)
        for c in tab.cells
        if status[c] == RELEASED
    }
    shown = {c: tab.value[c] + noise[c] for c in noise}
    return Protected(table, tab, status, shown, noise, risk, k)


def _make_safe(
    table: PublishedTable,
    tab: Tabulation,
    rels: list[tuple[Cell, list[Cell]]],
    status: dict[Cell, Status],
    k: int,
) -> bool:
    """Secondary suppression until the audit passes; False when nothing is left to hide."""
    while True:
        _singleton_pass(tab, rels, status)
        failing = _failing_cells(tab, rels, status, table.measure, k)
        if not failing:
            return True
        for cell in failing:
            around = [
                m for total, parts in rels if cell in (total, *parts) for m in (total, *parts)
            ]
            choice = _smallest_released(tab, status, around)
            if choice is None:
                choice = _smallest_released(tab, status, tab.cells)
            if choice is None:
                return False
            status[choice] = HIDDEN


def _withheld(table: PublishedTable, tab: Tabulation, k: int) -> Protected:
    status: dict[Cell, Status] = dict.fromkeys(tab.cells, WITHHELD)
    return Protected(table, tab, status, {}, {}, 0.0, k, withheld=True)


def linked_key(table: PublishedTable, cell: Cell) -> tuple[Any, ...]:
    """A cell's identity across the tables of one source and measure (the shared margins)."""
    named = frozenset(
        (dim.name, path) for dim, path in zip(table.dimensions, cell, strict=True) if path
    )
    return (table.source, table.measure, named)


def protect_family(
    tables: Sequence[PublishedTable],
    rows: Mapping[str, list[SourceRow]],
    domains: Mapping[str, tuple[list[Path], ...]],
    k: int,
) -> dict[str, Protected]:
    """Protect linked tables together: a margin hidden in one is hidden in every other."""
    tabs = {t.slug: tabulate(t, rows[t.slug], domains[t.slug]) for t in tables}
    forced: frozenset[Any] = frozenset()
    for _round in range(20):
        done = {t.slug: protect_table(t, tabs[t.slug], k, forced) for t in tables}
        hidden = frozenset(
            linked_key(p.table, c)
            for p in done.values()
            if not p.withheld
            for c in p.tab.cells
            if p.status[c] == HIDDEN
        )
        if hidden <= forced:
            return done
        forced = forced | hidden
    return {t.slug: _withheld(t, tabs[t.slug], k) for t in tables}


# --- Cache: the same records give the same protected tables, computed once --------------------

_CACHE: OrderedDict[tuple[Any, ...], dict[str, Protected]] = OrderedDict()
_CACHE_LOCK = Lock()
_CACHE_SIZE = 32


def protected_tables(source: str, owner: Any) -> dict[str, Protected]:
    """Every published table of ``source`` for ``owner``, protected (cached on the data)."""
    k = threshold_k()
    family = tables_of(source)
    owner_key = getattr(owner, "pk", owner)
    by_function: dict[Any, Any] = {}
    for t in family:
        if t.version is not None and t.version not in by_function:
            by_function[t.version] = t.version(owner)
    versions = [by_function.get(t.version) if t.version else None for t in family]
    quick = (source, owner_key, k, max_risk(), tuple(map(repr, versions)))
    if all(v is not None for v in versions):
        with _CACHE_LOCK:
            if quick in _CACHE:
                _CACHE.move_to_end(quick)
                return _CACHE[quick]
    rows = {t.slug: t.rows(owner) for t in family}
    domains = {t.slug: t.domain(owner, rows[t.slug]) for t in family}
    fingerprint = hashlib.sha256(repr((sorted(rows.items()), sorted(domains.items()))).encode())
    key = (source, owner_key, k, max_risk(), fingerprint.hexdigest())
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    done = protect_family(family, rows, domains, k)
    with _CACHE_LOCK:
        _CACHE[key] = done
        if all(v is not None for v in versions):
            _CACHE[quick] = done
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return done


# --- What a recipient receives ----------------------------------------------------------------


@dataclass(frozen=True)
class ReleasedCell:
    """One cell as a recipient sees it: never the true value of a suppressed cell."""

    cell: Cell
    status: Status
    value: int | None

    @property
    def id(self) -> str:
        return cell_id(self.cell)


@dataclass(frozen=True)
class ReleasedTable:
    table: PublishedTable
    owner: Any
    cells: list[ReleasedCell]
    k: int
    risk: float
    withheld: bool
    release_id: Any = None


def cell_id(cell: Cell) -> str:
    """A cell as text: one part per dimension, ``*`` for the total."""
    return "|".join("/".join(path) if path else "*" for path in cell)


def restricts(table: PublishedTable, restrictions: Mapping[str, Iterable[str]], cell: Cell) -> bool:
    """Whether a cell is among those a recipient asked for (totals always are)."""
    for dim, path in zip(table.dimensions, cell, strict=True):
        allowed = restrictions.get(dim.name)
        if allowed is None or not path:
            continue
        if not set(path) & set(allowed):
            return False
    return True


def release(
    table: PublishedTable,
    owner: Any,
    *,
    recipient: Any,
    organization: Any,
    circle: Any,
    restrictions: Mapping[str, Iterable[str]] | None = None,
    channel: str = "page",
) -> ReleasedTable:
    """The gate: a published table of ``owner``'s records, protected, narrowed and logged.

    ``restrictions`` maps a dimension name to the codes the recipient wants; it only selects
    cells of the one protected table (no new sums). Every call writes one ``Release`` row.
    """
    from commonground.sharing.releases import do_record_release

    wanted = {name: frozenset(codes) for name, codes in (restrictions or {}).items()}
    unknown = set(wanted) - {d.name for d in table.dimensions}
    if unknown:
        raise ValueError(f"not a dimension of {table.slug}: {sorted(unknown)}")
    protected = protected_tables(table.source, owner)[table.slug]
    cells = [
        ReleasedCell(cell, protected.status[cell], protected.shown.get(cell))
        for cell in protected.tab.cells
        if restricts(table, wanted, cell)
    ]
    record = do_record_release(
        table=table.slug,
        owner=owner,
        recipient=recipient,
        organization=organization,
        circle=circle,
        channel=channel,
        restrictions={name: sorted(codes) for name, codes in wanted.items()},
        suppressed=[c.id for c in cells if c.status != RELEASED],
        perturbed=[cell_id(c.cell) for c in cells if protected.noise.get(c.cell)],
        risk=protected.risk,
        withheld=protected.withheld,
    )
    return ReleasedTable(
        table, owner, cells, protected.k, protected.risk, protected.withheld, record.pk
    )


# --- Who receives released tables (the policy's rule for the gate) -----------------------------


@dataclass(frozen=True)
class Route:
    """How a viewer receives an owner's released tables: through which circle and organization."""

    owner: Any
    organization: Any
    circle: Any


def release_routes(viewer: Any) -> dict[str, Route]:
    """The owners (by slug) whose published tables ``viewer`` receives, and through what.

    Members of the owner itself; and members of any organization in a circle the owner owns,
    unless the owner paused releases to it. Armed actors may be in such a circle: they receive
    released tables only, never records. Anyone else receives nothing (and is told nothing).
    """
    from commonground.sharing.models import Organization, SharingCircle
    from commonground.sharing.policy import circle_ids_for

    routes: dict[str, Route] = {}
    if not viewer.roles:
        return routes
    circles = (
        SharingCircle.objects.filter(id__in=circle_ids_for(viewer), releases_paused=False)
        .select_related("owner")
        .prefetch_related("members")
        .order_by("owner__slug", "slug")
    )
    for circle in circles:
        member = next(m for m in circle.members.all() if m.pk in viewer.roles)
        routes.setdefault(circle.owner.slug, Route(circle.owner, member, circle))
    for organization in Organization.objects.filter(pk__in=list(viewer.roles)):
        routes[organization.slug] = Route(organization, organization, None)
    return routes


def dimension_codes(table: PublishedTable, owner: Any) -> list[list[Path]]:
    """Every path each dimension of the table shows for ``owner`` (totals excluded), in order."""
    tab = protected_tables(table.source, owner)[table.slug].tab
    return [sorted(kid for kids in children.values() for kid in kids) for children in tab.children]
