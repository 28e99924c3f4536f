"""Tests for autograd_lite.checks.part4: each check passes the library, fails plausible wrong answers.

For every check: the library's own functions pass with one line; the
exercise's stub gives the book's NotImplementedError message; each wrong answer
a learner plausibly writes fails, with the message that helps; another correct
answer passes; a failure on a random case names its seed, and ``seed=`` runs
the same case again; a function that never returns fails in time; a function
that changes its inputs in place fails, naming the argument.
"""

from __future__ import annotations

import math
import re
import time

import numpy as np
import pytest

import autograd_lite.checks as checks_package
import autograd_lite.checks.part4 as part4_checks
from autograd_lite import Tensor, add_back_func, no_grad, wrap_forward_fn
from autograd_lite.checkpoint import checkpoint
from autograd_lite.checks import check_checkpoint, check_tangent_rules
from autograd_lite.forward import matmul_tangent, multiply_tangent, sum_tangent


def test_the_checks_are_exported():
    assert part4_checks.__all__ == ["check_tangent_rules", "check_checkpoint"]
    for name in part4_checks.__all__:
        assert getattr(checks_package, name) is getattr(part4_checks, name)
        assert name in checks_package.__all__


# ---------------------------------------------------------------- check_tangent_rules


def test_the_library_tangent_rules_pass_with_one_line(capsys):
    check_tangent_rules(multiply_tangent, matmul_tangent, sum_tangent)
    assert capsys.readouterr().out == "check_tangent_rules: all tests passed\n"


def test_tangent_stub_is_not_implemented_yet():
    def sum_stub(dx, out, x, dim=None, keepdim=False):
        raise NotImplementedError

    with pytest.raises(NotImplementedError, match=r"^check_tangent_rules: sum_stub is not implemented yet\. "
                                                   r"Fill in its body, then run check_tangent_rules again\.$"):
        check_tangent_rules(multiply_tangent, matmul_tangent, sum_stub)


def _forgets_second_term(dx, dy, out, x, y):
    return dx * y


def _swaps_the_factors(dx, dy, out, x, y):
    return dx * x + dy * y


def _transposes_like_backward(dx, dy, out, x, y):
    return dx @ np.swapaxes(y, -1, -2) + np.swapaxes(x, -1, -2) @ dy


def _matmul_one_term(dx, dy, out, x, y):
    return dx @ y


def _matmul_factors_swapped(dx, dy, out, x, y):
    return y @ dx + dy @ x


def _sums_axis_zero(dx, out, x, dim=None, keepdim=False):
    return np.sum(dx, axis=0 if dim is not None else None, keepdims=keepdim)


def _ignores_keepdim(dx, out, x, dim=None, keepdim=False):
    return np.sum(dx, axis=dim)


def _sums_everything(dx, out, x, dim=None, keepdim=False):
    return np.broadcast_to(dx.sum(), out.shape)


def _multiplies_in_place(dx, dy, out, x, y):
    dx *= y  # writes into the caller's tangent
    return dx + x * dy


def _matmul_into_x(dx, dy, out, x, y):
    result = dx @ y + x @ dy
    x += 1.0  # "only a value, not a tangent": but the caller still holds it
    return result


def _sum_into_out(dx, out, x, dim=None, keepdim=False):
    tangent = np.sum(dx, axis=dim, keepdims=keepdim)
    if isinstance(out, np.ndarray):  # (a full sum gives a numpy scalar, which cannot change)
        out[...] = tangent  # reuses out's memory for the tangent: the caller's value is lost
    return tangent


