"""Tests for autograd_lite.by_hand: forward_and_back against calculus and finite differences."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import forward_and_back, numerical_gradient
from strategies import SETTINGS, float_arrays, mutually_broadcastable


def g_of(a, b, c):
    """The forward pass of forward_and_back: d = a*b, e = log(c), f = d*e, g = log(f)."""
    return np.log(a * b * np.log(c))


def test_matches_the_closed_form():
    # g = log(a) + log(b) + log(log(c)), so dg/da = 1/a, dg/db = 1/b, dg/dc = 1/(c log c).
    a, b, c = np.array([2.0, 0.5]), np.array([3.0, 4.0]), np.array([np.e, 10.0])
    dg_da, dg_db, dg_dc = forward_and_back(a, b, c)
    np.testing.assert_allclose(dg_da, 1 / a)
    np.testing.assert_allclose(dg_db, 1 / b)
    np.testing.assert_allclose(dg_dc, [1 / np.e, 1 / (10.0 * np.log(10.0))])


def test_broadcast_inputs_get_gradients_of_their_own_shape():
    # a (2, 3), b (3,), c (2, 1): b is used twice along axis 0, c three times along axis 1.
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = np.array([0.5, 1.0, 2.0])
    c = np.array([[2.0], [3.0]])
    dg_da, dg_db, dg_dc = forward_and_back(a, b, c)
    assert (dg_da.shape, dg_db.shape, dg_dc.shape) == ((2, 3), (3,), (2, 1))
    np.testing.assert_allclose(dg_da, 1 / a)
    np.testing.assert_allclose(dg_db, 2 / b)
    np.testing.assert_allclose(dg_dc, 3 / (c * np.log(c)))


def test_a_and_b_are_not_swapped():
    dg_da, dg_db, _ = forward_and_back(np.array([2.0]), np.array([3.0]), np.array([10.0]))
    np.testing.assert_allclose(dg_da, [0.5])
    np.testing.assert_allclose(dg_db, [1 / 3])


@SETTINGS
@given(data=st.data(), broadcast=mutually_broadcastable(3))
def test_matches_finite_differences_of_g_sum(data, broadcast):
    """Random positive inputs (c > 1 so that log(c) > 0), broadcast shapes included."""
    a_shape, b_shape, c_shape = broadcast.input_shapes
    a = data.draw(float_arrays(a_shape, min_value=0.3, max_value=3.0), label="a")
    b = data.draw(float_arrays(b_shape, min_value=0.3, max_value=3.0), label="b")
    c = data.draw(float_arrays(c_shape, min_value=1.5, max_value=6.0), label="c")
    gradients = forward_and_back(a, b, c)
    assert len(gradients) == 3
    for argnum, (gradient, original) in enumerate(zip(gradients, (a, b, c))):
        assert gradient.shape == original.shape
        expected = numerical_gradient(g_of, [a, b, c], argnum=argnum)
        np.testing.assert_allclose(gradient, expected, rtol=1e-5, atol=1e-6)
