"""Every differentiable operation of the engine, as a test case: random inputs, the engine's call, HIPS autograd's.

Shared by tests/test_functions.py (finite differences) and
tests/test_engine_vs_autograd.py (HIPS autograd, and PyTorch where installed).
Each case draws its inputs from the strategies in tests/strategies.py, with
the domain the operation needs (a divisor away from 0, a log of positives,
values that never tie where the derivative has a kink).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import autograd.numpy as anp
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as al
from strategies import (
    arrays_of,
    broadcast_pairs,
    broadcastable_arrays,
    index_cases,
    matmul_shapes,
    mutually_broadcastable,
    reduction_dims,
    separated_arrays,
    shapes,
)


@dataclass(frozen=True)
class Case:
    """One operation: ``draw(data, dtype) -> (arrays, params)``, then ``engine(*tensors, **params)``
    and ``hips(*arrays, **params)`` compute the same function."""

    name: str
    draw: Callable
    engine: Callable
    hips: Callable

    def __str__(self) -> str:  # the pytest id
        return self.name


def _broadcast(*options, max_dims=3):
    def draw(data, dtype):
        return data.draw(broadcastable_arrays(*options, dtype=dtype, max_dims=max_dims)), {}

    return draw


def _one(max_dims=3, **options):
    def draw(data, dtype):
        shape = data.draw(shapes(min_dims=0, max_dims=max_dims, max_side=3))
        return [data.draw(arrays_of(shape, dtype, **options))], {}

    return draw


def _with_number(number_options: dict, **options):
    def draw(data, dtype):
        arrays, _ = _one(**options)(data, dtype)
        number = data.draw(st.floats(allow_nan=False, allow_infinity=False, **number_options))
        return arrays, {"number": number}

    return draw


def _reduction(unique=False):
    def draw(data, dtype):
        shape = data.draw(shapes(min_dims=0, max_dims=3, max_side=3))
        if unique:  # no ties: a finite difference at a tie is not the even split
            elements = st.integers(-40, 40).map(lambda k: k / 4)
            array = data.draw(hnp.arrays(dtype, shape, elements=elements, unique=True))
        else:
            array = data.draw(arrays_of(shape, dtype))
        dim = data.draw(reduction_dims(len(shape)))
        return [array], {"dim": dim, "keepdim": data.draw(st.booleans())}

    return draw


def _maximum(data, dtype):
    x_shape, y_shape = data.draw(mutually_broadcastable(2, max_dims=3, max_side=3)).input_shapes
    return [data.draw(separated_arrays(x_shape, dtype, 0.1)), data.draw(separated_arrays(y_shape, dtype))], {}


def _reshape(data, dtype):
    shape = data.draw(shapes(min_dims=0, max_dims=3, max_side=3))
    array = data.draw(arrays_of(shape, dtype))
    new_shape = data.draw(st.sampled_from([(-1,), shape[::-1], (1,) + shape, (array.size, 1)]))
    return [array], {"new_shape": new_shape}


def _permute(data, dtype):
    shape = data.draw(shapes(min_dims=1, max_dims=4, max_side=3))
    axes = data.draw(st.permutations(range(len(shape))))
    negative = data.draw(st.booleans())
    axes = tuple(a - len(shape) if negative else a for a in axes)
    return [data.draw(arrays_of(shape, dtype))], {"axes": axes}


def _transpose(data, dtype):
    shape = data.draw(shapes(min_dims=1, max_dims=3, max_side=3))
    dims = st.integers(-len(shape), len(shape) - 1)
    return [data.draw(arrays_of(shape, dtype))], {"dim0": data.draw(dims), "dim1": data.draw(dims)}


def _expand(data, dtype):
    original, target = data.draw(broadcast_pairs(max_dims=3, max_side=3))
    n_new = len(target) - len(original)
    # -1 keeps a dimension of the original (only where it has one).
    keep = data.draw(st.lists(st.booleans(), min_size=len(original), max_size=len(original)))
    new_shape = tuple(
        -1 if i >= n_new and keep[i - n_new] and original[i - n_new] == side else side
        for i, side in enumerate(target)
    )
    return [data.draw(arrays_of(original, dtype))], {"new_shape": new_shape}


def _matmul(data, dtype):
    x_shape, y_shape = data.draw(matmul_shapes())
    return [data.draw(arrays_of(x_shape, dtype)), data.draw(arrays_of(y_shape, dtype))], {}


def _logits(data, dtype):
    """x (batch..., n, k) and y (k, m): a matmul with a last dimension to take a softmax over."""
    batch = data.draw(shapes(min_dims=0, max_dims=1, max_side=3))
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    return [data.draw(arrays_of(batch + (n, k), dtype)), data.draw(arrays_of((k, m), dtype))], {}


def _indexing(data, dtype):
    shape, index = data.draw(index_cases())
    return [data.draw(arrays_of(shape, dtype))], {"index": index}


def _hips_expand(x, new_shape):
    n_new = len(new_shape) - x.ndim
    shape = tuple(x.shape[i - n_new] if side == -1 else side for i, side in enumerate(new_shape))
    # HIPS autograd's broadcast_to cannot add leading dimensions itself: add them as size 1 first.
    return anp.broadcast_to(anp.reshape(x, (1,) * n_new + x.shape), shape)


CASES = [
    Case("add", _broadcast({}, {}), lambda x, y: x + y, lambda x, y: x + y),
    Case("subtract", _broadcast({}, {}), lambda x, y: x - y, lambda x, y: x - y),
    Case("multiply", _broadcast({}, {}), lambda x, y: x * y, lambda x, y: x * y),
    Case("true_divide", _broadcast({}, {"min_magnitude": 0.5}), lambda x, y: x / y, lambda x, y: x / y),
    Case("negative", _one(), lambda x: -x, lambda x: -x),
    Case("exp", _one(), lambda x: x.exp(), anp.exp),
    Case("log", _one(min_value=0.2, max_value=10.0), lambda x: x.log(), anp.log),
    Case(
        "power",
        _broadcast({"min_value": 0.5, "max_value": 3.0}, {"min_value": -2.0, "max_value": 2.0}),
        lambda x, y: x**y,
        anp.power,
    ),
    Case("power by a number", _one(), lambda x: x**3, lambda x: x**3),
    Case("number to a power", _one(), lambda x: 2.5**x, lambda x: 2.5**x),
    Case("number plus", _with_number({"min_value": -5, "max_value": 5}), lambda x, number: number + x,
         lambda x, number: number + x),
    Case("number minus", _with_number({"min_value": -5, "max_value": 5}), lambda x, number: number - x,
         lambda x, number: number - x),
    Case("minus a number", _with_number({"min_value": -5, "max_value": 5}), lambda x, number: x - number,
         lambda x, number: x - number),
    Case("number times", _with_number({"min_value": -5, "max_value": 5}), lambda x, number: number * x,
         lambda x, number: number * x),
    Case("number divided by", _with_number({"min_value": -5, "max_value": 5}, min_magnitude=0.5),
         lambda x, number: number / x, lambda x, number: number / x),
    Case("divided by a number", _with_number({"min_value": 0.5, "max_value": 5}), lambda x, number: x / number,
         lambda x, number: x / number),
    Case("sum", _reduction(), lambda x, dim, keepdim: x.sum(dim=dim, keepdim=keepdim),
         lambda x, dim, keepdim: anp.sum(x, axis=dim, keepdims=keepdim)),
    Case("mean", _reduction(), lambda x, dim, keepdim: x.mean(dim=dim, keepdim=keepdim),
         lambda x, dim, keepdim: anp.mean(x, axis=dim, keepdims=keepdim)),
    Case("max", _reduction(unique=True), lambda x, dim, keepdim: x.max(dim=dim, keepdim=keepdim),
         lambda x, dim, keepdim: anp.max(x, axis=dim, keepdims=keepdim)),
    Case("reshape", _reshape, lambda x, new_shape: x.reshape(new_shape),
         lambda x, new_shape: anp.reshape(x, new_shape)),
    Case("permute", _permute, lambda x, axes: x.permute(*axes), lambda x, axes: anp.transpose(x, axes)),
    Case("transpose", _transpose, lambda x, dim0, dim1: x.transpose(dim0, dim1),
         lambda x, dim0, dim1: anp.swapaxes(x, dim0, dim1)),
    Case("expand", _expand, lambda x, new_shape: x.expand(*new_shape), _hips_expand),
    Case("matmul", _matmul, lambda x, y: x @ y, anp.matmul),
    Case("maximum", _maximum, lambda x, y: x.maximum(y), anp.maximum),
    Case("relu", _one(min_magnitude=0.01), lambda x: x.relu(), lambda x: anp.where(x > 0, x, 0.0)),
    Case("indexing", _indexing, lambda x, index: x[index], lambda x, index: x[index]),
    Case(
        "composite: log-softmax of a matmul",
        _logits,
        lambda x, y: _log_softmax_engine(x @ y),
        lambda x, y: _log_softmax_hips(anp.matmul(x, y)),
    ),
]


def _log_softmax_engine(z):
    # The shift by the row maximum is a constant for the gradient (its effect cancels).
    with al.no_grad():
        m = z.max(dim=-1, keepdim=True)
    shifted = z - m
    return shifted - shifted.exp().sum(dim=-1, keepdim=True).log()


def _log_softmax_hips(z):
    # HIPS differentiates through the maximum too: the same gradient, since that term cancels.
    shifted = z - anp.max(z, axis=-1, keepdims=True)
    return shifted - anp.log(anp.sum(anp.exp(shifted), axis=-1, keepdims=True))
