"""Tests for autograd_lite.nn.functional: softmax, log_softmax and cross_entropy.

Values against plain numpy formulas, gradients against central finite
differences (hypothesis varies the shapes), stability on huge logits with
every floating-point warning an error, and the errors for bad input.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor, numerical_gradient
from autograd_lite.nn.functional import cross_entropy, log_softmax, softmax
from strategies import SETTINGS, float_arrays


def numpy_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    exps = np.exp(x - x.max(axis=axis, keepdims=True))
    return exps / exps.sum(axis=axis, keepdims=True)


@st.composite
def logits_and_targets(draw, max_rows: int = 5, max_classes: int = 6):
    n = draw(st.integers(1, max_rows))
    c = draw(st.integers(1, max_classes))
    logits = draw(float_arrays((n, c)))
    targets = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)))
    return logits, targets


@st.composite
def arrays_and_dim(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return draw(float_arrays(shape)), dim


# --------------------------------------------------------------- values


def test_softmax_values():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    out = softmax(Tensor(x), dim=1).array
    np.testing.assert_allclose(out, np.exp(x) / np.exp(x).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(out[1], [1 / 3, 1 / 3, 1 / 3])


def test_log_softmax_is_log_of_softmax():
    x = np.array([[1.0, -2.0, 0.5], [3.0, 3.0, -1.0]])
    np.testing.assert_allclose(log_softmax(Tensor(x), dim=1).array, np.log(numpy_softmax(x, 1)))


@SETTINGS
@given(arrays_and_dim())
def test_softmax_sums_to_one_along_dim(case):
    x, dim = case
    out = softmax(Tensor(x), dim=dim).array
    np.testing.assert_allclose(out.sum(axis=dim), 1.0)
    np.testing.assert_allclose(out, numpy_softmax(x, dim), rtol=1e-12, atol=1e-300)


def test_default_dim_is_the_last():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(softmax(Tensor(x)).array, numpy_softmax(x, -1))
    np.testing.assert_allclose(log_softmax(Tensor(x)).array, np.log(numpy_softmax(x, -1)))


def test_cross_entropy_value_is_mean_negative_log_probability():
    logits = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0], [1.0, 2.0, 3.0]])
    targets = np.array([0, 2, 1])
    expected = -np.mean(np.log(numpy_softmax(logits, 1))[np.arange(3), targets])
    assert cross_entropy(Tensor(logits), targets).item() == pytest.approx(expected, rel=1e-12)


def test_cross_entropy_returns_a_scalar_tensor_with_a_graph():
    logits = Tensor(np.zeros((2, 3)), requires_grad=True)
    loss = cross_entropy(logits, np.array([0, 1]))
    assert loss.shape == () and loss.requires_grad
    assert loss.item() == pytest.approx(np.log(3))


def test_cross_entropy_accepts_lists_and_integer_tensors_as_targets():
    logits = np.array([[1.0, 2.0], [3.0, -1.0]])
    expected = cross_entropy(Tensor(logits), np.array([1, 0])).item()
    assert cross_entropy(Tensor(logits), [1, 0]).item() == expected
    assert cross_entropy(Tensor(logits), Tensor(np.array([1, 0]))).item() == expected
    assert cross_entropy(Tensor(logits), np.array([1, 0], dtype=np.uint8)).item() == expected


def test_cross_entropy_gradient_is_softmax_minus_one_hot_over_n():
    logits = np.array([[2.0, 0.0, -1.0], [0.5, 0.5, 3.0]])
    targets = np.array([0, 2])
    x = Tensor(logits, requires_grad=True)
    cross_entropy(x, targets).backward()
    one_hot = np.eye(3)[targets]
    np.testing.assert_allclose(x.grad.array, (numpy_softmax(logits, 1) - one_hot) / 2)


# --------------------------------------------------------------- gradients


@SETTINGS
@given(arrays_and_dim(), st.integers(0, 2**32 - 1))
def test_softmax_gradient_matches_finite_differences(case, seed):
    x_values, dim = case
    grad_out = np.random.default_rng(seed).normal(size=x_values.shape)
    x = Tensor(x_values, requires_grad=True)
    softmax(x, dim=dim).backward(grad_out)
    expected = numerical_gradient(lambda v: softmax(Tensor(v), dim=dim).array, [x_values], grad_out=grad_out)
    np.testing.assert_allclose(x.grad.array, expected, rtol=1e-5, atol=1e-7)


@SETTINGS
@given(arrays_and_dim(), st.integers(0, 2**32 - 1))
def test_log_softmax_gradient_matches_finite_differences(case, seed):
    x_values, dim = case
    grad_out = np.random.default_rng(seed).normal(size=x_values.shape)
    x = Tensor(x_values, requires_grad=True)
    log_softmax(x, dim=dim).backward(grad_out)
    expected = numerical_gradient(lambda v: log_softmax(Tensor(v), dim=dim).array, [x_values], grad_out=grad_out)
    np.testing.assert_allclose(x.grad.array, expected, rtol=1e-5, atol=1e-6)


@SETTINGS
@given(logits_and_targets())
def test_cross_entropy_gradient_matches_finite_differences(case):
    logits, targets = case
    x = Tensor(logits, requires_grad=True)
    cross_entropy(x, targets).backward()
    expected = numerical_gradient(lambda v: cross_entropy(Tensor(v), targets).array, [logits])
    np.testing.assert_allclose(x.grad.array, expected, rtol=1e-5, atol=1e-7)


def test_cross_entropy_matches_torch_when_available():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    logits, targets = rng.normal(size=(6, 4)) * 3, rng.integers(0, 4, size=6)
    x = Tensor(logits, requires_grad=True)
    loss = cross_entropy(x, targets)
    loss.backward()
    t = torch.tensor(logits, requires_grad=True)
    t_loss = torch.nn.functional.cross_entropy(t, torch.from_numpy(targets))
    t_loss.backward()
    assert loss.item() == pytest.approx(t_loss.item(), rel=1e-12)
    np.testing.assert_allclose(x.grad.array, t.grad.numpy(), rtol=1e-10, atol=1e-15)


# --------------------------------------------------------------- reduction='mean' | 'sum' | 'none' (issue 9)


@SETTINGS
@given(logits_and_targets(), st.sampled_from(["mean", "sum", "none"]), st.integers(0, 2**32 - 1))
def test_cross_entropy_reductions_match_finite_differences(case, reduction, seed):
    logits, targets = case
    x = Tensor(logits, requires_grad=True)
    loss = cross_entropy(x, targets, reduction=reduction)
    grad_out = np.random.default_rng(seed).normal(size=loss.shape)
    loss.backward(grad_out)
    expected = numerical_gradient(
        lambda v: cross_entropy(Tensor(v), targets, reduction=reduction).array, [logits], grad_out=grad_out
    )
    np.testing.assert_allclose(x.grad.array, expected, rtol=1e-5, atol=1e-7)


def test_cross_entropy_reductions_agree_with_each_other():
    rng = np.random.default_rng(3)
    logits, targets = rng.normal(size=(5, 3)), rng.integers(0, 3, size=5)
    each = cross_entropy(Tensor(logits), targets, reduction="none")
    assert each.shape == (5,)
    expected = -np.log(numpy_softmax(logits, axis=1))[np.arange(5), targets]
    np.testing.assert_allclose(each.array, expected, rtol=1e-12)
    assert cross_entropy(Tensor(logits), targets, reduction="sum").item() == pytest.approx(expected.sum(), rel=1e-12)
    assert cross_entropy(Tensor(logits), targets).item() == pytest.approx(expected.mean(), rel=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_reductions_match_torch_when_available(reduction):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    logits, targets = rng.normal(size=(6, 4)) * 3, rng.integers(0, 4, size=6)
    x = Tensor(logits, requires_grad=True)
    loss = cross_entropy(x, targets, reduction=reduction)
    grad_out = rng.normal(size=loss.shape)
    loss.backward(grad_out)
    t = torch.tensor(logits, requires_grad=True)
    t_loss = torch.nn.functional.cross_entropy(t, torch.from_numpy(targets), reduction=reduction)
    t_loss.backward(torch.from_numpy(np.asarray(grad_out)))
    np.testing.assert_allclose(loss.array, t_loss.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(x.grad.array, t.grad.numpy(), rtol=1e-10, atol=1e-15)


def test_cross_entropy_rejects_an_unknown_reduction():
    with pytest.raises(ValueError, match=r"reduction must be one of 'mean', 'sum' or 'none' \(as in PyTorch\), but got 'avg'"):
        cross_entropy(Tensor(np.zeros((2, 3))), np.array([0, 1]), reduction="avg")


def test_cross_entropy_of_an_empty_batch_sums_to_zero_and_has_no_losses():
    logits = Tensor(np.zeros((0, 3)), requires_grad=True)
    assert cross_entropy(logits, np.array([], dtype=int), reduction="sum").item() == 0.0
    assert cross_entropy(logits, np.array([], dtype=int), reduction="none").shape == (0,)


# --------------------------------------------------------------- stability


@pytest.fixture
def strict_floats():
    """Every floating-point problem an error: numpy's (all but underflow to 0) and any Python warning."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        yield


