"""Forward functions: numpy functions wrapped for Tensors, with their backward functions registered.

Explained in the book's chapter 7 (Autograd) for ``log``, ``exp`` and
``multiply``, and chapter 8 (More forward and backward functions) for the rest.

Each operation is three lines of this file: the numpy-level forward function
(numpy's own where its signature fits), ``wrap_forward_fn`` around it, and one
``add_back_func`` per differentiable argument naming its backward function
from ``autograd_lite.backward``.  The end of the file hooks the operations up
as Tensor operators and methods (``a + b``, ``2 / t``, ``t.sum(dim=0)``, ...).

>>> from autograd_lite import Tensor
>>> x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> loss = (2 / x + x.exp().log() * x[0]).sum()
>>> loss.backward()
>>> x.grad
Tensor([[3.        , 7.5       ],
        [0.77777778, 1.875     ]])
"""

from __future__ import annotations

import numpy as np

from .backward import (
    _numpy_axis,
    add_back0,
    add_back1,
    exp_back,
    expand_back,
    indexing_back,
    log_back,
    matmul_back0,
    matmul_back1,
    max_back,
    maximum_back0,
    maximum_back1,
    mean_back,
    multiply_back0,
    multiply_back1,
    negative_back,
    permute_back,
    power_back0,
    power_back1,
    relu_back,
    reshape_back,
    subtract_back0,
    subtract_back1,
    sum_back,
    transpose_back,
    true_divide_back0,
    true_divide_back1,
)
from .tensor import _UFUNC_OPERATIONS, Tensor, _index_values, add_back_func, wrap_forward_fn

__all__ = [
    "add",
    "subtract",
    "multiply",
    "true_divide",
    "negative",
    "power",
    "exp",
    "log",
    "sum",
    "mean",
    "max",
    "reshape",
    "permute",
    "transpose",
    "expand",
    "matmul",
    "maximum",
    "relu",
    "indexing",
    "eq",
    "argmax",
]

# ------------------------------------------------ numpy-level forward functions numpy lacks


# The reductions take PyTorch's ``dim``: _numpy_axis lets a 0-d x be reduced over dim 0 or -1.


def _sum(x, dim=None, keepdim=False):
    return np.sum(x, axis=_numpy_axis(x, dim), keepdims=keepdim)


def _mean(x, dim=None, keepdim=False):
    return np.mean(x, axis=_numpy_axis(x, dim), keepdims=keepdim)


def _max(x, dim=None, keepdim=False):
    return np.max(x, axis=_numpy_axis(x, dim), keepdims=keepdim)


def _expand(x, new_shape):
    # As in PyTorch, -1 keeps that dimension of x as it is.
    n_new = len(new_shape) - np.ndim(x)
    if any(size == -1 for size in new_shape[:n_new]):
        raise ValueError(
            f"expand: -1 in {tuple(new_shape)} stands for a dimension x has, but x has shape "
            f"{np.shape(x)} and there is no dimension to keep at the new leading positions; give their sizes."
        )
    shape = tuple(np.shape(x)[i - n_new] if size == -1 else size for i, size in enumerate(new_shape))
    try:
        return np.broadcast_to(x, shape)
    except ValueError:
        raise ValueError(
            f"expand: x has shape {np.shape(x)}, which cannot be expanded to {shape}: only a dimension "
            "of size 1 can grow (new dimensions go in front). Give the new size only where x has a 1, "
            "or -1 to keep a dimension."
        ) from None


def _relu(x):
    return np.maximum(x, 0)


def _indexing(x, index):
    return x[index]


def _argmax(x, dim=None, keepdim=False):
    return np.argmax(x, axis=dim, keepdims=keepdim)


# ------------------------------------------------ wrapped and registered

log = wrap_forward_fn(np.log)
add_back_func(np.log, 0, log_back)

exp = wrap_forward_fn(np.exp)
add_back_func(np.exp, 0, exp_back)

