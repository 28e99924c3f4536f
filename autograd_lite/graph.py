"""Topological sorting of a computational graph.

Explained in the book's chapter 5 (Topological sorting).
"""

from __future__ import annotations

from typing import Callable, Hashable, Iterable, TypeVar

__all__ = ["topological_sort", "CycleError"]

Node = TypeVar("Node", bound=Hashable)


class CycleError(ValueError):
    """The graph has a directed cycle, so no topological order exists."""


def topological_sort(node: Node, get_children: Callable[[Node], Iterable[Node]]) -> list[Node]:
    """Return every node reachable from ``node``, each after all nodes reachable from it.

    ``node`` itself comes last.  The walk is an explicit-stack depth-first
    search, so a chain of a million nodes needs no deep recursion.  A node is
    "on the path" while its children are being visited; meeting such a node
    again means the graph has a cycle.

    >>> from autograd_lite import topological_sort
    >>> children = {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}
    >>> topological_sort("L", lambda n: children.get(n, []))
    ['a', 'b', 'd', 'c', 'e', 'L']
    >>> topological_sort("x", lambda n: ["y"] if n == "x" else ["x"])
    Traceback (most recent call last):
    ...
    autograd_lite.graph.CycleError: topological_sort: the graph has a cycle through 'x' -> 'y' -> 'x'; a computational graph must be acyclic, so check how the children were built.
    """
    done: set = set()
    on_path: set = set()
    result: list = []
    # Each stack entry is (node, iterator over its not-yet-visited children).
    stack = [(node, iter(get_children(node)))]
    on_path.add(node)
    while stack:
        current, children = stack[-1]
        for child in children:
            if child in done:
                continue
            if child in on_path:
                path = [n for n, _ in stack]
                cycle = path[path.index(child):] + [child]
                raise CycleError(
                    "topological_sort: the graph has a cycle through "
                    + " -> ".join(repr(n) for n in cycle)
                    + "; a computational graph must be acyclic, so check how the children were built."
                )
            on_path.add(child)
            stack.append((child, iter(get_children(child))))
            break
        else:
            stack.pop()
            on_path.discard(current)
            done.add(current)
            result.append(current)
    return result
