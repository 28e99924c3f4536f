"""Learner checks for part 1 of the book (chapters 2, 4, 5 and 6).

Each exercise of part 1 ends by running the reader's own function through one
of these checks:

- chapter 2 (Backward functions): `check_log_back`, `check_multiply_back`,
  `check_multiply_back_float`;
- chapter 4 (Unbroadcast): `check_unbroadcast`;
- chapter 5 (Topological sorting): `check_topological_sort`;
- chapter 6 (Backprop by hand): `check_forward_and_back`.

A check calls the function on several inputs and compares each answer with
the library's own implementation (which the tests hold to central finite
differences).  When every case is right it prints one line,
``<check name>: all tests passed``.  Otherwise it raises:

- ``NotImplementedError`` while the function is still the exercise's stub;
- ``AssertionError`` for a wrong answer, showing the inputs, the expected and
  the actual result, and whether the shape, the dtype or the values are wrong;
- any other exception the function raises, unchanged, with a note naming the
  call that raised it.

>>> from autograd_lite.checks import check_log_back
>>> def log_back(grad_out, out, x):
...     return grad_out * x
>>> check_log_back(log_back)
Traceback (most recent call last):
...
AssertionError: check_log_back: wrong result for log_back(grad_out of shape (3,), out = np.log(x), x of shape (3,))
  grad_out (shape (3,), float64): [1., 1., 1.]
  x (shape (3,), float64): [0.5, 2. , 4. ]
  expected (shape (3,), float64): [2.  , 0.5 , 0.25]
  actual (shape (3,), float64): [0.5, 2. , 4. ]
  wrong values
"""

from __future__ import annotations

import sys
from collections import Counter
from typing import Callable

import numpy as np

from ..backward import log_back as _log_back
from ..backward import multiply_back0 as _multiply_back0
from ..backward import multiply_back1 as _multiply_back1
from ..broadcasting import unbroadcast as _unbroadcast
from ..by_hand import forward_and_back as _forward_and_back
from .common import _assert_array, _call, _copy, _describe, _name, _passed, _problem, _show, _values

__all__ = [
    "check_log_back",
    "check_unbroadcast",
    "check_multiply_back",
    "check_multiply_back_float",
    "check_forward_and_back",
    "check_topological_sort",
]

_DTYPE_HINT = (
    "the gradient keeps the dtype of the incoming gradient (float32 stays float32); "
    "np.zeros(shape), dtype=float and np.asarray(a Python float) all make float64."
)


# ------------------------------------------------------------ chapter 2


def check_log_back(fn: Callable) -> None:
    """Check ``log_back(grad_out, out, x)``, the backward function of ``out = np.log(x)``.

    >>> from autograd_lite import log_back
    >>> from autograd_lite.checks import check_log_back
    >>> check_log_back(log_back)
    check_log_back: all tests passed
    """
    check = "check_log_back"
    cases = [
        (np.ones(3), np.array([0.5, 2.0, 4.0])),
        (np.array([[2.0, -1.0, 0.5], [3.0, 1.5, -2.0]]), np.array([[0.25, 3.0, 5.0], [2.0, 8.0, 10.0]])),
        (np.array([0.5, -3.0, 2.0], dtype=np.float32), np.array([2.0, 0.1, 7.5], dtype=np.float32)),
        (np.array(2.0), np.array(4.0)),
    ]
    for grad_out, x in cases:
        expected = _log_back(grad_out.copy(), np.log(x), x.copy())
        call = f"{_name(fn)}({_describe('grad_out', grad_out)}, out = np.log(x), {_describe('x', x)})"
        actual = _call(check, fn, (grad_out.copy(), np.log(x), x.copy()), call)
        _assert_array(
            check, call, [("grad_out", grad_out), ("x", x)], expected, actual,
            hints={"dtype": _DTYPE_HINT},
        )
    _passed(check)


# ------------------------------------------------------------ chapter 4


