"""Tests for autograd_lite.checks.nn: each check passes the library, fails each plausible wrong answer.

For every check: the library's own code passes and prints exactly one line;
the exercise's stub gives the book's NotImplementedError message; each wrong
answer a learner plausibly writes raises an AssertionError that shows the
inputs, the expected and the actual result; other correct answers pass too.
"""

from __future__ import annotations

import numpy as np
import pytest

import autograd_lite.checks as checks_package
from autograd_lite import Tensor, no_grad
from autograd_lite.checks.nn import check_cross_entropy, check_linear, check_sgd_step
from autograd_lite.nn import Linear, Module, Parameter
from autograd_lite.nn.functional import cross_entropy
from autograd_lite.optim import SGD, Optimizer


def test_checks_are_importable_from_the_checks_package():
    for name in ("check_linear", "check_cross_entropy", "check_sgd_step"):
        assert getattr(checks_package, name) is getattr(__import__("autograd_lite.checks.nn", fromlist=[name]), name)


@pytest.mark.parametrize(
    "check, correct",
    [(check_linear, Linear), (check_cross_entropy, cross_entropy), (check_sgd_step, SGD)],
    ids=["linear", "cross_entropy", "sgd_step"],
)
def test_the_library_passes_and_prints_one_line(check, correct, capsys):
    assert check(correct) is None
    assert capsys.readouterr().out == f"{check.__name__}: all tests passed\n"


# ------------------------------------------------------------------ stubs


class StubLinear(Module):
    def __init__(self, in_features, out_features, bias=True, rng=None):
        super().__init__()
        raise NotImplementedError


class HalfLinear(Linear):
    """__init__ done, forward still the stub."""

    def forward(self, x):
        raise NotImplementedError


def stub_cross_entropy(logits, targets):
    raise NotImplementedError


class StubSGD(Optimizer):
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params)
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay

    def step(self):
        raise NotImplementedError


@pytest.mark.parametrize(
    "check, stub, name",
    [
        (check_linear, StubLinear, "StubLinear"),
        (check_linear, HalfLinear, "HalfLinear.forward"),
        (check_cross_entropy, stub_cross_entropy, "stub_cross_entropy"),
        (check_sgd_step, StubSGD, "StubSGD.step"),
    ],
)
def test_a_stub_gets_the_not_implemented_message(check, stub, name):
    with pytest.raises(NotImplementedError) as info:
        check(stub)
    check_name = check.__name__
    assert str(info.value) == (
        f"{check_name}: {name} is not implemented yet. Fill in its body, then run {check_name} again."
    )
    assert info.value.__suppress_context__


def test_a_module_with_no_forward_counts_as_a_stub():
    class NoForward(Linear):
        forward = Module.forward

    with pytest.raises(NotImplementedError, match=r"check_linear: NoForward.forward is not implemented yet"):
        check_linear(NoForward)


# ------------------------------------------------------------------ Linear: wrong answers


def uniform_parameter(rng, bound, shape):
    return Parameter(np.random.default_rng(rng).uniform(-bound, bound, size=shape))


class LinearBase(Module):
    """A correct layer whose pieces the wrong answers below override one at a time."""

    def __init__(self, in_features, out_features, bias=True, rng=None):
        super().__init__()
        rng = np.random.default_rng(rng)
        self.in_features, self.out_features = in_features, out_features
        bound = self.bound(in_features, out_features)
        self.weight = Parameter(rng.uniform(-bound, bound, size=self.weight_shape(in_features, out_features)))
        self.bias = Parameter(self.bias_values(rng, bound, out_features)) if bias else None

    def bound(self, in_features, out_features):
        return 1 / np.sqrt(in_features)

    def weight_shape(self, in_features, out_features):
        return (out_features, in_features)

    def bias_values(self, rng, bound, out_features):
        return rng.uniform(-bound, bound, size=out_features)

    def forward(self, x):
        out = x @ self.weight.T
        return out if self.bias is None else out + self.bias


