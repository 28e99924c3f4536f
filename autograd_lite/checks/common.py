"""What every learner check shares: calling the reader's code, comparing arrays, reporting.

Used by ``part1`` (chapters 1-6), ``engine`` (chapters 7-9), ``nn`` (chapter 10) and
``part4`` (chapters 11-12).

Every check runs the reader's function through a :class:`_Run`, which gives
each call three protections:

- **a time limit** (``time_limit=`` on every check, :data:`DEFAULT_TIME_LIMIT`
  seconds unless changed): a function that never returns fails the check
  with a message that suggests an infinite loop, instead of hanging it;
- **a watch on the inputs**: a function that changes one of its input arrays
  in place (``grad_out /= x``) fails, naming the argument and why that
  corrupts other gradients;
- **random cases**: besides its fixed cases, each check draws new cases from
  a seed chosen afresh on every call (``seed=`` repeats one), and a failure
  on one of them prints the seed.

How the time limit works.  In the main thread of a POSIX system (Linux,
macOS: a plain REPL, Jupyter's kernel, pytest) the call runs where it is and
a ``SIGALRM`` timer (``signal.setitimer``) interrupts it; an outer timer, such
as pytest-timeout's, is paused for the call and resumed afterwards.  Where
there is no ``SIGALRM`` (Windows) or the check runs outside the main thread,
the call runs in a daemon thread that the check waits for with
``join(timeout)``; on a timeout the thread is asked to stop (CPython's
``PyThreadState_SetAsyncExc``) and, being a daemon, never keeps Python from
exiting.  Either way only Python code can be interrupted: under SIGALRM a
single numpy operation that runs for minutes finishes before the check fails;
under the thread the check fails on time and the operation ends in the
background.
"""

from __future__ import annotations

import contextvars
import dis
import math
import numbers
import secrets
import signal
import sys
import threading
import time
import types
from contextlib import contextmanager
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor, is_grad_enabled, no_grad

#: Seconds each call of the reader's code may take before the check gives up on it.  Every
#: check's ``time_limit=`` overrides it; ``time_limit=math.inf`` (or 0) turns the limit off.
DEFAULT_TIME_LIMIT = 20.0

# How close a learner's answer must be to the reference.  Loose enough for a
# different (correct) order of summation, tight enough for any wrong formula.
_TOLERANCE = {
    np.dtype(np.float32): dict(rtol=1e-5, atol=1e-6),
    np.dtype(np.float64): dict(rtol=1e-6, atol=1e-9),
}


def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", None) or repr(fn)


# ------------------------------------------------------------------ the time limit


class _TimeLimitExceeded(BaseException):
    """Raised inside the reader's code when its time is up.

    A BaseException, like KeyboardInterrupt, so that an ``except Exception:``
    in the reader's code cannot swallow it.
    """


class _SignalsUnavailable(Exception):
    """Python refused a signal handler here: the thread fallback takes over."""


#: "signal" or "thread": how the limit is enforced; None chooses (tests force each one).
_MECHANISM: str | None = None


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


#: After the time limit, the alarm repeats this often: a bare ``except:`` in the reader's code may
#: catch one interruption, and the next one, raised elsewhere in the loop, stops it.
_REPEAT_SECONDS = 0.25


def _call_with_alarm(fn: Callable, args: tuple, kwargs: dict, seconds: float):
    """POSIX, main thread: run ``fn`` here; a SIGALRM after ``seconds`` raises _TimeLimitExceeded in it,
    and again every ``_REPEAT_SECONDS`` until it returns (the first one may be caught by its code)."""
    armed = True
    fired = 0

    def on_alarm(signum, frame):
        nonlocal fired
        if not armed:
            return
        fired += 1
        if fired == 2:  # the first interruption was caught: say why the check is not stopping yet
            sys.stderr.write(
                f"(learner check: {_name(fn)} is still running after its time limit, because it caught "
                "the check's interruption: a bare `except:` or `except BaseException:` catches it. "
                "Catch only the exception you mean, e.g. `except StopIteration:`. Trying again.)\n"
            )
        raise _TimeLimitExceeded

    try:
        outer_handler = signal.signal(signal.SIGALRM, on_alarm)
    except ValueError:  # not the main interpreter: Python refuses signal handlers there
        raise _SignalsUnavailable from None
    outer_delay, outer_interval = signal.setitimer(signal.ITIMER_REAL, 0)  # pause an outer timer
    start = time.monotonic()
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT_SECONDS)
        return fn(*args, **kwargs)
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        # A SIGALRM that arrived just before the timer stopped runs its (now disarmed) handler at
        # the next Python function call: make that call while our handler is still installed.
        _let_pending_signals_run()
        signal.signal(signal.SIGALRM, outer_handler)
        if outer_delay > 0:  # resume the outer timer with what it had left (at least a moment)
            left = max(outer_delay - (time.monotonic() - start), 1e-6)
            signal.setitimer(signal.ITIMER_REAL, left, outer_interval)


