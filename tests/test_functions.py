"""Tests for autograd_lite.functions and the engine's rules in autograd_lite.backward.

Every differentiable operation is checked against central finite differences
on random shapes (broadcast ones included) in float64 and float32; then the
semantics the book states (PyTorch's where the book is silent) one by one.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autograd_lite as al
from autograd_lite import Tensor, gradient_check, no_grad, numerical_gradient
from engine_cases import CASES
from strategies import DTYPES, SETTINGS, arrays_of

# float64: finite differences (eps 1e-6) are good to about 1e-8 here; 1e-5 leaves room
# for sums of up to a hundred terms.  float32: the engine rounds at about 1e-7 relative
# per operation, and a chain of a few operations on values up to ~20 stays within 2e-3.
TOLERANCE = {np.float64: dict(rtol=1e-5, atol=1e-5), np.float32: dict(rtol=2e-3, atol=2e-3)}


def _engine_gradients(case, arrays, params, grad_out):
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    out = case.engine(*tensors, **params)
    out.backward(grad_out)
    return out, [t.grad for t in tensors]


# ---------------------------------------------------------------- finite differences


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=str)
@settings(SETTINGS, max_examples=25)
@given(data=st.data())
def test_gradient_matches_finite_differences(case, dtype, data):
    arrays, params = case.draw(data, dtype)
    with no_grad():
        out_shape = case.engine(*[Tensor(a) for a in arrays], **params).shape
    grad_out = data.draw(arrays_of(out_shape, dtype, min_value=-2.0, max_value=2.0), label="grad_out")
    out, grads = _engine_gradients(case, arrays, params, grad_out)
    assert out.dtype == dtype, "the forward pass changed the dtype"

    def f(*inputs):  # the same function on plain float64 arrays, no graph
        with no_grad():
            return case.engine(*[Tensor(x) for x in inputs], **params).array

    for argnum, grad in enumerate(grads):
        expected = numerical_gradient(f, arrays, argnum=argnum, grad_out=grad_out)
        assert grad.dtype == dtype, f"the gradient of a {np.dtype(dtype)} input must stay {np.dtype(dtype)}"
        assert grad.shape == arrays[argnum].shape
        np.testing.assert_allclose(grad.array, expected, **TOLERANCE[dtype], err_msg=f"argument {argnum}")


# The engine's backward functions on their own, through the book's gradient_check.
# (forward, backward, arrays, other arguments, argnum)
_rng = np.random.default_rng(8)
_x, _y = _rng.uniform(0.5, 2.0, (2, 3)), _rng.uniform(0.5, 2.0, (3,))
_xt = np.ascontiguousarray(_x.T)
_BACK_FUNCTIONS = [
    (np.add, al.add_back0, [_x, _y], (), 0),
    (np.add, al.add_back1, [_x, _y], (), 1),
    (np.subtract, al.subtract_back0, [_x, _y], (), 0),
    (np.subtract, al.subtract_back1, [_x, _y], (), 1),
    (np.true_divide, al.true_divide_back0, [_x, _y], (), 0),
    (np.true_divide, al.true_divide_back1, [_x, _y], (), 1),
    (np.negative, al.negative_back, [_x], (), 0),
    (np.power, al.power_back0, [_x, _y], (), 0),
    (np.power, al.power_back1, [_x, _y], (), 1),
    (lambda x, dim, keepdim: np.sum(x, axis=dim, keepdims=keepdim), al.sum_back, [_x], ((0,), True), 0),
    (np.mean, al.mean_back, [_x], (-1,), 0),
    (np.max, al.max_back, [_x], (1,), 0),
    (np.reshape, al.reshape_back, [_x], ((3, 2),), 0),
    (np.transpose, al.permute_back, [_x], ((1, 0),), 0),
    (np.swapaxes, al.transpose_back, [_x], (0, 1), 0),
    (np.broadcast_to, al.expand_back, [_y], ((4, 3),), 0),
    (np.matmul, al.matmul_back0, [_x, _xt], (), 0),
    (np.matmul, al.matmul_back1, [_x, _xt], (), 1),
    (np.maximum, al.maximum_back0, [_x, _y], (), 0),
    (np.maximum, al.maximum_back1, [_x, _y], (), 1),
    (lambda x: np.maximum(x, 0), al.relu_back, [_x - 1.25], (), 0),
    (lambda x, index: x[index], al.indexing_back, [_x], ((np.array([1, 0, 1]), np.array([2, 2, 2])),), 0),
]


@pytest.mark.parametrize("forward, backward, arrays, others, argnum", _BACK_FUNCTIONS,
                         ids=[b.__name__ for _, b, *_ in _BACK_FUNCTIONS])
def test_backward_function_passes_gradient_check(forward, backward, arrays, others, argnum):
    gradient_check(
        lambda *xs: forward(*xs, *others),
        lambda grad_out, out, *xs: backward(grad_out, out, *xs, *others),
        arrays, argnum=argnum, rtol=1e-5, atol=1e-6,
    )


# ---------------------------------------------------------------- Python numbers, both ways round


@pytest.mark.parametrize(
    "expression, expected_value, expected_grad",
    [
        (lambda t: 2 / t, [2.0, 1.0], [-2.0, -0.5]),
        (lambda t: t / 2, [0.5, 1.0], [0.5, 0.5]),
        (lambda t: 2 - t, [1.0, 0.0], [-1.0, -1.0]),
        (lambda t: t - 2, [-1.0, 0.0], [1.0, 1.0]),
        (lambda t: 2 + t, [3.0, 4.0], [1.0, 1.0]),
        (lambda t: t + 2, [3.0, 4.0], [1.0, 1.0]),
        (lambda t: 2 * t, [2.0, 4.0], [2.0, 2.0]),
        (lambda t: t * 2, [2.0, 4.0], [2.0, 2.0]),
        (lambda t: t**2, [1.0, 4.0], [2.0, 4.0]),
        (lambda t: 2**t, [2.0, 4.0], [2 * np.log(2), 4 * np.log(2)]),
        (lambda t: -t, [-1.0, -2.0], [-1.0, -1.0]),
        (lambda t: np.float64(2.0) * t, [2.0, 4.0], [2.0, 2.0]),
        (lambda t: np.array([3.0, 4.0]) - t, [2.0, 2.0], [-1.0, -1.0]),
        (lambda t: np.array([[1.0, 1.0]]) @ t, [3.0], [1.0, 1.0]),
    ],
    ids=["2 / t", "t / 2", "2 - t", "t - 2", "2 + t", "t + 2", "2 * t", "t * 2", "t ** 2", "2 ** t",
         "-t", "numpy scalar * t", "array - t", "array @ t"],
)
def test_operators_with_numbers_and_arrays(expression, expected_value, expected_grad):
    t = Tensor([1.0, 2.0], requires_grad=True)
    out = expression(t)
    assert isinstance(out, Tensor), "a number or array on the left must still give a Tensor"
    np.testing.assert_allclose(out.array, expected_value)
    out.sum().backward()
    np.testing.assert_allclose(t.grad.array, expected_grad)


def test_numpy_functions_refuse_tensors():
    # np.log(t) would return a plain array and cut the graph without a word; it raises instead.
    with pytest.raises(TypeError, match="Tensor"):
        np.log(Tensor([1.0]))
    assert np.asarray(Tensor([1.0, 2.0])).tolist() == [1.0, 2.0]


def test_functions_and_methods_agree():
    x = Tensor(np.arange(6.0).reshape(2, 3) + 1)
    y = Tensor(np.arange(3.0) + 2)
    pairs = [
        (al.add(x, y), x + y), (al.subtract(x, y), x - y), (al.multiply(x, y), x * y),
        (al.true_divide(x, y), x / y), (al.negative(x), -x), (al.power(x, y), x**y),
        (al.exp(x), x.exp()), (al.log(x), x.log()), (al.sum(x, 1), x.sum(dim=1)),
        (al.mean(x, 0, True), x.mean(dim=0, keepdim=True)), (al.max(x, 1), x.max(dim=1)),
        (al.reshape(x, (3, 2)), x.reshape(3, 2)), (al.permute(x, (1, 0)), x.permute(1, 0)),
        (al.transpose(x, 0, 1), x.transpose(0, 1)), (al.transpose(x, 0, 1), x.T),
        (al.expand(y, (2, 3)), y.expand(2, -1)), (al.matmul(x, y), x @ y),
        (al.maximum(x, y), x.maximum(y)), (al.relu(x - 3), (x - 3).relu()),
        (al.indexing(x, (0, 1)), x[0, 1]), (al.eq(x, y), x == y), (al.argmax(x, 1), x.argmax(dim=1)),
    ]
    for from_function, from_method in pairs:
        np.testing.assert_array_equal(from_function.array, from_method.array)
        assert from_function.dtype == from_method.dtype


# ---------------------------------------------------------------- semantics


def test_relu_gradient_at_zero_is_zero():
    x = Tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0, 1.0])


def test_maximum_splits_a_tie_evenly():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = Tensor([2.0, 2.0, 2.0], requires_grad=True)
    x.maximum(y).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.5, 1.0])
    np.testing.assert_array_equal(y.grad.array, [1.0, 0.5, 0.0])


def test_maximum_with_a_broadcast_number_and_ties():
    x = Tensor([[0.0, 1.0], [-1.0, 0.0]], requires_grad=True)
    al.maximum(x, 0.0).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[0.5, 1.0], [0.0, 0.5]])


def test_max_reduction_shares_a_tie_evenly():
    x = Tensor([[3.0, 1.0, 3.0, 3.0], [0.0, 2.0, 1.0, 2.0]], requires_grad=True)
    x.max(dim=1).sum().backward()
    np.testing.assert_allclose(x.grad.array, [[1 / 3, 0, 1 / 3, 1 / 3], [0, 0.5, 0, 0.5]])


def test_repeated_indices_accumulate():
    x = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    x[np.array([0, 2, 0, 0])].backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad.array, [8.0, 0.0, 2.0])


def test_indexing_with_tensors_and_masks():
    x = Tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    rows, cols = Tensor([2, 2, 0]), Tensor([1, 1, 0])
    picked = x[rows, cols]
    np.testing.assert_array_equal(picked.array, [6.0, 6.0, 1.0])
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[1.0, 0.0], [0.0, 0.0], [0.0, 2.0]])
    x.grad = None
    x[x.array > 2.5].sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[0.0, 0.0], [1.0, 1.0], [1.0, 1.0]])
    x.grad = None
    x[1:, ::-1][0].sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0]])


def test_indexing_gives_a_copy_not_a_view():
    x = Tensor([1.0, 2.0, 3.0])
    row = x[:2]
    assert not np.shares_memory(row.array, x.array)
    with no_grad():
        x += 10
    np.testing.assert_array_equal(row.array, [1.0, 2.0])


@pytest.mark.parametrize("op", [lambda x, y: x == y, lambda x, y: x.argmax(), lambda x, y: x != y],
                         ids=["eq", "argmax", "not equal"])
def test_non_differentiable_outputs_have_no_recipe(op):
    x = Tensor([1.0, 3.0, 2.0], requires_grad=True)
    out = op(x, Tensor([1.0, 0.0, 2.0]))
    assert out.recipe is None and not out.requires_grad and out.is_leaf


def test_eq_and_argmax_values():
    x = Tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 7.0]])
    np.testing.assert_array_equal((x == 7.0).array, [[False, False, False], [True, False, True]])
    assert (x == 7.0).dtype == np.bool_
    np.testing.assert_array_equal(x.argmax(dim=1).array, [1, 0])
    np.testing.assert_array_equal(x.argmax(dim=1, keepdim=True).array, [[1], [0]])
    assert x.argmax().item() == 3


def test_sum_dims():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    assert x.sum().shape == ()
    assert x.sum(dim=(0, 2)).shape == (3,)
    assert x.sum(dim=(0, -1), keepdim=True).shape == (1, 3, 1)
    assert x.sum(dim=-2).shape == (2, 4)
    x.sum(dim=(0, -1)).backward(np.array([1.0, 2.0, 3.0]))
    np.testing.assert_array_equal(x.grad.array[1, :, 3], [1.0, 2.0, 3.0])


def test_matmul_shapes():
    a2, b2 = Tensor(np.ones((2, 3)), requires_grad=True), Tensor(np.ones((3, 4)), requires_grad=True)
    v = Tensor(np.ones(3), requires_grad=True)
    batch = Tensor(np.ones((5, 1, 2, 3)), requires_grad=True)
    assert (a2 @ b2).shape == (2, 4)
    assert (v @ v).shape == ()
    assert (a2 @ v).shape == (2,)
    assert (v @ b2).shape == (4,)
    assert (batch @ b2).shape == (5, 1, 2, 4)
    assert (batch @ Tensor(np.ones((7, 3, 4)))).shape == (5, 7, 2, 4)
    (batch @ b2).sum().backward()
    np.testing.assert_array_equal(b2.grad.array, np.full((3, 4), 10.0))


def test_expand_with_minus_one_and_a_clear_error():
    x = Tensor([[1.0], [2.0]], requires_grad=True)
    out = x.expand(3, -1, 4)
    assert out.shape == (3, 2, 4)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[12.0], [12.0]])
    with pytest.raises(ValueError, match="-1 in"):
        x.expand(-1, 2, 4)
    # A size that is not 1 cannot grow: the error names expand and both shapes, not numpy's words.
    with pytest.raises(ValueError, match=r"expand: x has shape \(2, 1\), which cannot be expanded to \(3, 4\)"):
        x.expand(3, 4)


def test_reshape_permute_transpose_accept_both_spellings():
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert x.reshape(3, 2).shape == x.reshape((3, 2)).shape == (3, 2)
    assert x.permute(1, 0).shape == x.permute((1, 0)).shape == (3, 2)
    assert Tensor(np.ones((2, 3, 4))).T.shape == (4, 3, 2)


def test_float32_stays_float32_through_a_network_step():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal((4, 3)).astype(np.float32))
    w = Tensor(rng.standard_normal((3, 2)).astype(np.float32), requires_grad=True)
    b = Tensor(np.zeros(2, np.float32), requires_grad=True)
    loss = ((x @ w + b).relu() ** 2 / 2.0 - 1.0).exp().mean()
    assert loss.dtype == np.float32
    loss.backward()
    assert w.grad.dtype == np.float32 and b.grad.dtype == np.float32


def test_a_float32_leaf_gets_a_float32_grad_even_from_float64_arithmetic():
    x = Tensor(np.array([1.0, 2.0], np.float32), requires_grad=True)
    y = Tensor(np.array([3.0, 4.0]))  # float64, so the product is float64
    (x * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.array, [3.0, 4.0])


def test_registry_holds_every_differentiable_operation():
    for forward, argnums in [
        (np.add, (0, 1)), (np.subtract, (0, 1)), (np.multiply, (0, 1)), (np.true_divide, (0, 1)),
        (np.power, (0, 1)), (np.matmul, (0, 1)), (np.maximum, (0, 1)), (np.negative, (0,)),
        (np.exp, (0,)), (np.log, (0,)), (np.reshape, (0,)), (np.transpose, (0,)), (np.swapaxes, (0,)),
    ]:
        for argnum in argnums:
            assert (forward, argnum) in al.BACK_FUNCS, (forward, argnum)
    assert (np.equal, 0) not in al.BACK_FUNCS


# ---------------------------------------------------------------- PyTorch's answers at the edges (issue 8)
# Each rule checked against hand values (always) and against PyTorch itself where it is installed.


def _torch_gradients(expression, *values):
    """PyTorch's output and gradients of ``expression`` (a function of float64 tensors), or a skip."""
    torch = pytest.importorskip("torch")
    tensors = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    out = expression(*tensors)
    out.sum().backward()
    return out.detach().numpy(), [t.grad.numpy() for t in tensors]