WRONG_TANGENT_RULES = {
    "multiply forgets the product rule's second term": (
        (_forgets_second_term, matmul_tangent, sum_tangent), "the product rule has two terms"),
    "multiply swaps the factors": ((_swaps_the_factors, matmul_tangent, sum_tangent), "wrong values"),
    "matmul uses the backward functions' transposes": (
        (multiply_tangent, _transposes_like_backward, sum_tangent), "with no transpose"),
    "matmul forgets the second term": ((multiply_tangent, _matmul_one_term, sum_tangent), "wrong values"),
    "matmul multiplies in the wrong order": ((multiply_tangent, _matmul_factors_swapped, sum_tangent), ""),
    "sum over axis 0 whatever dim says": ((multiply_tangent, matmul_tangent, _sums_axis_zero), "sum dx over"),
    "sum ignores keepdim": ((multiply_tangent, matmul_tangent, _ignores_keepdim), "wrong shape"),
    "sum over every axis": ((multiply_tangent, matmul_tangent, _sums_everything), "sum the tangent over the same dim"),
    "multiply writes into dx": ((_multiplies_in_place, matmul_tangent, sum_tangent), "changed its argument dx in place"),
    "matmul writes into x": ((multiply_tangent, _matmul_into_x, sum_tangent), "changed its argument x in place"),
    "sum writes into out": ((multiply_tangent, matmul_tangent, _sum_into_out), "changed its argument out in place"),
}


@pytest.mark.parametrize("name", WRONG_TANGENT_RULES)
def test_wrong_tangent_rules_fail(name):
    rules, message = WRONG_TANGENT_RULES[name]
    # A wrong answer may also fail inside numpy (a shape numpy refuses): that is a failure too.
    with pytest.raises((AssertionError, ValueError)) as info:
        check_tangent_rules(*rules)
    if info.type is AssertionError:
        assert message in str(info.value)


def test_a_change_in_place_is_shown_and_explained():
    with pytest.raises(AssertionError) as info:
        check_tangent_rules(_multiplies_in_place, matmul_tangent, sum_tangent)
    message = str(info.value)
    assert message.startswith(
        "check_tangent_rules: _multiplies_in_place(dx of shape (3,), dy of shape (3,), out = x * y, x of shape (3,), "
        "y of shape (3,)) changed its argument dx in place"
    )
    assert "dx before the call (shape (3,), float64): [1., 0., 2.]" in message
    assert "dx after the call (shape (3,), float64): [3., 0., 4.]" in message
    assert "dx belongs to the caller, who uses it again" in message
    assert "hint: leave dx as it is and compute a new array" in message


def test_another_correct_answer_passes(capsys):
    def multiply(dx, dy, out, x, y):
        return y * dx + dy * x

    def matmul(dx, dy, out, x, y):
        return np.matmul(dx, y) + np.matmul(x, dy)

    def summed(dx, out, x, dim=None, keepdim=False):
        return dx.sum(axis=dim, keepdims=keepdim)

    check_tangent_rules(multiply, matmul, summed)
    assert capsys.readouterr().out == "check_tangent_rules: all tests passed\n"


def test_a_failure_on_a_random_case_names_its_seed_and_seed_repeats_it():
    def right_on_fixed_cases_only(dx, dy, out, x, y):
        right_on_fixed_cases_only.calls += 1
        if right_on_fixed_cases_only.calls > 5:  # the fixed cases call it 5 times
            return dx * y
        return dx * y + x * dy

    right_on_fixed_cases_only.calls = 0
    with pytest.raises(AssertionError) as first:
        check_tangent_rules(right_on_fixed_cases_only, matmul_tangent, sum_tangent)
    seed = int(re.search(r"drawn at random with seed (\d+)", str(first.value)).group(1))
    assert (f"check_tangent_rules(right_on_fixed_cases_only, matmul_tangent, sum_tangent, seed={seed}) repeats it"
            in str(first.value))
    right_on_fixed_cases_only.calls = 0
    with pytest.raises(AssertionError) as again:
        check_tangent_rules(right_on_fixed_cases_only, matmul_tangent, sum_tangent, seed=seed)
    assert str(again.value) == str(first.value)


def _never_returns(*args, **kwargs):
    while True:
        pass