def check_unbroadcast(fn: Callable) -> None:
    """Check ``unbroadcast(broadcasted, original)``: sums a gradient back down to ``original``'s shape.

    >>> from autograd_lite import unbroadcast
    >>> from autograd_lite.checks import check_unbroadcast
    >>> check_unbroadcast(unbroadcast)
    check_unbroadcast: all tests passed
    """
    check = "check_unbroadcast"
    rng = np.random.default_rng(4)
    cases = [  # (shape of broadcasted, shape of original, dtype)
        ((2, 3, 4), (3, 1), np.float64),
        ((1, 2, 3, 4), (3, 1), np.float64),
        ((3, 4), (1, 4), np.float64),
        ((5, 3), (3,), np.float64),
        ((4, 2, 3), (4, 1, 3), np.float64),
        ((2, 3), (2, 3), np.float64),
        ((2, 3), (), np.float64),
        ((2, 3, 4), (3, 1), np.float32),
    ]
    hints = {
        "shape": "the result must have original's shape: sum away the dimensions broadcasting "
        "prepended, and sum with keepdims=True wherever original has size 1.",
        "dtype": _DTYPE_HINT,
    }
    for broadcasted_shape, original_shape, dtype in cases:
        broadcasted = _values(rng, broadcasted_shape, dtype)
        original = _values(rng, original_shape, dtype)
        expected = _unbroadcast(broadcasted.copy(), original.copy())
        call = f"{_name(fn)}({_describe('broadcasted', broadcasted)}, {_describe('original', original)})"
        actual = _call(check, fn, (broadcasted.copy(), original.copy()), call)
        _assert_array(
            check, call, [("broadcasted", broadcasted), ("original", original)], expected, actual,
            hints=hints,
        )
    _passed(check)


_MULTIPLY_HINTS = {
    "shape": "the gradient for an argument has that argument's shape: unbroadcast the product "
    "to it.",
    "dtype": _DTYPE_HINT,
}


def _check_multiply_case(check: str, fn: Callable, reference: Callable, argnum: int, grad_out, x, y) -> None:
    out = x * y
    expected = reference(grad_out.copy(), out.copy(), _copy(x), _copy(y))
    call = (
        f"{_name(fn)}({_describe('grad_out', grad_out)}, out = x * y, "
        f"{_describe('x', x)}, {_describe('y', y)})"
    )
    actual = _call(check, fn, (grad_out.copy(), out.copy(), _copy(x), _copy(y)), call)
    what = f"result (the gradient for {'xy'[argnum]})"
    _assert_array(
        check, call, [("grad_out", grad_out), ("x", x), ("y", y)], expected, actual, what,
        hints=_MULTIPLY_HINTS,
    )



def check_multiply_back(fn0: Callable, fn1: Callable) -> None:
    """Check ``multiply_back0`` and ``multiply_back1``, the backward functions of ``out = x * y``.

    The cases include broadcasting both ways round: ``x`` stretched to ``y``'s
    shape, ``y`` stretched to ``x``'s, and both stretched at once.

    >>> from autograd_lite import multiply_back0, multiply_back1
    >>> from autograd_lite.checks import check_multiply_back
    >>> check_multiply_back(multiply_back0, multiply_back1)
    check_multiply_back: all tests passed
    """
    check = "check_multiply_back"
    rng = np.random.default_rng(5)
    cases = [  # (shape of x, shape of y, dtype)
        ((2, 3), (2, 3), np.float64),
        ((3,), (2, 3), np.float64),
        ((2, 3), (3,), np.float64),
        ((2, 1, 4), (3, 1), np.float64),
        ((4, 1), (4,), np.float64),
        ((3, 1), (2, 1, 4), np.float32),
    ]
    for x_shape, y_shape, dtype in cases:
        x, y = _values(rng, x_shape, dtype), _values(rng, y_shape, dtype)
        grad_out = _values(rng, np.broadcast_shapes(x_shape, y_shape), dtype)
        _check_multiply_case(check, fn0, _multiply_back0, 0, grad_out, x, y)
        _check_multiply_case(check, fn1, _multiply_back1, 1, grad_out, x, y)
    _passed(check)


def check_multiply_back_float(fn0: Callable, fn1: Callable) -> None:
    """Check ``multiply_back0`` and ``multiply_back1`` when the other argument is a plain Python float.

    ``multiply_back0(grad_out, out, x, 2.5)`` must return an array of ``x``'s
    shape and dtype, and so must ``multiply_back1(grad_out, out, 2.5, y)`` for ``y``.

    >>> from autograd_lite import multiply_back0, multiply_back1
    >>> from autograd_lite.checks import check_multiply_back_float
    >>> check_multiply_back_float(multiply_back0, multiply_back1)
    check_multiply_back_float: all tests passed
    """
    check = "check_multiply_back_float"
    rng = np.random.default_rng(6)
    for dtype, shape, number in [
        (np.float64, (2, 3), 2.5),
        (np.float64, (3,), -1.5),
        (np.float32, (4,), 0.5),
        (np.float32, (2, 2), 3.0),
    ]:
        array = _values(rng, shape, dtype)
        grad_out = _values(rng, shape, dtype)
        _check_multiply_case(check, fn0, _multiply_back0, 0, grad_out, array, number)
        _check_multiply_case(check, fn1, _multiply_back1, 1, grad_out, number, array)
    _passed(check)


