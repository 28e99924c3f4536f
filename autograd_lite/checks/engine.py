"""Learner checks for the autograd engine (chapters 7 and 8).

- chapter 7 (Autograd): `check_sorted_computational_graph`, `check_backprop`;
- chapter 8 (More forward and backward functions): `check_sum_back`,
  `check_permute_back`, `check_maximum_back0`, `check_indexing_back`,
  `check_add_back`, `check_subtract_back`, `check_true_divide_back`,
  `check_matmul_back`.

The contract is part 1's: a check calls the reader's function on several
fixed cases and on cases drawn at random (a new seed on every call, printed
with a failure; ``seed=`` repeats it), each call with a time limit
(``time_limit=``) and a watch on its input arrays, and compares each answer
with the library's own (which the tests hold to central finite differences
and to HIPS autograd).  All right: it prints one
line, ``<check name>: all tests passed``.  Otherwise it raises
``NotImplementedError`` for the exercise's stub, ``AssertionError`` showing the
inputs, the expected and the actual result for a wrong answer, or the
function's own exception with a note naming the call.

>>> import numpy as np
>>> from autograd_lite.checks import check_maximum_back0
>>> def maximum_back0(grad_out, out, x, y):
...     return grad_out * (x >= y)   # forgets that a tie is split
>>> check_maximum_back0(maximum_back0)
Traceback (most recent call last):
...
AssertionError: check_maximum_back0: wrong result for maximum_back0(grad_out of shape (4,), out = np.maximum(x, y), x of shape (4,), y of shape (4,))
  grad_out (shape (4,), float64): [1., 1., 1., 1.]
  x (shape (4,), float64): [1., 2., 3., 2.]
  y (shape (4,), float64): [2., 2., 2., 0.]
  expected (shape (4,), float64): [0. , 0.5, 1. , 1. ]
  actual (shape (4,), float64): [0., 1., 1., 1.]
  wrong values
  hint: where x == y, x and y share grad_out evenly: each gets half.
"""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from typing import Callable

import numpy as np

from ..backward import indexing_back as _indexing_back
from ..backward import maximum_back0 as _maximum_back0
from ..backward import permute_back as _permute_back
from ..backward import sum_back as _sum_back
from ..backward import add_back0 as _add_back0
from ..backward import add_back1 as _add_back1
from ..backward import matmul_back0 as _matmul_back0
from ..backward import matmul_back1 as _matmul_back1
from ..backward import subtract_back0 as _subtract_back0
from ..backward import subtract_back1 as _subtract_back1
from ..backward import true_divide_back0 as _true_divide_back0
from ..backward import true_divide_back1 as _true_divide_back1
from ..tensor import BACK_FUNCS, Tensor, add_back_func, wrap_forward_fn
from ..tensor import backprop as _backprop
from .common import _BROADCAST_SHAPE_CASES, _assert_array, _copy, _describe, _name, _Run, _values
from .part1 import _broadcast_pair, _random_dtype, _random_shape, _recursion_failure, _unhashable_problem

__all__ = [
    "check_sorted_computational_graph",
    "check_backprop",
    "check_sum_back",
    "check_permute_back",
    "check_maximum_back0",
    "check_indexing_back",
    "check_add_back",
    "check_subtract_back",
    "check_true_divide_back",
    "check_matmul_back",
]

_DTYPE_HINT = "the gradient keeps the dtype of grad_out (float32 stays float32)."


# ----------------------------------------------------------------- small graphs to run the engine on
# Each builder makes fresh leaves and returns (description, end node, end_grad, {leaf name: leaf}).


def _chain():
    a = Tensor([0.5, 2.0, 3.0], requires_grad=True)
    return "L = (log(a) * 3).exp().sum()", (a.log() * 3).exp().sum(), None, {"a": a}


def _diamond():
    a = Tensor([2.0, -1.0], requires_grad=True)
    b = Tensor([3.0, 0.5], requires_grad=True)
    c = Tensor([4.0, 1.5], requires_grad=True)
    d, e = a * b, b + c  # b has two outgoing edges
    return "d = a * b; e = b + c; L = (d * e).sum()", (d * e).sum(), None, {"a": a, "b": b, "c": c}


def _square():
    x = Tensor([3.0, -2.0], requires_grad=True)
    return "L = (x * x).sum()", (x * x).sum(), None, {"x": x}


def _shared_subexpression():
    x = Tensor([[1.0, 2.0], [0.5, -1.0]], requires_grad=True)
    w = Tensor([0.5, -1.5], requires_grad=True)
    h = x * w  # broadcast: w is stretched over the rows
    return "h = x * w; L = (h + h.exp() + h * h).sum()", (h + h.exp() + h * h).sum(), None, {"x": x, "w": w}


def _non_scalar_end():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    end_grad = np.array([1.0, -2.0, 0.5])
    return "y = x * x * 2, with end_grad [1., -2., 0.5]", x * x * 2, end_grad, {"x": x}


def _pass_through():
    # add hands grad_out on unchanged: s and x get the very same array, which is also end_grad.
    # A backprop that adds into a gradient in place (grads[p] += g) changes all three.
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([3.0, 4.0], requires_grad=True)
    end_grad = np.array([1.0, 0.5])
    return "s = x + y; L = s + x, with end_grad [1., 0.5]", (x + y) + x, end_grad, {"x": x, "y": y}


