"""Tests for autograd_lite.checks (part 1): each check passes the library, fails each plausible wrong answer.

For every check: the library's own function passes and prints exactly one line;
the exercise's stub gives the book's NotImplementedError message; each wrong
answer a learner plausibly writes raises AssertionError; other correct answers
(a different valid order, a different way to sum) pass too.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

from autograd_lite import (
    forward_and_back,
    log_back,
    multiply_back0,
    multiply_back1,
    topological_sort,
    unbroadcast,
)
from autograd_lite.checks import (
    check_central_difference,
    check_forward_and_back,
    check_log_back,
    check_multiply_back,
    check_multiply_back_float,
    check_topological_sort,
    check_unbroadcast,
)
import autograd_lite.checks as checks_package
import autograd_lite.checks.part1 as part1

CHECK_NAMES = [
    "check_central_difference",
    "check_log_back",
    "check_unbroadcast",
    "check_multiply_back",
    "check_multiply_back_float",
    "check_forward_and_back",
    "check_topological_sort",
]


def central_difference(f, x, eps=1e-6):
    """The book's solution of exercise 1.1."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


# The library's own functions, as each check takes them.
CORRECT = {
    "check_central_difference": (central_difference,),
    "check_log_back": (log_back,),
    "check_unbroadcast": (unbroadcast,),
    "check_multiply_back": (multiply_back0, multiply_back1),
    "check_multiply_back_float": (multiply_back0, multiply_back1),
    "check_forward_and_back": (forward_and_back,),
    "check_topological_sort": (topological_sort,),
}


def test_all_names_are_exported():
    assert part1.__all__ == CHECK_NAMES
    assert checks_package.__all__[: len(CHECK_NAMES)] == CHECK_NAMES
    for name in CHECK_NAMES:
        assert getattr(checks_package, name) is getattr(part1, name)


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_the_library_passes_and_prints_one_line(name, capsys):
    assert getattr(part1, name)(*CORRECT[name]) is None
    assert capsys.readouterr().out == f"{name}: all tests passed\n"


# ------------------------------------------------------------------ stubs


def stub_log_back(grad_out, out, x):
    raise NotImplementedError


def stub_multiply_back1(grad_out, out, x, y):
    raise NotImplementedError("write this")


def stub_unbroadcast(broadcasted, original):
    raise NotImplementedError


def stub_forward_and_back(a, b, c):
    raise NotImplementedError


def stub_topological_sort(node, get_children):
    raise NotImplementedError


def stub_central_difference(f, x, eps=1e-6):
    raise NotImplementedError


STUBS = {
    "check_central_difference": ((stub_central_difference,), "stub_central_difference"),
    "check_log_back": ((stub_log_back,), "stub_log_back"),
    "check_unbroadcast": ((stub_unbroadcast,), "stub_unbroadcast"),
    # The message names the function that is still a stub, not its finished partner.
    "check_multiply_back": ((multiply_back0, stub_multiply_back1), "stub_multiply_back1"),
    "check_multiply_back_float": ((multiply_back0, stub_multiply_back1), "stub_multiply_back1"),
    "check_forward_and_back": ((stub_forward_and_back,), "stub_forward_and_back"),
    "check_topological_sort": ((stub_topological_sort,), "stub_topological_sort"),
}


@pytest.mark.parametrize("name", CHECK_NAMES)
def test_a_stub_says_not_implemented_yet(name, capsys):
    functions, stub_name = STUBS[name]
    with pytest.raises(NotImplementedError) as info:
        getattr(part1, name)(*functions)
    assert str(info.value) == (
        f"{name}: {stub_name} is not implemented yet. Fill in its body, then run {name} again."
    )
    # Raised "from None": the stub's own bare NotImplementedError is not shown as a second error.
    assert info.value.__cause__ is None and info.value.__suppress_context__
    assert capsys.readouterr().out == ""


def test_another_exception_propagates_with_a_note():
    def log_back(grad_out, out, x):
        return grad_out.nonexistent

    with pytest.raises(AttributeError) as info:
        check_log_back(log_back)
    assert any("check_log_back: raised by log_back(" in note for note in info.value.__notes__)


def test_a_shape_test_that_breaks_on_a_float_propagates():
    def multiply_back0(grad_out, out, x, y):
        if y.shape == x.shape:  # a Python float has no .shape
            return grad_out * y
        return unbroadcast(grad_out * y, x)

    with pytest.raises(AttributeError):
        check_multiply_back_float(multiply_back0, multiply_back1)


