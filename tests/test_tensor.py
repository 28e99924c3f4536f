"""Tests for autograd_lite.tensor: Tensor, Recipe, the registry, the graph, backprop, no_grad and versions.

Grouped as the engine's story goes: a Tensor and its recipe (chapter 7), the
registry and the graph it builds, backprop, then the pitfalls of chapter 9:
each error the engine raises, the in-place rules, and a graph a million
operations deep.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite import (
    BACK_FUNCS,
    Recipe,
    Tensor,
    add_back_func,
    backprop,
    get_back_func,
    is_grad_enabled,
    no_grad,
    numerical_gradient,
    sorted_computational_graph,
    wrap_forward_fn,
)
from autograd_lite.tensor import NO_KWARGS
from strategies import SETTINGS, arrays_of, dags, mutually_broadcastable

# ---------------------------------------------------------------- a Tensor


def test_tensor_copies_its_data_and_its_array_is_read_only():
    data = np.array([1.0, 2.0])
    t = Tensor(data)
    data[0] = 100.0
    assert t.array.tolist() == [1.0, 2.0]
    assert not t.array.flags.writeable
    assert Tensor(t).array is not t.array


def test_tensor_keeps_the_dtype():
    assert Tensor([1.0]).dtype == np.float64
    assert Tensor(np.ones(2, np.float32), requires_grad=True).dtype == np.float32
    assert Tensor([1, 2]).dtype == np.int64
    assert Tensor(3.0).shape == ()


@pytest.mark.parametrize("data", [[1, 2, 3], np.array([True, False]), np.arange(3, dtype=np.int32)])
def test_requires_grad_on_a_non_float_tensor_is_refused(data):
    with pytest.raises(TypeError) as error:
        Tensor(data, requires_grad=True)
    message = str(error.value)
    assert str(np.asarray(data).dtype) in message  # what was passed
    assert "floating-point" in message  # what was expected
    assert "Tensor([1.0, 2.0], requires_grad=True)" in message  # what to do


def test_attributes_of_a_tensor():
    t = Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    assert (t.shape, t.ndim, t.dtype, t.size, len(t)) == ((1, 3), 2, np.float64, 3, 1)
    assert t.grad is None and t.recipe is None and t.is_leaf and t.version == 0
    assert Tensor([2.5]).item() == 2.5
    assert bool(Tensor([1.0])) is True
    with pytest.raises(ValueError):
        bool(Tensor([1.0, 2.0]))


def test_repr():
    assert repr(Tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert repr(Tensor([1.0, 2.0], requires_grad=True)) == "Tensor([1., 2.], requires_grad=True)"
    assert repr(Tensor(np.ones(2, np.float32))) == "Tensor([1., 1.], dtype=float32)"
    assert repr(Tensor([1.0], requires_grad=True) * 2) == "Tensor([2.], recipe=multiply)"
    assert repr(Tensor([[1.0, 2.0], [3.0, 4.0]])) == "Tensor([[1., 2.],\n        [3., 4.]])"


# ---------------------------------------------------------------- its recipe


def test_recipe_records_function_arguments_parents_and_versions():
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, 4.0])  # an argument that does not require grad is a parent too
    y = x * w
    recipe = y.recipe
    assert isinstance(recipe, Recipe)
    assert recipe.func is np.multiply
    assert recipe.args[0] is x.array and recipe.args[1] is w.array
    assert list(recipe.parents) == [0, 1]
    assert recipe.parents[0] is x and recipe.parents[1] is w
    assert recipe.versions == (0, 0)
    assert recipe.kwargs is NO_KWARGS and (x * 3).recipe.kwargs is NO_KWARGS  # shared, not one per node
    assert (x * 3).recipe.parents.keys() == {0}
    assert (3 * x).recipe.parents.keys() == {1}
    assert x.sum(dim=0, keepdim=True).recipe.kwargs == {"dim": 0, "keepdim": True}


def test_no_recipe_without_a_tensor_that_requires_grad():
    x, w = Tensor([1.0, 2.0]), Tensor([1.0, 2.0], requires_grad=True)
    assert (x * 2).recipe is None and not (x * 2).requires_grad
    assert (x * w).recipe is not None and (x * w).requires_grad and not (x * w).is_leaf
    assert (w == w).recipe is None  # not differentiable


def test_recipe_repr():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert repr((x * 3).recipe) == (
        "Recipe(func=multiply, args=(array([1., 2.]), 3), kwargs={}, "
        "parents={0: Tensor([1., 2.], requires_grad=True)})"
    )


def test_a_recipe_made_by_hand_holds_what_it_was_given_and_backprop_follows_it():
    # Chapter 7 builds recipes by hand with Recipe(...) (the engine itself uses a faster path).
    x = Tensor([1.0, 4.0], requires_grad=True)
    out = Tensor(np.log(x.array))
    out.requires_grad = True
    args, parents = (x.array,), {0: x}
    out.recipe = Recipe(np.log, args, {}, parents, (0,))
    recipe = out.recipe
    assert (recipe.func, recipe.args, recipe.kwargs, recipe.parents, recipe.versions) == (np.log, args, {}, parents, (0,))
    out.backward(end_grad=np.ones(2))
    np.testing.assert_array_equal(x.grad.array, [1.0, 0.25])


# ---------------------------------------------------------------- no_grad


def test_no_grad_records_nothing_and_restores_the_state():
    x = Tensor([1.0], requires_grad=True)
    assert is_grad_enabled()
    with no_grad():
        assert not is_grad_enabled()
        y = x * 2
        with no_grad():
            pass
        assert not is_grad_enabled()  # the inner block restored the outer block's state
    assert is_grad_enabled()
    assert y.recipe is None and not y.requires_grad


def test_no_grad_restores_the_state_when_the_block_raises():
    with pytest.raises(ZeroDivisionError):
        with no_grad():
            1 / 0
    assert is_grad_enabled()
    assert (Tensor([1.0], requires_grad=True) * 2).recipe is not None


# ---------------------------------------------------------------- the registry


def _scaled(x, y):
    return x * y


def _scaled_back0(grad_out, out, x, y):
    return al.unbroadcast(grad_out * y, x)


@pytest.fixture
def scaled():
    """A forward function with a backward function for argument 0 only, removed after the test."""
    add_back_func(_scaled, 0, _scaled_back0)
    yield wrap_forward_fn(_scaled)
    BACK_FUNCS.pop((_scaled, 0), None)
    BACK_FUNCS.pop((_scaled, 1), None)


def test_add_back_func_and_get_back_func(scaled):
    assert get_back_func(_scaled, 0) is _scaled_back0
    assert BACK_FUNCS[_scaled, 0] is _scaled_back0
    x = Tensor([1.0, 2.0], requires_grad=True)
    scaled(x, 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 3.0])


def test_get_back_func_names_what_is_missing(scaled):
    with pytest.raises(KeyError, match=r"argument 1 of _scaled\. Register one with add_back_func\(_scaled, 1"):
        get_back_func(_scaled, 1)


def test_a_missing_backward_function_is_reported_when_the_graph_is_built(scaled):
    x, y = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    with pytest.raises(RuntimeError) as error:
        scaled(x, y)  # the forward call itself raises, not a later backward()
    message = str(error.value)
    assert "argument 1 of _scaled" in message
    assert "add_back_func(_scaled, 1, back_fn)" in message and "no_grad" in message
    scaled(x, Tensor([3.0, 4.0]))  # argument 1 does not require grad: fine
    with no_grad():
        scaled(x, y)  # no graph is built: fine
    add_back_func(_scaled, 1, lambda grad_out, out, x, y: al.unbroadcast(grad_out * x, y))
    scaled(x, y).sum().backward()
    np.testing.assert_array_equal(y.grad.array, [1.0, 2.0])


def test_a_backward_function_returning_the_wrong_shape_is_named(scaled):
    add_back_func(_scaled, 0, lambda grad_out, out, x, y: grad_out * y)  # forgot to unbroadcast
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"<lambda>, the backward function of _scaled for argument 0, returned a "
                                         r"gradient of shape \(3,\), but that argument has shape \(1,\)"):
        scaled(x, np.ones(3)).sum().backward()
    assert x.grad is None


def test_wrap_forward_fn_names_the_result_after_the_numpy_function():
    sin = wrap_forward_fn(np.sin)
    assert sin.__name__ == "sin"
    assert sin(Tensor([0.0])).array.tolist() == [0.0]


# ---------------------------------------------------------------- the sorted graph


def test_sorted_computational_graph_puts_each_node_before_its_parents():
    a = Tensor([2.0], requires_grad=True)
    b = Tensor([3.0], requires_grad=True)
    constant = Tensor([5.0])
    d = a * b
    e = b + constant
    loss = d * e
    order = sorted_computational_graph(loss)
    assert order[0] is loss
    assert len(order) == len({id(t) for t in order}) == 5  # constant is left out: it needs no gradient
    assert all(t is not constant for t in order)
    position = {id(t): i for i, t in enumerate(order)}
    for t in order:
        for parent in (t.recipe.parents.values() if t.recipe else ()):
            if parent.requires_grad:
                assert position[id(t)] < position[id(parent)]


@SETTINGS
@given(dag=dags(max_nodes=20))
def test_sorted_computational_graph_on_random_graphs(dag):
    root, children = dag
    tensors = {}

    def build(node):  # each node is the sum of its children; a node with none is a leaf
        if node not in tensors:
            kids = [build(child) for child in children[node]]
            tensors[node] = Tensor([1.0], requires_grad=True) if not kids else sum(kids[1:], kids[0] * 1.0)
        return tensors[node]

    for node in sorted(children, key=lambda n: int(n[1:])):
        build(node)
    order = sorted_computational_graph(tensors[root])
    assert order[0] is tensors[root]
    ids = [id(t) for t in order]
    assert len(ids) == len(set(ids))
    position = {i: k for k, i in enumerate(ids)}
    for t in order:
        for parent in (t.recipe.parents.values() if t.recipe else ()):
            assert position[id(t)] < position[id(parent)]



@SETTINGS
@given(dag=dags(max_nodes=20), data=st.data())
def test_backprop_walks_the_graph_in_sorted_computational_graph_order(dag, data):
    # backprop walks _backward_order ("making it fast" in tensor.py): it must give exactly
    # sorted_computational_graph's list, leaves that need no gradient left out, on any graph.
    from autograd_lite.tensor import _backward_order

    root, children = dag
    tensors = {}

    def build(node):  # a leaf requires grad or not; an inner node multiplies or adds its children
        if node not in tensors:
            kids = [build(child) for child in children[node]]
            if not kids:
                tensors[node] = Tensor([1.5], requires_grad=data.draw(st.booleans()))
            else:
                total = kids[0] - 1.0 if data.draw(st.booleans()) else kids[0] * 1.0
                for kid in kids[1:]:
                    total = total * kid if data.draw(st.booleans()) else total + kid
                tensors[node] = total
        return tensors[node]

    for node in sorted(children, key=lambda n: int(n[1:])):
        build(node)
    end = tensors[root]
    assume(end.requires_grad)
    assert _backward_order(end) == sorted_computational_graph(end)


def test_recipes_share_one_tuple_of_zero_versions_but_keep_a_changed_version():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = Tensor([3.0, 4.0], requires_grad=True)
    assert (x * 2).recipe.versions == (0,) and (x * 2).recipe.versions is x.exp().recipe.versions
    assert (x * y).recipe.versions == (0, 0) and (x * y).recipe.versions is (y + x).recipe.versions
    with no_grad():
        x += 1.0
    assert (x * y).recipe.versions == (1, 0) and (y * x).recipe.versions == (0, 1)


def test_a_recipe_with_three_parents_shares_the_tuple_of_zero_versions_too(registry):
    # np.where(c, a, b) wrapped: three Tensor parents, the most any recipe shares a tuple for.
    where = wrap_forward_fn(np.where)
    add_back_func(np.where, 1, lambda grad_out, out, c, a, b: np.where(c, grad_out, 0.0))
    c, a, b = Tensor([True, False]), Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    first, second = where(c, a, b), where(c, a, b)
    assert first.recipe.versions == (0, 0, 0) and first.recipe.versions is second.recipe.versions


# ---------------------------------------------------------------- backprop


def test_backprop_sums_gradients_along_every_path():
    a, b, c = (Tensor([v], requires_grad=True) for v in (2.0, 3.0, 4.0))
    loss = (a * b) + (b + c)  # b has two outgoing edges
    loss.backward()
    assert (a.grad.item(), b.grad.item(), c.grad.item()) == (3.0, 3.0, 1.0)
    x = Tensor([3.0], requires_grad=True)
    (x * x).backward()  # the same parent in both argument positions
    assert x.grad.item() == 6.0
    y = Tensor([1.0, 2.0], requires_grad=True)
    (y + y + y + y + y).sum().backward()  # five paths: summed in place after the first sum
    np.testing.assert_array_equal(y.grad.array, [5.0, 5.0])


def test_a_0d_leaf_used_several_times_gets_a_0d_array():
    x = Tensor(2.0, requires_grad=True)
    (x * x + x).backward()
    assert type(x.grad.array) is np.ndarray and x.grad.shape == () and x.grad.item() == 5.0
    (x * x * x).backward()
    assert type(x.grad.array) is np.ndarray and x.grad.item() == 17.0


def test_gradients_accumulate_across_backward_calls_without_changing_a_held_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    first = x.grad
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [5.0, 7.0])
    np.testing.assert_array_equal(first.array, [3.0, 3.0])  # the old .grad is not changed in place
    y = x * 2
    y.sum().backward()
    y.sum().backward()  # the graph is kept: a second call accumulates again
    np.testing.assert_array_equal(x.grad.array, [9.0, 11.0])


def test_only_leaves_that_require_grad_get_a_grad():
    x = Tensor([1.0, 2.0], requires_grad=True)
    constant = Tensor([3.0, 4.0])
    hidden = x * constant
    loss = hidden.exp().sum()
    loss.backward()
    assert hidden.grad is None and loss.grad is None
    assert constant.grad is None
    assert x.grad is not None


def test_gradients_never_share_memory_with_end_grad_or_each_other():
    x, y = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0], requires_grad=True)
    end_grad = np.array([1.0, 1.0])
    (x + y).backward(end_grad)
    assert not np.shares_memory(x.grad.array, y.grad.array)
    assert not np.shares_memory(x.grad.array, end_grad)
    with no_grad():
        x.grad *= 10  # changing one gradient in place leaves the other, and end_grad, alone
    assert y.grad.array.tolist() == [1.0, 1.0] and end_grad.tolist() == [1.0, 1.0]
    leaf = Tensor([1.0, 2.0], requires_grad=True)
    leaf.backward(end_grad)
    assert leaf.grad.array.tolist() == [1.0, 1.0] and not np.shares_memory(leaf.grad.array, end_grad)


def test_end_grad_forms():
    x = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    (x * 2).backward(Tensor([1.0, 0.5]))  # a Tensor, float64
    assert x.grad.dtype == np.float32 and x.grad.array.tolist() == [2.0, 1.0]
    z = Tensor([3.0], requires_grad=True)
    (z * z).backward()  # shape (1,): one element, so end_grad defaults to 1
    assert z.grad.item() == 6.0
    backprop(z * 1, [2.0])
    assert z.grad.item() == 8.0


def test_backward_of_a_non_scalar_needs_end_grad():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError) as error:
        (x * 2).backward()
    message = str(error.value)
    assert "shape (3,)" in message and "end_grad" in message and "np.ones((3,))" in message and ".sum()" in message


def test_backward_of_a_tensor_that_does_not_require_grad():
    with pytest.raises(RuntimeError, match="does not require grad.*requires_grad=True.*no_grad"):
        (Tensor([1.0]) * 2).backward()
    x = Tensor([1.0], requires_grad=True)
    with no_grad():
        y = x * 2
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_end_grad_of_the_wrong_shape():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"end_grad has shape \(2,\), but the Tensor has shape \(3,\).*shape \(3,\)"):
        (x * 2).backward(np.ones(2))
    assert x.grad is None


def test_backprop_needs_a_tensor():
    with pytest.raises(TypeError, match="end_node must be a Tensor, got ndarray"):
        backprop(np.ones(2))


# ---------------------------------------------------------------- in-place changes and versions (chapter 9)


def test_in_place_operations_change_values_and_count_versions():
    t = Tensor([1.0, 2.0, 3.0])
    t += 1
    t -= Tensor([1.0, 1.0, 1.0])
    t *= 2
    t /= 4
    t[0] = 10.0
    t[Tensor([1, 2])] = Tensor([7.0, 8.0])
    assert t.array.tolist() == [10.0, 7.0, 8.0]
    assert t.version == 6
    assert t.zero_() is t and t.array.tolist() == [0.0, 0.0, 0.0] and t.version == 7
    assert not t.array.flags.writeable  # read-only again after each change


def test_in_place_change_of_a_tensor_that_requires_grad_is_refused_outside_no_grad():
    w = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError) as error:
        w -= 0.1
    message = str(error.value)
    assert "-=" in message and "requires grad" in message and "t = t + x" in message and "no_grad" in message
    constant = Tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"\+=.*the other operand requires grad"):
        constant += w
    with pytest.raises(RuntimeError, match="t\\[index\\] = value"):
        w[0] = 5.0
    assert w.array.tolist() == [1.0, 2.0] and w.version == 0 and constant.version == 0


def test_an_optimiser_step_under_no_grad():
    w = Tensor([1.0, 2.0], requires_grad=True)
    for _ in range(3):
        w.grad = None
        ((w - 3.0) ** 2).sum().backward()
        with no_grad():
            w -= 0.25 * w.grad
    np.testing.assert_allclose(w.array, [2.75, 2.875])
    assert w.version == 3


def test_a_saved_argument_changed_in_place_is_detected_at_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, 4.0], requires_grad=True)
    y = (x * w).sum()
    with no_grad():
        w += 1  # multiply's backward function needs the old w for x's gradient
    with pytest.raises(RuntimeError) as error:
        y.backward()
    message = str(error.value)
    assert "argument 1 of multiply was changed in place" in message
    assert "version 1 but was at version 0" in message
    assert "Tensor([4., 5.], requires_grad=True)" in message  # names the tensor
    assert "t = t + x" in message
    assert x.grad is None and w.grad is None  # no partial gradients were stored


def test_a_saved_argument_that_needs_no_grad_is_checked_too():
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, 4.0])
    y = (x * w).sum()
    w[0] = 0.0
    with pytest.raises(RuntimeError, match="argument 1 of multiply was changed in place"):
        y.backward()


def test_an_output_changed_in_place_is_detected_at_backward():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()  # exp's backward function reads its output
    loss = (y * 2).sum()
    with no_grad():
        y.zero_()
    # Every later use of y saved it as an argument, so that use reports it first...
    with pytest.raises(RuntimeError, match="argument 0 of multiply was changed in place"):
        loss.backward()
    # ... and backward() from y itself finds exp's own output changed.
    with pytest.raises(RuntimeError, match="the output of exp was changed in place"):
        y.backward(np.ones(2))
    assert x.grad is None


def test_writing_into_the_array_directly_is_refused():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    with pytest.raises(ValueError, match="read-only"):
        x.array[0] = 5.0
    with pytest.raises(ValueError, match="read-only"):
        np.add(y.array, 1, out=y.array)
    with pytest.raises(ValueError, match="read-only"):
        y.array.sort()
    y.sum().backward()
    assert x.grad.array.tolist() == [2.0, 2.0]


def test_results_own_their_memory_so_a_change_is_seen_by_its_tensor_only():
    x = Tensor(np.arange(6.0))
    views = [x.reshape(2, 3), x[1:4], x.reshape(3, 2).T, x.expand(2, 6), x.permute(0)]
    for view in views:
        assert not np.shares_memory(view.array, x.array)
    with no_grad():
        x += 100
    assert views[1].array.tolist() == [1.0, 2.0, 3.0]


def test_reshaping_a_tensor_changed_later_is_detected():
    x = Tensor(np.arange(4.0), requires_grad=True)
    y = x.reshape(2, 2)
    loss = (y * y).sum()
    with no_grad():
        x *= 2
    with pytest.raises(RuntimeError, match="argument 0 of reshape was changed in place"):
        loss.backward()


# ---------------------------------------------------------------- a million operations deep


DEEP_CHAIN = textwrap.dedent(
    """
    import resource, sys
    import numpy as np
    import autograd_lite as al
    from autograd_lite import Tensor

    assert sys.getrecursionlimit() == 1000, sys.getrecursionlimit()
    n = 1_000_000
    x = Tensor(np.array([2.0]), requires_grad=True)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    y = x
    for i in range(n // 4):  # exp(log(y)) * 1.0 + 0.0: every derivative is 1, or within rounding of it
        y = al.add(al.multiply(al.exp(al.log(y)), 1.0), 0.0)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    y.backward()
    print("grad", x.grad.item())
    print("bytes per node", (after - before) * 1024 / n)
    del y  # frees a million nested recipes: must not overflow the C stack
    print("freed")
    """
)


def test_a_chain_of_a_million_operations_at_the_default_recursion_limit():
    result = subprocess.run([sys.executable, "-c", DEEP_CHAIN], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = dict(line.split(" ", 1) if not line.startswith("bytes") else ("bytes", line.rsplit(" ", 1)[1])
                 for line in result.stdout.splitlines() if line != "freed")
    assert float(lines["grad"]) == pytest.approx(1.0, rel=1e-6)
    # PyTorch holds about 1 KB per node of such a chain; the engine must not need more.
    assert float(lines["bytes"]) < 1024, result.stdout
    assert result.stdout.splitlines()[-1] == "freed"


# ------------------------------------------------ numpy functions on Tensors never cut the graph silently


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda t: np.log(t), "np.log"),
        (lambda t: np.exp(t), "np.exp"),
        (lambda t: np.reshape(t, (2, 1)), "np.reshape"),
        (lambda t: np.sum(t), "np.sum"),
        (lambda t: np.transpose(t), "np.transpose"),
        (lambda t: np.dot(t, t), "np.dot"),
        (lambda t: np.add(t, 1.0, out=np.empty(2)), "np.add"),
    ],
)
def test_numpy_functions_on_a_tensor_are_refused(call, name):
    t = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=rf"{name} was called on a Tensor.*autograd_lite\.log\(t\)"):
        call(t)


def test_numpy_scalar_on_the_left_of_an_operator_records_the_operation():
    t = Tensor([1.0, 2.0], requires_grad=True)
    for out in (np.float64(3.0) * t, np.float64(3.0) + t, np.float64(3.0) - t, np.float64(3.0) / t):
        assert out.recipe is not None
    (np.float64(3.0) * t).sum().backward()
    np.testing.assert_array_equal(t.grad.array, [3.0, 3.0])


def test_registering_the_wrapped_function_is_refused_with_the_numpy_name():
    sin = wrap_forward_fn(np.sin)
    with pytest.raises(TypeError, match=r"add_back_func\(np\.sin, 0, back_fn\)"):
        add_back_func(sin, 0, lambda grad_out, out, x: grad_out * np.cos(x))
    assert (sin, 0) not in BACK_FUNCS
    with pytest.raises(RuntimeError, match=r"argument 0 of np\.sin\. Register one with add_back_func\(np\.sin, 0"):
        sin(Tensor([0.5], requires_grad=True))


# ---------------------------------------------------------------- saved operands are the recipe's own (issue 8)
# Every value a backward function reads is either a Tensor, whose version is checked, or a copy the
# recipe made when the operation ran: changing the caller's array, list or index Tensor afterwards
# cannot change a gradient.


def test_a_plain_array_operand_changed_after_forward_does_not_change_the_gradient():
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = np.array([3.0, 4.0])
    loss = (x * w).sum()
    w[:] = 100  # the reproducer: the gradient used to be [100, 100]
    loss.backward()
    assert x.grad.array.tolist() == [3.0, 4.0]


def test_a_tensor_index_changed_in_place_after_forward_does_not_change_the_gradient():
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    idx = Tensor([0, 0, 1])
    loss = (x[idx] * Tensor([1.0, 2.0, 3.0])).sum()
    idx[0] = 2  # allowed: idx does not require grad; the gradient used to be [2, 3, 1]
    assert idx.version == 1
    loss.backward()
    assert x.grad.array.tolist() == [3.0, 3.0, 0.0]


def test_a_tensors_read_only_array_passed_as_a_constant_is_copied_too():
    # t.array is read-only, yet t's own in-place operations change it: read-only is not enough.
    x = Tensor([1.0, 2.0], requires_grad=True)
    t = Tensor([3.0, 4.0])
    loss = (x * t.array).sum()
    with no_grad():
        t += 1
    loss.backward()
    assert x.grad.array.tolist() == [3.0, 4.0]


def _change(value):
    """Change ``value`` in place the way a caller might: an array, a list, an index Tensor, nested ones."""
    if isinstance(value, Tensor):
        value[...] = value.array[::-1].copy()
    elif isinstance(value, np.ndarray) and value.ndim == 0:
        value[...] = value + 1
    elif isinstance(value, np.ndarray):
        value[...] = value[::-1].copy() if value.dtype.kind in "iub" else value * 10 + 1
    elif isinstance(value, list):
        if value and isinstance(value[0], (list, np.ndarray, Tensor)):
            for item in value:
                _change(item)
        else:
            value[:] = [item + 1 for item in reversed(value)]
    elif isinstance(value, tuple):
        for item in value:
            _change(item)
    elif isinstance(value, slice):
        _change(value.start)


def _float_constant():
    return np.array([[0.5, -1.5, 2.0]])


_X3 = [0.5, 1.5, 2.0]  # x for the elementwise operations: shape (3,), broadcast against (1, 3)
_X4 = [0.5, 1.5, 2.0, 3.0]  # x for indexing and shape changes

# (name, function of (x, constant), the constant factory, x): every way an operation takes a plain value.
_PLAIN_OPERANDS = [
    ("x + c", lambda x, c: (x + c) * x, _float_constant, _X3),
    ("c - x", lambda x, c: (c - x) * x, _float_constant, _X3),
    ("x * c", lambda x, c: x * c, _float_constant, _X3),
    ("c * x", lambda x, c: al.multiply(c, x), _float_constant, _X3),
    ("x / c", lambda x, c: x / c, _float_constant, _X3),
    ("c / x", lambda x, c: c / x, _float_constant, _X3),
    ("x ** c", lambda x, c: x**c, _float_constant, _X3),
    ("c ** x", lambda x, c: al.power(c * c, x), _float_constant, _X3),
    ("maximum(x, c)", lambda x, c: x.maximum(c), _float_constant, _X3),
    ("maximum(c, x)", lambda x, c: al.maximum(c, x), _float_constant, _X3),
    ("x @ c", lambda x, c: x @ c, lambda: np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]]), _X3),
    ("c @ x", lambda x, c: al.matmul(c, x), lambda: np.array([[1.0, -2.0, 0.5], [3.0, 2.0, 1.0]]), _X3),
    ("x[int array]", lambda x, c: x[c] * np.arange(4.0), lambda: np.array([2, 0, 1, 1]), _X4),
    ("x[list]", lambda x, c: x[c] * np.arange(4.0), lambda: [2, 0, 1, 1], _X4),
    ("x[Tensor]", lambda x, c: x[c] * np.arange(4.0), lambda: Tensor([2, 0, 1, 1]), _X4),
    ("x[mask]", lambda x, c: x[c] * np.arange(1.0, 3.0), lambda: np.array([True, False, True, False]), _X4),
    ("x[array, array]", lambda x, c: x.reshape(2, 2)[c] * np.arange(1.0, 4.0),
     lambda: (np.array([0, 1, 1]), np.array([1, 0, 1])), _X4),
    ("x[Tensor, list]", lambda x, c: x.reshape(2, 2)[c] * np.arange(1.0, 4.0),
     lambda: (Tensor([0, 1, 1]), [1, 0, 1]), _X4),
    ("x[list of arrays]", lambda x, c: x.reshape(2, 2)[tuple(c)] * np.arange(1.0, 4.0),
     lambda: [np.array([0, 1, 1]), np.array([1, 0, 1])], _X4),
    ("x[slice with a 0-d array bound]", lambda x, c: x[c] * np.arange(1.0, 4.0), lambda: slice(np.array(1), None), _X4),
    ("reshape(x, list)", lambda x, c: x.reshape(c) * np.arange(4.0).reshape(2, 2), lambda: [2, 2], _X4),
    ("permute(x, list)", lambda x, c: x.reshape(2, 2).permute(c) * np.arange(4.0).reshape(2, 2), lambda: [1, 0], _X4),
    ("expand(x, list)", lambda x, c: x.reshape(4, 1).expand(c) * np.arange(8.0).reshape(4, 2), lambda: [4, 2], _X4),
]


@pytest.mark.parametrize("fn, constant, values", [case[1:] for case in _PLAIN_OPERANDS],
                         ids=[case[0] for case in _PLAIN_OPERANDS])
def test_no_plain_operand_changed_after_forward_changes_a_gradient(fn, constant, values):
    def gradient(change_after_forward: bool) -> np.ndarray:
        x = Tensor(values, requires_grad=True)
        c = constant()
        out = fn(x, c)
        if change_after_forward:
            with no_grad():
                _change(c)
        out.backward(np.linspace(1.0, 2.0, out.size).reshape(out.shape))
        return x.grad.array

    np.testing.assert_array_equal(gradient(True), gradient(False))


def test_the_change_helper_really_changes_each_constant():
    # The test above would pass trivially if _change left a constant as it was.
    for name, _, constant, _ in _PLAIN_OPERANDS:
        before, after = constant(), constant()
        _change(after)
        assert repr(before) != repr(after), name


def test_keyword_arguments_holding_arrays_are_owned_too():
    def scaled(x, scale=None):
        return x * scale

    def scaled_back(grad_out, out, x, scale=None):
        return grad_out * scale

    scaled_op = wrap_forward_fn(scaled)
    add_back_func(scaled, 0, scaled_back)
    x = Tensor([1.0, 2.0], requires_grad=True)
    scale = np.array([3.0, 4.0])
    loss = scaled_op(x, scale=scale).sum()
    scale[:] = -1
    loss.backward()
    assert x.grad.array.tolist() == [3.0, 4.0]


def test_tensor_arguments_and_numbers_are_not_copied():
    # Copying costs memory only where it must: a Tensor's array is version-checked instead,
    # and a Python number cannot change.
    x = Tensor([1.0, 2.0], requires_grad=True)
    w = Tensor([3.0, 4.0])
    y = x * w
    assert y.recipe.args[0] is x.array and y.recipe.args[1] is w.array
    half = 0.5
    assert (x * half).recipe.args[1] is half
    constant = np.array([1.0, 2.0])
    kept = (x * constant).recipe.args[1]
    assert kept is not constant and not kept.flags.writeable and not np.shares_memory(kept, constant)
    with no_grad():  # nothing recorded, nothing copied
        assert (x * constant).recipe is None


def test_a_tensor_inside_a_list_index_is_kept_as_a_copy_of_its_values():
    # The index [i, j] is a list: the recipe keeps copies of the Tensors' arrays, so changing i
    # in place after the forward pass cannot move the gradient to another element.
    i, j = Tensor(0), Tensor(2)
    x = Tensor(np.arange(4.0), requires_grad=True)
    y = x[[i, j]]
    kept = y.recipe.args[1]
    assert all(type(item) is np.ndarray for item in kept)
    i += 1
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [1.0, 0.0, 1.0, 0.0])


def test_an_operation_that_records_nothing_passes_plain_arrays_on_without_a_copy():
    # Copies are made only for a recipe: a forward pass under no_grad (or with nothing that
    # requires grad) hands numpy the caller's arrays as they are, and costs no extra memory.
    received = []

    def add_and_note(x, c):
        received.append(c)
        return x + c

    add = wrap_forward_fn(add_and_note)
    constant = np.array([1.0, 2.0])
    add(Tensor([0.0, 0.0]), constant)
    with no_grad():
        add(Tensor([0.0, 0.0], requires_grad=True), constant)
    assert received[0] is constant and received[1] is constant


@SETTINGS
@given(data=st.data())
def test_changing_a_plain_operand_never_changes_the_gradient_random(data):
    # Random broadcast shapes and values: the gradient for x, with the constant changed after the
    # forward pass, is the finite-difference gradient at the constant's ORIGINAL values.
    (x_shape, c_shape), _ = data.draw(mutually_broadcastable(2), label="shapes")
    x = data.draw(arrays_of(x_shape, min_value=0.5, max_value=2.0), label="x")
    c = data.draw(arrays_of(c_shape, min_value=0.5, max_value=2.0), label="c")
    name, op = data.draw(st.sampled_from(_BINARY_OPS), label="op")
    if name == "maximum":  # no near-tie, where a finite difference would straddle the corner
        assume(np.all(np.abs(x - (c + 0.05)) > 1e-3))
    original = c.copy()
    leaf = Tensor(x, requires_grad=True)
    out = op(leaf, c)
    grad_out = np.ones(out.shape)
    c[...] = data.draw(arrays_of(c_shape, min_value=-5.0, max_value=5.0), label="new c")
    out.backward(grad_out)

    def f(x_values):
        with no_grad():
            return op(Tensor(x_values), original).array

    expected = numerical_gradient(f, [x], argnum=0, grad_out=grad_out)
    np.testing.assert_allclose(leaf.grad.array, expected, rtol=1e-5, atol=1e-6, err_msg=name)


_BINARY_OPS = [
    ("x * c", lambda x, c: x * c),
    ("x / c", lambda x, c: x / c),
    ("c / x", lambda x, c: al.true_divide(c, x)),
    ("x ** c", lambda x, c: x ** c),
    ("c ** x", lambda x, c: al.power(c, x)),
    ("maximum", lambda x, c: x.maximum(c + 0.05)),
    ("x * c, then x + c", lambda x, c: (x * c + c) * x),
]


# ---------------------------------------------------------------- grad mode is per thread (issue 8)


def _in_thread(target):
    """Run ``target`` in a new thread; re-raise its exception here."""
    errors = []

    def run():
        try:
            target()
        except BaseException as error:  # noqa: BLE001 - handed to the test thread
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def _join(thread, errors):
    thread.join(timeout=30)
    assert not thread.is_alive(), "the other thread hung"
    if errors:
        raise errors[0]


def test_no_grad_in_one_thread_does_not_stop_another_thread_recording():
    inside, done = threading.Event(), threading.Event()

    def other():
        with no_grad():
            inside.set()
            assert done.wait(30)
            assert not is_grad_enabled()  # still off here, whatever the main thread did

    thread, errors = _in_thread(other)
    assert inside.wait(30)
    # The other thread is inside no_grad now; this thread's operations must still record.
    assert is_grad_enabled()
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    assert y.recipe is not None
    y.backward()
    assert x.grad.array.tolist() == [2.0, 4.0]
    done.set()
    _join(thread, errors)


def test_two_threads_leaving_no_grad_out_of_order_leave_grad_mode_on():
    # Main enters, other enters, main leaves, other leaves: with one global switch the other
    # thread would restore "off" for the whole process.
    main_in, other_in, main_out = threading.Event(), threading.Event(), threading.Event()
    seen_by_other = []

    def other():
        assert main_in.wait(30)
        with no_grad():
            other_in.set()
            assert main_out.wait(30)
        seen_by_other.append(is_grad_enabled())

    thread, errors = _in_thread(other)
    with no_grad():
        main_in.set()
        assert other_in.wait(30)
    main_out.set()
    assert is_grad_enabled()
    _join(thread, errors)
    assert seen_by_other == [True]
    assert is_grad_enabled()  # still on after both left
    x = Tensor([1.0], requires_grad=True)
    assert (x * 2).recipe is not None



def test_no_grad_blocks_are_counted_while_they_run_and_only_then():
    # The wrapper skips reading the thread's flag while no no_grad block runs anywhere
    # ("making it fast" in tensor.py): each block must be counted exactly while it runs.
    from autograd_lite.tensor import _NO_GRAD_BLOCKS

    assert not _NO_GRAD_BLOCKS
    with no_grad():
        assert len(_NO_GRAD_BLOCKS) == 1
        with no_grad():
            assert len(_NO_GRAD_BLOCKS) == 2
        assert len(_NO_GRAD_BLOCKS) == 1
    with pytest.raises(ValueError):
        with no_grad():
            raise ValueError("inside the block")
    assert not _NO_GRAD_BLOCKS
    x = Tensor([1.0], requires_grad=True)
    assert (x * 2).recipe is not None

def test_a_new_thread_starts_with_grad_on_even_inside_no_grad():
    seen = []
    with no_grad():
        thread, errors = _in_thread(lambda: seen.append(is_grad_enabled()))
        _join(thread, errors)
    assert seen == [True]


# ---------------------------------------------------------------- setting .grad (issue 8)


def test_setting_grad_to_a_tensor_of_the_right_shape_and_dtype_or_none():
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.grad = Tensor([0.5, 0.5])
    (x * 2).sum().backward()  # accumulates into the grad that was set
    assert x.grad.array.tolist() == [2.5, 2.5]
    x.grad = None
    assert x.grad is None


@pytest.mark.parametrize(
    "value, error, words",
    [
        (np.array([1.0, 1.0]), TypeError, ["must be a Tensor", "ndarray", "x.grad = Tensor(grad)"]),
        ([1.0, 1.0], TypeError, ["must be a Tensor", "list"]),
        (1.0, TypeError, ["must be a Tensor", "float"]),
        (Tensor([1.0, 1.0, 1.0]), ValueError, ["shape (3,)", "shape (2,)"]),
        (Tensor(np.ones(2, np.float32)), TypeError, ["dtype float32", "dtype float64"]),
    ],
)
def test_setting_grad_to_anything_else_is_refused_with_a_clear_error(value, error, words):
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(error) as raised:
        x.grad = value
    for word in words:
        assert word in str(raised.value)
    assert x.grad is None  # left as it was


def test_torch_refuses_the_same_grads_when_available():
    torch = pytest.importorskip("torch")
    x = torch.ones(2, dtype=torch.float64, requires_grad=True)
    for value in (np.ones(2), [1.0, 1.0], torch.ones(3, dtype=torch.float64), torch.ones(2, dtype=torch.float32)):
        with pytest.raises((TypeError, RuntimeError)):
            x.grad = value


def test_pytorch_differs_as_chapter_9_says_when_available():
    # Chapter 9's claims about PyTorch, run: only saved tensors are checked, and an array shared
    # through torch.from_numpy and changed in numpy is used silently.
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    shared = np.array([3.0, 4.0])
    loss = (x * torch.from_numpy(shared)).sum()
    shared[:] = 100.0
    loss.backward()
    assert x.grad.tolist() == [100.0, 100.0]
    w = torch.tensor([3.0, 4.0], dtype=torch.float64)
    loss = (x + w).sum()  # add saves neither operand
    w.add_(1)
    loss.backward()  # no error in PyTorch
    # The library counts every argument as saved, and refuses the same change.
    x, w = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    loss = (x + w).sum()
    w += 1
    with pytest.raises(RuntimeError, match="argument 1 of add was changed in place"):
        loss.backward()


# ---------------------------------------------------------------- contracts pinned by mutation testing
# (issue 15: each test below kills mutants of tensor.py that the tests above let live.)


@pytest.fixture
def registry():
    """Lets a test register backward functions; the table is restored afterwards."""
    saved = dict(BACK_FUNCS)
    yield
    BACK_FUNCS.clear()
    BACK_FUNCS.update(saved)


def test_a_view_of_an_incoming_gradient_is_never_written_into():
    # reshape_back hands x a view of grad_out (here end_grad itself): the second path's gradient
    # must be added into a new array, not into that view, or end_grad and w.grad change.
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    w = Tensor(np.ones(6), requires_grad=True)
    z = x.reshape(6) + w + x.reshape(6)
    end_grad = np.arange(1.0, 7.0)
    z.backward(end_grad=end_grad)
    np.testing.assert_array_equal(end_grad, np.arange(1.0, 7.0))
    np.testing.assert_array_equal(w.grad.array, np.arange(1.0, 7.0))
    np.testing.assert_array_equal(x.grad.array, 2 * np.arange(1.0, 7.0).reshape(2, 3))


def test_multiply_and_divide_in_place_change_the_values():
    t = Tensor([1.0, 2.0])
    t *= 3
    np.testing.assert_array_equal(t.array, [3.0, 6.0])
    t /= 2
    np.testing.assert_array_equal(t.array, [1.5, 3.0])
    t *= Tensor([2.0, 0.5])
    np.testing.assert_array_equal(t.array, [3.0, 1.5])
    t /= Tensor([3.0, 1.5])
    np.testing.assert_array_equal(t.array, [1.0, 1.0])
    assert t.version == 4
    assert not t.array.flags.writeable


def test_each_in_place_operation_returns_the_same_tensor():
    t = Tensor([4.0, 8.0])
    same = t
    for operation in ("__iadd__", "__isub__", "__imul__", "__itruediv__"):
        assert getattr(t, operation)(2.0) is same
    assert t.zero_() is same


def test_in_place_changes_are_refused_when_the_other_operand_requires_grad():
    t = Tensor([1.0, 2.0])
    w = Tensor([1.0, 1.0], requires_grad=True)
    for change in (lambda: t.__imul__(w), lambda: t.__itruediv__(w), lambda: t.__setitem__(0, w[0])):
        with pytest.raises(RuntimeError, match="the other operand requires grad"):
            change()
    assert t.version == 0
    np.testing.assert_array_equal(t.array, [1.0, 2.0])


def test_a_float32_leaf_keeps_a_float32_grad_in_a_mixed_graph():
    a = Tensor(np.ones(3, dtype=np.float32), requires_grad=True)
    b = Tensor(np.full(3, 2.0), requires_grad=True)  # float64
    (a * b).sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_array_equal(a.grad.array, [2.0, 2.0, 2.0])
    (a * b).sum().backward()  # accumulates: still float32
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    np.testing.assert_array_equal(a.grad.array, [4.0, 4.0, 4.0])


def test_a_float32_leaf_used_twice_in_a_mixed_graph_keeps_a_float32_grad():
    a = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    b = Tensor(np.full(2, 3.0), requires_grad=True)
    (a * b + a * b).sum().backward()  # two float64 gradients summed for a
    assert a.grad.dtype == np.float32
    np.testing.assert_array_equal(a.grad.array, [6.0, 6.0])


def test_a_float32_graph_backpropagates_in_float32_throughout(registry):
    seen = []

    def square(x):
        return x * x

    def square_back(grad_out, out, x):
        seen.append(grad_out.dtype)
        return 2 * x * grad_out

    add_back_func(square, 0, square_back)
    a = Tensor(np.array([1.0, 2.0], dtype=np.float32), requires_grad=True)
    wrap_forward_fn(square)(a * 2).sum().backward()
    assert seen == [np.float32]
    assert a.grad.dtype == np.float32
    seen.clear()
    wrap_forward_fn(square)(a).backward(end_grad=np.ones(2))  # a float64 end_grad is cast
    assert seen == [np.float32]


def test_a_custom_operation_with_a_backward_function_for_argument_0_only(registry):
    def scale(x, y):
        return x * y

    add_back_func(scale, 0, lambda grad_out, out, x, y: grad_out * y)
    x = Tensor([1.0, 2.0], requires_grad=True)
    out = wrap_forward_fn(scale)(x, Tensor([3.0, 4.0]))  # the constant second argument needs none
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [3.0, 4.0])


def test_a_custom_backward_function_may_return_a_python_float(registry):
    def total(x):
        return np.sum(x)

    add_back_func(total, 0, lambda grad_out, out, x: 2.0)
    x = Tensor(3.0, requires_grad=True)
    wrap_forward_fn(total)(x).backward()
    assert x.grad.shape == () and x.grad.item() == 2.0
    assert isinstance(x.grad.array, np.ndarray)


def test_np_array_of_a_tensor_is_a_writeable_copy_and_asarray_keeps_float32():
    t = Tensor([1.0, 2.0])
    copy = np.array(t)
    assert copy.flags.writeable
    copy[0] = 5.0
    np.testing.assert_array_equal(t.array, [1.0, 2.0])
    t32 = Tensor(np.ones(2, dtype=np.float32))
    assert np.asarray(t32).dtype == np.float32
    assert np.asarray(t32, dtype=np.float64).dtype == np.float64
    assert np.array(t32, dtype=np.float64).dtype == np.float64
    assert not np.asarray(t).flags.writeable  # the values themselves: read-only


def test_a_numpy_ufunc_with_keywords_on_a_tensor_is_refused():
    t = Tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="np.multiply was called on a Tensor"):
        np.multiply(np.float64(2.0), t, dtype=np.float32)
    with pytest.raises(TypeError, match="np.add was called on a Tensor"):
        np.add.reduce(t)


def test_len_bool_item_and_the_shape_properties():
    t = Tensor(np.zeros((3, 2), dtype=np.float32))
    assert (len(t), t.shape, t.ndim, t.size, t.dtype) == (3, (3, 2), 2, 6, np.float32)
    assert bool(Tensor([2.0])) is True and bool(Tensor([0.0])) is False
    assert Tensor([2.5]).item() == 2.5 and isinstance(Tensor([2.5]).item(), float)
    assert Tensor([1.0]).is_leaf and not (Tensor([1.0], requires_grad=True) * 2).is_leaf


def test_repr_shows_dtype_recipe_and_requires_grad_only_when_they_say_something():
    assert repr(Tensor([1, 2])) == "Tensor([1, 2])"
    assert repr(Tensor([True])) == "Tensor([ True])"
    assert repr(Tensor(np.ones(1, dtype=np.float32))) == "Tensor([1.], dtype=float32)"
    x = Tensor([1.0], requires_grad=True)
    assert repr(x) == "Tensor([1.], requires_grad=True)"
    assert repr(x * 2) == "Tensor([2.], recipe=multiply)"
    assert repr(Tensor([1.0])) == "Tensor([1.])"


def test_requires_grad_is_stored_as_a_bool_and_a_new_tensor_has_no_grad():
    t = Tensor([1.0], requires_grad=1)
    assert t.requires_grad is True and t.grad is None and t.recipe is None and t.version == 0
    out = t * 2
    assert out.grad is None and out.version == 0 and out.requires_grad is True
    assert not out.array.flags.writeable


def test_the_graph_is_built_only_under_grad_mode_and_for_differentiable_functions():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert (x == x).recipe is None and not (x == x).requires_grad
    with no_grad():
        assert (x * 2).recipe is None
    assert (Tensor([1.0]) * x).requires_grad and (x * Tensor([1.0])).requires_grad


def test_a_recipe_without_keyword_arguments_shares_the_empty_dict():
    x = Tensor([1.0, 2.0], requires_grad=True)
    assert (x * 2).recipe.kwargs is NO_KWARGS
    assert x.sum(dim=0).recipe.kwargs == {"dim": 0}
    assert NO_KWARGS == {}


def test_a_new_gradient_computed_for_a_leaf_is_kept_without_a_copy(registry):
    kept = []

    def double(x):
        return 2 * x

    def double_back(grad_out, out, x):
        kept.append(2 * grad_out)
        return kept[-1]

    add_back_func(double, 0, double_back)
    x = Tensor([1.0, 2.0], requires_grad=True)
    wrap_forward_fn(double)(x).backward(end_grad=np.ones(2))
    # backprop made nobody else's array: the leaf keeps it (memory counts for big gradients)
    assert np.shares_memory(x.grad.array, kept[0])
    np.testing.assert_array_equal(x.grad.array, [2.0, 2.0])


def test_a_float32_leaf_gets_a_float32_copy_of_a_passed_through_float64_gradient():
    a = Tensor(np.ones(2, dtype=np.float32), requires_grad=True)
    b = Tensor(np.ones(2), requires_grad=True)
    end_grad = np.array([1.5, 2.5])
    (a + b).backward(end_grad=end_grad)  # add hands end_grad itself to both leaves
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    assert not np.shares_memory(b.grad.array, end_grad)
    np.testing.assert_array_equal(a.grad.array, [1.5, 2.5])


def test_asarray_with_the_tensors_own_dtype_gives_the_read_only_values_without_a_copy():
    t = Tensor([1.0, 2.0])
    values = np.asarray(t, dtype=np.float64)
    assert np.shares_memory(values, t.array) and not values.flags.writeable


def test_a_recipe_records_a_tuple_index_with_its_tensors_replaced_by_arrays():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    y = x[Tensor([0, 1]), Tensor([2, 0])]
    np.testing.assert_array_equal(y.array, [2.0, 3.0])
    index = y.recipe.args[1]
    assert isinstance(index, tuple) and all(type(i) is np.ndarray for i in index)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]])


def test_operations_made_by_wrap_forward_fn_say_what_they_are():
    sin = wrap_forward_fn(np.sin)
    assert "sin" in sin.__doc__ and "wrap_forward_fn" in sin.__doc__
    assert sin.__name__ == sin.__qualname__ == "sin" and sin.numpy_func is np.sin


def test_results_of_0d_operations_are_arrays_and_a_grad_needs_no_grad():
    x = Tensor(2.0, requires_grad=True)
    for out in (x * 3, al.log(x), x.exp(), Tensor(2.0) * 3):
        assert type(out.array) is np.ndarray and out.shape == ()
        assert not out.array.flags.writeable
    (x * 3).backward()
    assert x.grad.requires_grad is False and x.grad.recipe is None
    assert type(x.grad.array) is np.ndarray


# ------------------------------------------------ backprop pauses the cycle collector, and restores it


def test_backprop_pauses_the_cycle_collector_and_switches_it_back_on():
    import gc

    seen = []
    square = wrap_forward_fn(np.square)
    add_back_func(np.square, 0, lambda grad_out, out, x: seen.append(gc.isenabled()) or grad_out * 2 * x)
    try:
        x = Tensor([1.0, 2.0], requires_grad=True)
        assert gc.isenabled()
        square(x).sum().backward()
        assert seen == [False] and gc.isenabled()
        np.testing.assert_array_equal(x.grad.array, [2.0, 4.0])
        # Off before: stays off (backprop does not switch on what the caller switched off).
        gc.disable()
        try:
            square(x).sum().backward()
        finally:
            assert not gc.isenabled()
            gc.enable()
        # An error half-way still switches it back on.
        y = square(x).sum()
        with no_grad():
            x += 1.0
        with pytest.raises(RuntimeError, match="changed in place"):
            y.backward()
        assert gc.isenabled()
    finally:
        BACK_FUNCS.pop((np.square, 0), None)


def test_an_argument_handed_back_as_it_is_becomes_a_copy_and_a_later_change_is_caught(registry):
    """np.real of a real array returns the array itself: without the copy the result would share
    x's memory, and changing x in place would silently change what the graph saved."""
    real = wrap_forward_fn(np.real)
    add_back_func(np.real, 0, lambda grad_out, out, x: grad_out)
    x = Tensor([1.0, 2.0])
    y = real(x)
    assert not np.shares_memory(y.array, x.array)
    w = Tensor(1.0, requires_grad=True)
    loss = (y * w).sum()
    x += 10.0
    loss.backward()
    assert w.grad.item() == 3.0  # 1 + 2, the values y was made from; 23 if y shared x's memory
    # A plain array handed back is copied too: the caller's array stays writeable and its own.
    plain = np.array([1.0, 2.0])
    z = real(plain)
    assert not np.shares_memory(z.array, plain) and plain.flags.writeable


def test_a_tensor_passed_as_a_keyword_argument_is_refused(registry):
    """Only positional Tensors are recorded: a keyword one would get no gradient, silently."""

    def scale(x, w):
        return x * w

    add_back_func(scale, 0, lambda grad_out, out, x, w: grad_out * w)
    add_back_func(scale, 1, lambda grad_out, out, x, w: np.sum(grad_out * x))
    recorded = wrap_forward_fn(scale)
    w = Tensor(3.0, requires_grad=True)
    with pytest.raises(TypeError, match=r"scale: the keyword argument w= is a Tensor .* Pass it by position"):
        recorded(Tensor([1.0, 2.0]), w=w)
    with pytest.raises(TypeError, match="keyword argument w="):
        recorded(Tensor([1.0, 2.0], requires_grad=True), w=Tensor(3.0))
    recorded(Tensor([1.0, 2.0]), w).sum().backward()  # by position it works
    assert w.grad.item() == 3.0
    assert recorded(Tensor([1.0, 2.0]), w=w.array).recipe is None  # a constant by keyword is fine
