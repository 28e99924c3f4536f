"""Finite differences: the book's sanity check for every gradient.

Explained in the book's chapter 1 (Computational graphs); the tests use it for
every backward function.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

__all__ = ["numerical_gradient", "gradient_check"]


def numerical_gradient(
    f: Callable[..., np.ndarray],
    inputs: Sequence[np.ndarray],
    argnum: int = 0,
    grad_out: np.ndarray | None = None,
    eps: float = 1e-6,
) -> np.ndarray:
    r"""Central-difference gradient of ``sum(f(*inputs) * grad_out)`` with respect to ``inputs[argnum]``.

    Each element ``x_i`` is nudged by ``+eps`` and ``-eps`` and the estimate is
    ``(L(x + eps e_i) - L(x - eps e_i)) / (2 eps)``: two forward passes per
    element, which is why this is a check, never a training method.
    ``grad_out`` defaults to ones (the gradient of ``f(...).sum()``).
    Computed in float64 whatever the inputs' dtype.

    >>> import numpy as np
    >>> from autograd_lite import numerical_gradient
    >>> numerical_gradient(np.log, [np.array([2.0, 4.0])])
    array([0.5 , 0.25])
    """
    # order="C": reshape(-1) below must be a view, so the nudges reach the input.
    inputs = [np.array(x, dtype=np.float64, order="C") for x in inputs]
    x = inputs[argnum]
    if grad_out is None:
        grad_out = np.ones_like(np.asarray(f(*inputs), dtype=np.float64))
    grad_out = np.asarray(grad_out, dtype=np.float64)
    grad = np.zeros_like(x)
    flat_x, flat_grad = x.reshape(-1), grad.reshape(-1)
    for i in range(flat_x.size):
        original = flat_x[i]
        flat_x[i] = original + eps
        plus = np.sum(np.asarray(f(*inputs)) * grad_out)
        flat_x[i] = original - eps
        minus = np.sum(np.asarray(f(*inputs)) * grad_out)
        flat_x[i] = original
        flat_grad[i] = (plus - minus) / (2 * eps)
    return grad


def gradient_check(
    f: Callable[..., np.ndarray],
    backward: Callable[..., np.ndarray],
    inputs: Sequence[np.ndarray],
    argnum: int = 0,
    grad_out: np.ndarray | None = None,
    rtol: float = 1e-5,
    atol: float = 1e-7,
) -> None:
    """Assert that ``backward`` matches central finite differences.

    ``backward(grad_out, out, *inputs)`` has the signature of the book's
    backward functions and returns the gradient for ``inputs[argnum]``.
    Raises AssertionError with both gradients when they disagree.

    >>> import numpy as np
    >>> from autograd_lite import gradient_check, log_back
    >>> gradient_check(np.log, log_back, [np.array([0.5, 2.0, 3.0])])
    >>> wrong_log_back = lambda grad_out, out, x: grad_out * x
    >>> gradient_check(np.log, wrong_log_back, [np.array([0.5, 2.0, 3.0])])
    Traceback (most recent call last):
    ...
    AssertionError: gradient_check: the backward function disagrees with finite differences for argument 0.
      input 0:     [0.5 2.  3. ]
      numerical:   [2.         0.5        0.33333333]
      backward:    [0.5 2.  3. ]
    """
    inputs = [np.asarray(x, dtype=np.float64) if isinstance(x, np.ndarray) else x for x in inputs]
    out = np.asarray(f(*inputs))
    if grad_out is None:
        grad_out = np.ones_like(out, dtype=np.float64)
    expected = numerical_gradient(f, inputs, argnum=argnum, grad_out=grad_out)
    actual = np.asarray(backward(grad_out, out, *inputs))
    if actual.shape != expected.shape or not np.allclose(actual, expected, rtol=rtol, atol=atol):
        def show(label, value):  # rows of a matrix lined up under the first
            head = f"  {label + ':':<13}"
            return head + np.array2string(np.asarray(value), prefix=head)

        raise AssertionError(
            f"gradient_check: the backward function disagrees with finite differences for argument {argnum}.\n"
            + "\n".join(show(f"input {i}", x) for i, x in enumerate(inputs)) + "\n"
            + show("numerical", expected) + "\n"
            + show("backward", actual)
            + (f"\n  shapes:      expected {expected.shape}, got {actual.shape}" if actual.shape != expected.shape else "")
        )