def _let_pending_signals_run() -> None:
    """Nothing: calling it is what gives Python the moment to run a pending signal handler."""


def _call_in_thread(fn: Callable, args: tuple, kwargs: dict, seconds: float):
    """Anywhere (Windows, a thread other than the main one): run ``fn`` in a daemon thread, wait ``seconds``."""
    outcome: dict[str, Any] = {}
    context = contextvars.copy_context()  # numpy's errstate and other context settings go along
    grad_enabled = is_grad_enabled()  # grad mode is per thread: carry the caller's into the worker

    def work():
        try:
            if grad_enabled:
                outcome["value"] = context.run(fn, *args, **kwargs)
            else:
                with no_grad():
                    outcome["value"] = context.run(fn, *args, **kwargs)
        except BaseException as exc:  # noqa: BLE001 -- handed to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, name=f"learner check: {_name(fn)}", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        _ask_thread_to_stop(worker)
        raise _TimeLimitExceeded
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _ask_thread_to_stop(worker: threading.Thread) -> None:
    """Raise _TimeLimitExceeded inside ``worker`` at its next Python instruction (CPython only)."""
    try:
        import ctypes

        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(worker.ident), ctypes.py_object(_TimeLimitExceeded))
    except (ImportError, AttributeError):  # another Python: the daemon thread runs on, harmlessly
        pass


def _call_with_time_limit(fn: Callable, args: tuple, kwargs: dict, seconds: float):
    if not math.isfinite(seconds) or seconds <= 0:
        return fn(*args, **kwargs)
    mechanism = _MECHANISM or ("signal" if _can_use_alarm() else "thread")
    if mechanism == "signal":
        try:
            return _call_with_alarm(fn, args, kwargs, seconds)
        except _SignalsUnavailable:
            pass
    return _call_in_thread(fn, args, kwargs, seconds)


def _resolve_time_limit(check: str, time_limit) -> float:
    if time_limit is None:
        return float(DEFAULT_TIME_LIMIT)
    if isinstance(time_limit, numbers.Real) and not isinstance(time_limit, bool) and not math.isnan(time_limit) and time_limit >= 0:
        return float(time_limit)
    raise ValueError(
        f"{check}: time_limit must be a number of seconds >= 0 (math.inf or 0 for no limit), got {time_limit!r}."
    )


# ------------------------------------------------------------------ the watch on the inputs

# Why changing an argument in place corrupts other gradients, by argument name.
_WHY_NOT_IN_PLACE = {
    "grad_out": (
        "the engine hands the same grad_out to the backward function of every parent of a node, and the "
        "same array can be another node's gradient (add passes grad_out straight through) or the "
        "caller's end_grad, so changing it in place silently changes those gradients too."
    ),
    "broadcasted": (
        "broadcasted is a gradient other code still holds (the engine's grad_out), so changing it in "
        "place silently changes that gradient too."
    ),
    "end_grad": (
        "end_grad belongs to the caller, who may start another backward from it, and backprop passes it "
        "on as the first grad_out: adding into it in place (grads[node] += g) changes the caller's "
        "array and the gradients that share it."
    ),
}
_WHY_FORWARD_VALUE = (
    "{name} is a value of the forward pass, kept in the recipe and read again by the backward functions "
    "of the other arguments, so changing it in place makes those gradients wrong."
)
_WHY_CALLERS = "{name} belongs to the caller, who uses it again; a function that reads an input must leave it as it was."


def _snapshot(value):
    """A copy of every array in ``value`` (an array, or a tuple/list holding some), or None."""
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (tuple, list)):
        parts = [_snapshot(item) for item in value]
        return parts if any(part is not None for part in parts) else None
    return None


def _unchanged(before, after) -> bool:
    if isinstance(before, np.ndarray):
        if not isinstance(after, np.ndarray) or after.shape != before.shape or after.dtype != before.dtype:
            return False
        return bool(np.array_equal(after, before, equal_nan=before.dtype.kind in "fc"))
    if isinstance(before, list):
        return all(b is None or _unchanged(b, a) for b, a in zip(before, after))
    return True


def _in_place_failure(check: str, call: str, name: str, before, after, forward_values: tuple) -> AssertionError:
    why = _WHY_NOT_IN_PLACE.get(name) or (_WHY_FORWARD_VALUE if name in forward_values else _WHY_CALLERS).format(name=name)
    lines = [f"{check}: {call} changed its argument {name} in place"]
    if isinstance(before, np.ndarray):
        lines += [_show(f"{name} before the call", before), _show(f"{name} after the call", after)]
    lines += [
        f"  Why that is wrong: {why}",
        f"  hint: leave {name} as it is and compute a new array, e.g. `return grad_out / x` rather than "
        "`grad_out /= x; return grad_out` (likewise a = a + b rather than a += b, and no out= or "
        "[...] = into an input).",
    ]
    return AssertionError("\n".join(lines))


