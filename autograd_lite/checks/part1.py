"""Learner checks for part 1 of the book (chapters 2, 4, 5 and 6).

Each exercise of part 1 ends by running the reader's own function through one
of these checks:

- chapter 1 (Computational graphs): `check_central_difference`;
- chapter 2 (Backward functions): `check_log_back`, `check_multiply_back`,
  `check_multiply_back_float`;
- chapter 4 (Unbroadcast): `check_unbroadcast`;
- chapter 5 (Topological sorting): `check_topological_sort`;
- chapter 6 (Backprop by hand): `check_forward_and_back`.

A check calls the function on several fixed inputs and on cases drawn at
random (a new seed on every call; ``seed=`` repeats one), and compares each
answer with the library's own implementation (which the tests hold to central
finite differences).  Each call has a time limit (``time_limit=``, in seconds)
and must leave its inputs unchanged.  When every case is right it prints one line,
``<check name>: all tests passed``.  Otherwise it raises:

- ``NotImplementedError`` while the function is still the exercise's stub;
- ``AssertionError`` for a wrong answer, showing the inputs, the expected and
  the actual result, and whether the shape, the dtype or the values are wrong;
  also for a call that changed an input in place or did not return in time;
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

import copy
import math
import sys
from collections import Counter
from typing import Callable

import numpy as np

from ..backward import log_back as _log_back
from ..backward import multiply_back0 as _multiply_back0
from ..backward import multiply_back1 as _multiply_back1
from ..broadcasting import unbroadcast as _unbroadcast
from ..by_hand import forward_and_back as _forward_and_back
from ..numerical import numerical_gradient as _numerical_gradient
from .common import _BROADCAST_SHAPE_CASES, _assert_array, _copy, _describe, _global_arrays_read, _name, _problem, _Run, _show, _values

__all__ = [
    "check_central_difference",
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

_BACK_ARGS = ("grad_out", "out", "x", "y")


def _random_shape(rng: np.random.Generator, max_ndim: int = 3, sizes=(1, 2, 3, 4)) -> tuple:
    return tuple(int(rng.choice(sizes)) for _ in range(rng.integers(0, max_ndim + 1)))


def _random_dtype(rng: np.random.Generator):
    return np.float32 if rng.random() < 0.3 else np.float64


def _stretched(rng: np.random.Generator, shape: tuple, max_prepended: int = 2) -> tuple:
    """A shape ``shape`` broadcasts to: some dimensions prepended, some size-1 ones stretched."""
    prepended = tuple(int(rng.integers(1, 4)) for _ in range(rng.integers(0, max_prepended + 1)))
    return prepended + tuple(int(rng.integers(2, 4)) if size == 1 and rng.random() < 0.6 else size for size in shape)


# ------------------------------------------------------------ chapter 1


def check_central_difference(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``central_difference(f, x, eps=1e-6)``: the estimate ``(f(x + eps) - f(x - eps)) / (2 eps)`` of f'(x).

    It is compared with exact derivatives and with ``numerical_gradient``;
    then, with large steps such as ``eps=0.1``, with the central difference
    itself, which tells it apart from a one-sided difference and from a
    function that ignores its ``eps``.

    >>> from autograd_lite.checks import check_central_difference
    >>> def central_difference(f, x, eps=1e-6):
    ...     return (f(x + eps) - f(x - eps)) / (2 * eps)
    >>> check_central_difference(central_difference)
    check_central_difference: all tests passed
    """
    check = "check_central_difference"
    run = _Run(check, (fn,), seed, time_limit)
    for name, f, exact, x in [
        ("sin", np.sin, np.cos, 0.5),
        ("exp", np.exp, np.exp, -1.0),
        ("t**3", lambda t: t**3, lambda t: 3 * t**2, 2.0),
    ]:
        call = f"{_name(fn)}(f, {x}) with f(t) = {name}"
        estimate = run.call(fn, (f, x), call)
        for reference, what in [(exact(x), f"the exact derivative {name}'({x})"),
                                (_numerical_gradient(f, [np.array(x)]), "numerical_gradient")]:
            if not _close_number(estimate, reference, 1e-6):
                raise AssertionError(
                    f"{check}: wrong slope for {call}\n  expected: {float(reference)!r} ({what})\n"
                    f"  actual: {estimate!r}\n  hint: the central difference is (f(x + eps) - f(x - eps)) / (2 * eps)."
                )

    def cubic(a, b, c):
        return lambda t: a * t**3 + b * t**2 + c * t

    cases = [(1.0, 0.0, 0.0, 1.0, 0.1), (1.0, 0.0, 0.0, 1.0, 1e-3)]
    random_cases = [
        (*(float(v) for v in _values(run.rng, (3,))), float(_values(run.rng, ())), float(run.rng.choice([0.5, 0.1, 0.01])))
        for _ in range(3)
    ]
    for i, (a, b, c, x, eps) in enumerate(cases + random_cases):
        f = cubic(a, b, c)
        expected = (f(x + eps) - f(x - eps)) / (2 * eps)  # exactly f'(x) + a eps**2 for a cubic
        call = f"{_name(fn)}(f, {x}, eps={eps}) with f(t) = {a} t**3 + {b} t**2 + {c} t"
        with run.random_case(i >= len(cases)):
            estimate = run.call(fn, (f, x), call, kwargs={"eps": eps})
            if not _close_number(estimate, expected, 1e-9):
                exact = 3 * a * x**2 + 2 * b * x + c
                hint = "use f(x + eps) and f(x - eps), and divide by 2 * eps."
                if _close_number(estimate, exact, 1e-6):
                    hint = (
                        f"that is the exact slope, but with eps={eps} the central difference is "
                        f"{expected!r} (off by a * eps**2): is eps ignored, or fixed inside the function? "
                        "Use the eps argument."
                    )
                elif _close_number(estimate, (f(x + eps) - f(x)) / eps, 1e-9):
                    hint = "that is the one-sided difference (f(x + eps) - f(x)) / eps: use f(x + eps) and f(x - eps)."
                raise AssertionError(
                    f"{check}: wrong estimate for {call}\n  expected: {expected!r}\n  actual: {estimate!r}\n  hint: {hint}"
                )
    run.passed()