class ForgetsBias(LinearBase):
    def forward(self, x):
        return x @ self.weight.T


class NotTransposed(LinearBase):
    def forward(self, x):
        out = x @ self.weight
        return out if self.bias is None else out + self.bias


class WeightInOut(LinearBase):
    def weight_shape(self, in_features, out_features):
        return (in_features, out_features)

    def forward(self, x):
        out = x @ self.weight
        return out if self.bias is None else out + self.bias


class BoundOverIn(LinearBase):
    def bound(self, in_features, out_features):
        return 1 / in_features


class BoundOne(LinearBase):
    def bound(self, in_features, out_features):
        return 1.0


class XavierBound(LinearBase):
    def bound(self, in_features, out_features):
        return np.sqrt(6 / (in_features + out_features))


class ZeroBias(LinearBase):
    def bias_values(self, rng, bound, out_features):
        return np.zeros(out_features)


class NormalInit(LinearBase):
    def __init__(self, in_features, out_features, bias=True, rng=None):
        Module.__init__(self)
        rng = np.random.default_rng(rng)
        self.in_features, self.out_features = in_features, out_features
        scale = 1 / np.sqrt(3 * in_features)  # the right standard deviation, the wrong shape
        self.weight = Parameter(rng.normal(0, scale, size=(out_features, in_features)))
        self.bias = Parameter(rng.normal(0, scale, size=out_features)) if bias else None


class IgnoresRng(LinearBase):
    def __init__(self, in_features, out_features, bias=True, rng=None):
        super().__init__(in_features, out_features, bias, rng=None)


class BiasFirst(LinearBase):
    def __init__(self, in_features, out_features, bias=True, rng=None):
        Module.__init__(self)
        rng = np.random.default_rng(rng)
        bound = 1 / np.sqrt(in_features)
        weight = rng.uniform(-bound, bound, size=(out_features, in_features))
        self.bias = Parameter(rng.uniform(-bound, bound, size=out_features)) if bias else None
        self.weight = Parameter(weight)


class IgnoresBiasFalse(LinearBase):
    def __init__(self, in_features, out_features, bias=True, rng=None):
        super().__init__(in_features, out_features, True, rng)


class ForwardOnArrays(LinearBase):
    def forward(self, x):
        return Tensor(x.array @ self.weight.array.T + self.bias.array)


class OffsetGradient(LinearBase):
    """Right values, wrong graph: the bias enters twice and is taken away once as a constant."""

    def forward(self, x):
        return x @ self.weight.T + self.bias * 2 - self.bias.array


@pytest.mark.parametrize(
    "wrong, message",
    [
        (ForgetsBias, r"wrong output for .*hint: the output is x @ weight.T without the bias"),
        (NotTransposed, r"wrong output for .*hint: the weight has shape \(out_features, in_features\): multiply by its transpose"),
        (WeightInOut, r"wrong shape of layer.weight.*expected: \(3, 4\)|wrong shape of layer.weight.*expected: \(2, 4\)"),
        (BoundOverIn, r"wrong initial weight .*the values stay well inside \[-b, b\]"),
        (BoundOne, r"wrong initial weight .*some values lie outside \[-b, b\]"),
        (XavierBound, r"wrong initial weight .*outside \[-b, b\]"),
        (ZeroBias, r"wrong initial bias .*the values stay well inside"),
        (NormalInit, r"wrong initial weight .*outside \[-b, b\]"),
        (IgnoresRng, r"different weights from the same seed.*hint: draw the weights from the rng argument"),
        (BiasFirst, r"wrong parameters\(\).*expected: \[layer.weight, layer.bias\]"),
        (IgnoresBiasFalse, r"wrong layer without bias.*with bias=False, set self.bias = None"),
        (ForwardOnArrays, r"no graph behind the output"),
        (OffsetGradient, r"wrong gradient for layer.bias.*expected.*actual"),
    ],
)
def test_check_linear_fails_on_wrong_layers(wrong, message):
    with pytest.raises(AssertionError, match="(?s)" + message) as info:
        check_linear(wrong)
    assert str(info.value).startswith("check_linear: ")


