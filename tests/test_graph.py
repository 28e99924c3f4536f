"""Tests for autograd_lite.graph: topological_sort orders any DAG, deep or wide, and rejects cycles."""

from __future__ import annotations

import sys
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import CycleError, topological_sort
from strategies import SETTINGS, dags


def reachable_from(root, children: dict) -> set:
    seen, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), []):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def assert_topological_order(order, root, children: dict):
    """Each reachable node once, root last, every node after all of its children."""
    assert Counter(order).most_common(1)[0][1] == 1, f"a node appears twice: {order}"
    assert set(order) == reachable_from(root, children)
    assert order[-1] == root
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        for child in children.get(node, []):
            assert position[child] < position[node], f"{node!r} comes before its child {child!r}"


def counting(children: dict):
    """get_children over a dict, plus a Counter of how often each node was asked for."""
    calls = Counter()

    def get_children(node):
        calls[node] += 1
        return children.get(node, [])

    return get_children, calls


# ---------------------------------------------------------------- unit tests


def test_the_books_graph():
    # L = d + e, d = a * b, e = b + c: b has two outgoing edges.
    children = {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}
    order = topological_sort("L", lambda n: children.get(n, []))
    assert order == ["a", "b", "d", "c", "e", "L"]
    assert_topological_order(order, "L", children)


def test_a_single_node():
    assert topological_sort("x", lambda n: []) == ["x"]


def test_diamond_visits_the_shared_child_once():
    children = {"top": ["left", "right"], "left": ["bottom"], "right": ["bottom"], "bottom": ["leaf"]}
    get_children, calls = counting(children)
    order = topological_sort("top", get_children)
    assert_topological_order(order, "top", children)
    assert order.count("bottom") == 1
    assert set(calls.values()) == {1}, f"get_children called more than once for a node: {calls}"


def test_a_repeated_child_appears_once():
    # y = x * x: the same child twice in one list.
    children = {"L": ["y", "x"], "y": ["x", "x"]}
    order = topological_sort("L", lambda n: children.get(n, []))
    assert order == ["x", "y", "L"]


def test_children_may_be_any_iterable_and_nodes_any_hashable():
    children = {("out",): (("a",), ("b",)), ("a",): (("b",),)}
    order = topological_sort(("out",), lambda n: iter(children.get(n, ())))
    assert order == [("b",), ("a",), ("out",)]


@pytest.fixture
def default_recursion_limit(monkeypatch):
    """Python's default limit (1000) for the test, and no way for the code under test to raise it."""
    set_limit, before = sys.setrecursionlimit, sys.getrecursionlimit()
    set_limit(1000)

    def refuse(_):
        raise AssertionError("topological_sort must not change the recursion limit")

    monkeypatch.setattr(sys, "setrecursionlimit", refuse)
    yield 1000
    set_limit(before)


def test_a_chain_of_a_million_nodes_needs_no_recursion(default_recursion_limit):
    n = 1_000_000
    order = topological_sort(n - 1, lambda k: [k - 1] if k > 0 else [])
    assert sys.getrecursionlimit() == default_recursion_limit
    assert len(order) == n
    assert order[0] == 0 and order[-1] == n - 1
    assert order == list(range(n))


@pytest.mark.parametrize(
    "root, children, cycle",
    [
        ("a", {"a": ["a"]}, ["a"]),
        ("x", {"x": ["y"], "y": ["x"]}, ["x", "y"]),
        ("L", {"L": ["a", "b"], "a": ["c"], "b": ["c"], "c": ["d"], "d": ["b"]}, ["b", "c", "d"]),
    ],
    ids=["self-loop", "2-cycle", "cycle below a diamond"],
)
def test_cycles_raise_a_value_error_naming_the_cycle(root, children, cycle):
    with pytest.raises(ValueError) as info:
        topological_sort(root, lambda n: children.get(n, []))
    assert isinstance(info.value, CycleError)
    message = str(info.value)
    assert "cycle" in message
    # The message names the cycle: each of its nodes, joined by arrows, first node repeated last.
    named = message.split("cycle through ")[1].split(";")[0].split(" -> ")
    assert named[0] == named[-1]
    assert sorted(set(named)) == [repr(node) for node in cycle]


