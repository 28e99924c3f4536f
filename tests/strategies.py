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