# ------------------------------------------------------------ chapter 6


def check_forward_and_back(fn: Callable) -> None:
    """Check ``forward_and_back(a, b, c)``: g = log(a * b * log(c)), returning (dg/da, dg/db, dg/dc).

    >>> from autograd_lite import forward_and_back
    >>> from autograd_lite.checks import check_forward_and_back
    >>> check_forward_and_back(forward_and_back)
    check_forward_and_back: all tests passed
    """
    check = "check_forward_and_back"
    cases = [
        (np.array([2.0]), np.array([3.0]), np.array([10.0])),
        (np.array([0.5, 1.5, 2.0]), np.array([3.0, 0.25, 1.0]), np.array([2.0, 5.0, 1.5])),
        # Broadcasting: a (2, 3), b (3,), c (2, 1).  Every value positive and c > 1, so g is defined.
        (np.array([[0.5, 1.0, 2.0], [1.5, 2.5, 3.0]]), np.array([2.0, 0.5, 1.5]), np.array([[2.0], [4.0]])),
    ]
    names = ["dg/da", "dg/db", "dg/dc"]
    for a, b, c in cases:
        expected = _forward_and_back(a.copy(), b.copy(), c.copy())
        call = f"{_name(fn)}({_describe('a', a)}, {_describe('b', b)}, {_describe('c', c)})"
        actual = _call(check, fn, (a.copy(), b.copy(), c.copy()), call)
        inputs = [("a", a), ("b", b), ("c", c)]
        if not isinstance(actual, (tuple, list)) or len(actual) != 3:
            raise AssertionError(
                "\n".join(
                    [f"{check}: wrong result for {call}"]
                    + [_show(label, value) for label, value in inputs]
                    + [
                        "  expected: a tuple of three arrays (dg/da, dg/db, dg/dc)",
                        f"  actual: {actual!r}",
                    ]
                )
            )
        for i, name in enumerate(names):
            hints = {"shape": f"{name} has the shape of {'abc'[i]}: unbroadcast each gradient to its input."}
            for j, other in enumerate(names):
                if j != i and _problem(np.asarray(expected[j]), actual[i]) is None:
                    hints["values"] = (
                        f"these are the values of {other}: return (dg/da, dg/db, dg/dc) in that order."
                    )
            _assert_array(check, call, inputs, expected[i], actual[i], what=name, hints=hints)
    _passed(check)


# ------------------------------------------------------------ chapter 5


def _graph_function(graph: dict) -> Callable:
    # A fresh list on every call, so a sort that pops from it cannot change the graph.
    return lambda node: list(graph.get(node, ()))