# -------------------------------------------------------------- log_back


def log_back_times_x(grad_out, out, x):
    return grad_out * x


def log_back_divides_by_out(grad_out, out, x):
    return grad_out / out


def log_back_ignores_grad_out(grad_out, out, x):
    return 1 / x


def log_back_returns_float64(grad_out, out, x):
    return grad_out.astype(np.float64) / x


@pytest.mark.parametrize(
    "wrong", [log_back_times_x, log_back_divides_by_out, log_back_ignores_grad_out, log_back_returns_float64]
)
def test_check_log_back_fails_wrong_answers(wrong, capsys):
    with pytest.raises(AssertionError, match="check_log_back: wrong result for") as info:
        check_log_back(wrong)
    message = str(info.value)
    assert "expected" in message and "actual" in message and "grad_out" in message
    assert capsys.readouterr().out == ""


def test_check_log_back_names_the_dtype_problem():
    with pytest.raises(AssertionError, match="wrong dtype: expected float32, got float64"):
        check_log_back(log_back_returns_float64)


def test_check_log_back_passes_other_correct_answers(capsys):
    check_log_back(lambda grad_out, out, x: grad_out * (1 / x))
    check_log_back(lambda grad_out, out, x: grad_out * x**-1)
    assert capsys.readouterr().out == "check_log_back: all tests passed\n" * 2


# ------------------------------------------------------------ unbroadcast


def unbroadcast_only_prepended(broadcasted, original):
    n = broadcasted.ndim - np.ndim(original)
    return broadcasted.sum(axis=tuple(range(n)))


def unbroadcast_size_one_axes_of_broadcasted(broadcasted, original):
    # Looks for 1s in the wrong array: after the prepended sum they are already 1.
    n = broadcasted.ndim - np.ndim(original)
    summed = broadcasted.sum(axis=tuple(range(n)))
    axes = tuple(i for i, size in enumerate(summed.shape) if size == 1)
    return summed.sum(axis=axes, keepdims=True)


def unbroadcast_forgets_keepdims(broadcasted, original):
    n = broadcasted.ndim - np.ndim(original)
    summed = broadcasted.sum(axis=tuple(range(n)))
    axes = tuple(i for i, size in enumerate(np.shape(original)) if size == 1)
    return summed.sum(axis=axes)


def unbroadcast_returns_float64(broadcasted, original):
    n = broadcasted.ndim - np.ndim(original)
    summed = broadcasted.sum(axis=tuple(range(n)))
    axes = tuple(i for i, size in enumerate(np.shape(original)) if size == 1)
    result = np.zeros(np.shape(original))  # float64, whatever the gradient's dtype
    result += summed.sum(axis=axes, keepdims=True)
    return result


def unbroadcast_ignores_prepended_dims(broadcasted, original):
    # Assumes both arrays have the same number of dimensions.
    axes = tuple(i for i, size in enumerate(np.shape(original)) if size == 1)
    return broadcasted.sum(axis=axes, keepdims=True)


def unbroadcast_aligns_from_the_left(broadcasted, original):
    # Sums original's size-1 axes before removing the prepended ones, so the axes are off by n.
    for i, size in enumerate(np.shape(original)):
        if size == 1:
            broadcasted = broadcasted.sum(axis=i, keepdims=True)
    while broadcasted.ndim > np.ndim(original):
        broadcasted = broadcasted.sum(axis=0)
    return broadcasted


def unbroadcast_squeezes(broadcasted, original):
    n = broadcasted.ndim - np.ndim(original)
    summed = broadcasted.sum(axis=tuple(range(n)))
    axes = tuple(i for i, size in enumerate(np.shape(original)) if size == 1)
    return np.squeeze(summed.sum(axis=axes, keepdims=True))


@pytest.mark.parametrize(
    "wrong",
    [
        unbroadcast_only_prepended,
        unbroadcast_size_one_axes_of_broadcasted,
        unbroadcast_forgets_keepdims,
        unbroadcast_returns_float64,
        unbroadcast_ignores_prepended_dims,
        unbroadcast_aligns_from_the_left,
        unbroadcast_squeezes,
    ],
)
def test_check_unbroadcast_fails_wrong_answers(wrong, capsys):
    with pytest.raises(AssertionError, match="check_unbroadcast: wrong result for") as info:
        check_unbroadcast(wrong)
    assert "broadcasted of shape" in str(info.value) and "original of shape" in str(info.value)
    assert capsys.readouterr().out == ""


