"""Tests for autograd_lite.checks.common: the protections every learner check gives each call.

- A time limit: a function that never returns fails the check (it does not
  hang it), in the main thread by SIGALRM and elsewhere by a daemon thread,
  in a plain REPL and in a Jupyter kernel too, and outer timers survive.
- A watch on the inputs: a function that changes an input array in place
  fails, naming the argument.
- Random cases: each call draws new cases from a fresh seed, a function that
  only knows the fixed cases fails, and the printed seed repeats the failure.
"""

from __future__ import annotations

import math
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest

import autograd_lite.checks.common as common
from autograd_lite import (
    Tensor,
    add_back0,
    add_back1,
    matmul_back0,
    matmul_back1,
    subtract_back0,
    subtract_back1,
    true_divide_back0,
    true_divide_back1,
    backprop,
    indexing_back,
    is_grad_enabled,
    log_back,
    maximum_back0,
    no_grad,
    permute_back,
    sorted_computational_graph,
    sum_back,
    topological_sort,
    unbroadcast,
)
from autograd_lite import checks
from autograd_lite.checkpoint import checkpoint
from autograd_lite.forward import matmul_tangent, multiply_tangent, sum_tangent
from autograd_lite.nn import Linear
from autograd_lite.nn.functional import cross_entropy
from autograd_lite.optim import SGD
from test_checks import CORRECT as PART1_CORRECT


# Every check, with the library's own (correct) functions.
CORRECT = {
    **PART1_CORRECT,
    "check_sorted_computational_graph": (sorted_computational_graph,),
    "check_backprop": (backprop,),
    "check_sum_back": (sum_back,),
    "check_permute_back": (permute_back,),
    "check_maximum_back0": (maximum_back0,),
    "check_indexing_back": (indexing_back,),
    "check_add_back": (add_back0, add_back1),
    "check_subtract_back": (subtract_back0, subtract_back1),
    "check_true_divide_back": (true_divide_back0, true_divide_back1),
    "check_matmul_back": (matmul_back0, matmul_back1),
    "check_linear": (Linear,),
    "check_cross_entropy": (cross_entropy,),
    "check_sgd_step": (SGD,),
    "check_tangent_rules": (multiply_tangent, matmul_tangent, sum_tangent),
    "check_checkpoint": (checkpoint,),
}


def test_every_check_is_covered_here():
    assert sorted(CORRECT) == sorted(checks.__all__)


@pytest.mark.parametrize("name", CORRECT)
def test_each_check_passes_the_library_with_its_one_line(name, capsys):
    getattr(checks, name)(*CORRECT[name], seed=12345)
    assert capsys.readouterr().out == f"{name}: all tests passed\n"


# ------------------------------------------------------------------ the time limit


def forever(*args, **kwargs):
    while True:
        pass


class Forever:
    """A class whose constructor never returns: what check_linear and check_sgd_step call first."""

    def __init__(self, *args, **kwargs):
        forever()


def hanging(name):
    """The functions of ``name``'s check, with the first replaced by one that never returns."""
    first = Forever if name in ("check_linear", "check_sgd_step") else forever
    return (first, *CORRECT[name][1:])


@pytest.mark.parametrize("name", CORRECT)
def test_a_function_that_never_returns_fails_every_check_in_time(name, capsys):
    start = time.monotonic()
    with pytest.raises(AssertionError) as info:
        getattr(checks, name)(*hanging(name), time_limit=0.2)
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert message.startswith(f"{name}: ") and "did not return within the time limit of 0.2 s" in message
    assert "Is there an infinite loop?" in message and f"{name}(..., time_limit=60)" in message
    assert capsys.readouterr().out == ""


def test_in_the_main_thread_on_posix_the_limit_is_a_sigalrm_that_is_cleaned_up():
    assert common._can_use_alarm()  # pytest runs tests in the main thread, on Linux here
    before = signal.getsignal(signal.SIGALRM)
    # pytest-timeout may have its own SIGALRM timer running for this test: it must be left as it was.
    outer_before = signal.getitimer(signal.ITIMER_REAL)[0]
    with pytest.raises(AssertionError, match="did not return within"):
        checks.check_log_back(forever, time_limit=0.1)
    assert signal.getsignal(signal.SIGALRM) is before
    outer_after = signal.getitimer(signal.ITIMER_REAL)[0]
    if outer_before == 0.0:
        assert outer_after == 0.0  # no timer of the check's is left running
    else:
        assert outer_before - 5 < outer_after <= outer_before  # the outer timer resumed, not reset or lost