def test_huge_logit_gives_zero_loss_and_finite_gradients(strict_floats):
    logits = Tensor([[1000.0, 0.0, 0.0, 0.0]], requires_grad=True)
    loss = cross_entropy(logits, np.array([0]))
    loss.backward()
    assert np.isfinite(loss.item()) and abs(loss.item()) < 1e-12
    assert np.all(np.isfinite(logits.grad.array))
    np.testing.assert_allclose(logits.grad.array, 0.0, atol=1e-12)


def test_huge_logit_on_the_wrong_class_gives_a_finite_large_loss(strict_floats):
    logits = Tensor([[1000.0, 0.0, 0.0, 0.0], [-1000.0, 0.0, 1000.0, 0.0]], requires_grad=True)
    loss = cross_entropy(logits, np.array([1, 0]))
    loss.backward()
    assert loss.item() == pytest.approx((1000.0 + 2000.0) / 2)
    np.testing.assert_allclose(logits.grad.array, [[0.5, -0.5, 0.0, 0.0], [-0.5, 0.0, 0.5, 0.0]], atol=1e-12)


def test_softmax_and_log_softmax_of_huge_values_are_finite(strict_floats):
    x = Tensor([[1000.0, 0.0], [-1000.0, -1001.0], [710.0, 710.0]])
    np.testing.assert_allclose(softmax(x, dim=1).array, [[1.0, 0.0], numpy_softmax(np.array([0.0, -1.0]), 0), [0.5, 0.5]])
    np.testing.assert_allclose(log_softmax(x, dim=1).array[0], [0.0, -1000.0])


