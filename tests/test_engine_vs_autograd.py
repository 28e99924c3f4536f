"""The engine against independent engines on the same expressions and the same random inputs.

HIPS autograd (``autograd.grad``) always runs: every case of tests/engine_cases.py.
PyTorch (CPU) is an optional extra: where it is installed, the same cases and
the semantics the book borrows from it (relu at 0, ties, repeated indices)
are compared with it too; without it those tests are skipped.
"""

from __future__ import annotations

import autograd
import autograd.numpy as anp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import autograd_lite as al
from autograd_lite import Tensor, no_grad
from engine_cases import CASES
from strategies import SETTINGS, arrays_of

# Two exact derivations of the same gradient differ only by rounding.
RTOL, ATOL = 1e-9, 1e-12


def _draw_case(case, data):
    arrays, params = case.draw(data, np.float64)
    with no_grad():
        out_shape = case.engine(*[Tensor(a) for a in arrays], **params).shape
    grad_out = data.draw(arrays_of(out_shape, np.float64, min_value=-2.0, max_value=2.0), label="grad_out")
    return arrays, params, grad_out


def _engine_grads(case, arrays, params, grad_out):
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    out = case.engine(*tensors, **params)
    out.backward(grad_out)
    return out.array, [t.grad.array for t in tensors]


@pytest.mark.parametrize("case", CASES, ids=str)
@settings(SETTINGS, max_examples=25)
@given(data=st.data())
def test_engine_matches_hips_autograd(case, data):
    arrays, params, grad_out = _draw_case(case, data)
    out, grads = _engine_grads(case, arrays, params, grad_out)
    np.testing.assert_allclose(out, case.hips(*arrays, **params), rtol=RTOL, atol=ATOL)
    for argnum, grad in enumerate(grads):
        loss = lambda *xs: anp.sum(case.hips(*xs, **params) * grad_out)  # noqa: E731
        expected = autograd.grad(loss, argnum)(*arrays)
        np.testing.assert_allclose(grad, expected, rtol=RTOL, atol=ATOL, err_msg=f"argument {argnum}")


def test_a_two_layer_network_matches_hips_autograd():
    rng = np.random.default_rng(1)
    x, labels = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    w1, b1 = rng.standard_normal((5, 6)), rng.standard_normal(6)
    w2, b2 = rng.standard_normal((6, 3)), rng.standard_normal(3)

    def hips_loss(w1, b1, w2, b2):
        logits = anp.matmul(anp.maximum(anp.matmul(x, w1) + b1, 0.0), w2) + b2
        shifted = logits - anp.max(logits, axis=1, keepdims=True)
        log_p = shifted - anp.log(anp.sum(anp.exp(shifted), axis=1, keepdims=True))
        return -anp.mean(log_p[np.arange(8), labels])

    params = [Tensor(p, requires_grad=True) for p in (w1, b1, w2, b2)]
    t_w1, t_b1, t_w2, t_b2 = params
    logits = (Tensor(x) @ t_w1 + t_b1).relu() @ t_w2 + t_b2
    shifted = logits - logits.max(dim=1, keepdim=True)
    log_p = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    loss = -log_p[np.arange(8), labels].mean()
    loss.backward()
    assert loss.item() == pytest.approx(hips_loss(w1, b1, w2, b2), rel=1e-12)
    expected = autograd.grad(hips_loss, (0, 1, 2, 3))(w1, b1, w2, b2)
    for param, grad in zip(params, expected):
        np.testing.assert_allclose(param.grad.array, grad, rtol=RTOL, atol=ATOL)


# ---------------------------------------------------------------- PyTorch, where installed


def _torch_index(torch, index):
    if isinstance(index, tuple):
        return tuple(_torch_index(torch, i) for i in index)
    if isinstance(index, np.ndarray):
        return torch.from_numpy(index)
    return index


def _torch_reduce(method, x, dim, keepdim):
    # numpy: dim=None reduces every dimension and dim=() none; PyTorch reads an empty dim as "all".
    if dim == ():
        return x * 1
    return method(dim=tuple(range(x.ndim)) if dim is None else dim, keepdim=keepdim)


def _has_negative_step(index) -> bool:
    """PyTorch has no negative slice steps (numpy does)."""
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, slice) and p.step is not None and p.step < 0 for p in parts)


