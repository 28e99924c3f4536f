"""Tests for autograd_lite.checkpoint: gradient checkpointing (chapter 12).

Gradients through a checkpoint equal the gradients without it and central
finite differences, on random broadcast shapes, for the block's arguments and
for the weights it uses from outside; the graph keeps only the block's inputs;
the block runs once more per backward pass; and the memory held falls as the
chapter says.  At the end, the claims chapter 12 makes about PyTorch, run
against PyTorch itself where it is installed.
"""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import BACK_FUNCS, Tensor, no_grad, numerical_gradient
from autograd_lite.checkpoint import checkpoint, run_without_graph
from strategies import SETTINGS, arrays_of, broadcastable_arrays

TOLERANCE = dict(rtol=1e-5, atol=1e-6)


def block(h, w):
    """A small block of several operations, broadcasting h against w."""
    return ((h * w).exp() - h / 2) * w


class Counted:
    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, *args):
        self.calls += 1
        return self.fn(*args)


def _plain(fn):
    def f(*arrays):
        with no_grad():
            return fn(*[Tensor(a) for a in arrays]).array

    return f


@settings(SETTINGS)
@given(arrays=broadcastable_arrays({"min_value": -1.0, "max_value": 1.0}, {"min_value": -1.0, "max_value": 1.0}),
       data=st.data())
def test_gradients_match_finite_differences_and_the_plain_block(arrays, data):
    h_array, w_array = arrays
    out_shape = np.broadcast_shapes(h_array.shape, w_array.shape)
    end_grad = data.draw(arrays_of(out_shape, min_value=-2.0, max_value=2.0), label="end_grad")

    h, w = Tensor(h_array, requires_grad=True), Tensor(w_array, requires_grad=True)
    out = checkpoint(block, h, w)
    np.testing.assert_array_equal(out.array, _plain(block)(h_array, w_array))
    out.backward(end_grad)

    h0, w0 = Tensor(h_array, requires_grad=True), Tensor(w_array, requires_grad=True)
    block(h0, w0).backward(end_grad)
    np.testing.assert_allclose(h.grad.array, h0.grad.array, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(w.grad.array, w0.grad.array, rtol=1e-12, atol=1e-12)
    for argnum, tensor in enumerate((h, w)):
        expected = numerical_gradient(block_arrays, [h_array, w_array], argnum, grad_out=end_grad)
        np.testing.assert_allclose(tensor.grad.array, expected, **TOLERANCE)


def block_arrays(h, w):
    return ((np.exp(h * w)) - h / 2) * w


@settings(SETTINGS, max_examples=25)
@given(arrays=broadcastable_arrays({"min_value": -1.0, "max_value": 1.0}, {"min_value": -1.0, "max_value": 1.0}))
def test_weights_from_outside_the_block_get_their_gradients(arrays):
    h_array, w_array = arrays
    w = Tensor(w_array, requires_grad=True)
    h = Tensor(h_array, requires_grad=True)
    checkpoint(lambda h: block(h, w), h).sum().backward()
    expected = numerical_gradient(block_arrays, [h_array, w_array], 1)
    np.testing.assert_allclose(w.grad.array, expected, **TOLERANCE)
    np.testing.assert_allclose(h.grad.array, numerical_gradient(block_arrays, [h_array, w_array], 0), **TOLERANCE)


def test_the_graph_keeps_only_the_inputs():
    h, w = Tensor([0.5, -1.0], requires_grad=True), Tensor([2.0, 3.0], requires_grad=True)
    out = checkpoint(block, h, w)
    assert out.recipe.func is run_without_graph
    assert out.recipe.parents == {1: h, 2: w}
    block_object, *arrays = out.recipe.args
    assert all(a is t.array for a, t in zip(arrays, (h, w)))  # the inputs' own arrays, not copies


def test_one_recomputation_per_backward_pass_whatever_the_number_of_inputs():
    counted = Counted(block)
    h, w = Tensor([0.5, -1.0], requires_grad=True), Tensor([2.0, 3.0], requires_grad=True)
    out = checkpoint(counted, h, w).sum()
    assert counted.calls == 1
    out.backward()
    assert counted.calls == 2
    out.backward()  # the library keeps the graph: a second pass recomputes again and accumulates
    assert counted.calls == 3
    h0, w0 = Tensor([0.5, -1.0], requires_grad=True), Tensor([2.0, 3.0], requires_grad=True)
    block(h0, w0).sum().backward()
    np.testing.assert_allclose(h.grad.array, 2 * h0.grad.array)
    np.testing.assert_allclose(w.grad.array, 2 * w0.grad.array)
    assert out.recipe.parents[0].recipe.args[0].input_grads == {}  # nothing held after the pass


def test_an_input_that_does_not_require_grad_gets_none_and_others_are_right():
    x = Tensor([1.0, 2.0])
    w = Tensor([0.5, -0.5], requires_grad=True)
    checkpoint(block, x, w).sum().backward()
    assert x.grad is None
    np.testing.assert_allclose(w.grad.array, numerical_gradient(block_arrays, [x.array, w.array], 1), **TOLERANCE)


def test_without_an_input_that_requires_grad_the_block_runs_as_usual():
    w = Tensor([0.5, -0.5], requires_grad=True)
    counted = Counted(lambda x: block(x, w))
    out = checkpoint(counted, Tensor([1.0, 2.0]))
    assert out.recipe.func is not run_without_graph  # recorded as usual: the weights still get gradients
    out.sum().backward()
    np.testing.assert_allclose(w.grad.array, numerical_gradient(block_arrays, [np.array([1.0, 2.0]), w.array], 1),
                               **TOLERANCE)
    assert counted.calls == 1


def test_numbers_among_the_arguments_pass_through():
    h = Tensor([1.0, 2.0], requires_grad=True)
    checkpoint(lambda h, scale: (h * scale).exp(), h, 0.5).sum().backward()
    np.testing.assert_allclose(h.grad.array, 0.5 * np.exp(0.5 * h.array))


def test_nested_checkpoints():
    h = Tensor([0.3, -0.2], requires_grad=True)
    inner = lambda h: (h * 2).exp()  # noqa: E731
    checkpoint(lambda h: checkpoint(inner, h) * h, h).sum().backward()
    x = h.array
    np.testing.assert_allclose(h.grad.array, np.exp(2 * x) * (2 * x + 1))


def test_a_long_chain_holds_a_fraction_of_the_memory():
    def step(h):
        return (h * 0.5).exp() - 1.0

    def segment(h):
        for _ in range(20):
            h = step(h)
        return h

    def held(checkpointed: bool) -> int:
        x = Tensor(np.linspace(-1, 1, 10_000), requires_grad=True)
        tracemalloc.start()
        h = x
        for _ in range(10):
            h = checkpoint(segment, h) if checkpointed else segment(h)
        held = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return held

    plain, checkpointed = held(False), held(True)
    one_array = 10_000 * 8
    assert plain > 3 * 200 * one_array * 0.95  # 3 arrays per step, 200 steps
    assert checkpointed < 12 * one_array  # 10 segment outputs
    assert checkpointed < plain / 50


def test_errors_speak_to_the_reader():
    h = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"the first argument must be the function to run, got Tensor"):
        checkpoint(h, h)
    with pytest.raises(TypeError, match=r"returned tuple, but a checkpointed block must return one Tensor"):
        checkpoint(lambda h: (h, h), h)
    out = checkpoint(lambda h: h.exp(), h)
    with no_grad(), pytest.raises(RuntimeError, match=r"backward\(\) ran inside `with no_grad\(\):`"):
        out.backward()


