"""Backpropagation by hand on one small graph.

Explained in the book's chapter 6 (Backprop by hand).
"""

from __future__ import annotations

import numpy as np

from .backward import log_back, multiply_back0, multiply_back1

__all__ = ["forward_and_back"]


def forward_and_back(a: np.ndarray, b: np.ndarray, c: np.ndarray):
    """Compute g = log(log(c) * a * b) and return (dg/da, dg/db, dg/dc).

    The forward pass is d = a*b, e = log(c), f = d*e, g = log(f).  The backward
    pass starts from dg/dg = 1 and calls each node's backward function once, in
    reverse order.  ``a``, ``b`` and ``c`` may be arrays of shapes that
    broadcast together; each gradient comes back in its input's shape.  g is
    defined where ``a * b * log(c) > 0``: elsewhere the results are nan or inf
    (with numpy's warnings), not an error.

    >>> import numpy as np
    >>> from autograd_lite import forward_and_back
    >>> a, b, c = np.array([2.0]), np.array([3.0]), np.array([10.0])
    >>> dg_da, dg_db, dg_dc = forward_and_back(a, b, c)
    >>> dg_da, dg_db
    (array([0.5]), array([0.33333333]))
    >>> dg_dc
    array([0.04342945])
    """
    a, b, c = np.asarray(a), np.asarray(b), np.asarray(c)
    d = a * b
    e = np.log(c)
    f = d * e
    g = np.log(f)

    dg_dg = np.ones_like(g)
    dg_df = log_back(dg_dg, g, f)
    dg_dd = multiply_back0(dg_df, f, d, e)
    dg_de = multiply_back1(dg_df, f, d, e)
    dg_da = multiply_back0(dg_dd, d, a, b)
    dg_db = multiply_back1(dg_dd, d, a, b)
    dg_dc = log_back(dg_de, e, c)
    return dg_da, dg_db, dg_dc
