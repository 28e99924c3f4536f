"""Tests for autograd_lite.checks.engine: each check passes the library, fails plausible wrong answers.

For every check: the library's own function passes and prints exactly one
line; the exercise's stub gives the book's NotImplementedError message; each
wrong answer a learner plausibly writes fails; another correct answer passes.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

import autograd_lite.checks as checks_package
import autograd_lite.checks.engine as engine_checks
from autograd_lite import (
    BACK_FUNCS,
    add_back0,
    add_back1,
    matmul_back0,
    matmul_back1,
    subtract_back0,
    subtract_back1,
    true_divide_back0,
    true_divide_back1,
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
    check_add_back,
    check_backprop,
    check_matmul_back,
    check_subtract_back,
    check_true_divide_back,
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


# The checks of chapter 8's exercises on what networks use: each takes (back0, back1).
PAIR_CHECKS = {
    "check_add_back": (check_add_back, add_back0, add_back1),
    "check_subtract_back": (check_subtract_back, subtract_back0, subtract_back1),
    "check_true_divide_back": (check_true_divide_back, true_divide_back0, true_divide_back1),
    "check_matmul_back": (check_matmul_back, matmul_back0, matmul_back1),
}


def test_the_checks_are_exported():
    assert engine_checks.__all__ == list(CHECKS) + list(PAIR_CHECKS)
    for name in [*CHECKS, *PAIR_CHECKS]:
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
    with pytest.raises(AssertionError) as error:
        check_sorted_computational_graph(sorted_by_recursion)
    # The same explanation as check_topological_sort gives a recursive sort.
    message = str(error.value)
    assert message.startswith(
        "check_sorted_computational_graph: sorted_by_recursion raised RecursionError on a chain of 3,000"
    )
    assert "hint: keep the nodes still to visit on an explicit stack" in message
    assert error.value.__cause__ is None and error.value.__suppress_context__


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


# ---------------------------------------------------------------- wrong answers that used to pass (issue 8)


def backprop_adding_in_place(end_node, end_grad=None):
    """The book's backprop, but ``grads[parent] += grad``: adds into arrays other nodes share."""
    grads = {end_node: np.ones(end_node.shape) if end_grad is None else np.asarray(end_grad)}
    for node in sorted_computational_graph(end_node):
        grad_out = grads.pop(node)
        if node.recipe is None:
            node.grad = Tensor(grad_out if node.grad is None else node.grad.array + grad_out)
            continue
        for argnum, parent in node.recipe.parents.items():
            if parent.requires_grad:
                grad = BACK_FUNCS[node.recipe.func, argnum](grad_out, node.array, *node.recipe.args, **node.recipe.kwargs)
                if parent in grads:
                    grads[parent] += grad
                else:
                    grads[parent] = grad


def test_backprop_check_fails_a_backprop_that_adds_in_place():
    with pytest.raises(AssertionError) as info:
        check_backprop(backprop_adding_in_place)
    message = str(info.value)
    # add hands its grad_out (here the caller's end_grad) straight on, so += writes into end_grad.
    assert message.startswith(
        "check_backprop: backprop_adding_in_place(L, end_grad) for s = x + y; L = s + x, with end_grad [1., 0.5] "
        "changed its argument end_grad in place"
    )
    assert "end_grad belongs to the caller" in message


def test_backprop_check_fails_in_place_adding_even_when_it_copies_end_grad():
    def backprop_copies_end_grad(end_node, end_grad=None):
        return backprop_adding_in_place(end_node, None if end_grad is None else np.array(end_grad))

    # end_grad survives, but s and x share one array: adding x's second gradient into it changes
    # the grad_out that s then hands to y.
    with pytest.raises(AssertionError, match=r"wrong y.grad for backprop_copies_end_grad\(L, end_grad\) for s = x \+ y"):
        check_backprop(backprop_copies_end_grad)