def _fails_in_time(check, *functions) -> str:
    """Run ``check`` with a time limit of 0.2 s: it must fail within seconds, saying why; its message."""
    start = time.monotonic()
    with pytest.raises(AssertionError) as info:
        check(*functions, time_limit=0.2)
    assert time.monotonic() - start < 5
    message = str(info.value)
    assert "did not return within the time limit of 0.2 s" in message
    assert "Is there an infinite loop?" in message and f"{check.__name__}(..., time_limit=60)" in message
    return message


@pytest.mark.parametrize("position", [0, 1, 2])
def test_a_tangent_rule_that_never_returns_fails_in_time(position, capsys):
    rules = [multiply_tangent, matmul_tangent, sum_tangent]
    rules[position] = _never_returns
    message = _fails_in_time(check_tangent_rules, *rules)
    assert message.startswith("check_tangent_rules: _never_returns(dx of shape")
    assert capsys.readouterr().out == ""


def test_check_tangent_rules_takes_a_time_limit(capsys):
    check_tangent_rules(multiply_tangent, matmul_tangent, sum_tangent, time_limit=60)
    check_tangent_rules(multiply_tangent, matmul_tangent, sum_tangent, seed=3, time_limit=math.inf)
    assert capsys.readouterr().out == "check_tangent_rules: all tests passed\n" * 2
    with pytest.raises(ValueError, match=r"^check_tangent_rules: time_limit must be a number of seconds >= 0 .* got -1"):
        check_tangent_rules(multiply_tangent, matmul_tangent, sum_tangent, time_limit=-1)
    with pytest.raises(ValueError, match=r"^check_tangent_rules: seed must be a non-negative integer"):
        check_tangent_rules(multiply_tangent, matmul_tangent, sum_tangent, seed=-1)


# ---------------------------------------------------------------- check_checkpoint


def test_the_library_checkpoint_passes_with_one_line(capsys):
    check_checkpoint(checkpoint)
    assert capsys.readouterr().out == "check_checkpoint: all tests passed\n"


def test_checkpoint_stub_is_not_implemented_yet():
    def checkpoint(fn, x):
        raise NotImplementedError

    with pytest.raises(NotImplementedError, match=r"^check_checkpoint: checkpoint is not implemented yet\."):
        check_checkpoint(checkpoint)


def _one_input_checkpoint(back):
    """A learner's checkpoint built as the exercise asks, with ``back`` as its backward function."""

    def run_block(fn, x):
        with no_grad():
            return fn(Tensor(x)).array

    add_back_func(run_block, 1, back)
    run = wrap_forward_fn(run_block)

    def checkpoint(fn, x):
        return run(fn, x)

    return checkpoint


def _right_back(grad_out, out, fn, x):
    x = Tensor(x, requires_grad=True)
    fn(x).backward(grad_out)
    return x.grad.array


def test_the_exercise_solution_passes(capsys):
    check_checkpoint(_one_input_checkpoint(_right_back))
    assert capsys.readouterr().out == "check_checkpoint: all tests passed\n"


def test_a_forward_that_records_and_drops_its_graph_passes_too(capsys):
    def run_block(fn, x):
        return fn(Tensor(x, requires_grad=True)).array  # recorded, but the graph is dropped at once

    add_back_func(run_block, 1, _right_back)
    run = wrap_forward_fn(run_block)
    check_checkpoint(lambda fn, x: run(fn, x))
    assert capsys.readouterr().out == "check_checkpoint: all tests passed\n"


def _stores_the_graph(fn, x):
    return fn(x)  # no checkpoint at all: every intermediate value is kept


def _hides_the_graph():
    kept = []

    def run_block(fn, x):
        inner = Tensor(x, requires_grad=True)
        out = fn(inner)
        kept.append((inner, out))  # the whole graph, out of sight
        return out.array

    def back(grad_out, out, fn, x):
        fn(Tensor(x))  # runs the block again, but takes the gradient from the stored graph
        inner, inner_out = kept.pop(0)
        inner_out.backward(grad_out)
        return inner.grad.array

    add_back_func(run_block, 1, back)
    run = wrap_forward_fn(run_block)
    return lambda fn, x: run(fn, x)