def test_check_linear_shows_inputs_expected_and_actual():
    with pytest.raises(AssertionError) as info:
        check_linear(ForgetsBias)
    text = str(info.value)
    assert text.startswith("check_linear: wrong output for ForgetsBias(3, 3, rng=np.random.default_rng(6))(x) with x of shape (2, 3)")
    for label in ("  x (shape (2, 3), float64): ", "  layer.weight (shape (3, 3)", "  layer.bias (shape (3,)",
                  "  expected (shape (2, 3)", "  actual (shape (2, 3)"):
        assert label in text


def test_check_linear_reports_a_plain_tensor_weight_through_the_module():
    class PlainTensor(LinearBase):
        def __init__(self, in_features, out_features, bias=True, rng=None):
            Module.__init__(self)
            self.weight = Tensor(np.zeros((out_features, in_features)), requires_grad=True)

    with pytest.raises(TypeError, match=r"a plain Tensor with requires_grad=True is not registered") as info:
        check_linear(PlainTensor)
    assert any("check_linear: raised by PlainTensor(3, 3, rng=" in note for note in info.value.__notes__)


def test_check_linear_requires_a_module():
    class NotAModule:
        def __init__(self, in_features, out_features, bias=True, rng=None):
            pass

    with pytest.raises(AssertionError, match=r"(?s)not a Module.*write class Linear\(Module\)"):
        check_linear(NotAModule)


def test_check_linear_passes_other_correct_layers(capsys):
    class ThroughMatmulOfTranspose(LinearBase):
        def forward(self, x):
            out = (self.weight @ x.T).T
            return out if self.bias is None else self.bias + out

    check_linear(ThroughMatmulOfTranspose)
    assert capsys.readouterr().out == "check_linear: all tests passed\n"


# ------------------------------------------------------------------ cross_entropy: wrong answers


def naive_cross_entropy(logits, targets):
    probs = logits.exp() / logits.exp().sum(dim=1, keepdim=True)
    return -probs.log()[np.arange(len(targets)), targets].mean()


def softmax_then_log(logits, targets):
    """Stable softmax, but the log of a probability that can underflow to 0."""
    exps = (logits - logits.array.max(axis=1, keepdims=True)).exp()
    probs = exps / exps.sum(dim=1, keepdim=True)
    return -probs.log()[np.arange(len(targets)), targets].mean()


def log_probs(logits):
    shifted = logits - logits.array.max(axis=1, keepdims=True)
    return shifted - shifted.exp().sum(dim=1, keepdim=True).log()


def summed(logits, targets):
    return -log_probs(logits)[np.arange(len(targets)), targets].sum()


def wrong_sign(logits, targets):
    return log_probs(logits)[np.arange(len(targets)), targets].mean()


def on_arrays(logits, targets):
    x = logits.array
    shifted = x - x.max(axis=1, keepdims=True)
    values = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return Tensor(-values[np.arange(len(targets)), targets].mean())


def per_example(logits, targets):
    return -log_probs(logits)[np.arange(len(targets)), targets]


def python_float(logits, targets):
    return -log_probs(logits)[np.arange(len(targets)), targets].mean().item()


def wrong_gradient(logits, targets):
    """Right values, but the shift is taken through a constant copy of the whole logsumexp."""
    shifted = logits - logits.array.max(axis=1, keepdims=True)
    normaliser = np.log(np.exp(shifted.array).sum(axis=1, keepdims=True))
    return -(shifted - normaliser)[np.arange(len(targets)), targets].mean()