def _engine(expression, *values):
    tensors = [Tensor(np.asarray(v, dtype=float), requires_grad=True) for v in values]
    out = expression(*tensors)
    out.sum().backward()
    return out.array, [t.grad.array for t in tensors]


# A mixed vector of bases and exponents: x = 0 with y = 0, 1, 2, -1, 0.5; x > 0 with y = 0; x < 0.
_POWER_X = [0.0, 0.0, 0.0, 0.0, 0.0, 2.0, -1.0, -2.0, 3.0]
_POWER_Y = [0.0, 1.0, 2.0, -1.0, 0.5, 0.0, 0.5, 2.0, 1.5]
_POWER_DX = [0.0, 1.0, 0.0, -np.inf, np.inf, 0.0, np.nan, -4.0, 1.5 * np.sqrt(3.0)]
_POWER_DY = [0.0, 0.0, 0.0, -np.inf, 0.0, np.log(2.0), np.nan, np.nan, 3.0**1.5 * np.log(3.0)]


def _power(x, y):
    with np.errstate(divide="ignore", invalid="ignore"):  # numpy warns at 0 ** -1 and (-1) ** 0.5
        return x**y


def test_power_at_zero_follows_pytorchs_rules():
    out, (dx, dy) = _engine(_power, _POWER_X, _POWER_Y)
    np.testing.assert_allclose(dx, _POWER_DX)  # nan and inf positions must match too
    np.testing.assert_allclose(dy, _POWER_DY)