def test_the_strict_fixture_really_catches_overflow(strict_floats):
    """Proof that the stability tests above would fail on a naive formula."""
    with pytest.raises(FloatingPointError):
        np.exp(np.array([1000.0]))


# --------------------------------------------------------------- bad input


def test_targets_out_of_range():
    logits = Tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"targets must be class indices in \[0, 4\) because logits has 4 columns.*targets\[\[1\]\] = \[4\]"):
        cross_entropy(logits, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"targets\[\[0, 2\]\] = \[-1, 7\]"):
        cross_entropy(logits, np.array([-1, 2, 7]))


@pytest.mark.parametrize(
    "targets, dtype",
    [(np.array([0.0, 1.0]), "float64"), (np.array([True, False]), "bool"), (np.array(["a", "b"]), "<U1")],
)
def test_targets_must_be_integers(targets, dtype):
    with pytest.raises(TypeError, match=rf"targets must be integer class indices in \[0, 3\).*dtype {dtype} and shape \(2,\).*np\.asarray\(targets, dtype=int\)"):
        cross_entropy(Tensor(np.zeros((2, 3))), targets)


def test_a_long_list_of_bad_targets_is_cut_short():
    with pytest.raises(ValueError, match=r"targets\[\[0, 1, 2, 3, 4, 5, 6, 7, \.\.\.\]\] = \[9, 9, 9, 9, 9, 9, 9, 9, \.\.\.\]"):
        cross_entropy(Tensor(np.zeros((20, 3))), np.full(20, 9))


def test_targets_must_be_one_dimensional():
    with pytest.raises(ValueError, match=r"targets must have shape \(N,\).*shape \(2, 3\).*np\.argmax\(np\.asarray\(targets\), axis=1\)"):
        cross_entropy(Tensor(np.zeros((2, 3))), np.eye(3, dtype=int)[:2])


def test_batch_sizes_must_match():
    with pytest.raises(ValueError, match=r"logits has 3 rows \(examples\) but targets has 2 entries"):
        cross_entropy(Tensor(np.zeros((3, 4))), np.array([0, 1]))


@pytest.mark.parametrize("shape", [(4,), (2, 3, 4), ()])
def test_logits_must_be_two_dimensional(shape):
    with pytest.raises(ValueError, match=rf"logits must have shape \(N, C\).*shape {__import__('re').escape(str(shape))}.*reshape\(1, -1\)"):
        cross_entropy(Tensor(np.zeros(shape)), np.array([0]))


def test_empty_batch():
    with pytest.raises(ValueError, match=r"the batch is empty"):
        cross_entropy(Tensor(np.zeros((0, 3))), np.array([], dtype=int))


# ---------------------------------------------------------------- saved operands and edges (issue 8)