def backprop_path_by_path(end_node, end_grad=None):
    """Pushes each gradient along every path separately (no recursion, so the long chain passes)."""
    start = np.ones(end_node.shape) if end_grad is None else np.asarray(end_grad)
    stack = [(end_node, start)]
    while stack:
        node, grad_out = stack.pop()
        if node.recipe is None:
            node.grad = Tensor(grad_out if node.grad is None else node.grad.array + grad_out)
            continue
        for argnum, parent in node.recipe.parents.items():
            if parent.requires_grad:
                back = BACK_FUNCS[node.recipe.func, argnum]
                stack.append((parent, back(grad_out, node.array, *node.recipe.args, **node.recipe.kwargs)))


def test_backprop_check_fails_path_by_path_backprop_quickly():
    start = time.monotonic()
    with pytest.raises(AssertionError) as info:
        check_backprop(backprop_path_by_path)
    assert time.monotonic() - start < 5  # found out by counting, not by waiting for the time limit
    message = str(info.value)
    assert message.startswith("check_backprop: on a graph of 30 diamonds stacked one on another")
    assert "2**30 = 1,073,741,824 paths here" in message
    assert "visit the nodes once, in sorted_computational_graph order" in message


def test_backprop_check_leaves_the_registry_as_it_was():
    before = dict(BACK_FUNCS)
    check_backprop(backprop)
    with pytest.raises(AssertionError):
        check_backprop(backprop_path_by_path)
    assert BACK_FUNCS == before


def test_sum_back_check_fails_expand_dims_in_the_order_given():
    def sum_back_in_order(grad_out, out, x, dim=None, keepdim=False):
        if dim is not None and not keepdim:
            for d in (dim if isinstance(dim, tuple) else (dim,)):
                grad_out = np.expand_dims(grad_out, d)  # wrong when dim is not in increasing order
        return np.broadcast_to(grad_out, x.shape).copy()

    with pytest.raises(AssertionError) as info:
        check_sum_back(sum_back_in_order)
    message = str(info.value)
    assert "x.sum(axis=(1, 0), keepdims=False), x of shape (3, 3, 3), dim=(1, 0), keepdim=False)" in message
    assert "wrong values" in message and "np.expand_dims(grad_out, dim) with the whole tuple" in message


def test_sum_back_check_fails_negative_axes_normalised_then_expanded_in_order():
    def sum_back_normalised(grad_out, out, x, dim=None, keepdim=False):
        if dim is not None and not keepdim:
            for d in (dim if isinstance(dim, tuple) else (dim,)):
                grad_out = np.expand_dims(grad_out, d % x.ndim)  # (-1, 0) becomes (2, 0): 2 first
        return np.broadcast_to(grad_out, x.shape).copy()

    with pytest.raises(np.exceptions.AxisError):  # on (-1, 0) alone, as (1, 0) is a case before it
        sum_back_normalised(np.ones(3), None, np.ones((3, 3, 3)), (-1, 0))
    with pytest.raises(AssertionError, match=r"dim=\(1, 0\), keepdim=False\)"):
        check_sum_back(sum_back_normalised)


def test_sum_back_check_fails_sorting_the_axes_with_negatives_among_them():
    def sum_back_sorted(grad_out, out, x, dim=None, keepdim=False):
        if dim is not None and not keepdim:
            for d in sorted(dim if isinstance(dim, tuple) else (dim,)):  # (2, -3) sorts to (-3, 2)
                grad_out = np.expand_dims(grad_out, d)
        return np.broadcast_to(grad_out, x.shape).copy()

    with pytest.raises(np.exceptions.AxisError) as info:
        check_sum_back(sum_back_sorted)
    assert any("dim=(2, -3), keepdim=False" in note for note in info.value.__notes__)


def test_maximum_back0_check_says_exactly_why_float32_became_float64():
    def maximum_back0_float64(grad_out, out, x, y):
        return unbroadcast(grad_out * ((x > y) + 0.5 * (x == y)), x)

    with pytest.raises(AssertionError) as info:
        check_maximum_back0(maximum_back0_float64)
    message = str(info.value)
    assert "wrong dtype: expected float32, got float64" in message
    assert "0.5 * (x == y) is float64, because a Python float times a bool array makes float64" in message
    assert "grad_out * (x > y) + 0.5 * grad_out * (x == y) stays float32" in message