def _torch_case(torch, name):
    """The PyTorch spelling of a case of tests/engine_cases.py."""
    return {
        "add": lambda x, y: x + y,
        "subtract": lambda x, y: x - y,
        "multiply": lambda x, y: x * y,
        "true_divide": lambda x, y: x / y,
        "negative": lambda x: -x,
        "exp": torch.exp,
        "log": torch.log,
        "power": torch.pow,
        "sum": lambda x, dim, keepdim: _torch_reduce(x.sum, x, dim, keepdim),
        "mean": lambda x, dim, keepdim: _torch_reduce(x.mean, x, dim, keepdim),
        "max": lambda x, dim, keepdim: _torch_reduce(x.amax, x, dim, keepdim),
        "reshape": lambda x, new_shape: x.reshape(new_shape),
        "permute": lambda x, axes: x.permute(*axes),
        "transpose": lambda x, dim0, dim1: x.transpose(dim0, dim1),
        "expand": lambda x, new_shape: x.expand(new_shape),
        "matmul": torch.matmul,
        "maximum": torch.maximum,
        "relu": torch.relu,
        "indexing": lambda x, index: x[_torch_index(torch, index)],
    }.get(name)


TORCH_CASES = [
    case for case in CASES
    if case.name in {"add", "subtract", "multiply", "true_divide", "negative", "exp", "log", "power", "sum",
                     "mean", "max", "reshape", "permute", "transpose", "expand", "matmul", "maximum", "relu",
                     "indexing"}
]


@pytest.mark.parametrize("case", TORCH_CASES, ids=str)
@settings(SETTINGS, max_examples=15)
@given(data=st.data())
def test_engine_matches_pytorch(case, data):
    torch = pytest.importorskip("torch")
    arrays, params, grad_out = _draw_case(case, data)
    assume(not _has_negative_step(params.get("index")))  # HIPS autograd covers those
    _, grads = _engine_grads(case, arrays, params, grad_out)
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = _torch_case(torch, case.name)(*tensors, **params)
    out.backward(torch.as_tensor(grad_out))
    for argnum, (grad, tensor) in enumerate(zip(grads, tensors)):
        np.testing.assert_allclose(grad, tensor.grad.numpy(), rtol=1e-7, atol=1e-10, err_msg=f"argument {argnum}")


def test_pytorch_semantics_at_kinks_ties_and_repeats():
    torch = pytest.importorskip("torch")
    values = [-1.0, 0.0, 2.0, 2.0]

    x, tx = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    x.relu().sum().backward()
    torch.relu(tx).sum().backward()
    np.testing.assert_array_equal(x.grad.array, tx.grad.numpy())  # relu'(0) = 0

    x, tx = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    y, ty = Tensor([0.0, 0.0, 2.0, 1.0], requires_grad=True), torch.tensor([0.0, 0.0, 2.0, 1.0], requires_grad=True)
    x.maximum(y).sum().backward()
    torch.maximum(tx, ty).sum().backward()
    np.testing.assert_array_equal(x.grad.array, tx.grad.numpy())  # ties split evenly
    np.testing.assert_array_equal(y.grad.array, ty.grad.numpy())

    x, tx = Tensor([values], requires_grad=True), torch.tensor([values], requires_grad=True)
    x.max(dim=1).sum().backward()
    tx.amax(dim=1).sum().backward()
    np.testing.assert_array_equal(x.grad.array, tx.grad.numpy())  # max shares a tie like amax

    x, tx = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    index = np.array([0, 3, 0, 0])
    (x[index] * Tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    (tx[torch.from_numpy(index)] * torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.array, tx.grad.numpy())  # repeated indices accumulate

    x, tx = Tensor(values, requires_grad=True), torch.tensor(values, requires_grad=True)
    for _ in range(2):  # leaves accumulate across backward calls
        (x * x).sum().backward()
        (tx * tx).sum().backward()
    np.testing.assert_array_equal(x.grad.array, tx.grad.numpy())


def test_pytorch_frees_the_graph_as_chapter_7_says():
    """Chapter 7: a second backward() raises in PyTorch unless retain_graph=True; this engine allows it."""
    torch = pytest.importorskip("torch")
    a, b = torch.tensor(2.0, requires_grad=True), torch.tensor(3.0, requires_grad=True)
    loss = (a * b).log()
    loss.backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()
    a.grad = None
    loss = (a * b).log()
    loss.backward(retain_graph=True)
    loss.backward()
    assert float(a.grad) == 1.0  # 1/a twice
    summed = a + b  # add saves no tensors, so nothing was freed: PyTorch allows a second call
    summed.backward()
    summed.backward()
    x, y = Tensor(2.0, requires_grad=True), Tensor(3.0, requires_grad=True)
    ours = (x * y).log()
    ours.backward()
    ours.backward()
    assert float(x.grad.array) == 1.0