def test_cross_entropy_targets_changed_after_forward_do_not_change_the_gradient():
    def gradient(targets, change):
        logits = Tensor([[2.0, 0.0], [0.0, 2.0]], requires_grad=True)
        loss = cross_entropy(logits, targets)
        change(targets)
        loss.backward()
        return logits.grad.array

    expected = gradient(np.array([0, 1]), lambda t: None)
    # The reproducer: a numpy array of targets, changed in place after the forward pass.
    np.testing.assert_array_equal(gradient(np.array([0, 1]), lambda t: t.__setitem__(slice(None), [1, 0])), expected)
    # An integer Tensor of targets, changed in place (allowed: it does not require grad).
    np.testing.assert_array_equal(gradient(Tensor([0, 1]), lambda t: t.__setitem__(0, 1)), expected)
    # A list of targets.
    np.testing.assert_array_equal(gradient([0, 1], lambda t: t.reverse()), expected)


@pytest.mark.parametrize("shape, dim", [((3, 0), 1), ((3, 0), -1), ((3, 0), 0), ((0, 4), 0), ((0, 4), 1), ((0,), 0)])
@pytest.mark.parametrize("fn", [softmax, log_softmax])
def test_softmax_over_an_empty_dimension_is_empty(fn, shape, dim, strict_floats):
    x = Tensor(np.zeros(shape), requires_grad=True)
    out = fn(x, dim=dim)
    assert out.shape == shape
    out.sum().backward()
    assert x.grad.shape == shape


@pytest.mark.parametrize("shape, dim", [((3, 0), 1), ((0, 4), 0), ((0,), -1)])
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_over_an_empty_dimension_matches_torch(name, shape, dim):
    torch = pytest.importorskip("torch")
    theirs = getattr(torch, name)(torch.zeros(shape, dtype=torch.float64), dim=dim)
    ours = {"softmax": softmax, "log_softmax": log_softmax}[name](Tensor(np.zeros(shape)), dim=dim)
    assert tuple(theirs.shape) == ours.shape


def test_softmax_of_a_0d_tensor_like_torch():
    x = Tensor(2.0, requires_grad=True)
    assert softmax(x, dim=0).item() == 1.0 and log_softmax(x, dim=-1).item() == 0.0
    log_softmax(x, dim=0).backward()
    assert x.grad.item() == 0.0  # log_softmax of one value is 0 whatever the value


# ---------------------------------------------------------------- contracts pinned by mutation testing (issue 15)


def test_softmax_and_log_softmax_default_to_the_last_dimension_of_a_3d_input():
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    expected = np.exp(x) / np.exp(x).sum(axis=-1, keepdims=True)
    np.testing.assert_allclose(softmax(Tensor(x)).array, expected, rtol=1e-12)
    np.testing.assert_allclose(log_softmax(Tensor(x)).array, np.log(expected), rtol=1e-12)
    np.testing.assert_allclose(softmax(Tensor(x), dim=1).array,
                               np.exp(x) / np.exp(x).sum(axis=1, keepdims=True), rtol=1e-12)


def test_softmax_and_log_softmax_accept_a_plain_array():
    x = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    assert isinstance(softmax(x), Tensor) and isinstance(log_softmax(x), Tensor)
    np.testing.assert_allclose(softmax(x).array, softmax(Tensor(x)).array)
    np.testing.assert_allclose(log_softmax(x).array, log_softmax(Tensor(x)).array)
    np.testing.assert_allclose(softmax(x).array[1], [1 / 3] * 3)


def test_softmax_of_large_logits_does_not_overflow():
    x = Tensor(np.array([[1000.0, 1000.0], [-1000.0, 0.0]]), requires_grad=True)
    np.testing.assert_allclose(softmax(x).array, [[0.5, 0.5], [0.0, 1.0]])
    np.testing.assert_allclose(log_softmax(x).array, [[-np.log(2), -np.log(2)], [-1000.0, 0.0]])


def test_a_list_of_eight_bad_targets_is_shown_whole():
    with pytest.raises(ValueError, match=r"targets\[\[0, 1, 2, 3, 4, 5, 6, 7\]\] = \[9, 9, 9, 9, 9, 9, 9, 9\]\."):
        cross_entropy(Tensor(np.zeros((8, 3))), np.full(8, 9))


def test_cross_entropy_accepts_plain_array_logits_and_unsigned_targets():
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    loss = cross_entropy(logits, np.array([0, 2], dtype=np.uint8))
    assert isinstance(loss, Tensor) and loss.shape == ()
    expected = -np.mean([2.0 - np.log(np.exp(2.0) + 2.0), -np.log(3.0)])
    np.testing.assert_allclose(loss.item(), expected)
    np.testing.assert_allclose(cross_entropy(logits.tolist(), [0, 2]).item(), expected)  # lists too