def _close_number(actual, expected, rtol: float) -> bool:
    try:
        actual = float(np.asarray(actual))
    except (TypeError, ValueError):
        return False
    return math.isclose(actual, float(np.asarray(expected)), rel_tol=rtol, abs_tol=1e-12)


# ------------------------------------------------------------ chapter 2


def check_log_back(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``log_back(grad_out, out, x)``, the backward function of ``out = np.log(x)``.

    >>> from autograd_lite import log_back
    >>> from autograd_lite.checks import check_log_back
    >>> check_log_back(log_back)
    check_log_back: all tests passed
    """
    check = "check_log_back"
    run = _Run(check, (fn,), seed, time_limit)
    cases = [
        (np.ones(3), np.array([0.5, 2.0, 4.0])),
        (np.array([[2.0, -1.0, 0.5], [3.0, 1.5, -2.0]]), np.array([[0.25, 3.0, 5.0], [2.0, 8.0, 10.0]])),
        (np.array([0.5, -3.0, 2.0], dtype=np.float32), np.array([2.0, 0.1, 7.5], dtype=np.float32)),
        (np.array(2.0), np.array(4.0)),
    ]
    for _ in range(3):
        shape, dtype = _random_shape(run.rng), _random_dtype(run.rng)
        cases.append((_values(run.rng, shape, dtype), _values(run.rng, shape, dtype, low=0.5, high=4.0)))
    for i, (grad_out, x) in enumerate(cases):
        with run.random_case(i >= 4):
            expected = _log_back(grad_out.copy(), np.log(x), x.copy())
            call = f"{_name(fn)}({_describe('grad_out', grad_out)}, out = np.log(x), {_describe('x', x)})"
            actual = run.call(fn, (grad_out.copy(), np.log(x), x.copy()), call, names=_BACK_ARGS)
            _assert_array(
                check, call, [("grad_out", grad_out), ("x", x)], expected, actual,
                hints={"dtype": _DTYPE_HINT},
            )
    run.passed()


# ------------------------------------------------------------ chapter 4


def check_unbroadcast(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``unbroadcast(broadcasted, original)``: sums a gradient back down to ``original``'s shape.

    ``original`` may be a plain Python number (it broadcasts like a 0-d
    array), so the result then has shape ``()``; ``broadcasted`` and
    ``original`` may be nested Python lists (a gradient written by hand).

    >>> from autograd_lite import unbroadcast
    >>> from autograd_lite.checks import check_unbroadcast
    >>> check_unbroadcast(unbroadcast)
    check_unbroadcast: all tests passed
    """
    check = "check_unbroadcast"
    run = _Run(check, (fn,), seed, time_limit)
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
        ((2, 3), None, np.float64),  # original a plain Python number
    ]
    n_fixed = len(cases)
    for _ in range(4):
        original_shape = _random_shape(run.rng, sizes=(1, 1, 2, 3))
        cases.append((_stretched(run.rng, original_shape), original_shape, _random_dtype(run.rng)))
    hints = {
        "shape": "the result must have original's shape: sum away the dimensions broadcasting "
        "prepended, and sum with keepdims=True wherever original has size 1.",
        "dtype": _DTYPE_HINT,
    }
    for i, (broadcasted_shape, original_shape, dtype) in enumerate(cases):
        source = rng if i < n_fixed else run.rng
        broadcasted = _values(source, broadcasted_shape, dtype)
        original = 2.5 if original_shape is None else _values(source, original_shape, dtype)
        with run.random_case(i >= n_fixed):
            _check_unbroadcast_case(run, fn, broadcasted, original, hints)
    # Nested Python lists, as a reader might pass a gradient written by hand.
    _check_unbroadcast_case(run, fn, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [10.0, 20.0, 30.0], hints)
    _check_unbroadcast_case(run, fn, [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], [[10.0], [20.0]], hints)
    run.passed()


