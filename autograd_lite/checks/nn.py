"""Learner checks for chapter 10 (Training a neural network): Linear, cross_entropy, SGD.step.

Each exercise of chapter 10 ends by running the reader's own code through one
of these checks:

- `check_linear(Linear)`: a ``Linear(in_features, out_features, bias=True,
  rng=None)`` class, subclassing ``autograd_lite.nn.Module``;
- `check_cross_entropy(cross_entropy)`: a function ``cross_entropy(logits,
  targets)`` built from Tensor operations;
- `check_sgd_step(SGD)`: an ``SGD(params, lr, momentum=0.0,
  weight_decay=0.0)`` class, subclassing ``autograd_lite.optim.Optimizer``,
  whose ``step()`` is the exercise.

A check compares the reader's answers with the library's own
``autograd_lite.nn``, ``autograd_lite.nn.functional`` and
``autograd_lite.optim`` (which the tests hold to finite differences and to
the update equations), on fixed cases and on cases drawn at random (a new
seed on every call, printed with a failure; ``seed=`` repeats it), each call
of the reader's code with a time limit (``time_limit=``).  When every case is right it prints one line,
``<check name>: all tests passed``.  Otherwise it raises:

- ``NotImplementedError`` while the code is still the exercise's stub, naming
  the stub that raised: ``cross_entropy``, ``Linear``, ``Linear.forward``,
  ``SGD.step``;
- ``AssertionError`` for a wrong answer, showing the inputs, the expected and
  the actual result, and a hint where the mistake is a common one;
- any other exception the code raises, unchanged, with a note naming the
  call that raised it.

>>> import numpy as np
>>> from autograd_lite.checks import check_cross_entropy
>>> def cross_entropy(logits, targets):  # sums where it should average
...     log_probs = logits - logits.exp().sum(dim=1, keepdim=True).log()
...     return -log_probs[np.arange(len(targets)), targets].sum()
>>> check_cross_entropy(cross_entropy)
Traceback (most recent call last):
...
AssertionError: check_cross_entropy: wrong loss for cross_entropy(logits of shape (4, 3), targets = [0, 2, 1, 2])
  logits (shape (4, 3), float64): [[ 3. ,  1. ,  1.5],
                                   [ 2.5,  0.5,  2. ],
                                   [ 2.5, -2. , -3. ],
                                   [-1.5, -1.5,  2.5]]
  expected: 1.478092600092254
  actual: 5.9123704003690145
  hint: the loss is the mean over the batch, not the sum: divide by N (or use .mean()).
"""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from ..nn import Module, Parameter
from ..nn.functional import cross_entropy as _cross_entropy
from ..optim import SGD as _SGD
from ..tensor import Tensor
from .common import _name, _Run, _show

__all__ = ["check_linear", "check_cross_entropy", "check_sgd_step"]

_RTOL, _ATOL = 1e-6, 1e-9


def _call(run: _Run, label: str, fn: Callable, call: str, *args, **kwargs) -> Any:
    """Run the reader's code ``fn`` (named ``label``: ``Linear``, ``Linear.forward``, ``SGD.step``).

    The stub's NotImplementedError becomes the book's message, the call has
    the check's time limit, and any other exception gets a note naming the call.
    """
    return run.call(fn, args, call, kwargs=kwargs, label=label)


def _fail(check: str, what: str, call: str, lines: list[str], hint: str | None = None) -> AssertionError:
    text = [f"{check}: {what} for {call}", *lines]
    if hint:
        text.append(f"  hint: {hint}")
    return AssertionError("\n".join(text))


def _close(actual, expected) -> bool:
    actual, expected = np.asarray(actual), np.asarray(expected)
    return actual.shape == expected.shape and bool(np.allclose(actual, expected, rtol=_RTOL, atol=_ATOL))


def _values(rng: np.random.Generator, shape: tuple, low: float = -3.0, high: float = 3.0) -> np.ndarray:
    """Random multiples of 0.5 in [low, high], never 0: short to print."""
    choices = np.arange(low, high + 0.25, 0.5)
    return rng.choice(choices[choices != 0], size=shape)


# ------------------------------------------------------------------ Linear