@pytest.mark.parametrize(
    "wrong, message",
    [
        (naive_cross_entropy, r"floating-point overflow .*logits \(shape \(1, 4\).*subtract each row's own maximum"),
        (softmax_then_log, r"floating-point divide by zero.*compute log_softmax directly"),
        (summed, r"wrong loss .*expected: 1\.47.*actual: 5\.91.*hint: the loss is the mean over the batch, not the sum"),
        (wrong_sign, r"wrong loss .*hint: the loss is minus the log-probability"),
        (on_arrays, r"no graph behind the loss"),
        (per_example, r"wrong result .*expected: a one-element Tensor.*actual: a Tensor of shape \(4,\)"),
        (python_float, r"wrong result .*expected: a one-element Tensor.*actual: 1\.47"),
        (wrong_gradient, r"wrong gradient for logits .*expected.*actual"),
    ],
)
def test_check_cross_entropy_fails_on_wrong_losses(wrong, message):
    with pytest.raises(AssertionError, match="(?s)" + message) as info:
        check_cross_entropy(wrong)
    assert str(info.value).startswith("check_cross_entropy: ")


def test_check_cross_entropy_passes_other_correct_losses(capsys):
    def through_engine_max(logits, targets):
        # Differentiating through max is fine too: its gradient cancels.
        shifted = logits - logits.max(dim=1, keepdim=True)
        log_p = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
        return -(log_p[np.arange(len(targets)), targets].sum() / len(targets))

    def with_one_hot(logits, targets):
        one_hot = np.eye(logits.shape[1])[targets]
        return -(log_probs(logits) * one_hot).sum() / len(targets)

    check_cross_entropy(through_engine_max)
    check_cross_entropy(with_one_hot)
    assert capsys.readouterr().out == "check_cross_entropy: all tests passed\n" * 2


# ------------------------------------------------------------------ SGD.step: wrong answers


class SGDBase(Optimizer):
    def __init__(self, params, lr, momentum=0.0, weight_decay=0.0):
        super().__init__(params)
        self.lr, self.momentum, self.weight_decay = lr, momentum, weight_decay

    def direction(self, p):
        g = p.grad.array + self.weight_decay * p.array
        if self.momentum:
            state = self.state.setdefault(p, {})
            if "buffer" in state:
                g = self.momentum * state["buffer"] + g
            state["buffer"] = g
        return g

    def step(self):
        with no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                p -= self.lr * self.direction(p)


class DampenedMomentum(SGDBase):
    def direction(self, p):
        g = p.grad.array + self.weight_decay * p.array
        if self.momentum:
            state = self.state.setdefault(p, {})
            state["buffer"] = self.momentum * state.get("buffer", 0) + (1 - self.momentum) * g
            g = state["buffer"]
        return g


class ForgetsBuffer(SGDBase):
    def direction(self, p):
        g = p.grad.array + self.weight_decay * p.array
        if self.momentum:
            buffer = g  # a fresh buffer every step: plain SGD
            g = buffer
        return g


class SharedBuffer(SGDBase):
    def direction(self, p):
        g = p.grad.array + self.weight_decay * p.array
        if self.momentum:
            if hasattr(self, "buffer"):
                g = self.momentum * self.buffer + g
            self.buffer = g
        return g


class MomentumOnOldBuffer(SGDBase):
    """Steps with the previous buffer plus the gradient, then updates the buffer."""

    def direction(self, p):
        g = p.grad.array + self.weight_decay * p.array
        if self.momentum:
            state = self.state.setdefault(p, {})
            old = state.get("buffer", np.zeros_like(g))
            state["buffer"] = self.momentum * old + g
            g = g + old
        return g


class DecaySign(SGDBase):
    def direction(self, p):
        self.weight_decay = -self.weight_decay
        try:
            return super().direction(p)
        finally:
            self.weight_decay = -self.weight_decay


class DecayOmitted(SGDBase):
    def direction(self, p):
        decay, self.weight_decay = self.weight_decay, 0.0
        try:
            return super().direction(p)
        finally:
            self.weight_decay = decay