multiply = wrap_forward_fn(np.multiply)
add_back_func(np.multiply, 0, multiply_back0)
add_back_func(np.multiply, 1, multiply_back1)

add = wrap_forward_fn(np.add)
add_back_func(np.add, 0, add_back0)
add_back_func(np.add, 1, add_back1)

subtract = wrap_forward_fn(np.subtract)
add_back_func(np.subtract, 0, subtract_back0)
add_back_func(np.subtract, 1, subtract_back1)

true_divide = wrap_forward_fn(np.true_divide)
add_back_func(np.true_divide, 0, true_divide_back0)
add_back_func(np.true_divide, 1, true_divide_back1)

negative = wrap_forward_fn(np.negative)
add_back_func(np.negative, 0, negative_back)

power = wrap_forward_fn(np.power)
add_back_func(np.power, 0, power_back0)
add_back_func(np.power, 1, power_back1)

sum = wrap_forward_fn(_sum)
add_back_func(_sum, 0, sum_back)

mean = wrap_forward_fn(_mean)
add_back_func(_mean, 0, mean_back)

max = wrap_forward_fn(_max)
add_back_func(_max, 0, max_back)

reshape = wrap_forward_fn(np.reshape)
add_back_func(np.reshape, 0, reshape_back)

permute = wrap_forward_fn(np.transpose)
add_back_func(np.transpose, 0, permute_back)

transpose = wrap_forward_fn(np.swapaxes)
add_back_func(np.swapaxes, 0, transpose_back)

expand = wrap_forward_fn(_expand)
add_back_func(_expand, 0, expand_back)

matmul = wrap_forward_fn(np.matmul)
add_back_func(np.matmul, 0, matmul_back0)
add_back_func(np.matmul, 1, matmul_back1)

maximum = wrap_forward_fn(np.maximum)
add_back_func(np.maximum, 0, maximum_back0)
add_back_func(np.maximum, 1, maximum_back1)

relu = wrap_forward_fn(_relu)
add_back_func(_relu, 0, relu_back)

indexing = wrap_forward_fn(_indexing)
add_back_func(_indexing, 0, indexing_back)

# Not differentiable: their outputs never get a recipe.
eq = wrap_forward_fn(np.equal, is_differentiable=False)
_not_equal = wrap_forward_fn(np.not_equal, is_differentiable=False)
argmax = wrap_forward_fn(_argmax, is_differentiable=False)

# Documentation for the wrapped functions (wrap_forward_fn gives each a generic one).
for _fn, _doc in [
    (log, "Natural logarithm, elementwise: ``log(x)``."),
    (exp, "Exponential, elementwise: ``exp(x)``."),
    (multiply, "``x * y``, broadcasting; either may be a Python number."),
    (add, "``x + y``, broadcasting; either may be a Python number."),
    (subtract, "``x - y``, broadcasting; either may be a Python number."),
    (true_divide, "``x / y``, broadcasting; either may be a Python number."),
    (negative, "``-x``."),
    (power, "``x ** y``, broadcasting; either may be a Python number."),
    (sum, "``sum(x, dim=None, keepdim=False)``: the sum over ``dim`` (an int, a tuple, or None for all; "
          "``dim=()`` sums over nothing, as in numpy, where PyTorch sums over everything)."),
    (mean, "``mean(x, dim=None, keepdim=False)``: the mean over ``dim`` (an int, a tuple, or None for all; "
           "``dim=()`` reduces nothing, as in numpy, where PyTorch reduces everything)."),
    (max, "``max(x, dim=None, keepdim=False)``: the maximum over ``dim``; ties share the gradient (PyTorch's amax)."),
    (reshape, "``reshape(x, new_shape)``: the same values in a new shape."),
    (permute, "``permute(x, axes)``: dimension ``axes[i]`` of x becomes dimension i (numpy's transpose)."),
    (transpose, "``transpose(x, dim0, dim1)``: swap two dimensions (numpy's swapaxes)."),
    (expand, "``expand(x, new_shape)``: broadcast x to ``new_shape``; -1 keeps a dimension."),
    (matmul, "``x @ y``: matrix product, 1-D, 2-D or batched with broadcasting."),
    (maximum, "``maximum(x, y)``: the larger, elementwise; a tie splits the gradient evenly."),
    (relu, "``relu(x) = maximum(x, 0)``, with gradient 0 at x = 0."),
    (indexing, "``indexing(x, index) = x[index]``: slices, integers, integer arrays; repeats accumulate."),
    (eq, "``x == y``, elementwise, as a boolean Tensor (not differentiable)."),
    (argmax, "``argmax(x, dim=None, keepdim=False)``: index of the maximum (not differentiable)."),
]:
    _fn.__doc__ = _doc


