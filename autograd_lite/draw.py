"""Pictures of a computational graph and of broadcasting, drawn as SVG by the library itself.

``draw(loss)`` lays out the graph that produced a Tensor and returns a
`GraphPicture`: an SVG image that a Jupyter or Colab notebook shows under
the cell (as micrograd's ``draw_dot`` does, without Graphviz or any other
system package), that the book puts on its pages at build time
(``hooks/pictures.py``) and that a notebook carries as an image.  Every
picture carries its facts in words too (``<title>`` and ``<desc>``), for a
screen reader and for print.

The layout is the textbook layered one (Sugiyama's), in three steps a reader
of chapter 5 can follow:

1. **Layers** come from the graph's own topological order
   (`autograd_lite.graph.topological_sort`): walking the nodes inputs first,
   each node goes one layer after its deepest input, so every arrow points
   from a lower layer to a higher one.  A leaf then moves down to the layer
   just above its first user, so an input used late draws no long arrow.
2. **Order within a layer**: arrows that span several layers pass through
   invisible waypoints, one per layer; then the barycentre heuristic sorts
   each layer by the mean position of its neighbours in the layer before
   (and, sweeping back, the layer after), keeping the order with the fewest
   crossings.
3. **Positions**: each node is pulled towards the mean position of its
   neighbours, as close as the order and the spacing allow, and arrows are
   drawn as gentle curves with arrowheads.

Colours come from the page (``currentColor`` and Material's CSS variables),
so a picture reads on the light and the dark theme; an SVG shown on its own
(a file, an image in a notebook) paints its own background.  The same graph
gives the same bytes.

Used by the book's chapters 1 (Computational graphs), 2 (Backward functions:
the Jacobian of an elementwise function, `jacobian_svg`), 3 (Broadcasting),
4 (Unbroadcast), 5 (Topological sorting: how the book draws its graphs),
6 (Backprop by hand) and 7 (Autograd); chapters 1, 6 and 7 step through a
backward pass with `backward_frames`.
"""

from __future__ import annotations

import base64
import bisect
import html
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .graph import topological_sort

__all__ = [
    "BackwardFrame",
    "BroadcastPlan",
    "GraphPicture",
    "broadcast_plan",
    "backward_frames",
    "broadcast_svg",
    "draw",
    "draw_graph",
    "graph_layers",
    "graph_to_mermaid",
    "jacobian_svg",
    "to_mermaid",
]