class UpdatesWithoutGrad(SGDBase):
    def step(self):
        with no_grad():
            for p in self.params:
                if p.grad is None:
                    p.grad = Tensor(np.zeros_like(p.array))  # "no gradient means a zero gradient"
                p -= self.lr * self.direction(p)


class RebindsLocalName(SGDBase):
    def step(self):
        with no_grad():
            for p in self.params:
                if p.grad is None:
                    continue
                p = p - self.lr * self.direction(p)  # noqa: F841


class ReplacesArray(SGDBase):
    def step(self):
        for p in self.params:
            if p.grad is None:
                continue
            p.array = p.array - self.lr * self.direction(p)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (DampenedMomentum, r"wrong value of p0 .*momentum=0.9.*hint: keep one momentum buffer per parameter"),
        (ForgetsBuffer, r"wrong value of p0 .*momentum=0.9.*step\(\) number 2"),
        (SharedBuffer, r"wrong value of p1 .*momentum=0.9"),
        (MomentumOnOldBuffer, r"wrong value of p0 .*momentum=0.9.*step\(\) number 2"),
        (DecaySign, r"wrong value of p0 .*weight_decay=0.1.*hint: weight decay adds weight_decay \* p"),
        (DecayOmitted, r"wrong value of p0 .*weight_decay=0.1.*hint: weight decay adds"),
        (UpdatesWithoutGrad, r"wrong value of p1 .*p1.grad: None.*hint: p1.grad is None at this step: skip"),
        (RebindsLocalName, r"wrong value of p0 .*hint: p0 did not change: update it in place"),
        (ReplacesArray, r"p0 changed without its version counter.*param -= update"),
    ],
)
def test_check_sgd_step_fails_on_wrong_steps(wrong, message):
    with pytest.raises(AssertionError, match="(?s)" + message) as info:
        check_sgd_step(wrong)
    assert str(info.value).startswith("check_sgd_step: ")


def test_check_sgd_step_shows_the_parameter_gradient_expected_and_actual():
    with pytest.raises(AssertionError) as info:
        check_sgd_step(DecaySign)
    text = str(info.value)
    assert text.startswith(
        "check_sgd_step: wrong value of p0 for DecaySign([p0, p1], lr=0.5, momentum=0.0, weight_decay=0.1), "
        "then step() number 1"
    )
    for label in ("  p0 before the step (shape (2, 3)", "  p0.grad (shape (2, 3)", "  expected (shape (2, 3)",
                  "  actual (shape (2, 3)"):
        assert label in text


def test_check_sgd_step_lets_the_engine_explain_a_step_outside_no_grad():
    class NoNoGrad(SGDBase):
        def step(self):
            for p in self.params:
                if p.grad is not None:
                    p -= self.lr * self.direction(p)

    with pytest.raises(RuntimeError, match=r"no_grad") as info:
        check_sgd_step(NoNoGrad)
    assert any("check_sgd_step: raised by NoNoGrad([p0, p1]" in note for note in info.value.__notes__)


def test_check_sgd_step_passes_other_correct_steps(capsys):
    class WithTensors(SGDBase):
        """Builds the update from Tensors under no_grad instead of arrays."""

        def step(self):
            with no_grad():
                for p in self.params:
                    if p.grad is None:
                        continue
                    g = p.grad + p * self.weight_decay
                    if self.momentum:
                        state = self.state.setdefault(p, {})
                        if "buffer" in state:
                            g = state["buffer"] * self.momentum + g
                        state["buffer"] = g
                    p -= g * self.lr

    check_sgd_step(SGDBase)
    check_sgd_step(WithTensors)
    assert capsys.readouterr().out == "check_sgd_step: all tests passed\n" * 2


# ------------------------------------------- mutants of the book's solutions (issue 15)

@pytest.mark.parametrize("seed", range(25))
def test_the_library_passes_over_many_seeds(seed, capsys):
    check_linear(Linear, seed=seed)
    check_cross_entropy(cross_entropy, seed=seed)
    assert capsys.readouterr().out.count("all tests passed") == 2