def test_power_at_zero_matches_torch():
    expected_out, expected = _torch_gradients(lambda x, y: x**y, _POWER_X, _POWER_Y)
    out, grads = _engine(_power, _POWER_X, _POWER_Y)
    np.testing.assert_allclose(out, expected_out)
    for mine, theirs in zip(grads, expected):
        np.testing.assert_allclose(mine, theirs)


@pytest.mark.parametrize("exponent", [0, 0.0, 2, -1.0, 0.5])
def test_power_by_a_number_at_zero_matches_torch(exponent):
    x = [0.0, 1.0, 2.0]
    _, (expected,) = _torch_gradients(lambda t: t**exponent, x)
    _, (grad,) = _engine(lambda t: _power(t, exponent), x)
    np.testing.assert_allclose(grad, expected)


def test_power_by_zero_has_gradient_zero_everywhere_even_at_zero():
    # x ** 0 is the constant 1: finite differences say 0, also at x = 0 (numpy's 0 ** 0 is 1).
    x = np.array([0.0, -1.5, 2.0])
    _, (grad,) = _engine(lambda t: t**0.0, x)
    with no_grad():
        expected = numerical_gradient(lambda v: (Tensor(v) ** 0.0).array, [x], argnum=0)
    np.testing.assert_array_equal(grad, [0.0, 0.0, 0.0])
    np.testing.assert_allclose(grad, expected)


