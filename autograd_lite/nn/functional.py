r"""Softmax and the cross-entropy loss, built from the engine's operations and computed stably.

Explained in the book's chapter 10 (Training a neural network).

A classifier outputs one raw score (a *logit*) per class; softmax turns a
row of logits into probabilities, and the cross-entropy loss of an example
is $-\log p_{\text{target}}$.  Computed naively, ``exp(1000.0)``
overflows to ``inf`` and the loss becomes ``nan``.  Subtracting each row's
maximum first changes nothing mathematically,

$$
\log \mathrm{softmax}(x)_i = (x_i - m) - \log \sum_j e^{x_j - m},
\qquad m = \max_j x_j,
$$

but now every exponent is at most 0, so ``exp`` cannot overflow and the
largest term of the sum is exactly 1, so the ``log`` is finite.  The shift
``m`` is a constant for the gradient: its effect cancels between the two
terms, so the engine never needs to differentiate ``max``.

>>> import numpy as np
>>> from autograd_lite import Tensor
>>> from autograd_lite.nn.functional import cross_entropy
>>> logits = Tensor([[1000.0, 0.0, 0.0, 0.0]], requires_grad=True)
>>> loss = cross_entropy(logits, np.array([0]))
>>> loss  # -log(1.0): zero (numpy prints the sign of the negation)
Tensor(-0., recipe=negative)
>>> loss.backward()
>>> logits.grad
Tensor([[0., 0., 0., 0.]])
"""

from __future__ import annotations

import numbers

import numpy as np

from ..tensor import Tensor, no_grad

__all__ = ["softmax", "log_softmax", "cross_entropy"]


def _as_tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _check_dim(owner: str, x: Tensor, dim) -> None:
    """Raise unless ``dim`` names a dimension of ``x``: ``-x.ndim <= dim < x.ndim`` (a 0-d x counts as 1-d, as in PyTorch)."""
    ndim = max(x.ndim, 1)
    if not isinstance(dim, numbers.Integral) or isinstance(dim, bool):
        raise TypeError(
            f"{owner}: dim must be an integer, the dimension to normalise along, but got {dim!r}. For "
            f"x of shape {x.shape}, pass an integer from {-ndim} to {ndim - 1} (dim=-1 is the last one)."
        )
    if not -ndim <= dim < ndim:
        raise IndexError(
            f"{owner}: dim={dim} is out of range for x of shape {x.shape}, which has {x.ndim} "
            f"dimension(s): dim must be from {-ndim} to {ndim - 1}. For rows of class scores "
            "(shape (N, C)) use dim=1, or dim=-1 for the last dimension."
        )


def _row_max(x: Tensor, dim: int) -> Tensor:
    """The maximum along ``dim`` (kept as size 1), computed under no_grad: a constant for the gradient.

    Over an empty dimension there is no maximum, and none is needed (the
    result is empty): 0 of the right shape stands in.
    """
    with no_grad():
        if x.shape and x.shape[dim] == 0:
            return x.sum(dim=dim, keepdim=True)
        return x.max(dim=dim, keepdim=True)


