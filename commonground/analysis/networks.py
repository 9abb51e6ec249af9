"""Actor networks from the event dyads: who fights whom, who targets civilians, and centrality.

Each event names one or two sides (``actor1``, ``actor2``; UCDP's side_a and side_b). Two graphs
come from them, for whatever period the caller's events cover:

- **who fights whom**: an undirected NetworkX graph of armed actors, one edge per pair that met
  in state-based or non-state armed conflict, weighted by events and deaths (best estimate);
- **who targets civilians**: one-sided violence, where the second side is the civilians
  (``ActorKind.CIVILIANS``); each perpetrator carries its one-sided events and deaths.

Civilians are not a node of the fighting graph: as the target of every one-sided event they
would be its centre, and the centrality of armed actors among themselves is what an analyst
asks for. Protests and riots (``unrest``) and events with one side unknown make no edge.

Centrality on the fighting graph: degree (share of the other actors met), betweenness (share of
shortest paths through the actor, unweighted: a path is a chain of enmities, not a distance)
and eigenvector (weighted by events: being fought by actors who fight much). Eigenvector
centrality is None when the power iteration does not converge. On a graph in several pieces it
concentrates on the largest piece; the pages say so.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from django.db import connection
from django.db.models import Count, QuerySet, Sum
from django.db.models.expressions import RawSQL

from commonground.analysis.figures import figure_rows, month_sql
from commonground.analysis.models import DyadMonthFigure
from commonground.analysis.panels import month_id
from commonground.events.models import Event, ViolenceType
from commonground.events.schemas import EventFilters
from commonground.registry.models import Actor, ActorKind
from commonground.sharing.policy import AnyUser

FIGHTS = (ViolenceType.STATE_BASED.value, ViolenceType.NON_STATE.value)
ONE_SIDED = ViolenceType.ONE_SIDED.value


@dataclass(frozen=True)
class Side:
    id: uuid.UUID
    name: str
    kind: str


@dataclass(frozen=True)
class Dyad:
    """Events between the same two sides, of one type, in one month: what the network needs."""

    month_id: int
    a: Side | None
    b: Side | None
    violence_type: str
    deaths: int
    #: How many events these are (the database groups them: a million events on a busy
    #: country come down to a few hundred thousand rows, and the network adds weights).
    events: int = 1


def dyads(events: QuerySet[Event]) -> list[Dyad]:
    """The dyads of already access-checked events, grouped per month.

    The database groups by month (its own expression, no Python per row) and by the actors'
    keys only; names and kinds come after, once per actor. The reference for
    ``visible_dyads``, which reads the same from the stored figures.
    """
    month = RawSQL(month_sql(connection.vendor), ())  # noqa: S611 (fixed SQL, no input)
    rows = (
        events.order_by()
        .annotate(month=month)
        .values_list("month", "actor1_id", "actor2_id", "violence_type")
        .annotate(n=Count("id"), dead=Sum("fatalities_best"))
    )
    return as_dyads(list(rows))


def as_dyads(grouped: list[tuple[Any, ...]]) -> list[Dyad]:
    """Rows of (month, side A id, side B id, violence type, events, deaths) as dyads."""
    ids = {pk for row in grouped for pk in row[1:3] if pk}
    sides = {
        pk: Side(pk, name, kind)
        for pk, name, kind in Actor.objects.filter(pk__in=ids).values_list("pk", "name", "kind")
    }
    return [
        Dyad(
            month_id=month_id(as_date(first_day)),
            a=sides.get(a_id) if a_id else None,
            b=sides.get(b_id) if b_id else None,
            violence_type=violence,
            deaths=int(dead or 0),
            events=int(n),
        )
        for first_day, a_id, b_id, violence, n, dead in grouped
    ]


def as_date(value: datetime.date | datetime.datetime | str) -> datetime.date:
    """The month's first day as the database gave it (ISO text on SQLite)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value[:10])


@dataclass
class Network:
    """The fighting graph, the one-sided figures per perpetrator, and the centralities."""

    graph: nx.Graph
    one_sided: dict[uuid.UUID, dict[str, Any]] = field(default_factory=dict)
    centrality: dict[uuid.UUID, dict[str, float | None]] = field(default_factory=dict)

    def nodes(self) -> list[dict[str, Any]]:
        """Every armed actor (in a fight or as a perpetrator), most central first."""
        ids = set(self.graph.nodes) | set(self.one_sided)
        rows = []
        for actor_id in ids:
            data = (
                self.graph.nodes[actor_id] if actor_id in self.graph else self.one_sided[actor_id]
            )
            targets = self.one_sided.get(actor_id, {})
            rows.append(
                {
                    "id": actor_id,
                    "name": data["name"],
                    "kind": data["kind"],
                    "opponents": self.graph.degree(actor_id) if actor_id in self.graph else 0,
                    "fight_events": int(self.graph.degree(actor_id, weight="events"))
                    if actor_id in self.graph
                    else 0,
                    "one_sided_events": targets.get("events", 0),
                    "one_sided_deaths": targets.get("deaths", 0),
                    **self.centrality.get(
                        actor_id, {"degree": 0.0, "betweenness": 0.0, "eigenvector": 0.0}
                    ),
                }
            )
        return sorted(
            rows,
            key=lambda r: (
                -(r["betweenness"] or 0),
                -(r["degree"] or 0),
                -r["fight_events"],
                r["name"],
            ),
        )

    def edges(self) -> list[dict[str, Any]]:
        """Who fought whom, most events first."""
        rows = [
            {
                "source": a,
                "source_name": self.graph.nodes[a]["name"],
                "target": b,
                "target_name": self.graph.nodes[b]["name"],
                "events": data["events"],
                "deaths": data["deaths"],
                "state_based": data["state_based"],
                "non_state": data["non_state"],
            }
            for a, b, data in self.graph.edges(data=True)
        ]
        return sorted(rows, key=lambda r: (-r["events"], r["source_name"], r["target_name"]))

    def components(self) -> int:
        return nx.number_connected_components(self.graph) if self.graph else 0


