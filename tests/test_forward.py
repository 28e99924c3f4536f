"""Tests for autograd_lite.forward: dual numbers, the tangent rules and jvp (chapter 11).

Every operation's tangent is checked against a central finite difference along
a random direction, on the engine's own test cases (tests/engine_cases.py:
broadcast shapes, reductions over any dims, 1-D and batched matmul, indexing),
in float64 and float32; then against backprop through the identity
v . (J u) = (v^T J) . u; then the table itself and the errors.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_lite.backward as backward
import autograd_lite.forward as forward
import autograd_lite.functions as functions
from autograd_lite import BACK_FUNCS, Tensor, no_grad
from autograd_lite.forward import TANGENT_RULES, Dual, jvp
from engine_cases import CASES
from strategies import DTYPES, SETTINGS, arrays_of

# As tests/test_functions.py: finite differences in float64 are good to about 1e-8; float32
# rounds at about 1e-7 relative per operation.
TOLERANCE = {np.float64: dict(rtol=1e-5, atol=1e-5), np.float32: dict(rtol=2e-3, atol=2e-3)}


def _plain(case, params):
    def f(*arrays):  # the function on float64 arrays, no graph
        with no_grad():
            return case.engine(*[Tensor(a) for a in arrays], **params).array

    return f


def _draw_directions(data, arrays, dtype):
    return tuple(
        data.draw(arrays_of(a.shape, dtype, min_value=-1.0, max_value=1.0), label=f"u{i}") for i, a in enumerate(arrays)
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("case", CASES, ids=str)
@settings(SETTINGS, max_examples=25)
@given(data=st.data())
def test_tangent_matches_finite_differences(case, dtype, data):
    arrays, params = case.draw(data, dtype)
    directions = _draw_directions(data, arrays, dtype)
    value, tangent = jvp(lambda *xs: case.engine(*xs, **params), tuple(arrays), directions)

    f = _plain(case, params)
    np.testing.assert_array_equal(value, f(*arrays), err_msg="jvp's value is not f(x)")
    assert tangent.shape == value.shape
    assert tangent.dtype == dtype, f"the tangent of a {np.dtype(dtype)} computation must stay {np.dtype(dtype)}"
    # The directional derivative along u, by central differences in float64.
    x64 = [a.astype(np.float64) for a in arrays]
    u64 = [u.astype(np.float64) for u in directions]
    h = 1e-6
    plus = f(*[x + h * u for x, u in zip(x64, u64)])
    minus = f(*[x - h * u for x, u in zip(x64, u64)])
    np.testing.assert_allclose(tangent, (plus - minus) / (2 * h), **TOLERANCE[dtype])


@pytest.mark.parametrize("case", CASES, ids=str)
@settings(SETTINGS, max_examples=15)
@given(data=st.data())
def test_forward_and_reverse_mode_agree(case, data):
    """v . (J u) from one forward pass equals (v^T J) . u from one backward pass."""
    arrays, params = case.draw(data, np.float64)
    directions = _draw_directions(data, arrays, np.float64)
    _, tangent = jvp(lambda *xs: case.engine(*xs, **params), tuple(arrays), directions)
    v = data.draw(arrays_of(tangent.shape, np.float64, min_value=-1.0, max_value=1.0), label="v")

    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    case.engine(*tensors, **params).backward(v)
    v_j_u = sum(float(np.sum(t.grad.array * u)) for t, u in zip(tensors, directions))
    assert np.isclose(float(np.sum(v * tangent)), v_j_u, rtol=1e-9, atol=1e-9)


# Points where a formula alone gives 0 * inf or nan, and the library's backward functions take
# PyTorch's rules: forward mode must use the same partial derivatives there.
EDGE_POINTS = {
    "power": (lambda x, y: x ** y,
              np.array([0.0, 0.0, 0.0, 0.0, -2.0, 2.0, 0.0]), np.array([0.5, 2.0, 0.0, -1.0, 2.0, 0.0, 1.0])),
    "maximum": (lambda x, y: x.maximum(y),
                np.array([np.nan, 1.0, 2.0, 3.0, np.nan]), np.array([1.0, np.nan, 2.0, 1.0, np.nan])),
    "relu": (lambda x, y: x.relu() + y,
             np.array([np.nan, 1.0, -1.0, 0.0]), np.array([1.0, 1.0, 1.0, 1.0])),
}


@pytest.mark.parametrize("name", EDGE_POINTS)
@pytest.mark.parametrize("along", ["x", "y", "both"])
def test_at_edge_points_the_tangent_uses_the_backward_functions_derivatives(name, along):
    """Elementwise, J is diagonal: the tangent is dx * dout/dx + dy * dout/dy with the derivatives
    backprop gives (end_grad ones), a zero direction adding nothing, not 0 * inf = nan."""
    f, x, y = EDGE_POINTS[name]
    dx = np.ones_like(x) if along in ("x", "both") else np.zeros_like(x)
    dy = np.full_like(y, 2.0) if along in ("y", "both") else np.zeros_like(y)
    with np.errstate(all="ignore"):
        _, tangent = jvp(f, (x, y), (dx, dy))
        xt, yt = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
        f(xt, yt).backward(np.ones_like(x))
        expected = (np.where(dx == 0, 0, dx * xt.grad.array) + np.where(dy == 0, 0, dy * yt.grad.array))
    np.testing.assert_array_equal(tangent, expected)


def test_power_at_a_zero_base_and_relu_at_nan_as_the_book_says():
    with np.errstate(all="ignore"):
        _, tangent = jvp(lambda y: 0.0 ** y, np.array([0.5, 2.0, 0.0]), np.ones(3))
    np.testing.assert_array_equal(tangent, [0.0, 0.0, 0.0])  # it was [nan, 0, nan]
    _, tangent = jvp(lambda x: x.relu(), np.array([np.nan, 1.0, -1.0]), np.ones(3))
    np.testing.assert_array_equal(tangent, [1.0, 1.0, 0.0])  # nan lets the tangent through, as relu_back


def test_broadcasting_needs_no_unbroadcast():
    """A tangent of x's shape broadcasts forward with x: the output's tangent has the output's shape."""
    x, b = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.array([0.5, -1.0, 2.0])
    value, tangent = jvp(lambda x, b: x * b, (x, b), (np.zeros_like(x), np.ones_like(b)))
    assert tangent.shape == (2, 3)
    np.testing.assert_array_equal(tangent, x)  # d(x * b)/db along ones: x, on both rows