def log_softmax(x, dim: int = -1) -> Tensor:
    r"""``log(softmax(x))`` along ``dim``, computed without overflow.

    $\log \mathrm{softmax}(x)_i = (x_i - m) - \log \sum_j e^{x_j - m}$
    with $m = \max_j x_j$; every exponent is at most 0.

    ``dim`` is the dimension to normalise along, an integer from
    ``-x.ndim`` to ``x.ndim - 1`` (default -1, the last); another value
    raises IndexError, as in PyTorch.

    >>> from autograd_lite import Tensor
    >>> from autograd_lite.nn.functional import log_softmax
    >>> log_softmax(Tensor([[0.0, 0.0], [1000.0, 0.0]]), dim=1)
    Tensor([[-6.93147181e-01, -6.93147181e-01],
            [ 0.00000000e+00, -1.00000000e+03]])
    """
    x = _as_tensor(x)
    _check_dim("log_softmax", x, dim)
    shifted = x - _row_max(x, dim)
    if shifted.size == 0:
        return shifted  # an empty dimension: nothing to normalise (log of an empty sum would be -inf)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def softmax(x, dim: int = -1) -> Tensor:
    r"""Probabilities from scores along ``dim``: $e^{x_i} / \sum_j e^{x_j}$, computed without overflow.

    Each slice along ``dim`` is positive and sums to 1.  The row maximum is
    subtracted before ``exp`` (the result is the same, the exponents stay <= 0).
    ``dim`` is an integer from ``-x.ndim`` to ``x.ndim - 1`` (default -1, the
    last dimension); another value raises IndexError, as in PyTorch.

    >>> from autograd_lite import Tensor
    >>> from autograd_lite.nn.functional import softmax
    >>> softmax(Tensor([[1.0, 1.0], [2.0, 0.0], [1000.0, 0.0]]), dim=1)
    Tensor([[0.5       , 0.5       ],
            [0.88079708, 0.11920292],
            [1.        , 0.        ]])
    >>> softmax(Tensor([[1.0, 1.0]]), dim=2)
    Traceback (most recent call last):
    ...
    IndexError: softmax: dim=2 is out of range for x of shape (1, 2), which has 2 dimension(s): dim must be from -2 to 1. For rows of class scores (shape (N, C)) use dim=1, or dim=-1 for the last dimension.
    """
    x = _as_tensor(x)
    _check_dim("softmax", x, dim)
    exps = (x - _row_max(x, dim)).exp()
    return exps / exps.sum(dim=dim, keepdim=True)


def _class_indices(targets, n_rows: int, n_classes: int) -> np.ndarray:
    """``targets`` as an integer array of shape (n_rows,) with values in [0, n_classes), or a clear error."""
    array = np.asarray(targets.array if isinstance(targets, Tensor) else targets)
    if array.size == 0:
        array = array.astype(int)  # no targets: np.asarray([]) is float, but there is no class to check
    # The conversions suggested below work on every accepted form of targets: array, list or Tensor.
    if array.dtype.kind not in "iu":
        raise TypeError(
            f"cross_entropy: targets must be integer class indices in [0, {n_classes}), one per "
            f"example, but they have dtype {array.dtype} and shape {array.shape}: {_short(array)}. "
            "For whole numbers stored as floats, convert them with np.asarray(targets, dtype=int); "
            "for one-hot rows, take each row's class with np.argmax(np.asarray(targets), axis=1)."
        )
    if array.ndim != 1:
        raise ValueError(
            f"cross_entropy: targets must have shape (N,), one class index per example, but they "
            f"have shape {array.shape}. For one-hot rows, take each row's class with "
            "np.argmax(np.asarray(targets), axis=1); otherwise flatten them with "
            "np.asarray(targets).reshape(-1)."
        )
    if len(array) != n_rows:
        raise ValueError(
            f"cross_entropy: logits has {n_rows} rows (examples) but targets has {len(array)} "
            "entries: pass one target class per row of logits (the same batch for both)."
        )
    bad = (array < 0) | (array >= n_classes)
    if bad.any():
        positions = np.flatnonzero(bad)
        raise ValueError(
            f"cross_entropy: targets must be class indices in [0, {n_classes}) because logits has "
            f"{n_classes} columns (classes), but targets[{_short(positions)}] = "
            f"{_short(array[positions])}. Check that the model's last layer has one output per "
            "class, and that the labels count from 0."
        )
    return array


def _short(array: np.ndarray, limit: int = 8) -> str:
    """A list's text for an error message, cut after ``limit`` items."""
    items = np.asarray(array).ravel().tolist()
    if len(items) <= limit:
        return str(items)
    return str(items[:limit])[:-1] + ", ...]"