def test_zero_to_a_positive_power_has_gradient_zero_in_y_as_finite_differences_say():
    # 0 ** y is 0 for every y > 0, so nudging y changes nothing: d/dy = 0.
    y = np.array([0.5, 1.0, 2.0])
    _, (grad,) = _engine(lambda t: al.power(0.0, t), y)
    expected = numerical_gradient(lambda v: np.power(0.0, v), [y], argnum=0)
    np.testing.assert_array_equal(grad, [0.0, 0.0, 0.0])
    np.testing.assert_allclose(grad, expected)


def test_power_float32_stays_float32_at_zero():
    x = Tensor(np.array([0.0, 2.0], np.float32), requires_grad=True)
    y = Tensor(np.array([0.0, 0.0], np.float32), requires_grad=True)
    (x**y).sum().backward()
    assert x.grad.dtype == np.float32 and y.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.array, [0.0, 0.0])


_NAN = np.nan


def test_relu_at_nan_passes_the_gradient_like_pytorch():
    out, (grad,) = _engine(lambda x: x.relu(), [_NAN, -1.0, 0.0, 1.0])
    np.testing.assert_array_equal(out, [_NAN, 0.0, 0.0, 1.0])
    np.testing.assert_array_equal(grad, [1.0, 0.0, 0.0, 1.0])