@pytest.mark.parametrize("seed", range(25))
def test_the_books_solutions_pass_over_many_seeds(seed, capsys):
    book_solution = pytest.importorskip("book_solutions", reason="the book's pages and scripts/mutate.py are not here (the wheel test runs these tests alone)").book_solution
    check_linear(book_solution("10-", "Linear"), seed=seed)
    check_cross_entropy(book_solution("10-", "cross_entropy"), seed=seed)
    assert capsys.readouterr().out.count("all tests passed") == 2


class TakesOnlyAGenerator(LinearBase):
    """The book's solution without `rng = np.random.default_rng(rng)`: an int seed or None breaks it."""

    def __init__(self, in_features, out_features, bias=True, rng=None):
        Module.__init__(self)
        bound = 1 / np.sqrt(in_features)
        self.in_features, self.out_features = in_features, out_features
        self.weight = Parameter(rng.uniform(-bound, bound, size=(out_features, in_features)))
        self.bias = Parameter(rng.uniform(-bound, bound, size=out_features)) if bias else None


class SeedsItsOwnWay(LinearBase):
    """Takes an int seed, but not as np.random.default_rng(seed) would."""

    def __init__(self, in_features, out_features, bias=True, rng=None):
        if isinstance(rng, int):
            rng = np.random.default_rng(rng + 1)
        super().__init__(in_features, out_features, bias, rng)


class ForgetsTheSizes(LinearBase):
    """The book's solution without `self.in_features, self.out_features = ...`."""

    def __init__(self, in_features, out_features, bias=True, rng=None):
        super().__init__(in_features, out_features, bias, rng)
        del self.in_features, self.out_features


class SwapsTheSizes(LinearBase):
    def __init__(self, in_features, out_features, bias=True, rng=None):
        super().__init__(in_features, out_features, bias, rng)
        self.in_features, self.out_features = out_features, in_features


def test_linear_base_keeps_the_sizes():
    layer = LinearBase(4, 2, rng=0)
    assert (layer.in_features, layer.out_features) == (4, 2)


@pytest.mark.parametrize(
    "wrong, message",
    [
        (TakesOnlyAGenerator, r"^check_linear: TakesOnlyAGenerator\(3, 2, rng=5\) raised AttributeError: "
         r"'int' object has no attribute 'uniform'\n  hint: rng may be a Generator, an int seed or None.*"
         r"rng = np\.random\.default_rng\(rng\)"),
        (SeedsItsOwnWay, r"^check_linear: different weights from the seed 5 and from np.random.default_rng\(5\) "
         r"for SeedsItsOwnWay\(3, 2, rng=5\).*hint: .*np\.random\.default_rng\(rng\)"),
        (ForgetsTheSizes, r"^check_linear: wrong layer.in_features for ForgetsTheSizes\(3, 3, rng=.*\n  expected: 3\n"
         r"  actual: None\n  hint: keep the sizes as attributes, as PyTorch's Linear does: "
         r"self.in_features, self.out_features = in_features, out_features"),
        (SwapsTheSizes, r"^check_linear: wrong layer.in_features for SwapsTheSizes\(4, 2, rng=.*expected: 4\n  actual: 2"),
    ],
)
def test_check_linear_rejects_the_mutants_of_the_books_solution(wrong, message):
    with pytest.raises(AssertionError, match="(?s)" + message):
        check_linear(wrong)


def cross_entropy_batch_maximum(logits, targets):
    """The book's solution without `axis=1`: one maximum for the whole batch."""
    shifted = logits - logits.array.max(keepdims=True)
    log_p = shifted - shifted.exp().sum(dim=1, keepdim=True).log()
    return -log_p[np.arange(len(targets)), targets].mean()