def _constant_leaf():
    x = Tensor([1.0, 2.0], requires_grad=True)
    constant = Tensor([3.0, 4.0])
    return "L = (x * c).sum() where c does not require grad", (x * constant).sum(), None, {"x": x, "c": constant}


def _deep_chain():
    x = Tensor([1.5], requires_grad=True)
    y = x
    for _ in range(1500):
        y = y * 1.0 + 0.0
    return "a chain of 3,000 operations: y = y * 1.0 + 0.0, 1,500 times", y, None, {"x": x}


_GRAPHS = [_chain, _diamond, _square, _shared_subexpression, _non_scalar_end, _pass_through, _constant_leaf, _deep_chain]


def _random_graph(seed: int):
    """A builder of a random graph: the same seed builds the same graph (once for the reference, once for the reader)."""

    def build():
        rng = np.random.default_rng(seed)
        shape = _random_shape(rng, max_ndim=2, sizes=(1, 2, 3))
        names = "abc"[: int(rng.integers(2, 4))]
        leaves = {name: Tensor(_values(rng, shape, low=-1.0, high=1.0), requires_grad=True) for name in names}
        if rng.random() < 0.5:
            leaves["k"] = Tensor(_values(rng, shape, low=-1.0, high=1.0))  # a constant
        nodes = dict(leaves)
        lines = []
        for i in range(int(rng.integers(3, 8))):
            left, right = (str(name) for name in rng.choice(list(nodes), size=2))
            op = str(rng.choice(["+", "*", "-", "relu", "* 0.5"]))
            if op in ("+", "*", "-"):
                value = {"+": nodes[left] + nodes[right], "*": nodes[left] * nodes[right], "-": nodes[left] - nodes[right]}[op]
                text = f"{left} {op} {right}"
            elif op == "relu":
                value, text = nodes[left].relu(), f"{left}.relu()"
            else:
                value, text = nodes[left] * 0.5, f"{left} * 0.5"
            nodes[f"h{i}"] = value
            lines.append(f"h{i} = {text}")
        last = f"h{i}"
        if not nodes[last].requires_grad:  # built only from the constant: give it a way back to a leaf
            nodes[last] = nodes[last] + leaves["a"]
            lines[-1] += " + a"
        if rng.random() < 0.5:
            end, end_grad = nodes[last].sum(), None
            lines.append(f"L = {last}.sum()")
        else:
            end, end_grad = nodes[last], _values(rng, nodes[last].shape)
            lines.append(f"L = {last}, with end_grad {end_grad.tolist()}")
        return f"the random graph {'; '.join(lines)} (leaves of shape {shape})", end, end_grad, leaves

    return build


# ---------------------------------------------------------------- a deep diamond, for backprop's running time


def _check_diamond_add(a, b):
    """a + b: the forward function of the diamonds below; its backward functions count their calls."""
    return np.add(a, b)


_diamond_add = wrap_forward_fn(_check_diamond_add)
_DIAMONDS = 30
_diamond_calls = {"count": 0, "limit": None}


def _counted(back_fn):
    def counted_back(grad_out, out, *args, **kwargs):
        _diamond_calls["count"] += 1
        limit = _diamond_calls["limit"]
        if limit is not None and _diamond_calls["count"] > limit:
            raise AssertionError(
                f"check_backprop: on a graph of {_DIAMONDS} diamonds stacked one on another (h = h * 1.0 + "
                f"h * 1.0, {_DIAMONDS} times), backprop called the backward functions of the {_DIAMONDS} "
                f"additions {_diamond_calls['count']} times so far, where passing each node's gradient on once "
                f"calls them {2 * _DIAMONDS} times.\n"
                "  It sends gradients along every path from L separately, and the number of paths doubles "
                f"with each diamond: 2**{_DIAMONDS} = {2**_DIAMONDS:,} paths here, so it would run for days.\n"
                "  hint: visit the nodes once, in sorted_computational_graph order, and sum in a dict the "
                "gradients that reach each node before passing its gradient on."
            )
        return back_fn(grad_out, out, *args, **kwargs)

    return counted_back


@contextmanager
def _counting_diamond_back_funcs():
    """Register the diamonds' backward functions (counted) while check_backprop runs, and only then."""
    add_back_func(_check_diamond_add, 0, _counted(_add_back0))
    add_back_func(_check_diamond_add, 1, _counted(_add_back1))
    try:
        yield
    finally:
        BACK_FUNCS.pop((_check_diamond_add, 0), None)
        BACK_FUNCS.pop((_check_diamond_add, 1), None)


def _deep_diamond():
    x = Tensor([0.5, -1.0], requires_grad=True)
    h = x
    for _ in range(_DIAMONDS):
        h = _diamond_add(h * 1.0, h * 1.0)
    description = f"{_DIAMONDS} diamonds, h = h * 1.0 + h * 1.0 repeated ({2**_DIAMONDS:,} paths from L to x)"
    return description, h.sum(), None, {"x": x}


def _graph_nodes(end: Tensor) -> dict:
    """id -> Tensor for every Tensor reachable from ``end`` through recipes (iteratively)."""
    seen, stack = {id(end): end}, [end]
    while stack:
        node = stack.pop()
        for parent in (node.recipe.parents.values() if node.recipe else ()):
            if id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
    return seen


