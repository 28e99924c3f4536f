"""Backward functions: the derivative table.

One small function per (forward function, argument position).  Each takes the
gradient of the loss with respect to the forward function's output
(``grad_out``), the output itself (``out``) and the forward function's inputs,
and returns the gradient of the loss with respect to one input.

Explained in the book's chapter 2 (Backward functions); the rules the engine
adds further down (add, divide, sum, matmul, indexing, ...) in chapter 8 (More
forward and backward functions).
"""

from __future__ import annotations

import numpy as np

from .broadcasting import unbroadcast

__all__ = ["log_back", "exp_back", "multiply_back0", "multiply_back1"]


def log_back(grad_out: np.ndarray, out: np.ndarray, x: np.ndarray) -> np.ndarray:
    r"""Backward function of ``out = np.log(x)``:  dL/dx = grad_out / x.

    >>> import numpy as np
    >>> from autograd_lite import log_back
    >>> log_back(np.array([1.0, 1.0]), np.log([2.0, 4.0]), np.array([2.0, 4.0]))
    array([0.5 , 0.25])
    """
    return grad_out / x


def exp_back(grad_out: np.ndarray, out: np.ndarray, x: np.ndarray) -> np.ndarray:
    r"""Backward function of ``out = np.exp(x)``: dL/dx = grad_out * out.

    The derivative of exp is exp itself, already computed as ``out``: reusing
    it is why backward functions receive the output.

    >>> import numpy as np
    >>> from autograd_lite import exp_back
    >>> x = np.array([0.0, 1.0])
    >>> exp_back(np.array([2.0, 2.0]), np.exp(x), x)
    array([2.        , 5.43656366])
    """
    return grad_out * out