def test_an_outer_timer_is_paused_and_resumed():
    fired = []

    def outer_handler(signum, frame):
        fired.append(signum)

    previous = signal.signal(signal.SIGALRM, outer_handler)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        checks.check_log_back(log_back)
        assert signal.getsignal(signal.SIGALRM) is outer_handler
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 20.0 < left <= 30.0 and not fired
        # An outer deadline that passes during the call fires right after it.
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        checks.check_log_back(lambda g, o, x: (time.sleep(0.1), log_back(g, o, x))[1], seed=1)
        time.sleep(0.05)
        assert fired == [signal.SIGALRM]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_except_exception_in_the_learners_code_cannot_swallow_the_limit():
    def stubborn(grad_out, out, x):
        while True:
            try:
                time.sleep(0.01)
            except Exception:  # noqa: BLE001 -- the mistake under test
                pass

    with pytest.raises(AssertionError, match="did not return within"):
        checks.check_log_back(stubborn, time_limit=0.2)


_SWALLOWING_SCRIPT = """
from autograd_lite.checks import check_log_back
def log_back(grad_out, out, x):
    try:
        while True:
            pass
    except:  # the mistake under test: a bare except catches the check's interruption
        pass
    while True:  # and runs on
        pass

try:
    check_log_back(log_back, time_limit=0.3)
except AssertionError as error:
    print("stopped:", str(error).splitlines()[0][:60])
"""


def test_a_bare_except_that_swallows_the_interruption_is_stopped_and_told():
    """The alarm repeats after the limit: the first one caught, the next one stops the code."""
    if not hasattr(signal, "setitimer"):
        pytest.skip("SIGALRM timers are POSIX only")
    result = subprocess.run([sys.executable, "-c", _SWALLOWING_SCRIPT], capture_output=True, text=True, timeout=60)
    assert "stopped: check_log_back: log_back(" in result.stdout, result.stdout + result.stderr
    assert "caught the check's interruption: a bare `except:`" in result.stderr
    assert "except StopIteration:" in result.stderr


@pytest.fixture
def thread_mechanism(monkeypatch):
    """Force the fallback used on Windows (no SIGALRM) and outside the main thread."""
    monkeypatch.setattr(common, "_MECHANISM", "thread")


def test_the_thread_fallback_stops_the_check_and_then_the_runaway_thread(thread_mechanism):
    with pytest.raises(AssertionError, match="did not return within the time limit of 0.2 s"):
        checks.check_log_back(forever, time_limit=0.2)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(t.name.startswith("learner check") for t in threading.enumerate()):
        time.sleep(0.01)
    assert not any(t.name.startswith("learner check") for t in threading.enumerate())


def test_the_thread_fallback_passes_correct_code_and_keeps_its_errors(thread_mechanism, capsys):
    checks.check_backprop(backprop)
    checks.check_sgd_step(SGD)  # SGD.step enters no_grad in the worker thread
    assert capsys.readouterr().out == "check_backprop: all tests passed\ncheck_sgd_step: all tests passed\n"
    with pytest.raises(NotImplementedError, match="check_log_back: stub is not implemented yet"):

        def stub(grad_out, out, x):
            raise NotImplementedError

        checks.check_log_back(stub)
    with pytest.raises(ZeroDivisionError) as info:
        checks.check_log_back(lambda grad_out, out, x: 1 / 0)
    assert any("check_log_back: raised by" in note for note in info.value.__notes__)


def test_the_thread_fallback_carries_grad_mode_and_numpy_errstate(thread_mechanism):
    seen = []

    def log_back_recording(grad_out, out, x):
        seen.append((is_grad_enabled(), np.geterr()["over"]))
        return log_back(grad_out, out, x)

    with no_grad(), np.errstate(over="raise"):
        common._Run("check", (log_back_recording,), seed=0).call(log_back_recording, (np.ones(1), np.zeros(1), np.ones(1)), "call")
    assert seen == [(False, "raise")]

    def naive_cross_entropy(logits, targets):  # overflows on [1000, 0, 0, 0]
        return -(logits.exp() / logits.exp().sum(dim=1, keepdim=True)).log()[np.arange(len(targets)), targets].mean()

    with pytest.raises(AssertionError, match="floating-point overflow"):
        checks.check_cross_entropy(naive_cross_entropy)