def _label(t: Tensor, leaves: dict) -> str:
    for name, leaf in leaves.items():
        if leaf is t:
            return name
    return f"<{t.recipe.func.__name__} output>" if t.recipe else "<leaf>"


# ------------------------------------------------------------ chapter 7


def _sorted_graph_problem(result, end: Tensor, leaves: dict) -> str | None:
    """What makes ``result`` not a valid sorted_computational_graph(end), or None."""
    nodes = _graph_nodes(end)
    if not isinstance(result, (list, tuple)):
        return f"expected a list of Tensors, got {type(result).__name__}"
    for i, item in enumerate(result):
        if not isinstance(item, Tensor):
            unhashable = _unhashable_problem([item], "the graph's Tensors")
            why = unhashable.replace("item 0", f"item {i}", 1) if unhashable else (
                f"item {i} of the result is a {type(item).__name__}, not a Tensor: return the graph's "
                "Tensors themselves (node), not values made from them (node.array)"
            )
            return why
    ids = [id(t) for t in result]
    counts = Counter(ids)
    repeated = [t for t in result if counts[id(t)] > 1]
    # A Tensor that does not require grad (a constant) may be listed or left out.
    missing = [t for i, t in nodes.items() if i not in ids and t.requires_grad]
    extra = [t for t in result if id(t) not in nodes]
    if repeated:
        return f"{_label(repeated[0], leaves)} appears {counts[id(repeated[0])]} times; each node must appear once"
    if missing:
        return f"{len(missing)} node(s) reachable from L are missing, e.g. {_label(missing[0], leaves)}"
    if extra:
        return f"{len(extra)} item(s) are not nodes of the graph, e.g. {extra[0]!r}"
    if result[0] is not end:
        return (
            f"the first node must be L itself (the output), got {_label(result[0], leaves)}: "
            "reverse the topological order, which puts L last"
        )
    position = {i: k for k, i in enumerate(ids)}
    for node in result:
        for parent in (node.recipe.parents.values() if node.recipe else ()):
            if position.get(id(parent), len(ids)) < position[id(node)]:
                return (
                    f"{_label(parent, leaves)} comes before {_label(node, leaves)}, which was made "
                    "from it: every node must come before its parents"
                )
    return None