def test_maximum_at_nan_gives_both_sides_the_whole_gradient_like_pytorch():
    out, (dx, dy) = _engine(lambda x, y: x.maximum(y), [_NAN, 1.0, _NAN, 2.0, 3.0], [1.0, _NAN, _NAN, 2.0, 1.0])
    np.testing.assert_array_equal(out, [_NAN, _NAN, _NAN, 2.0, 3.0])
    np.testing.assert_array_equal(dx, [1.0, 1.0, 1.0, 0.5, 1.0])
    np.testing.assert_array_equal(dy, [1.0, 1.0, 1.0, 0.5, 0.0])


@pytest.mark.parametrize(
    "name, values",
    [("relu", [[_NAN, -1.0, 0.0, 1.0]]), ("maximum", [[_NAN, 1.0, _NAN, 2.0, 3.0], [1.0, _NAN, _NAN, 2.0, 1.0]])],
)
def test_nan_rules_match_torch(name, values):
    torch = pytest.importorskip("torch")
    ours = {"relu": lambda x: x.relu(), "maximum": lambda x, y: x.maximum(y)}[name]
    theirs = {"relu": torch.relu, "maximum": torch.maximum}[name]
    expected_out, expected = _torch_gradients(theirs, *values)
    out, grads = _engine(ours, *values)
    np.testing.assert_array_equal(out, expected_out)
    for mine, their_grad in zip(grads, expected):
        np.testing.assert_array_equal(mine, their_grad)


