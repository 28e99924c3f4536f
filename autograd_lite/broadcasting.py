"""Broadcasting and its adjoint, ``unbroadcast``.

Explained in the book's chapters 3 (Broadcasting) and 4 (Unbroadcast).
"""

from __future__ import annotations

import numpy as np

__all__ = ["unbroadcast"]


def unbroadcast(broadcasted: np.ndarray, original: np.ndarray) -> np.ndarray:
    """Sum ``broadcasted`` back down to the shape of ``original``.

    Broadcasting copies ``original`` along the dimensions it prepends and along
    its size-1 dimensions.  On the way back every copy sends its gradient to the
    one element it was copied from, so the gradient is *summed* over exactly
    those dimensions:

    1. sum away the dimensions broadcasting prepended;
    2. sum, keeping the dimension, wherever ``original`` has size 1.

    A floating-point dtype of ``broadcasted`` is kept (float32 stays float32).
    When ``original`` is 0-d (or a Python number) the result is a numpy scalar
    of that dtype, which numpy treats as a 0-d array.

    >>> import numpy as np
    >>> from autograd_lite import unbroadcast
    >>> original = np.zeros((3, 1))
    >>> broadcasted = np.ones((1, 2, 3, 4))
    >>> unbroadcast(broadcasted, original)
    array([[8.],
           [8.],
           [8.]])
    >>> unbroadcast(np.ones((2, 3)), np.zeros((4,)))
    Traceback (most recent call last):
    ...
    ValueError: unbroadcast: an array of shape (4,) cannot be broadcast to shape (2, 3), so a gradient of shape (2, 3) cannot be summed back to it. Pass the gradient of the broadcast result and the array that was broadcast, in that order.
    """
    # The common case in a backward pass: nothing was broadcast.  Checking it
    # first, before any conversion, keeps the per-node cost of every binary
    # backward function low.
    if (
        type(broadcasted) is np.ndarray
        and type(original) is np.ndarray
        and broadcasted.shape == original.shape
    ):
        return broadcasted
    broadcasted = np.asarray(broadcasted)
    target = np.shape(original)
    shape = broadcasted.shape
    n_prepended = len(shape) - len(target)
    if n_prepended < 0:
        raise _cannot_unbroadcast(target, shape)
    # One reduction over every broadcast axis: the prepended ones and the
    # stretched size-1 ones.  Cheaper than two passes, same result.
    axes = list(range(n_prepended))  # 1. the prepended dimensions
    for i, size in enumerate(target):  # 2. the size-1 dimensions that were stretched
        broadcast_size = shape[n_prepended + i]
        if size == broadcast_size:
            continue
        if size != 1:
            raise _cannot_unbroadcast(target, shape)
        axes.append(n_prepended + i)
    if not axes:
        return broadcasted
    summed = broadcasted.sum(axis=tuple(axes))
    # Summing removed the stretched dimensions too; put them back (size 1) if there were any.
    return summed if summed.shape == target else summed.reshape(target)


def _cannot_unbroadcast(target: tuple, shape: tuple) -> ValueError:
    return ValueError(
        f"unbroadcast: an array of shape {target} cannot be broadcast to shape "
        f"{shape}, so a gradient of shape {shape} cannot be summed back to it. "
        "Pass the gradient of the broadcast result and the array that was "
        "broadcast, in that order."
    )
