"""autograd_lite.draw and the book's pictures: drawn by the library, never by hand.

The pictures on the pages come from markers (``<!-- graph-picture: ... -->``,
``<!-- broadcast-picture: ... -->``) that ``hooks/pictures.py`` replaces at
build time with what ``autograd_lite.draw`` produces from the library's own
objects.  These tests hold the drawing functions to the library (the graph
drawn is the engine's graph, the axes drawn are the axes ``unbroadcast``
sums), hold the layout to its promises (every arrow points from a layer to a
later one, no two nodes overlap, every node and edge is in the picture and in
its words, the same graph gives the same bytes, 200 nodes take well under a
second), and hold the book to the rule: no hand-written diagram, and every
marker on every page draws.
"""

from __future__ import annotations

import base64
import re
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd_lite
from autograd_lite import (
    GraphPicture,
    Tensor,
    broadcast_plan,
    broadcast_svg,
    draw,
    draw_graph,
    graph_layers,
    graph_to_mermaid,
    to_mermaid,
    topological_sort,
)
from autograd_lite.draw import _PREPENDED_FILL, _STRETCHED_FILL, _tensor_inputs
from hooks.pictures import (
    NAMED_GRAPHS,
    PictureError,
    build_graph,
    find_markers,
    graph_picture,
    render_markers,
)
from strategies import SETTINGS, broadcast_pairs, dags, invalid_broadcast_pairs

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NODE = re.compile(r"^    n(\d+)(\(\[|\[)\"(.*)\"(\]\)|\])$")
EDGE = re.compile(r"^    n(\d+) --> n(\d+)$")


def parse_mermaid(text: str):
    """(labels by node number, leaf flags, edges) of a flowchart written by graph_to_mermaid."""
    lines = text.split("\n")
    assert re.fullmatch(r"flowchart (LR|TB)", lines[0])
    labels, leaves, edges = {}, {}, []
    for line in lines[1:]:
        if match := NODE.match(line):
            labels[int(match[1])] = match[3].split("<br/>")
            leaves[int(match[1])] = match[2] == "(["
        elif match := EDGE.match(line):
            edges.append((int(match[1]), int(match[2])))
        else:
            pytest.fail(f"a line graph_to_mermaid should not write: {line!r}")
    return labels, leaves, edges


# ------------------------------------------------------------ graphs as SVG

SVG = "{http://www.w3.org/2000/svg}"
POINT = re.compile(r"(-?[\d.]+),(-?[\d.]+)")


class Picture:
    """What a graph SVG shows, read back from its markup."""

    def __init__(self, svg: str):
        self.root = ET.fromstring(svg)
        assert self.root.get("role") == "img"
        self.title = self.root.find(f"{SVG}title").text
        self.desc = self.root.find(f"{SVG}desc").text
        self.view = [float(v) for v in self.root.get("viewBox").split()]
        self.nodes, self.lines, self.classes = {}, {}, {}
        for group in self.root.iter(f"{SVG}g"):
            if "gp-node" not in group.get("class", "").split():
                continue
            k = int(group.get("data-node"))
            rect = group.find(f"{SVG}rect")
            self.nodes[k] = tuple(float(rect.get(a)) for a in ("x", "y", "width", "height"))
            self.lines[k] = [text.text for text in group.findall(f"{SVG}text")]
            self.classes[k] = set(group.get("class").split())
        self.edges, self.ends = [], []
        for path in self.root.iter(f"{SVG}path"):
            if path.get("data-edge"):
                i, k = (int(n) for n in path.get("data-edge").split())
                self.edges.append((i, k))
                points = [(float(x), float(y)) for x, y in POINT.findall(path.get("d"))]
                self.ends.append((points[0], points[-1]))


def numbered_edges(root, get_inputs):
    """The graph's edges as (input, output) numbers in topological order, as draw numbers them."""
    order = topological_sort(root, get_inputs)
    number = {node: k for k, node in enumerate(order)}
    return order, [(number[i], number[node]) for node in order for i in get_inputs(node)]


def overlapping(boxes):
    found = []
    for a, (x1, y1, w1, h1) in boxes.items():
        for b, (x2, y2, w2, h2) in boxes.items():
            if a < b and x1 < x2 + w2 and x2 < x1 + w1 and y1 < y2 + h2 and y2 < y1 + h1:
                found.append((a, b))
    return found


def check_layout(picture: Picture, edges, direction: str) -> None:
    """Arrows from an earlier layer to a later one, heads on their node, nodes apart and inside."""
    assert Counter(picture.edges) == Counter(edges)
    assert not overlapping(picture.nodes)
    _, _, width, height = picture.view
    for x, y, w, h in picture.nodes.values():
        assert 0 <= x and x + w <= width and 0 <= y and y + h <= height
    axis = 1 if direction == "TB" else 0  # the axis the layers follow
    for (i, k), (_, end) in zip(picture.edges, picture.ends):
        source, target = picture.nodes[i], picture.nodes[k]
        # The input's box ends before the output's box begins, along the layer axis.
        assert source[axis] + source[axis + 2] < target[axis]
        # The arrow stops an arrowhead short of the output's box, inside its width.
        assert end[axis] == pytest.approx(target[axis] - 8, abs=0.2)  # one decimal, rounded
        across = 1 - axis
        assert target[across] - 0.2 <= end[across] <= target[across] + target[across + 2] + 0.2


