"""Backward functions: the derivative table.

One small function per (forward function, argument position).  Each takes the
gradient of the loss with respect to the forward function's output
(``grad_out``), the output itself (``out``) and the forward function's inputs,
and returns the gradient of the loss with respect to one input.

Explained in the book's chapter 2 (Backward functions).
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
