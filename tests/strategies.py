"""Shared hypothesis strategies: shapes, broadcast-compatible shape pairs, float arrays, DAGs.

Every strategy keeps arrays small (at most a few hundred elements) so that a
finite-difference check of each example stays fast on a two-core machine.
"""

from __future__ import annotations

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

# One place for the budget: modest example counts, no deadline (the machine is shared,
# so wall-clock time per example says nothing about the code).
SETTINGS = settings(max_examples=50, deadline=None)

DTYPES = (np.float32, np.float64)
dtypes = st.sampled_from(DTYPES)


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 1, max_side: int = 4):
    """Array shapes such as (), (3,), (1, 4), (2, 1, 3)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def can_broadcast_to(original: tuple, target: tuple) -> bool:
    """Whether numpy broadcasts an array of shape ``original`` to ``target`` (asked of numpy itself)."""
    try:
        np.broadcast_to(np.empty(original), target)
    except ValueError:
        return False
    return True


@st.composite
def broadcast_pairs(draw, max_dims: int = 4, max_side: int = 4, min_side: int = 1):
    """(original shape, broadcast shape) such that original broadcasts to the broadcast shape.

    The original is the broadcast shape with some leading dimensions dropped
    (broadcasting prepends them) and some of the rest replaced by 1
    (broadcasting stretches them).  The broadcast shape itself may hold 1s.
    """
    target = draw(shapes(min_dims=0, max_dims=max_dims, min_side=min_side, max_side=max_side))
    n_prepended = draw(st.integers(0, len(target)))
    kept = target[n_prepended:]
    ones = draw(st.lists(st.booleans(), min_size=len(kept), max_size=len(kept)))
    original = tuple(1 if one else side for one, side in zip(ones, kept))
    return original, target


def invalid_broadcast_pairs():
    """(original shape, target shape) where original can NOT be broadcast to target.

    Either original has more dimensions than target, or an aligned dimension of
    original is neither 1 nor the target's size.  numpy itself is the judge.
    """
    pairs = st.tuples(shapes(min_dims=1, max_dims=4), shapes(min_dims=0, max_dims=4))
    return pairs.filter(lambda pair: not can_broadcast_to(*pair))


def float_arrays(shape, dtype=np.float64, min_value: float = -10.0, max_value: float = 10.0):
    """Arrays of the given shape and dtype with finite values in [min_value, max_value]."""
    width = 32 if np.dtype(dtype) == np.float32 else 64
    elements = st.floats(min_value, max_value, width=width, allow_nan=False, allow_infinity=False)
    return hnp.arrays(dtype, shape, elements=elements)


def mutually_broadcastable(num_shapes: int, max_dims: int = 3, max_side: int = 3):
    """``num_shapes`` shapes that broadcast together (prepended and size-1 dims), plus their result."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=num_shapes, min_dims=0, max_dims=max_dims, min_side=1, max_side=max_side
    )


@st.composite
def dags(draw, max_nodes: int = 25):
    """(root, children dict) of a random directed acyclic graph.

    Nodes are strings whose order is shuffled, so a correct sort cannot lean on
    their names.  Edges only go from a later node to an earlier one in a hidden
    order, which rules out cycles; repeated edges (x * x) are allowed.
    """
    n = draw(st.integers(1, max_nodes))
    labels = draw(st.permutations([f"n{i}" for i in range(n)]))
    children = {}
    for i in range(n):
        if i == 0:
            children[labels[i]] = []
            continue
        targets = draw(st.lists(st.integers(0, i - 1), max_size=4))
        children[labels[i]] = [labels[t] for t in targets]
    root = labels[draw(st.integers(0, n - 1))]
    return root, children


# ---------------------------------------------------------------- the engine (chapters 7-9)
# Used by tests/test_functions.py and tests/test_engine_vs_autograd.py.


def float_elements(dtype=np.float64, min_value: float = -3.0, max_value: float = 3.0, min_magnitude: float = 0.0):
    """Finite floats in [min_value, max_value] whose absolute value is at least ``min_magnitude``.

    ``min_magnitude`` keeps values away from 0 (a divisor, a relu input),
    where a finite difference would straddle a pole or a kink.
    """
    width = 32 if np.dtype(dtype) == np.float32 else 64
    if width == 32:  # bounds must be float32 numbers: round each one inwards
        low, high = np.float32(min_value), np.float32(max_value)
        min_value = float(low if low >= min_value else np.nextafter(low, np.float32(np.inf)))
        max_value = float(high if high <= max_value else np.nextafter(high, np.float32(-np.inf)))
    floats = st.floats(min_value, max_value, width=width, allow_nan=False, allow_infinity=False)
    if min_magnitude > 0:
        floats = floats.filter(lambda value: abs(value) >= min_magnitude)
    return floats