class _Key:
    """A dict key for an unhashable node: the node itself, compared by identity."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other.value is self.value

    @staticmethod
    def of(node: Any) -> Any:
        try:
            hash(node)
        except TypeError:
            return _Key(node)
        return node

    @staticmethod
    def node(key: Any) -> Any:
        return key.value if isinstance(key, _Key) else key


def _sorted_graph(root: Any, get_inputs: Callable[[Any], Iterable[Any]]):
    """(nodes in topological order, inputs first; each node's inputs as indices into that list)."""

    def inputs_of(key: Any) -> list[Any]:
        return [_Key.of(child) for child in get_inputs(_Key.node(key))]

    order = topological_sort(_Key.of(root), inputs_of)
    index = {key: i for i, key in enumerate(order)}
    return order, [[index[child] for child in inputs_of(key)] for key in order], index


_DIRECTIONS = {"TB": "top to bottom", "LR": "left to right"}


def _check_direction(direction: str, who: str) -> None:
    if direction not in _DIRECTIONS:
        raise ValueError(
            f"{who}: direction={direction!r} is not a direction it draws; use 'TB' (inputs at "
            "the top, the root at the bottom) or 'LR' (inputs on the left)."
        )


# ------------------------------------------------------------------ the layout


def _layer_numbers(inputs: list[list[int]]) -> list[int]:
    """Step 1: each node one layer after its deepest input (nodes are in topological order)."""
    layer = [0] * len(inputs)
    for node, node_inputs in enumerate(inputs):
        if node_inputs:
            layer[node] = 1 + max(layer[i] for i in node_inputs)
    first_use = [len(inputs)] * len(inputs)
    for node, node_inputs in enumerate(inputs):
        for i in node_inputs:
            first_use[i] = min(first_use[i], layer[node])
    for node, node_inputs in enumerate(inputs):
        if not node_inputs and first_use[node] < len(inputs):
            layer[node] = first_use[node] - 1  # a leaf waits just above its first user
    return layer


def _crossings(layers: list[list[int]], below: list[list[int]]) -> int:
    """How many pairs of arrows cross between neighbouring layers (counted by inversions)."""
    total = 0
    for upper, lower in zip(layers, layers[1:]):
        position = {v: p for p, v in enumerate(lower)}
        ends = sorted((p, position[w]) for p, v in enumerate(upper) for w in below[v])
        seen: list[int] = []
        for _, q in ends:
            total += len(seen) - bisect.bisect_right(seen, q)
            bisect.insort(seen, q)
    return total


def _barycentre_sweep(layers, neighbours, sweep) -> None:
    """Sort each layer in ``sweep`` by the mean position of its neighbours in the layer just done."""
    for number, fixed in sweep:
        position = {v: p for p, v in enumerate(layers[fixed])}

        def barycentre(item: tuple[int, int]) -> tuple[float, int]:
            p, v = item
            near = neighbours[v]
            return (sum(position[u] for u in near) / len(near) if near else p, p)

        layers[number] = [v for _, v in sorted(enumerate(layers[number]), key=barycentre)]


def _closest_in_order(desired: list[float], sizes: list[float], gap: float) -> list[float]:
    """Centres as close to ``desired`` as possible, in this order, boxes ``gap`` apart.

    Subtracting each box's least offset from the first turns it into
    isotonic regression, which pool-adjacent-violators solves exactly.
    """
    offsets = [0.0]
    for before, after in zip(sizes, sizes[1:]):
        offsets.append(offsets[-1] + (before + after) / 2 + gap)
    blocks: list[list[float]] = []  # [mean, count]
    for target in (d - o for d, o in zip(desired, offsets)):
        blocks.append([target, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            mean, count = blocks.pop()
            blocks[-1] = [
                (blocks[-1][0] * blocks[-1][1] + mean * count) / (blocks[-1][1] + count),
                blocks[-1][1] + count,
            ]
    pooled = [mean for mean, count in blocks for _ in range(int(count))]
    return [p + o for p, o in zip(pooled, offsets)]


@dataclass
class _Layout:
    """Where everything goes: ``across`` is the axis along a layer, ``down`` the axis of layers."""

    layer: list[int]                  # layer of every vertex (nodes first, then waypoints)
    layers: list[list[int]]           # vertices of each layer, in drawing order
    chains: list[tuple[int, int, list[int]]]  # per edge: (input, output, vertices from one to the other)
    across: list[float]               # centre of each vertex along its layer
    size: list[tuple[float, float]]   # (extent across, extent down) of each vertex
    band: list[tuple[float, float]]   # (start, end) of each layer along the down axis


def _layout(
    inputs: list[list[int]],
    size: list[tuple[float, float]],
    node_gap: float,
    layer_gap: float,
) -> _Layout:
    n = len(inputs)
    layer = _layer_numbers(inputs)
    sizes = list(size)
    # Arrows spanning several layers get a waypoint in each layer they cross.  The arrows
    # leaving one node share their waypoints: one trunk runs down from a node used far
    # below, and each arrow branches off it just above its node.
    chains = []
    trunk: dict[tuple[int, int], int] = {}
    for node, node_inputs in enumerate(inputs):
        for i in node_inputs:
            chain = [i]
            for crossed in range(layer[i] + 1, layer[node]):
                if (i, crossed) not in trunk:
                    layer.append(crossed)
                    sizes.append((2.0, 0.0))
                    trunk[i, crossed] = len(layer) - 1
                chain.append(trunk[i, crossed])
            chains.append((i, node, chain + [node]))
    above: list[list[int]] = [[] for _ in layer]
    below: list[list[int]] = [[] for _ in layer]
    segments = {(upper, lower) for _, _, chain in chains for upper, lower in zip(chain, chain[1:])}
    for upper, lower in sorted(segments):
        below[upper].append(lower)
        above[lower].append(upper)
    # First order: nodes as the topological sort met them, each waypoint after its input.
    first = [float(v) for v in range(n)] + [0.0] * (len(layer) - n)
    for i, _, chain in chains:
        for waypoint in chain[1:-1]:
            first[waypoint] = i + 0.5
    layers: list[list[int]] = [[] for _ in range(max(layer) + 1)]
    for v in sorted(range(len(layer)), key=lambda v: (first[v], v)):
        layers[layer[v]].append(v)

    # Step 2: barycentre sweeps down and up; keep the order with the fewest crossings.
    best, fewest = [list(l) for l in layers], _crossings(layers, below)
    down_sweep = [(number, number - 1) for number in range(1, len(layers))]
    up_sweep = [(number, number + 1) for number in range(len(layers) - 2, -1, -1)]
    for _ in range(4):
        for sweep, neighbours in ((down_sweep, above), (up_sweep, below)):
            _barycentre_sweep(layers, neighbours, sweep)
            count = _crossings(layers, below)
            if count < fewest:
                best, fewest = [list(l) for l in layers], count
    layers = best

    # Step 3: pull each vertex towards its neighbours, in order, without overlap.
    across = [0.0] * len(layer)
    for vertices in layers:
        extents = [sizes[v][0] for v in vertices]
        for v, centre in zip(vertices, _closest_in_order([0.0] * len(vertices), extents, node_gap)):
            across[v] = centre
    for round_ in range(8):
        sweep = down_sweep if round_ % 2 == 0 else up_sweep
        for number, _ in sweep:
            vertices = layers[number]
            desired = []
            for v in vertices:
                near = (above[v] if round_ % 2 == 0 else below[v]) or above[v] + below[v]
                desired.append(sum(across[u] for u in near) / len(near) if near else across[v])
            extents = [sizes[v][0] for v in vertices]
            for v, centre in zip(vertices, _closest_in_order(desired, extents, node_gap)):
                across[v] = centre

    band, start = [], 0.0
    for vertices in layers:
        depth = max(sizes[v][1] for v in vertices)
        band.append((start, start + depth))
        start += depth + layer_gap
    return _Layout(layer, layers, chains, across, sizes, band)


def graph_layers(root: Any, get_inputs: Callable[[Any], Iterable[Any]]) -> list[list[Any]]:
    """The layers ``draw`` puts the nodes in, inputs first, each layer in drawing order.

    Layer numbers come from the topological order of
    `autograd_lite.graph.topological_sort`: walking it inputs first, each
    node goes one layer after its deepest input (a leaf then moves down to the
    layer just above its first user).  Within a layer the order is the one
    with the fewest crossing arrows the barycentre sweeps found.

    >>> from autograd_lite.draw import graph_layers
    >>> inputs = {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}
    >>> graph_layers("L", lambda n: inputs.get(n, []))
    [['a', 'b', 'c'], ['d', 'e'], ['L']]
    """
    order, inputs, _ = _sorted_graph(root, get_inputs)
    layout = _layout(inputs, [(1.0, 1.0)] * len(order), 1.0, 1.0)
    return [[_Key.node(order[v]) for v in vertices if v < len(order)] for vertices in layout.layers]


# ------------------------------------------------------------------ the SVG

# Node text is monospace, so its width is known without a font: about 0.6 em a character.
_FONT_SIZE = 14
_CHAR_WIDTH = 0.62 * _FONT_SIZE
_LINE_HEIGHT = 18
_PAD_ACROSS, _PAD_DOWN = 10, 7
_MAX_CHARS = 30        # a longer line is cut with "…" in the picture (the <desc> keeps it whole)
_ARROW = 8             # arrowhead length
_MARGIN = 8
_FONT = "ui-monospace, SFMono-Regular, Menlo, Consolas, 'DejaVu Sans Mono', monospace"

# Scoped to .graph-picture, so the rules do nothing else on a page that inlines the SVG.
# On a page the colours follow the theme (currentColor, Material's variables); an SVG
# shown on its own (svg:root: a file, an <img>, a notebook image) paints its own background.
_STYLE = (
    ".graph-picture .gp-node rect{fill:var(--md-default-bg-color,transparent);"
    "stroke:currentColor;stroke-opacity:.6}"
    ".graph-picture .gp-leaf rect{fill:rgba(63,81,181,.16)}"
    ".graph-picture .gp-edge{fill:none;stroke:currentColor;stroke-opacity:.65;stroke-width:1.4}"
    ".graph-picture .gp-arrow{fill:currentColor;fill-opacity:.8}"
    ".graph-picture .gp-highlight rect{stroke:var(--md-accent-fg-color,#e65100);"
    "stroke-width:3;stroke-opacity:1}"
    ".graph-picture .gp-label{paint-order:stroke;stroke:var(--md-default-bg-color,#fff);"
    "stroke-width:4px;stroke-linejoin:round}"
    ".graph-picture .gp-bg{fill:none}"
    "svg.graph-picture:root{color:#1b1b1f}"
    "svg.graph-picture:root .gp-bg,svg.graph-picture:root .gp-node rect{fill:#fff}"
    "svg.graph-picture:root .gp-leaf rect{fill:#e3e6f4}"
    "svg.graph-picture:root .gp-label{stroke:#fff}"
    "@media (prefers-color-scheme:dark){"
    "svg.graph-picture:root{color:#e3e3e8}"
    "svg.graph-picture:root .gp-bg,svg.graph-picture:root .gp-node rect{fill:#1e2129}"
    "svg.graph-picture:root .gp-leaf rect{fill:#2b3150}"
    "svg.graph-picture:root .gp-label{stroke:#1e2129}}"
)


def _num(x: float) -> str:
    """A coordinate with one decimal at most: the same graph always gives the same bytes."""
    text = f"{x:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _shown(line: str) -> str:
    return line if len(line) <= _MAX_CHARS else line[: _MAX_CHARS - 1] + "\u2026"


@dataclass(frozen=True)
class GraphPicture:
    """A drawn graph: its SVG text, and the same facts in words.

    A notebook shows it as the picture (``_repr_html_`` inlines the SVG so
    it follows the notebook's theme, ``_repr_svg_`` gives the image);
    ``str(picture)`` or ``picture.svg`` is the SVG text, ``picture.save(path)``
    writes an ``.svg`` file, ``picture.data_uri()`` an ``<img>`` source.
    ``title`` and ``description`` are the SVG's ``<title>`` and ``<desc>``.
    """

    svg: str
    title: str
    description: str

    def _repr_svg_(self) -> str:
        return self.svg

    def _repr_html_(self) -> str:
        return self.svg

    def __str__(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"<GraphPicture: {self.title}>"

    def save(self, path: str | Path) -> Path:
        """Write the SVG to ``path`` (e.g. ``"graph.svg"``); return the path."""
        path = Path(path)
        path.write_text(self.svg + "\n", encoding="utf-8")
        return path

    def data_uri(self) -> str:
        """The SVG as a ``data:`` address, for an ``<img>`` or a Markdown image."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def _describe_graph(refs, details, edges, root, direction, title_subject) -> tuple[str, str]:
    n, m = len(refs), len(edges)
    title = (
        f"{title_subject} of {refs[root]}: {n} node{'s' if n != 1 else ''}, "
        f"{m} edge{'s' if m != 1 else ''}"
    )
    nodes = "; ".join(
        f"{ref} ({', '.join(rest)})" if rest else ref for ref, rest in zip(refs, details)
    )
    words = [
        f"{title}, drawn {_DIRECTIONS[direction]}, each arrow from an input to the node computed "
        f"from it. Nodes, inputs first: {nodes}."
    ]
    if edges:
        words.append("Edges: " + "; ".join(
            f"{refs[i]} to {refs[k]}" + (f" ({label})" if label else "") for i, k, label in edges
        ) + ".")
    return title, " ".join(words)


def draw_graph(
    root: Any,
    get_inputs: Callable[[Any], Iterable[Any]],
    label: Callable[[Any], Sequence[str]],
    *,
    is_leaf: Callable[[Any], bool] | None = None,
    direction: str = "TB",
    highlight: Iterable[Any] = (),
    edge_labels: Mapping[tuple[Any, Any], str] | None = None,
    subject: str = "Graph",
    note: str = "",
) -> GraphPicture:
    """Draw every node ``root`` depends on as an SVG `GraphPicture`; arrows from inputs to outputs.

    This is the generic core behind `draw`, for any graph: ``get_inputs``
    lists a node's inputs (the ``get_parents`` of ``topological_sort``) and
    ``label`` gives a node's lines of text, the first one in bold.  The
    arrows point the way the forward pass runs: from each input to the node
    computed from it, so the inputs are at the top (``direction="TB"``) or
    on the left (``"LR"``) and the root at the bottom or on the right.
    Leaves (no inputs, unless ``is_leaf`` says otherwise) are drawn rounded.

    ``highlight`` names nodes to draw with a thick accent border, and
    ``edge_labels`` maps ``(input, output)`` pairs to a text written on
    that arrow: the frames of a backward pass use them to show where the
    gradient is and what flows along each edge.  ``subject`` starts the
    title ("Graph of L: ..."); ``note``, a sentence or two, starts the
    description (the frames say there what the step did).

    >>> from autograd_lite.draw import draw_graph
    >>> inputs = {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}
    >>> picture = draw_graph("L", lambda n: inputs.get(n, []), lambda n: [n])
    >>> picture
    <GraphPicture: Graph of L: 6 nodes, 6 edges>
    >>> print(picture.description)
    Graph of L: 6 nodes, 6 edges, drawn top to bottom, each arrow from an input to the node computed from it. Nodes, inputs first: a; b; d; c; e; L. Edges: a to d; b to d; b to e; c to e; d to L; e to L.
    >>> print(picture.svg.splitlines()[0])  # doctest: +ELLIPSIS
    <svg xmlns="http://www.w3.org/2000/svg" class="graph-picture" role="img" viewBox="0 0 ..." ...>
    """
    _check_direction(direction, "draw_graph")
    order, inputs, index = _sorted_graph(root, get_inputs)
    nodes = [_Key.node(key) for key in order]
    lines = [[str(line) for line in label(node)] or [""] for node in nodes]
    leaf = [is_leaf(node) if is_leaf is not None else not inputs[k] for k, node in enumerate(nodes)]

    def position(node: Any, what: str) -> int:
        try:
            return index[_Key.of(node)]
        except KeyError:
            raise ValueError(
                f"draw: {what} {node!r} is not a node of this graph; pass nodes that the root "
                "depends on (the same objects, not copies)."
            ) from None

    marked = {position(node, "highlight") for node in highlight}
    edge_text: dict[tuple[int, int], str] = {}
    for (source, target), text in (edge_labels or {}).items():
        i, k = position(source, "edge_labels input"), position(target, "edge_labels output")
        if i not in inputs[k]:
            raise ValueError(
                f"draw: edge_labels has an entry for {lines[i][0]!r} -> {lines[k][0]!r}, which is "
                "not an edge; key each label by (input, the node computed from it)."
            )
        edge_text[i, k] = str(text)

    # References in words: the first line, made unique with the node's number when it repeats.
    firsts = [node_lines[0] for node_lines in lines]
    repeats = Counter(firsts)
    refs = [first if repeats[first] == 1 else f"{first} (node {k + 1})" for k, first in enumerate(firsts)]
    edges = [(i, k, edge_text.get((i, k), "")) for k in range(len(nodes)) for i in inputs[k]]
    title, description = _describe_graph(
        refs, [node_lines[1:] for node_lines in lines], edges, len(nodes) - 1, direction, subject
    )
    if note:
        description = f"{note} {description}"

    across_first = direction == "TB"
    box = []
    for node_lines in lines:
        width = max(len(_shown(line)) for line in node_lines) * _CHAR_WIDTH + 2 * _PAD_ACROSS
        height = len(node_lines) * _LINE_HEIGHT + 2 * _PAD_DOWN
        box.append((max(width, 44.0), height))
    size = [(w, h) if across_first else (h, w) for w, h in box]
    layer_gap = (76 if edge_text else 48) if across_first else (96 if edge_text else 64)
    layout = _layout(inputs, size, 24 if across_first else 16, layer_gap)

    def centre(v: int) -> tuple[float, float]:
        start, end = layout.band[layout.layer[v]]
        return layout.across[v], (start + end) / 2

    # Ports: arrows leave (and enter) a box side by side, ordered like their other ends;
    # the arrows that leave into one trunk share its port.
    n = len(nodes)
    out_port: dict[int, float] = {}
    in_port: dict[int, float] = {}
    for side, pick, ports in (("out", 1, out_port), ("in", -2, in_port)):
        by_node: dict[int, dict[Any, list[int]]] = {}
        for number, (i, k, chain) in enumerate(layout.chains):
            port = chain[pick] if side == "out" and chain[pick] >= n else ("own", number)
            by_node.setdefault(i if side == "out" else k, {}).setdefault(port, []).append(number)
        for node, groups in by_node.items():
            order = sorted(groups.values(), key=lambda g: (layout.across[layout.chains[g[0]][2][pick]], g[0]))
            extent = layout.size[node][0]
            spread = min(extent - 16, 12 * (len(order) - 1))
            step = spread / (len(order) - 1) if len(order) > 1 else 0
            for j, group in enumerate(order):
                for c in group:
                    ports[c] = layout.across[node] + (j - (len(order) - 1) / 2) * step

    # Every arrow: where it leaves its input, the waypoints it passes, where its head sits.
    geometry = []
    for number, (i, k, chain) in enumerate(layout.chains):
        start = (out_port[number], centre(i)[1] + layout.size[i][1] / 2)
        passes = [(layout.across[w], *layout.band[layout.layer[w]]) for w in chain[1:-1]]
        tip = (in_port[number], centre(k)[1] - layout.size[k][1] / 2)
        geometry.append((i, k, start, passes, tip))
    low = min(layout.across[v] - layout.size[v][0] / 2 for v in range(len(layout.layer)))
    high = max(layout.across[v] + layout.size[v][0] / 2 for v in range(len(layout.layer)))
    # Edge labels sit halfway along an arrow's last stretch; labels sharing a gap between two
    # layers are spread apart (in the order of their arrows) so that none covers another.
    label_at: dict[tuple[int, int], tuple[float, float]] = {}
    by_gap: dict[float, list[tuple[float, int, int]]] = {}
    for i, k, start, passes, tip in geometry:
        if (i, k) in edge_text:
            last_a, last_d = (passes[-1][0], passes[-1][2]) if passes else start
            by_gap.setdefault(tip[1], []).append(((last_a + tip[0]) / 2, i, k))
            label_at[i, k] = (0.0, (last_d + tip[1] - _ARROW) / 2)
    for gap_labels in by_gap.values():
        gap_labels.sort()
        extents = [
            len(_shown(edge_text[i, k])) * _CHAR_WIDTH * 12 / _FONT_SIZE + 8 if across_first else 18
            for _, i, k in gap_labels
        ]
        placed = _closest_in_order([a for a, _, _ in gap_labels], extents, 2)
        for (_, i, k), a, extent in zip(gap_labels, placed, extents):
            label_at[i, k] = (a, label_at[i, k][1])
            low, high = min(low, a - extent / 2), max(high, a + extent / 2)
    shift = _MARGIN - low

    def point(a: float, d: float) -> str:
        """An (across, down) position as SVG "x,y", inside the margins."""
        x, y = (a + shift, d + _MARGIN) if across_first else (d + _MARGIN, a + shift)
        return f"{_num(x)},{_num(y)}"

    def curve(a0: float, d0: float, a1: float, d1: float) -> str:
        """A gentle S from one layer to the next: it leaves and arrives along the layer axis."""
        middle = (d0 + d1) / 2
        return f"C{point(a0, middle)} {point(a1, middle)} {point(a1, d1)}"

    # A trunk (the waypoints a node's long arrows share) is drawn once, from the node down
    # to its last waypoint; each arrow is drawn from where it leaves the trunk.
    paths, arrows, labels = [], [], []
    trunks: dict[int, tuple[tuple[float, float], list[tuple[float, float, float]]]] = {}
    for i, k, start, passes, tip in geometry:
        if passes and len(passes) > len(trunks.get(i, (start, []))[1]):
            trunks[i] = (start, passes)
    for i in sorted(trunks):
        (a, d), passes = trunks[i]
        commands = [f"M{point(a, d)}"]
        for pass_a, enter, leave in passes:
            commands.append(curve(a, d, pass_a, enter) + f"L{point(pass_a, leave)}")
            a, d = pass_a, leave
        paths.append(
            f'<path class="gp-edge gp-trunk" data-from="{i}" d="{"".join(commands)}" '
            'fill="none" stroke="currentColor"/>'
        )
    for i, k, (a, d), passes, (tip_a, tip_d) in geometry:
        if passes:
            a, d = passes[-1][0], passes[-1][2]
        paths.append(
            f'<path class="gp-edge" data-edge="{i} {k}" d="M{point(a, d)}{curve(a, d, tip_a, tip_d - _ARROW)}" '
            'fill="none" stroke="currentColor"/>'
        )
        arrows.append(
            f'<path class="gp-arrow" d="M{point(tip_a - 4.5, tip_d - _ARROW)} '
            f'L{point(tip_a, tip_d)} L{point(tip_a + 4.5, tip_d - _ARROW)}Z"/>'
        )
        if (i, k) in edge_text:
            x, y = point(*label_at[i, k]).split(",")
            labels.append(
                f'<text class="gp-label" x="{x}" y="{_num(float(y) + 4)}" font-size="12" '
                f'text-anchor="middle">{html.escape(_shown(edge_text[i, k]))}</text>'
            )

    extent_across = high - low + 2 * _MARGIN
    extent_down = layout.band[-1][1] + 2 * _MARGIN
    width, height = (extent_across, extent_down) if across_first else (extent_down, extent_across)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="graph-picture" role="img" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" height="{_num(height)}" '
        f'style="max-width: 100%; height: auto" font-family="{_FONT}" font-size="{_FONT_SIZE}" '
        'fill="currentColor">',
        f"<title>{html.escape(title)}</title>",
        f"<desc>{html.escape(description)}</desc>",
        f"<style>{_STYLE}</style>",
        '<rect class="gp-bg" width="100%" height="100%" fill="none"/>',
        *paths,
        *arrows,
    ]
    for k, node_lines in enumerate(lines):
        a, d = centre(k)
        w, h = box[k]
        x, y = (float(c) for c in point(a, d).split(","))
        classes = "gp-node" + (" gp-leaf" if leaf[k] else "") + (" gp-highlight" if k in marked else "")
        radius = min(h / 2, 16) if leaf[k] else 4
        out.append(f'<g class="{classes}" data-node="{k}">')
        out.append(
            f'<rect x="{_num(x - w / 2)}" y="{_num(y - h / 2)}" width="{_num(w)}" height="{_num(h)}" '
            f'rx="{_num(radius)}" fill="none" stroke="currentColor"/>'
        )
        for row, line in enumerate(node_lines):
            baseline = y - h / 2 + _PAD_DOWN + row * _LINE_HEIGHT + 13
            weight = ' font-weight="bold"' if row == 0 else ""
            out.append(
                f'<text x="{_num(x)}" y="{_num(baseline)}" text-anchor="middle"{weight}>'
                f"{html.escape(_shown(line))}</text>"
            )
        out.append("</g>")
    out.extend(labels)
    out.append("</svg>")
    return GraphPicture("\n".join(out), title, description)


# ------------------------------------------------------------------ Tensor graphs


def _format_number(x: Any) -> str:
    return format(x, ".4g") if isinstance(x, (float, np.floating)) else str(x)


def _format_array(value: Any) -> str:
    """Values in 4 significant digits, long arrays shortened: ``2``, ``[0.5, 0.3333]``."""
    array = np.asarray(getattr(value, "array", value))
    if array.ndim == 0:
        return _format_number(array.item())
    return np.array2string(
        array,
        separator=", ",
        threshold=8,
        edgeitems=2,
        formatter={"float_kind": _format_number},
    ).replace("\n", "")


def _recipe(tensor: Any) -> Any:
    return getattr(tensor, "recipe", None)


def _is_leaf(tensor: Any) -> bool:
    return _recipe(tensor) is None


def _tensor_inputs(tensor: Any) -> list[Any]:
    recipe = _recipe(tensor)
    if recipe is None:
        return []
    return [recipe.parents[position] for position in sorted(recipe.parents)]


def _operation(recipe: Any) -> str:
    # Wrapped helpers are private (``_sum``); the reader knows the operation as ``sum``.
    name = getattr(recipe.func, "__name__", repr(recipe.func)).lstrip("_")
    kwargs = getattr(recipe, "kwargs", None) or {}
    if not kwargs:
        return name
    return name + "(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"


def _tensor_details(node: Any, shape: bool, value: bool, grad: bool) -> list[str]:
    """The optional lines of a Tensor's label: shape, value, gradient (kept on leaves only)."""
    lines = []
    if shape:
        lines.append(f"shape {tuple(np.shape(node.array))}")
    if value:
        lines.append(f"value {_format_array(node.array)}")
    if grad and (_is_leaf(node) or getattr(node, "grad", None) is not None):
        node_grad = getattr(node, "grad", None)
        lines.append("grad None" if node_grad is None else f"grad {_format_array(node_grad)}")
    return lines


def _names_by_id(names: Mapping[str, Any] | None, who: str) -> dict[int, str]:
    if names is None:
        return {}
    if not isinstance(names, Mapping):
        raise TypeError(
            f"{who}: names must map a name to a Tensor, such as {{'a': a, 'L': L}}; "
            f"got {type(names).__name__}."
        )
    return {id(value): name for name, value in names.items()}


def _check_tensor(tensor: Any, who: str) -> None:
    if not hasattr(tensor, "array") or not hasattr(tensor, "recipe"):
        raise TypeError(
            f"{who}: expected the Tensor whose graph to draw (the root, e.g. the loss); got "
            f"{type(tensor).__name__}. Compute it with Tensors, e.g. L = (a * b).sum(), then {who}(L)."
        )


def draw(
    tensor: Any,
    names: Mapping[str, Any] | None = None,
    *,
    values: bool = False,
    grads: bool = False,
    shapes: bool = False,
    direction: str = "TB",
    highlight: Iterable[Any] = (),
    edge_labels: Mapping[tuple[Any, Any], str] | None = None,
) -> GraphPicture:
    """Draw the computational graph that produced ``tensor``, as an SVG `GraphPicture`.

    In a notebook, ``draw(loss)`` shows the picture under the cell.  Each
    node shows its name (looked up in ``names``, a mapping such as
    ``{"a": a, "L": L}``; an unnamed node shows its operation alone), the
    operation that made it (``leaf`` for a leaf, drawn rounded), and on
    request its shape, its value and its gradient (the engine keeps
    gradients on leaves only, so ``grads`` adds a line to the leaves and to
    any other node whose ``grad`` is set).

    **Arrows point from each input to the node computed from it**, the way
    the forward pass runs (chapter 1's convention): the leaves are at the
    top and the root at the bottom (``direction="LR"``: left to right).
    The graph is read from each Tensor's ``recipe``, its ``parents`` in
    argument order.  ``highlight`` (Tensors to outline) and ``edge_labels``
    (``{(input, output): text}``) are for pictures of a pass in progress,
    such as the frames of a backward pass.

    >>> from autograd_lite import Tensor, draw
    >>> a = Tensor(2.0, requires_grad=True)
    >>> b = Tensor(3.0, requires_grad=True)
    >>> c = Tensor(4.0, requires_grad=True)
    >>> d = a * b
    >>> e = b + c
    >>> L = d + e
    >>> names = {"a": a, "b": b, "c": c, "d": d, "e": e, "L": L}
    >>> draw(L, names)
    <GraphPicture: Computational graph of L: 6 nodes, 6 edges>
    >>> L.backward()
    >>> print(draw(d, names, values=True, grads=True).description)
    Computational graph of d: 3 nodes, 2 edges, drawn top to bottom, each arrow from an input to the node computed from it. Nodes, inputs first: a (leaf, value 2, grad 3); b (leaf, value 3, grad 3); d (multiply, value 6). Edges: a to d; b to d.
    """
    _check_tensor(tensor, "draw")
    _check_direction(direction, "draw")
    name_of = _names_by_id(names, "draw")

    def label(node: Any) -> list[str]:
        recipe = _recipe(node)
        operation = "leaf" if recipe is None else _operation(recipe)
        name = name_of.get(id(node))
        first = [operation] if name is None else [name, operation]
        return first + _tensor_details(node, shapes, values, grads)

    return draw_graph(
        tensor,
        _tensor_inputs,
        label,
        is_leaf=_is_leaf,
        direction=direction,
        highlight=highlight,
        edge_labels=edge_labels,
        subject="Computational graph",
    )


# ------------------------------------------------------------------ the backward pass, frame by frame


@dataclass(frozen=True)
class BackwardFrame:
    """One step of a backward pass: what happened, in words, and the graph at that moment.

    ``caption`` says what the step did; ``picture`` is the `GraphPicture`
    (every node's value and its gradient so far, the node being processed
    outlined, each arrow that just carried a gradient labelled with it).
    ``grads`` maps each node (by ``id``) to its gradient so far, and ``sent``
    lists the ``(input, node, gradient)`` triples of this step.  In a
    notebook a frame shows as its picture.
    """

    step: int
    caption: str
    picture: GraphPicture
    node: Any
    sent: tuple
    grads: Mapping[int, np.ndarray]

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.caption)}</p>{self.picture.svg}"

    def __repr__(self) -> str:
        return f"<BackwardFrame {self.step}: {self.caption}>"


def _record_backprop(loss: Any, end_grad: Any) -> list[tuple[Any, Any, np.ndarray, np.ndarray]]:
    """Run the engine's own ``backprop(loss)`` and record every backward-function call it makes.

    Each call of a registered backward function gets the node's array as
    ``out``, which says which node is being processed; the registry key says
    which argument (so which input) the returned gradient is for.  Returns
    ``(node, input, grad_out, grad)`` in the order the engine made the calls.
    """
    from .tensor import BACK_FUNCS, backprop, sorted_computational_graph

    node_of = {id(node.array): node for node in sorted_computational_graph(loss)}
    calls: list[tuple[Any, Any, np.ndarray, np.ndarray]] = []

    def recording(argnum: int, back_fn: Callable) -> Callable:
        def back(grad_out, out, *args, **kwargs):
            grad = back_fn(grad_out, out, *args, **kwargs)
            node = node_of.get(id(out))
            if node is not None:
                calls.append((node, node.recipe.parents[argnum], np.array(grad_out), np.array(grad)))
            return grad

        return back

    registry = dict(BACK_FUNCS)
    try:
        for (func, argnum), back_fn in registry.items():
            BACK_FUNCS[func, argnum] = recording(argnum, back_fn)
        backprop(loss, end_grad)
    finally:
        BACK_FUNCS.clear()
        BACK_FUNCS.update(registry)
    return calls


def backward_frames(
    loss: Any,
    names: Mapping[str, Any] | None = None,
    *,
    end_grad: Any = None,
    direction: str = "TB",
) -> list[BackwardFrame]:
    """Run ``loss``'s backward pass and draw it step by step, as a list of `BackwardFrame`.

    The frames come from a real run: the engine's ``backprop`` (what
    ``loss.backward()`` calls) runs once, with every backward function it
    calls recorded, so the leaves' ``.grad`` grow exactly as after
    ``loss.backward()``.  Frame 1 is the start (dL/dL = 1 on the root); then
    one frame per node the engine processes, in its order, with that node
    outlined and each arrow it just sent a gradient along labelled with that
    gradient (gradients travel against the arrows, from a node to its
    inputs); a node reached along two arrows shows the sum, ``1 + 2 = 3``.
    The last frame has every gradient complete.  Every node shows its value
    and its gradient so far (``grad ?``: nothing has arrived yet).

    >>> from autograd_lite import Tensor
    >>> from autograd_lite.draw import backward_frames
    >>> a = Tensor(2.0, requires_grad=True)
    >>> b = Tensor(3.0, requires_grad=True)
    >>> c = Tensor(4.0, requires_grad=True)
    >>> d = a * b
    >>> e = b + c
    >>> L = d + e
    >>> frames = backward_frames(L, {"a": a, "b": b, "c": c, "d": d, "e": e, "L": L})
    >>> for frame in frames:
    ...     print(frame.step, frame.caption)
    1 The backward pass starts at the root L with dL/dL = 1.
    2 L (add) has its whole gradient, 1, and sends 1 to d and 1 to e.
    3 e (add) has its whole gradient, 1, and sends 1 to b and 1 to c.
    4 d (multiply) has its whole gradient, 1, and sends 3 to a and 2 to b; b now has 1 + 2 = 3.
    5 Done: every leaf has its gradient: a 3, b 3, c 1.
    >>> a.grad, b.grad, c.grad
    (Tensor(3.), Tensor(3.), Tensor(1.))
    >>> frames[3].picture
    <GraphPicture: Step 4 of 5 of the backward pass of L: 6 nodes, 6 edges>
    >>> print(frames[3].picture.description)  # doctest: +ELLIPSIS
    d (multiply) has ... Nodes, inputs first: a (leaf, value 2, grad 3); b (leaf, value 3, grad 1 + 2 = 3); d (multiply, value 6, grad 1); c (leaf, value 4, grad 1); e (add, value 7, grad 1); L (add, value 13, grad 1). Edges: a to d (3); b to d (2); b to e; c to e; d to L; e to L.
    """
    _check_tensor(loss, "backward_frames")
    _check_direction(direction, "backward_frames")
    name_of = _names_by_id(names, "backward_frames")
    calls = _record_backprop(loss, end_grad)

    def ref(node: Any) -> str:
        recipe = _recipe(node)
        return name_of.get(id(node)) or ("a leaf" if recipe is None else f"the {_operation(recipe)} node")

    # Group the calls into steps: one step per node the engine processed.
    steps: list[tuple[Any, list[tuple[Any, np.ndarray]]]] = []
    for node, parent, grad_out, grad in calls:
        if not steps or steps[-1][0] is not node:
            steps.append((node, []))
        steps[-1][1].append((parent, grad))
    seed = np.ones_like(np.asarray(loss.array, dtype=float)) if end_grad is None else np.asarray(
        getattr(end_grad, "array", end_grad), dtype=float
    )
    grads: dict[int, np.ndarray] = {id(loss): seed}
    parts: dict[int, list[np.ndarray]] = {id(loss): [seed]}
    total = len(steps) + 2

    def picture(step: int, note: str, highlight: list, sent: list, fresh: set[int]) -> GraphPicture:
        # Two arrows between the same pair (x * x) share a label: both gradients, or one if equal.
        by_pair: dict[tuple[int, int], tuple[Any, Any, list[str]]] = {}
        for parent, node, grad in sent:
            by_pair.setdefault((id(parent), id(node)), (parent, node, []))[2].append(_format_array(grad))
        edge_text = {
            (parent, node): texts[0] if len(set(texts)) == 1 else " / ".join(texts)
            for parent, node, texts in by_pair.values()
        }

        def label(node: Any) -> list[str]:
            recipe = _recipe(node)
            name = name_of.get(id(node))
            lines = ([name] if name else []) + ["leaf" if recipe is None else _operation(recipe)]
            lines.append(f"value {_format_array(node.array)}")
            received = parts.get(id(node))
            if received is None:
                lines.append("grad ?")
            elif id(node) in fresh and len(received) > 1:
                lines.append(
                    "grad " + " + ".join(_format_array(p) for p in received)
                    + f" = {_format_array(grads[id(node)])}"
                )
            else:
                lines.append(f"grad {_format_array(grads[id(node)])}")
            return lines

        return draw_graph(
            loss,
            _tensor_inputs,
            label,
            is_leaf=_is_leaf,
            direction=direction,
            highlight=highlight,
            edge_labels=edge_text,
            subject=f"Step {step} of {total} of the backward pass",
            note=note,
        )

    frames = []
    note = f"The backward pass starts at the root {ref(loss)} with d{ref(loss)}/d{ref(loss)} = {_format_array(seed)}."
    frames.append(BackwardFrame(1, note, picture(1, note, [loss], [], set()), loss, (), dict(grads)))
    for number, (node, sent_to) in enumerate(steps, start=2):
        fresh = set()
        for parent, grad in sent_to:
            parts.setdefault(id(parent), []).append(grad)
            grads[id(parent)] = grads[id(parent)] + grad if id(parent) in grads else grad
            fresh.add(id(parent))
        gives = " and ".join(f"{_format_array(grad)} to {ref(parent)}" for parent, grad in sent_to)
        sums = [
            f"{ref(parent)} now has "
            + " + ".join(_format_array(p) for p in parts[id(parent)])
            + f" = {_format_array(grads[id(parent)])}"
            for parent in dict.fromkeys(parent for parent, _ in sent_to)
            if len(parts[id(parent)]) > 1
        ]
        who = ref(node)
        note = (
            (f"{who} ({_operation(node.recipe)})" if id(node) in name_of else who[0].upper() + who[1:])
            + " has its whole gradient, "
            f"{_format_array(grads[id(node)])}, and sends {gives}"
            + ("; " + "; ".join(sums) if sums else "") + "."
        )
        sent = tuple((parent, node, grad) for parent, grad in sent_to)
        frames.append(BackwardFrame(number, note, picture(number, note, [node], list(sent), fresh), node, sent, dict(grads)))
    leaves = [n for n in _sorted_graph(loss, _tensor_inputs)[0] if _recipe(_Key.node(n)) is None]
    leaves = [_Key.node(n) for n in leaves if id(_Key.node(n)) in grads]
    note = "Done: every leaf has its gradient: " + ", ".join(
        f"{ref(leaf)} {_format_array(grads[id(leaf)])}" for leaf in leaves
    ) + "."
    frames.append(BackwardFrame(total, note, picture(total, note, leaves, [], set()), None, (), dict(grads)))
    return frames

# ------------------------------------------------------------------ Mermaid text


def _mermaid_text(line: str) -> str:
    """Escape one label line for a quoted Mermaid label."""
    return (
        html.escape(str(line), quote=False)
        .replace('"', "#quot;")
        .replace("\n", " ")
    )


def graph_to_mermaid(
    root: Any,
    get_inputs: Callable[[Any], Iterable[Any]],
    label: Callable[[Any], Sequence[str]],
    *,
    is_leaf: Callable[[Any], bool] | None = None,
    direction: str = "LR",
) -> str:
    """Mermaid flowchart of every node ``root`` depends on, arrows from inputs to outputs.

    The generic core behind `to_mermaid` (see there why the book keeps a
    Mermaid writer though it draws its own SVG).  Nodes are listed in
    topological order (inputs first), numbered ``n0, n1, ...`` in that order;
    leaves (no inputs, unless ``is_leaf`` says otherwise) are drawn rounded,
    computed nodes as boxes.

    >>> from autograd_lite.draw import graph_to_mermaid
    >>> inputs = {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}
    >>> print(graph_to_mermaid("L", lambda n: inputs.get(n, []), lambda n: [n]))
    flowchart LR
        n0(["a"])
        n1(["b"])
        n2["d"]
        n3(["c"])
        n4["e"]
        n5["L"]
        n0 --> n2
        n1 --> n2
        n1 --> n4
        n3 --> n4
        n2 --> n5
        n4 --> n5
    """
    if direction not in {"LR", "RL", "TB", "TD", "BT"}:
        raise ValueError(
            f"graph_to_mermaid: direction={direction!r} is not a Mermaid flowchart "
            "direction; use one of 'LR', 'RL', 'TB', 'TD', 'BT'."
        )
    order, inputs, _ = _sorted_graph(root, get_inputs)
    lines = [f"flowchart {direction}"]
    edges = []
    for k, key in enumerate(order):
        node = _Key.node(key)
        text = "<br/>".join(_mermaid_text(line) for line in label(node))
        leaf = is_leaf(node) if is_leaf is not None else not inputs[k]
        shape = '(["{}"])' if leaf else '["{}"]'
        lines.append(f"    n{k}" + shape.format(text))
        edges.extend(f"    n{i} --> n{k}" for i in inputs[k])
    lines.extend(edges)
    return "\n".join(lines)


def to_mermaid(
    tensor: Any,
    names: Mapping[str, Any] | None = None,
    show_values: bool = False,
    show_grads: bool = False,
    direction: str = "LR",
) -> str:
    """Mermaid flowchart text of the computational graph that produced ``tensor``.

    The book draws its graphs with `draw`, as SVG; this text form is kept for
    one use a picture cannot serve: pasting your graph into a GitHub issue,
    discussion or README (or a Markdown cell of JupyterLab 4.1+), which render
    a fenced ``mermaid`` block as a diagram, so you can ask about a graph
    without attaching an image.  Each node shows what `draw` shows, with the
    name and the operation on one line (``d = multiply``) and the shape
    always; arrows go from inputs to outputs, as in `draw`.

    >>> from autograd_lite import Tensor, to_mermaid
    >>> a = Tensor(2.0, requires_grad=True)
    >>> b = Tensor(3.0, requires_grad=True)
    >>> c = Tensor(4.0, requires_grad=True)
    >>> d = a * b
    >>> e = b + c
    >>> L = d + e
    >>> print(to_mermaid(L, names={"a": a, "b": b, "c": c, "d": d, "e": e, "L": L}))
    flowchart LR
        n0(["a<br/>shape ()"])
        n1(["b<br/>shape ()"])
        n2["d = multiply<br/>shape ()"]
        n3(["c<br/>shape ()"])
        n4["e = add<br/>shape ()"]
        n5["L = add<br/>shape ()"]
        n0 --> n2
        n1 --> n2
        n1 --> n4
        n3 --> n4
        n2 --> n5
        n4 --> n5

    With values, and with gradients after ``backward()``:

    >>> L.backward()
    >>> print(to_mermaid(d, names={"a": a, "b": b, "d": d}, show_values=True, show_grads=True))
    flowchart LR
        n0(["a<br/>shape ()<br/>value 2<br/>grad 3"])
        n1(["b<br/>shape ()<br/>value 3<br/>grad 3"])
        n2["d = multiply<br/>shape ()<br/>value 6"]
        n0 --> n2
        n1 --> n2
    """
    _check_tensor(tensor, "to_mermaid")
    name_of = _names_by_id(names, "to_mermaid")

    def label(node: Any) -> list[str]:
        recipe = _recipe(node)
        name = name_of.get(id(node))
        if recipe is None:
            first = name if name is not None else "leaf"
        else:
            operation = _operation(recipe)
            first = f"{name} = {operation}" if name is not None else operation
        return [first] + _tensor_details(node, True, show_values, show_grads)

    return graph_to_mermaid(
        tensor,
        _tensor_inputs,
        label,
        is_leaf=_is_leaf,
        direction=direction,
    )


@dataclass(frozen=True)
class BroadcastPlan:
    """What broadcasting does to one array, axis by axis, and what unbroadcast undoes.

    Axes are numbered as in ``target``.  ``prepended`` are the axes rule 1 adds
    in front (size 1); ``stretched`` are the size-1 axes rule 2 copies to a
    larger size (a prepended axis can be stretched too).  On the way back,
    ``unbroadcast`` sums over ``summed_dropped`` (the prepended axes, which then
    disappear) and over ``summed_kept`` (the stretched axes the array really
    had, summed keeping their size 1).
    """

    shape: tuple[int, ...]
    target: tuple[int, ...]

    @property
    def prepended(self) -> tuple[int, ...]:
        return tuple(range(len(self.target) - len(self.shape)))

    @property
    def aligned(self) -> tuple[int, ...]:
        """``shape`` after rule 1: size-1 axes prepended to match ``target``'s length."""
        return (1,) * len(self.prepended) + self.shape

    @property
    def stretched(self) -> tuple[int, ...]:
        return tuple(
            axis
            for axis, (before, after) in enumerate(zip(self.aligned, self.target))
            if before == 1 and after != 1
        )

    @property
    def summed_dropped(self) -> tuple[int, ...]:
        return self.prepended

    @property
    def summed_kept(self) -> tuple[int, ...]:
        return tuple(axis for axis in self.stretched if axis not in self.prepended)


def _shape(value: Any, what: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(n) for n in value)
    except TypeError:
        raise TypeError(
            f"broadcast_plan: {what} must be a shape, a tuple of sizes such as (3, 1); "
            f"got {value!r}."
        ) from None
    if any(n < 0 for n in shape):
        raise ValueError(f"broadcast_plan: {what} {shape} has a negative size; sizes are >= 0.")
    return shape


def broadcast_plan(shape: Sequence[int], target: Sequence[int]) -> BroadcastPlan:
    """Say which axes broadcasting ``shape`` to ``target`` prepends and stretches.

    >>> from autograd_lite.draw import broadcast_plan
    >>> plan = broadcast_plan((3, 1), (2, 3, 4))
    >>> plan.prepended, plan.aligned, plan.stretched
    ((0,), (1, 3, 1), (0, 2))
    >>> plan.summed_dropped, plan.summed_kept
    ((0,), (2,))
    >>> broadcast_plan((4,), (2, 3))
    Traceback (most recent call last):
    ...
    ValueError: broadcast_plan: shape (4,) cannot be broadcast to (2, 3): aligned from the right, size 4 meets size 3, and only a size 1 can stretch. Pass the shape of the array and the shape it is broadcast to.
    """
    shape, target = _shape(shape, "shape"), _shape(target, "target")
    if len(shape) > len(target):
        raise ValueError(
            f"broadcast_plan: shape {shape} has more axes than target {target}; broadcasting "
            "only adds axes. Pass the shape of the array and the larger shape it is broadcast to."
        )
    for before, after in zip(shape[::-1], target[::-1]):
        if before != after and before != 1:
            raise ValueError(
                f"broadcast_plan: shape {shape} cannot be broadcast to {target}: aligned from "
                f"the right, size {before} meets size {after}, and only a size 1 can stretch. "
                "Pass the shape of the array and the shape it is broadcast to."
            )
    return BroadcastPlan(shape, target)


# Colours readable on the light and the dark theme alike (semi-transparent fills).
_PREPENDED_FILL = "rgba(63, 81, 181, 0.35)"
_STRETCHED_FILL = "rgba(255, 112, 67, 0.40)"


def broadcast_svg(shape: Sequence[int], target: Sequence[int]) -> str:
    """An SVG picture of broadcasting ``shape`` to ``target`` and of unbroadcast on the way back.

    One column per axis of ``target``.  The rows: the array's own shape
    (aligned to the right); rule 1, the prepended size-1 axes (blue); rule 2,
    the stretched axes (orange); and what ``unbroadcast`` does to the
    gradient on each axis: sum and drop a prepended axis, sum keeping size 1
    on a stretched one, keep the rest.  Text uses the page's colour, so the
    picture reads on light and dark themes; its ``<title>`` describes it for
    screen readers.

    >>> from autograd_lite.draw import broadcast_svg
    >>> svg = broadcast_svg((3, 1), (2, 3, 4))
    >>> print(svg.splitlines()[1])
    <title>Broadcasting shape (3, 1) to (2, 3, 4): rule 1 prepends axis 0 (shape (1, 3, 1)); rule 2 stretches axes 0, 2. On the way back unbroadcast sums axis 0 and drops it, sums axis 2 keeping size 1, and returns shape (3, 1).</title>
    """
    plan = broadcast_plan(shape, target)
    n_axes = len(plan.target)
    label_width, cell_width, cell_height, gap = 230, 96, 34, 12
    # At least as wide as the legend (two entries, about 660 px), however few axes there are.
    width = max(label_width + max(n_axes, 1) * (cell_width + gap) + 10, 670)
    rows: list[tuple[str, list[tuple[str, str | None, bool]]]] = []
    # Each cell: (text, fill colour or None, drawn?)
    offset = len(plan.prepended)
    rows.append((
        f"x: shape {plan.shape}",
        [("", None, False)] * offset + [(str(n), None, True) for n in plan.shape],
    ))
    rows.append((
        "rule 1: prepend size-1 axes",
        [(str(n), _PREPENDED_FILL if axis in plan.prepended else None, True)
         for axis, n in enumerate(plan.aligned)],
    ))
    rows.append((
        f"rule 2: stretch to {plan.target}",
        [(f"1 \u2192 {n}" if axis in plan.stretched else str(n),
          _STRETCHED_FILL if axis in plan.stretched else None, True)
         for axis, n in enumerate(plan.target)],
    ))
    back = []
    for axis in range(n_axes):
        if axis in plan.summed_dropped:
            back.append(("sum, drop", _PREPENDED_FILL, True))
        elif axis in plan.summed_kept:
            back.append(("sum, keep 1", _STRETCHED_FILL, True))
        else:
            back.append(("keep", None, True))
    rows.append((f"unbroadcast: back to {plan.shape}", back))

    top = 30
    height = top + len(rows) * (cell_height + gap) + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="broadcast-picture" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="max-width: 100%; height: auto" font-size="14" fill="currentColor">',
        f"<title>{html.escape(_describe(plan))}</title>",
        # Shown on its own (a file, a notebook image), the picture paints its own background.
        "<style>svg.broadcast-picture:root{color:#1b1b1f;background:#fff}"
        "@media (prefers-color-scheme:dark){svg.broadcast-picture:root{color:#e3e3e8;"
        "background:#1e2129}}</style>",
    ]
    for axis in range(n_axes):
        x = label_width + axis * (cell_width + gap) + cell_width / 2
        out.append(f'<text x="{x:g}" y="18" text-anchor="middle" opacity="0.7">axis {axis}</text>')
    for r, (row_label, cells) in enumerate(rows):
        y = top + r * (cell_height + gap)
        out.append(
            f'<text x="0" y="{y + cell_height / 2:g}" dominant-baseline="central">'
            f"{html.escape(row_label)}</text>"
        )
        for axis, (text, fill, drawn) in enumerate(cells):
            if not drawn:
                continue
            x = label_width + axis * (cell_width + gap)
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell_width}" height="{cell_height}" rx="4" '
                f'fill="{fill or "none"}" stroke="currentColor" stroke-opacity="0.6"/>'
            )
            out.append(
                f'<text x="{x + cell_width / 2:g}" y="{y + cell_height / 2:g}" '
                f'text-anchor="middle" dominant-baseline="central">{html.escape(text)}</text>'
            )
    legend_y = top + len(rows) * (cell_height + gap) + 14
    out.append(
        f'<rect x="0" y="{legend_y - 8}" width="16" height="16" fill="{_PREPENDED_FILL}"/>'
        f'<text x="22" y="{legend_y}" dominant-baseline="central">prepended: summed and dropped</text>'
    )
    out.append(
        f'<rect x="270" y="{legend_y - 8}" width="16" height="16" fill="{_STRETCHED_FILL}"/>'
        f'<text x="292" y="{legend_y}" dominant-baseline="central">stretched: summed (size 1 kept if the array had it)</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def _axes(axes: Sequence[int]) -> str:
    return ("axis " if len(axes) == 1 else "axes ") + ", ".join(str(a) for a in axes)


def _describe(plan: BroadcastPlan) -> str:
    forward = []
    if plan.prepended:
        forward.append(f"rule 1 prepends {_axes(plan.prepended)} (shape {plan.aligned})")
    else:
        forward.append("rule 1 prepends nothing")
    if plan.stretched:
        forward.append(f"rule 2 stretches {_axes(plan.stretched)}")
    else:
        forward.append("rule 2 stretches nothing")
    back = []
    if plan.summed_dropped:
        back.append(f"sums {_axes(plan.summed_dropped)} and drops "
                    + ("it" if len(plan.summed_dropped) == 1 else "them"))
    if plan.summed_kept:
        back.append(f"sums {_axes(plan.summed_kept)} keeping size 1")
    back_text = ", ".join(back) + ", and returns" if back else "returns"
    return (
        f"Broadcasting shape {plan.shape} to {plan.target}: {'; '.join(forward)}. "
        f"On the way back unbroadcast {back_text} shape {plan.shape}."
    )


# ------------------------------------------------------------------ a Jacobian as a grid


def jacobian_svg(jacobian: Any, x: Any, function: str = "f") -> str:
    """An SVG grid of the Jacobian of ``out = function(x)``: one row per output, one column per input.

    ``jacobian`` has shape ``out.shape + x.shape`` (entry ``[i, j, k, l]`` is
    d out[i, j] / d x[k, l]); it is drawn flattened, ``out.size`` rows by
    ``x.size`` columns, each non-zero entry a filled cell with its value and
    each zero an empty one.  The ``<title>`` and ``<desc>`` say in words how
    many entries are zero and where the others are.  For an elementwise
    function only the diagonal is filled, which is why its backward function
    is an elementwise product.

    >>> import numpy as np
    >>> from autograd_lite.draw import jacobian_svg
    >>> x = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> jacobian = np.zeros((2, 2, 2, 2))
    >>> for index in np.ndindex(2, 2):
    ...     jacobian[index + index] = 2 * x[index]          # out = x ** 2
    >>> print(jacobian_svg(jacobian, x, "square").splitlines()[1])
    <title>Jacobian of square at a (2, 2) array: a 4 by 4 grid, non-zero only on its diagonal</title>
    """
    x = np.asarray(x, dtype=float)
    jacobian = np.asarray(jacobian, dtype=float)
    if jacobian.ndim % 2 or jacobian.shape[jacobian.ndim // 2:] != x.shape:
        raise ValueError(
            f"jacobian_svg: a Jacobian of shape {jacobian.shape} does not fit x of shape {x.shape}; "
            "pass one of shape out.shape + x.shape, entry [i..., k...] = d out[i...] / d x[k...]."
        )
    rows_shape = jacobian.shape[: jacobian.ndim // 2]
    grid = jacobian.reshape(int(np.prod(rows_shape)), x.size)
    n_rows, n_cols = grid.shape
    nonzero = grid != 0
    diagonal = n_rows == n_cols and not (nonzero & ~np.eye(n_rows, dtype=bool)).any()
    where = "non-zero only on its diagonal" if diagonal else f"{int(nonzero.sum())} entries non-zero"
    title = (
        f"Jacobian of {function} at a {x.shape} array: a {n_rows} by {n_cols} grid, {where}"
    )
    index_names = [", ".join(str(i) for i in index) for index in np.ndindex(*x.shape)]
    row_names = [", ".join(str(i) for i in index) for index in np.ndindex(*rows_shape)]
    if diagonal:
        values = ", ".join(f"{_format_number(float(grid[k, k]))} at ({name})" for k, name in enumerate(index_names))
        detail = (
            f"x is {_format_array(x)}. "
            f"Entry [i, j, k, l] is d out[i, j] / d x[k, l]; row (i, j) is output out[i, j], column "
            f"(k, l) is input x[k, l]. Of its {grid.size} entries, the {n_rows} on the diagonal are "
            f"the derivative of {function} at x[i, j]: {values}. The other {grid.size - n_rows} are 0, "
            f"because out[i, j] depends on x[i, j] alone. So grad_out times this Jacobian is grad_out "
            f"times the diagonal, elementwise."
        )
    else:
        detail = f"Of its {grid.size} entries, {int(nonzero.sum())} are non-zero."
    cell, left, top = 40, 64, 58
    width, height = left + n_cols * cell + 8, top + n_rows * cell + 8
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="jacobian-picture" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="max-width: 100%; height: auto" font-family="{_FONT}" font-size="11" fill="currentColor">',
        f"<title>{html.escape(title)}</title>",
        f"<desc>{html.escape(detail)}</desc>",
        "<style>svg.jacobian-picture:root{color:#1b1b1f;background:#fff}"
        "@media (prefers-color-scheme:dark){svg.jacobian-picture:root{color:#e3e3e8;"
        "background:#1e2129}}</style>",
        f'<text x="{left + n_cols * cell / 2:g}" y="14" text-anchor="middle" font-size="13">'
        f"input x[k, l] (column)</text>",
        f'<text x="12" y="{top + n_rows * cell / 2:g}" text-anchor="middle" font-size="13" '
        f'transform="rotate(-90 12 {top + n_rows * cell / 2:g})">output out[i, j] (row)</text>',
    ]
    for c, name in enumerate(index_names):
        x_c = left + c * cell + cell / 2
        out.append(f'<text x="{x_c:g}" y="{top - 8}" text-anchor="middle" font-size="10">{name}</text>')
    for r, name in enumerate(row_names):
        out.append(
            f'<text x="{left - 6}" y="{top + r * cell + cell / 2 + 4:g}" text-anchor="end" '
            f'font-size="10">{name}</text>'
        )
    for r in range(n_rows):
        for c in range(n_cols):
            x0, y0 = left + c * cell, top + r * cell
            filled = bool(nonzero[r, c])
            out.append(
                f'<rect x="{x0}" y="{y0}" width="{cell}" height="{cell}" '
                f'fill="{_STRETCHED_FILL if filled else "none"}" stroke="currentColor" stroke-opacity="0.35"/>'
            )
            if filled:
                out.append(
                    f'<text x="{x0 + cell / 2:g}" y="{y0 + cell / 2 + 4:g}" text-anchor="middle">'
                    f"{html.escape(_format_number(float(grid[r, c]))[:5])}</text>"
                )
    out.append("</svg>")
    return "\n".join(out)
