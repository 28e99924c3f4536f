"""Tests for autograd_lite.checks.engine: each check passes the library, fails plausible wrong answers.

For every check: the library's own function passes and prints exactly one
line; the exercise's stub gives the book's NotImplementedError message; each
wrong answer a learner plausibly writes fails; another correct answer passes.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite.checks as checks_package
import autograd_lite.checks.engine as engine_checks
from autograd_lite import (
    BACK_FUNCS,
    Tensor,
    backprop,
    indexing_back,
    maximum_back0,
    permute_back,
    sorted_computational_graph,
    sum_back,
    topological_sort,
    unbroadcast,
)
from autograd_lite.checks import (
    check_backprop,
    check_indexing_back,
    check_maximum_back0,
    check_permute_back,
    check_sorted_computational_graph,
    check_sum_back,
)

CHECKS = {
    "check_sorted_computational_graph": (check_sorted_computational_graph, sorted_computational_graph),
    "check_backprop": (check_backprop, backprop),
    "check_sum_back": (check_sum_back, sum_back),
    "check_permute_back": (check_permute_back, permute_back),
    "check_maximum_back0": (check_maximum_back0, maximum_back0),
    "check_indexing_back": (check_indexing_back, indexing_back),
}


def test_the_checks_are_exported():
    assert engine_checks.__all__ == list(CHECKS)
    for name in CHECKS:
        assert getattr(checks_package, name) is getattr(engine_checks, name)


@pytest.mark.parametrize("name", CHECKS)
def test_the_library_passes_with_one_line(name, capsys):
    check, correct = CHECKS[name]
    check(correct)
    assert capsys.readouterr().out == f"{name}: all tests passed\n"


@pytest.mark.parametrize("name", CHECKS)
def test_a_stub_is_not_implemented_yet(name):
    check, correct = CHECKS[name]

    def stub(*args, **kwargs):
        raise NotImplementedError

    stub.__name__ = correct.__name__
    with pytest.raises(NotImplementedError) as error:
        check(stub)
    assert str(error.value) == (
        f"{name}: {correct.__name__} is not implemented yet. Fill in its body, then run {name} again."
    )
    assert error.value.__cause__ is None and error.value.__suppress_context__


# ---------------------------------------------------------------- sorted_computational_graph


def _parents(t):
    return list(t.recipe.parents.values()) if t.recipe else []


def sorted_leaves_first(tensor):
    return topological_sort(tensor, _parents)  # forgot to reverse


def sorted_with_repeats(tensor):
    order, stack = [], [tensor]  # no record of what was visited: a shared node comes twice
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(_parents(node))
    return order


def sorted_by_recursion(tensor):
    order, seen = [], set()

    def visit(node):
        if id(node) in seen:
            return
        seen.add(id(node))
        for parent in _parents(node):
            visit(parent)
        order.append(node)

    visit(tensor)
    return order[::-1]


def sorted_including_constants_by_kahn(tensor):
    """Another correct answer: Kahn's algorithm, constants included."""
    nodes, stack = {id(tensor): tensor}, [tensor]
    while stack:
        for parent in _parents(stack.pop()):
            if id(parent) not in nodes:
                nodes[id(parent)] = parent
                stack.append(parent)
    users = {i: 0 for i in nodes}
    for node in nodes.values():
        for parent in set(map(id, _parents(node))):
            users[parent] += 1
    ready, order = [tensor], []
    while ready:
        node = ready.pop()
        order.append(node)
        for parent_id in set(map(id, _parents(node))):
            users[parent_id] -= 1
            if users[parent_id] == 0:
                ready.append(nodes[parent_id])
    return order


def test_sorted_graph_check_fails_wrong_orders():
    with pytest.raises(AssertionError, match="the first node must be L itself"):
        check_sorted_computational_graph(sorted_leaves_first)
    with pytest.raises(AssertionError, match="appears 2 times"):
        check_sorted_computational_graph(sorted_with_repeats)
    with pytest.raises(RecursionError) as error:
        check_sorted_computational_graph(sorted_by_recursion)
    assert "check_sorted_computational_graph: raised by sorted_by_recursion(L) for a chain of 3,000" in str(
        error.value.__notes__
    )


def test_sorted_graph_check_passes_another_correct_order(capsys):
    check_sorted_computational_graph(sorted_including_constants_by_kahn)
    assert capsys.readouterr().out == "check_sorted_computational_graph: all tests passed\n"


# ---------------------------------------------------------------- backprop


def _make_backprop(overwrite_paths=False, overwrite_grad=False, every_node=False, raw_arrays=False):
    def backprop(end_node, end_grad=None):
        grads = {end_node: np.ones(end_node.shape) if end_grad is None else np.asarray(end_grad)}
        for node in sorted_computational_graph(end_node):
            grad = grads.pop(node)
            if node.recipe is None or every_node:
                value = grad if raw_arrays else Tensor(grad)
                if node.grad is None or overwrite_grad or raw_arrays:
                    node.grad = value
                else:
                    node.grad = Tensor(node.grad.array + grad)
            if node.recipe is None:
                continue
            for argnum, parent in node.recipe.parents.items():
                if not parent.requires_grad:
                    continue
                back = BACK_FUNCS[node.recipe.func, argnum]
                g = back(grad, node.array, *node.recipe.args, **node.recipe.kwargs)
                grads[parent] = g if (parent not in grads or overwrite_paths) else grads[parent] + g

    return backprop