def test_constants_have_zero_tangent():
    w = np.array([[1.0, 2.0], [3.0, 4.0]])
    value, tangent = jvp(lambda x: (x @ w) * 2.0 + Tensor([1.0, 1.0]), np.array([1.0, 0.0]), np.array([0.0, 1.0]))
    np.testing.assert_array_equal(value, [3.0, 5.0])
    np.testing.assert_array_equal(tangent, [6.0, 8.0])


def test_numpy_scalar_on_the_left_is_recorded():
    value, tangent = jvp(lambda x: np.float64(3.0) * x, np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    np.testing.assert_array_equal(tangent, [3.0, 3.0])


def test_power_with_a_constant_exponent_of_a_negative_base_is_finite():
    value, tangent = jvp(lambda x: x**2, np.array([-2.0, 0.0, 3.0]), np.ones(3))
    np.testing.assert_array_equal(tangent, [-4.0, 0.0, 6.0])


def test_max_splits_a_tie_like_max_back():
    _, tangent = jvp(lambda x: x.max(), np.array([1.0, 3.0, 3.0]), np.array([0.0, 1.0, 3.0]))
    assert tangent == 2.0  # the mean of the tied elements' tangents


# ---------------------------------------------------------------- the table


def _operations():
    """(name, operation) for every differentiable operation of autograd_lite.functions."""
    return [(name, getattr(functions, name)) for name in functions.__all__ if name not in ("eq", "argmax")]


def test_every_differentiable_operation_has_a_tangent_rule():
    for name, operation in _operations():
        assert operation.numpy_func in TANGENT_RULES, name


def test_tangent_rules_mirror_the_backward_functions_names_and_order():
    rules = [name for name in forward.__all__ if name.endswith("_tangent")]
    backs = [name.rsplit("_back", 1)[0] for name in backward.__all__]
    operations = list(dict.fromkeys(backs))  # multiply_back0, multiply_back1 -> multiply, once
    assert [name.removesuffix("_tangent") for name in rules] == operations


def test_each_rule_is_registered_with_its_number_of_tangents():
    for name, operation in _operations():
        rule, n_tangents = TANGENT_RULES[operation.numpy_func]
        registered = sum((operation.numpy_func, argnum) in BACK_FUNCS for argnum in range(3))
        assert n_tangents == registered, name
        assert rule.__name__ == f"{name}_tangent"


# ---------------------------------------------------------------- errors


def test_dual_refuses_a_tangent_of_another_shape():
    with pytest.raises(ValueError, match=r"tangent has shape \(2,\) but the value has shape \(3,\)"):
        Dual(np.zeros(3), np.zeros(2))


def test_jvp_refuses_a_direction_of_another_shape():
    with pytest.raises(ValueError, match=r"direction for input 0 has shape \(2,\).*input has shape \(3,\)"):
        jvp(lambda x: x * 2, np.zeros(3), np.zeros(2))


def test_jvp_refuses_one_direction_too_few():
    with pytest.raises(ValueError, match="2 inputs but 1 directions"):
        jvp(lambda x, y: x * y, (np.ones(2), np.ones(2)), (np.ones(2),))


def test_jvp_says_when_f_leaves_the_library():
    with pytest.raises(TypeError, match="write f with the library's operators"):
        jvp(lambda x: np.float64(1.0), np.ones(2), np.ones(2))


def test_a_missing_rule_is_named():
    dual_sin = forward.wrap_tangent_fn(np.sin)
    with pytest.raises(KeyError, match=r"no tangent rule is registered for sin"):
        dual_sin(Dual(np.zeros(2), np.ones(2)))


def test_a_rule_of_the_wrong_shape_is_named():
    def bad_rule(dx, out, x):
        return dx.sum()

    forward.add_tangent_rule(np.sin, bad_rule)
    try:
        with pytest.raises(ValueError, match=r"bad_rule returned shape \(\), but the output has shape \(2,\)"):
            forward.wrap_tangent_fn(np.sin)(Dual(np.zeros(2), np.ones(2)))
    finally:
        del TANGENT_RULES[np.sin]


def test_jvp_of_a_python_float_computes_in_float64():
    """NEP 50 would make result_type(0.1, float32) float32: a Python number is float64 here."""
    value, tangent = jvp(lambda x: x * x, 0.1, 1.0)
    assert value.dtype == tangent.dtype == np.float64
    assert float(tangent) == 0.2
    value, tangent = jvp(lambda x: x * x, np.float32(0.1), np.float32(1.0))
    assert tangent.dtype == np.float32  # a float32 input stays float32


def test_jvp_refuses_a_list_with_a_message():
    with pytest.raises(TypeError, match=r"jvp: input 0 is a list; pass an array"):
        jvp(lambda x: x * x, [1.0, 2.0], [1.0, 0.0])
