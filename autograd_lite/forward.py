"""Forward mode: dual numbers, tangent rules and ``jvp``.

Explained in the book's chapter 11 (Forward mode and reverse mode).

Reverse mode (``backprop``) sends one gradient from the output back to every
input.  Forward mode sends one *direction* from the inputs forward to every
output: each value travels with its tangent, the derivative of that value
along the direction ``u`` chosen for the inputs.  A value and its tangent
together are a dual number, ``Dual(value, tangent)``.

The module mirrors ``autograd_lite.backward``, one table row per operation:

- a tangent rule ``<name>_tangent(dx, [dy,] out, x, [y,] **kwargs)`` per
  operation, with the same names and in the same order as the backward
  functions.  It gets the tangent of each differentiable argument, then
  the output and the arguments, and returns the tangent of the output:
  for ``out = x * y`` it is the product rule, ``dx * y + x * dy``;
- ``TANGENT_RULES`` maps the numpy-level forward function (the same key as
  ``BACK_FUNCS``: ``np.log``, ``np.multiply``, the ``_sum`` behind
  ``autograd_lite.sum``, ...) to its rule and its number of tangents;
- ``wrap_tangent_fn`` makes a numpy function work on Dual numbers, as
  ``wrap_forward_fn`` makes it work on Tensors.

Where a backward function ends with ``unbroadcast``, a tangent rule needs
nothing: a tangent of ``x``'s shape broadcasts forward, as ``x`` does.

>>> import numpy as np
>>> from autograd_lite.forward import jvp
>>> f = lambda x: (x * x).sum()
>>> jvp(f, np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 0.0]))
(array(14.), array(2.))
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from . import functions as _functions
from .tensor import Tensor

__all__ = [
    "Dual",
    "TANGENT_RULES",
    "add_tangent_rule",
    "wrap_tangent_fn",
    "jvp",
    "log_tangent",
    "exp_tangent",
    "multiply_tangent",
    "add_tangent",
    "subtract_tangent",
    "true_divide_tangent",
    "negative_tangent",
    "power_tangent",
    "sum_tangent",
    "mean_tangent",
    "max_tangent",
    "reshape_tangent",
    "permute_tangent",
    "transpose_tangent",
    "expand_tangent",
    "matmul_tangent",
    "maximum_tangent",
    "relu_tangent",
    "indexing_tangent",
]


# The numpy-level reductions the engine records (PyTorch's ``dim``, numpy underneath): a sum's
# tangent is the same sum of the tangent, so the rules call the very same functions.
_numpy_sum = _functions.sum.numpy_func
_numpy_mean = _functions.mean.numpy_func
_numpy_max = _functions.max.numpy_func


# --------------------------------------------------------------- the tangent rules
# Same order as backward.py.  ``dx`` is the tangent of ``x``: an array of x's shape
# (zeros when x is a constant).  Every rule returns the tangent of ``out``.


def log_tangent(dx, out, x):
    r"""Tangent rule of ``out = np.log(x)``: d(out) = dx / x.

    >>> import numpy as np
    >>> from autograd_lite.forward import log_tangent
    >>> x = np.array([2.0, 4.0])
    >>> log_tangent(np.array([1.0, 1.0]), np.log(x), x)
    array([0.5 , 0.25])
    """
    return dx / x


def exp_tangent(dx, out, x):
    r"""Tangent rule of ``out = np.exp(x)``: d(out) = dx * out."""
    return dx * out


def multiply_tangent(dx, dy, out, x, y):
    r"""Tangent rule of ``out = x * y``, the product rule: d(out) = dx * y + x * dy.

    >>> import numpy as np
    >>> from autograd_lite.forward import multiply_tangent
    >>> x, y = np.array([1.0, 2.0]), np.array([3.0, 5.0])
    >>> multiply_tangent(np.array([1.0, 1.0]), np.array([0.0, 10.0]), x * y, x, y)
    array([ 3., 25.])
    """
    return dx * y + x * dy


def add_tangent(dx, dy, out, x, y):
    r"""Tangent rule of ``out = x + y``: d(out) = dx + dy."""
    return dx + dy


def subtract_tangent(dx, dy, out, x, y):
    r"""Tangent rule of ``out = x - y``: d(out) = dx - dy."""
    return dx - dy


def true_divide_tangent(dx, dy, out, x, y):
    r"""Tangent rule of ``out = x / y``: d(out) = dx / y - dy * out / y (the quotient rule)."""
    return dx / y - dy * out / y


def negative_tangent(dx, out, x):
    r"""Tangent rule of ``out = -x``: d(out) = -dx."""
    return -dx


def power_tangent(dx, dy, out, x, y):
    r"""Tangent rule of ``out = x ** y``: d(out) = dx * y * x ** (y - 1) + dy * out * log(x).

    The two partial derivatives are the ones ``power_back0`` and ``power_back1``
    use, edge points included: 0 along x where y is 0, 0 along y where x is 0
    and y >= 0 (PyTorch's reverse-mode rules), so forward and reverse mode give
    the same Jacobian.  A tangent of 0 adds nothing, so a constant exponent
    (``x ** 2`` at x < 0) or a constant base of 0 never brings in a nan.
    (PyTorch 2.13's forward mode gives nan at such points, e.g. along x at
    x = -2, y = 2 when both are tensors.)
    """
    x = np.asarray(x, dtype=np.result_type(out))
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** (y - 1) for y < 1, log(0), log(x < 0)
        d_dx = np.where(np.equal(y, 0), 0, y * x ** (y - 1))
        d_dy = np.where((x == 0) & np.greater_equal(y, 0), 0, out * np.log(x))
        return np.where(dx == 0, 0, dx * d_dx) + np.where(dy == 0, 0, dy * d_dy)


def sum_tangent(dx, out, x, dim=None, keepdim=False):
    r"""Tangent rule of ``out = x.sum(axis=dim, keepdims=keepdim)``: the same sum of the tangent.

    A sum is linear, so its tangent is the sum of the tangents.

    >>> import numpy as np
    >>> from autograd_lite.forward import sum_tangent
    >>> x = np.ones((2, 3))
    >>> sum_tangent(np.arange(6.0).reshape(2, 3), x.sum(axis=1), x, dim=1)
    array([ 3., 12.])
    """
    return _numpy_sum(dx, dim, keepdim)


def mean_tangent(dx, out, x, dim=None, keepdim=False):
    r"""Tangent rule of ``out = x.mean(axis=dim, keepdims=keepdim)``: the same mean of the tangent."""
    return _numpy_mean(dx, dim, keepdim)


def max_tangent(dx, out, x, dim=None, keepdim=False):
    r"""Tangent rule of ``out = x.max(axis=dim, keepdims=keepdim)``: the tangent of the maximum.

    Elements tied for the maximum share it evenly (the mean of their
    tangents), matching ``max_back``.
    """
    is_max = x == _numpy_max(x, dim, True)  # keepdim=True: the maxima broadcast against x
    count = _numpy_sum(is_max, dim, keepdim)
    return _numpy_sum(dx * is_max, dim, keepdim) / count.astype(np.result_type(dx))


def reshape_tangent(dx, out, x, new_shape):
    r"""Tangent rule of ``out = np.reshape(x, new_shape)``: reshape the tangent the same way."""
    return np.reshape(dx, new_shape)


def permute_tangent(dx, out, x, axes):
    r"""Tangent rule of ``out = np.transpose(x, axes)`` (permute): permute the tangent the same way."""
    return np.transpose(dx, axes)


def transpose_tangent(dx, out, x, dim0, dim1):
    r"""Tangent rule of ``out = np.swapaxes(x, dim0, dim1)`` (transpose): swap the tangent's axes too."""
    return np.swapaxes(dx, dim0, dim1)


def expand_tangent(dx, out, x, new_shape):
    r"""Tangent rule of ``out = expand(x, new_shape)``: broadcast the tangent to the output's shape."""
    return np.broadcast_to(dx, np.shape(out))


def matmul_tangent(dx, dy, out, x, y):
    r"""Tangent rule of ``out = x @ y``: d(out) = dx @ y + x @ dy, the product rule with no transpose.

    The backward functions need transposes (``grad_out @ y.T``) because they
    send gradients back; a tangent goes forward through the same product.

    >>> import numpy as np
    >>> from autograd_lite.forward import matmul_tangent
    >>> x, y = np.eye(2), np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> matmul_tangent(np.ones((2, 2)), np.zeros((2, 2)), x @ y, x, y)
    array([[4., 6.],
           [4., 6.]])
    """
    return dx @ y + x @ dy


def maximum_tangent(dx, dy, out, x, y):
    r"""Tangent rule of ``out = np.maximum(x, y)``: the tangent of the winner, the mean of both on a tie.

    The same partial derivatives as ``maximum_back0`` and ``maximum_back1``:
    where x or y is nan, both tangents count in full.  (PyTorch 2.13's forward
    mode counts only y's there, where its reverse mode gives both: its two modes
    disagree; this library's agree.)
    """
    # (dx first: dx * 0.5 stays float32 where 0.5 * (x == y) would be float64.)
    return dx * ~(x < y) - dx * 0.5 * (x == y) + dy * ~(y < x) - dy * 0.5 * (x == y)


def relu_tangent(dx, out, x):
    r"""Tangent rule of ``out = np.maximum(x, 0)`` (relu): dx unless x <= 0 (as ``relu_back``: nan lets it through)."""
    return dx * ~(x <= 0)


def indexing_tangent(dx, out, x, index):
    r"""Tangent rule of ``out = x[index]``: pick the same elements of the tangent."""
    return dx[index]


# --------------------------------------------------------------- the table

#: numpy-level forward function -> (tangent rule, number of arguments with a tangent).
TANGENT_RULES: dict[Callable, tuple[Callable, int]] = {}


def add_tangent_rule(forward_fn: Callable, tangent_fn: Callable, n_tangents: int = 1) -> None:
    """Register ``tangent_fn`` as the tangent rule of ``forward_fn``, whose first ``n_tangents`` arguments have tangents.

    ``tangent_fn(*tangents, out, *args, **kwargs)`` returns the tangent of the
    output.  As in ``add_back_func``, the key is the numpy function a Recipe
    records (``np.log``), never the Tensor version of it.

    >>> import numpy as np
    >>> from autograd_lite.forward import TANGENT_RULES, add_tangent_rule, log_tangent
    >>> add_tangent_rule(np.log, log_tangent)
    >>> TANGENT_RULES[np.log]
    (<function log_tangent at ...>, 1)
    """
    forward_fn = getattr(forward_fn, "numpy_func", forward_fn)
    TANGENT_RULES[forward_fn] = (tangent_fn, n_tangents)


def _numpy_func(op):
    """The numpy-level function behind one of the library's operations (the key of both tables)."""
    return op.numpy_func


for _op, _rule, _n in [
    (_functions.log, log_tangent, 1),
    (_functions.exp, exp_tangent, 1),
    (_functions.multiply, multiply_tangent, 2),
    (_functions.add, add_tangent, 2),
    (_functions.subtract, subtract_tangent, 2),
    (_functions.true_divide, true_divide_tangent, 2),
    (_functions.negative, negative_tangent, 1),
    (_functions.power, power_tangent, 2),
    (_functions.sum, sum_tangent, 1),
    (_functions.mean, mean_tangent, 1),
    (_functions.max, max_tangent, 1),
    (_functions.reshape, reshape_tangent, 1),
    (_functions.permute, permute_tangent, 1),
    (_functions.transpose, transpose_tangent, 1),
    (_functions.expand, expand_tangent, 1),
    (_functions.matmul, matmul_tangent, 2),
    (_functions.maximum, maximum_tangent, 2),
    (_functions.relu, relu_tangent, 1),
    (_functions.indexing, indexing_tangent, 1),
]:
    add_tangent_rule(_numpy_func(_op), _rule, _n)


# --------------------------------------------------------------- dual numbers


class Dual:
    """A value and its tangent: the derivative of the value along one direction of the inputs.

    ``Dual`` has the differentiable operators and methods of ``Tensor``
    (arithmetic, ``@``, indexing, ``exp``, ``log``, ``relu``, ``maximum``,
    ``sum``, ``mean``, ``max``, ``reshape``, ``permute``, ``transpose``,
    ``expand``, ``.T``) with ``shape`` and ``ndim``, so a function written with
    those runs on Duals unchanged, and every operation carries the tangent
    forward with its tangent rule.  It has no ``size``, ``dtype``, ``item()``
    or gradient members: a function that reads them does not run under ``jvp``.

    >>> import numpy as np
    >>> from autograd_lite.forward import Dual
    >>> x = Dual(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    >>> y = x * x
    >>> y.value, y.tangent
    (array([1., 4.]), array([2., 4.]))
    """

    __slots__ = ("value", "tangent")

    def __init__(self, value, tangent):
        value = np.asarray(value)
        tangent = np.asarray(tangent)
        if tangent.shape != value.shape:
            raise ValueError(
                f"Dual: the tangent has shape {tangent.shape} but the value has shape {value.shape}; "
                "a tangent is a direction in the value's own space, so give it the value's shape."
            )
        self.value = value
        self.tangent = tangent

    @property
    def shape(self) -> tuple:
        """The value's shape."""
        return self.value.shape

    @property
    def ndim(self) -> int:
        """The value's number of dimensions."""
        return self.value.ndim

    def __repr__(self) -> str:
        return f"Dual(value={self.value!r}, tangent={self.tangent!r})"


def _argument_values(arg):
    """What the numpy function receives for one argument: a Dual's or Tensor's value, or the argument."""
    if isinstance(arg, Dual):
        return arg.value
    if isinstance(arg, Tensor):
        return arg.array
    return arg


def wrap_tangent_fn(numpy_func: Callable) -> Callable:
    """Turn a numpy function into one that takes Dual numbers and carries their tangents forward.

    The values go through ``numpy_func``; the tangents through its rule in
    ``TANGENT_RULES``.  An argument that is not a Dual (a number, an array, a
    Tensor) is a constant: its tangent is zero.

    >>> import numpy as np
    >>> from autograd_lite.forward import Dual, wrap_tangent_fn
    >>> dual_log = wrap_tangent_fn(np.log)
    >>> dual_log(Dual(np.array(2.0), np.array(1.0))).tangent
    array(0.5)
    """
    name = getattr(numpy_func, "__name__", repr(numpy_func))

    def dual_func(*args, **kwargs):
        if numpy_func not in TANGENT_RULES:
            raise KeyError(
                f"{name}: no tangent rule is registered for {name}. Register one with "
                f"add_tangent_rule({name}, tangent_fn, n_tangents)."
            )
        rule, n_tangents = TANGENT_RULES[numpy_func]
        values = tuple(_argument_values(arg) for arg in args)
        out = np.asarray(numpy_func(*values, **kwargs))
        if not any(isinstance(arg, Dual) for arg in args):
            return out
        tangents = [
            arg.tangent if isinstance(arg, Dual) else np.zeros(np.shape(value), dtype=out.dtype)
            for arg, value in zip(args[:n_tangents], values)
        ]
        tangent = np.asarray(rule(*tangents, out, *values, **kwargs))
        if tangent.shape != out.shape:
            rule_name = getattr(rule, "__name__", repr(rule))
            raise ValueError(
                f"{name}: the tangent rule {rule_name} returned shape {tangent.shape}, but the output has "
                f"shape {out.shape}. A tangent has the shape of the value it belongs to."
            )
        return Dual(out, tangent)

    dual_func.__name__ = dual_func.__qualname__ = f"dual_{name}"
    return dual_func


def _swapped(fn):
    def reflected(self, other):
        return fn(other, self)

    return reflected


def _shape_args(shape: tuple) -> tuple:
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape


_log = wrap_tangent_fn(np.log)
_exp = wrap_tangent_fn(np.exp)
_multiply = wrap_tangent_fn(np.multiply)
_add = wrap_tangent_fn(np.add)
_subtract = wrap_tangent_fn(np.subtract)
_true_divide = wrap_tangent_fn(np.true_divide)
_negative = wrap_tangent_fn(np.negative)
_power = wrap_tangent_fn(np.power)
_sum = wrap_tangent_fn(_numpy_sum)
_mean = wrap_tangent_fn(_numpy_mean)
_max = wrap_tangent_fn(_numpy_max)
_reshape = wrap_tangent_fn(np.reshape)
_permute = wrap_tangent_fn(np.transpose)
_transpose = wrap_tangent_fn(np.swapaxes)
_expand = wrap_tangent_fn(_functions.expand.numpy_func)
_matmul = wrap_tangent_fn(np.matmul)
_maximum = wrap_tangent_fn(np.maximum)
_relu = wrap_tangent_fn(_functions.relu.numpy_func)
_indexing = wrap_tangent_fn(_functions.indexing.numpy_func)

Dual.__add__, Dual.__radd__ = _add, _swapped(_add)
Dual.__sub__, Dual.__rsub__ = _subtract, _swapped(_subtract)
Dual.__mul__, Dual.__rmul__ = _multiply, _swapped(_multiply)
Dual.__truediv__, Dual.__rtruediv__ = _true_divide, _swapped(_true_divide)
Dual.__pow__, Dual.__rpow__ = _power, _swapped(_power)
Dual.__matmul__, Dual.__rmatmul__ = _matmul, _swapped(_matmul)
Dual.__neg__ = _negative
Dual.__getitem__ = lambda self, index: _indexing(self, index)
Dual.log, Dual.exp, Dual.relu, Dual.maximum = _log, _exp, _relu, _maximum
Dual.sum = lambda self, dim=None, keepdim=False: _sum(self, dim, keepdim)
Dual.mean = lambda self, dim=None, keepdim=False: _mean(self, dim, keepdim)
Dual.max = lambda self, dim=None, keepdim=False: _max(self, dim, keepdim)
Dual.reshape = lambda self, *shape: _reshape(self, _shape_args(shape))
Dual.permute = lambda self, *axes: _permute(self, _shape_args(axes))
Dual.expand = lambda self, *shape: _expand(self, _shape_args(shape))
Dual.transpose = lambda self, dim0, dim1: _transpose(self, dim0, dim1)
Dual.T = property(lambda self: _permute(self, tuple(range(self.ndim - 1, -1, -1))))
# numpy must hand ``np.float64(2) * dual`` to Dual.__rmul__, not make an object array.
Dual.__array_ufunc__ = None


# --------------------------------------------------------------- jvp


def jvp(f: Callable, x, u) -> tuple[np.ndarray, np.ndarray]:
    """``(f(x), J u)``: the value of ``f`` at ``x`` and its derivative along the direction ``u``, in one forward pass.

    ``J`` is the Jacobian of ``f`` at ``x``; ``J u`` is the directional
    derivative, the limit of ``(f(x + h u) - f(x)) / h``.  ``f`` is written with
    the library's operators and methods (``x * y``, ``x @ w``, ``x.sum()``,
    ``x.exp()``, ...).  ``x`` and ``u`` may be arrays of the same shape, or
    tuples of them for a function of several inputs.

    >>> import numpy as np
    >>> from autograd_lite.forward import jvp
    >>> w = np.array([[1.0, 2.0], [3.0, 4.0]])
    >>> jvp(lambda x: (x @ w).exp(), np.zeros(2), np.array([1.0, 0.0]))
    (array([1., 1.]), array([1., 2.]))
    >>> jvp(lambda a, b: a * b, (np.array(2.0), np.array(3.0)), (np.array(1.0), np.array(1.0)))
    (array(6.), array(5.))
    """
    several = isinstance(x, tuple)
    xs, us = (x, u) if several else ((x,), (u,))
    if len(xs) != len(us):
        raise ValueError(f"jvp: {len(xs)} inputs but {len(us)} directions; give one direction per input.")
    duals = []
    for i, (value, direction) in enumerate(zip(xs, us)):
        if isinstance(value, list):
            raise TypeError(
                f"jvp: input {i} is a list; pass an array (np.array(...)), or a tuple of arrays for a "
                "function of several inputs."
            )
        # np.asarray first: a Python float is then float64, not the float32 that NEP 50 would make it.
        value = np.asarray(value)
        value = np.asarray(value, dtype=np.result_type(value, np.float32))
        direction = np.asarray(direction, dtype=value.dtype)
        if direction.shape != value.shape:
            raise ValueError(
                f"jvp: the direction for input {i} has shape {direction.shape}, but the input has shape "
                f"{value.shape}; u is a direction in the input's space, so give it the input's shape."
            )
        duals.append(Dual(value, direction))
    out = f(*duals)
    if not isinstance(out, Dual):
        raise TypeError(
            f"jvp: f returned {type(out).__name__}, not a value computed from its input: write f with the "
            "library's operators and methods (x * y, x @ w, x.sum(), x.exp()), not numpy functions."
        )
    return out.value, out.tangent
