"""Topological sorting of a computational graph.

Explained in the book's chapter 5 (Topological sorting).  The book draws
every arrow from an input to the node computed from it (chapter 1); the sorts
here are given ``get_parents``, a node's inputs, and follow those arrows
backwards from the root.
"""

from __future__ import annotations

from collections import deque
from typing import Callable, Hashable, Iterable, TypeVar

__all__ = ["topological_sort", "topological_sort_trace", "kahn_sort", "CycleError"]

Node = TypeVar("Node", bound=Hashable)


class CycleError(ValueError):
    """The graph has a directed cycle, so no topological order exists."""


def _parents_argument(get_parents, get_children, who: str):
    """``get_parents``, also accepted under its old keyword name ``get_children``."""
    if get_children is not None:
        if get_parents is not None:
            raise TypeError(
                f"{who}: got both get_parents and get_children; they are the same argument "
                "(get_children is its old name), so pass one."
            )
        return get_children
    if get_parents is None:
        raise TypeError(f"{who}: missing get_parents, the function that lists a node's parents (inputs).")
    return get_parents


def topological_sort(
    node: Node,
    get_parents: Callable[[Node], Iterable[Node]] | None = None,
    *,
    get_children: Callable[[Node], Iterable[Node]] | None = None,
    on_step: Callable[[str, Node, list, list], None] | None = None,
) -> list[Node]:
    """Return every node ``node`` depends on, each after all of its parents.

    ``get_parents(n)`` lists the nodes ``n`` was computed from (its inputs);
    the graph's arrows go from each parent to ``n``.  ``node`` itself comes
    last, and reading the list from the front is an order in which the forward
    pass could compute the values.  The walk is an explicit-stack depth-first
    search, so a chain of a million nodes needs no deep recursion.  A node is
    "on the path" while its parents are being visited; meeting such a node
    again means the graph has a cycle.  (``get_children`` is the argument's
    old name, still accepted as a keyword.)  ``on_step(action, node, stack,
    result)``, if given, is called after each push and pop
    (`topological_sort_trace` uses it).

    >>> from autograd_lite import topological_sort
    >>> parents = {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}
    >>> topological_sort("L", lambda n: parents.get(n, []))
    ['a', 'b', 'd', 'c', 'e', 'L']
    >>> topological_sort("x", lambda n: ["y"] if n == "x" else ["x"])
    Traceback (most recent call last):
    ...
    autograd_lite.graph.CycleError: topological_sort: the graph has a cycle through 'x' -> 'y' -> 'x'; a computational graph must be acyclic, so check how the parents were built.
    """
    get_parents = _parents_argument(get_parents, get_children, "topological_sort")
    done: set = set()
    on_path: set = set()
    result: list = []
    # Each stack entry is (node, iterator over its not-yet-visited parents).
    stack = [(node, iter(get_parents(node)))]
    on_path.add(node)
    if on_step is not None:
        on_step("push", node, stack, result)
    while stack:
        current, parents = stack[-1]
        for parent in parents:
            if parent in done:
                continue
            if parent in on_path:
                path = [n for n, _ in stack]
                cycle = path[path.index(parent):] + [parent]
                raise CycleError(
                    "topological_sort: the graph has a cycle through "
                    + " -> ".join(repr(n) for n in cycle)
                    + "; a computational graph must be acyclic, so check how the parents were built."
                )
            on_path.add(parent)
            stack.append((parent, iter(get_parents(parent))))
            if on_step is not None:
                on_step("push", parent, stack, result)
            break
        else:
            stack.pop()
            on_path.discard(current)
            done.add(current)
            result.append(current)
            if on_step is not None:
                on_step("pop", current, stack, result)
    return result


def topological_sort_trace(
    node: Node, get_parents: Callable[[Node], Iterable[Node]]
) -> list[tuple[str, Node, list[Node], list[Node]]]:
    """Every step of `topological_sort`: ``(action, node, stack, result)`` after each push or pop.

    ``stack`` lists the nodes on the stack, bottom first; ``result`` the
    order so far.  It runs the real sort (through its ``on_step``), so the
    table chapter 5 shows is the algorithm's own.

    >>> from autograd_lite import topological_sort_trace
    >>> parents = {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}
    >>> for action, node, stack, result in topological_sort_trace("L", lambda n: parents.get(n, [])):
    ...     print(f"{action} {node}: stack {stack}, result {result}")
    push L: stack ['L'], result []
    push d: stack ['L', 'd'], result []
    push a: stack ['L', 'd', 'a'], result []
    pop a: stack ['L', 'd'], result ['a']
    push b: stack ['L', 'd', 'b'], result ['a']
    pop b: stack ['L', 'd'], result ['a', 'b']
    pop d: stack ['L'], result ['a', 'b', 'd']
    push e: stack ['L', 'e'], result ['a', 'b', 'd']
    push c: stack ['L', 'e', 'c'], result ['a', 'b', 'd']
    pop c: stack ['L', 'e'], result ['a', 'b', 'd', 'c']
    pop e: stack ['L'], result ['a', 'b', 'd', 'c', 'e']
    pop L: stack [], result ['a', 'b', 'd', 'c', 'e', 'L']
    """
    steps: list = []

    def record(action, current, stack, result):
        steps.append((action, current, [n for n, _ in stack], list(result)))

    topological_sort(node, get_parents, on_step=record)
    return steps


def kahn_sort(node: Node, get_parents: Callable[[Node], Iterable[Node]]) -> list[Node]:
    """The backward order by Kahn's algorithm: ``node`` first, each node before its parents.

    PyTorch's engine works this way: first count, for every node, how many
    nodes use it (its dependencies in the backward pass); then start from the
    root and take nodes from a queue of *ready* nodes, those whose users have
    all been processed, lowering each parent's count and queueing it when the
    count reaches 0.  The result is a reversed topological order, the one
    backprop walks; nodes left with a count above 0 mean a cycle.

    >>> from autograd_lite import kahn_sort
    >>> parents = {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}
    >>> kahn_sort("L", lambda n: parents.get(n, []))
    ['L', 'd', 'e', 'a', 'b', 'c']
    >>> kahn_sort("x", lambda n: ["y"] if n == "x" else ["x"])
    Traceback (most recent call last):
    ...
    autograd_lite.graph.CycleError: kahn_sort: the graph has a cycle: ['x', 'y'] never became ready, because a node on the cycle uses each of them; a computational graph must be acyclic.
    """
    users: dict = {node: 0}  # how many nodes use each node, counted over what node depends on
    seen, to_visit = {node}, [node]
    while to_visit:
        for parent in get_parents(to_visit.pop()):
            users[parent] = users.get(parent, 0) + 1
            if parent not in seen:
                seen.add(parent)
                to_visit.append(parent)
    order, ready = [], deque([node] if users[node] == 0 else [])
    while ready:
        current = ready.popleft()
        order.append(current)
        for parent in get_parents(current):
            users[parent] -= 1
            if users[parent] == 0:
                ready.append(parent)
    if len(order) != len(users):
        stuck = [n for n, count in users.items() if count > 0]
        raise CycleError(
            f"kahn_sort: the graph has a cycle: {stuck!r} never became ready, because a node "
            "on the cycle uses each of them; a computational graph must be acyclic."
        )
    return order