def test_the_float32_form_the_hint_suggests_passes(capsys):
    def maximum_back0_float32(grad_out, out, x, y):
        return unbroadcast(grad_out * (x > y) + 0.5 * grad_out * (x == y), x)

    check_maximum_back0(maximum_back0_float32)
    assert capsys.readouterr().out == "check_maximum_back0: all tests passed\n"


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda t: [[n] for n in sorted_computational_graph(t)], r"item 0 of the result is list \[.*\], which is unhashable"),
        (lambda t: [n.array for n in sorted_computational_graph(t)], "item 0 of the result is ndarray .*, which is unhashable"),
        (lambda t: [n.recipe for n in sorted_computational_graph(t)], "item 0 of the result is a Recipe, not a Tensor"),
    ],
    ids=["lists", "arrays", "recipes"],
)
def test_sorted_graph_check_explains_items_that_are_not_tensors(wrong, message):
    with pytest.raises(AssertionError, match=message):
        check_sorted_computational_graph(wrong)


def test_backprop_check_explains_a_recursive_backprop_like_the_sorts():
    def backprop_recursive(end_node, end_grad=None):
        def visit(node, grad):
            if node.recipe is None:
                node.grad = Tensor(grad if node.grad is None else node.grad.array + grad)
                return
            for argnum, parent in node.recipe.parents.items():
                if parent.requires_grad:
                    back = BACK_FUNCS[node.recipe.func, argnum]
                    visit(parent, back(grad, node.array, *node.recipe.args, **node.recipe.kwargs))

        visit(end_node, np.ones(end_node.shape) if end_grad is None else np.asarray(end_grad))

    with pytest.raises(AssertionError) as info:
        check_backprop(backprop_recursive)
    message = str(info.value)
    assert message.startswith("check_backprop: backprop_recursive raised RecursionError on a chain of 3,000 operations")
    assert "hint: keep the nodes still to visit on an explicit stack" in message


# ---------------------------------------------------------------- add, subtract, true_divide, matmul (pairs)


@pytest.mark.parametrize("name", PAIR_CHECKS)
def test_a_pair_check_passes_the_library_with_one_line_for_many_seeds(name, capsys):
    check, back0, back1 = PAIR_CHECKS[name]
    for seed in range(40):
        check(back0, back1, seed=seed)
    assert capsys.readouterr().out == f"{name}: all tests passed\n" * 40


@pytest.mark.parametrize("name", PAIR_CHECKS)
@pytest.mark.parametrize("which", [0, 1])
def test_a_pair_check_says_which_stub_is_not_implemented_yet(name, which):
    check, back0, back1 = PAIR_CHECKS[name]
    correct = (back0, back1)[which]

    def stub(*args, **kwargs):
        raise NotImplementedError

    stub.__name__ = correct.__name__
    fns = [back0, back1]
    fns[which] = stub
    with pytest.raises(NotImplementedError) as error:
        check(*fns)
    assert str(error.value) == (
        f"{name}: {correct.__name__} is not implemented yet. Fill in its body, then run {name} again."
    )


@pytest.mark.parametrize("name", PAIR_CHECKS)
@pytest.mark.parametrize("which", [0, 1])
def test_a_pair_check_fails_a_backward_function_that_changes_grad_out_in_place(name, which):
    check, back0, back1 = PAIR_CHECKS[name]
    correct = (back0, back1)[which]

    def scales_grad_out_in_place(grad_out, out, x, y):
        result = correct(grad_out.copy(), out, x, y)
        grad_out *= 2  # e.g. `grad_out /= y; return unbroadcast(grad_out, x)`
        return result

    fns = [back0, back1]
    fns[which] = scales_grad_out_in_place
    with pytest.raises(AssertionError, match="changed its argument grad_out in place"):
        check(*fns)