def test_check_unbroadcast_message_shows_the_call_shapes_and_values():
    with pytest.raises(AssertionError) as info:
        check_unbroadcast(unbroadcast_forgets_keepdims)
    message = str(info.value)
    first_line = message.splitlines()[0]
    assert first_line == (
        "check_unbroadcast: wrong result for "
        "unbroadcast_forgets_keepdims(broadcasted of shape (2, 3, 4), original of shape (3, 1))"
    )
    assert "  expected (shape (3, 1), float64): " in message
    assert "  actual (shape (3,), float64): " in message
    assert "wrong shape: expected (3, 1), got (3,)" in message


def test_check_unbroadcast_names_the_dtype_problem():
    with pytest.raises(AssertionError, match="wrong dtype: expected float32, got float64"):
        check_unbroadcast(unbroadcast_returns_float64)


def unbroadcast_two_passes(broadcasted, original):
    broadcasted = np.array(broadcasted)  # a copy, which is fine too
    while broadcasted.ndim > np.ndim(original):
        broadcasted = broadcasted.sum(axis=0)
    for i, size in enumerate(np.shape(original)):
        if size == 1 and broadcasted.shape[i] != 1:
            broadcasted = broadcasted.sum(axis=i, keepdims=True)
    return broadcasted


def unbroadcast_with_reshape(broadcasted, original):
    broadcasted = np.asarray(broadcasted)
    shape = np.shape(original)
    padded = (1,) * (broadcasted.ndim - len(shape)) + shape
    axes = tuple(i for i, (p, b) in enumerate(zip(padded, broadcasted.shape)) if p == 1 and b != 1)
    return broadcasted.sum(axis=axes, keepdims=True).reshape(shape)


@pytest.mark.parametrize("other", [unbroadcast_two_passes, unbroadcast_with_reshape])
def test_check_unbroadcast_passes_other_correct_answers(other, capsys):
    check_unbroadcast(other)
    assert capsys.readouterr().out == "check_unbroadcast: all tests passed\n"


# --------------------------------------------------------- multiply_back


def multiply_back0_skips_unbroadcast(grad_out, out, x, y):
    return grad_out * y


def multiply_back1_skips_unbroadcast(grad_out, out, x, y):
    return grad_out * x


def multiply_back0_swapped(grad_out, out, x, y):
    return unbroadcast(grad_out * x, x)


def multiply_back1_swapped(grad_out, out, x, y):
    return unbroadcast(grad_out * y, y)


def multiply_back0_unbroadcasts_to_y(grad_out, out, x, y):
    return unbroadcast(grad_out * y, y)


def multiply_back0_ignores_grad_out(grad_out, out, x, y):
    return unbroadcast(np.broadcast_to(y, np.shape(out)), x)