# Reductions of a 0-d Tensor: PyTorch accepts dim 0 and -1 (a 0-d Tensor counts as having one
# dimension there), reducing nothing; numpy has no axis 0 in a 0-d array.
_ZERO_D_DIMS = [0, -1, (0,), (-1,), [0]]


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("dim", _ZERO_D_DIMS, ids=str)
@pytest.mark.parametrize("op", ["sum", "mean", "max"])
def test_reductions_of_a_0d_tensor_over_dim_0_or_minus_1(op, dim, keepdim):
    x = Tensor(2.5, requires_grad=True)
    out = getattr(x, op)(dim=dim, keepdim=keepdim)
    assert out.shape == () and out.item() == 2.5
    out.backward(np.array(3.0))
    assert x.grad.shape == () and x.grad.item() == 3.0  # d(x)/dx = 1: grad_out passes through
    expected = numerical_gradient(lambda v: getattr(np, op)(v), [np.array(2.5)], argnum=0, grad_out=np.array(3.0))
    np.testing.assert_allclose(x.grad.array, expected)


@pytest.mark.parametrize("dim", [0, -1, (0,)], ids=str)
@pytest.mark.parametrize("op", ["sum", "mean", "max"])
def test_reductions_of_a_0d_tensor_match_torch(op, dim):
    torch = pytest.importorskip("torch")
    theirs = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax}[op]
    expected_out, (expected,) = _torch_gradients(lambda t: theirs(t, dim=dim), 2.5)
    out, (grad,) = _engine(lambda t: getattr(t, op)(dim=dim), 2.5)
    np.testing.assert_array_equal(out, expected_out)
    np.testing.assert_array_equal(grad, expected)


@pytest.mark.parametrize("dim", [1, -2, (0, -1)], ids=str)
@pytest.mark.parametrize("op", ["sum", "mean", "max"])
def test_other_dims_of_a_0d_tensor_are_refused(op, dim):
    with pytest.raises(np.exceptions.AxisError, match="out of bounds for array of dimension 0"):
        getattr(Tensor(2.5, requires_grad=True), op)(dim=dim)


def test_max_over_dim_shares_ties_like_torch_amax_not_torch_max():
    values = [[3.0, 1.0, 3.0, 3.0], [0.0, 2.0, 1.0, 2.0], [5.0, 5.0, 5.0, 5.0]]
    _, (grad,) = _engine(lambda x: x.max(dim=1), values)
    np.testing.assert_allclose(grad, [[1 / 3, 0, 1 / 3, 1 / 3], [0, 0.5, 0, 0.5], [0.25] * 4])
    _, (amax_grad,) = _torch_gradients(lambda t: t.amax(dim=1), values)
    np.testing.assert_allclose(grad, amax_grad)
    _, (max_grad,) = _torch_gradients(lambda t: t.max(dim=1).values, values)
    assert not np.allclose(grad, max_grad)  # torch.max(dim) gives a tie's gradient to one element


@SETTINGS
@given(data=st.data())
def test_max_with_ties_matches_torch_amax_random(data):
    torch = pytest.importorskip("torch")
    shape = data.draw(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), label="shape")
    values = data.draw(hnp.arrays(np.float64, shape, elements=st.integers(0, 2).map(float)), label="x")  # many ties
    dim = data.draw(st.integers(-len(shape), len(shape) - 1), label="dim")
    keepdim = data.draw(st.booleans(), label="keepdim")
    _, (grad,) = _engine(lambda t: t.max(dim=dim, keepdim=keepdim), values)
    _, (expected,) = _torch_gradients(lambda t: t.amax(dim=dim, keepdim=keepdim), values)
    np.testing.assert_allclose(grad, expected)


