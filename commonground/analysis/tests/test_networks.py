"""Actor networks on the real CAR file: edges and weights equal the dyads counted from the CSV
(side_a, side_b) with the csv module; centralities equal NetworkX's on a small known graph."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter

import networkx as nx
import pytest
from django.contrib.auth.models import User

from commonground.analysis.networks import (
    Dyad,
    Side,
    actor_by_year,
    build_network,
    country_network,
    in_period,
    visible_dyads,
)
from commonground.analysis.panels import parse_month
from commonground.core.models import ImportRun
from commonground.events.models import Event
from commonground.events.tests.conftest import GedRow
from commonground.registry.models import Actor, ActorIdentifier, ActorKind
from commonground.sharing.models import Organization, Sensitivity

pytestmark = pytest.mark.django_db


def ucdp_actors() -> dict[str, uuid.UUID]:
    """UCDP side id -> our actor id, from the identifiers the importer recorded."""
    return dict(ActorIdentifier.objects.filter(scheme="ucdp").values_list("value", "actor_id"))


def expected_from_csv(
    rows: list[GedRow],
) -> tuple[dict[frozenset[uuid.UUID], list[int]], Counter[uuid.UUID]]:
    """Fight edges (events, deaths) and one-sided events per perpetrator, from the CSV alone."""
    actors = ucdp_actors()
    edges: dict[frozenset[uuid.UUID], list[int]] = {}
    one_sided: Counter[uuid.UUID] = Counter()
    for row in rows:
        a, b = actors[row["side_a_new_id"]], actors[row["side_b_new_id"]]
        if row["type_of_violence"] in {"1", "2"}:
            edge = edges.setdefault(frozenset((a, b)), [0, 0])
            edge[0] += 1
            edge[1] += int(row["best"])
        else:
            assert row["side_b"] == "Civilians"
            one_sided[a] += 1
    return edges, one_sided


def test_edges_and_weights_equal_the_dyads_of_the_csv(
    ged_imported: ImportRun, ged_rows: list[GedRow]
) -> None:
    edges, one_sided = expected_from_csv(ged_rows)

    network = country_network(None, "CAF")

    found = {
        frozenset((e["source"], e["target"])): [e["events"], e["deaths"]] for e in network.edges()
    }
    assert found == edges
    nodes = {row["id"]: row for row in network.nodes()}
    assert {a: n["one_sided_events"] for a, n in nodes.items() if n["one_sided_events"]} == dict(
        one_sided
    )
    civilians = Actor.objects.get(kind=ActorKind.CIVILIANS, name="Civilians")
    assert civilians.pk not in nodes


def test_a_period_takes_only_its_events(ged_imported: ImportRun, ged_rows: list[GedRow]) -> None:
    in_2014 = [r for r in ged_rows if r["date_start"].startswith("2014")]
    edges, one_sided = expected_from_csv(in_2014)

    network = country_network(None, "CAF", parse_month("2014-01"), parse_month("2014-12"))

    assert {
        frozenset((e["source"], e["target"])): [e["events"], e["deaths"]] for e in network.edges()
    } == edges
    assert sum(n["one_sided_events"] for n in network.nodes()) == sum(one_sided.values())


def test_centralities_are_networkx_ones() -> None:
    names = "ABCDE"
    sides = {n: Side(uuid.uuid5(uuid.NAMESPACE_DNS, n), n, ActorKind.MILITIA) for n in names}
    pairs = [("A", "B"), ("A", "B"), ("B", "C"), ("C", "D"), ("C", "E")]
    rows = [Dyad(24_000, sides[a], sides[b], "non_state", 2) for a, b in pairs]
    civilians = Side(uuid.uuid4(), "Civilians", ActorKind.CIVILIANS)
    rows.append(Dyad(24_000, sides["E"], civilians, "one_sided", 5))

    network = build_network(rows)

    reference = nx.Graph([(a, b) for a, b in pairs])
    betweenness = nx.betweenness_centrality(reference)
    for name, side in sides.items():
        assert network.centrality[side.id]["betweenness"] == round(betweenness[name], 4)
    assert network.graph.edges[sides["A"].id, sides["B"].id]["events"] == 2
    top = network.nodes()[0]
    assert top["name"] == "C" and top["opponents"] == 3
    e = next(n for n in network.nodes() if n["name"] == "E")
    assert (e["one_sided_events"], e["one_sided_deaths"]) == (1, 5)
    assert civilians.id not in network.graph


def test_year_by_year_place_of_an_actor(ged_imported: ImportRun, ged_rows: list[GedRow]) -> None:
    actors = ucdp_actors()
    seleka = next(
        r for r in ged_rows if r["side_a"].startswith("Seleka") or r["side_b"].startswith("Seleka")
    )
    side = "side_a" if seleka["side_a"].startswith("Seleka") else "side_b"
    actor_id = actors[seleka[f"{side}_new_id"]]
    years = sorted(
        {
            int(r["date_start"][:4])
            for r in ged_rows
            if actors[r["side_a_new_id"]] == actor_id or actors[r["side_b_new_id"]] == actor_id
        }
    )

    found = actor_by_year(visible_dyads(None, ["CAF"]), actor_id)

    assert [row["year"] for row in found] == years
    assert all(row["rank"] is None or 1 <= row["rank"] <= row["actors"] for row in found)


def test_restricted_dyads_stay_hidden(ged_imported: ImportRun, cast: dict[str, User]) -> None:
    jmac = Organization.objects.get(slug="minusca-jmac")
    secret = Actor.objects.create(name="Ouaka informant network", kind=ActorKind.MILITIA)
    template = Event.objects.filter(violence_type="non_state").first()
    assert template is not None
    template.pk, template.source_id, template.dataset = None, "JMAC-N-1", "jmac"
    template.owner, template.sensitivity = jmac, Sensitivity.RESTRICTED
    template.actor2, template.date_start = secret, datetime.date(2022, 5, 1)
    template.save()

    assert secret.pk not in country_network(None, "CAF").graph
    assert secret.pk not in country_network(cast["jean"], "CAF").graph
    assert secret.pk in country_network(cast["marc"], "CAF").graph
    assert in_period(visible_dyads(cast["marc"], ["CAF"]), parse_month("2022-05"), None)