def _check_unbroadcast_case(run: _Run, fn: Callable, broadcasted, original, hints: dict) -> None:
    check = run.check
    expected = _unbroadcast(copy.deepcopy(broadcasted), copy.deepcopy(original))
    call = f"{_name(fn)}({_describe('broadcasted', broadcasted)}, {_describe('original', original)})"
    try:
        actual = run.call(fn, (copy.deepcopy(broadcasted), copy.deepcopy(original)), call, names=("broadcasted", "original"))
    except (AttributeError, TypeError) as exc:
        if not isinstance(broadcasted, list) and not isinstance(original, list):
            raise
        raise AssertionError(
            f"{check}: {call} raised {type(exc).__name__}: {exc}\n"
            "  hint: broadcasted and original may be plain Python lists, which have no .ndim, .shape or "
            ".sum: start with broadcasted = np.asarray(broadcasted), and read original's shape with "
            "np.shape(original)."
        ) from None
    _assert_array(
        check, call, [("broadcasted", broadcasted), ("original", original)], expected, actual,
        hints=hints,
    )


_MULTIPLY_HINTS = {
    "shape": "the gradient for an argument has that argument's shape: unbroadcast the product "
    "to it.",
    "dtype": _DTYPE_HINT,
}


def _check_multiply_case(run: _Run, fn: Callable, reference: Callable, argnum: int, grad_out, x, y) -> None:
    out = x * y
    expected = reference(grad_out.copy(), out.copy(), _copy(x), _copy(y))
    call = (
        f"{_name(fn)}({_describe('grad_out', grad_out)}, out = x * y, "
        f"{_describe('x', x)}, {_describe('y', y)})"
    )
    actual = run.call(fn, (grad_out.copy(), out.copy(), _copy(x), _copy(y)), call, names=_BACK_ARGS)
    what = f"result (the gradient for {'xy'[argnum]})"
    _assert_array(
        run.check, call, [("grad_out", grad_out), ("x", x), ("y", y)], expected, actual, what,
        hints=_MULTIPLY_HINTS,
    )