def test_a_cycle_deep_in_the_graph_raises_value_error_not_recursion_error(default_recursion_limit):
    # 20,000 -> 19,999 -> ... -> 0, and 0 points back up to 5.
    def get_children(n):
        return [n - 1] if n > 0 else [5]

    with pytest.raises(ValueError, match="cycle") as info:
        topological_sort(20_000, get_children)
    assert not isinstance(info.value, RecursionError)
    assert "5 -> 4 -> 3 -> 2 -> 1 -> 0 -> 5" in str(info.value)


def test_cycle_error_is_a_value_error():
    assert issubclass(CycleError, ValueError)


# ------------------------------------------------------------ property tests


@SETTINGS
@given(dag=dags())
def test_random_dags_are_sorted(dag):
    root, children = dag
    get_children, calls = counting(children)
    order = topological_sort(root, get_children)
    assert_topological_order(order, root, children)
    assert set(calls.values()) == {1}


@SETTINGS
@given(dag=dags(), data=st.data())
def test_a_back_edge_anywhere_below_the_root_raises(dag, data):
    """Add an edge from a reachable node back to one of its ancestors (or itself): a cycle."""
    root, children = dag
    # Pick a root-to-node path, then close it.
    path = [root]
    while children.get(path[-1]) and data.draw(st.booleans(), label="go deeper"):
        path.append(data.draw(st.sampled_from(children[path[-1]]), label="child"))
    ancestor = data.draw(st.sampled_from(path), label="ancestor")
    cyclic = {node: list(kids) for node, kids in children.items()}
    cyclic[path[-1]] = cyclic.get(path[-1], []) + [ancestor]
    with pytest.raises(CycleError, match="cycle"):
        topological_sort(root, lambda n: cyclic.get(n, []))


# ---------------------------------------------------------------- pinned by mutation testing (issue 15)


def test_a_cycle_through_the_start_node_is_reported_from_the_start_node():
    children = {"x": ["y"], "y": ["x"]}
    with pytest.raises(CycleError, match=r"through 'x' -> 'y' -> 'x';"):
        topological_sort("x", lambda n: children[n])
    children = {"a": ["b"], "b": ["c"], "c": ["b"]}
    with pytest.raises(CycleError, match=r"through 'b' -> 'c' -> 'b';"):
        topological_sort("a", lambda n: children[n])


# ------------------------------------------------------------------ the argument's name, the trace, Kahn

from autograd_lite import kahn_sort, topological_sort_trace  # noqa: E402

BOOK = {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}


def test_get_parents_is_also_accepted_under_its_old_name():
    parents = lambda n: BOOK.get(n, [])  # noqa: E731
    assert topological_sort("L", get_parents=parents) == topological_sort("L", get_children=parents)
    with pytest.raises(TypeError, match="got both get_parents and get_children"):
        topological_sort("L", parents, get_children=parents)
    with pytest.raises(TypeError, match="missing get_parents"):
        topological_sort("L")


@SETTINGS
@given(dags())
def test_the_trace_is_the_sorts_own_run(dag):
    root, children = dag
    steps = topological_sort_trace(root, lambda n: children.get(n, []))
    assert steps[-1][3] == topological_sort(root, lambda n: children.get(n, []))
    assert steps[-1][2] == []
    pushes = [node for action, node, _, _ in steps if action == "push"]
    pops = [node for action, node, _, _ in steps if action == "pop"]
    assert sorted(pushes, key=repr) == sorted(pops, key=repr) == sorted(reachable_from(root, children), key=repr)
    for (_, _, before, _), (action, node, after, _) in zip(steps, steps[1:]):
        assert after == (before + [node] if action == "push" else before[:-1])


@SETTINGS
@given(dags())
def test_kahn_gives_a_reversed_topological_order_of_the_same_nodes(dag):
    root, children = dag
    order = kahn_sort(root, lambda n: children.get(n, []))
    assert_topological_order(order[::-1], root, children)


def test_kahn_rejects_a_cycle_below_the_root():
    graph = {"r": ["x"], "x": ["y"], "y": ["x"]}
    with pytest.raises(CycleError, match="never became ready"):
        kahn_sort("r", lambda n: graph.get(n, []))


def test_kahn_names_exactly_the_nodes_stuck_on_the_cycle():
    # r is sorted; x and y wait for each other. The message lists those two, not r.
    graph = {"r": ["x"], "x": ["y"], "y": ["x"]}
    with pytest.raises(CycleError, match=r"the graph has a cycle: \['x', 'y'\] never became ready"):
        kahn_sort("r", lambda n: graph.get(n, []))