# ------------------------------------------------------------------ one run of a check


# The fixed broadcasting cases of the binary backward-function checks: (shape of x, shape of y, dtype).
_BROADCAST_SHAPE_CASES = (
    ((2, 3), (2, 3), np.float64),
    ((3,), (2, 3), np.float64),
    ((2, 3), (3,), np.float64),
    ((2, 1, 4), (3, 1), np.float64),
    ((4, 1), (4,), np.float64),
    ((3, 1), (2, 1, 4), np.float32),
)


def _new_seed() -> int:
    return secrets.randbelow(1_000_000)


class _Run:
    """One call of a check: its name, the functions under test, the seed of its random cases, its time limit.

    ``run.call(fn, args, call)`` calls the reader's code with the time limit
    and the watch on the inputs; ``with run.random_case():`` marks a case
    drawn from ``run.rng``, so a failure there prints the seed.
    """

    def __init__(self, check: str, fns: tuple, seed=None, time_limit=None):
        self.check = check
        self.fns = fns
        if seed is None:
            seed = _new_seed()
        elif not isinstance(seed, numbers.Integral) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"{check}: seed must be a non-negative integer (or None for a fresh one), got {seed!r}.")
        self.seed = int(seed)
        self.rng = np.random.default_rng(self.seed)
        self.time_limit = _resolve_time_limit(check, time_limit)

    def call(
        self,
        fn: Callable,
        args: tuple,
        call: str,
        kwargs: dict | None = None,
        names: tuple = (),
        forward_values: tuple = ("out", "x", "y"),
        label: str | None = None,
    ) -> Any:
        """Call the reader's ``fn(*args, **kwargs)`` (described by ``call``) under the check's protections.

        - the stub's NotImplementedError becomes the book's "not implemented yet" message
          (naming ``label``, the function's name by default);
        - a call that does not return within the time limit fails the check;
        - an argument named in ``names`` whose arrays changed fails the check;
        - any other exception propagates with a note naming the call.
        """
        kwargs = kwargs or {}
        watched = [(name, value, _snapshot(value)) for name, value in zip(names, args) if name]
        try:
            result = _call_with_time_limit(fn, args, kwargs, self.time_limit)
        except NotImplementedError:
            raise NotImplementedError(
                f"{self.check}: {label or _name(fn)} is not implemented yet. Fill in its body, then run "
                f"{self.check} again."
            ) from None
        except _TimeLimitExceeded:
            raise AssertionError(
                f"{self.check}: {call} did not return within the time limit of {self.time_limit:g} s.\n"
                "  Is there an infinite loop? A while loop whose condition never changes, or a walk over a "
                "graph that never marks the nodes it has visited, runs forever. If the function is only "
                "slow, look for work repeated once per path through the graph instead of once per node.\n"
                f"  To allow more time: {self.check}(..., time_limit=60)."
            ) from None
        except AssertionError:
            raise
        except Exception as exc:
            exc.add_note(f"({self.check}: raised by {call})")
            raise
        for name, value, before in watched:
            if before is not None and not _unchanged(before, value):
                after = value if isinstance(value, np.ndarray) else None
                raise _in_place_failure(self.check, call, name, before, after, forward_values)
        return result

    @contextmanager
    def random_case(self, drawn: bool = True):
        """Mark a case drawn from ``self.rng`` (``drawn``): a failure in it says how to repeat it."""
        names = ", ".join(_name(fn) for fn in self.fns)
        repeat = f"a case drawn at random with seed {self.seed}: {self.check}({names}, seed={self.seed}) repeats it"
        if not drawn:
            yield
            return
        try:
            yield
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n  ({repeat})") from None
        except Exception as exc:
            exc.add_note(f"({repeat})")
            raise

    def passed(self) -> None:
        _passed(self.check)


# ------------------------------------------------------------------ showing and comparing arrays


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


def _global_arrays_read(fn: Callable) -> list[str]:
    """The names of module-level arrays (numpy or Tensor) that ``fn``'s code reads as globals.

    A function that reads such a name most likely meant a value of its own:
    ``np.ones_like(g)`` with the ``g`` left over from an earlier snippet,
    where the function's own ``g`` was never computed.
    """
    code, namespace = getattr(fn, "__code__", None), getattr(fn, "__globals__", None)
    if not isinstance(code, types.CodeType) or not isinstance(namespace, dict):
        return []
    names, codes = set(), [code]
    while codes:
        current = codes.pop()
        names.update(i.argval for i in dis.get_instructions(current) if i.opname == "LOAD_GLOBAL")
        codes += [const for const in current.co_consts if isinstance(const, types.CodeType)]
    return sorted(name for name in names if isinstance(namespace.get(name), (np.ndarray, Tensor)))
