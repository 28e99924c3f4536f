"""Learner checks for the autograd engine (chapters 7 and 8).

- chapter 7 (Autograd): `check_sorted_computational_graph`, `check_backprop`;
- chapter 8 (More forward and backward functions): `check_sum_back`,
  `check_permute_back`, `check_maximum_back0`, `check_indexing_back`.

The contract is part 1's: a check calls the reader's function on several
cases and compares each answer with the library's own (which the tests hold to
central finite differences and to HIPS autograd).  All right: it prints one
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

from typing import Callable

import numpy as np

from ..backward import indexing_back as _indexing_back
from ..backward import maximum_back0 as _maximum_back0
from ..backward import permute_back as _permute_back
from ..backward import sum_back as _sum_back
from ..tensor import Tensor
from ..tensor import backprop as _backprop
from .common import _assert_array, _call, _copy, _describe, _name, _passed, _values

__all__ = [
    "check_sorted_computational_graph",
    "check_backprop",
    "check_sum_back",
    "check_permute_back",
    "check_maximum_back0",
    "check_indexing_back",
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


_GRAPHS = [_chain, _diamond, _square, _shared_subexpression, _non_scalar_end, _constant_leaf, _deep_chain]


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


def check_sorted_computational_graph(fn: Callable) -> None:
    """Check ``sorted_computational_graph(tensor)``: every node once, ``tensor`` first, each node before its parents.

    A Tensor that does not require grad (a constant) may be listed or left out;
    the graphs include one, and a chain of 3,000 operations (too deep to sort
    by recursion).

    >>> from autograd_lite import sorted_computational_graph
    >>> from autograd_lite.checks import check_sorted_computational_graph
    >>> check_sorted_computational_graph(sorted_computational_graph)
    check_sorted_computational_graph: all tests passed
    """
    check = "check_sorted_computational_graph"
    for build in _GRAPHS:
        description, end, _, leaves = build()
        call = f"{_name(fn)}(L) for {description}"
        result = _call(check, fn, (end,), call)
        nodes = _graph_nodes(end)
        problem = None
        if not isinstance(result, (list, tuple)):
            problem = f"expected a list of Tensors, got {type(result).__name__}"
        else:
            ids = [id(t) for t in result]
            repeated = [t for t in result if ids.count(id(t)) > 1]
            # A Tensor that does not require grad (a constant) may be listed or left out.
            missing = [t for i, t in nodes.items() if i not in ids and t.requires_grad]
            extra = [t for t in result if id(t) not in nodes]
            if repeated:
                problem = f"{_label(repeated[0], leaves)} appears {ids.count(id(repeated[0]))} times; each node must appear once"
            elif missing:
                problem = f"{len(missing)} node(s) reachable from L are missing, e.g. {_label(missing[0], leaves)}"
            elif extra:
                problem = f"{len(extra)} item(s) are not nodes of the graph, e.g. {extra[0]!r}"
            elif result[0] is not end:
                problem = (
                    f"the first node must be L itself (the output), got {_label(result[0], leaves)}: "
                    "reverse the topological order, which puts L last"
                )
            else:
                position = {i: k for k, i in enumerate(ids)}
                for node in result:
                    for parent in (node.recipe.parents.values() if node.recipe else ()):
                        if position.get(id(parent), len(ids)) < position[id(node)]:
                            problem = (
                                f"{_label(parent, leaves)} comes before {_label(node, leaves)}, which was made "
                                "from it: every node must come before its parents"
                            )
                            break
                    if problem:
                        break
        if problem:
            raise AssertionError(f"{check}: wrong result for {call}\n  {problem}")
    _passed(check)


def check_backprop(fn: Callable) -> None:
    """Check ``backprop(end_node, end_grad=None)``: each leaf that requires grad gets dL/d(leaf) added to ``.grad``.

    The cases include a node with two outgoing edges, ``x * x``, a non-scalar
    end node with ``end_grad``, a leaf that does not require grad, a chain of
    3,000 operations, and a leaf whose ``.grad`` already holds a gradient (the
    new one is added to it).  Other Tensors must keep ``.grad`` None.

    >>> from autograd_lite import backprop
    >>> from autograd_lite.checks import check_backprop
    >>> check_backprop(backprop)
    check_backprop: all tests passed
    """
    check = "check_backprop"
    hints = {
        "values": "sum the gradients that reach a node along different paths, and add a leaf's gradient "
        "to the .grad it already has.",
        "shape": "a leaf's gradient has the leaf's shape.",
    }
    for build, holds_grad in [(build, False) for build in _GRAPHS] + [(_diamond, True)]:
        _, reference_end, reference_end_grad, reference_leaves = build()
        description, end, end_grad, leaves = build()
        if holds_grad:
            description += ", where a, b and c already hold a .grad of 10s"
            for leaf in (*reference_leaves.values(), *leaves.values()):
                leaf.grad = Tensor(np.full(leaf.shape, 10.0))
        _backprop(reference_end, reference_end_grad)
        call = f"{_name(fn)}(L{'' if end_grad is None else ', end_grad'}) for {description}"
        _call(check, fn, (end, end_grad), call)
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
    _passed(check)


# ------------------------------------------------------------ chapter 8



def check_sum_back(fn: Callable) -> None:
    """Check ``sum_back(grad_out, out, x, dim=None, keepdim=False)``, the backward function of ``x.sum(dim, keepdim)``.

    The cases sum over everything, one dimension (negative too) or a tuple of
    them, with ``keepdim`` True and False.

    >>> from autograd_lite import sum_back
    >>> from autograd_lite.checks import check_sum_back
    >>> check_sum_back(sum_back)
    check_sum_back: all tests passed
    """
    check = "check_sum_back"
    rng = np.random.default_rng(11)
    hints = {
        "shape": "the gradient has x's shape: put the summed dimensions back (size 1) when keepdim is False, "
        "then broadcast.",
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
    ]
    for shape, dim, keepdim, dtype in cases:
        x = _values(rng, shape, dtype)
        out = x.sum(axis=dim, keepdims=keepdim)
        grad_out = _values(rng, out.shape, dtype)
        expected = np.asarray(_sum_back(grad_out.copy(), out.copy(), x.copy(), dim, keepdim))
        call = (
            f"{_name(fn)}({_describe('grad_out', grad_out)}, out = x.sum(axis={dim!r}, keepdims={keepdim}), "
            f"{_describe('x', x)}, dim={dim!r}, keepdim={keepdim})"
        )
        actual = _call(check, fn, (grad_out.copy(), out.copy(), x.copy(), dim, keepdim), call)
        _assert_array(check, call, [("grad_out", grad_out), ("x", x)], expected, actual, hints=hints)
    _passed(check)


def check_permute_back(fn: Callable) -> None:
    """Check ``permute_back(grad_out, out, x, axes)``, the backward function of ``np.transpose(x, axes)``.

    >>> from autograd_lite import permute_back
    >>> from autograd_lite.checks import check_permute_back
    >>> check_permute_back(permute_back)
    check_permute_back: all tests passed
    """
    check = "check_permute_back"
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
    for shape, axes, dtype in cases:
        x = _values(rng, shape, dtype)
        out = np.transpose(x, axes)
        grad_out = _values(rng, out.shape, dtype)
        expected = np.asarray(_permute_back(grad_out.copy(), out.copy(), x.copy(), axes))
        call = f"{_name(fn)}({_describe('grad_out', grad_out)}, out = np.transpose(x, {axes}), {_describe('x', x)}, axes={axes})"
        actual = _call(check, fn, (grad_out.copy(), out.copy(), x.copy(), axes), call)
        _assert_array(check, call, [("grad_out", grad_out), ("x", x)], expected, actual, hints=hints)
    _passed(check)


def check_maximum_back0(fn: Callable) -> None:
    """Check ``maximum_back0(grad_out, out, x, y)``, the backward function of ``np.maximum(x, y)`` for ``x``.

    Where x wins it gets grad_out, where it loses 0, and on a tie half: the
    cases include ties, broadcasting both ways, and ``y`` a Python number.

    >>> from autograd_lite import maximum_back0
    >>> from autograd_lite.checks import check_maximum_back0
    >>> check_maximum_back0(maximum_back0)
    check_maximum_back0: all tests passed
    """
    check = "check_maximum_back0"
    hints = {
        "values": "where x == y, x and y share grad_out evenly: each gets half.",
        "shape": "the gradient has x's shape: unbroadcast it.",
        "dtype": _DTYPE_HINT,
    }
    cases = [  # (grad_out, x, y)
        (np.ones(4), np.array([1.0, 2.0, 3.0, 2.0]), np.array([2.0, 2.0, 2.0, 0.0])),
        (np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([[0.0], [1.0]]), np.array([0.0, 1.0, 2.0])),
        (np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [-1.0, 0.0]]), 0.0),
        (np.array([[2.0, 2.0], [2.0, 2.0]]), np.array([1.0, -1.0]), np.array([[1.0, 1.0], [-1.0, 5.0]])),
        (np.ones(3, np.float32), np.array([1.0, 0.0, -1.0], np.float32), np.array([0.0, 0.0, 0.0], np.float32)),
    ]
    for grad_out, x, y in cases:
        out = np.maximum(x, y)
        expected = np.asarray(_maximum_back0(grad_out.copy(), out.copy(), x.copy(), _copy(y)))
        call = (
            f"{_name(fn)}({_describe('grad_out', grad_out)}, out = np.maximum(x, y), "
            f"{_describe('x', x)}, {_describe('y', y)})"
        )
        actual = _call(check, fn, (grad_out.copy(), out.copy(), x.copy(), _copy(y)), call)
        _assert_array(check, call, [("grad_out", grad_out), ("x", x), ("y", y)], expected, actual, hints=hints)
    _passed(check)


def check_indexing_back(fn: Callable) -> None:
    """Check ``indexing_back(grad_out, out, x, index)``, the backward function of ``x[index]``.

    An element picked more than once must get the sum of its gradients.

    >>> from autograd_lite import indexing_back
    >>> from autograd_lite.checks import check_indexing_back
    >>> check_indexing_back(indexing_back)
    check_indexing_back: all tests passed
    """
    check = "check_indexing_back"
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
    for shape, index, dtype in cases:
        x = _values(rng, shape, dtype)
        out = x[index]
        grad_out = _values(rng, np.shape(out), dtype)
        expected = np.asarray(_indexing_back(grad_out.copy(), out.copy(), x.copy(), _copy(index)))
        call = f"{_name(fn)}({_describe('grad_out', grad_out)}, out = x[index], {_describe('x', x)}, index={index!r})"
        actual = _call(check, fn, (grad_out.copy(), out.copy(), x.copy(), _copy(index)), call)
        _assert_array(check, call, [("grad_out", grad_out), ("x", x)], expected, actual, hints=hints)
    _passed(check)