def test_add_check_fails_a_gradient_that_is_not_unbroadcast():
    def no_unbroadcast(grad_out, out, x, y):
        return grad_out

    with pytest.raises(AssertionError, match=r"(?s)wrong shape.*hint: the gradient has the shape of the argument"):
        check_add_back(add_back0, no_unbroadcast)
    with pytest.raises(AssertionError, match="wrong shape"):
        check_add_back(no_unbroadcast, add_back1)


def test_add_check_fails_averaging_or_summing_only_the_prepended_dimensions():
    def averages(grad_out, out, x, y):
        return unbroadcast(grad_out, y) * np.size(y) / grad_out.size

    with pytest.raises(AssertionError, match="do not average them"):
        check_add_back(add_back0, averages)

    def sums_only_prepended(grad_out, out, x, y):
        extra = grad_out.ndim - np.ndim(y)
        return grad_out.sum(axis=tuple(range(extra))) if extra else grad_out

    with pytest.raises(AssertionError, match="wrong shape"):
        check_add_back(add_back0, sums_only_prepended)


def test_subtract_check_fails_the_missing_minus_sign():
    def no_minus(grad_out, out, x, y):
        return unbroadcast(grad_out, y)

    with pytest.raises(AssertionError, match=r"y gets -grad_out"):
        check_subtract_back(subtract_back0, no_minus)

    def minus_on_the_wrong_argument(grad_out, out, x, y):
        return unbroadcast(-grad_out, x)

    with pytest.raises(AssertionError, match=r"the minus sign belongs to y"):
        check_subtract_back(minus_on_the_wrong_argument, subtract_back1)


def test_subtract_check_fails_negating_grad_out_in_place():
    def negates_in_place(grad_out, out, x, y):
        grad_out *= -1
        return unbroadcast(grad_out, y)

    with pytest.raises(AssertionError, match="changed its argument grad_out in place"):
        check_subtract_back(subtract_back0, negates_in_place)


@pytest.mark.parametrize(
    "wrong",
    [
        lambda grad_out, out, x, y: unbroadcast(grad_out * out / y, y),  # the sign
        lambda grad_out, out, x, y: unbroadcast(-grad_out * x / y, y),  # y to the first power
        lambda grad_out, out, x, y: unbroadcast(-grad_out / y**2, y),  # forgets x
        lambda grad_out, out, x, y: unbroadcast(-grad_out * x / y**3, y),  # the power one too high
        lambda grad_out, out, x, y: unbroadcast(-grad_out / y, y),  # the mirror image of back0
    ],
    ids=["sign", "power 1", "no x", "power 3", "mirror of back0"],
)
def test_true_divide_check_fails_wrong_quotient_rules(wrong):
    with pytest.raises(AssertionError, match=r"mind the minus sign and the square"):
        check_true_divide_back(true_divide_back0, wrong)


def test_true_divide_check_fails_wrong_gradients_for_x():
    def times_y(grad_out, out, x, y):
        return unbroadcast(grad_out * y, x)

    with pytest.raises(AssertionError, match=r"x gets grad_out / y"):
        check_true_divide_back(times_y, true_divide_back1)

    def no_unbroadcast(grad_out, out, x, y):
        return grad_out / y

    with pytest.raises(AssertionError, match="wrong shape"):
        check_true_divide_back(no_unbroadcast, true_divide_back1)


def test_true_divide_check_fails_dividing_grad_out_in_place():
    def divides_in_place(grad_out, out, x, y):
        grad_out /= y
        return unbroadcast(grad_out, x)

    with pytest.raises(AssertionError, match=r"(?s)changed its argument grad_out in place.*`return grad_out / x`"):
        check_true_divide_back(divides_in_place, true_divide_back1)


