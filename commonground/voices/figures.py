"""Released figures of community reports and perception surveys: what others see, through the gate.

``/voices/figures/`` (page), ``/voices/figures/<owner>/<table>.csv`` (export) and
``/api/v1/voices/figures...`` (``api_figures.py``) show only published tables released by
``sharing.gate.release``, to members of the owner and of organizations in a circle the owner
owns and has not paused. Anyone else gets the page's "not found", exactly as for a page that
does not exist: no answer says whether an organization has reports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from commonground.core.csv_out import csv_text
from commonground.sharing import gate
from commonground.sharing.gate import PublishedTable, ReleasedTable, Route
from commonground.sharing.markings import RELEASED_TLP
from commonground.sharing.policy import policy, request_viewer
from commonground.voices import published, surveys

#: The families of published tables shown here: community reports, perception surveys.
SOURCES = (published.SOURCE, surveys.SOURCE)


def routes_for(request: HttpRequest) -> dict[str, Route]:
    """The owners whose released tables this request may read (none: not found)."""
    return gate.release_routes(request_viewer(request))


def choose(
    routes: Mapping[str, Route], owner_slug: str | None, table_slug: str | None
) -> tuple[Route, PublishedTable]:
    """The route and table asked for; an unknown or hidden one is "not found"."""
    if not routes:
        raise Http404(_("No such page."))
    route = routes.get(owner_slug or next(iter(routes)))
    table = gate.TABLES.get(table_slug or published.AREA_MONTH.slug)
    if route is None or table is None or table.source not in SOURCES:
        raise Http404(_("No such page."))
    return route, table


def restrictions_from(
    table: PublishedTable, owner: Any, query: Mapping[str, list[str]]
) -> dict[str, set[str]]:
    """The recipient's narrowing: codes of the table's own dimensions, or a from-to window.

    Only selects cells of the one protected table; no new sum is ever made from it.
    """
    wanted: dict[str, set[str]] = {}
    codes = gate.dimension_codes(table, owner)
    for dim, paths in zip(table.dimensions, codes, strict=True):
        chosen = {value for value in query.get(dim.name, []) if value}
        start = (query.get(f"{dim.name}_from") or [""])[0]
        end = (query.get(f"{dim.name}_to") or [""])[0]
        if start or end:
            window = {
                p[-1] for p in paths if (not start or p[-1] >= start) and (not end or p[-1] <= end)
            }
            chosen = (chosen & window) if chosen else window
            if not chosen:
                chosen = {"-"}  # nothing in the window: select no cell, never all
        if chosen:
            wanted[dim.name] = chosen
    return wanted


def released_for(
    request: HttpRequest, owner_slug: str | None, table_slug: str | None, channel: str
) -> ReleasedTable:
    route, table = choose(routes_for(request), owner_slug, table_slug)
    query = {key: request.GET.getlist(key) for key in request.GET}
    return gate.release(
        table,
        route.owner,
        recipient=request.user,
        organization=route.organization,
        circle=route.circle,
        restrictions=restrictions_from(table, route.owner, query),
        channel=channel,
    )


@dataclass(frozen=True)
class Grid:
    """A two-dimensional released table laid out for the page: rows, columns, cells."""

    rows: list[tuple[gate.Path, str]]
    columns: list[tuple[gate.Path, str]]
    cells: dict[tuple[gate.Path, gate.Path], gate.ReleasedCell]

    def lines(self) -> list[tuple[gate.Path, str, list[gate.ReleasedCell | None]]]:
        return [
            (row, label, [self.cells.get((row, column)) for column, _label in self.columns])
            for row, label in self.rows
        ]


def grid(released: ReleasedTable) -> Grid:
    """Rows on the first dimension, columns on the second; totals first."""
    first, second = released.table.dimensions[:2]
    cells = {(c.cell[0], c.cell[1]): c for c in released.cells}
    rows = sorted({c.cell[0] for c in released.cells})
    columns = sorted({c.cell[1] for c in released.cells})
    row_names = released.table.labels(first.name, [p[-1] for p in rows if p])
    column_names = released.table.labels(second.name, [p[-1] for p in columns if p])
    total = _("Total")
    # A survey table's rows are indicators: their sum counts a respondent once per indicator.
    rows_total = (
        _("All indicators together (each respondent once per indicator)")
        if released.table.source == "surveys"
        else total
    )
    return Grid(
        rows=[(p, row_names.get(p[-1], p[-1]) if p else rows_total) for p in rows],
        columns=[(p, column_names.get(p[-1], p[-1]) if p else total) for p in columns],
        cells=cells,
    )


def status_text(cell: gate.ReleasedCell, k: int) -> str:
    """What a recipient reads in a cell (bilingual through gettext)."""
    if cell.status == gate.RELEASED:
        return str(cell.value)
    if cell.status == gate.FEWER_THAN_K:
        return _("fewer than %(k)s") % {"k": k}
    if cell.status == gate.HIDDEN:
        return _("hidden")
    return _("withheld")


#: Dimensions narrowed by a from-to window rather than a list of values.
WINDOWS = frozenset({"month", "quarter"})


def filters(released: ReleasedTable) -> list[tuple[gate.Dimension, list[tuple[str, str]], bool]]:
    """For the form: each dimension, its values (code, name) and whether it takes a window."""
    table = released.table
    found = []
    for dim, paths in zip(
        table.dimensions, gate.dimension_codes(table, released.owner), strict=True
    ):
        codes = [p[-1] for p in paths]
        names = table.labels(dim.name, codes)
        found.append((dim, [(code, names.get(code, code)) for code in codes], dim.name in WINDOWS))
    return found


@policy("released")
def figures(request: HttpRequest) -> HttpResponse:
    """The released tables of the owners that release to you (anyone else: not found)."""
    routes = routes_for(request)
    released = released_for(request, request.GET.get("owner"), request.GET.get("table"), "page")
    layout = grid(released)
    context = {
        "routes": routes,
        "released": released,
        "owner": released.owner,
        "tables": [t for source in SOURCES for t in gate.tables_of(source)],
        "lines": [
            (row, label, [(c, status_text(c, released.k) if c else "") for c in cells])
            for row, label, cells in layout.lines()
        ],
        "columns": layout.columns,
        "filters": filters(released),
        "selected": {key: request.GET.getlist(key) for key in request.GET},
        "any_synthetic": published.has_synthetic(released.owner),
    }
    return render(request, "voices/figures.html", context)


@policy("released")
def figures_csv(request: HttpRequest, owner: str, table: str) -> HttpResponse:
    """The same released table as CSV (every text cell formula-neutralised)."""
    released = released_for(request, owner, table, "csv")
    dims = released.table.dimensions
    header = [d.name for d in dims] + ["status", "value", "tlp"]
    rows: list[list[Any]] = [
        ["/".join(path) if path else "total" for path in c.cell]
        + [
            c.status if c.status != gate.FEWER_THAN_K else f"fewer_than_{released.k}",
            c.value,
            RELEASED_TLP,
        ]
        for c in released.cells
    ]
    response = HttpResponse(csv_text([header, *rows]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{owner}-{table}.csv"'
    return response