def test_a_check_run_outside_the_main_thread_uses_the_thread_fallback():
    outcome = {}

    def run():
        outcome["alarm"] = common._can_use_alarm()
        try:
            checks.check_log_back(forever, time_limit=0.2)
        except AssertionError as exc:
            outcome["error"] = str(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(10)
    assert outcome["alarm"] is False
    assert "did not return within the time limit of 0.2 s" in outcome["error"]


def test_the_time_limit_setting():
    with pytest.raises(ValueError, match=r"time_limit must be a number of seconds >= 0 .* got -1"):
        checks.check_log_back(log_back, time_limit=-1)
    with pytest.raises(ValueError, match="got 'soon'"):
        checks.check_log_back(log_back, time_limit="soon")
    assert common._resolve_time_limit("c", None) == common.DEFAULT_TIME_LIMIT
    assert 10 <= common.DEFAULT_TIME_LIMIT <= 60  # "some tens of seconds"
    assert common._call_with_time_limit(lambda: 7, (), {}, math.inf) == 7  # no limit


_HANGING_SCRIPT = """
import time
from autograd_lite.checks import check_log_back
def log_back(grad_out, out, x):
    while True:
        pass

start = time.monotonic()
check_log_back(log_back, time_limit=0.5)
print("the prompt is back after", round(time.monotonic() - start), "s")
"""


def test_in_a_plain_repl_the_check_fails_and_the_prompt_comes_back():
    result = subprocess.run(
        [sys.executable, "-i", "-q"], input=_HANGING_SCRIPT, capture_output=True, text=True, timeout=60
    )
    assert "AssertionError: check_log_back: log_back(" in result.stderr
    assert "did not return within the time limit of 0.5 s" in result.stderr
    assert "the prompt is back after" in result.stdout


def test_in_a_jupyter_kernel_the_check_fails_and_the_kernel_goes_on(tmp_path):
    # The book's toolchain has both; the installed-wheel test (tests/test_package.py) runs this file
    # in an environment with the library and pytest only.
    nbformat = pytest.importorskip("nbformat")
    NotebookClient = pytest.importorskip("nbclient").NotebookClient

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(_HANGING_SCRIPT.replace('print("the prompt', 'pass  # ("the prompt')),
        nbformat.v4.new_code_cell("print('the kernel goes on')"),
        nbformat.v4.new_code_cell("from autograd_lite.checks import common; print(common._can_use_alarm())"),
    ]
    client = NotebookClient(
        notebook, timeout=60, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}}, extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    client.execute()
    error = notebook.cells[0].outputs[-1]
    assert error.output_type == "error" and error.ename == "AssertionError"
    assert "did not return within the time limit of 0.5 s" in error.evalue
    assert notebook.cells[1].outputs[0].text == "the kernel goes on\n"
    assert notebook.cells[2].outputs[0].text == "True\n"  # the kernel runs cells in its main thread: SIGALRM


# ------------------------------------------------------------------ the watch on the inputs


def test_a_backward_function_that_changes_grad_out_fails_naming_it():
    def log_back_in_place(grad_out, out, x):
        grad_out /= x
        return grad_out

    with pytest.raises(AssertionError) as info:
        checks.check_log_back(log_back_in_place)
    message = str(info.value)
    assert message.startswith("check_log_back: log_back_in_place(grad_out of shape (3,), out = np.log(x), x of shape (3,)) changed its argument grad_out in place")
    assert "grad_out before the call (shape (3,), float64): [1., 1., 1.]" in message
    assert "grad_out after the call (shape (3,), float64): [2.  , 0.5 , 0.25]" in message
    assert "the same grad_out to the backward function of every parent of a node" in message
    assert "hint: leave grad_out as it is and compute a new array, e.g. `return grad_out / x`" in message


def test_changing_a_forward_value_in_place_is_named_too():
    def maximum_back0_clobbers_x(grad_out, out, x, y):
        result = maximum_back0(grad_out, out, x.copy(), y)
        x[...] = 0
        return result

    with pytest.raises(AssertionError, match=r"changed its argument x in place(.|\n)*x is a value of the forward pass"):
        checks.check_maximum_back0(maximum_back0_clobbers_x)


def test_changing_the_shape_of_an_input_in_place_counts():
    def unbroadcast_reshapes(broadcasted, original):
        result = unbroadcast(broadcasted, original)
        broadcasted.shape = (-1,)
        return result

    with pytest.raises(AssertionError, match="changed its argument broadcasted in place"):
        checks.check_unbroadcast(unbroadcast_reshapes)


def test_cross_entropy_must_leave_the_targets_alone():
    def cross_entropy_shuffles(logits, targets):
        loss = cross_entropy(logits, targets.copy())
        targets.sort()
        return loss

    with pytest.raises(AssertionError, match="changed its argument targets in place(.|\n)*targets belongs to the caller"):
        checks.check_cross_entropy(cross_entropy_shuffles)


# ------------------------------------------------------------------ random cases