def is_armed(side: Side | None) -> bool:
    return side is not None and side.kind != ActorKind.CIVILIANS


def build_network(rows: Iterable[Dyad]) -> Network:
    """The fighting graph and one-sided figures of ``rows``, with centralities."""
    graph = nx.Graph()
    one_sided: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        if row.violence_type in FIGHTS and is_armed(row.a) and is_armed(row.b):
            add_fight(graph, row)
        elif row.violence_type == ONE_SIDED and row.a is not None and is_armed(row.a):
            target = one_sided.setdefault(
                row.a.id, {"name": row.a.name, "kind": row.a.kind, "events": 0, "deaths": 0}
            )
            target["events"] += row.events
            target["deaths"] += row.deaths
    return Network(graph, one_sided, centralities(graph))


def add_fight(graph: nx.Graph, row: Dyad) -> None:
    assert row.a is not None and row.b is not None  # checked by the caller (is_armed)
    for side in (row.a, row.b):
        graph.add_node(side.id, name=side.name, kind=side.kind)
    if row.a.id == row.b.id:
        return  # a side against itself is no tie (UCDP does not record one, but be safe)
    if not graph.has_edge(row.a.id, row.b.id):
        graph.add_edge(row.a.id, row.b.id, events=0, deaths=0, state_based=0, non_state=0)
    edge = graph.edges[row.a.id, row.b.id]
    edge["events"] += row.events
    edge["deaths"] += row.deaths
    edge[row.violence_type] += row.events


def centralities(graph: nx.Graph) -> dict[uuid.UUID, dict[str, float | None]]:
    """Degree, betweenness and eigenvector centrality of every node (see the module doc)."""
    if graph.number_of_nodes() == 0:
        return {}
    degree = (
        nx.degree_centrality(graph) if graph.number_of_nodes() > 1 else dict.fromkeys(graph, 0.0)
    )
    betweenness = nx.betweenness_centrality(graph, normalized=True)
    eigen: dict[Any, float] | None
    try:
        eigen = (
            nx.eigenvector_centrality(graph, max_iter=1000, weight="events")
            if graph.number_of_edges()
            else None
        )
    except nx.PowerIterationFailedConvergence:
        eigen = None
    return {
        node: {
            "degree": round(degree[node], 4),
            "betweenness": round(betweenness[node], 4),
            "eigenvector": round(eigen[node], 4) if eigen is not None else None,
        }
        for node in graph.nodes
    }


def in_period(rows: Sequence[Dyad], first: int | None, last: int | None) -> list[Dyad]:
    return [
        r
        for r in rows
        if (first is None or r.month_id >= first) and (last is None or r.month_id <= last)
    ]


def actor_by_year(rows: Sequence[Dyad], actor_id: uuid.UUID) -> list[dict[str, Any]]:
    """One actor's place in each year's network, for the years it took part in an event.

    Each year's network takes in every visible event of that year, not only the actor's own,
    so the centrality and rank are among all armed actors of that year.
    """
    by_year: dict[int, list[Dyad]] = {}
    for row in rows:
        by_year.setdefault(row.month_id // 12, []).append(row)
    years = sorted({r.month_id // 12 for r in rows if actor_id in {s.id for s in (r.a, r.b) if s}})
    found = []
    for year in years:
        network = build_network(by_year[year])
        nodes = network.nodes()
        ranks = {row["id"]: n for n, row in enumerate(nodes, 1)}
        own = next((row for row in nodes if row["id"] == actor_id), None)
        opponents = (
            sorted(network.graph.nodes[o]["name"] for o in network.graph.neighbors(actor_id))
            if actor_id in network.graph
            else []
        )
        found.append(
            {
                "year": year,
                "actors": len(nodes),
                "rank": ranks.get(actor_id),
                "opponents": opponents,
                "fight_events": own["fight_events"] if own else 0,
                "one_sided_events": own["one_sided_events"] if own else 0,
                "one_sided_deaths": own["one_sided_deaths"] if own else 0,
                "degree": own["degree"] if own else None,
                "betweenness": own["betweenness"] if own else None,
                "eigenvector": own["eigenvector"] if own else None,
            }
        )
    return found


# --- Reading through the access policy --------------------------------------------------------


def visible_dyads(user: AnyUser | None, countries: Sequence[str] | None = None) -> list[Dyad]:
    """The dyads of the events the user may see (in ``countries`` if given), per month.

    From the stored dyad-month figures, filtered by the access policy as events are: reading
    a million events took 8 s, these rows a fraction of it. Equal to ``dyads`` of the events.
    """
    rows = figure_rows(DyadMonthFigure, user, EventFilters())
    if countries:
        rows = rows.filter(country_code__in=list(countries))
    grouped = rows.values_list("month", "actor1", "actor2", "violence_type").annotate(
        n=Sum("events"), dead=Sum("deaths")
    )
    return as_dyads(list(grouped))


def country_network(
    user: AnyUser | None, country: str, first: int | None = None, last: int | None = None
) -> Network:
    """The network of the visible events in a country, between two months if given."""
    return build_network(in_period(visible_dyads(user, [country]), first, last))