def check_sorted_computational_graph(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``sorted_computational_graph(tensor)``: every node once, ``tensor`` first, each node before its parents.

    A Tensor that does not require grad (a constant) may be listed or left out;
    the graphs include one, a chain of 3,000 operations (too deep to sort
    by recursion) and random graphs.

    >>> from autograd_lite import sorted_computational_graph
    >>> from autograd_lite.checks import check_sorted_computational_graph
    >>> check_sorted_computational_graph(sorted_computational_graph)
    check_sorted_computational_graph: all tests passed
    """
    check = "check_sorted_computational_graph"
    run = _Run(check, (fn,), seed, time_limit)
    builds = _GRAPHS + [_random_graph(int(run.rng.integers(2**32))) for _ in range(3)]
    for i, build in enumerate(builds):
        description, end, _, leaves = build()
        call = f"{_name(fn)}(L) for {description}"
        with run.random_case(i >= len(_GRAPHS)):
            try:
                result = run.call(fn, (end,), call)
            except RecursionError:
                raise _recursion_failure(check, fn, description) from None
            problem = _sorted_graph_problem(result, end, leaves)
            if problem:
                raise AssertionError(f"{check}: wrong result for {call}\n  {problem}")
    run.passed()


def check_backprop(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``backprop(end_node, end_grad=None)``: each leaf that requires grad gets dL/d(leaf) added to ``.grad``.

    The cases include a node with two outgoing edges, ``x * x``, a non-scalar
    end node with ``end_grad`` (which backprop must leave unchanged), an
    ``add`` whose output and input share one gradient array, a leaf that does
    not require grad, a chain of 3,000 operations, a stack of 30 diamonds
    (2**30 paths: backprop must visit each node once, not each path), a leaf
    whose ``.grad`` already holds a gradient (the new one is added to it), and
    random graphs.  Other Tensors must keep ``.grad`` None.

    >>> from autograd_lite import backprop
    >>> from autograd_lite.checks import check_backprop
    >>> check_backprop(backprop)
    check_backprop: all tests passed
    """
    check = "check_backprop"
    run = _Run(check, (fn,), seed, time_limit)
    cases = [(build, False, False) for build in _GRAPHS] + [(_diamond, True, False), (_deep_diamond, False, False)]
    cases += [(_random_graph(int(run.rng.integers(2**32))), bool(run.rng.random() < 0.3), True) for _ in range(3)]
    with _counting_diamond_back_funcs():
        for build, holds_grad, drawn in cases:
            with run.random_case(drawn):
                _check_backprop_case(run, fn, build, holds_grad)
    run.passed()


def _check_backprop_case(run: _Run, fn: Callable, build: Callable, holds_grad: bool) -> None:
    check = run.check
    hints = {
        "values": "sum the gradients that reach a node along different paths, and add a leaf's gradient "
        "to the .grad it already has.",
        "shape": "a leaf's gradient has the leaf's shape.",
    }
    _, reference_end, reference_end_grad, reference_leaves = build()
    description, end, end_grad, leaves = build()
    if holds_grad:
        description += ", where the leaves already hold a .grad of 10s"
        for leaf in (*reference_leaves.values(), *leaves.values()):
            if leaf.requires_grad:
                leaf.grad = Tensor(np.full(leaf.shape, 10.0))
    _diamond_calls.update(count=0, limit=None)
    _backprop(reference_end, reference_end_grad)
    call = f"{_name(fn)}(L{'' if end_grad is None else ', end_grad'}) for {description}"
    _diamond_calls.update(count=0, limit=4 * _DIAMONDS)
    try:
        run.call(fn, (end, end_grad), call, names=("", "end_grad"))
    except RecursionError:
        raise _recursion_failure(check, fn, description) from None
    finally:
        _diamond_calls.update(count=0, limit=None)
    for name, leaf in leaves.items():
        expected = reference_leaves[name].grad
        actual = leaf.grad
        what = f"{name}.grad"
        if expected is None:
            if actual is not None:
                raise AssertionError(
                    f"{check}: wrong {what} for {call}\n  expected: None ({name} does not require grad)\n"
                    f"  actual: {actual!r}"
                )
            continue
        if not isinstance(actual, Tensor):
            raise AssertionError(
                f"{check}: wrong {what} for {call}\n  expected: a Tensor holding {expected.array!r}\n"
                f"  actual: {actual!r}\n  hint: store each leaf's gradient as a Tensor: leaf.grad = Tensor(grad)"
            )
        _assert_array(check, call, [], expected.array, actual.array, what=what, hints=hints)
    for node in _graph_nodes(end).values():
        if node.recipe is not None and node.grad is not None:
            raise AssertionError(
                f"{check}: wrong result for {call}\n  a non-leaf Tensor ({_label(node, leaves)}) got a .grad: "
                f"{node.grad!r}\n  hint: keep the gradients of other nodes in a dict inside backprop; only "
                "leaves store .grad."
            )


# ------------------------------------------------------------ chapter 8

_BACK_ARGS = ("grad_out", "out", "x", "y")


def check_sum_back(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``sum_back(grad_out, out, x, dim=None, keepdim=False)``, the backward function of ``x.sum(dim, keepdim)``.

    The cases sum over everything, one dimension (negative too) or a tuple of
    them in any order (``dim=(1, 0)``, ``(-1, 0)``), with ``keepdim`` True and
    False.

    >>> from autograd_lite import sum_back
    >>> from autograd_lite.checks import check_sum_back
    >>> check_sum_back(sum_back)
    check_sum_back: all tests passed
    """
    check = "check_sum_back"
    run = _Run(check, (fn,), seed, time_limit)
    rng = np.random.default_rng(11)
    hints = {
        "shape": "the gradient has x's shape: put the summed dimensions back (size 1) when keepdim is False, "
        "then broadcast.",
        "values": "put each summed dimension back where it was in x: np.expand_dims(grad_out, dim) with the "
        "whole tuple does it, while inserting one axis at a time in the order given goes wrong for "
        "dim=(1, 0).",
        "dtype": _DTYPE_HINT,
    }
    cases = [  # (shape of x, dim, keepdim, dtype)
        ((2, 3), None, False, np.float64),
        ((2, 3), None, True, np.float64),
        ((2, 3), 1, False, np.float64),
        ((2, 3), 0, True, np.float64),
        ((2, 3, 4), -1, False, np.float64),
        ((2, 3, 4), (0, 2), False, np.float64),
        ((2, 3, 4), (0, -1), True, np.float64),
        ((4, 2), 0, False, np.float32),
        ((3, 3, 3), (1, 0), False, np.float64),  # a tuple out of order: the axes go back where they were
        ((2, 3, 4), (1, 0), False, np.float64),
        ((3, 3, 3), (-1, 0), False, np.float64),
        ((2, 2, 2, 2), (2, 0), False, np.float64),
        ((2, 3, 4), (2, -3), False, np.float64),
    ]
    n_fixed = len(cases)
    for _ in range(4):
        shape = tuple(int(run.rng.integers(2, 4)) for _ in range(run.rng.integers(1, 5)))
        kind = run.rng.integers(0, 3)
        if kind == 0:
            dim = None
        elif kind == 1:
            dim = int(run.rng.integers(-len(shape), len(shape)))
        else:
            axes = run.rng.permutation(len(shape))[: run.rng.integers(1, len(shape) + 1)]
            dim = tuple(int(a) - (len(shape) if run.rng.random() < 0.3 else 0) for a in axes)
        cases.append((shape, dim, bool(run.rng.random() < 0.5), _random_dtype(run.rng)))
    for i, (shape, dim, keepdim, dtype) in enumerate(cases):
        source = rng if i < n_fixed else run.rng
        x = _values(source, shape, dtype)
        out = x.sum(axis=dim, keepdims=keepdim)
        grad_out = _values(source, out.shape, dtype)
        with run.random_case(i >= n_fixed):
            expected = np.asarray(_sum_back(grad_out.copy(), out.copy(), x.copy(), dim, keepdim))
            call = (
                f"{_name(fn)}({_describe('grad_out', grad_out)}, out = x.sum(axis={dim!r}, keepdims={keepdim}), "
                f"{_describe('x', x)}, dim={dim!r}, keepdim={keepdim})"
            )
            actual = run.call(fn, (grad_out.copy(), out.copy(), x.copy(), dim, keepdim), call, names=_BACK_ARGS[:3])
            _assert_array(check, call, [("grad_out", grad_out), ("x", x)], expected, actual, hints=hints)
    run.passed()


def check_permute_back(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``permute_back(grad_out, out, x, axes)``, the backward function of ``np.transpose(x, axes)``.

    >>> from autograd_lite import permute_back
    >>> from autograd_lite.checks import check_permute_back
    >>> check_permute_back(permute_back)
    check_permute_back: all tests passed
    """
    check = "check_permute_back"
    run = _Run(check, (fn,), seed, time_limit)
    rng = np.random.default_rng(12)
    hints = {
        "shape": "dimension axes[i] of x became dimension i of out: apply the inverse permutation, "
        "np.argsort(axes), to grad_out.",
        "values": "dimension axes[i] of x became dimension i of out: apply the inverse permutation, "
        "np.argsort(axes), to grad_out.",
        "dtype": _DTYPE_HINT,
    }
    cases = [  # (shape of x, axes, dtype)
        ((2, 3), (1, 0), np.float64),
        ((2, 3, 4), (1, 2, 0), np.float64),
        ((2, 3, 4), (2, 0, 1), np.float64),
        ((2, 3, 4, 5), (0, 3, 1, 2), np.float64),
        ((2, 3, 4), (-1, 0, 1), np.float64),
        ((3, 2, 2), (1, 2, 0), np.float32),
    ]
    n_fixed = len(cases)
    for _ in range(3):
        ndim = int(run.rng.integers(2, 5))
        axes = tuple(int(a) - (ndim if run.rng.random() < 0.2 else 0) for a in run.rng.permutation(ndim))
        cases.append((tuple(int(run.rng.integers(2, 5)) for _ in range(ndim)), axes, _random_dtype(run.rng)))
    for i, (shape, axes, dtype) in enumerate(cases):
        source = rng if i < n_fixed else run.rng
        x = _values(source, shape, dtype)
        out = np.transpose(x, axes)
        grad_out = _values(source, out.shape, dtype)
        with run.random_case(i >= n_fixed):
            expected = np.asarray(_permute_back(grad_out.copy(), out.copy(), x.copy(), axes))
            call = f"{_name(fn)}({_describe('grad_out', grad_out)}, out = np.transpose(x, {axes}), {_describe('x', x)}, axes={axes})"
            actual = run.call(fn, (grad_out.copy(), out.copy(), x.copy(), axes), call, names=_BACK_ARGS[:3])
            _assert_array(check, call, [("grad_out", grad_out), ("x", x)], expected, actual, hints=hints)
    run.passed()


_MAXIMUM_DTYPE_HINT = (
    "the gradient keeps the dtype of grad_out (float32 stays float32). Watch the tie's 0.5: "
    "0.5 * (x == y) is float64, because a Python float times a bool array makes float64 (a bool "
    "array has no float type of its own to keep), and float32 * float64 is float64. So "
    "grad_out * ((x > y) + 0.5 * (x == y)) turns float32 into float64, while "
    "grad_out * (x > y) + 0.5 * grad_out * (x == y) stays float32 (0.5 * grad_out keeps grad_out's dtype)."
)


def check_maximum_back0(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``maximum_back0(grad_out, out, x, y)``, the backward function of ``np.maximum(x, y)`` for ``x``.

    Where x wins it gets grad_out, where it loses 0, and on a tie half: the
    cases include ties, broadcasting both ways, ``y`` a Python number, and
    float32 arrays (the gradient stays float32).

    >>> from autograd_lite import maximum_back0
    >>> from autograd_lite.checks import check_maximum_back0
    >>> check_maximum_back0(maximum_back0)
    check_maximum_back0: all tests passed
    """
    check = "check_maximum_back0"
    run = _Run(check, (fn,), seed, time_limit)
    hints = {
        "values": "where x == y, x and y share grad_out evenly: each gets half.",
        "shape": "the gradient has x's shape: unbroadcast it.",
        "dtype": _MAXIMUM_DTYPE_HINT,
    }
    cases = [  # (grad_out, x, y)
        (np.ones(4), np.array([1.0, 2.0, 3.0, 2.0]), np.array([2.0, 2.0, 2.0, 0.0])),
        (np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([[0.0], [1.0]]), np.array([0.0, 1.0, 2.0])),
        (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [-1.0, 0.0]]), 0.0),
        (np.array([[2.0, 2.0], [2.0, 2.0]]), np.array([1.0, -1.0]), np.array([[1.0, 1.0], [-1.0, 5.0]])),
        (np.ones(3, np.float32), np.array([1.0, 0.0, -1.0], np.float32), np.array([0.0, 0.0, 0.0], np.float32)),
    ]
    n_fixed = len(cases)
    for _ in range(4):
        dtype = _random_dtype(run.rng)
        full = tuple(int(run.rng.integers(1, 4)) for _ in range(run.rng.integers(1, 3)))
        x = run.rng.choice([-1.0, 0.0, 1.0], size=full[run.rng.integers(0, len(full)):]).astype(dtype)
        if run.rng.random() < 0.3:
            y = float(run.rng.choice([-1.0, 0.0, 1.0]))
        else:
            y = run.rng.choice([-1.0, 0.0, 1.0], size=full[run.rng.integers(0, len(full)):]).astype(dtype)
        cases.append((_values(run.rng, np.broadcast_shapes(x.shape, np.shape(y)), dtype), x, y))
    for i, (grad_out, x, y) in enumerate(cases):
        out = np.maximum(x, y)
        with run.random_case(i >= n_fixed):
            expected = np.asarray(_maximum_back0(grad_out.copy(), out.copy(), x.copy(), _copy(y)))
            call = (
                f"{_name(fn)}({_describe('grad_out', grad_out)}, out = np.maximum(x, y), "
                f"{_describe('x', x)}, {_describe('y', y)})"
            )
            actual = run.call(fn, (grad_out.copy(), out.copy(), x.copy(), _copy(y)), call, names=_BACK_ARGS)
            _assert_array(check, call, [("grad_out", grad_out), ("x", x), ("y", y)], expected, actual, hints=hints)
    run.passed()


def _random_index(rng: np.random.Generator, shape: tuple):
    kind = rng.integers(0, 4)
    if kind == 0:  # integers, with repeats
        return rng.integers(0, shape[0], size=int(rng.integers(1, 6)))
    if kind == 1:
        start = int(rng.integers(0, shape[0]))
        return slice(start, int(rng.integers(start, shape[0] + 1)))
    if kind == 2:
        return rng.random(shape) < 0.5
    return tuple(rng.integers(0, size, size=3) for size in shape)


def check_indexing_back(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``indexing_back(grad_out, out, x, index)``, the backward function of ``x[index]``.

    An element picked more than once must get the sum of its gradients.

    >>> from autograd_lite import indexing_back
    >>> from autograd_lite.checks import check_indexing_back
    >>> check_indexing_back(indexing_back)
    check_indexing_back: all tests passed
    """
    check = "check_indexing_back"
    run = _Run(check, (fn,), seed, time_limit)
    rng = np.random.default_rng(13)
    hints = {
        "values": "an element picked twice must get both gradients: grad[index] += grad_out keeps only one "
        "of them; np.add.at(grad, index, grad_out) adds every one.",
        "shape": "the gradient has x's shape: start from zeros of x's shape.",
        "dtype": _DTYPE_HINT,
    }
    cases = [  # (shape of x, index, dtype)
        ((4,), np.array([0, 2, 0, 0]), np.float64),
        ((5,), slice(1, 4), np.float64),
        ((3, 2), 1, np.float64),
        ((3, 4), (np.array([0, 2, 0]), np.array([1, 3, 1])), np.float64),
        ((3, 2), np.array([[0, 1], [1, 1]]), np.float64),
        ((4,), np.array([True, False, True, False]), np.float64),
        ((4, 3), np.array([3, 3, 1]), np.float32),
    ]
    n_fixed = len(cases)
    for _ in range(3):
        shape = tuple(int(run.rng.integers(2, 5)) for _ in range(run.rng.integers(1, 3)))
        cases.append((shape, _random_index(run.rng, shape), _random_dtype(run.rng)))
    for i, (shape, index, dtype) in enumerate(cases):
        source = rng if i < n_fixed else run.rng
        x = _values(source, shape, dtype)
        out = x[index]
        grad_out = _values(source, np.shape(out), dtype)
        with run.random_case(i >= n_fixed):
            expected = np.asarray(_indexing_back(grad_out.copy(), out.copy(), x.copy(), _copy(index)))
            call = f"{_name(fn)}({_describe('grad_out', grad_out)}, out = x[index], {_describe('x', x)}, index={index!r})"
            actual = run.call(
                fn, (grad_out.copy(), out.copy(), x.copy(), _copy(index)), call, names=(*_BACK_ARGS[:3], "index")
            )
            _assert_array(check, call, [("grad_out", grad_out), ("x", x)], expected, actual, hints=hints)
    run.passed()


# ------------------------------------------------------------ chapter 8: what networks use

_UNBROADCAST_HINT = (
    "the gradient has the shape of the argument it is for: sum it back with unbroadcast(g, x) "
    "(or unbroadcast(g, y)), over the dimensions broadcasting prepended or stretched."
)


def _arithmetic_cases(run: _Run, fixed_seed: int, numbers: bool = True) -> tuple[list, int]:
    """(x, y, grad_out) triples: fixed broadcast shapes, a Python number on either side, then random ones."""
    rng = np.random.default_rng(fixed_seed)
    shapes = _BROADCAST_SHAPE_CASES
    cases = []
    for x_shape, y_shape, dtype in shapes:
        x, y = _values(rng, x_shape, dtype), _values(rng, y_shape, dtype)
        cases.append((x, y, _values(rng, np.broadcast_shapes(x_shape, y_shape), dtype)))
    # A zero in x (never in y, which divides): "y's gradient is -grad_out * out * out / x" gives nan.
    cases.append((np.array([0.0, 1.5, -2.0]), np.array([2.0, -0.5, 1.0]), np.array([1.0, 2.0, -1.0])))
    if numbers:  # the engine calls back0 with a number y for t - 2.5, back1 with a number x for 2 / t
        array = _values(rng, (2, 3))
        cases.append((array, 2.5, _values(rng, (2, 3))))
        cases.append((-1.5, array, _values(rng, (2, 3))))
    n_fixed = len(cases)
    for _ in range(3):
        x_shape, y_shape = _broadcast_pair(run.rng)
        dtype = _random_dtype(run.rng)
        x, y = _values(run.rng, x_shape, dtype), _values(run.rng, y_shape, dtype)
        cases.append((x, y, _values(run.rng, np.broadcast_shapes(x_shape, y_shape), dtype)))
    return cases, n_fixed


def _check_binary_back(
    run: _Run, fns: tuple, references: tuple, op: str, forward: Callable, cases: list, n_fixed: int, hints: tuple,
    error_hint: str | None = None,
) -> None:
    """Run the reader's (back0, back1) on every (x, y, grad_out) and compare with the library's.

    The watch covers all four arguments; ``error_hint`` is added to a ValueError
    the reader's code raises (numpy's message for operands whose shapes do not fit).
    """
    for i, (x, y, grad_out) in enumerate(cases):
        out = np.asarray(forward(x, y))
        with run.random_case(i >= n_fixed):
            for argnum, (fn, reference) in enumerate(zip(fns, references)):
                if not isinstance((x, y)[argnum], np.ndarray):
                    continue  # a Python number gets no gradient: the engine never asks for one
                expected = np.asarray(reference(grad_out.copy(), out.copy(), _copy(x), _copy(y)))
                call = f"{_name(fn)}({_describe('grad_out', grad_out)}, out = {op}, {_describe('x', x)}, {_describe('y', y)})"
                try:
                    actual = run.call(fn, (grad_out.copy(), out.copy(), _copy(x), _copy(y)), call, names=_BACK_ARGS)
                except ValueError as exc:
                    if error_hint:
                        exc.add_note(f"({run.check}: hint: {error_hint})")
                    raise
                _assert_array(
                    run.check, call, [("grad_out", grad_out), ("x", x), ("y", y)], expected, actual,
                    f"result (the gradient for {'xy'[argnum]})", hints=hints[argnum],
                )


def check_add_back(fn0: Callable, fn1: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``add_back0`` and ``add_back1``, the backward functions of ``out = x + y``.

    The cases broadcast both ways round (``x`` stretched to ``y``'s shape,
    ``y`` to ``x``'s, both at once), have a Python number on one side, and
    include float32 (the gradient stays float32).

    >>> from autograd_lite import add_back0, add_back1
    >>> from autograd_lite.checks import check_add_back
    >>> check_add_back(add_back0, add_back1)
    check_add_back: all tests passed
    """
    run = _Run("check_add_back", (fn0, fn1), seed, time_limit)
    hint = {
        "shape": _UNBROADCAST_HINT,
        "values": "every copy that broadcasting made of an element passes grad_out on to it unchanged: "
        "sum those copies' gradients (unbroadcast sums them); do not average them or keep one.",
        "dtype": _DTYPE_HINT,
    }
    cases, n_fixed = _arithmetic_cases(run, 21)
    _check_binary_back(run, (fn0, fn1), (_add_back0, _add_back1), "x + y", np.add, cases, n_fixed, (hint, hint))
    run.passed()


def check_subtract_back(fn0: Callable, fn1: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``subtract_back0`` and ``subtract_back1``, the backward functions of ``out = x - y``.

    The cases are :func:`check_add_back`'s: broadcasting both ways round, a
    Python number on one side, float32.

    >>> from autograd_lite import subtract_back0, subtract_back1
    >>> from autograd_lite.checks import check_subtract_back
    >>> check_subtract_back(subtract_back0, subtract_back1)
    check_subtract_back: all tests passed
    """
    run = _Run("check_subtract_back", (fn0, fn1), seed, time_limit)
    hint0 = {
        "shape": _UNBROADCAST_HINT,
        "values": "out = x - y grows by 1 when x does: x gets +grad_out (the minus sign belongs to y), summed back "
        "to x's shape.",
        "dtype": _DTYPE_HINT,
    }
    hint1 = dict(
        hint0,
        values="out = x - y shrinks by 1 when y grows by 1: y gets -grad_out, summed back to y's shape "
        "(unbroadcast(-grad_out, y)).",
    )
    cases, n_fixed = _arithmetic_cases(run, 22)
    _check_binary_back(
        run, (fn0, fn1), (_subtract_back0, _subtract_back1), "x - y", np.subtract, cases, n_fixed, (hint0, hint1)
    )
    run.passed()


def check_true_divide_back(fn0: Callable, fn1: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``true_divide_back0`` and ``true_divide_back1``, the backward functions of ``out = x / y``.

    The cases are :func:`check_add_back`'s (``y`` is never 0): broadcasting
    both ways round, a Python number on one side (``2 / t`` asks
    ``true_divide_back1`` for ``t``'s gradient), float32.

    >>> from autograd_lite import true_divide_back0, true_divide_back1
    >>> from autograd_lite.checks import check_true_divide_back
    >>> check_true_divide_back(true_divide_back0, true_divide_back1)
    check_true_divide_back: all tests passed
    """
    run = _Run("check_true_divide_back", (fn0, fn1), seed, time_limit)
    hint0 = {
        "shape": _UNBROADCAST_HINT,
        "values": "d(x / y)/dx = 1 / y: x gets grad_out / y, summed back to x's shape.",
        "dtype": _DTYPE_HINT,
    }
    hint1 = dict(
        hint0,
        values="d(x / y)/dy = -x / y**2, which is -out / y: y gets -grad_out * out / y (mind the minus sign "
        "and the square), summed back to y's shape.",
    )
    cases, n_fixed = _arithmetic_cases(run, 23)
    _check_binary_back(
        run, (fn0, fn1), (_true_divide_back0, _true_divide_back1), "x / y", np.true_divide, cases, n_fixed,
        (hint0, hint1),
    )
    run.passed()


_MATMUL_SHAPES = [  # (shape of x, shape of y, dtype): what each case is there to catch
    ((2, 3), (3, 4), np.float64),  # matrices
    ((3, 3), (3, 3), np.float64),  # square: a missing or misplaced transpose still has the right shape
    ((3,), (3, 4), np.float64),  # 1-D x: a row, dropped from the result
    ((2, 3), (3,), np.float64),  # 1-D y: a column, dropped from the result
    ((3,), (3,), np.float64),  # both 1-D: a dot product, 0-d grad_out
    ((5, 2, 3), (3, 4), np.float64),  # a batch of x, one y shared by all: y's gradient sums the batch
    ((2, 3), (4, 3, 2), np.float64),  # one x shared by a batch of y
    ((2, 1, 3, 4), (5, 4, 2), np.float64),  # batch dimensions broadcast both ways: (2, 1) and (5,)
    ((4,), (2, 4, 3), np.float64),  # 1-D x against a batch
    ((2, 3, 4), (4,), np.float64),  # a batch against 1-D y
    ((2, 2, 2), (2, 2, 2), np.float32),  # y.T reverses all three axes, swapaxes(y, -1, -2) the last two
]


def _random_matmul_shapes(rng: np.random.Generator) -> tuple[tuple, tuple]:
    n, k, m = (int(rng.integers(1, 5)) for _ in range(3))
    batch_x, batch_y = _broadcast_pair(rng) if rng.random() < 0.6 else ((), ())
    if rng.random() < 0.5:
        batch_x, batch_y = (batch_x, ()) if rng.random() < 0.5 else ((), batch_y)
    x_shape = (k,) if rng.random() < 0.2 else (*batch_x, n, k)
    y_shape = (k,) if rng.random() < 0.2 else (*batch_y, k, m)
    return x_shape, y_shape


def check_matmul_back(fn0: Callable, fn1: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``matmul_back0`` and ``matmul_back1``, the backward functions of ``out = x @ y`` (``np.matmul``).

    The cases include square matrices (where a transpose in the wrong place
    keeps the right shape), 1-D operands on either side and on both, batches
    with one matrix shared by all of them, batch dimensions broadcast both
    ways, and float32.

    >>> from autograd_lite import matmul_back0, matmul_back1
    >>> from autograd_lite.checks import check_matmul_back
    >>> check_matmul_back(matmul_back0, matmul_back1)
    check_matmul_back: all tests passed
    """
    run = _Run("check_matmul_back", (fn0, fn1), seed, time_limit)
    rng = np.random.default_rng(24)
    shared = (
        "Batch dimensions that broadcasting prepended or stretched (a matrix shared by a batch) are summed "
        "by unbroadcast(g, x). A 1-D x is used as a row (1, k) and a 1-D y as a column (k, 1), and that "
        "dimension is dropped from out: put it back into grad_out (np.expand_dims), apply the formula, and "
        "drop it from the result so the gradient has the 1-D shape."
    )
    swap = (
        "Transpose only the two matrix dimensions: np.swapaxes(a, -1, -2); a.T reverses every axis of a batch "
        "of matrices."
    )
    hint0 = {
        "shape": "dL/dx = grad_out @ y^T has the shape of x. " + shared,
        "values": "dL/dx = grad_out @ y^T: grad_out on the left, the transposed y on the right. " + swap,
        "dtype": _DTYPE_HINT,
    }
    hint1 = {
        "shape": "dL/dy = x^T @ grad_out has the shape of y. " + shared,
        "values": "dL/dy = x^T @ grad_out: the transposed x on the left, grad_out on the right. " + swap,
        "dtype": _DTYPE_HINT,
    }
    shapes = list(_MATMUL_SHAPES)
    n_fixed = len(shapes)
    shapes += [(*_random_matmul_shapes(run.rng), _random_dtype(run.rng)) for _ in range(4)]
    cases = []
    for i, (x_shape, y_shape, dtype) in enumerate(shapes):
        source = rng if i < n_fixed else run.rng
        x, y = _values(source, x_shape, dtype), _values(source, y_shape, dtype)
        cases.append((x, y, _values(source, np.matmul(x, y).shape, dtype)))
    _check_binary_back(
        run, (fn0, fn1), (_matmul_back0, _matmul_back1), "x @ y", np.matmul, cases, n_fixed, (hint0, hint1),
        error_hint="write each shape under the formula: with x of shape (n, k), y (k, m) and grad_out (n, m), "
        "dL/dx = grad_out @ y^T is (n, m) @ (m, k) and dL/dy = x^T @ grad_out is (k, n) @ (n, m); "
        "a 1-D operand first becomes a row (1, k) or a column (k, 1). " + swap,
    )
    run.passed()