def _linear_call(cls, in_features: int, out_features: int, seed: int, bias: bool = True) -> str:
    bias_text = "" if bias else ", bias=False"
    return f"{_name(cls)}({in_features}, {out_features}{bias_text}, rng=np.random.default_rng({seed}))"


def _make_linear(run: _Run, cls, in_features: int, out_features: int, seed: int, bias: bool = True):
    check = run.check
    call = _linear_call(cls, in_features, out_features, seed, bias)
    kwargs = {"rng": np.random.default_rng(seed)}
    if not bias:
        kwargs["bias"] = False
    layer = _call(run, _name(cls), cls, call, in_features, out_features, **kwargs)
    if not isinstance(layer, Module):
        raise _fail(
            check, "not a Module", call, [f"  actual: {type(layer).__name__}"],
            "write class Linear(Module) and call super().__init__() first in __init__, so that "
            "parameters() finds the weights.",
        )
    return layer, call


def _check_parameter(check: str, call: str, layer, name: str, shape: tuple, shape_hint: str) -> Parameter:
    param = getattr(layer, name, None)
    if not isinstance(param, Parameter):
        raise _fail(
            check, f"layer.{name} is not a Parameter", call, [f"  actual: {param!r}"],
            f"assign self.{name} = Parameter(array) so the layer registers it and the optimiser trains it.",
        )
    if param.shape != shape:
        raise _fail(
            check, f"wrong shape of layer.{name}", call,
            [f"  expected: {shape}", f"  actual: {param.shape}"], shape_hint,
        )
    return param


def _check_linear_init(run: _Run, cls) -> None:
    check = run.check
    weight_hint = (
        "the weight has shape (out_features, in_features), as in PyTorch: row j holds the weights "
        "of output j, and forward computes x @ weight.T."
    )
    for in_features, out_features, seed in [(3, 3, 0), (4, 2, 1), (1, 5, 2)]:
        layer, call = _make_linear(run, cls, in_features, out_features, seed)
        weight = _check_parameter(check, call, layer, "weight", (out_features, in_features), weight_hint)
        bias = _check_parameter(check, call, layer, "bias", (out_features,), "the bias has one entry per output: shape (out_features,).")
        params = list(layer.parameters())
        if len(params) != 2 or params[0] is not weight or params[1] is not bias:
            raise _fail(
                check, "wrong parameters()", call,
                ["  expected: [layer.weight, layer.bias], in that order", f"  actual: {params!r}"],
                "assign self.weight before self.bias, both as Parameters, and nothing else as a Parameter.",
            )
        for name, value in [("in_features", in_features), ("out_features", out_features)]:
            stored = getattr(layer, name, None)
            if not (isinstance(stored, int) and stored == value):
                raise _fail(
                    check, f"wrong layer.{name}", call, [f"  expected: {value}", f"  actual: {stored!r}"],
                    "keep the sizes as attributes, as PyTorch's Linear does: "
                    "self.in_features, self.out_features = in_features, out_features.",
                )
        again, _ = _make_linear(run, cls, in_features, out_features, seed)
        if not (np.array_equal(again.weight.array, weight.array) and np.array_equal(again.bias.array, bias.array)):
            raise _fail(
                check, "different weights from the same seed", call,
                [_show("1st weight", weight.array), _show("2nd weight", again.weight.array)],
                "draw the weights from the rng argument (rng.uniform(low, high, size=...)), not from "
                "np.random, so that one seed always gives the same layer.",
            )

    # A big layer shows the distribution: uniform in [-1/sqrt(in), 1/sqrt(in)], weight and bias.
    in_features, out_features, seed = 100, 200, 3
    layer, call = _make_linear(run, cls, in_features, out_features, seed)
    bound = 1 / math.sqrt(in_features)
    hint = (
        "draw the weight and the bias from the uniform distribution on [-b, b] with "
        "b = 1 / sqrt(in_features): rng.uniform(-b, b, size=shape)."
    )
    for name, shape, least_max in [("weight", (out_features, in_features), 0.95), ("bias", (out_features,), 0.8)]:
        values = _check_parameter(check, call, layer, name, shape, hint).array
        largest, spread = float(np.abs(values).max()), float(values.std())
        uniform_spread = bound / math.sqrt(3)  # the standard deviation of U(-b, b)
        problems = []
        if largest > bound:
            problems.append(f"some values lie outside [-b, b]: the largest |value| is {largest:.4f}")
        elif largest < least_max * bound:
            problems.append(f"the values stay well inside [-b, b]: the largest |value| is only {largest:.4f}")
        if abs(float(values.mean())) > 0.1 * bound:
            problems.append(f"the values are not centred on 0: their mean is {float(values.mean()):.4f}")
        if name == "weight" and abs(spread - uniform_spread) > 0.05 * uniform_spread:
            problems.append(
                f"their standard deviation is {spread:.4f}, but U(-b, b) has b / sqrt(3) = {uniform_spread:.4f}"
            )
        if problems:
            raise _fail(
                check, f"wrong initial {name}", call,
                [f"  expected: uniform on [-b, b], b = 1 / sqrt(in_features) = {bound:.4f}"]
                + [f"  actual: {problem}" for problem in problems],
                hint,
            )

    _check_linear_rng_kinds(run, cls)

    layer, call = _make_linear(run, cls, 4, 3, 4, bias=False)
    weight = _check_parameter(check, call, layer, "weight", (3, 4), weight_hint)
    params = list(layer.parameters())
    if getattr(layer, "bias", "missing") is not None or len(params) != 1 or params[0] is not weight:
        raise _fail(
            check, "wrong layer without bias", call,
            ["  expected: layer.bias is None and parameters() is [layer.weight]",
             f"  actual: layer.bias = {getattr(layer, 'bias', 'missing')!r}, parameters() = {params!r}"],
            "with bias=False, set self.bias = None.",
        )


