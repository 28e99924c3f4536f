"""Tests for autograd_lite.numerical: finite differences match known derivatives, and the check bites."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import gradient_check, log_back, multiply_back0, numerical_gradient
from autograd_lite.broadcasting import unbroadcast
from strategies import SETTINGS, float_arrays, shapes

# ------------------------------------------------------- numerical_gradient


@pytest.mark.parametrize(
    "f, derivative",
    [
        (np.sin, np.cos),
        (np.exp, np.exp),
        (lambda x: x**3, lambda x: 3 * x**2),
        (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    ],
    ids=["sin", "exp", "cube", "tanh"],
)
def test_known_derivatives(f, derivative):
    x = np.array([-1.5, -0.3, 0.0, 0.7, 2.0])
    np.testing.assert_allclose(numerical_gradient(f, [x]), derivative(x), rtol=1e-7, atol=1e-8)


def test_log():
    np.testing.assert_allclose(numerical_gradient(np.log, [np.array([2.0, 4.0])]), [0.5, 0.25], rtol=1e-8)


def test_argnum_picks_the_input():
    x, y = np.array([1.0, 2.0]), np.array([3.0, -4.0])
    np.testing.assert_allclose(numerical_gradient(np.multiply, [x, y], argnum=0), y, rtol=1e-8)
    np.testing.assert_allclose(numerical_gradient(np.multiply, [x, y], argnum=1), x, rtol=1e-8)


def test_grad_out_weights_the_outputs():
    x = np.array([0.0, 1.0, 2.0])
    grad_out = np.array([2.0, -1.0, 0.5])
    np.testing.assert_allclose(numerical_gradient(np.exp, [x], grad_out=grad_out), grad_out * np.exp(x), rtol=1e-7)


def test_scalar_output():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(numerical_gradient(lambda x: np.sum(x**2), [x]), 2 * x, rtol=1e-7)


def test_broadcast_input_gets_a_gradient_of_its_own_shape():
    x, y = np.array([1.0, 2.0, 3.0]), np.ones((4, 3))
    gradient = numerical_gradient(np.multiply, [x, y], argnum=0)
    assert gradient.shape == (3,)
    np.testing.assert_allclose(gradient, [4.0, 4.0, 4.0], rtol=1e-8)


def test_a_python_number_input_gets_a_0d_gradient():
    gradient = numerical_gradient(np.multiply, [np.array([1.0, 2.0]), 3.0], argnum=1)
    assert gradient.shape == ()
    np.testing.assert_allclose(gradient, 3.0, rtol=1e-8)


def test_inputs_are_not_modified_and_float32_is_computed_in_float64():
    x = np.array([0.5, 1.5], dtype=np.float32)
    before = x.copy()
    gradient = numerical_gradient(np.log, [x])
    np.testing.assert_array_equal(x, before)
    assert gradient.dtype == np.float64
    np.testing.assert_allclose(gradient, 1 / before.astype(np.float64), rtol=1e-7)


@SETTINGS
@given(data=st.data(), shape=shapes(max_dims=3, max_side=3))
def test_polynomial_gradients(data, shape):
    # d/dx sum(grad_out * (x^2 - 3x)) = grad_out * (2x - 3), exact up to rounding for a quadratic.
    x = data.draw(float_arrays(shape, min_value=-5, max_value=5), label="x")
    grad_out = data.draw(float_arrays(shape, min_value=-2, max_value=2), label="grad_out")
    gradient = numerical_gradient(lambda x: x**2 - 3 * x, [x], grad_out=grad_out)
    np.testing.assert_allclose(gradient, grad_out * (2 * x - 3), rtol=1e-6, atol=1e-6)


# ----------------------------------------------------------- gradient_check


def test_gradient_check_passes_on_the_right_backward():
    assert gradient_check(np.log, log_back, [np.array([0.5, 2.0, 3.0])]) is None
    x, y = np.array([1.0, 2.0]), np.array([[3.0, 4.0], [5.0, 6.0]])
    assert gradient_check(np.multiply, multiply_back0, [x, y], argnum=0) is None


@pytest.mark.parametrize(
    "backward",
    [
        lambda grad_out, out, x: grad_out * x,
        lambda grad_out, out, x: grad_out / out,
        lambda grad_out, out, x: 1 / x,
    ],
    ids=["times x", "divides by out", "ignores grad_out"],
)
def test_gradient_check_raises_on_a_wrong_backward(backward):
    x = np.array([0.5, 2.0, 3.0])
    with pytest.raises(AssertionError, match="disagrees with finite differences"):
        gradient_check(np.log, backward, [x], grad_out=np.array([1.0, -2.0, 0.5]))


def test_gradient_check_reports_a_wrong_shape():
    x, y = np.array([1.0, 2.0]), np.ones((3, 2))

    def multiply_back0_without_unbroadcast(grad_out, out, x, y):
        return grad_out * y

    with pytest.raises(AssertionError, match=r"shapes:\s+expected \(2,\), got \(3, 2\)"):
        gradient_check(np.multiply, multiply_back0_without_unbroadcast, [x, y], argnum=0)
    # And the same rule with unbroadcast passes.
    gradient_check(np.multiply, lambda g, out, x, y: unbroadcast(g * y, x), [x, y], argnum=0)


def test_gradient_check_uses_argnum():
    x, y = np.array([1.0, 2.0]), np.array([3.0, 5.0])
    # The gradient for x is right, but it is checked against argument 1: it must fail.
    with pytest.raises(AssertionError, match="argument 1"):
        gradient_check(np.multiply, multiply_back0, [x, y], argnum=1)


def test_numerical_gradient_of_a_non_contiguous_input():
    """A transposed (Fortran-ordered) input is nudged too, not silently left at zero gradient."""
    x = np.arange(1.0, 7.0).reshape(2, 3).T
    assert not x.flags.c_contiguous
    np.testing.assert_allclose(numerical_gradient(lambda v: v**2, [x]), 2 * x, rtol=1e-6)