def _broadcast_pair(rng: np.random.Generator) -> tuple[tuple, tuple]:
    """Two shapes that broadcast together, each with some size-1 and some missing dimensions.

    Never 0-d: a 0-d argument behaves like a plain number, which
    check_multiply_back_float tests.
    """
    full = tuple(int(rng.choice((2, 3))) for _ in range(rng.integers(1, 4)))

    def part():
        kept = full[rng.integers(0, len(full)):]
        return tuple(1 if rng.random() < 0.4 else size for size in kept)

    return part(), part()


def check_multiply_back(fn0: Callable, fn1: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``multiply_back0`` and ``multiply_back1``, the backward functions of ``out = x * y``.

    The cases include broadcasting both ways round: ``x`` stretched to ``y``'s
    shape, ``y`` stretched to ``x``'s, and both stretched at once.

    >>> from autograd_lite import multiply_back0, multiply_back1
    >>> from autograd_lite.checks import check_multiply_back
    >>> check_multiply_back(multiply_back0, multiply_back1)
    check_multiply_back: all tests passed
    """
    check = "check_multiply_back"
    run = _Run(check, (fn0, fn1), seed, time_limit)
    rng = np.random.default_rng(5)
    cases = list(_BROADCAST_SHAPE_CASES)
    n_fixed = len(cases)
    cases += [(*_broadcast_pair(run.rng), _random_dtype(run.rng)) for _ in range(3)]
    for i, (x_shape, y_shape, dtype) in enumerate(cases):
        source = rng if i < n_fixed else run.rng
        x, y = _values(source, x_shape, dtype), _values(source, y_shape, dtype)
        grad_out = _values(source, np.broadcast_shapes(x_shape, y_shape), dtype)
        with run.random_case(i >= n_fixed):
            _check_multiply_case(run, fn0, _multiply_back0, 0, grad_out, x, y)
            _check_multiply_case(run, fn1, _multiply_back1, 1, grad_out, x, y)
    # Zeros, as after a relu: "the other factor is out / x" gives nan there.
    x, y, grad_out = np.array([0.0, 2.0, -1.5]), np.array([3.0, 0.0, 0.5]), np.array([1.0, -2.0, 0.5])
    _check_multiply_case(run, fn0, _multiply_back0, 0, grad_out, x, y)
    _check_multiply_case(run, fn1, _multiply_back1, 1, grad_out, x, y)
    run.passed()


def check_multiply_back_float(fn0: Callable, fn1: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``multiply_back0`` and ``multiply_back1`` when the other argument is a plain Python float.

    ``multiply_back0(grad_out, out, x, 2.5)`` must return an array of ``x``'s
    shape and dtype, and so must ``multiply_back1(grad_out, out, 2.5, y)`` for ``y``.

    >>> from autograd_lite import multiply_back0, multiply_back1
    >>> from autograd_lite.checks import check_multiply_back_float
    >>> check_multiply_back_float(multiply_back0, multiply_back1)
    check_multiply_back_float: all tests passed
    """
    check = "check_multiply_back_float"
    run = _Run(check, (fn0, fn1), seed, time_limit)
    rng = np.random.default_rng(6)
    cases = [
        (np.float64, (2, 3), 2.5),
        (np.float64, (3,), -1.5),
        (np.float32, (4,), 0.5),
        (np.float32, (2, 2), 3.0),
    ]
    n_fixed = len(cases)
    cases += [(_random_dtype(run.rng), _random_shape(run.rng), float(_values(run.rng, ()))) for _ in range(3)]
    for i, (dtype, shape, number) in enumerate(cases):
        source = rng if i < n_fixed else run.rng
        array = _values(source, shape, dtype)
        grad_out = _values(source, shape, dtype)
        with run.random_case(i >= n_fixed):
            _check_multiply_case(run, fn0, _multiply_back0, 0, grad_out, array, number)
            _check_multiply_case(run, fn1, _multiply_back1, 1, grad_out, number, array)
    # A zero in the array: "the other factor is out / x" gives nan there.
    array, grad_out = np.array([0.0, 1.5, -2.0]), np.array([1.0, -0.5, 2.0])
    _check_multiply_case(run, fn0, _multiply_back0, 0, grad_out, array, 2.5)
    _check_multiply_case(run, fn1, _multiply_back1, 1, grad_out, 2.5, array)
    run.passed()


# ------------------------------------------------------------ chapter 6


def check_forward_and_back(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``forward_and_back(a, b, c)``: g = log(a * b * log(c)), returning (dg/da, dg/db, dg/dc).

    >>> from autograd_lite import forward_and_back
    >>> from autograd_lite.checks import check_forward_and_back
    >>> check_forward_and_back(forward_and_back)
    check_forward_and_back: all tests passed
    """
    check = "check_forward_and_back"
    run = _Run(check, (fn,), seed, time_limit)
    cases = [
        (np.array([2.0]), np.array([3.0]), np.array([10.0])),
        (np.array([0.5, 1.5, 2.0]), np.array([3.0, 0.25, 1.0]), np.array([2.0, 5.0, 1.5])),
        # Broadcasting: a (2, 3), b (3,), c (2, 1).  Every value positive and c > 1, so g is defined.
        (np.array([[0.5, 1.0, 2.0], [1.5, 2.5, 3.0]]), np.array([2.0, 0.5, 1.5]), np.array([[2.0], [4.0]])),
        # float32 in, float32 out; and 0-d arrays.
        (np.array([1.5, 2.0], np.float32), np.array([0.5, 3.0], np.float32), np.array([2.5, 4.0], np.float32)),
        (np.array(2.0), np.array(0.5), np.array(3.0)),
    ]
    n_fixed = len(cases)
    for _ in range(4):  # every value positive and c > 1, so g is defined
        full = _random_shape(run.rng, sizes=(2, 3, 4))
        shapes = [tuple(1 if run.rng.random() < 0.3 else n for n in full[run.rng.integers(0, len(full) + 1):]) for _ in "abc"]
        dtype = _random_dtype(run.rng)
        cases.append((
            _values(run.rng, shapes[0], dtype, low=0.5, high=3.0),
            _values(run.rng, shapes[1], dtype, low=0.5, high=3.0),
            _values(run.rng, shapes[2], dtype, low=1.5, high=4.0),
        ))
    for index, (a, b, c) in enumerate(cases):
        with run.random_case(index >= n_fixed):
            _check_forward_and_back_case(run, fn, a, b, c)
    run.passed()


def _check_forward_and_back_case(run: _Run, fn: Callable, a, b, c) -> None:
    check = run.check
    names = ["dg/da", "dg/db", "dg/dc"]
    expected = _forward_and_back(a.copy(), b.copy(), c.copy())
    call = f"{_name(fn)}({_describe('a', a)}, {_describe('b', b)}, {_describe('c', c)})"
    actual = run.call(fn, (a.copy(), b.copy(), c.copy()), call, names=("a", "b", "c"), forward_values=())
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
    stale = _global_arrays_read(fn)
    stale_note = (
        f" {_name(fn)} reads {', '.join(stale)} from outside the function (left over from earlier code?): "
        "compute every value it uses from a, b and c inside the function."
        if stale else ""
    )
    for i, name in enumerate(names):
        hints = {
            "shape": f"{name} has the shape of {'abc'[i]}: unbroadcast each gradient to its input.",
            "dtype": "float32 inputs give float32 gradients: start the backward pass from "
            "np.ones_like(g), with the g computed inside the function from a, b and c.",
            "values": "",
        }
        for j, other in enumerate(names):
            if j != i and _problem(np.asarray(expected[j]), actual[i]) is None:
                hints["values"] = (
                    f"these are the values of {other}: return (dg/da, dg/db, dg/dc) in that order."
                )
        hints = {kind: (hint + stale_note).strip() for kind, hint in hints.items()}
        _assert_array(check, call, inputs, expected[i], actual[i], what=name, hints=hints)


# ------------------------------------------------------------ chapter 5


def _graph_function(graph: dict) -> Callable:
    # A fresh list on every call, so a sort that pops from it cannot change the graph.
    return lambda node: list(graph.get(node, ()))


def _reachable(root, get_parents) -> set:
    seen, stack = {root}, [root]
    while stack:
        for parent in get_parents(stack.pop()):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return seen


def _short(nodes) -> str:
    nodes = list(nodes)
    if len(nodes) <= 12:
        return repr(nodes)
    return "[" + ", ".join(map(repr, nodes[:5])) + ", ..., " + ", ".join(map(repr, nodes[-5:])) + "]"


def _order_problem(result, root, get_parents, reachable: set) -> str | None:
    """What makes ``result`` not a topological order of the nodes reachable from ``root``, or None."""
    if not isinstance(result, (list, tuple)):
        return f"expected a list of nodes, got {type(result).__name__}"
    problem = _unhashable_problem(result, "the nodes get_parents returns")
    if problem:
        return problem
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
        for parent in get_parents(node):
            if position[parent] > position[node]:
                return (
                    f"{node!r} comes before its parent {parent!r}; every node must come after "
                    "all the nodes reachable from it"
                )
    return None


def _unhashable_problem(result, what: str) -> str | None:
    """A clear message if some item of ``result`` cannot be a dict key (a list, an array), or None."""
    for i, item in enumerate(result):
        try:
            hash(item)
        except TypeError:
            return (
                f"item {i} of the result is {type(item).__name__} {_short([item])[1:-1]}, which is unhashable "
                f"(it cannot be a set member or a dict key), so it cannot be one of {what}: return the nodes "
                "themselves, not lists or arrays made from them"
            )
    return None


def _assert_order(check: str, call: str, result, root, get_parents, reachable: set) -> None:
    problem = _order_problem(result, root, get_parents, reachable)
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


def _random_dag(rng: np.random.Generator) -> tuple[object, dict]:
    """(root, {node: parents}): a random graph with no cycle, node names shuffled, parents in random order."""
    n = int(rng.integers(4, 13))
    names = [f"n{i}" for i in rng.permutation(n)]
    graph = {}
    for i in range(1, n):  # edges go from a later node to an earlier one: no cycle
        parents = [names[j] for j in range(i) if rng.random() < 0.35]
        if i == n - 1 or not parents:
            parents.append(names[int(rng.integers(0, i))])
        graph[names[i]] = [parents[k] for k in rng.permutation(len(parents))]
    return names[-1], graph


def _stacked_diamonds(n: int) -> dict:
    """d0 on top of n diamonds: each d_i has parents l_i and r_i, both made from d_(i+1)."""
    graph = {f"d{n}": []}
    for i in range(n):
        graph[f"d{i}"] = [f"l{i}", f"r{i}"]
        graph[f"l{i}"] = graph[f"r{i}"] = [f"d{i + 1}"]
    return graph


def check_topological_sort(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``topological_sort(node, get_parents)`` on small graphs, a long chain and cycles.

    Any valid order passes: each node reachable from ``node`` exactly once,
    every node after all its parents, ``node`` last.  The chain has 100,000
    nodes, as chapter 5 asks: too deep for a recursive sort, even one that
    raised the recursion limit to ten thousand.  On a graph with a cycle the sort
    must raise ``ValueError`` (or a subclass of it).

    >>> from autograd_lite import topological_sort
    >>> from autograd_lite.checks import check_topological_sort
    >>> check_topological_sort(topological_sort)
    check_topological_sort: all tests passed
    """
    check = "check_topological_sort"
    run = _Run(check, (fn,), seed, time_limit)
    dags = [
        ("x", {"x": []}),
        ("L", {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}),
        ("top", {"top": ["left", "right"], "left": ["bottom"], "right": ["bottom"], "bottom": ["leaf"]}),
        # Edges that skip a level, parents in both orders: a reversed breadth-first
        # or reversed pre-order walk puts h before its parent x in one of them.
        ("out", {"out": ["h", "x"], "h": ["x", "w"]}),
        ("out", {"out": ["x", "h"], "h": ["w", "x"]}),
        # y = x * x: the same parent twice.
        ("L", {"L": ["y", "x"], "y": ["x", "x"]}),
        # 25 diamonds stacked: 2**25 paths from the top. A sort that walks every path instead of
        # skipping the nodes it has done is right but never finishes (the time limit says so).
        ("d0", _stacked_diamonds(25)),
    ]
    n_fixed = len(dags)
    dags += [_random_dag(run.rng) for _ in range(3)]
    for i, (root, graph) in enumerate(dags):
        get_parents = _graph_function(graph)
        what = f"the graph {graph!r}"
        call = f"{_name(fn)}({root!r}, get_parents) on {what}"
        with run.random_case(i >= n_fixed):
            try:
                result = run.call(fn, (root, get_parents), call)
            except RecursionError:
                raise _recursion_failure(check, fn, what) from None
            except ValueError as exc:
                raise AssertionError(
                    f"{check}: {call} raised {type(exc).__name__}, but this graph has no cycle.\n"
                    "  A node reached twice along different paths (a shared parent) is not a cycle; "
                    "only a node reached again while its own parents are being visited is."
                ) from exc
            _assert_order(check, call, result, root, get_parents, _reachable(root, get_parents))

    n = 100_000
    chain = lambda node: [node - 1] if node > 0 else []  # noqa: E731
    what = f"a chain of {n:,} nodes (0 -> 1 -> ... -> {n - 1}, each made from the one before)"
    call = f"{_name(fn)}({n - 1}, get_parents) on {what}"
    try:
        result = run.call(fn, (n - 1, chain), call)
    except RecursionError:
        raise _recursion_failure(check, fn, what) from None
    _assert_order(check, call, result, n - 1, chain, set(range(n)))

    cyclic = [
        ("L", {"L": ["a"], "a": ["a"]}),
        ("a", {"a": ["b"], "b": ["c"], "c": ["a"]}),
        # a cycle that avoids the start node and is not a self-loop
        ("L", {"L": ["a"], "a": ["b"], "b": ["a"]}),
    ]
    root, graph = _random_dag(run.rng)  # and a random graph with an edge added that closes a loop
    path = [root]
    while graph.get(path[-1]):
        path.append(graph[path[-1]][int(run.rng.integers(0, len(graph[path[-1]])))])
    bottom = path[-1]
    graph[bottom] = [path[int(run.rng.integers(0, len(path) - 1))]]
    cyclic.append((root, graph))
    for i, (root, graph) in enumerate(cyclic):
        size = len(_reachable(root, _graph_function(graph)))
        bound = 20 * size
        calls = 0

        def get_parents(node, graph=graph, size=size, bound=bound):
            nonlocal calls
            calls += 1
            if calls > bound:
                raise AssertionError(
                    f"{check}: called get_parents {calls} times on a {size}-node graph with a "
                    f"cycle: your sort does not detect cycles.\n  graph: {graph!r}\n"
                    "  hint: raise a ValueError when the walk reaches a node whose parents are "
                    "still being visited."
                )
            return list(graph.get(node, ()))

        what = f"the graph {graph!r}, which has a cycle"
        call = f"{_name(fn)}({root!r}, get_parents)"
        with run.random_case(i >= 3):
            try:
                result = run.call(fn, (root, get_parents), f"{call} on {what}")
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
    run.passed()