def multiply_back0(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x * y`` for ``x``: dL/dx = unbroadcast(grad_out * y, x).

    ``y`` may be a plain Python number.

    >>> import numpy as np
    >>> from autograd_lite import multiply_back0
    >>> x, y = np.array([1.0, 2.0]), np.array([[3.0, 4.0], [5.0, 6.0]])
    >>> multiply_back0(np.ones((2, 2)), x * y, x, y)
    array([ 8., 10.])
    """
    x = np.asarray(x)
    return unbroadcast(grad_out * y, x)


def multiply_back1(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x * y`` for ``y``: dL/dy = unbroadcast(grad_out * x, y).

    ``x`` may be a plain Python number.

    >>> import numpy as np
    >>> from autograd_lite import multiply_back1
    >>> x, y = np.array([1.0, 2.0]), np.array([[3.0, 4.0], [5.0, 6.0]])
    >>> multiply_back1(np.ones((2, 2)), x * y, x, y)
    array([[1., 2.],
           [1., 2.]])
    >>> multiply_back1(np.ones(2), 2.0 * np.ones(2), 2.0, np.ones(2))
    array([2., 2.])
    """
    y = np.asarray(y)
    return unbroadcast(grad_out * x, y)


# ---------------------------------------------------------------------------
# The engine's derivative table (chapter 8, More forward and backward functions).
#
# Same signature as above: ``back(grad_out, out, *args, **kwargs)`` gets what
# the forward function got and returns the gradient for one argument, with
# that argument's shape and grad_out's dtype.  Every binary rule ends in the
# one ``unbroadcast``.  ``autograd_lite.functions`` registers each function
# for its (forward function, argument position).
# ---------------------------------------------------------------------------

__all__ += [
    "add_back0",
    "add_back1",
    "subtract_back0",
    "subtract_back1",
    "true_divide_back0",
    "true_divide_back1",
    "negative_back",
    "power_back0",
    "power_back1",
    "sum_back",
    "mean_back",
    "max_back",
    "reshape_back",
    "permute_back",
    "transpose_back",
    "expand_back",
    "matmul_back0",
    "matmul_back1",
    "maximum_back0",
    "maximum_back1",
    "relu_back",
    "indexing_back",
]


def add_back0(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x + y`` for ``x``: dL/dx = unbroadcast(grad_out, x).

    >>> import numpy as np
    >>> from autograd_lite import add_back0
    >>> add_back0(np.ones((2, 3)), None, np.zeros(3), np.zeros((2, 3)))
    array([2., 2., 2.])
    """
    return unbroadcast(grad_out, x)


def add_back1(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x + y`` for ``y``: dL/dy = unbroadcast(grad_out, y).

    >>> import numpy as np
    >>> from autograd_lite import add_back1
    >>> add_back1(np.ones((2, 3)), None, np.zeros((2, 3)), np.zeros((2, 1)))
    array([[3.],
           [3.]])
    """
    return unbroadcast(grad_out, y)


def subtract_back0(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x - y`` for ``x``: dL/dx = unbroadcast(grad_out, x).

    >>> import numpy as np
    >>> from autograd_lite import subtract_back0
    >>> subtract_back0(np.array([1.0, 2.0]), None, np.zeros(2), 5.0)
    array([1., 2.])
    """
    return unbroadcast(grad_out, x)


def subtract_back1(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x - y`` for ``y``: dL/dy = unbroadcast(-grad_out, y).

    >>> import numpy as np
    >>> from autograd_lite import subtract_back1
    >>> subtract_back1(np.array([1.0, 2.0]), None, 5.0, np.zeros(2))
    array([-1., -2.])
    """
    return unbroadcast(-grad_out, y)


def true_divide_back0(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x / y`` for ``x``: dL/dx = unbroadcast(grad_out / y, x).

    >>> import numpy as np
    >>> from autograd_lite import true_divide_back0
    >>> x, y = np.array([1.0, 6.0]), np.array([2.0, 4.0])
    >>> true_divide_back0(np.ones(2), x / y, x, y)
    array([0.5 , 0.25])
    """
    return unbroadcast(grad_out / y, x)


def true_divide_back1(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x / y`` for ``y``: dL/dy = unbroadcast(-grad_out * out / y, y).

    d(x/y)/dy = -x / y**2 = -out / y: the output saves computing y**2.
    Not the mirror image of ``true_divide_back0``: division is not symmetric.

    >>> import numpy as np
    >>> from autograd_lite import true_divide_back1
    >>> x, y = np.array([1.0, 6.0]), np.array([2.0, 4.0])
    >>> true_divide_back1(np.ones(2), x / y, x, y)
    array([-0.25 , -0.375])
    """
    return unbroadcast(-grad_out * out / y, y)


def negative_back(grad_out: np.ndarray, out: np.ndarray, x) -> np.ndarray:
    r"""Backward function of ``out = -x``: dL/dx = -grad_out.

    >>> import numpy as np
    >>> from autograd_lite import negative_back
    >>> negative_back(np.array([1.0, -2.0]), None, np.zeros(2))
    array([-1.,  2.])
    """
    return -grad_out


def power_back0(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x ** y`` for ``x``: dL/dx = unbroadcast(grad_out * y * x ** (y - 1), x).

    Where y is 0 the gradient is 0: ``x ** 0`` is 1 for every x, also at
    x = 0, where the formula would give 0 * inf = nan (PyTorch's rule too).
    At x = 0 with 0 < y < 1 it is inf, and for x < 0 with y not an integer
    nan, as the formula says.

    >>> import numpy as np
    >>> from autograd_lite import power_back0
    >>> x = np.array([1.0, 2.0, 3.0])
    >>> power_back0(np.ones(3), x ** 2, x, 2)
    array([2., 4., 6.])
    >>> power_back0(np.ones(2), np.ones(2), np.array([0.0, 2.0]), 0.0)
    array([0., 0.])
    """
    with np.errstate(divide="ignore", invalid="ignore"):  # 0 ** (y - 1) for y < 1, (-x) ** y
        grad = grad_out * y * x ** (y - 1)
    if np.any(np.equal(y, 0)):
        grad = np.where(np.equal(y, 0), 0, grad)
    return unbroadcast(grad, x)


def power_back1(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x ** y`` for ``y``: dL/dy = unbroadcast(grad_out * out * log(x), y).

    Defined for x > 0.  Where x is 0 and y >= 0 the gradient is 0, as in
    PyTorch (``0 ** y`` is 0 for every y > 0; at y = 0, where it jumps from 1
    to 0 and has no derivative, 0 is the limit from the right); where x is 0
    and y < 0 it is -inf (inf * log 0); for x < 0 it is nan.

    >>> import numpy as np
    >>> from autograd_lite import power_back1
    >>> y = np.array([0.0, 1.0, 2.0])
    >>> power_back1(np.ones(3), 2.0 ** y, 2.0, y)
    array([0.69314718, 1.38629436, 2.77258872])
    >>> y = np.array([0.0, 2.0, -1.0])
    >>> with np.errstate(divide="ignore"):
    ...     power_back1(np.ones(3), 0.0 ** y, 0.0, y)
    array([  0.,   0., -inf])
    """
    x = np.asarray(x, dtype=np.result_type(out))  # so a Python float base keeps float32 float32
    with np.errstate(divide="ignore", invalid="ignore"):  # log(0) and log(x < 0), handled below
        grad = grad_out * out * np.log(x)
    if np.any(x == 0):
        grad = np.where((x == 0) & np.greater_equal(y, 0), 0, grad)
    return unbroadcast(grad, y)


def _numpy_axis(x, dim):
    """numpy's ``axis`` for a reduction of ``x`` over PyTorch's ``dim``.

    The same, except for a 0-d ``x``: PyTorch lets a 0-d Tensor be reduced
    over dim 0 or -1 (reducing nothing), numpy has no axis 0 there.

    >>> import numpy as np
    >>> _numpy_axis(np.ones((2, 3)), -1), _numpy_axis(np.float64(2.5), 0)
    (-1, None)
    """
    if dim is None or np.ndim(x) != 0:
        return dim
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if len(dims) <= 1 and all(d in (0, -1) for d in dims):
        return None
    return dim  # numpy raises its AxisError for anything else


def _kept_dims(grad_out: np.ndarray, x, dim, keepdim: bool) -> np.ndarray:
    """``grad_out`` of a reduction of ``x`` over ``dim`` with the reduced dimensions put back as size 1."""
    dim = _numpy_axis(x, dim)
    if dim is None or keepdim:
        return grad_out  # size-1 dims already there, or a 0-d array that broadcasts anywhere
    return np.expand_dims(grad_out, dim)


def sum_back(grad_out: np.ndarray, out: np.ndarray, x, dim=None, keepdim: bool = False) -> np.ndarray:
    r"""Backward function of ``out = x.sum(axis=dim, keepdims=keepdim)``: every x copies its sum's gradient.

    Each element of x enters its sum once with weight 1, so dL/dx is
    ``grad_out`` broadcast back to x's shape, after putting back the summed
    dimensions (size 1) when ``keepdim`` is False.  ``dim`` may be an int, a
    tuple of ints (negative ones count from the end) or None (all of them).

    >>> import numpy as np
    >>> from autograd_lite import sum_back
    >>> x = np.ones((2, 3))
    >>> sum_back(np.array([10.0, 20.0]), x.sum(axis=1), x, dim=1)
    array([[10., 10., 10.],
           [20., 20., 20.]])
    """
    return np.broadcast_to(_kept_dims(grad_out, x, dim, keepdim), np.shape(x))


def mean_back(grad_out: np.ndarray, out: np.ndarray, x, dim=None, keepdim: bool = False) -> np.ndarray:
    r"""Backward function of ``out = x.mean(axis=dim, keepdims=keepdim)``: sum_back divided by the count.

    >>> import numpy as np
    >>> from autograd_lite import mean_back
    >>> x = np.ones((2, 4))
    >>> mean_back(np.array([4.0, 8.0]), x.mean(axis=1), x, dim=1)
    array([[1., 1., 1., 1.],
           [2., 2., 2., 2.]])
    """
    count = np.size(x) // max(np.size(out), 1)
    # sum_back(grad_out, out, x, dim, keepdim) / count, made in one step: adding to zeros of x's
    # shape broadcasts the kept-dims gradient as the division would, without np.broadcast_to's cost.
    return np.zeros_like(x) + _kept_dims(grad_out, x, dim, keepdim) / count


def max_back(grad_out: np.ndarray, out: np.ndarray, x, dim=None, keepdim: bool = False) -> np.ndarray:
    r"""Backward function of ``out = x.max(axis=dim, keepdims=keepdim)``: the gradient goes to the maxima.

    Elements equal to their maximum share its gradient evenly (a tie of two
    gets half each, as PyTorch's ``amax``); all others get 0.  A maximum
    that is nan equals no element, so its whole slice gets nan (0 / 0), as
    with ``amax``.

    >>> import numpy as np
    >>> from autograd_lite import max_back
    >>> x = np.array([[1.0, 5.0, 2.0], [3.0, 3.0, 0.0]])
    >>> max_back(np.array([1.0, 1.0]), x.max(axis=1), x, dim=1)
    array([[0. , 1. , 0. ],
           [0.5, 0.5, 0. ]])
    """
    grad_out = _kept_dims(grad_out, x, dim, keepdim)
    is_max = x == _kept_dims(out, x, dim, keepdim)
    count = is_max.sum(axis=_numpy_axis(x, dim), keepdims=True)
    with np.errstate(invalid="ignore"):  # 0 / 0 where the maximum is nan
        return grad_out * is_max / count.astype(grad_out.dtype)


def reshape_back(grad_out: np.ndarray, out: np.ndarray, x, new_shape) -> np.ndarray:
    r"""Backward function of ``out = np.reshape(x, new_shape)``: reshape grad_out back to x's shape.

    Reshaping moves no value, so neither does its backward function.

    >>> import numpy as np
    >>> from autograd_lite import reshape_back
    >>> x = np.zeros((2, 3))
    >>> reshape_back(np.arange(6.0), x.reshape(6), x, (6,))
    array([[0., 1., 2.],
           [3., 4., 5.]])
    """
    return np.reshape(grad_out, np.shape(x))


def permute_back(grad_out: np.ndarray, out: np.ndarray, x, axes) -> np.ndarray:
    r"""Backward function of ``out = np.transpose(x, axes)`` (permute): permute grad_out back.

    Dimension ``axes[i]`` of x became dimension ``i`` of out; the inverse
    permutation ``np.argsort(axes)`` moves each one home.

    >>> import numpy as np
    >>> from autograd_lite import permute_back
    >>> x = np.zeros((2, 3, 4))
    >>> out = np.transpose(x, (1, 2, 0))
    >>> permute_back(np.ones(out.shape), out, x, (1, 2, 0)).shape
    (2, 3, 4)
    """
    ndim = np.ndim(x)
    return np.transpose(grad_out, np.argsort([axis % ndim for axis in axes]))


def transpose_back(grad_out: np.ndarray, out: np.ndarray, x, dim0: int, dim1: int) -> np.ndarray:
    r"""Backward function of ``out = np.swapaxes(x, dim0, dim1)`` (transpose): swap them back.

    >>> import numpy as np
    >>> from autograd_lite import transpose_back
    >>> x = np.zeros((2, 3))
    >>> transpose_back(np.arange(6.0).reshape(3, 2), x.T, x, 0, 1)
    array([[0., 2., 4.],
           [1., 3., 5.]])
    """
    return np.swapaxes(grad_out, dim0, dim1)


def expand_back(grad_out: np.ndarray, out: np.ndarray, x, new_shape) -> np.ndarray:
    r"""Backward function of ``out = np.broadcast_to(x, new_shape)`` (expand): unbroadcast(grad_out, x).

    An explicit broadcast, so its gradient is the same sum as an implicit one's.

    >>> import numpy as np
    >>> from autograd_lite import expand_back
    >>> x = np.zeros((3, 1))
    >>> expand_back(np.ones((2, 3, 4)), np.broadcast_to(x, (2, 3, 4)), x, (2, 3, 4))
    array([[8.],
           [8.],
           [8.]])
    """
    return unbroadcast(grad_out, x)


def _as_matrices(grad_out: np.ndarray, x: np.ndarray, y: np.ndarray):
    """(grad_out, x, y) with 1-D operands made matrices, as ``np.matmul`` treats them.

    A 1-D x of shape (k,) acts as (1, k), a 1-D y as (k, 1); each time the
    product loses that dimension, so it is put back into grad_out too.
    """
    x, y = np.asarray(x), np.asarray(y)
    if y.ndim == 1:
        y = y[:, None]
        grad_out = np.expand_dims(grad_out, -1)
    if x.ndim == 1:
        x = x[None, :]
        grad_out = np.expand_dims(grad_out, -2)
    return grad_out, x, y


def matmul_back0(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x @ y`` for ``x``: dL/dx = grad_out @ y.T, unbroadcast to x.

    ``.T`` swaps the last two dimensions (numpy's ``.mT``); batch dimensions that were broadcast
    are summed by unbroadcast; 1-D operands are handled as ``np.matmul`` does.

    >>> import numpy as np
    >>> from autograd_lite import matmul_back0
    >>> x, y = np.ones((2, 3)), np.arange(12.0).reshape(3, 4)
    >>> matmul_back0(np.ones((2, 4)), x @ y, x, y)
    array([[ 6., 22., 38.],
           [ 6., 22., 38.]])
    """
    grad_out2, x2, y2 = _as_matrices(grad_out, x, y)
    grad = unbroadcast(grad_out2 @ y2.mT, x2)
    return grad.reshape(np.shape(x)) if np.ndim(x) == 1 else grad


def matmul_back1(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = x @ y`` for ``y``: dL/dy = x.T @ grad_out, unbroadcast to y.

    >>> import numpy as np
    >>> from autograd_lite import matmul_back1
    >>> x, y = np.arange(6.0).reshape(2, 3), np.ones((3, 4))
    >>> matmul_back1(np.ones((2, 4)), x @ y, x, y)
    array([[3., 3., 3., 3.],
           [5., 5., 5., 5.],
           [7., 7., 7., 7.]])
    """
    grad_out2, x2, y2 = _as_matrices(grad_out, x, y)
    grad = unbroadcast(x2.mT @ grad_out2, y2)
    return grad.reshape(np.shape(y)) if np.ndim(y) == 1 else grad


def maximum_back0(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = np.maximum(x, y)`` for ``x``: grad_out where x won, half of it on a tie.

    dL/dx = unbroadcast(grad_out * (x > y) + grad_out / 2 * (x == y), x).
    Splitting a tie evenly is what PyTorch does; either way the two halves
    add up to grad_out.  Where x or y is nan, the output is nan and, as in
    PyTorch, both x and y get all of grad_out: each gets it unless the other
    won, and ``nan < y`` is False.  (``(x > y)`` would be False too, which is
    why the code below starts from ``~(x < y)``.)

    >>> import numpy as np
    >>> from autograd_lite import maximum_back0
    >>> x, y = np.array([1.0, 2.0, 3.0, np.nan]), np.array([2.0, 2.0, 2.0, 2.0])
    >>> maximum_back0(np.ones(4), np.maximum(x, y), x, y)
    array([0. , 0.5, 1. , 1. ])
    """
    # All of grad_out unless y won (nan < y is False), less half of it on a tie.
    return unbroadcast(grad_out * ~(x < y) - grad_out * 0.5 * (x == y), x)


def maximum_back1(grad_out: np.ndarray, out: np.ndarray, x, y) -> np.ndarray:
    r"""Backward function of ``out = np.maximum(x, y)`` for ``y``: grad_out where y won, half of it on a tie.

    >>> import numpy as np
    >>> from autograd_lite import maximum_back1
    >>> x, y = np.array([1.0, 2.0, 3.0]), np.array([2.0, 2.0, 2.0])
    >>> maximum_back1(np.ones(3), np.maximum(x, y), x, y)
    array([1. , 0.5, 0. ])
    """
    return unbroadcast(grad_out * ~(y < x) - grad_out * 0.5 * (x == y), y)


def relu_back(grad_out: np.ndarray, out: np.ndarray, x) -> np.ndarray:
    r"""Backward function of ``out = np.maximum(x, 0)`` (relu): grad_out where x > 0, else 0.

    At x = 0 the derivative is undefined; like PyTorch, relu takes it as 0
    (``maximum`` with a tie would give half).  A nan input gives a nan output
    and, as in PyTorch, passes grad_out on: only x <= 0 blocks it, and
    nan <= 0 is False.

    >>> import numpy as np
    >>> from autograd_lite import relu_back
    >>> x = np.array([-1.0, 0.0, 2.0, np.nan])
    >>> relu_back(np.ones(4), np.maximum(x, 0), x)
    array([0., 0., 1., 1.])
    """
    return grad_out * ~(x <= 0)


def indexing_back(grad_out: np.ndarray, out: np.ndarray, x, index) -> np.ndarray:
    r"""Backward function of ``out = x[index]``: each picked element gets its gradient; repeats add up.

    ``np.add.at`` adds grad_out into a zero array at ``index``, unbuffered, so
    an element picked twice gets both gradients (``grad[index] += grad_out``
    would keep only one of them).

    >>> import numpy as np
    >>> from autograd_lite import indexing_back
    >>> x = np.array([10.0, 20.0, 30.0])
    >>> index = np.array([0, 2, 0])
    >>> indexing_back(np.array([1.0, 2.0, 3.0]), x[index], x, index)
    array([4., 0., 2.])
    """
    grad = np.zeros(np.shape(x), dtype=np.result_type(grad_out))
    np.add.at(grad, index, grad_out)
    return grad