@SETTINGS
@given(dags(max_nodes=25), st.sampled_from(["TB", "LR"]))
def test_every_arrow_goes_to_a_later_layer_and_no_nodes_overlap(dag, direction):
    root, children = dag
    get_inputs = lambda node: children[node]  # noqa: E731
    _, edges = numbered_edges(root, get_inputs)
    picture = Picture(draw_graph(root, get_inputs, lambda node: [node], direction=direction).svg)
    check_layout(picture, edges, direction)


@SETTINGS
@given(dags(max_nodes=25))
def test_layers_follow_the_topological_order(dag):
    """Each node one layer after its deepest input; a leaf just above its first user."""
    root, children = dag
    layers = graph_layers(root, lambda node: children[node])
    layer = {node: number for number, nodes in enumerate(layers) for node in nodes}
    assert sorted(layer) == sorted(set(topological_sort(root, lambda node: children[node])))
    users = {node: [user for user in layer if node in children[user]] for node in layer}
    for node in layer:
        if children[node]:
            assert layer[node] == 1 + max(layer[i] for i in children[node])
        elif users[node]:
            assert layer[node] == min(layer[user] for user in users[node]) - 1
    assert all(nodes for nodes in layers)


@SETTINGS
@given(dags(max_nodes=25))
def test_every_node_and_edge_is_in_the_svg_and_in_its_words(dag):
    root, children = dag
    order, edges = numbered_edges(root, lambda node: children[node])
    picture = Picture(draw_graph(root, lambda node: children[node], lambda node: [node, "op"]).svg)
    assert {k: lines for k, lines in picture.lines.items()} == {k: [node, "op"] for k, node in enumerate(order)}
    n, m = len(order), len(edges)
    assert picture.title == f"Graph of {root}: {n} node{'s' * (n != 1)}, {m} edge{'s' * (m != 1)}"
    nodes_words = picture.desc.split("Nodes, inputs first: ")[1].split(". Edges: ")[0].rstrip(".")
    assert nodes_words.split("; ") == [f"{node} (op)" for node in order]
    edge_words = picture.desc.split(". Edges: ")[1].rstrip(".").split("; ") if m else []
    assert Counter(edge_words) == Counter(f"{order[i]} to {order[k]}" for i, k in edges)


def test_the_barycentre_ordering_removes_a_crossing():
    """Topological order puts b before a's second user q: b->p crosses a->q until a layer is re-sorted."""
    inputs = {"R": ["p", "q"], "p": ["a", "b"], "q": ["a"]}
    get_inputs = lambda node: inputs.get(node, [])  # noqa: E731

    def crossings(layers):
        count = 0
        for upper, lower in zip(layers, layers[1:]):
            ends = [(upper.index(i), lower.index(k)) for k in lower for i in get_inputs(k)]
            count += sum(1 for a, b in ends for c, d in ends if a < c and b > d)
        return count

    assert topological_sort("R", get_inputs) == ["a", "b", "p", "q", "R"]
    assert crossings([["a", "b"], ["p", "q"], ["R"]]) == 1
    assert crossings(graph_layers("R", get_inputs)) == 0
    # The drawing keeps that order: no two arrows' straight spans swap sides.
    picture = Picture(draw_graph("R", get_inputs, lambda node: [node]).svg)
    spans = [(start[0], end[0]) for (start, end), (i, k) in zip(picture.ends, picture.edges) if k != 4]
    assert not [(s, t) for s in spans for t in spans if s[0] < t[0] and s[1] > t[1]]


def chain_with_a_shared_leaf(n: int) -> Tensor:
    """n nodes: a leaf x, then n - 1 operations, every other one adding x again (x used far below)."""
    x = Tensor(1.0, requires_grad=True)
    y = x
    for i in range(n - 1):
        y = y * 1.01 if i % 2 else y + x
    return y