def test_the_backward_functions_are_rows_of_the_engine_table():
    checkpoint(block, Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True))
    assert BACK_FUNCS[run_without_graph, 1].__name__ == "checkpoint_back1"
    assert BACK_FUNCS[run_without_graph, 2].__name__ == "checkpoint_back2"


# ---------------------------------------------------------------- what chapter 12 says about PyTorch


def test_pytorch_frees_saved_tensors_after_backward_unless_retain_graph():
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match=r"Trying to backward through the graph a second time.*retain_graph=True"):
        y.backward()
    y = (x * x).exp().sum()
    y.backward(retain_graph=True)
    y.backward()  # allowed, and the gradient accumulates
    # A graph whose backward functions saved no tensor can run backward twice anyway.
    z = (x + 1).sum()
    z.backward()
    z.backward()


def test_pytorch_checkpoint_recomputes_and_handles_weights_from_outside():
    torch = pytest.importorskip("torch")
    from torch.utils.checkpoint import checkpoint as torch_checkpoint

    w = torch.tensor([2.0, -1.0], requires_grad=True)
    calls = []

    def fn(h):
        calls.append(1)
        return (h * w).exp()

    data = torch.tensor([0.5, 3.0])  # requires no grad: the weights must still get theirs
    torch_checkpoint(fn, data, use_reentrant=False).sum().backward()
    assert len(calls) == 2  # once forward, once again in backward
    ours_w = Tensor([2.0, -1.0], requires_grad=True)
    checkpoint(lambda h: (h * ours_w).exp(), Tensor([0.5, 3.0])).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), ours_w.grad.array, rtol=1e-6)
    # Leaving use_reentrant out warns, and the warning recommends False.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch_checkpoint(fn, data)
    messages = [str(w.message) for w in caught]
    assert any("use_reentrant parameter should be passed explicitly" in m and "use_reentrant=False is recom" in m
               for m in messages), messages
    # The re-entrant variant gives an output that does not require grad here: no gradient for w.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = torch_checkpoint(fn, data, use_reentrant=True)
    assert not out.requires_grad


def test_pytorch_saves_only_what_each_backward_node_reads():
    """Chapter 12: exp saves its result, a product of two tensors both factors, + nothing; on the
    chapter's chain PyTorch keeps one array per step where the library keeps three."""
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = torch.tensor([3.0, 4.0], requires_grad=True)
    saved_tensors = lambda node: [name for name in dir(node) if name.startswith("_saved_")  # noqa: E731
                                  and isinstance(getattr(node, name), torch.Tensor)]
    assert saved_tensors(x.exp().grad_fn) == ["_saved_result"]
    assert sorted(saved_tensors((x * y).grad_fn)) == ["_saved_other", "_saved_self"]
    assert saved_tensors((x + y).grad_fn) == []

    saved = []
    h = torch.linspace(-1, 1, 100, dtype=torch.float64, requires_grad=True)
    with torch.autograd.graph.saved_tensors_hooks(lambda t: saved.append(t) or t, lambda t: t):
        for _ in range(50):
            h = (h * 0.5).exp() - 1.0
    assert len(saved) == 50

    ours = Tensor(np.linspace(-1, 1, 100), requires_grad=True)
    h = ours
    for _ in range(50):
        h = (h * 0.5).exp() - 1.0
    outputs = set()
    node = h
    while node.recipe is not None:
        outputs.add(id(node.array))
        node = node.recipe.parents[0]
    assert len(outputs) == 150