# ---------------------------------------------------------------- error messages that work for every accepted input


AS_INTEGERS = "np.asarray(targets, dtype=int)"
FROM_ONE_HOT = "np.argmax(np.asarray(targets), axis=1)"
FLATTENED = "np.asarray(targets).reshape(-1)"
TARGET_FORMS = {"list": lambda a: a.tolist(), "array": lambda a: a, "Tensor": Tensor}


@pytest.mark.parametrize("form", TARGET_FORMS)
@pytest.mark.parametrize(
    "bad, error, fix",
    [
        (np.array([0.0, 2.0]), TypeError, AS_INTEGERS),  # whole numbers stored as floats
        (np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]), TypeError, FROM_ONE_HOT),  # float one-hot rows
        (np.array([[1, 0, 0], [0, 0, 1]]), ValueError, FROM_ONE_HOT),  # integer one-hot rows
        (np.array([[0], [2]]), ValueError, FLATTENED),  # a column of class indices
    ],
    ids=["floats", "float-one-hot", "int-one-hot", "column"],
)
def test_the_conversion_a_targets_error_suggests_works_for_a_list_an_array_and_a_tensor(bad, error, fix, form):
    logits = Tensor([[2.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    targets = TARGET_FORMS[form](bad)
    with pytest.raises(error) as caught:
        cross_entropy(logits, targets)
    message = str(caught.value)
    assert f"shape {bad.shape}" in message
    assert fix in message
    fixed = eval(fix, {"np": np, "targets": targets})  # the line a learner would copy
    assert cross_entropy(logits, fixed).item() == cross_entropy(logits, np.array([0, 2])).item()


@pytest.mark.parametrize(
    "empty", [[], np.array([]), np.array([], dtype=int), np.array([], dtype=bool), Tensor(np.zeros(0))],
    ids=["list", "float-array", "int-array", "bool-array", "Tensor"],
)
def test_an_empty_batch_takes_empty_targets_of_any_dtype(empty):
    logits = Tensor(np.zeros((0, 3)), requires_grad=True)
    total = cross_entropy(logits, empty, reduction="sum")
    assert total.item() == 0.0
    total.backward()
    assert logits.grad.shape == (0, 3)
    assert cross_entropy(logits, empty, reduction="none").shape == (0,)
    with pytest.raises(ValueError, match=r"the batch is empty .* reduction='sum' for 0"):
        cross_entropy(logits, empty)  # 'mean'


def test_empty_targets_for_a_batch_that_is_not_empty_are_still_refused():
    with pytest.raises(ValueError, match=r"logits has 2 rows \(examples\) but targets has 0 entries"):
        cross_entropy(Tensor(np.zeros((2, 3))), [], reduction="sum")


def test_torch_returns_nan_for_the_mean_of_an_empty_batch_that_the_library_refuses():
    torch = pytest.importorskip("torch")
    empty = torch.zeros((0, 3), dtype=torch.float64)
    assert torch.isnan(torch.nn.functional.cross_entropy(empty, torch.zeros(0, dtype=torch.long)))
    assert torch.nn.functional.cross_entropy(empty, torch.zeros(0, dtype=torch.long), reduction="sum").item() == 0.0


@pytest.mark.parametrize("fn", [softmax, log_softmax])
@pytest.mark.parametrize(
    "shape, dim, allowed", [((2, 3), 2, "-2 to 1"), ((2, 3), -3, "-2 to 1"), ((4,), 1, "-1 to 0"), ((), -2, "-1 to 0")]
)
def test_softmax_dim_out_of_range_names_dim_and_the_shape(fn, shape, dim, allowed):
    with pytest.raises(IndexError) as caught:
        fn(Tensor(np.zeros(shape)), dim=dim)
    message = str(caught.value)
    assert message.startswith(f"{fn.__name__}: dim={dim} is out of range for x of shape {shape}")
    assert f"dim must be from {allowed}" in message


@pytest.mark.parametrize("fn", [softmax, log_softmax])
@pytest.mark.parametrize("dim", [1.0, None, True])
def test_softmax_dim_must_be_an_integer(fn, dim):
    with pytest.raises(TypeError, match=rf"{fn.__name__}: dim must be an integer.*got {dim!r}\. For x of shape \(2, 3\), pass an integer from -2 to 1"):
        fn(Tensor(np.zeros((2, 3))), dim=dim)


def test_torch_raises_index_error_for_an_out_of_range_dim_too():
    torch = pytest.importorskip("torch")
    for dim in (2, -3):
        with pytest.raises(IndexError, match="Dimension out of range"):
            torch.softmax(torch.zeros((2, 3)), dim=dim)