def random_program(n: int, seed: int = 0) -> Tensor:
    """n nodes: n // 2 leaves (8 at most), then operations on the last result and a recent one."""
    rng = np.random.default_rng(seed)
    leaves = min(8, n // 2)
    values = [Tensor(float(v), requires_grad=True) for v in rng.uniform(0.5, 1.5, size=leaves)]
    values.append(values[0] * values[1])
    for leaf in values[2:leaves]:  # every leaf is used
        values.append(values[-1] * leaf)
    while len(values) < n:
        other = values[int(rng.integers(max(0, len(values) - 12), len(values)))]
        values.append(values[-1] - other if rng.random() < 0.5 else values[-1] + other)
    return values[-1]


@pytest.mark.parametrize(
    "build, n",
    [(chain_with_a_shared_leaf, 1), (chain_with_a_shared_leaf, 2), (chain_with_a_shared_leaf, 10),
     (chain_with_a_shared_leaf, 200), (random_program, 10), (random_program, 200)],
)
def test_graphs_of_1_2_10_and_200_nodes(build, n):
    root = build(n)
    order, edges = numbered_edges(root, _tensor_inputs)
    assert len(order) == n
    start = time.perf_counter()
    picture = draw(root, values=True)
    seconds = time.perf_counter() - start
    check_layout(Picture(picture.svg), edges, "TB")
    assert picture.title.endswith(f"{n} node{'s' * (n != 1)}, {len(edges)} edge{'s' * (len(edges) != 1)}")
    # Measured on the shared 2-core test machine: 0.15-0.4 s for either 200-node graph.
    assert seconds < 1.0, f"{n} nodes took {seconds:.2f} s to lay out"


def test_the_same_graph_gives_the_same_bytes():
    def picture():
        a, b = Tensor([2.0, 1.0], requires_grad=True), Tensor(3.0, requires_grad=True)
        loss = autograd_lite.log((a * b).sum() + b)
        loss.backward()
        return draw(loss, {"a": a, "b": b, "loss": loss}, values=True, grads=True, shapes=True).svg

    first = picture()
    assert picture() == first
    assert draw_graph("x", lambda n: [], lambda n: [n]).svg == draw_graph("x", lambda n: [], lambda n: [n]).svg
    coordinates = " ".join(
        element.get(name) for element in ET.fromstring(first).iter()
        for name in ("x", "y", "width", "height", "d", "viewBox") if element.get(name)
    )
    assert re.search(r"\d\.\d\d", coordinates) is None, "coordinates carry one decimal at most"


def test_tensor_labels_name_operation_and_on_request_shape_value_and_gradient():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x.sum(dim=0)
    y.backward(np.ones(2))
    picture = Picture(draw(y, {"x": x, "y": y}, shapes=True, values=True, grads=True).svg)
    assert picture.lines == {
        0: ["x", "leaf", "shape (2, 2)", "value [[1, 2], [3, 4]]", "grad [[1, 1], [1, 1]]"],
        1: ["y", "sum(dim=0)", "shape (2,)", "value [4, 6]"],
    }
    assert "gp-leaf" in picture.classes[0] and "gp-leaf" not in picture.classes[1]
    assert Picture(draw(y).svg).lines == {0: ["leaf"], 1: ["sum(dim=0)"]}
    assert "x (leaf, shape (2, 2), value [[1, 2], [3, 4]], grad [[1, 1], [1, 1]])" in picture.desc


def test_a_long_line_is_cut_in_the_picture_but_whole_in_the_words():
    line = "a very long label line that goes on and on"
    picture = Picture(draw_graph("x", lambda n: [], lambda n: ["x", line]).svg)
    assert picture.lines[0] == ["x", line[:29] + "\u2026"]
    assert line in picture.desc


def test_repeated_names_are_told_apart_in_words():
    a = Tensor(1.0, requires_grad=True)
    picture = draw(a * a + a * a)
    assert "multiply (node 2); multiply (node 3)" in picture.description
    assert "leaf to multiply (node 2); leaf to multiply (node 2)" in picture.description


def test_highlight_and_edge_labels_for_the_frames_of_a_pass():
    a, b = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    d = a * b
    L = d + b
    picture = draw(L, {"a": a, "b": b, "d": d, "L": L}, highlight=[d], edge_labels={(d, L): "grad 1"})
    shown = Picture(picture.svg)
    highlighted = [shown.lines[k][0] for k, classes in shown.classes.items() if "gp-highlight" in classes]
    assert highlighted == ["d"]
    labels = [t.text for t in shown.root.iter(f"{SVG}text") if "gp-label" in (t.get("class") or "")]
    assert labels == ["grad 1"]
    assert "d to L (grad 1)" in picture.description
    with pytest.raises(ValueError, match=r"highlight Tensor\(.*is not a node of this graph"):
        draw(d, highlight=[L])
    with pytest.raises(ValueError, match=r"edge_labels has an entry for 'a' -> 'L', which is not an edge"):
        draw(L, {"a": a, "L": L}, edge_labels={(a, L): "no"})


def test_draw_says_what_it_expected():
    with pytest.raises(TypeError, match=r"draw: expected the Tensor whose graph to draw .*got float"):
        draw(3.0)
    with pytest.raises(TypeError, match=r"draw: names must map a name to a Tensor.*got list"):
        draw(Tensor(1.0), ["a"])
    with pytest.raises(ValueError, match=r"draw: direction='up' .* use 'TB'"):
        draw(Tensor(1.0), direction="up")
    with pytest.raises(TypeError, match=r"to_mermaid: expected the Tensor"):
        to_mermaid(np.ones(2))


def test_colours_come_from_the_page_and_the_picture_scales_down():
    svg = draw(chain_with_a_shared_leaf(5), highlight=[]).svg
    root = ET.fromstring(svg)
    assert root.get("fill") == "currentColor"
    assert "max-width: 100%" in root.get("style") and "height: auto" in root.get("style")
    style = root.find(f"{SVG}style").text
    markup = svg.replace(style, "")
    # Outside the style sheet, no colour is written: text, lines and boxes use currentColor.
    assert not re.search(r"#[0-9a-fA-F]{3,6}\b|\b(black|white|rgb)\b", markup)
    # In the style sheet, literal colours only for an SVG shown on its own (svg:root) or as
    # fallbacks of the page's variables.
    for rule in re.findall(r"([^{}]+)\{([^{}]*)\}", style):
        selector, body = rule
        literal = re.sub(r"var\([^)]*\)", "", body)
        if re.search(r"#[0-9a-fA-F]{3,6}\b", literal):
            assert ":root" in selector, rule
    assert "prefers-color-scheme:dark" in style


def test_the_picture_shows_itself_in_a_notebook(tmp_path):
    picture = draw(chain_with_a_shared_leaf(3))
    assert isinstance(picture, GraphPicture)
    assert picture._repr_svg_() == picture.svg == str(picture)
    assert "<svg" in picture._repr_html_() and picture.title in picture._repr_html_()
    assert repr(picture) == "<GraphPicture: Computational graph of multiply: 3 nodes, 3 edges>"
    uri = picture.data_uri()
    assert uri.startswith("data:image/svg+xml;base64,")
    assert base64.b64decode(uri.split(",", 1)[1]).decode() == picture.svg
    assert picture.save(tmp_path / "g.svg").read_text() == picture.svg + "\n"
    ET.parse(tmp_path / "g.svg")  # a well-formed file


# ------------------------------------------------------------ Mermaid text (to_mermaid)


def test_a_shared_input_is_one_node_with_two_arrows():
    inputs = {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}
    labels, leaves, edges = parse_mermaid(
        graph_to_mermaid("L", lambda n: inputs.get(n, []), lambda n: [n])
    )
    number = {label[0]: n for n, label in labels.items()}
    assert sorted(number) == ["L", "a", "b", "c", "d", "e"]
    assert [e for e in edges if e[0] == number["b"]] == [(number["b"], number["d"]), (number["b"], number["e"])]
    assert {label[0] for n, label in labels.items() if leaves[n]} == {"a", "b", "c"}
    # Every arrow points from an earlier node to a later one: inputs come first.
    assert all(source < target for source, target in edges)


def test_nodes_need_not_be_hashable():
    class Node:
        __hash__ = None

        def __init__(self, name, *inputs):
            self.name, self.inputs = name, list(inputs)

    a = Node("a")
    root = Node("root", a, Node("b", a))
    labels, _, edges = parse_mermaid(graph_to_mermaid(root, lambda n: n.inputs, lambda n: [n.name]))
    assert sorted(label[0] for label in labels.values()) == ["a", "b", "root"]
    assert len(edges) == 3


def test_a_long_chain_needs_no_recursion():
    n = 5_000
    text = graph_to_mermaid(n, lambda i: [i - 1] if i > 0 else [], lambda i: [str(i)])
    labels, _, edges = parse_mermaid(text)
    assert len(labels) == n + 1 and len(edges) == n


def test_labels_are_escaped_for_mermaid():
    text = graph_to_mermaid("x", lambda n: [], lambda n: ['say "hi" <b>', "line 2"])
    assert text.split("\n")[1] == '    n0(["say #quot;hi#quot; &lt;b&gt;<br/>line 2"])'


def test_a_bad_direction_says_which_are_allowed():
    with pytest.raises(ValueError, match=r"direction='up'.*'LR'"):
        graph_to_mermaid("x", lambda n: [], lambda n: [n], direction="up")


def test_to_mermaid_draws_the_engines_graph():
    a, b, c = (Tensor(v, requires_grad=True) for v in (2.0, 3.0, 4.0))
    d = a * b
    e = autograd_lite.log(c)
    L = (d * e).sum()
    labels, leaves, edges = parse_mermaid(to_mermaid(L, names={"a": a, "b": b, "c": c, "L": L}))
    # One node per Tensor of the engine's own graph.
    assert len(labels) == len(autograd_lite.sorted_computational_graph(L))
    by_first_line = {label[0]: n for n, label in labels.items()}
    assert {"a", "b", "c", "multiply", "log", "L = sum"} <= set(by_first_line)
    assert leaves[by_first_line["a"]] and not leaves[by_first_line["log"]]
    assert (by_first_line["c"], by_first_line["log"]) in edges
    assert all(label[1] == "shape ()" for label in labels.values())


def test_to_mermaid_shows_keyword_arguments_shapes_values_and_leaf_gradients():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x.sum(dim=0)
    y.backward(np.ones(2))
    labels, _, _ = parse_mermaid(to_mermaid(y, names={"x": x, "y": y}, show_values=True, show_grads=True))
    assert labels[0] == ["x", "shape (2, 2)", "value [[1, 2], [3, 4]]", "grad [[1, 1], [1, 1]]"]
    assert labels[1] == ["y = sum(dim=0)", "shape (2,)", "value [4, 6]"]


def test_a_leaf_without_a_gradient_says_so():
    x = Tensor([1.0], requires_grad=True)
    labels, _, _ = parse_mermaid(to_mermaid(x * 2, show_grads=True))
    assert labels[0] == ["leaf", "shape (1,)", "grad None"]


# ------------------------------------------------------------ broadcasting


@SETTINGS
@given(broadcast_pairs())
def test_the_axes_drawn_are_the_axes_unbroadcast_sums(pair):
    shape, target = pair
    plan = broadcast_plan(shape, target)
    assert plan.aligned == (1,) * (len(target) - len(shape)) + tuple(shape)
    assert len(plan.aligned) == len(target)
    np.broadcast_to(np.zeros(plan.aligned), target)  # rule 1 then rule 2 is numpy's broadcast
    grad = np.arange(float(np.prod(target))).reshape(target)
    summed = grad.sum(axis=plan.summed_dropped + plan.summed_kept, keepdims=True)
    summed = summed.reshape(summed.shape[len(plan.prepended):])
    np.testing.assert_array_equal(summed, autograd_lite.unbroadcast(grad, np.zeros(shape)))


@SETTINGS
@given(invalid_broadcast_pairs())
def test_shapes_that_do_not_broadcast_are_refused(pair):
    with pytest.raises(ValueError, match="broadcast_plan: shape"):
        broadcast_plan(*pair)


def svg_rows(svg: str) -> dict[float, list[tuple[str | None, str]]]:
    """Cells of each row of broadcast_svg's picture: y -> [(fill, text), ...] left to right."""
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    rects = [r for r in root.iter(f"{ns}rect") if r.get("height") == "34"]
    texts = {(float(t.get("x")), float(t.get("y"))): t.text for t in root.iter(f"{ns}text")}
    rows: dict[float, list] = {}
    for rect in sorted(rects, key=lambda r: (float(r.get("y")), float(r.get("x")))):
        x, y = float(rect.get("x")), float(rect.get("y"))
        text = texts[(x + float(rect.get("width")) / 2, y + 17)]
        fill = rect.get("fill")
        rows.setdefault(y, []).append((None if fill == "none" else fill, text))
    return rows


def test_the_broadcast_picture_marks_prepended_stretched_and_summed_axes():
    svg = broadcast_svg((3, 1), (2, 3, 4))
    rows = list(svg_rows(svg).values())
    P, S = _PREPENDED_FILL, _STRETCHED_FILL
    assert rows == [
        [(None, "3"), (None, "1")],                                  # x, aligned right
        [(P, "1"), (None, "3"), (None, "1")],                        # rule 1
        [(S, "1 \u2192 2"), (None, "3"), (S, "1 \u2192 4")],        # rule 2
        [(P, "sum, drop"), (None, "keep"), (S, "sum, keep 1")],      # unbroadcast
    ]
    assert "<title>Broadcasting shape (3, 1) to (2, 3, 4)" in svg


def test_a_shape_that_is_not_broadcast_is_drawn_as_kept():
    rows = list(svg_rows(broadcast_svg((2, 3), (2, 3))).values())
    assert rows[-1] == [(None, "keep"), (None, "keep")]
    assert "rule 1 prepends nothing; rule 2 stretches nothing" in broadcast_svg((2, 3), (2, 3))


# ------------------------------------------------------------ the markers


def test_forward_and_back_is_the_graph_of_by_hand():
    """The named graph computes what autograd_lite.by_hand.forward_and_back differentiates."""
    root, names = build_graph(NAMED_GRAPHS["forward_and_back"])
    root.backward()
    by_hand = autograd_lite.forward_and_back(
        names["a"].array, names["b"].array, names["c"].array
    )
    for name, expected in zip("abc", by_hand):
        np.testing.assert_allclose(names[name].grad.array, expected)
    picture = Picture(graph_picture("forward_and_back").svg)
    assert [lines[:2] for _, lines in sorted(picture.lines.items())] == [
        ["a", "leaf"], ["b", "leaf"], ["d", "multiply"], ["c", "leaf"],
        ["e", "log"], ["f", "multiply"], ["g", "log"],
    ]


def test_the_first_graph_of_the_book():
    picture = Picture(graph_picture("d = a*b, e = b+c, L = d+e").svg)
    names = {lines[0]: k for k, lines in picture.lines.items()}
    assert set(names) == {"a", "b", "c", "d", "e", "L"}
    assert sum(1 for source, _ in picture.edges if source == names["b"]) == 2
    assert "Edges: a to d; b to d; b to e; c to e; d to L; e to L." in picture.desc


def test_free_names_become_leaves_and_literals_set_values():
    root, names = build_graph("a = [1.0, 2.0], y = a * w")
    assert names["a"].shape == (2,) and names["w"].shape == ()
    assert names["w"].requires_grad and names["w"].array == 2.0
    assert root is names["y"]


def test_options_show_values_gradients_and_direction():
    text = graph_picture("d = a*b | values grads LR").svg
    picture = Picture(text)
    assert picture.lines[0] == ["a", "leaf", "value 2", "grad 3"]
    assert "drawn left to right" in picture.desc
    check_layout(picture, [(0, 2), (1, 2)], "LR")
    with pytest.raises(PictureError, match="TB and LR contradict"):
        graph_picture("d = a*b | TB LR")


@pytest.mark.parametrize(
    "marker, message",
    [
        ("<!-- graph-picture: not_a_graph -->", "no graph named 'not_a_graph'"),
        ("<!-- graph-picture: d = a*b | colour -->", "unknown option"),
        ("<!-- graph-picture: d = a*b, d + 1 -->", "not one assignment"),
        ("<!-- graph-picture: d = a @ b -->", "raised"),
        ("<!-- graph-picture: d = = a -->", "not a Python assignment"),
        ("<!-- graph-pictures: d = a*b -->", "unknown picture kind 'graph-pictures'"),
        ("<!-- broadcast-picture: (3, 1) (2, 3) -->", "is not 'shape -> target'"),
        ("<!-- broadcast-picture: (3, 2) -> (2, 3, 4) -->", "cannot be broadcast"),
    ],
)
def test_a_bad_marker_fails_the_build_saying_where(marker, message):
    page = f"# Title\n\ntext\n\n{marker}\n"
    with pytest.raises(PictureError, match="docs/page.md:5: .*" + re.escape(message)):
        render_markers(page, where="docs/page.md")


def test_a_marker_split_over_lines_or_inside_text_is_refused():
    for page in ("<!-- graph-picture: d = a*b,\n   e = b+c -->\n", "Text <!-- graph-picture: d = a*b --> here.\n"):
        with pytest.raises(PictureError, match="one whole line"):
            render_markers(page)


def test_markers_are_replaced_in_place_keeping_admonition_indentation():
    page = (
        "# T\n\n"
        "<!-- graph-picture: d = a*b -->\n\n"
        '??? info "Broadcasting"\n\n'
        "    <!-- broadcast-picture: (3,) -> (2, 3) -->\n\n"
        "```text\n<!-- graph-picture: left alone in a code block -->\n```\n"
    )
    out = render_markers(page)
    assert '\n<figure class="graph-figure" data-search-exclude>\n<svg xmlns="http://www.w3.org/2000/svg" class="graph-picture"' in out
    assert '\n    <figure class="broadcast-figure" data-search-exclude>\n    <svg ' in out
    assert "<!-- graph-picture: left alone in a code block -->" in out
    assert len(find_markers(out)) == 0


# ------------------------------------------------------------ the book's pages


def book_pages():
    return sorted(p for p in DOCS.rglob("*.md") if "assets" not in p.relative_to(DOCS).parts)


def test_no_page_holds_a_hand_drawn_diagram():
    """Diagrams come from the library (markers), so none can drift from it."""
    hand_drawn = []
    for page in book_pages():
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            if re.match(r"^\s*(`{3,}|~{3,})\s*\{?\s*\.?mermaid", line) or re.search(
                r"<svg\b|class=\"mermaid\"", line
            ):
                hand_drawn.append(f"{page.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not hand_drawn, (
        "hand-drawn diagrams found; use a marker such as "
        "<!-- graph-picture: d = a*b, L = d+c --> so the library draws it:\n" + "\n".join(hand_drawn)
    )


def test_every_marker_on_every_page_draws():
    count = 0
    for page in book_pages():
        text = page.read_text(encoding="utf-8")
        count += len(find_markers(text))
        render_markers(text, where=str(page.relative_to(ROOT)))  # raises on a bad marker
    assert count >= 1, "the book has no library-drawn picture at all"


# ------------------------------------------------------------------ backward-pass frames

import ast as _ast
import sys as _sys

_sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from hooks import pictures as _pictures  # noqa: E402
from autograd_lite.draw import backward_frames, jacobian_svg  # noqa: E402
from autograd_lite.tensor import BACK_FUNCS  # noqa: E402

FRAME_SPECS = [
    "d = a*b, e = b+c, L = d+e",                                      # chapter 1
    "forward_and_back",                                                # chapter 6
    "x = [1.0, 2.0], w = [0.5, -1.0], y = x*w, z = exp(y), L = sum(z)",  # chapter 7
    "x = [[1.0, 2.0], [3.0, 4.0]], w = [0.5, -1.0], y = x*w, z = exp(y), p = z*x, L = mean(p)",
    "a = 2.0, b = a*a, c = b*a, L = c+b",                              # a node used three times
]


def _numbers(text: str) -> np.ndarray:
    return np.asarray(_ast.literal_eval(text.strip()), dtype=float)


def _parse_frame(description: str):
    """{name: (value, [received parts], grad or None)}, {(input, output): carried} from a frame's words."""
    nodes_text = description.split("Nodes, inputs first: ", 1)[1].split(". Edges: ", 1)
    nodes = {}
    for chunk in nodes_text[0].rstrip(".").split("; "):
        match = re.fullmatch(r"(?P<name>\w+) \((?P<op>[^,(]+(?:\([^)]*\))?), value (?P<value>.*), grad (?P<grad>.*)\)", chunk)
        assert match, f"cannot read node {chunk!r}"
        grad = match["grad"]
        if grad == "?":
            parts, total = [], None
        elif "=" in grad:
            left, right = grad.split("=")
            parts, total = [_numbers(p) for p in left.split(" + ")], _numbers(right)
        else:
            parts, total = [_numbers(grad)], _numbers(grad)
        nodes[match["name"]] = (_numbers(match["value"]), parts, total)
    edges = {}
    if len(nodes_text) > 1:
        for chunk in nodes_text[1].rstrip(".").split("; "):
            match = re.fullmatch(r"(\w+) to (\w+)(?: \((.*)\))?", chunk)
            assert match, f"cannot read edge {chunk!r}"
            if match[3]:
                edges[match[1], match[2]] = _numbers(match[3])
    return nodes, edges


def _engine_gradients(spec: str) -> dict:
    """dL/d(node) for every named node, each from the engine's own backward() on a fresh graph.

    A leaf's gradient is its .grad; an inner node's comes from the same graph rebuilt with that
    node made a leaf holding its value (its assignment replaced by a literal).
    """
    spec = _pictures.NAMED_GRAPHS.get(spec.strip(), spec)
    root, names = _pictures.build_graph(spec)
    root.backward()
    grads = {name: t.grad.array for name, t in names.items() if t.recipe is None and t.grad is not None}
    root_name = next(name for name, t in names.items() if t is root)
    grads[root_name] = np.ones_like(root.array)
    statements = _pictures.split_top_level(spec)
    for i, statement in enumerate(statements):
        target = statement.split("=", 1)[0].strip()
        if names[target].recipe is None or target == root_name:
            continue
        literal = repr(names[target].array.tolist())
        rebuilt = statements[:i] + [f"{target} = {literal}"] + statements[i + 1:]
        new_root, new_names = _pictures.build_graph(", ".join(rebuilt))
        new_root.backward()
        grads[target] = new_names[target].grad.array
    return grads, names, root_name


def frame_problems(spec: str, frames) -> list[str]:
    """Every number in every frame that differs from the engine's own result."""
    grads, names, root_name = _engine_gradients(spec)
    problems = []
    received = {name: [] for name in names}

    def differs(a, b) -> bool:
        return not np.allclose(a, b, rtol=1e-3, atol=1e-9)

    for frame in frames:
        where = f"{spec} step {frame.step}"
        nodes, edges = _parse_frame(frame.picture.description)
        if set(nodes) != set(names):
            problems.append(f"{where}: nodes {sorted(nodes)} are not the graph's {sorted(names)}")
            continue
        # An edge label is what the engine's backward function sends along that edge (x * x: two
        # arrows from x, one label, each arrow carrying it).
        for (source, target), carried in edges.items():
            node = names[target]
            for argnum in [k for k, p in node.recipe.parents.items() if p is names[source]]:
                sent = BACK_FUNCS[node.recipe.func, argnum](grads[target], node.array, *node.recipe.args, **node.recipe.kwargs)
                if differs(carried, sent):
                    problems.append(f"{where}: edge {source} -> {target} carries {carried}, the engine sends {sent}")
                received[source].append(carried)
        # The SVG's own text says the same as its words.
        labels = re.findall(r'<text class="gp-label"[^>]*>([^<]*)</text>', frame.picture.svg)
        arrows = [key for key in edges for p in names[key[1]].recipe.parents.values() if p is names[key[0]]]
        if sorted(labels) != sorted(_shown(_format(edges[key])) for key in arrows):
            problems.append(f"{where}: the arrows' labels {labels} are not the edges' gradients")
        for name, (value, parts, total) in nodes.items():
            if differs(value, names[name].array):
                problems.append(f"{where}: {name} shows value {value}, the engine has {names[name].array}")
            if f">{_shown(f'value {_format(names[name].array)}')}<" not in frame.picture.svg:
                problems.append(f"{where}: {name}'s value is not in the picture")
            expected_parts = [np.ones_like(names[name].array)] if name == root_name else []
            expected_parts += received[name]
            if (total is None) != (not expected_parts):
                problems.append(f"{where}: {name} shows gradient {total}, it has received {expected_parts}")
            elif len(parts) > 1 and (len(parts) != len(expected_parts) or any(differs(p, q) for p, q in zip(parts, expected_parts))):
                problems.append(f"{where}: {name} shows gradient parts {parts}, it has received {expected_parts}")
            if total is not None and expected_parts and differs(total, sum(expected_parts)):
                problems.append(f"{where}: {name} shows gradient {total}, its parts add up to {sum(expected_parts)}")
    # At the end every gradient is complete, and equals the engine's.
    nodes, _ = _parse_frame(frames[-1].picture.description)
    for name, engine_grad in grads.items():
        if nodes[name][2] is None or differs(nodes[name][2], engine_grad):
            problems.append(f"{spec}: {name}'s final gradient {nodes[name][2]} is not the engine's {engine_grad}")
    return problems


def _format(value) -> str:
    from autograd_lite.draw import _format_array

    return _format_array(value)


def _shown(text: str) -> str:
    """As the picture writes a line: cut with "…" past 30 characters (the <desc> keeps it whole)."""
    from autograd_lite.draw import _shown as shown

    return shown(text)


def _frames(spec: str):
    root, names, options = _pictures.graph_spec(spec)
    return backward_frames(root, names)


@pytest.mark.parametrize("spec", FRAME_SPECS)
def test_every_number_in_every_backward_frame_is_the_engines(spec):
    frames = _frames(spec)
    assert len(frames) >= 3
    assert frame_problems(spec, frames) == []


def test_the_frame_check_catches_a_wrong_number():
    spec = FRAME_SPECS[0]
    frames = _frames(spec)
    good = frames[3]
    bad_sum = type(good)(good.step, good.caption, GraphPicture(good.picture.svg, good.picture.title,
                         good.picture.description.replace("grad 1 + 2 = 3", "grad 1 + 2 = 4")),
                         good.node, good.sent, good.grads)
    assert any("add up" in p for p in frame_problems(spec, frames[:3] + [bad_sum] + frames[4:]))
    bad_edge = type(good)(good.step, good.caption, GraphPicture(good.picture.svg, good.picture.title,
                          good.picture.description.replace("a to d (3)", "a to d (2)")),
                          good.node, good.sent, good.grads)
    assert any("the engine sends" in p for p in frame_problems(spec, frames[:3] + [bad_edge] + frames[4:]))


def test_chapter_one_frames_show_b_adding_its_two_contributions():
    frames = _frames(FRAME_SPECS[0])
    assert [f.caption for f in frames][-2:] == [
        "d (multiply) has its whole gradient, 1, and sends 3 to a and 2 to b; b now has 1 + 2 = 3.",
        "Done: every leaf has its gradient: a 3, b 3, c 1.",
    ]
    assert 'class="gp-node gp-highlight"' in frames[3].picture.svg
    assert "<title>Step 4 of 5 of the backward pass of L" in frames[3].picture.svg


def test_backward_frames_leave_the_registry_as_it_was_and_the_gradients_as_backward_does():
    before = dict(BACK_FUNCS)
    root, names, _ = _pictures.graph_spec(FRAME_SPECS[0])
    backward_frames(root, names)
    assert BACK_FUNCS == before
    assert [float(names[n].grad.array) for n in "abc"] == [3.0, 3.0, 1.0]


def test_backward_frames_marker_makes_keyboard_tabs_with_a_caption_and_a_picture_each():
    text = _pictures.render_markers("<!-- backward-frames: d = a*b, e = b+c, L = d+e -->\n")
    assert re.findall(r'^=== "(Step \d+)"$', text, re.M) == [f"Step {k}" for k in range(1, 6)]
    assert text.count('<figure class="graph-figure" data-backward-frame') == 5
    assert "**Step 4 of 5.** d (multiply) has its whole gradient" in text
    with pytest.raises(_pictures.PictureError, match="LR or TB only"):
        _pictures.render_markers("<!-- backward-frames: d = a*b | grads -->\n")


def test_sort_trace_table_is_the_real_sorts_steps():
    table = _pictures.render_markers("<!-- sort-trace: L: d e, d: a b, e: b c -->\n")
    rows = [line for line in table.splitlines() if line.startswith("| ") and line[2].isdigit()]
    assert len(rows) == 12  # 6 pushes and 6 pops
    assert rows[-1] == "| 12 | pop `L`: all its parents are done | (empty) | `a`, `b`, `d`, `c`, `e`, `L` |"
    with pytest.raises(_pictures.PictureError):
        _pictures.render_markers("<!-- sort-trace: L d e -->\n")


def test_jacobian_picture_is_diagonal_with_the_derivative_on_it():
    svg = _pictures.jacobian_picture("exp at (3, 4)")
    assert "a 12 by 12 grid, non-zero only on its diagonal" in svg
    x = np.arange(1, 13).reshape(3, 4) / 10
    for value in np.exp(x).ravel():
        assert f">{format(value, '.4g')[:5]}</text>" in svg
    assert svg.count("<rect") == 144
    jacobian = np.ones((2, 2, 2, 2))
    assert "16 entries non-zero" in jacobian_svg(jacobian, np.ones((2, 2)), "mix")
    with pytest.raises(ValueError, match="does not fit"):
        jacobian_svg(np.ones((2, 3)), np.ones(2))


def _page_frame_specs() -> list[str]:
    docs = Path(__file__).resolve().parents[1] / "docs"
    return [
        spec for page in sorted(docs.glob("*.md"))
        for _, kind, spec in _pictures.find_markers(page.read_text(encoding="utf-8")) if kind == "backward-frames"
    ]


def test_chapters_1_6_and_7_show_backward_frames_and_every_number_is_checked():
    specs = _page_frame_specs()
    assert len(specs) >= 3
    for spec in specs:
        assert frame_problems(spec, _frames(spec)) == [], spec
