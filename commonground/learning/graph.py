"""A theory of change laid out in layers for a server-rendered SVG (no script, no CDN).

Activities, outputs, outcomes and assumptions are four columns (networkx's multipartite
layout); within a column, nodes keep their key order. Edges are straight lines with an arrow.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from commonground.learning.models import NODE_LAYER, NodeKind, TocEdge
from commonground.learning.queries import NodeView

WIDTH, NODE_W, NODE_H, ROW_H, MARGIN = 960, 200, 56, 84, 20


@dataclass(frozen=True)
class Box:
    key: str
    kind: str
    label: str
    x: float
    y: float
    flagged: bool


@dataclass(frozen=True)
class Arrow:
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str


@dataclass(frozen=True)
class Drawing:
    width: int
    height: int
    boxes: list[Box]
    arrows: list[Arrow]


def draw(nodes: list[NodeView], edges: list[TocEdge], french: bool) -> Drawing:
    graph = nx.DiGraph()
    for view in nodes:
        graph.add_node(view.node.key, layer=NODE_LAYER[NodeKind(view.node.kind)])
    graph.add_edges_from((e.source.key, e.target.key) for e in edges)
    per_layer: dict[int, int] = {}
    for _key, data in graph.nodes(data=True):
        per_layer[data["layer"]] = per_layer.get(data["layer"], 0) + 1
    rows = max(per_layer.values(), default=1)
    height = rows * ROW_H + 2 * MARGIN
    column = (WIDTH - 2 * MARGIN - NODE_W) / max(len(NODE_LAYER) - 1, 1)
    positions = nx.multipartite_layout(graph, subset_key="layer") if len(graph) else {}
    boxes: dict[str, Box] = {}
    seen: dict[int, int] = {}
    for view in sorted(nodes, key=lambda v: (float(positions[v.node.key][1]), v.node.key)):
        layer = NODE_LAYER[NodeKind(view.node.kind)]
        index = seen[layer] = seen.get(layer, -1) + 1
        label = (view.node.label_fr if french else "") or view.node.label
        boxes[view.node.key] = Box(
            key=view.node.key,
            kind=view.node.kind,
            label=label,
            x=MARGIN + layer * column,
            y=MARGIN + index * ROW_H,
            flagged=view.flagged and view.node.kind == NodeKind.ASSUMPTION,
        )
    arrows = [arrow(boxes[e.source.key], boxes[e.target.key], e.kind) for e in edges]
    return Drawing(WIDTH, height, list(boxes.values()), arrows)


def arrow(start: Box, end: Box, kind: str) -> Arrow:
    """From the side of one box to the facing side of the other."""
    if end.x > start.x:
        return Arrow(start.x + NODE_W, start.y + NODE_H / 2, end.x, end.y + NODE_H / 2, kind)
    if end.x < start.x:
        return Arrow(start.x, start.y + NODE_H / 2, end.x + NODE_W, end.y + NODE_H / 2, kind)
    return Arrow(start.x + NODE_W / 2, start.y + NODE_H, end.x + NODE_W / 2, end.y, kind)