def _key(value):
    """A hashable fingerprint of an argument: arrays by shape, dtype and bytes."""
    if isinstance(value, Tensor):
        value = value.array
    if isinstance(value, np.ndarray):
        return ("array", value.shape, str(value.dtype), value.tobytes())
    if isinstance(value, (tuple, list)):
        return tuple(_key(v) for v in value)
    if isinstance(value, slice):
        return ("slice", value.start, value.stop, value.step)
    if callable(value):
        return "function"
    return value


def _graph_key(end, *rest):
    """A fingerprint of the graph behind ``end``: each node's operation, shape, and a leaf's values."""
    return tuple(
        (t.recipe.func.__name__ if t.recipe else "leaf", t.shape, None if t.recipe else t.array.tobytes())
        for t in sorted_computational_graph(end)
    ), _key(rest)


def _sort_key(node, get_children):
    """A fingerprint of the graph a topological sort is given: the start node and every edge from it."""
    seen, stack, edges = {node}, [node], []
    while stack:
        for child in get_children(parent := stack.pop()):
            edges.append((parent, child))
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return node, tuple(edges)


def _wrong(answer):
    if isinstance(answer, tuple):
        return tuple(np.zeros_like(a) for a in answer)
    if isinstance(answer, Tensor):
        return answer * 0.0
    if isinstance(answer, list):
        return answer[::-1]
    if isinstance(answer, np.ndarray | np.generic):
        return np.zeros_like(answer)
    return None if answer is None else answer + 1.0


def memorizing(fn, fingerprint=None):
    """``fn`` that learns which inputs one run of a check uses, then is right only on those.

    During the "learning" run it records the fingerprint of every call's
    inputs and answers correctly; afterwards an input it has seen gets the
    right answer, and any other a wrong one.  A check with fixed cases only
    would pass it.
    """
    seen = set()
    state = {"learning": True}

    def wrapper(*args, **kwargs):
        key = fingerprint(*args) if fingerprint else (_key(args), _key(tuple(sorted(kwargs.items()))))
        if state["learning"]:
            seen.add(key)
        if key in seen:
            return fn(*args, **kwargs)
        if fn is backprop:
            return None  # a backprop that does nothing on a graph it does not know
        return _wrong(fn(*args, **kwargs))

    wrapper.__name__ = fn.__name__
    wrapper.stop_learning = lambda: state.update(learning=False)
    return wrapper


FINGERPRINTS = {
    "check_topological_sort": _sort_key,
    "check_sorted_computational_graph": _graph_key,
    "check_backprop": _graph_key,
}
MEMORIZABLE = [name for name in CORRECT if name not in ("check_linear", "check_sgd_step")]


@pytest.mark.parametrize("name", MEMORIZABLE)
def test_a_function_that_only_knows_the_fixed_cases_fails_with_the_seed(name, capsys):
    check = getattr(checks, name)
    functions = [memorizing(fn, FINGERPRINTS.get(name)) for fn in CORRECT[name]]
    check(*functions, seed=1)  # one run to learn from: passes, every answer right
    for fn in functions:
        fn.stop_learning()
    with pytest.raises(AssertionError) as first:
        check(*functions, seed=2)  # the same fixed cases, new random ones
    names = ", ".join(fn.__name__ for fn in CORRECT[name])
    assert f"(a case drawn at random with seed 2: {name}({names}, seed=2) repeats it)" in str(first.value)
    with pytest.raises(AssertionError) as again:
        check(*functions, seed=2)
    assert str(again.value) == str(first.value)  # the printed seed repeats the very same failure
    assert capsys.readouterr().out == f"{name}: all tests passed\n"


class LinearThatKnowsOnlyTheBookSizes(Linear):
    def forward(self, x):
        out = super().forward(x)
        return out if (self.in_features, self.out_features) in {(3, 3), (4, 2), (2, 5), (3, 2)} else out * 2.0


class SGDThatKnowsOnlyShape23(SGD):
    def step(self):
        if self.params[0].shape != (2, 3):
            return None
        return super().step()


@pytest.mark.parametrize(
    "name, wrong, seed",
    [("check_linear", LinearThatKnowsOnlyTheBookSizes, 3), ("check_sgd_step", SGDThatKnowsOnlyShape23, 3)],
)
def test_the_class_checks_have_random_cases_too(name, wrong, seed, capsys):
    with pytest.raises(AssertionError) as info:
        getattr(checks, name)(wrong, seed=seed)
    assert f"(a case drawn at random with seed {seed}: {name}({wrong.__name__}, seed={seed}) repeats it)" in str(info.value)
    assert capsys.readouterr().out == ""


def test_without_a_seed_each_call_draws_a_new_one():
    seeds = {common._Run("check", (log_back,)).seed for _ in range(20)}
    assert len(seeds) > 10
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        checks.check_log_back(log_back, seed=-3)