def _identity_back(grad_out, out, fn, x):
    return grad_out  # treats the block as if it were the identity: no recomputation


def _ones_back(grad_out, out, fn, x):
    x = Tensor(x, requires_grad=True)
    fn(x).backward(np.ones_like(grad_out))  # backprop from ones, not from grad_out
    return x.grad.array


def _no_recipe(fn, x):
    with no_grad():
        return fn(x)  # a plain Tensor: nothing flows back


WRONG_CHECKPOINTS = {
    "keeps every intermediate value (no checkpoint)": (_stores_the_graph, "keeps the block's intermediate values"),
    "keeps the graph out of sight and reuses it": (None, "arrays of h's size"),
    "does not recompute (identity gradient)": ("identity", "did not run the block again"),
    "backpropagates ones instead of grad_out": ("ones", "wrong gradient h.grad"),
    "returns a Tensor with no recipe": (_no_recipe, "no recipe"),
}


@pytest.mark.parametrize("name", WRONG_CHECKPOINTS)
def test_wrong_checkpoints_fail(name):
    made, message = WRONG_CHECKPOINTS[name]
    if made is None:
        learner = _hides_the_graph()
    elif made == "identity":
        learner = _one_input_checkpoint(_identity_back)
    elif made == "ones":
        learner = _one_input_checkpoint(_ones_back)
    else:
        learner = made
    with pytest.raises(AssertionError, match=re.escape(message)):
        check_checkpoint(learner)


def test_a_checkpoint_that_drops_the_weights_gradients_fails():
    def back(grad_out, out, fn, x):
        x = Tensor(x, requires_grad=True)
        y = fn(x)
        grads = np.asarray(grad_out)
        # The gradient for x by finite differences of the block: right for x, nothing for the weights.
        eps, result = 1e-6, np.zeros_like(x.array)
        for i in np.ndindex(x.shape):
            plus, minus = x.array.copy(), x.array.copy()
            plus[i] += eps
            minus[i] -= eps
            with no_grad():
                result[i] = np.sum((fn(Tensor(plus)).array - fn(Tensor(minus)).array) * grads) / (2 * eps)
        del y
        return result

    with pytest.raises(AssertionError, match=r"w.grad is None|gradient w.grad"):
        check_checkpoint(_one_input_checkpoint(back))


def test_check_checkpoint_names_the_seed_of_a_random_failure_and_seed_repeats_it():
    calls = {"back": 0}

    def right_on_fixed_cases_only(grad_out, out, fn, x):
        calls["back"] += 1  # the three fixed cases run the backward pass three times
        return _right_back(grad_out if calls["back"] <= 3 else 2 * grad_out, out, fn, x)

    learner = _one_input_checkpoint(right_on_fixed_cases_only)
    with pytest.raises(AssertionError) as first:
        check_checkpoint(learner)
    seed = int(re.search(r"drawn at random with seed (\d+)", str(first.value)).group(1))
    assert f"check_checkpoint(checkpoint, seed={seed}) repeats it" in str(first.value)
    calls["back"] = 0
    with pytest.raises(AssertionError) as again:
        check_checkpoint(learner, seed=seed)
    assert str(again.value) == str(first.value)


def test_a_checkpoint_that_never_returns_fails_in_time(capsys):
    def checkpoint(fn, x):
        while True:
            pass

    message = _fails_in_time(check_checkpoint, checkpoint)
    assert message.startswith("check_checkpoint: checkpoint(block, h) for the block ")
    assert capsys.readouterr().out == ""


def test_a_backward_function_that_never_returns_fails_in_time():
    message = _fails_in_time(check_checkpoint, _one_input_checkpoint(_never_returns))
    assert message.startswith("check_checkpoint: the backward pass of checkpoint(block, h) for the block ")
    assert "out.backward(end_grad) did not return within the time limit of 0.2 s" in message