def cross_entropy(logits, targets, reduction: str = "mean") -> Tensor:
    r"""The cross-entropy loss of a batch, by default its mean: $-\frac{1}{N}\sum_n \log \mathrm{softmax}(x_n)_{t_n}$.

    - ``logits``: a Tensor of shape ``(N, C)``, one row of C raw class scores
      per example (no softmax applied: this function applies it, stably);
    - ``targets``: integers of shape ``(N,)``, each in ``[0, C)``, the correct
      class of each example (a numpy array, a list or an integer Tensor).

    - ``reduction``: as PyTorch's, ``'mean'`` (the default: the batch mean, a
      0-d Tensor), ``'sum'`` (the batch sum, a 0-d Tensor) or ``'none'`` (one
      loss per example, shape ``(N,)``).

    Returns a Tensor whose gradient reaches ``logits``: with ``'mean'``,
    ``(softmax(logits) - one_hot(targets)) / N``; with ``'sum'`` the same
    without the ``/ N``; with ``'none'``, row n gets its ``grad_out[n]`` times
    ``softmax(x_n) - one_hot(t_n)``.

    >>> import numpy as np
    >>> from autograd_lite import Tensor
    >>> from autograd_lite.nn.functional import cross_entropy
    >>> logits = Tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]], requires_grad=True)
    >>> loss = cross_entropy(logits, np.array([0, 2]))
    >>> print(round(loss.item(), 4))  # (-log 0.7870 - log 1/3) / 2
    0.6691
    >>> loss.backward()
    >>> logits.grad
    Tensor([[-0.10650698,  0.05325349,  0.05325349],
            [ 0.16666667,  0.16666667, -0.33333333]])
    >>> cross_entropy(logits, np.array([0, 3]))
    Traceback (most recent call last):
    ...
    ValueError: cross_entropy: targets must be class indices in [0, 3) because logits has 3 columns (classes), but targets[[1]] = [3]. Check that the model's last layer has one output per class, and that the labels count from 0.

    One loss per example, or their sum:

    >>> cross_entropy(logits, np.array([0, 2]), reduction='none')
    Tensor([0.23954477, 1.09861229], recipe=negative)
    >>> print(round(cross_entropy(logits, np.array([0, 2]), reduction='sum').item(), 4))
    1.3382

    An empty batch (``N = 0``, with empty targets of any dtype, such as
    ``[]``) has the sum 0 and no losses; its mean is undefined, so
    ``'mean'`` raises ValueError where PyTorch returns ``nan``:

    >>> empty = Tensor(np.zeros((0, 3)))
    >>> cross_entropy(empty, [], reduction='sum').item(), cross_entropy(empty, [], reduction='none').shape
    (-0.0, (0,))
    >>> cross_entropy(empty, [])
    Traceback (most recent call last):
    ...
    ValueError: cross_entropy: the batch is empty (logits has 0 rows): the mean of no losses is undefined (PyTorch returns nan). Pass reduction='sum' for 0, or reduction='none' for no losses.

    Raises:

    - ``ValueError`` if ``reduction`` is not ``'mean'``, ``'sum'`` or
      ``'none'``; if ``logits`` is not 2-D; if the batch is empty and
      ``reduction='mean'``; if ``targets`` is not of shape ``(N,)`` (one-hot
      rows, say, or a different N); or if a target is outside ``[0, C)``;
    - ``TypeError`` if ``targets`` are not integers (floats, say).
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(
            f"cross_entropy: reduction must be one of 'mean', 'sum' or 'none' (as in PyTorch), but got "
            f"{reduction!r}. 'mean' averages the losses of the batch, 'sum' adds them, 'none' returns one "
            "loss per example."
        )
    logits = _as_tensor(logits)
    if logits.ndim != 2:
        raise ValueError(
            f"cross_entropy: logits must have shape (N, C), one row of C class scores per example, "
            f"but they have shape {logits.shape}. For a single example, pass logits.reshape(1, -1) "
            "and a targets array of length 1."
        )
    n_rows, n_classes = logits.shape
    if n_rows == 0 and reduction == "mean":
        raise ValueError(
            "cross_entropy: the batch is empty (logits has 0 rows): the mean of no losses is undefined "
            "(PyTorch returns nan). Pass reduction='sum' for 0, or reduction='none' for no losses."
        )
    targets = _class_indices(targets, n_rows, n_classes)
    log_probs = log_softmax(logits, dim=1)
    picked = log_probs[np.arange(n_rows), targets]  # log softmax(x_n)[t_n], one per example
    if reduction == "none":
        return -picked
    return -picked.sum() if reduction == "sum" else -picked.mean()


_REDUCTIONS = ("mean", "sum", "none")