@pytest.mark.parametrize("seed", range(5))
def test_check_cross_entropy_rejects_one_maximum_for_the_whole_batch(seed):
    with pytest.raises(AssertionError) as info:
        check_cross_entropy(cross_entropy_batch_maximum, seed=seed)
    message = str(info.value)
    assert message.startswith("check_cross_entropy: floating-point divide by zero encountered in log for "
                              "cross_entropy_batch_maximum(logits of shape (3, 3), targets = [1, 0, 2])")
    assert "subtract each row's own maximum before exp (m = logits.array.max(axis=1, keepdims=True)" in message


def test_check_cross_entropy_draws_rows_far_apart():
    """The random cases alone catch the batch maximum too, for most seeds."""
    caught = 0
    for seed in range(20):
        run_cases = []
        original = check_cross_entropy.__globals__["_check_cross_entropy_case"]
        check_cross_entropy.__globals__["_check_cross_entropy_case"] = (
            lambda run, fn, logits, targets: run_cases.append(logits)
        )
        try:
            check_cross_entropy(cross_entropy, seed=seed)
        finally:
            check_cross_entropy.__globals__["_check_cross_entropy_case"] = original
        random_cases = run_cases[6:]
        caught += any(np.ptp(logits.max(axis=1)) > 1000 for logits in random_cases)
    assert caught >= 10


# ------------------------------------------------- wrong answers a reviewer found accepted


class TwoGeneratorsFromOneSeed(Module):
    """default_rng(rng) called twice: with an int seed the bias repeats the weight's first values."""

    def __init__(self, in_features, out_features, bias=True, rng=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        b = 1 / np.sqrt(in_features)
        self.weight = Parameter(np.random.default_rng(rng).uniform(-b, b, size=(out_features, in_features)))
        self.bias = Parameter(np.random.default_rng(rng).uniform(-b, b, size=out_features)) if bias else None

    def forward(self, x):
        out = x @ self.weight.T
        return out + self.bias if self.bias is not None else out


class BiasCopiedFromTheWeight(TwoGeneratorsFromOneSeed):
    def __init__(self, in_features, out_features, bias=True, rng=None):
        super().__init__(in_features, out_features, bias, rng)
        if bias:
            self.bias = Parameter(self.weight.array[:, 0].copy())


class NoneIsSeedZero(TwoGeneratorsFromOneSeed):
    """rng=None read as the seed 0: every unseeded layer is the same."""

    def __init__(self, in_features, out_features, bias=True, rng=None):
        Module.__init__(self)
        self.in_features, self.out_features = in_features, out_features
        rng = np.random.default_rng(0 if rng is None else rng)
        b = 1 / np.sqrt(in_features)
        self.weight = Parameter(rng.uniform(-b, b, size=(out_features, in_features)))
        self.bias = Parameter(rng.uniform(-b, b, size=out_features)) if bias else None


@pytest.mark.parametrize("wrong, message", [
    (TwoGeneratorsFromOneSeed, "different biases from the seed 5"),
    (BiasCopiedFromTheWeight, "a bias value copied from the weight"),
    (NoneIsSeedZero, "the same weights every time with rng=None"),
], ids=lambda value: getattr(value, "__name__", "message"))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_check_linear_rejects_seed_mistakes_on_every_seed(wrong, message, seed):
    with pytest.raises(AssertionError, match=message):
        check_linear(wrong, seed=seed)


class LrInTheBuffer(SGDBase):
    """The buffer holds lr * g, and the step subtracts it: right only while lr never changes."""

    def direction(self, p):
        g = self.lr * (p.grad.array + self.weight_decay * p.array)
        if self.momentum:
            state = self.state.setdefault(p, {})
            if "buffer" in state:
                g = self.momentum * state["buffer"] + g
            state["buffer"] = g
        return g

    def step(self):
        with no_grad():
            for p in self.params:
                if p.grad is not None:
                    p -= self.direction(p)  # lr is inside already


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_check_sgd_step_rejects_lr_folded_into_the_buffer(seed):
    with pytest.raises(AssertionError, match=r"lr set to 0\.05 after step 2"):
        check_sgd_step(LrInTheBuffer, seed=seed)