def test_max_of_a_slice_holding_nan_gives_nan_gradients_like_amax():
    values = [[_NAN, 1.0, 2.0], [3.0, 3.0, 1.0]]
    out, (grad,) = _engine(lambda x: x.max(dim=1), values)
    np.testing.assert_array_equal(out, [_NAN, 3.0])
    np.testing.assert_array_equal(grad, [[_NAN, _NAN, _NAN], [0.5, 0.5, 0.0]])
    _, (expected,) = _torch_gradients(lambda t: t.amax(dim=1), values)
    np.testing.assert_array_equal(grad, expected)


# ---------------------------------------------------------------- contracts pinned by mutation testing (issue 15)


def test_the_gradient_of_a_power_with_base_0_is_0():
    y = Tensor([2.0, 3.0], requires_grad=True)
    (0.0 ** y).sum().backward()
    np.testing.assert_array_equal(y.grad.array, [0.0, 0.0])
    x = Tensor([0.0, 2.0], requires_grad=True)
    y = Tensor([2.0, 2.0], requires_grad=True)
    (x**y).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [0.0, 4.0])
    np.testing.assert_allclose(y.grad.array, [0.0, 4.0 * np.log(2.0)])


def test_power_back1_keeps_float32_with_a_python_float_base():
    y32 = np.array([1.0, 2.0], dtype=np.float32)
    grad = al.power_back1(np.ones(2, dtype=np.float32), 2.0**y32, 2.0, y32)
    assert grad.dtype == np.float32
    np.testing.assert_allclose(grad, [2 * np.log(2.0), 4 * np.log(2.0)], rtol=1e-6)
    y = Tensor(y32, requires_grad=True)
    (2.0**y).sum().backward()
    assert y.grad.dtype == np.float32


def test_backward_through_a_mean_over_an_empty_batch():
    x = Tensor(np.zeros((0, 3)), requires_grad=True)
    x.mean(dim=1).sum().backward()
    assert x.grad.shape == (0, 3)
    x = Tensor(np.ones((2, 0)), requires_grad=True)
    x.sum(dim=1).sum().backward()
    assert x.grad.shape == (2, 0)


def test_mean_back_divides_by_the_number_of_elements_averaged():
    x = np.ones((2, 3, 4))
    np.testing.assert_array_equal(al.mean_back(np.ones((2, 4)), x.mean(axis=1), x, dim=1), np.full(x.shape, 1 / 3))
    np.testing.assert_array_equal(al.mean_back(np.array(1.0), x.mean(), x), np.full(x.shape, 1 / 24))
    np.testing.assert_array_equal(
        al.mean_back(np.ones((2, 1, 1)), x.mean(axis=(1, 2), keepdims=True), x, dim=(1, 2), keepdim=True),
        np.full(x.shape, 1 / 12),
    )


def test_matmul_with_a_list_operand_backpropagates():
    x = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    (x @ [[1.0], [2.0]]).sum().backward()
    np.testing.assert_array_equal(x.grad.array, [[1.0, 2.0], [1.0, 2.0]])
    y = Tensor([[1.0], [2.0]], requires_grad=True)
    ([[1.0, 2.0], [3.0, 4.0]] @ y).sum().backward()
    np.testing.assert_array_equal(y.grad.array, [[4.0], [6.0]])
    v = Tensor([1.0, 2.0], requires_grad=True)
    (v @ [1.0, 3.0]).backward()
    np.testing.assert_array_equal(v.grad.array, [1.0, 3.0])


def test_indexing_back_keeps_float32():
    x = np.arange(3.0, dtype=np.float32)
    grad = al.indexing_back(np.ones(2, dtype=np.float32), x[[0, 0]], x, np.array([0, 0]))
    assert grad.dtype == np.float32
    np.testing.assert_array_equal(grad, [2.0, 0.0, 0.0])