def test_check_checkpoint_takes_a_time_limit(capsys):
    check_checkpoint(checkpoint, time_limit=60)
    check_checkpoint(checkpoint, seed=3, time_limit=math.inf)
    assert capsys.readouterr().out == "check_checkpoint: all tests passed\n" * 2
    with pytest.raises(ValueError, match=r"^check_checkpoint: time_limit must be a number of seconds >= 0 .* got 'soon'"):
        check_checkpoint(checkpoint, time_limit="soon")


def test_a_stub_backward_function_is_not_implemented_yet():
    def back(grad_out, out, fn, x):
        raise NotImplementedError

    with pytest.raises(NotImplementedError, match=r"^check_checkpoint: the backward function of checkpoint is not "
                                                   r"implemented yet\. Fill in its body, then run check_checkpoint again\.$"):
        check_checkpoint(_one_input_checkpoint(back))


def test_a_backward_function_that_changes_grad_out_in_place_fails_naming_end_grad():
    def back(grad_out, out, fn, x):
        grad_out *= 2.0  # grad_out is the caller's end_grad here
        return _right_back(grad_out / 2.0, out, fn, x)

    with pytest.raises(AssertionError) as info:
        check_checkpoint(_one_input_checkpoint(back))
    message = str(info.value)
    assert "out.backward(end_grad) changed its argument end_grad in place" in message
    assert "backprop passes it on as the first grad_out" in message


H_CHANGES = {
    # zero_() changes the values: the failure shows them and explains.
    "zeroed": (lambda h: h.zero_(), "changed its argument h in place"),
    # The same values written back: still an in-place change (h.version), with the short message.
    "written back unchanged": (lambda h: h.__setitem__(Ellipsis, h.array.copy()), "changed h; a block's input belongs to the caller"),
}


@pytest.mark.parametrize("name", H_CHANGES)
def test_a_checkpoint_that_changes_h_fails_naming_it(name):
    change, expected = H_CHANGES[name]
    solution = _one_input_checkpoint(_right_back)

    def checkpoint(fn, h):
        out = solution(fn, h)
        with no_grad():
            change(h)  # the caller's input, changed in place
        return out

    with pytest.raises(AssertionError) as info:
        check_checkpoint(checkpoint)
    message = str(info.value)
    assert message.startswith("check_checkpoint: checkpoint(block, h) for the block ") and expected in message
    if name == "zeroed":
        assert "h after the call (shape (4,), float64): [0., 0., 0., 0.]" in message
        assert "h belongs to the caller" in message


# ------------------------------------------------- wrong answers a reviewer found accepted


def multiply_tangent_through_out(dx, dy, out, x, y):
    return out / x * dx + out / y * dy  # "d(out)/dx = out / x": nan where x or y is 0


def sum_tangent_squeezed(dx, out, x, dim=None, keepdim=False):
    summed = np.sum(dx, axis=dim, keepdims=True)
    return summed if keepdim else summed.squeeze()  # drops size-1 dimensions that were not summed


def sum_tangent_ignoring_keepdim_for_none(dx, out, x, dim=None, keepdim=False):
    return np.sum(dx) if dim is None else np.sum(dx, axis=dim, keepdims=keepdim)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("rules, message", [
    ((multiply_tangent_through_out, matmul_tangent, sum_tangent), "multiply_tangent_through_out"),
    ((multiply_tangent, matmul_tangent, sum_tangent_squeezed), "sum_tangent_squeezed"),
    ((multiply_tangent, matmul_tangent, sum_tangent_ignoring_keepdim_for_none), "sum_tangent_ignoring_keepdim_for_none"),
], ids=["divides-by-x", "squeeze", "keepdim-ignored-for-None"])
def test_check_tangent_rules_rejects_them_on_every_seed(rules, message, seed):
    with pytest.raises(AssertionError, match=message), np.errstate(all="ignore"):
        check_tangent_rules(*rules, seed=seed)
