"""What every learner check shares: calling the reader's code, comparing arrays, reporting.

Used by ``part1`` (chapters 1-6), ``engine`` (chapters 7-9) and ``nn`` (chapter 10).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from ..tensor import Tensor

# How close a learner's answer must be to the reference.  Loose enough for a
# different (correct) order of summation, tight enough for any wrong formula.
_TOLERANCE = {
    np.dtype(np.float32): dict(rtol=1e-5, atol=1e-6),
    np.dtype(np.float64): dict(rtol=1e-6, atol=1e-9),
}


def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", None) or repr(fn)


def _call(check: str, fn: Callable, args: tuple, call: str) -> Any:
    """Call the learner's function; turn the stub's NotImplementedError into the book's message."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise NotImplementedError(
            f"{check}: {_name(fn)} is not implemented yet. Fill in its body, then run {check} again."
        ) from None
    except AssertionError:
        raise
    except Exception as exc:
        exc.add_note(f"({check}: raised by {call})")
        raise


def _show(label: str, value: Any) -> str:
    """One labelled input or result, short: arrays with shape, dtype and values."""
    if isinstance(value, Tensor):
        value = value.array
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.asarray(value)
        head = f"  {label} (shape {array.shape}, {array.dtype}): "
        body = np.array2string(
            array, precision=4, threshold=12, edgeitems=2, separator=", ", prefix=head
        )
        return head + body
    return f"  {label}: {value!r}"


def _describe(name: str, value: Any) -> str:
    """How an argument appears in the call line: arrays by shape, numbers by value."""
    if isinstance(value, np.ndarray):
        dtype = "" if value.dtype == np.float64 else f" and dtype {value.dtype}"
        return f"{name} of shape {value.shape}{dtype}"
    return f"{name} = {value!r}"


def _problem(expected: np.ndarray, actual: Any) -> tuple[str, str] | None:
    """(kind, explanation) of what is wrong with ``actual``, or None if it matches."""
    if not isinstance(actual, (np.ndarray, np.generic)):
        return "type", f"expected a numpy array, got {type(actual).__name__}"
    if actual.shape != expected.shape:
        return "shape", f"wrong shape: expected {expected.shape}, got {actual.shape}"
    if actual.dtype != expected.dtype:
        return "dtype", f"wrong dtype: expected {expected.dtype}, got {actual.dtype}"
    tolerance = _TOLERANCE.get(expected.dtype, _TOLERANCE[np.dtype(np.float64)])
    if not np.allclose(actual, expected, **tolerance):
        return "values", "wrong values"
    return None


def _assert_array(
    check: str,
    call: str,
    inputs: list[tuple[str, Any]],
    expected: Any,
    actual: Any,
    what: str = "result",
    hints: dict[str, str] | None = None,
) -> None:
    expected = np.asarray(expected)
    problem = _problem(expected, actual)
    if problem is None:
        return
    kind, explanation = problem
    lines = [f"{check}: wrong {what} for {call}"]
    lines += [_show(label, value) for label, value in inputs]
    lines += [_show("expected", expected), _show("actual", actual), f"  {explanation}"]
    hint = (hints or {}).get(kind)
    if hint:
        lines.append(f"  hint: {hint}")
    raise AssertionError("\n".join(lines))


def _values(rng: np.random.Generator, shape: tuple, dtype=np.float64, low=-3.0, high=3.0) -> np.ndarray:
    """Random multiples of 0.5 in [low, high], never 0: short to print, exact in float32."""
    choices = np.arange(low, high + 0.25, 0.5)
    choices = choices[choices != 0]
    return rng.choice(choices, size=shape).astype(dtype)


def _passed(check: str) -> None:
    print(f"{check}: all tests passed")


def _copy(value):
    return value.copy() if isinstance(value, np.ndarray) else value