def _check_linear_rng_kinds(run: _Run, cls) -> None:
    """``rng`` may also be an int seed (the same layer as ``np.random.default_rng(seed)``) or None."""
    check = run.check
    hint = (
        "rng may be a Generator, an int seed or None (fresh randomness): start with "
        "rng = np.random.default_rng(rng), which accepts all three."
    )
    in_features, out_features = 3, 2
    from_generator, _ = _make_linear(run, cls, in_features, out_features, 5)

    def made_with(rng):
        """(the layer made with ``rng``, the call that made it, its checked weight)."""
        call = f"{_name(cls)}({in_features}, {out_features}, rng={rng!r})"
        try:
            layer = _call(run, _name(cls), cls, call, in_features, out_features, rng=rng)
        except (AttributeError, TypeError) as exc:
            raise AssertionError(f"{check}: {call} raised {type(exc).__name__}: {exc}\n  hint: {hint}") from None
        return layer, call, _check_parameter(check, call, layer, "weight", (out_features, in_features), hint)

    # An int seed: the same layer as a Generator made from it.
    layer, call, weight = made_with(5)
    bias = _check_parameter(check, call, layer, "bias", (out_features,), hint)
    for name, mine, reference in [("weights", weight, from_generator.weight), ("biases", bias, from_generator.bias)]:
        if not np.array_equal(mine.array, reference.array):
            raise _fail(
                check, f"different {name} from the seed 5 and from np.random.default_rng(5)", call,
                [_show("with np.random.default_rng(5)", reference.array), _show("with rng=5", mine.array)],
                hint + " Make one Generator and draw the weight, then the bias, from it.",
            )
    if np.isin(bias.array, weight.array).any():
        raise _fail(
            check, "a bias value copied from the weight", call,
            [_show("weight", weight.array), _show("bias", bias.array)],
            "draw the bias from the same Generator after the weight, not a second Generator made "
            "from the same seed (that repeats the weight's first values) and not the weight's values.",
        )
    # None: fresh randomness, a different layer each time.
    first, second = made_with(None)[2].array, made_with(None)[2].array
    if np.array_equal(first, second):
        raise _fail(
            check, "the same weights every time with rng=None", f"{_name(cls)}(3, 2) twice",
            [_show("first", first), _show("second", second)],
            "rng=None means fresh randomness: np.random.default_rng(None), not a fixed seed.",
        )