def test_backprop_check_fails_wrong_implementations():
    with pytest.raises(AssertionError, match=r"wrong b.grad for backprop\(L\) for d = a \* b; e = b \+ c"):
        check_backprop(_make_backprop(overwrite_paths=True))  # the second path replaces the first
    with pytest.raises(AssertionError, match="already hold a .grad of 10s"):
        check_backprop(_make_backprop(overwrite_grad=True))  # .grad replaced, not added to
    with pytest.raises(AssertionError, match="a non-leaf Tensor .* got a .grad"):
        check_backprop(_make_backprop(every_node=True))
    # Storing a plain array in .grad is refused by the Tensor itself (issue 8), with the fix in the message.
    with pytest.raises(TypeError, match=r"x\.grad = Tensor\(grad\)"):
        check_backprop(_make_backprop(raw_arrays=True))


def test_backprop_check_passes_another_correct_implementation(capsys):
    check_backprop(_make_backprop())
    assert capsys.readouterr().out == "check_backprop: all tests passed\n"


# ---------------------------------------------------------------- sum_back, permute_back


def test_sum_back_check_fails_wrong_implementations():
    def forgets_the_summed_dims(grad_out, out, x, dim=None, keepdim=False):
        return np.broadcast_to(grad_out, x.shape)

    with pytest.raises(ValueError) as error:
        check_sum_back(forgets_the_summed_dims)
    assert "check_sum_back: raised by forgets_the_summed_dims" in str(error.value.__notes__)

    def makes_float64(grad_out, out, x, dim=None, keepdim=False):
        kept = grad_out if dim is None or keepdim else np.expand_dims(grad_out, dim)
        return np.ones(x.shape) * kept

    with pytest.raises(AssertionError, match="wrong dtype: expected float32, got float64"):
        check_sum_back(makes_float64)

    def ignores_negative_dims(grad_out, out, x, dim=None, keepdim=False):
        if dim is not None and not keepdim:
            for d in sorted((dim,) if isinstance(dim, int) else dim):
                grad_out = np.expand_dims(grad_out, d % grad_out.ndim if d < 0 else d)
        return np.broadcast_to(grad_out, x.shape)

    with pytest.raises((AssertionError, ValueError)):
        check_sum_back(ignores_negative_dims)


def test_sum_back_check_passes_another_correct_implementation(capsys):
    def by_ones(grad_out, out, x, dim=None, keepdim=False):
        kept = grad_out if dim is None or keepdim else np.expand_dims(grad_out, dim)
        return np.ones_like(x) * kept

    check_sum_back(by_ones)
    assert capsys.readouterr().out == "check_sum_back: all tests passed\n"


def test_permute_back_check_fails_the_same_permutation_again():
    def permutes_again(grad_out, out, x, axes):
        return np.transpose(grad_out, axes)

    with pytest.raises(AssertionError, match="inverse permutation"):
        check_permute_back(permutes_again)


def test_permute_back_check_passes_another_correct_implementation(capsys):
    def by_moveaxis(grad_out, out, x, axes):
        axes = [a % x.ndim for a in axes]
        return np.moveaxis(grad_out, range(len(axes)), axes)

    check_permute_back(by_moveaxis)
    assert capsys.readouterr().out == "check_permute_back: all tests passed\n"


# ---------------------------------------------------------------- maximum_back0, indexing_back


def test_maximum_back0_check_fails_wrong_implementations():
    def no_tie_split(grad_out, out, x, y):
        return unbroadcast(grad_out * (x >= y), x)

    with pytest.raises(AssertionError, match="each gets half"):
        check_maximum_back0(no_tie_split)

    def no_unbroadcast(grad_out, out, x, y):
        return grad_out * (x > y) + grad_out * 0.5 * (x == y)

    with pytest.raises(AssertionError, match="wrong shape"):
        check_maximum_back0(no_unbroadcast)


def test_maximum_back0_check_passes_another_correct_implementation(capsys):
    def by_where(grad_out, out, x, y):
        share = np.where(x > y, 1.0, np.where(x == y, 0.5, 0.0)).astype(grad_out.dtype)
        return unbroadcast(grad_out * share, x)

    check_maximum_back0(by_where)
    assert capsys.readouterr().out == "check_maximum_back0: all tests passed\n"


def test_indexing_back_check_fails_buffered_assignment():
    def buffered(grad_out, out, x, index):
        grad = np.zeros_like(x)
        grad[index] += grad_out
        return grad

    with pytest.raises(AssertionError, match=r"np.add.at\(grad, index, grad_out\)"):
        check_indexing_back(buffered)


def test_indexing_back_check_passes_another_correct_implementation(capsys):
    def by_loop(grad_out, out, x, index):
        grad = np.zeros_like(x)
        positions = np.arange(x.size).reshape(x.shape)[index]
        flat = grad.reshape(-1)
        for position, g in zip(np.ravel(positions), np.ravel(grad_out)):
            flat[position] += g
        return grad

    check_indexing_back(by_loop)
    assert capsys.readouterr().out == "check_indexing_back: all tests passed\n"


def test_checks_show_inputs_expected_and_actual():
    def doubles(grad_out, out, x, index):
        return 2 * indexing_back(grad_out, out, x, index)

    with pytest.raises(AssertionError) as error:
        check_indexing_back(doubles)
    message = str(error.value)
    for part in ["grad_out (shape", "x (shape", "expected (shape", "actual (shape", "wrong values"]:
        assert part in message