def test_arithmetic_checks_pass_other_correct_implementations(capsys):
    def sum_by_hand(g, shape):
        g = g.sum(axis=tuple(range(g.ndim - len(shape))))
        return g.sum(axis=tuple(i for i, n in enumerate(shape) if n == 1), keepdims=True)

    check_add_back(lambda g, out, x, y: sum_by_hand(g, np.shape(x)), lambda g, out, x, y: sum_by_hand(g, np.shape(y)))
    check_subtract_back(
        lambda g, out, x, y: sum_by_hand(g, np.shape(x)), lambda g, out, x, y: -sum_by_hand(g, np.shape(y))
    )
    check_true_divide_back(
        lambda g, out, x, y: unbroadcast(g * (1 / np.asarray(y, dtype=g.dtype)), x),
        lambda g, out, x, y: unbroadcast(-g * x / (y * y), y),
    )
    assert capsys.readouterr().out == (
        "check_add_back: all tests passed\ncheck_subtract_back: all tests passed\n"
        "check_true_divide_back: all tests passed\n"
    )


def _t(a):
    return np.swapaxes(a, -1, -2)


def _fails_with_a_matmul_hint(back0, back1, values_hint):
    """The check fails: wrong values with ``values_hint`` (square cases), or numpy's shape error with the shape hint."""
    try:
        check_matmul_back(back0, back1)
    except AssertionError as error:
        assert "wrong values" in str(error) and values_hint in str(error), str(error)
    except ValueError as error:
        assert any("write each shape under the formula" in note for note in error.__notes__), error.__notes__
    else:
        raise AssertionError("check_matmul_back passed a wrong answer")


def test_matmul_check_fails_a_transpose_in_the_wrong_place():
    def forgets_the_transpose(grad_out, out, x, y):  # grad_out @ y, not @ y^T
        return unbroadcast(grad_out @ y, x) if np.ndim(x) > 1 and np.ndim(y) > 1 else matmul_back0(grad_out, out, x, y)

    _fails_with_a_matmul_hint(forgets_the_transpose, matmul_back1, "grad_out on the left, the transposed y on the right")

    def transposes_grad_out(grad_out, out, x, y):  # x @ grad_out^T
        return unbroadcast(x @ _t(grad_out), y) if np.ndim(x) > 1 and np.ndim(y) > 1 else matmul_back1(grad_out, out, x, y)

    _fails_with_a_matmul_hint(matmul_back0, transposes_grad_out, "the transposed x on the left")

    def on_the_wrong_side(grad_out, out, x, y):  # grad_out @ x^T
        return unbroadcast(grad_out @ _t(x), y) if np.ndim(x) > 1 and np.ndim(y) > 1 else matmul_back1(grad_out, out, x, y)

    _fails_with_a_matmul_hint(matmul_back0, on_the_wrong_side, "the transposed x on the left")

    def y_transposed_on_the_left(grad_out, out, x, y):  # y^T @ grad_out
        return unbroadcast(_t(y) @ grad_out, x) if np.ndim(x) > 1 and np.ndim(y) > 1 else matmul_back0(grad_out, out, x, y)

    _fails_with_a_matmul_hint(y_transposed_on_the_left, matmul_back1, "the transposed y on the right")


def test_matmul_check_gives_the_values_hint_on_the_square_case():
    def forgets_the_transpose(grad_out, out, x, y):  # only where the shapes happen to fit: square y
        if np.ndim(y) == 2 and y.shape[0] == y.shape[1]:
            return unbroadcast(grad_out @ y, x)
        return matmul_back0(grad_out, out, x, y)

    with pytest.raises(AssertionError, match=r"(?s)x of shape \(3, 3\).*wrong values.*the transposed y on the right"):
        check_matmul_back(forgets_the_transpose, matmul_back1)


def test_matmul_check_fails_dot_T_on_a_batch():
    def uses_dot_T(grad_out, out, x, y):
        if np.ndim(x) == 1 or np.ndim(y) == 1:
            return matmul_back0(grad_out, out, x, y)
        return unbroadcast(grad_out @ y.T, x)  # .T reverses all axes of a batch

    with pytest.raises((AssertionError, ValueError)) as error:
        check_matmul_back(uses_dot_T, matmul_back1)
    assert "np.swapaxes(a, -1, -2)" in str(error.value) or "check_matmul_back: raised by" in str(
        getattr(error.value, "__notes__", "")
    )