def arrays_of(shape, dtype=np.float64, **element_options):
    """An array of ``shape`` and ``dtype`` with elements from ``float_elements``."""
    return hnp.arrays(dtype, shape, elements=float_elements(dtype, **element_options))


@st.composite
def broadcastable_arrays(draw, *element_options: dict, dtype=np.float64, max_dims: int = 3, max_side: int = 3):
    """One array per dict of ``float_elements`` options, with shapes that broadcast together.

    ``broadcastable_arrays({}, {"min_magnitude": 0.5})`` gives ``[x, y]`` with
    ``y`` safe to divide by.  Shapes include prepended and size-1 dimensions.
    """
    shapes = draw(mutually_broadcastable(len(element_options), max_dims=max_dims, max_side=max_side)).input_shapes
    return [draw(arrays_of(shape, dtype, **options)) for shape, options in zip(shapes, element_options)]


def separated_arrays(shape, dtype=np.float64, offset: float = 0.0):
    """Arrays of quarter-integers in [-3, 3] plus ``offset``: two such arrays with offsets 0 and 0.1
    never tie and are never closer than 0.1, so max and maximum have no kink near them."""
    return hnp.arrays(dtype, shape, elements=st.integers(-12, 12).map(lambda k: k / 4 + offset))


@st.composite
def reduction_dims(draw, ndim: int):
    """A ``dim`` argument for sum/mean/max over ``ndim`` dimensions: None, an int or a tuple, negatives included."""
    if ndim == 0:
        return draw(st.sampled_from([None, ()]))
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None
    axes = st.integers(-ndim, ndim - 1)
    if kind == "int":
        return draw(axes)
    chosen = draw(st.lists(st.integers(0, ndim - 1), unique=True, max_size=ndim))
    negate = draw(st.lists(st.booleans(), min_size=len(chosen), max_size=len(chosen)))
    return tuple(axis - ndim if neg else axis for axis, neg in zip(chosen, negate))


@st.composite
def matmul_shapes(draw, max_side: int = 4):
    """(x shape, y shape) that np.matmul accepts: 1-D, 2-D, or batched with broadcast batch dimensions."""
    n, k, m = (draw(st.integers(1, max_side)) for _ in range(3))
    batch_x, batch_y = draw(mutually_broadcastable(2, max_dims=2, max_side=3)).input_shapes
    x_kind, y_kind = draw(st.sampled_from(["1d", "2d", "batched"])), draw(st.sampled_from(["1d", "2d", "batched"]))
    x_shape = {"1d": (k,), "2d": (n, k), "batched": batch_x + (n, k)}[x_kind]
    y_shape = {"1d": (k,), "2d": (k, m), "batched": batch_y + (k, m)}[y_kind]
    return x_shape, y_shape


@st.composite
def index_cases(draw, max_dims: int = 3, max_side: int = 4):
    """(shape, index) pairs for ``x[index]``: ints, slices, integer arrays with repeats, boolean masks."""
    shape = draw(shapes(min_dims=1, max_dims=max_dims, min_side=1, max_side=max_side))
    n = shape[0]
    kind = draw(st.sampled_from(["int", "slice", "int array", "two int arrays", "mask", "slice and int"]))
    if kind == "int":
        index = draw(st.integers(-n, n - 1))
    elif kind == "slice":
        bound = st.one_of(st.none(), st.integers(-n, n))
        index = slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, -1])))
    elif kind == "int array":
        index = np.array(draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=6)))
    elif kind == "two int arrays" and len(shape) >= 2:
        size = draw(st.integers(1, 5))
        index = tuple(
            np.array(draw(st.lists(st.integers(0, side - 1), min_size=size, max_size=size))) for side in shape[:2]
        )
    elif kind == "mask":
        index = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    else:
        index = (slice(None), draw(st.integers(0, shape[1] - 1))) if len(shape) >= 2 else slice(None, None, -1)
    return shape, index