def _check_linear_forward(run: _Run, cls) -> None:
    rng = np.random.default_rng(10)
    cases = [(3, 3, 2, True, rng), (4, 2, 3, True, rng), (2, 5, 4, True, rng), (3, 2, 2, False, rng)]
    for _ in range(2):
        sizes = run.rng.integers(1, 7, size=3)
        cases.append((int(sizes[0]), int(sizes[1]), int(sizes[2]), bool(run.rng.random() < 0.8), run.rng))
    for in_features, out_features, batch, bias, source in cases:
        with run.random_case(source is run.rng):
            _check_linear_forward_case(run, cls, in_features, out_features, batch, bias, source)


def _check_linear_forward_case(run: _Run, cls, in_features: int, out_features: int, batch: int, bias: bool, rng) -> None:
    check = run.check
    layer, call = _make_linear(run, cls, in_features, out_features, in_features + out_features, bias)
    x = _values(rng, (batch, in_features))
    grad_out = _values(rng, (batch, out_features))
    weight = layer.weight.array.copy()
    bias_values = layer.bias.array.copy() if bias else np.zeros(out_features)
    expected = x @ weight.T + bias_values
    x_tensor = Tensor(x, requires_grad=True)
    forward_call = f"{call}(x) with x of shape {x.shape}"
    out = _call(run, f"{_name(cls)}.forward", layer, forward_call, x_tensor)
    inputs = [_show("x", x), _show("layer.weight", weight)] + ([_show("layer.bias", bias_values)] if bias else [])
    if not isinstance(out, Tensor):
        raise _fail(
            check, "wrong output type", forward_call, [f"  actual: {type(out).__name__}"],
            "return a Tensor built with Tensor operations: x @ self.weight.T + self.bias.",
        )
    if not _close(out.array, expected):
        hint = None
        if out.shape == expected.shape and bias and _close(out.array, x @ weight.T):
            hint = "the output is x @ weight.T without the bias: add self.bias."
        elif out.shape == expected.shape and weight.shape[0] == weight.shape[1] and _close(out.array, x @ weight + bias_values):
            hint = "the weight has shape (out_features, in_features): multiply by its transpose, x @ self.weight.T."
        elif out.shape != expected.shape:
            hint = f"the output has shape (batch, out_features) = {expected.shape}."
        raise _fail(
            check, "wrong output", forward_call,
            inputs + [_show("expected", expected), _show("actual", out.array)], hint,
        )
    if not out.requires_grad:
        raise _fail(
            check, "no graph behind the output", forward_call, [f"  actual: {out!r}"],
            "compute the output with Tensor operations on x and the Parameters (not on their "
            ".array), so backward() reaches the weights.",
        )
    _call(run, "backward", out.backward, f"{forward_call}, then backward()", grad_out)
    grads = [("x", x_tensor, grad_out @ weight), ("layer.weight", layer.weight, grad_out.T @ x)]
    if bias:
        grads.append(("layer.bias", layer.bias, grad_out.sum(axis=0)))
    for name, tensor, expected_grad in grads:
        actual_grad = None if tensor.grad is None else tensor.grad.array
        if actual_grad is None or not _close(actual_grad, expected_grad):
            raise _fail(
                check, f"wrong gradient for {name}", f"{forward_call}, then backward(grad_out)",
                inputs + [_show("grad_out", grad_out), _show("expected", expected_grad),
                          _show("actual", actual_grad) if actual_grad is not None else "  actual: None"],
                "build the output only from Tensor operations on x, self.weight and self.bias.",
            )