def _reachable(root, get_children) -> set:
    seen, stack = {root}, [root]
    while stack:
        for child in get_children(stack.pop()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen


def _short(nodes) -> str:
    nodes = list(nodes)
    if len(nodes) <= 12:
        return repr(nodes)
    return "[" + ", ".join(map(repr, nodes[:5])) + ", ..., " + ", ".join(map(repr, nodes[-5:])) + "]"


def _order_problem(result, root, get_children, reachable: set) -> str | None:
    """What makes ``result`` not a topological order of the nodes reachable from ``root``, or None."""
    if not isinstance(result, (list, tuple)):
        return f"expected a list of nodes, got {type(result).__name__}"
    counts = Counter(result)
    repeated = [node for node, count in counts.items() if count > 1]
    if repeated:
        node = repeated[0]
        return f"{node!r} appears {counts[node]} times; each node must appear exactly once"
    missing = [node for node in reachable if node not in counts]
    if missing:
        return f"missing nodes reachable from {root!r}: {_short(sorted(missing, key=repr))}"
    extra = [node for node in result if node not in reachable]
    if extra:
        return f"nodes that are not reachable from {root!r}: {_short(extra)}"
    if result[-1] != root:
        return (
            f"the start node {root!r} must come last, but it is at position "
            f"{list(result).index(root)} of {len(result)}"
        )
    position = {node: i for i, node in enumerate(result)}
    for node in result:
        for child in get_children(node):
            if position[child] > position[node]:
                return (
                    f"{node!r} comes before its child {child!r}; every node must come after "
                    "all the nodes reachable from it"
                )
    return None


def _assert_order(check: str, call: str, result, root, get_children, reachable: set) -> None:
    problem = _order_problem(result, root, get_children, reachable)
    if problem:
        shown = _short(result) if isinstance(result, (list, tuple)) else repr(result)
        raise AssertionError(f"{check}: wrong result for {call}\n  actual: {shown}\n  {problem}")


def _recursion_failure(check: str, fn: Callable, what: str) -> AssertionError:
    return AssertionError(
        f"{check}: {_name(fn)} raised RecursionError on {what}.\n"
        "  A recursive depth-first search needs one Python stack frame per node on the current "
        f"path, and Python stops at sys.getrecursionlimit() = {sys.getrecursionlimit()} frames; a "
        "computational graph can be a much longer chain than that.\n"
        "  hint: keep the nodes still to visit on an explicit stack (a Python list) instead of "
        "recursing."
    )


def check_topological_sort(fn: Callable) -> None:
    """Check ``topological_sort(node, get_children)`` on small graphs, a long chain and cycles.

    Any valid order passes: each node reachable from ``node`` exactly once,
    every node after all its children, ``node`` last.  The chain has 10,000
    nodes, too deep for a recursive sort.  On a graph with a cycle the sort
    must raise ``ValueError`` (or a subclass of it).

    >>> from autograd_lite import topological_sort
    >>> from autograd_lite.checks import check_topological_sort
    >>> check_topological_sort(topological_sort)
    check_topological_sort: all tests passed
    """
    check = "check_topological_sort"
    dags = [
        ("x", {"x": []}),
        ("L", {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}),
        ("top", {"top": ["left", "right"], "left": ["bottom"], "right": ["bottom"], "bottom": ["leaf"]}),
        # Edges that skip a level, children in both orders: a reversed breadth-first
        # or reversed pre-order walk puts h before its child x in one of them.
        ("out", {"out": ["h", "x"], "h": ["x", "w"]}),
        ("out", {"out": ["x", "h"], "h": ["w", "x"]}),
        # y = x * x: the same child twice.
        ("L", {"L": ["y", "x"], "y": ["x", "x"]}),
    ]
    for root, graph in dags:
        get_children = _graph_function(graph)
        what = f"the graph {graph!r}"
        call = f"{_name(fn)}({root!r}, get_children) on {what}"
        try:
            result = _call(check, fn, (root, get_children), call)
        except RecursionError:
            raise _recursion_failure(check, fn, what) from None
        except ValueError as exc:
            raise AssertionError(
                f"{check}: {call} raised {type(exc).__name__}, but this graph has no cycle.\n"
                "  A node reached twice along different paths (a shared child) is not a cycle; "
                "only a node reached again while its own children are being visited is."
            ) from exc
        _assert_order(check, call, result, root, get_children, _reachable(root, get_children))

    n = 10_000
    chain = lambda node: [node - 1] if node > 0 else []  # noqa: E731
    what = f"a chain of {n:,} nodes ({n - 1} -> {n - 2} -> ... -> 0)"
    call = f"{_name(fn)}({n - 1}, get_children) on {what}"
    try:
        result = _call(check, fn, (n - 1, chain), call)
    except RecursionError:
        raise _recursion_failure(check, fn, what) from None
    _assert_order(check, call, result, n - 1, chain, set(range(n)))

    cyclic = [
        ("L", {"L": ["a"], "a": ["a"]}),
        ("a", {"a": ["b"], "b": ["c"], "c": ["a"]}),
    ]
    for root, graph in cyclic:
        size = len(_reachable(root, _graph_function(graph)))
        bound = 20 * size
        calls = 0

        def get_children(node, graph=graph, size=size, bound=bound):
            nonlocal calls
            calls += 1
            if calls > bound:
                raise AssertionError(
                    f"{check}: called get_children {calls} times on a {size}-node graph with a "
                    f"cycle: your sort does not detect cycles.\n  graph: {graph!r}\n"
                    "  hint: raise a ValueError when the walk reaches a node whose children are "
                    "still being visited."
                )
            return list(graph.get(node, ()))

        what = f"the graph {graph!r}, which has a cycle"
        call = f"{_name(fn)}({root!r}, get_children)"
        try:
            result = _call(check, fn, (root, get_children), f"{call} on {what}")
        except ValueError:
            continue
        except RecursionError:
            raise _recursion_failure(check, fn, what) from None
        except AssertionError:
            raise
        except Exception as exc:
            raise AssertionError(
                f"{check}: {call} raised {type(exc).__name__} on {what}: {exc}\n"
                "  expected a ValueError (or a subclass of it) for a graph with a cycle."
            ) from exc
        raise AssertionError(
            f"{check}: {call} returned {_short(result)} on {what}.\n"
            "  A graph with a cycle has no topological order: expected a ValueError (or a "
            "subclass of it)."
        )
    _passed(check)
