"""Tests for autograd_lite.backward: every backward function agrees with central finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import exp_back, gradient_check, log_back, multiply_back0, multiply_back1
from strategies import SETTINGS, float_arrays, mutually_broadcastable, shapes

# Finite differences sum f(x) * grad_out over every element, so the rounding of
# that sum sets the floor: 1e-6 absolute is well above it for these sizes.
RTOL, ATOL = 1e-5, 1e-6

# ---------------------------------------------------------------- unit tests


def test_log_back_divides_grad_out_by_x():
    x = np.array([0.5, 2.0, 4.0])
    grad_out = np.array([1.0, 3.0, -2.0])
    np.testing.assert_allclose(log_back(grad_out, np.log(x), x), [2.0, 1.5, -0.5])


def test_exp_back_uses_out():
    x = np.array([0.0, 1.0])
    np.testing.assert_allclose(exp_back(np.array([2.0, 2.0]), np.exp(x), x), [2.0, 2.0 * np.e])
    # exp_back reads the derivative from out, not from x: a different out gives a different answer.
    np.testing.assert_array_equal(exp_back(np.ones(2), np.array([5.0, 7.0]), x), [5.0, 7.0])


def test_multiply_back_same_shapes():
    x, y = np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0])
    grad_out = np.array([1.0, -1.0, 2.0])
    np.testing.assert_array_equal(multiply_back0(grad_out, x * y, x, y), [4.0, -5.0, 12.0])
    np.testing.assert_array_equal(multiply_back1(grad_out, x * y, x, y), [1.0, -2.0, 6.0])


def test_multiply_back_sums_over_broadcast_dims():
    x = np.array([1.0, 2.0])  # (2,) broadcast to (3, 2)
    y = np.array([[1.0], [2.0], [3.0]])  # (3, 1) broadcast to (3, 2)
    grad_out = np.ones((3, 2))
    np.testing.assert_array_equal(multiply_back0(grad_out, x * y, x, y), [6.0, 6.0])
    np.testing.assert_array_equal(multiply_back1(grad_out, x * y, x, y), [[3.0], [3.0], [3.0]])


def test_multiply_back_with_a_python_float():
    x = np.array([1.0, 2.0, 3.0])
    grad_out = np.array([1.0, 2.0, 3.0])
    back0 = multiply_back0(grad_out, x * 2.5, x, 2.5)
    back1 = multiply_back1(grad_out, 2.5 * x, 2.5, x)
    for result in (back0, back1):
        assert isinstance(result, np.ndarray) and result.shape == (3,)
        np.testing.assert_array_equal(result, [2.5, 5.0, 7.5])
    # The gradient for the number itself is a 0-d array: the sum of grad_out * x.
    for_number = multiply_back1(grad_out, x * 2.5, x, 2.5)
    assert np.shape(for_number) == ()
    assert for_number == 14.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    x = np.array([0.5, 2.0], dtype=dtype)
    g = np.array([1.0, -1.0], dtype=dtype)
    assert log_back(g, np.log(x), x).dtype == dtype
    assert exp_back(g, np.exp(x), x).dtype == dtype
    assert multiply_back0(g, x * x, x, x).dtype == dtype
    # A Python float keeps float32 arrays float32 (numpy 2's promotion rules).
    assert multiply_back0(g, x * 2.5, x, 2.5).dtype == dtype
    assert multiply_back1(g, 2.5 * x, 2.5, x).dtype == dtype
    y = np.ones((3, 2), dtype=dtype)
    assert multiply_back0(np.ones((3, 2), dtype=dtype), x * y, x, y).dtype == dtype


# ------------------------------------------------------ finite differences


@pytest.mark.parametrize(
    "x_shape, y_shape",
    [((3,), (2, 3)), ((2, 3), (3,)), ((2, 1, 4), (3, 1)), ((3, 1), (2, 1, 4)), ((4, 1), (4,)), ((), (2, 2))],
)
def test_multiply_back_with_broadcasting_both_ways_round(x_shape, y_shape):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=x_shape), rng.normal(size=y_shape)
    grad_out = rng.normal(size=np.broadcast_shapes(x_shape, y_shape))
    gradient_check(np.multiply, multiply_back0, [x, y], argnum=0, grad_out=grad_out, rtol=RTOL, atol=ATOL)
    gradient_check(np.multiply, multiply_back1, [x, y], argnum=1, grad_out=grad_out, rtol=RTOL, atol=ATOL)


small_shapes = shapes(max_dims=3, max_side=3)


@SETTINGS
@given(data=st.data(), shape=small_shapes)
def test_log_back_matches_finite_differences(data, shape):
    x = data.draw(float_arrays(shape, min_value=0.2, max_value=5.0), label="x")
    grad_out = data.draw(float_arrays(shape, min_value=-2.0, max_value=2.0), label="grad_out")
    gradient_check(np.log, log_back, [x], grad_out=grad_out, rtol=RTOL, atol=ATOL)


@SETTINGS
@given(data=st.data(), shape=small_shapes)
def test_exp_back_matches_finite_differences(data, shape):
    x = data.draw(float_arrays(shape, min_value=-3.0, max_value=3.0), label="x")
    grad_out = data.draw(float_arrays(shape, min_value=-2.0, max_value=2.0), label="grad_out")
    gradient_check(np.exp, exp_back, [x], grad_out=grad_out, rtol=RTOL, atol=ATOL)


@SETTINGS
@given(data=st.data(), broadcast=mutually_broadcastable(2))
def test_multiply_back_matches_finite_differences_with_broadcasting(data, broadcast):
    """Both arguments may be broadcast, each way round: (3,) * (2, 3), (2, 1) * (3,), ..."""
    x_shape, y_shape = broadcast.input_shapes
    x = data.draw(float_arrays(x_shape, min_value=-3.0, max_value=3.0), label="x")
    y = data.draw(float_arrays(y_shape, min_value=-3.0, max_value=3.0), label="y")
    grad_out = data.draw(float_arrays(broadcast.result_shape, min_value=-2.0, max_value=2.0), label="grad_out")
    gradient_check(np.multiply, multiply_back0, [x, y], argnum=0, grad_out=grad_out, rtol=RTOL, atol=ATOL)
    gradient_check(np.multiply, multiply_back1, [x, y], argnum=1, grad_out=grad_out, rtol=RTOL, atol=ATOL)
    assert multiply_back0(grad_out, x * y, x, y).shape == x_shape
    assert multiply_back1(grad_out, x * y, x, y).shape == y_shape


@SETTINGS
@given(
    data=st.data(),
    shape=small_shapes,
    number=st.floats(-3.0, 3.0, allow_nan=False),
)
def test_multiply_back_with_a_python_float_matches_finite_differences(data, shape, number):
    array = data.draw(float_arrays(shape, min_value=-3.0, max_value=3.0), label="array")
    grad_out = data.draw(float_arrays(shape, min_value=-2.0, max_value=2.0), label="grad_out")
    # The number as the other argument, on either side.
    gradient_check(np.multiply, multiply_back0, [array, number], argnum=0, grad_out=grad_out, rtol=RTOL, atol=ATOL)
    gradient_check(np.multiply, multiply_back1, [number, array], argnum=1, grad_out=grad_out, rtol=RTOL, atol=ATOL)
    # And the gradient for the number itself.
    gradient_check(np.multiply, multiply_back1, [array, number], argnum=1, grad_out=grad_out, rtol=RTOL, atol=ATOL)
    gradient_check(np.multiply, multiply_back0, [number, array], argnum=0, grad_out=grad_out, rtol=RTOL, atol=ATOL)
