"""``/voices/figures``: released tables of community reports as JSON (through the gate only).

The same answers as the page (``figures.py``): members of the owner and of organizations in a
circle the owner releases to. Anyone else gets 404, exactly as for a table that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from commonground.api.auth import ANONYMOUS_ALLOWED, READ
from commonground.api.errors import ErrorEnvelope
from commonground.sharing import gate
from commonground.sharing.markings import RELEASED_TLP
from commonground.sharing.policy import policy
from commonground.voices import figures

router = Router(tags=["voices"])


class TableOut(Schema):
    slug: str
    title: str
    dimensions: list[str]
    measure: str


class SourceOut(Schema):
    owner: str
    tables: list[TableOut]


class CellOut(Schema):
    id: str = Field(description="One part per dimension, '*' for the total.")
    dimensions: dict[str, str | None] = Field(description="The cell's code on each dimension.")
    status: str = Field(description="released, fewer_than_k, hidden or withheld.")
    value: int | None = Field(description="Perturbed count; null when suppressed.")


class ReleasedOut(Schema):
    owner: str
    table: str
    title: str
    k: int
    tlp: str = Field(description="TLP 2.0 marking of released figures: always TLP:GREEN.")
    withheld: bool
    note: str
    cells: list[CellOut]


NOTE = (
    "Cells of fewer than k records show status fewer_than_k (empty cells too); hidden cells "
    "protect them from subtraction; each value carries consistent noise of at most 2; a table "
    "whose re-identification risk would exceed 3 % is withheld. / Les cellules de moins de k "
    "signalements sont masquées, d'autres aussi pour empêcher la soustraction ; chaque valeur "
    "porte un bruit constant d'au plus 2 ; un tableau au risque de ré-identification supérieur "
    "à 3 % n'est pas publié."
)


@router.get(
    "/voices/figures",
    response={200: list[SourceOut], frozenset({401, 404}): ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("released")
def list_figures(request: HttpRequest) -> list[dict[str, Any]]:
    """The organizations whose released tables you receive, and their published tables."""
    routes = figures.routes_for(request)
    figures.choose(routes, None, None)  # nobody releases to you: not found
    tables = [
        {
            "slug": t.slug,
            "title": str(t.title),
            "dimensions": [d.name for d in t.dimensions],
            "measure": t.measure,
        }
        for source in figures.SOURCES
        for t in gate.tables_of(source)
    ]
    return [{"owner": slug, "tables": tables} for slug in routes]


@router.get(
    "/voices/figures/{owner}/{table}",
    response={200: ReleasedOut, frozenset({401, 404}): ErrorEnvelope},
    auth=READ,
    openapi_extra=ANONYMOUS_ALLOWED,
)
@policy("released")
def released_table(request: HttpRequest, owner: str, table: str) -> dict[str, Any]:
    """One released table, narrowed by ?<dimension>=code (repeatable) or <dimension>_from/_to."""
    released = figures.released_for(request, owner, table, "api")
    names = [d.name for d in released.table.dimensions]
    return {
        "owner": owner,
        "table": table,
        "title": str(released.table.title),
        "tlp": RELEASED_TLP,
        "k": released.k,
        "withheld": released.withheld,
        "note": NOTE,
        "cells": [
            {
                "id": c.id,
                "dimensions": {
                    n: (path[-1] if path else None) for n, path in zip(names, c.cell, strict=True)
                },
                "status": c.status,
                "value": c.value,
            }
            for c in released.cells
        ],
    }
