"""autograd_lite.draw and the book's pictures: drawn by the library, never by hand.

The pictures on the pages come from markers (``<!-- graph-picture: ... -->``,
``<!-- broadcast-picture: ... -->``) that ``hooks/pictures.py`` replaces at
build time with what ``autograd_lite.draw`` produces from the library's own
objects.  These tests hold the drawing functions to the library (the graph
drawn is the engine's graph, the axes drawn are the axes ``unbroadcast``
sums), and hold the book to the rule: no hand-written diagram, and every
marker on every page draws.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given

import autograd_lite
from autograd_lite import Tensor, broadcast_plan, broadcast_svg, graph_to_mermaid, to_mermaid
from autograd_lite.draw import _PREPENDED_FILL, _STRETCHED_FILL
from hooks.pictures import (
    NAMED_GRAPHS,
    PictureError,
    build_graph,
    find_markers,
    graph_picture,
    render_markers,
)
from strategies import SETTINGS, broadcast_pairs, invalid_broadcast_pairs

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


# ------------------------------------------------------------ the generic core


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


# ------------------------------------------------------------ Tensor graphs


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
    labels, _, _ = parse_mermaid(graph_picture("forward_and_back"))
    assert [label[0] for label in labels.values()] == [
        "a", "b", "d = multiply", "c", "e = log", "f = multiply", "g = log",
    ]


def test_the_first_graph_of_the_book():
    labels, leaves, edges = parse_mermaid(graph_picture("d = a*b, e = b+c, L = d+e"))
    names = {label[0]: n for n, label in labels.items()}
    assert set(names) == {"a", "b", "c", "d = multiply", "e = add", "L = add"}
    assert sum(1 for source, _ in edges if source == names["b"]) == 2


def test_free_names_become_leaves_and_literals_set_values():
    root, names = build_graph("a = [1.0, 2.0], y = a * w")
    assert names["a"].shape == (2,) and names["w"].shape == ()
    assert names["w"].requires_grad and names["w"].array == 2.0
    assert root is names["y"]


def test_options_show_values_and_gradients():
    text = graph_picture("d = a*b | values grads TB")
    assert text.startswith("flowchart TB")
    labels, _, _ = parse_mermaid(text)
    assert labels[0] == ["a", "shape ()", "value 2", "grad 3"]


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
    assert "```mermaid\nflowchart LR\n    n0([\"a" in out
    assert '\n    <figure class="broadcast-figure">\n    <svg ' in out
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
