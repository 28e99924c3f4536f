"""Tests for autograd_lite.broadcasting: unbroadcast is the adjoint of broadcasting."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import unbroadcast
from strategies import SETTINGS, broadcast_pairs, dtypes, float_arrays, invalid_broadcast_pairs

# ---------------------------------------------------------------- unit tests


def test_prepended_and_size_one_dims_are_summed():
    # (3, 1) -> (1, 2, 3, 4): one prepended size-1 dim, one prepended size-2 dim, one stretched dim.
    result = unbroadcast(np.ones((1, 2, 3, 4)), np.zeros((3, 1)))
    np.testing.assert_array_equal(result, np.full((3, 1), 8.0))


def test_values_sum_over_exactly_the_broadcast_axes():
    g = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(g, np.zeros((3, 1))), g.sum(axis=(0, 2))[:, None])
    np.testing.assert_array_equal(unbroadcast(g, np.zeros((3, 4))), g.sum(axis=0))
    np.testing.assert_array_equal(unbroadcast(g, np.zeros((2, 1, 4))), g.sum(axis=1, keepdims=True))
    np.testing.assert_array_equal(unbroadcast(g, np.zeros(())), np.array(g.sum()))


def test_a_leading_size_one_dim_of_original_is_kept():
    # (1, 4) was stretched to (3, 4): the result keeps its leading 1.
    result = unbroadcast(np.array([[1.0, 2.0, 3.0, 4.0]] * 3), np.zeros((1, 4)))
    assert result.shape == (1, 4)
    np.testing.assert_array_equal(result, [[3.0, 6.0, 9.0, 12.0]])


def test_same_shape_is_unchanged():
    g = np.array([[1.0, -2.0], [3.0, 0.5]])
    np.testing.assert_array_equal(unbroadcast(g, np.zeros((2, 2))), g)


def test_size_one_dims_that_were_not_stretched_stay():
    g = np.arange(6.0).reshape(1, 2, 3)
    result = unbroadcast(g, np.zeros((1, 2, 3)))
    np.testing.assert_array_equal(result, g)
    assert unbroadcast(np.ones((2, 1)), np.zeros((1,))).shape == (1,)


def test_original_may_be_a_python_number():
    result = unbroadcast(np.ones((2, 3)), 5.0)
    assert result.shape == ()
    assert result == 6.0


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_of_the_gradient_is_kept(dtype):
    assert unbroadcast(np.ones((2, 3, 4), dtype=dtype), np.zeros((3, 1))).dtype == dtype
    assert unbroadcast(np.ones((2, 3), dtype=dtype), np.zeros((2, 3))).dtype == dtype
    # The original's dtype does not matter: the gradient's does.
    assert unbroadcast(np.ones((2, 3), dtype=dtype), np.zeros(3, dtype=np.float64)).dtype == dtype


@pytest.mark.parametrize(
    "broadcasted, original",
    [((2, 3), (4,)), ((3,), (2, 3)), ((8, 2, 6), (8, 2)), ((4, 3), (4, 1, 3)), ((3, 1), (3, 4))],
)
def test_invalid_pairs_raise_a_value_error_naming_both_shapes(broadcasted, original):
    with pytest.raises(ValueError) as info:
        unbroadcast(np.ones(broadcasted), np.zeros(original))
    assert str(broadcasted) in str(info.value)
    assert str(original) in str(info.value)


def test_curriculum_shape_pairs():
    # The five pairs of chapter 3, checked against numpy's own rules and summed back.
    for left, right, valid in [
        ((3, 1, 5), (1, 4, 5), True),
        ((8, 2, 6), (8, 2), False),
        ((8, 2, 6), (2, 6), True),
        ((10, 20, 30), (20, 1), True),
        ((4, 1), (4,), True),
    ]:
        if not valid:
            with pytest.raises(ValueError):
                np.broadcast_shapes(left, right)
            continue
        shape = np.broadcast_shapes(left, right)
        g = np.ones(shape)
        for side in (left, right):
            result = unbroadcast(g, np.zeros(side))
            assert result.shape == side
            np.testing.assert_array_equal(result, np.full(side, np.prod(shape) / np.prod(side)))


# ------------------------------------------------------------ property tests

TOLERANCE = {np.float32: 1e-4, np.float64: 1e-10}


@SETTINGS
@given(data=st.data(), pair=broadcast_pairs(), x_dtype=dtypes, g_dtype=dtypes)
def test_unbroadcast_is_the_adjoint_of_broadcasting(data, pair, x_dtype, g_dtype):
    """sum(broadcast_to(x, shape) * g) == sum(x * unbroadcast(g, x))."""
    original_shape, shape = pair
    x = data.draw(float_arrays(original_shape, x_dtype), label="x")
    g = data.draw(float_arrays(shape, g_dtype), label="g")

    result = unbroadcast(g, x)

    assert result.shape == x.shape
    assert result.dtype == g.dtype
    # Both sides in float64, so the only error left is unbroadcast's own summation.
    lhs = np.sum(np.broadcast_to(x, shape).astype(np.float64) * g.astype(np.float64))
    rhs = np.sum(x.astype(np.float64) * np.asarray(result, dtype=np.float64))
    scale = np.sum(np.abs(np.broadcast_to(x, shape).astype(np.float64) * g.astype(np.float64)))
    assert abs(lhs - rhs) <= TOLERANCE[g_dtype] * scale + 1e-12


@SETTINGS
@given(pair=broadcast_pairs(min_side=0))
def test_zero_size_dims_follow_numpy(pair):
    original_shape, shape = pair
    result = unbroadcast(np.ones(shape), np.zeros(original_shape))
    assert result.shape == original_shape
    expected = np.prod(shape) // max(np.prod(original_shape), 1) if np.prod(shape) else 0
    np.testing.assert_array_equal(result, np.full(original_shape, float(expected)))


@SETTINGS
@given(pair=invalid_broadcast_pairs())
def test_invalid_shape_pairs_raise_value_error_naming_both_shapes(pair):
    original_shape, shape = pair
    with pytest.raises(ValueError) as info:
        unbroadcast(np.ones(shape), np.zeros(original_shape))
    message = str(info.value)
    assert str(tuple(original_shape)) in message
    assert str(tuple(shape)) in message


# ---------------------------------------------------------------- contracts pinned by mutation testing (issue 15)


def test_unbroadcast_accepts_a_list_and_a_shape_like_original():
    np.testing.assert_array_equal(unbroadcast([[1.0, 2.0], [3.0, 4.0]], np.zeros(2)), [4.0, 6.0])
    np.testing.assert_array_equal(unbroadcast([[1.0, 2.0], [3.0, 4.0]], [[0.0], [0.0]]), [[3.0], [7.0]])


def test_unbroadcast_of_the_same_shape_returns_the_gradient_itself_and_keeps_float32():
    grad = np.ones((2, 3), dtype=np.float32)
    assert unbroadcast(grad, np.zeros((2, 3))) is grad
    assert unbroadcast(grad, np.zeros((1, 3))).dtype == np.float32
    assert unbroadcast(grad, np.zeros(())).shape == ()


def test_unbroadcast_sums_only_stretched_size_1_dimensions():
    grad = np.arange(24.0).reshape(2, 3, 4)
    np.testing.assert_array_equal(unbroadcast(grad, np.zeros((3, 1))), grad.sum(axis=(0, 2)).reshape(3, 1))
    np.testing.assert_array_equal(unbroadcast(grad, np.zeros((1, 3, 4))), grad.sum(axis=0, keepdims=True))
    np.testing.assert_array_equal(unbroadcast(grad, np.zeros((2, 1, 4))), grad.sum(axis=1, keepdims=True))
    # a size-1 dimension that was never stretched: nothing to sum
    np.testing.assert_array_equal(unbroadcast(np.ones((2, 1)), np.zeros((2, 1)).tolist()), np.ones((2, 1)))


def test_unbroadcast_refuses_shapes_that_do_not_fit():
    for grad_shape, original_shape in [((3,), (2, 3)), ((2, 3), (2,)), ((2, 3), (3, 3)), ((4, 3), (2, 1))]:
        with pytest.raises(ValueError, match="cannot be broadcast"):
            unbroadcast(np.ones(grad_shape), np.zeros(original_shape))


def test_unbroadcast_keeps_any_dtype_when_nothing_was_broadcast():
    # An integer gradient summed over no axis would come back int64: nothing to sum means no sum.
    grad = np.ones((2, 3), dtype=np.int8)
    assert unbroadcast(grad, [[0, 0, 0], [0, 0, 0]]).dtype == np.int8
    assert unbroadcast(grad, [[0, 0, 0], [0, 0, 0]]) is grad