# ------------------------------------------------ Tensor operators and methods


def _swapped(fn):
    """``fn`` with its two arguments swapped: Python calls ``t.__rsub__(2)`` for ``2 - t``."""

    def reflected(self, other):
        return fn(other, self)

    reflected.__name__ = f"reflected_{fn.__name__}"
    return reflected


def _shape_args(shape: tuple) -> tuple:
    """``t.reshape(2, 3)`` and ``t.reshape((2, 3))`` both mean the shape (2, 3)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return shape


def _reshape_method(self, *shape):
    """``t.reshape(2, 3)`` or ``t.reshape((2, 3))``."""
    return reshape(self, _shape_args(shape))


def _permute_method(self, *axes):
    """``t.permute(2, 0, 1)``: dimension ``axes[i]`` of t becomes dimension i."""
    return permute(self, _shape_args(axes))


def _expand_method(self, *shape):
    """``t.expand(4, -1)``: broadcast t to a shape; -1 keeps a dimension."""
    return expand(self, _shape_args(shape))


def _transpose_method(self, dim0, dim1):
    """``t.transpose(0, 1)``: swap two dimensions."""
    return transpose(self, dim0, dim1)


def _T(self):
    """All dimensions reversed (the transpose of a matrix)."""
    return permute(self, tuple(range(self.ndim - 1, -1, -1)))


def _getitem(self, index):
    return indexing(self, _index_values(index))


Tensor.__add__ = add
Tensor.__radd__ = _swapped(add)
Tensor.__sub__ = subtract
Tensor.__rsub__ = _swapped(subtract)
Tensor.__mul__ = multiply
Tensor.__rmul__ = _swapped(multiply)
Tensor.__truediv__ = true_divide
Tensor.__rtruediv__ = _swapped(true_divide)
Tensor.__pow__ = power
Tensor.__rpow__ = _swapped(power)
Tensor.__matmul__ = matmul
Tensor.__rmatmul__ = _swapped(matmul)
Tensor.__neg__ = negative
Tensor.__getitem__ = _getitem
Tensor.__eq__ = eq
Tensor.__ne__ = _not_equal

Tensor.log = log
Tensor.exp = exp
Tensor.relu = relu
Tensor.maximum = maximum
Tensor.sum = sum
Tensor.mean = mean
Tensor.max = max
Tensor.argmax = argmax
Tensor.reshape = _reshape_method
Tensor.permute = _permute_method
Tensor.expand = _expand_method
Tensor.transpose = _transpose_method
Tensor.T = property(_T)

# ``np.float64(2) * t`` reaches Tensor.__array_ufunc__ as np.multiply(2.0, t).
_UFUNC_OPERATIONS.update(
    add=add, subtract=subtract, multiply=multiply, divide=true_divide, true_divide=true_divide,
    power=power, matmul=matmul, negative=negative, equal=eq,
)

# The operations are made by wrap_forward_fn (in tensor.py); this module is their
# home, so the API reference lists them here.
for _name in __all__:
    globals()[_name].__module__ = __name__