@pytest.mark.parametrize(
    "fn0, fn1, wrong",
    [
        (multiply_back0_skips_unbroadcast, multiply_back1, "multiply_back0_skips_unbroadcast"),
        (multiply_back0, multiply_back1_skips_unbroadcast, "multiply_back1_skips_unbroadcast"),
        (multiply_back0_swapped, multiply_back1, "multiply_back0_swapped"),
        (multiply_back0, multiply_back1_swapped, "multiply_back1_swapped"),
        (multiply_back0_unbroadcasts_to_y, multiply_back1, "multiply_back0_unbroadcasts_to_y"),
        (multiply_back0_ignores_grad_out, multiply_back1, "multiply_back0_ignores_grad_out"),
        # The two functions passed the wrong way round.
        (multiply_back1, multiply_back0, "multiply_back1"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_check_multiply_back_fails_wrong_answers(fn0, fn1, wrong, capsys):
    with pytest.raises(AssertionError, match="check_multiply_back: wrong result") as info:
        check_multiply_back(fn0, fn1)
    assert f"for {wrong}(grad_out of shape" in str(info.value)
    assert capsys.readouterr().out == ""


def test_check_multiply_back_reports_the_missing_unbroadcast_as_a_shape():
    with pytest.raises(AssertionError) as info:
        check_multiply_back(multiply_back0_skips_unbroadcast, multiply_back1)
    message = str(info.value)
    assert "x of shape (3,), y of shape (2, 3)" in message
    assert "wrong shape: expected (3,), got (2, 3)" in message
    assert "unbroadcast" in message


# Wrong answers that only a Python float as the other argument reveals.


def multiply_back0_returns_the_number(grad_out, out, x, y):
    if np.ndim(y) == 0:
        return y  # "the derivative of x * 2.5 is 2.5", forgetting grad_out and x's shape
    return unbroadcast(grad_out * y, x)


def multiply_back0_sums_to_a_scalar(grad_out, out, x, y):
    if np.asarray(y).shape == ():
        return np.sum(grad_out) * y
    return unbroadcast(grad_out * y, x)


def multiply_back0_unbroadcasts_against_the_smaller(grad_out, out, x, y):
    # "Sum down to whichever argument is smaller": the float, here.
    smaller = y if np.size(y) < np.size(x) else x
    return unbroadcast(grad_out * y, smaller)


def multiply_back1_converts_the_number_to_float64(grad_out, out, x, y):
    x = np.asarray(x)  # np.asarray(2.5) is a float64 array: float32 gradients become float64
    return unbroadcast(grad_out * x, y)


def multiply_back1_returns_the_number(grad_out, out, x, y):
    if isinstance(x, float):
        return grad_out * 0 + x  # forgets grad_out
    return unbroadcast(grad_out * x, y)


@pytest.mark.parametrize(
    "functions",
    [
        (multiply_back0_returns_the_number, multiply_back1),
        (multiply_back0_sums_to_a_scalar, multiply_back1),
        (multiply_back0_unbroadcasts_against_the_smaller, multiply_back1),
        (multiply_back0, multiply_back1_converts_the_number_to_float64),
        (multiply_back0, multiply_back1_returns_the_number),
        (multiply_back0_skips_unbroadcast, multiply_back1_swapped),
    ],
    ids=lambda fns: "+".join(fn.__name__ for fn in fns),
)
def test_check_multiply_back_float_fails_wrong_answers(functions, capsys):
    with pytest.raises(AssertionError, match="check_multiply_back_float: wrong result") as info:
        check_multiply_back_float(*functions)
    assert "y = " in str(info.value) or "x = " in str(info.value)
    assert capsys.readouterr().out == ""


def test_the_float_only_mistakes_pass_the_array_check(capsys):
    """Proof that check_multiply_back_float catches something check_multiply_back cannot."""
    check_multiply_back(multiply_back0_returns_the_number, multiply_back1_converts_the_number_to_float64)
    check_multiply_back(multiply_back0_sums_to_a_scalar, multiply_back1_returns_the_number)
    assert capsys.readouterr().out == "check_multiply_back: all tests passed\n" * 2


def test_check_multiply_back_float_reports_the_number_and_the_dtype():
    with pytest.raises(AssertionError) as info:
        check_multiply_back_float(multiply_back0, multiply_back1_converts_the_number_to_float64)
    message = str(info.value)
    assert "x = 0.5" in message
    assert "wrong dtype: expected float32, got float64" in message
    with pytest.raises(AssertionError) as info:
        check_multiply_back_float(multiply_back0_returns_the_number, multiply_back1)
    assert "y = 2.5" in str(info.value)
    assert "expected a numpy array, got float" in str(info.value)


# ------------------------------------------------------- forward_and_back


def forward_and_back_forgets_log_back_of_e(a, b, c):
    d = a * b
    e = np.log(c)
    f = d * e
    g = np.log(f)
    dg_df = log_back(np.ones_like(g), g, f)
    dg_dd = multiply_back0(dg_df, f, d, e)
    dg_de = multiply_back1(dg_df, f, d, e)
    dg_da = multiply_back0(dg_dd, d, a, b)
    dg_db = multiply_back1(dg_dd, d, a, b)
    return dg_da, dg_db, unbroadcast(dg_de, c)  # missing: log_back(dg_de, e, c)


def forward_and_back_swaps_a_and_b(a, b, c):
    dg_da, dg_db, dg_dc = forward_and_back(a, b, c)
    return dg_db, dg_da, dg_dc


def forward_and_back_forgets_log_back_of_g(a, b, c):
    d, e = a * b, np.log(c)
    f = d * e
    dg_df = np.ones_like(f)  # missing: log_back(dg_dg, g, f)
    dg_dd = multiply_back0(dg_df, f, d, e)
    dg_de = multiply_back1(dg_df, f, d, e)
    return multiply_back0(dg_dd, d, a, b), multiply_back1(dg_dd, d, a, b), log_back(dg_de, e, c)


def forward_and_back_without_unbroadcast(a, b, c):
    d, e = a * b, np.log(c)
    f = d * e
    dg_df = 1 / f
    dg_dd, dg_de = dg_df * e, dg_df * d
    return dg_dd * b, dg_dd * a, dg_de / c


def forward_and_back_returns_a_dict(a, b, c):
    return dict(zip("abc", forward_and_back(a, b, c)))


@pytest.mark.parametrize(
    "wrong",
    [
        forward_and_back_forgets_log_back_of_e,
        forward_and_back_swaps_a_and_b,
        forward_and_back_forgets_log_back_of_g,
        forward_and_back_without_unbroadcast,
        forward_and_back_returns_a_dict,
    ],
)
def test_check_forward_and_back_fails_wrong_answers(wrong, capsys):
    with pytest.raises(AssertionError, match="check_forward_and_back: wrong") as info:
        check_forward_and_back(wrong)
    assert "a of shape" in str(info.value)
    assert capsys.readouterr().out == ""


def test_check_forward_and_back_spots_a_swap():
    with pytest.raises(AssertionError) as info:
        check_forward_and_back(forward_and_back_swaps_a_and_b)
    message = str(info.value)
    assert message.startswith("check_forward_and_back: wrong dg/da for forward_and_back_swaps_a_and_b(")
    assert "these are the values of dg/db" in message


def test_check_forward_and_back_passes_the_closed_form(capsys):
    def closed_form(a, b, c):
        g_shape = np.broadcast_shapes(a.shape, b.shape, c.shape)
        ones = np.ones(g_shape, dtype=np.result_type(a, b, c))
        return (
            unbroadcast(ones / a, a),
            unbroadcast(ones / b, b),
            unbroadcast(ones / (c * np.log(c)), c),
        )

    check_forward_and_back(closed_form)
    assert capsys.readouterr().out == "check_forward_and_back: all tests passed\n"


# ------------------------------------------------------ topological_sort


def sort_pre_order(node, get_children):
    result, seen, stack = [], set(), [node]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        result.append(current)  # the node before its children
        stack.extend(get_children(current))
    return result


def sort_with_duplicates(node, get_children):
    # Post-order without remembering finished nodes: a shared child is listed once per parent.
    result, stack = [], [(node, False)]
    while stack:
        current, expanded = stack.pop()
        if expanded:
            result.append(current)
        else:
            stack.append((current, True))
            stack.extend((child, False) for child in reversed(list(get_children(current))))
    return result


def sort_recursive(node, get_children):
    result, done = [], set()

    def visit(current):
        if current in done:
            return
        done.add(current)
        for child in get_children(current):
            visit(child)
        result.append(current)

    visit(node)
    return result


def sort_loops_forever_on_a_cycle(node, get_children):
    # Correct post-order on any DAG, but nothing notices a node met again on the current path.
    result, done, stack = [], set(), [(node, False)]
    while stack:
        current, expanded = stack.pop()
        if current in done:
            continue
        if expanded:
            done.add(current)
            result.append(current)
            continue
        stack.append((current, True))
        stack.extend((child, False) for child in get_children(current) if child not in done)
    return result


def sort_ignores_cycles(node, get_children):
    # Marks nodes when first met, so a cycle ends the walk quietly instead of raising.
    result, seen, stack = [], {node}, [(node, iter(get_children(node)))]
    while stack:
        current, children = stack[-1]
        for child in children:
            if child not in seen:
                seen.add(child)
                stack.append((child, iter(get_children(child))))
                break
        else:
            stack.pop()
            result.append(current)
    return result


def sort_raises_runtime_error_on_a_cycle(node, get_children):
    try:
        return topological_sort(node, get_children)
    except ValueError as error:
        raise RuntimeError(str(error)) from None


def sort_reversed_breadth_first(node, get_children):
    order, seen, queue = [], {node}, [node]
    while queue:
        current = queue.pop(0)
        order.append(current)
        for child in get_children(current):
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return order[::-1]


def sort_reversed_pre_order(node, get_children):
    return sort_pre_order(node, get_children)[::-1]


def sort_flags_shared_children_as_cycles(node, get_children):
    result, seen, stack = [], {node}, [(node, iter(get_children(node)))]
    while stack:
        current, children = stack[-1]
        for child in children:
            if child in seen:
                raise ValueError(f"cycle at {child!r}")  # wrong: seen is not "on the path"
            seen.add(child)
            stack.append((child, iter(get_children(child))))
            break
        else:
            stack.pop()
            result.append(current)
    return result


def sort_recursive_with_a_raised_limit(node, get_children):
    """The shortcut chapter 5 rules out: recursion with the limit raised to 12,000."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(12_000)
    try:
        return sort_recursive(node, get_children)
    finally:
        sys.setrecursionlimit(old)


def sort_returns_a_generator(node, get_children):
    return iter(topological_sort(node, get_children))


@pytest.mark.parametrize(
    "wrong, message",
    [
        (sort_pre_order, "must come last"),
        (sort_with_duplicates, "appears 2 times"),
        (sort_recursive, "raised RecursionError on a chain of 100,000 nodes"),
        (sort_recursive_with_a_raised_limit, "raised RecursionError on a chain of 100,000 nodes"),
        (sort_loops_forever_on_a_cycle, "your sort does not detect cycles"),
        (sort_ignores_cycles, "expected a ValueError"),
        (sort_raises_runtime_error_on_a_cycle, "raised RuntimeError"),
        (sort_reversed_breadth_first, "comes before its parent"),
        (sort_reversed_pre_order, "comes before its parent"),
        (sort_flags_shared_children_as_cycles, "this graph has no cycle"),
        (sort_returns_a_generator, "expected a list of nodes"),
    ],
    ids=lambda value: getattr(value, "__name__", "message"),
)
def test_check_topological_sort_fails_wrong_answers(wrong, message, capsys):
    with pytest.raises(AssertionError, match="check_topological_sort: ") as info:
        check_topological_sort(wrong)
    assert message in str(info.value)
    assert capsys.readouterr().out == ""


def test_the_recursive_sort_is_explained():
    with pytest.raises(AssertionError) as info:
        check_topological_sort(sort_recursive)
    message = str(info.value)
    assert "recursi" in message and "sys.getrecursionlimit()" in message and "explicit stack" in message
    # from None: the thousand-frame RecursionError traceback is not printed along with it.
    assert info.value.__suppress_context__


def test_the_cycle_bound_names_the_graph():
    with pytest.raises(AssertionError) as info:
        check_topological_sort(sort_loops_forever_on_a_cycle)
    assert str(info.value).startswith(
        "check_topological_sort: called get_parents 41 times on a 2-node graph with a cycle: "
        "your sort does not detect cycles."
    )


def sort_kahn(node, get_children):
    """Kahn's algorithm: asks for each node's children twice, and orders differently."""
    children, stack = {}, [node]
    while stack:
        current = stack.pop()
        children[current] = list(get_children(current))
        for child in children[current]:
            if child not in children and child not in stack:
                stack.append(child)
    parents = {n: 0 for n in children}
    for n in children:
        for child in get_children(n):
            parents[child] += 1
    ready, order = [n for n in children if parents[n] == 0], []
    while ready:
        current = ready.pop()
        order.append(current)
        for child in children[current]:
            parents[child] -= 1
            if parents[child] == 0:
                ready.append(child)
    if len(order) != len(children):
        raise ValueError("the graph has a cycle")
    return order[::-1]


def sort_children_reversed(node, get_children):
    return topological_sort(node, lambda n: list(get_children(n))[::-1])


class CycleFound(ValueError):
    pass


def sort_with_own_value_error_subclass(node, get_children):
    try:
        return topological_sort(node, get_children)
    except ValueError as error:
        raise CycleFound(str(error)) from None


@pytest.mark.parametrize("other", [sort_kahn, sort_children_reversed, sort_with_own_value_error_subclass])
def test_check_topological_sort_passes_other_correct_answers(other, capsys):
    check_topological_sort(other)
    assert capsys.readouterr().out == "check_topological_sort: all tests passed\n"


# ------------------------------------------------------------------ wrong answers that used to pass (issue 8)


def test_check_log_back_fails_a_log_back_that_divides_in_place():
    def log_back(grad_out, out, x):
        grad_out /= x  # the right values, written into the caller's array
        return grad_out

    with pytest.raises(AssertionError, match=r"^check_log_back: log_back\(.*\) changed its argument grad_out in place"):
        check_log_back(log_back)


def test_check_unbroadcast_fails_an_unbroadcast_that_reads_original_shape():
    def unbroadcast_reads_shape(broadcasted, original):
        shape = original.shape  # a plain number has no .shape, yet it is a valid original
        summed = broadcasted.sum(axis=tuple(range(broadcasted.ndim - len(shape))))
        axes = tuple(i for i, n in enumerate(shape) if n == 1)
        return summed.sum(axis=axes, keepdims=True)

    with pytest.raises(AttributeError) as info:
        check_unbroadcast(unbroadcast_reads_shape)
    assert "'float' object has no attribute 'shape'" in str(info.value)
    assert any("broadcasted of shape (2, 3), original = 2.5" in note for note in info.value.__notes__)


def test_check_unbroadcast_passes_an_unbroadcast_that_uses_np_shape(capsys):
    def unbroadcast_np_shape(broadcasted, original):
        broadcasted = np.asarray(broadcasted)
        shape = np.shape(original)
        summed = broadcasted.sum(axis=tuple(range(broadcasted.ndim - len(shape))))
        axes = tuple(i for i, n in enumerate(shape) if n == 1)
        return summed.sum(axis=axes, keepdims=True)

    check_unbroadcast(unbroadcast_np_shape)
    assert capsys.readouterr().out == "check_unbroadcast: all tests passed\n"


def test_check_central_difference_fails_one_that_ignores_eps():
    def central_difference(f, x, eps=1e-6):
        return (f(x + 1e-6) - f(x - 1e-6)) / 2e-6  # eps is never used

    with pytest.raises(AssertionError) as info:
        check_central_difference(central_difference)
    message = str(info.value)
    assert message.startswith("check_central_difference: wrong estimate for central_difference(f, 1.0, eps=0.1)")
    assert "is eps ignored, or fixed inside the function? Use the eps argument." in message


def test_check_central_difference_fails_a_one_sided_difference():
    def forward_difference(f, x, eps=1e-6):
        return (f(x + eps) - f(x)) / eps

    with pytest.raises(AssertionError, match="that is the one-sided difference"):
        check_central_difference(forward_difference)


def test_check_topological_sort_explains_unhashable_items():
    def sort_returns_lists(node, get_children):
        return [[n] for n in topological_sort(node, get_children)]

    with pytest.raises(AssertionError) as info:
        check_topological_sort(sort_returns_lists)
    assert "item 0 of the result is list ['x'], which is unhashable" in str(info.value)
    assert "return the nodes themselves" in str(info.value)


# ------------------------------------------- mutants of the book's solutions (issue 15)

@pytest.mark.parametrize("seed", range(40))
def test_the_library_passes_over_many_seeds(seed, capsys):
    check_unbroadcast(unbroadcast, seed=seed)
    check_forward_and_back(forward_and_back, seed=seed)
    assert capsys.readouterr().out.count("all tests passed") == 2


@pytest.mark.parametrize("seed", range(40))
def test_the_books_solutions_pass_over_many_seeds(seed, capsys):
    book_solution = pytest.importorskip("book_solutions", reason="the book's pages and scripts/mutate.py are not here (the wheel test runs these tests alone)").book_solution
    check_unbroadcast(book_solution("04-", "unbroadcast"), seed=seed)
    check_forward_and_back(book_solution("06-", "forward_and_back"), seed=seed)
    assert capsys.readouterr().out.count("all tests passed") == 2


def unbroadcast_without_asarray(broadcasted, original):
    """The book's solution without `broadcasted = np.asarray(broadcasted)`: a list has no .ndim."""
    shape = np.shape(original)
    summed = broadcasted.sum(axis=tuple(range(broadcasted.ndim - len(shape))))
    for axis, size in enumerate(shape):
        if size == 1:
            summed = summed.sum(axis=axis, keepdims=True)
    return summed


def test_check_unbroadcast_passes_a_list_and_says_to_convert_it():
    with pytest.raises(AssertionError) as info:
        check_unbroadcast(unbroadcast_without_asarray)
    message = str(info.value)
    assert message.startswith(
        "check_unbroadcast: unbroadcast_without_asarray(broadcasted = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "
        "original = [10.0, 20.0, 30.0]) raised AttributeError: 'list' object has no attribute 'sum'"
    )
    assert "hint: broadcasted and original may be plain Python lists" in message
    assert "broadcasted = np.asarray(broadcasted)" in message


def test_check_unbroadcast_passes_a_list_for_original_too():
    def reads_original_shape(broadcasted, original):
        shape = () if isinstance(original, float) else original.shape  # a number, or an array: not a list
        return unbroadcast(broadcasted, np.empty(shape))

    with pytest.raises(AssertionError, match=r"(?s)original = \[10\.0, 20\.0, 30\.0\]\) raised AttributeError: 'list' object has no attribute 'shape'.*np\.shape\(original\)"):
        check_unbroadcast(reads_original_shape)


def test_check_unbroadcast_lets_other_errors_on_arrays_propagate():
    def breaks_on_arrays(broadcasted, original):
        if isinstance(broadcasted, np.ndarray):
            raise AttributeError("a bug of its own")
        return unbroadcast(broadcasted, original)

    with pytest.raises(AttributeError, match="a bug of its own"):
        check_unbroadcast(breaks_on_arrays)


# The page's forward pass leaves a global g (float64, shape (1,)) behind before the exercise.
g_left_on_the_page = np.log(np.array([2.0]) * np.array([3.0]) * np.log(np.array([10.0])))


def forward_and_back_reads_the_pages_g(a, b, c):
    """The book's solution without `g = np.log(f)`: np.ones_like reads the page's g instead."""
    d = a * b
    e = np.log(c)
    f = d * e
    dg_df = log_back(np.ones_like(g_left_on_the_page), g_left_on_the_page, f)
    dg_dd = multiply_back0(dg_df, f, d, e)
    dg_de = multiply_back1(dg_df, f, d, e)
    return multiply_back0(dg_dd, d, a, b), multiply_back1(dg_dd, d, a, b), log_back(dg_de, e, c)


@pytest.mark.parametrize("seed", range(5))
def test_check_forward_and_back_rejects_a_stale_global_and_names_it(seed):
    with pytest.raises(AssertionError) as info:
        check_forward_and_back(forward_and_back_reads_the_pages_g, seed=seed)
    message = str(info.value)
    assert "wrong dtype: expected float32, got float64" in message
    assert "start the backward pass from np.ones_like(g), with the g computed inside the function" in message
    assert "forward_and_back_reads_the_pages_g reads g_left_on_the_page from outside the function" in message


def test_check_forward_and_back_names_no_global_when_none_is_read():
    def returns_float64(a, b, c):
        return tuple(grad.astype(np.float64) for grad in forward_and_back(a, b, c))

    with pytest.raises(AssertionError, match="wrong dtype") as info:
        check_forward_and_back(returns_float64)
    assert "from outside the function" not in str(info.value)


# ------------------------------------------------- wrong answers a reviewer found accepted


def sort_every_path(node, get_parents):
    """Right order, but walks every path (it never skips a node it has finished): 2**n on n diamonds."""
    result, listed, on_path = [], set(), {node}
    stack = [(node, iter(get_parents(node)))]
    while stack:
        current, parents = stack[-1]
        for parent in parents:
            if parent in on_path:
                raise ValueError("cycle")
            on_path.add(parent)
            stack.append((parent, iter(get_parents(parent))))
            break
        else:
            stack.pop()
            on_path.discard(current)
            if current not in listed:
                listed.add(current)
                result.append(current)
    return result


def sort_checking_only_the_root_and_self_loops(node, get_parents):
    result, done = [], set()
    stack = [(node, iter(get_parents(node)))]
    while stack:
        current, parents = stack[-1]
        for parent in parents:
            if parent == current or parent == node:
                raise ValueError("cycle")
            if parent not in done:
                stack.append((parent, iter(get_parents(parent))))
                break
        else:
            stack.pop()
            if current not in done:
                done.add(current)
                result.append(current)
    return result


def test_a_sort_that_walks_every_path_is_stopped_on_the_stacked_diamonds():
    with pytest.raises(AssertionError, match="did not return within the time limit"):
        check_topological_sort(sort_every_path, time_limit=2)


@pytest.mark.parametrize("seed", [0, 3, 6, 10, 14])  # seeds on which it used to pass
def test_a_cycle_away_from_the_start_node_must_be_found(seed):
    with pytest.raises(AssertionError, match=r"\{'L': \['a'\], 'a': \['b'\], 'b': \['a'\]\}"):
        check_topological_sort(sort_checking_only_the_root_and_self_loops, seed=seed)


def multiply_back0_through_out(grad_out, out, x, y):
    return unbroadcast(grad_out * out / x, x)


def multiply_back1_through_out(grad_out, out, x, y):
    return unbroadcast(grad_out * out / y, y)


@pytest.mark.parametrize("check", [check_multiply_back, check_multiply_back_float])
def test_the_other_factor_as_out_over_x_fails_where_x_is_zero(check):
    with pytest.raises(AssertionError), np.errstate(all="ignore"):
        check(multiply_back0_through_out, multiply_back1_through_out)