def check_linear(cls, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check a ``Linear(in_features, out_features, bias=True, rng=None)`` layer class.

    The class must subclass ``autograd_lite.nn.Module`` and hold ``weight``, a
    Parameter of shape ``(out_features, in_features)``, and ``bias``, a
    Parameter of shape ``(out_features,)`` (None with ``bias=False``), both
    drawn uniformly from ``[-1/sqrt(in_features), 1/sqrt(in_features)]``
    with ``rng`` (a Generator, an int seed or None), and keeps the sizes as
    ``in_features`` and ``out_features``.  Calling the layer on ``x`` of shape ``(batch, in_features)``
    returns ``x @ weight.T + bias``, and backward() reaches x, weight and bias.

    >>> from autograd_lite.nn import Linear
    >>> from autograd_lite.checks import check_linear
    >>> check_linear(Linear)
    check_linear: all tests passed
    """
    run = _Run("check_linear", (cls,), seed, time_limit)
    _check_linear_init(run, cls)
    _check_linear_forward(run, cls)
    run.passed()


# ------------------------------------------------------------------ cross_entropy


def _cross_entropy_hint(logits: np.ndarray, targets: np.ndarray, actual: float, expected: float) -> str | None:
    n = len(targets)
    if n > 1 and math.isclose(actual, expected * n, rel_tol=1e-6):
        return "the loss is the mean over the batch, not the sum: divide by N (or use .mean())."
    if math.isclose(actual, -expected, rel_tol=1e-6):
        return "the loss is minus the log-probability of the target class: -log_softmax(...)[rows, targets]."
    if not math.isfinite(actual):
        return (
            "exp of a large logit overflows, and log of a tiny probability is -inf: compute "
            "log_softmax directly as (x - m) - log(sum(exp(x - m))), with m the row's maximum."
        )
    return None


def check_cross_entropy(fn: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``cross_entropy(logits, targets)``: the mean of ``-log softmax(logits)[n, targets[n]]``.

    ``logits`` is a Tensor of shape (N, C) that requires grad, ``targets`` an
    integer array of shape (N,).  The result must be a one-element Tensor
    whose backward() gives ``logits.grad = (softmax(logits) - one_hot) / N``.
    The cases include logits such as [1000, 0, 0, 0]: the loss must stay
    finite with no overflow (run with numpy's floating-point errors raised).

    >>> from autograd_lite.nn.functional import cross_entropy
    >>> from autograd_lite.checks import check_cross_entropy
    >>> check_cross_entropy(cross_entropy)
    check_cross_entropy: all tests passed
    """
    check = "check_cross_entropy"
    run = _Run(check, (fn,), seed, time_limit)
    rng = np.random.default_rng(7)
    cases = [
        (_values(rng, (4, 3)), np.array([0, 2, 1, 2])),
        (_values(rng, (1, 4)), np.array([3])),
        (_values(rng, (6, 10)), rng.integers(0, 10, size=6)),
        # Large logits: exp overflows unless the row maximum is subtracted first, ...
        (np.array([[1000.0, 0.0, 0.0, 0.0]]), np.array([0])),
        # ... and the target's probability underflows to 0 unless log_softmax is computed directly.
        (np.array([[0.0, 1000.0, 0.0, 0.0], [-500.0, 500.0, 0.0, 2.0]]), np.array([0, 1])),
        # Rows of very different scale: only each row's own maximum keeps exp(x - m) from being 0 everywhere.
        (np.array([[800.0, 0.0, 1.0], [-800.0, -799.0, -801.0], [2.0, 1.0, 0.5]]), np.array([1, 0, 2])),
    ]
    n_fixed = len(cases)
    for _ in range(4):
        n, classes = int(run.rng.integers(1, 7)), int(run.rng.integers(2, 9))
        scale = float(run.rng.choice([1.0, 1.0, 300.0]))  # sometimes logits large enough to overflow exp
        logits = _values(run.rng, (n, classes)) * scale
        if run.rng.random() < 0.5:  # sometimes rows far apart: one row's maximum is useless for another
            logits += run.rng.choice([-900.0, 0.0, 900.0], size=(n, 1))
        cases.append((logits, run.rng.integers(0, classes, size=n)))
    for index, (logits, targets) in enumerate(cases):
        with run.random_case(index >= n_fixed):
            _check_cross_entropy_case(run, fn, logits, targets)
    run.passed()


def _check_cross_entropy_case(run: _Run, fn: Callable, logits: np.ndarray, targets: np.ndarray) -> None:
    check = run.check
    logits_tensor = Tensor(logits, requires_grad=True)
    call = f"{_name(fn)}(logits of shape {logits.shape}, targets = {targets.tolist()})"
    inputs = [_show("logits", logits)]
    reference_logits = Tensor(logits, requires_grad=True)
    reference = _cross_entropy(reference_logits, targets)
    reference.backward()
    expected, expected_grad = reference.item(), reference_logits.grad.array
    try:
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            loss = run.call(fn, (logits_tensor, targets.copy()), call, names=("logits", "targets"))
            if isinstance(loss, Tensor) and loss.requires_grad and loss.size == 1:
                _call(run, "backward", loss.backward, f"{call}.backward()")
    except FloatingPointError as exc:
        raise _fail(
            check, f"floating-point {exc}", call, inputs,
            "exp(1000.0) overflows and log(0.0) is -inf: subtract each row's own maximum before exp "
            "(m = logits.array.max(axis=1, keepdims=True); one maximum for the whole batch leaves a row "
            "far below it with exp(x - m) = 0 everywhere), and compute log_softmax directly as "
            "(x - m) - log(sum(exp(x - m))).",
        ) from None
    if not isinstance(loss, Tensor) or loss.size != 1:
        actual = repr(loss) if not isinstance(loss, Tensor) else f"a Tensor of shape {loss.shape}"
        raise _fail(
            check, "wrong result", call, inputs + ["  expected: a one-element Tensor (the mean loss)", f"  actual: {actual}"],
            "return the mean over the batch as a Tensor, e.g. -picked.mean().",
        )
    actual = loss.item()
    if not math.isclose(actual, expected, rel_tol=_RTOL, abs_tol=_ATOL):
        raise _fail(
            check, "wrong loss", call, inputs + [f"  expected: {expected!r}", f"  actual: {actual!r}"],
            _cross_entropy_hint(logits, targets, actual, expected),
        )
    if not loss.requires_grad:
        raise _fail(
            check, "no graph behind the loss", call, [f"  actual: {loss!r}"],
            "compute the loss with Tensor operations on logits (not on logits.array), so "
            "backward() reaches the logits.",
        )
    actual_grad = None if logits_tensor.grad is None else logits_tensor.grad.array
    if actual_grad is None or not _close(actual_grad, expected_grad):
        raise _fail(
            check, "wrong gradient for logits", f"{call}.backward()",
            inputs + [_show("expected", expected_grad),
                      _show("actual", actual_grad) if actual_grad is not None else "  actual: None"],
            "treat the row maximum you subtract as a constant (a plain array), and build the rest "
            "from Tensor operations.",
        )


# ------------------------------------------------------------------ SGD.step

# (lr, momentum, weight_decay): plain, momentum, weight decay, both.
_SGD_SETTINGS = [(0.1, 0.0, 0.0), (0.1, 0.9, 0.0), (0.5, 0.0, 0.1), (0.05, 0.8, 0.2)]


def check_sgd_step(cls, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check an ``SGD(params, lr, momentum=0.0, weight_decay=0.0)`` class's ``step()``.

    For each setting, two parameters of shape (2, 3) take four steps with
    known gradients; the second parameter has no gradient (``.grad is None``)
    at its first and third steps and must not move then, and ``lr`` is halved
    after the second step (as a learning-rate schedule does).  After each step
    both must equal PyTorch's SGD (``autograd_lite.optim.SGD``):
    ``g = grad + weight_decay * p``; with momentum, a buffer per parameter,
    ``b = g`` at its first step and ``b = momentum * b + g`` after, then
    ``g = b``; finally ``p -= lr * g``, in place under ``no_grad()``.

    >>> from autograd_lite.optim import SGD
    >>> from autograd_lite.checks import check_sgd_step
    >>> check_sgd_step(SGD)
    check_sgd_step: all tests passed
    """
    check = "check_sgd_step"
    run = _Run(check, (cls,), seed, time_limit)
    rng = np.random.default_rng(11)
    settings = [(*setting, (2, 3), (0, 2), rng) for setting in _SGD_SETTINGS]
    for _ in range(2):
        setting = (float(run.rng.choice([0.01, 0.1, 0.5])), float(run.rng.choice([0.0, 0.5, 0.9])),
                   float(run.rng.choice([0.0, 0.1])))
        shape = tuple(int(n) for n in run.rng.integers(1, 4, size=run.rng.integers(1, 3)))
        skipped = tuple(int(step) for step in np.flatnonzero(run.rng.random(4) < 0.4))
        settings.append((*setting, shape, skipped, run.rng))
    for lr, momentum, weight_decay, shape, skipped, source in settings:
        with run.random_case(source is run.rng):
            _check_sgd_setting(run, cls, lr, momentum, weight_decay, shape, skipped, source)
    run.passed()


def _check_sgd_setting(run: _Run, cls, lr, momentum, weight_decay, shape, skipped, rng) -> None:
    """Four steps of two parameters of ``shape``; the second has no gradient at the ``skipped`` steps."""
    check = run.check
    n_steps = 4
    starts = [_values(rng, shape), _values(rng, shape)]
    grads = [[_values(rng, shape) for _ in range(n_steps)] for _ in starts]
    for step in skipped:
        grads[1][step] = None
    params = [Parameter(start) for start in starts]
    reference_params = [Parameter(start) for start in starts]
    call = f"{_name(cls)}([p0, p1], lr={lr}, momentum={momentum}, weight_decay={weight_decay})"
    optimizer = _call(run, _name(cls), cls, call, params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    reference = _SGD(reference_params, lr=lr, momentum=momentum, weight_decay=weight_decay)
    for step in range(n_steps):
        if step == 2:
            # A learning-rate schedule changes lr between steps: the buffer must not hold lr.
            optimizer.lr = reference.lr = lr / 2
            call += f", lr set to {lr / 2} after step 2"
        before = [p.array.copy() for p in params]
        versions = [p.version for p in params]
        for param, reference_param, param_grads in zip(params, reference_params, grads):
            grad = param_grads[step]
            param.grad = None if grad is None else Tensor(grad)
            reference_param.grad = None if grad is None else Tensor(grad)
        step_call = f"{call}, then step() number {step + 1}"
        _call(run, f"{_name(cls)}.step", optimizer.step, step_call)
        reference.step()
        for i, (param, reference_param) in enumerate(zip(params, reference_params)):
            _check_sgd_param(
                check, step_call, i, param, reference_param.array, before[i], versions[i],
                grads[i][step], momentum, weight_decay,
            )


def _check_sgd_param(
    check, call, i, param, expected, before, version, grad, momentum, weight_decay
) -> None:
    name = f"p{i}"
    lines = [_show(f"{name} before the step", before),
             _show(f"{name}.grad", grad) if grad is not None else f"  {name}.grad: None"]
    if not isinstance(param, Tensor) or not param.is_leaf or not param.requires_grad:
        raise _fail(
            check, f"{name} is no longer a trainable leaf", call, [f"  actual: {param!r}"],
            "update the parameters inside `with no_grad():`, so the update is not recorded in a graph.",
        )
    actual = param.array
    if _close(actual, expected):
        if grad is not None and not np.array_equal(actual, before) and param.version == version:
            raise _fail(
                check, f"{name} changed without its version counter", call,
                [f"  {name}.version: {param.version} (it was {version} before the step)"],
                "update with the engine's in-place operation, param -= update (inside `with no_grad():`), "
                "not by replacing param.array: the version counter is how backward() notices a "
                "parameter that changed after a graph used it.",
            )
        return
    hint = None
    if grad is None:
        hint = f"{name}.grad is None at this step: skip that parameter (`if p.grad is None: continue`)."
    elif np.array_equal(actual, before):
        hint = (
            f"{name} did not change: update it in place, p -= lr * g inside `with no_grad():`; "
            "p = p - lr * g only rebinds a local name and leaves the model's parameter as it was."
        )
    elif momentum:
        hint = (
            "keep one momentum buffer per parameter (self.state[p]): b = g at the parameter's first "
            "step, b = momentum * b + g after (no (1 - momentum) factor), and step with the buffer: "
            "p -= lr * b."
        )
    elif weight_decay:
        hint = "weight decay adds weight_decay * p to the gradient: g = p.grad + weight_decay * p."
    raise _fail(
        check, f"wrong value of {name}", call,
        lines + [_show("expected", expected), _show("actual", actual)], hint,
    )