def test_matmul_check_fails_forgetting_to_unbroadcast_the_batch_dimensions():
    def no_unbroadcast0(grad_out, out, x, y):
        if np.ndim(x) == 1 or np.ndim(y) == 1:
            return matmul_back0(grad_out, out, x, y)
        return grad_out @ _t(y)

    def no_unbroadcast1(grad_out, out, x, y):
        if np.ndim(x) == 1 or np.ndim(y) == 1:
            return matmul_back1(grad_out, out, x, y)
        return _t(x) @ grad_out

    with pytest.raises(AssertionError, match=r"(?s)wrong shape.*summed by unbroadcast"):
        check_matmul_back(no_unbroadcast0, matmul_back1)
    with pytest.raises(AssertionError, match=r"(?s)wrong shape.*summed by unbroadcast"):
        check_matmul_back(matmul_back0, no_unbroadcast1)


def test_matmul_check_fails_1d_operands_treated_as_2d():
    def leaves_the_row_in(grad_out, out, x, y):  # makes x a row, but returns the (1, k) gradient
        x2, y2, g = np.atleast_2d(x), np.asarray(y), np.asarray(grad_out)
        if y2.ndim == 1:
            y2, g = y2[:, None], g[..., None]
        if np.ndim(x) == 1:
            g = np.expand_dims(g, -2)
        return unbroadcast(g @ _t(y2), x2)

    with pytest.raises(AssertionError, match=r"(?s)wrong shape.*A 1-D x is used as a row"):
        check_matmul_back(leaves_the_row_in, matmul_back1)

    def plain_formula(grad_out, out, x, y):  # no 1-D handling at all
        return unbroadcast(_t(np.asarray(x)) @ grad_out, y)

    with pytest.raises((AssertionError, ValueError)):
        check_matmul_back(matmul_back0, plain_formula)

    def leaves_the_column_in(grad_out, out, x, y):  # makes y a column, returns the (k, 1) gradient
        x2, y2, g = np.asarray(x), np.asarray(y), np.asarray(grad_out)
        if y2.ndim == 1:
            y2, g = y2[:, None], g[..., None]
        if x2.ndim == 1:
            x2, g = x2[None, :], np.expand_dims(g, -2)
        return unbroadcast(_t(x2) @ g, y2)

    with pytest.raises(AssertionError, match=r"wrong shape: expected \(3,\), got \(3, 1\)"):
        check_matmul_back(matmul_back0, leaves_the_column_in)


def test_matmul_check_passes_another_correct_implementation(capsys):
    def by_einsum0(grad_out, out, x, y):
        x2, y2 = np.asarray(x), np.asarray(y)
        if x2.ndim == 1 and y2.ndim == 1:
            return grad_out * y2
        if y2.ndim == 1:
            return unbroadcast(np.einsum("...n,k->...nk", grad_out, y2), x2)
        if x2.ndim == 1:
            return unbroadcast(np.einsum("...m,...km->...k", grad_out, y2), x2)
        return unbroadcast(np.einsum("...nm,...km->...nk", grad_out, y2), x2)

    def by_einsum1(grad_out, out, x, y):
        x2, y2 = np.asarray(x), np.asarray(y)
        if x2.ndim == 1 and y2.ndim == 1:
            return grad_out * x2
        if x2.ndim == 1:
            return unbroadcast(np.einsum("k,...m->...km", x2, grad_out), y2)
        if y2.ndim == 1:
            return unbroadcast(np.einsum("...nk,...n->...k", x2, grad_out), y2)
        return unbroadcast(np.einsum("...nk,...nm->...km", x2, grad_out), y2)

    for seed in range(20):
        check_matmul_back(by_einsum0, by_einsum1, seed=seed)
    assert capsys.readouterr().out == "check_matmul_back: all tests passed\n" * 20


def test_true_divide_back1_through_out_over_x_fails_where_x_is_zero():
    """-grad_out * out * out / x equals -grad_out * x / y**2 except where x is 0 (nan there)."""

    def wrong(grad_out, out, x, y):
        return unbroadcast(-grad_out * out * out / x, y)

    with pytest.raises(AssertionError), np.errstate(all="ignore"):
        check_true_divide_back(true_divide_back0, wrong)
