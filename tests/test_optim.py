"""Tests for autograd_lite.optim: SGD and Adam against their update equations on known numbers.

The expected values are worked out by hand from PyTorch's equations (written
out step by step below), and, where torch is importable, compared with
torch.optim on the same numbers as an extra check.  Also: updates happen in
place under no_grad and are counted in the parameter's version, parameters
with no gradient are skipped, and bad arguments give clear errors.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_lite import Tensor, is_grad_enabled
from autograd_lite.nn import Linear, Parameter
from autograd_lite.optim import SGD, Adam, Optimizer


def set_grads(params, grads):
    for param, grad in zip(params, grads):
        param.grad = None if grad is None else Tensor(np.asarray(grad, dtype=float))


def run(optimizer, params, grads_per_step):
    """Step with the given gradients; return each parameter's values after each step."""
    history = []
    for grads in grads_per_step:
        set_grads(params, grads)
        optimizer.step()
        history.append([p.array.copy() for p in params])
    return history


# --------------------------------------------------------------- SGD on known numbers


def test_sgd_plain_step():
    w = Parameter([1.0, 2.0])
    [[after]] = run(SGD([w], lr=0.1), [w], [[[0.5, -1.0]]])
    np.testing.assert_allclose(after, [0.95, 2.1])  # w - 0.1 * g


def test_sgd_momentum_three_steps():
    w = Parameter([1.0, -1.0])
    history = run(SGD([w], lr=0.1, momentum=0.5), [w], [[[1.0, 2.0]], [[1.0, 2.0]], [[-1.0, 0.0]]])
    # step 1: b = g = [1, 2];                         w = [1, -1] - 0.1 [1, 2]          = [0.9, -1.2]
    # step 2: b = 0.5 [1, 2] + [1, 2] = [1.5, 3];     w = [0.9, -1.2] - 0.1 [1.5, 3]    = [0.75, -1.5]
    # step 3: b = 0.5 [1.5, 3] + [-1, 0] = [-0.25, 1.5]; w = [0.75, -1.5] - 0.1 [-0.25, 1.5] = [0.775, -1.65]
    np.testing.assert_allclose([h[0] for h in history], [[0.9, -1.2], [0.75, -1.5], [0.775, -1.65]])


def test_sgd_weight_decay_adds_lambda_p_to_the_gradient():
    w = Parameter([2.0, -4.0])
    [[after]] = run(SGD([w], lr=0.5, weight_decay=0.1), [w], [[[0.0, 1.0]]])
    # g = [0, 1] + 0.1 [2, -4] = [0.2, 0.6];  w = [2, -4] - 0.5 [0.2, 0.6] = [1.9, -4.3]
    np.testing.assert_allclose(after, [1.9, -4.3])


def test_sgd_momentum_and_weight_decay_together():
    w = Parameter([1.0])
    history = run(SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5), [w], [[[1.0]], [[1.0]]])
    # step 1: g = 1 + 0.5 * 1 = 1.5;       b = 1.5;                      w = 1 - 0.15 = 0.85
    # step 2: g = 1 + 0.5 * 0.85 = 1.425;  b = 0.9 * 1.5 + 1.425 = 2.775; w = 0.85 - 0.2775 = 0.5725
    np.testing.assert_allclose([h[0] for h in history], [[0.85], [0.5725]])


def test_sgd_keeps_one_momentum_buffer_per_parameter():
    a, b = Parameter([0.0]), Parameter([0.0])
    optimizer = SGD([a, b], lr=1.0, momentum=0.5)
    history = run(optimizer, [a, b], [[[1.0], [10.0]], [[1.0], [10.0]]])
    # a: b = 1 then 1.5 -> a = -1, -2.5;   b: buffer 10 then 15 -> b = -10, -25
    np.testing.assert_allclose([h[0] for h in history], [[-1.0], [-2.5]])
    np.testing.assert_allclose([h[1] for h in history], [[-10.0], [-25.0]])
    np.testing.assert_allclose(optimizer.state[a]["momentum_buffer"], [1.5])
    np.testing.assert_allclose(optimizer.state[b]["momentum_buffer"], [15.0])


def test_sgd_skips_parameters_without_gradient():
    a, b = Parameter([1.0]), Parameter([2.0])
    optimizer = SGD([a, b], lr=0.1, momentum=0.9, weight_decay=0.5)
    run(optimizer, [a, b], [[[1.0], None]])
    assert b.array.tolist() == [2.0] and b.version == 0 and b not in optimizer.state
    # b has a momentum buffer after a real step, and still must not move when its grad is None.
    run(optimizer, [a, b], [[[1.0], [1.0]], [[1.0], None]])
    assert b.array.tolist() == pytest.approx([2.0 - 0.1 * (1.0 + 0.5 * 2.0)])


def test_sgd_without_momentum_keeps_no_state():
    w = Parameter([1.0])
    optimizer = SGD([w], lr=0.1)
    run(optimizer, [w], [[[1.0]]])
    assert optimizer.state == {}


# --------------------------------------------------------------- Adam on known numbers


def test_adam_two_steps_by_hand():
    w = Parameter([1.0, -2.0])
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-8
    optimizer = Adam([w], lr=lr, betas=(beta1, beta2), eps=eps)
    g1, g2 = np.array([0.5, -2.0]), np.array([0.5, 1.0])
    history = run(optimizer, [w], [[g1], [g2]])

    # step 1: m = 0.1 g1 = [0.05, -0.2]; v = 0.001 g1^2 = [0.00025, 0.004]
    #         m_hat = m / 0.1 = g1; v_hat = v / 0.001 = g1^2; so the step is lr * sign(g1) (up to eps)
    m1, v1 = np.array([0.05, -0.2]), np.array([0.00025, 0.004])
    w1 = np.array([1.0, -2.0]) - lr * (m1 / 0.1) / (np.sqrt(v1 / 0.001) + eps)
    np.testing.assert_allclose(w1, [0.9, -1.9], atol=1e-8)
    np.testing.assert_allclose(history[0][0], w1, rtol=1e-14)

    # step 2: m = 0.9 m1 + 0.1 g2 = [0.095, -0.08]; v = 0.999 v1 + 0.001 g2^2 = [0.00049975, 0.004996]
    #         corrections 1 - 0.9^2 = 0.19 and 1 - 0.999^2 = 0.001999
    m2, v2 = np.array([0.095, -0.08]), np.array([0.00049975, 0.004996])
    w2 = w1 - lr * (m2 / 0.19) / (np.sqrt(v2 / 0.001999) + eps)
    np.testing.assert_allclose(history[1][0], w2, rtol=1e-14)
    np.testing.assert_allclose(optimizer.state[w]["exp_avg"], m2, rtol=1e-14)
    np.testing.assert_allclose(optimizer.state[w]["exp_avg_sq"], v2, rtol=1e-14)
    assert optimizer.state[w]["step"] == 2


def test_adam_weight_decay_is_added_to_the_gradient():
    w = Parameter([3.0])
    optimizer = Adam([w], lr=0.01, weight_decay=0.5)
    run(optimizer, [w], [[[0.0]]])
    # g = 0 + 0.5 * 3 = 1.5 > 0: the first step is lr * sign(g) downward; m = 0.15.
    np.testing.assert_allclose(w.array, [3.0 - 0.01], atol=1e-9)
    np.testing.assert_allclose(optimizer.state[w]["exp_avg"], [0.1 * 1.5])


def test_adam_counts_steps_per_parameter_and_skips_missing_gradients():
    a, b = Parameter([1.0]), Parameter([1.0])
    optimizer = Adam([a, b], lr=0.1)
    run(optimizer, [a, b], [[[1.0], None], [[1.0], [1.0]]])
    assert optimizer.state[a]["step"] == 2 and optimizer.state[b]["step"] == 1
    # b's first real step is a full bias-corrected step: lr * sign(g).
    np.testing.assert_allclose(b.array, [0.9], atol=1e-8)


def test_adam_eps_keeps_a_zero_gradient_finite():
    w = Parameter([1.0])
    run(Adam([w], lr=0.1), [w], [[[0.0]]])
    assert w.array.tolist() == [1.0]


# --------------------------------------------------------------- how a step changes a parameter


@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1, momentum=0.9, weight_decay=0.1), lambda p: Adam(p, lr=0.1)])
def test_step_is_in_place_under_no_grad_and_counted(make):
    layer = Linear(3, 2, rng=0)
    params = list(layer.parameters())
    arrays = [p.array for p in params]
    before = [p.array.copy() for p in params]
    layer(Tensor(np.ones((4, 3)))).sum().backward()
    grads = [p.grad for p in params]

    optimizer = make(params)
    # The engine refuses an in-place change of a Parameter while gradients are on, so a
    # step that succeeds ran under no_grad.
    optimizer.step()
    for p, array, grad, old in zip(params, arrays, grads, before):
        assert p.array is array  # the same array, changed in place
        assert not np.array_equal(p.array, old)
        assert p.version == 1
        assert p.is_leaf and p.requires_grad and p.recipe is None
        assert p.grad is grad  # the gradient is left as it was
        assert not p.array.flags.writeable
    assert layer.weight is params[0]
    assert is_grad_enabled()  # switched back on after the step


def test_a_graph_built_before_a_step_refuses_to_backpropagate_after_it():
    w = Parameter([1.0, 2.0])
    x = Tensor([3.0, 4.0])
    loss = (w * x * w).sum()  # multiply saved w's array for its backward function
    loss.backward()
    SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match=r"changed in place"):
        loss.backward()


def test_updating_outside_no_grad_is_what_the_engine_refuses():
    """The reason the optimisers use no_grad: the engine refuses an in-place change of a leaf that requires grad."""
    w = Parameter([1.0])
    with pytest.raises(RuntimeError, match=r"no_grad"):
        w -= 0.1


def test_zero_grad_sets_none_or_zeros():
    w = Parameter([1.0, 2.0])
    optimizer = SGD([w], lr=0.1)
    (w * 2).sum().backward()
    optimizer.zero_grad()
    assert w.grad is None
    (w * 2).sum().backward()
    optimizer.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(w.grad.array, [0.0, 0.0])


def test_optimizers_train_a_small_problem():
    target = np.array([3.0, -1.0, 2.0])
    for make in (lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: Adam(p, lr=0.1)):
        w = Parameter(np.zeros(3))
        optimizer = make([w])
        for _ in range(300):
            optimizer.zero_grad()
            ((w - target) * (w - target)).sum().backward()
            optimizer.step()
        np.testing.assert_allclose(w.array, target, atol=1e-3)


def test_base_optimizer_step_is_not_implemented():
    with pytest.raises(NotImplementedError, match=r"Optimizer.step is not implemented"):
        Optimizer([Parameter([1.0])]).step()


# --------------------------------------------------------------- bad arguments


def test_parameters_may_be_a_generator():
    layer = Linear(2, 2, rng=0)
    assert SGD(layer.parameters(), lr=0.1).params == [layer.weight, layer.bias]


def test_empty_parameters():
    with pytest.raises(ValueError, match=r"SGD: got an empty list of parameters"):
        SGD([], lr=0.1)


def test_a_single_tensor_instead_of_a_list():
    with pytest.raises(TypeError, match=r"Adam: params must be an iterable of Parameters.*Wrap it in a list: Adam\(\[w\], \.\.\.\)"):
        Adam(Parameter([1.0]))


def test_arrays_instead_of_parameters():
    with pytest.raises(TypeError, match=r"SGD: parameter 0 is a ndarray, not a Tensor"):
        SGD([np.zeros(2)], lr=0.1)


def test_a_tensor_that_does_not_require_grad():
    with pytest.raises(ValueError, match=r"SGD: parameter 1 does not require grad"):
        SGD([Parameter([1.0]), Tensor([1.0])], lr=0.1)


def test_a_non_leaf_tensor():
    w = Parameter([1.0])
    with pytest.raises(ValueError, match=r"parameter 0 is not a leaf"):
        SGD([w * 2], lr=0.1)


def test_a_parameter_listed_twice():
    w = Parameter([1.0])
    with pytest.raises(ValueError, match=r"parameter 1 appears twice"):
        Adam([w, w])


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=-0.1), r"SGD: lr must be a finite number >= 0.0, got -0.1"),
        (dict(lr=math.nan), r"SGD: lr must be a finite number"),
        (dict(lr="0.1"), r"SGD: lr must be a finite number"),
        (dict(lr=0.1, momentum=-0.5), r"SGD: momentum must be"),
        (dict(lr=0.1, weight_decay=-1.0), r"SGD: weight_decay must be"),
    ],
)
def test_sgd_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        SGD([Parameter([1.0])], **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(lr=-1e-3), r"Adam: lr must be"),
        (dict(betas=(1.0, 0.999)), r"Adam: betas\[0\] must be a finite number in \[0.0, 1.0\), got 1.0"),
        (dict(betas=(0.9, -0.1)), r"Adam: betas\[1\] must be"),
        (dict(betas=0.9), r"Adam: betas must be a pair"),
        (dict(eps=-1.0), r"Adam: eps must be"),
        (dict(weight_decay=-1.0), r"Adam: weight_decay must be"),
    ],
)
def test_adam_bad_hyperparameters(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Adam([Parameter([1.0])], **kwargs)


# --------------------------------------------------------------- against torch.optim (optional)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("SGD", dict(lr=0.1)),
        ("SGD", dict(lr=0.05, momentum=0.9)),
        ("SGD", dict(lr=0.1, momentum=0.8, weight_decay=0.01)),
        ("Adam", dict(lr=0.01)),
        ("Adam", dict(lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ],
)
def test_matches_torch_optim_when_available(name, kwargs):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    starts = [rng.normal(size=(3, 2)), rng.normal(size=4)]
    grads = [[rng.normal(size=s.shape) for s in starts] for _ in range(5)]
    grads[2][1] = None  # one parameter without a gradient at one step

    ours = [Parameter(s) for s in starts]
    theirs = [torch.tensor(s, requires_grad=True) for s in starts]
    optimizer = {"SGD": SGD, "Adam": Adam}[name](ours, **kwargs)
    torch_optimizer = getattr(torch.optim, name)(theirs, **kwargs)
    for step_grads in grads:
        set_grads(ours, step_grads)
        for t, g in zip(theirs, step_grads):
            t.grad = None if g is None else torch.tensor(g)
        optimizer.step()
        torch_optimizer.step()
        for p, t in zip(ours, theirs):
            np.testing.assert_allclose(p.array, t.detach().numpy(), rtol=1e-12, atol=1e-15)


# --------------------------------------------------------------- state_dict / load_state_dict (issue 8, part 4)


def _batches(n, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(8, 3)), rng.integers(0, 2, size=8)) for _ in range(n)]


def _train(model, optimizer, batches):
    from autograd_lite.nn.functional import cross_entropy

    for x, targets in batches:
        optimizer.zero_grad()
        cross_entropy(model(Tensor(x)), targets).backward()
        optimizer.step()


@pytest.mark.parametrize(
    "make_optimizer",
    [
        lambda params: SGD(params, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda params: Adam(params, lr=0.01, betas=(0.8, 0.99), weight_decay=0.001),
    ],
    ids=["SGD-momentum", "Adam"],
)
def test_a_reloaded_model_and_optimiser_continue_training_bit_for_bit(make_optimizer):
    import pickle

    from autograd_lite.nn import MLP

    first, rest = _batches(3, seed=1), _batches(4, seed=2)
    model = MLP(3, 5, 2, rng=0)
    optimizer = make_optimizer(model.parameters())
    _train(model, optimizer, first)
    saved_model = pickle.dumps(model.state_dict())
    saved_optimizer = pickle.dumps(optimizer.state_dict())
    _train(model, optimizer, rest)

    resumed = MLP(3, 5, 2, rng=123)  # different starting weights, overwritten by the load
    resumed_optimizer = make_optimizer(resumed.parameters())
    resumed.load_state_dict(pickle.loads(saved_model))
    resumed_optimizer.load_state_dict(pickle.loads(saved_optimizer))
    _train(resumed, resumed_optimizer, rest)

    for (name, a), (_, b) in zip(model.named_parameters(), resumed.named_parameters()):
        assert np.array_equal(a.array, b.array), name  # exactly equal, not merely close
    original_state, resumed_state = optimizer.state_dict(), resumed_optimizer.state_dict()
    assert original_state["param_groups"] == resumed_state["param_groups"]
    for index, values in original_state["state"].items():
        for key, value in values.items():
            assert np.array_equal(value, resumed_state["state"][index][key]), (index, key)


def test_the_optimiser_state_dict_is_a_copy():
    w = Parameter([1.0, 2.0])
    optimizer = Adam([w], lr=0.1)
    w.grad = Tensor([1.0, 1.0])
    optimizer.step()
    saved = optimizer.state_dict()
    optimizer.step()
    assert saved["state"][0]["step"] == 1
    assert not np.array_equal(saved["state"][0]["exp_avg"], optimizer.state[w]["exp_avg"])
    fresh = Adam([Parameter([1.0, 2.0])], lr=0.5)
    fresh.load_state_dict(saved)
    assert fresh.lr == 0.1 and fresh.state[fresh.params[0]]["step"] == 1
    saved["state"][0]["exp_avg"][:] = 99  # changing the dict afterwards does not reach the optimiser
    assert not (fresh.state[fresh.params[0]]["exp_avg"] == 99).any()


def test_loading_an_optimiser_state_checks_everything_first():
    params = [Parameter([1.0, 2.0]), Parameter([3.0])]
    optimizer = SGD(params, lr=0.1, momentum=0.9)
    good = {"state": {}, "param_groups": [{"lr": 0.5, "momentum": 0.0, "weight_decay": 0.0, "params": [0, 1]}]}
    cases = [
        ({"state": {}}, "with keys 'state' and 'param_groups'"),
        ({**good, "param_groups": [{**good["param_groups"][0], "params": [0]}]}, r"had parameters \[0\], but this one has 2"),
        ({**good, "state": {0: {"momentum_buffer": np.zeros(3)}}}, r"state\[0\]\['momentum_buffer'\] has shape \(3,\), but parameter 0 has shape \(2,\)"),
        ({**good, "state": {5: {"momentum_buffer": np.zeros(2)}}}, "the state is for parameter 5, but there are only 2"),
        ({**good, "state": {0: {"exp_avg": np.zeros(2)}}}, r"holds \['exp_avg'\], which SGD does not keep"),
        ({**good, "param_groups": [{"lr": 0.5, "params": [0, 1]}]}, r"lacks the setting\(s\) \['momentum', 'weight_decay'\]"),
        ({**good, "param_groups": [{**good["param_groups"][0], "lr": -1.0}]}, "lr must be a finite number >= 0.0"),
    ]
    for state_dict, message in cases:
        with pytest.raises(ValueError, match=message):
            optimizer.load_state_dict(state_dict)
        assert optimizer.lr == 0.1 and optimizer.momentum == 0.9 and optimizer.state == {}
    optimizer.load_state_dict(good)
    assert optimizer.lr == 0.5 and optimizer.momentum == 0.0


def test_an_optimiser_state_dict_holds_copies_of_its_arrays_and_its_step_counts_as_ints():
    w = Parameter([1.0, 2.0])
    optimizer = Adam([w], lr=0.1)
    w.grad = Tensor([1.0, -1.0])
    optimizer.step()
    saved = optimizer.state_dict()["state"][0]
    assert type(saved["step"]) is int and saved["step"] == 1
    for key in ("exp_avg", "exp_avg_sq"):
        assert type(saved[key]) is np.ndarray and not np.shares_memory(saved[key], optimizer.state[w][key])


@pytest.mark.parametrize(
    "groups",
    [{"lr": 0.5, "momentum": 0.0, "weight_decay": 0.0, "params": [0]},  # the dict itself, not a list of it
     [{"lr": 0.5, "momentum": 0.0, "weight_decay": 0.0, "params": [0]}] * 2,  # two groups
     [[("lr", 0.5)]]],  # a list holding something other than a dict
    ids=["a-dict", "two-groups", "not-a-dict"],
)
def test_loading_refuses_param_groups_that_are_not_a_list_of_one_dict(groups):
    optimizer = SGD([Parameter([1.0, 2.0])], lr=0.1)
    with pytest.raises(ValueError, match="expected 'param_groups' to be a list of one dict of settings"):
        optimizer.load_state_dict({"state": {}, "param_groups": groups})
    assert optimizer.lr == 0.1


@pytest.mark.parametrize("position", [2, -1])
def test_loading_refuses_a_state_for_a_position_outside_the_parameters(position):
    params = [Parameter([1.0, 2.0]), Parameter([3.0])]
    optimizer = SGD(params, lr=0.1, momentum=0.9)
    group = {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.0, "params": [0, 1]}
    with pytest.raises(ValueError, match=f"the state is for parameter {position}, but there are only 2"):
        optimizer.load_state_dict({"state": {position: {"momentum_buffer": np.zeros(1)}}, "param_groups": [group]})
    assert optimizer.state == {}


def test_loading_refuses_a_state_that_is_not_a_dict():
    optimizer = SGD([Parameter([1.0])], lr=0.1, momentum=0.9)
    group = {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.0, "params": [0]}
    with pytest.raises(ValueError, match=r"expected 'state' to be a dict \{parameter position: dict\}, got \[\]"):
        optimizer.load_state_dict({"state": [], "param_groups": [group]})


def test_a_loaded_state_takes_the_dtype_of_its_float32_parameter():
    w = Parameter(np.array([1.0, 2.0], dtype=np.float32))
    optimizer = SGD([w], lr=0.1, momentum=0.9)
    group = {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.0, "params": [0]}
    optimizer.load_state_dict({"state": {0: {"momentum_buffer": np.array([0.5, 0.25])}}, "param_groups": [group]})
    buffer = optimizer.state[w]["momentum_buffer"]
    assert buffer.dtype == np.float32
    np.testing.assert_array_equal(buffer, [0.5, 0.25])


class _Halving(Optimizer):
    """An optimiser written outside the library (no step needed here): the base class sets, saves and restores its setting."""

    _hyperparameters = ("lr",)

    def __init__(self, params, lr):
        super().__init__(params)
        self._set_hyperparameters(lr=lr)


def test_a_subclass_relying_on_the_base_class_gets_its_settings_set_and_restored():
    w = Parameter([1.0])
    optimizer = _Halving([w], lr=0.5)
    assert optimizer.lr == 0.5
    saved = optimizer.state_dict()
    assert saved["param_groups"] == [{"lr": 0.5, "params": [0]}]
    other = _Halving([Parameter([1.0])], lr=0.1)
    other.load_state_dict(saved)
    assert other.lr == 0.5


def test_optimizer_state_dict_has_torchs_layout():
    torch = pytest.importorskip("torch")
    w = Parameter([1.0, 2.0])
    ours = SGD([w], lr=0.1, momentum=0.9)
    w.grad = Tensor([1.0, -1.0])
    ours.step()
    tw = torch.nn.Parameter(torch.tensor([1.0, 2.0], dtype=torch.float64))
    theirs = torch.optim.SGD([tw], lr=0.1, momentum=0.9)
    tw.grad = torch.tensor([1.0, -1.0], dtype=torch.float64)
    theirs.step()
    a, b = ours.state_dict(), theirs.state_dict()
    assert a.keys() == b.keys() and a["state"].keys() == b["state"].keys()
    assert np.array_equal(a["state"][0]["momentum_buffer"], b["state"][0]["momentum_buffer"].numpy())
    assert a["param_groups"][0]["params"] == b["param_groups"][0]["params"]


# ---------------------------------------------------------------- contracts pinned by mutation testing (issue 15)


def test_adam_defaults_match_pytorch():
    optimizer = Adam([Parameter([1.0])])
    assert optimizer.lr == 1e-3 and optimizer.betas == (0.9, 0.999) and optimizer.eps == 1e-8
    assert optimizer.weight_decay == 0.0


@pytest.mark.parametrize("betas", [(0.9, 1.0), (1.0, 0.999), (0.9, 1.5), (-0.1, 0.999)])
def test_adam_rejects_betas_outside_0_to_1(betas):
    with pytest.raises(ValueError, match=r"Adam: betas\[[01]\] must be a finite number in \[0.0, 1.0\)"):
        Adam([Parameter([1.0])], betas=betas)


def test_adam_accepts_betas_of_0():
    w = Parameter([1.0])
    w.grad = Tensor([2.0])
    Adam([w], lr=0.5, betas=(0.0, 0.0)).step()  # m = g, v = g^2: a step of lr against the sign
    np.testing.assert_allclose(w.array, [0.5])


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda p: SGD([p], lr=0.1, weight_decay=1.0), 2.0 - 0.1 * 2.0),  # g = 0 + 1.0 * p
        (lambda p: Adam([p], lr=0.1, weight_decay=1.0), 2.0 - 0.1),  # Adam's first step: lr * sign(g)
    ],
)
def test_weight_decay_of_1_is_applied(make, expected):
    w = Parameter([2.0])
    w.grad = Tensor([0.0])  # only the decay moves it
    make(w).step()
    np.testing.assert_allclose(w.array, [expected])


def test_sgd_and_adam_accept_zero_hyperparameters_and_reject_negative_ones():
    SGD([Parameter([1.0])], lr=0.0, momentum=0.0, weight_decay=0.0)
    Adam([Parameter([1.0])], lr=0.0, eps=0.0, weight_decay=0.0)
    for name in ("lr", "momentum", "weight_decay"):
        with pytest.raises(ValueError, match=rf"SGD: {name} must be a finite number >= 0.0, got -1"):
            SGD([Parameter([1.0])], **{"lr": 0.1, name: -1})
    for bad in (True, float("nan"), float("inf"), "0.1", None):
        with pytest.raises(ValueError, match="lr must be a finite number"):
            SGD([Parameter([1.0])], lr=bad)


def test_adam_keeps_the_dtype_of_float32_parameters_and_its_state():
    w = Parameter(np.array([1.0, -1.0], dtype=np.float32))
    optimizer = Adam([w], lr=0.1)
    for _ in range(2):
        w.grad = Tensor(np.array([0.5, 0.5], dtype=np.float32))
        optimizer.step()
    assert w.dtype == np.float32
    state = optimizer.state[w]
    assert state["step"] == 2 and state["exp_avg"] is not state["exp_avg_sq"]
    np.testing.assert_allclose(state["exp_avg"], 0.1 * 0.5 + 0.9 * 0.1 * 0.5, rtol=1e-6)
    np.testing.assert_allclose(state["exp_avg_sq"], 0.001 * 0.25 + 0.999 * 0.001 * 0.25, rtol=1e-6)


@pytest.mark.parametrize("make", [lambda p: SGD([p], lr=0.1), lambda p: Adam([p], lr=0.1)])
def test_no_weight_decay_means_no_decay_term_at_all(make):
    # weight_decay=0 adds nothing, not 0 * p: an infinite weight stays infinite, never nan
    w = Parameter([np.inf, 1.0])
    w.grad = Tensor([1.0, 1.0])
    make(w).step()
    assert w.array[0] == np.inf and np.isfinite(w.array[1])


# --------------------------------------------------------------- settings checked all together; no parameter groups


@pytest.mark.parametrize(
    "make, bad, message",
    [
        (lambda ps: Adam(ps, lr=0.1), {"lr": 0.5, "betas": (2.0, 0.9)}, r"Adam\.load_state_dict: betas\[0\] must be a finite number in \[0\.0, 1\.0\), got 2\.0"),
        (lambda ps: Adam(ps, lr=0.1), {"lr": 0.5, "betas": 0.9}, r"Adam\.load_state_dict: betas must be a pair"),
        (lambda ps: SGD(ps, lr=0.1, momentum=0.9), {"lr": 0.5, "weight_decay": -1.0}, r"SGD\.load_state_dict: weight_decay must be"),
    ],
    ids=["adam-betas", "adam-betas-not-a-pair", "sgd-weight-decay"],
)
def test_loading_a_bad_setting_changes_no_setting_and_names_load_state_dict(make, bad, message):
    optimizer = make([Parameter([1.0, 2.0])])
    saved = optimizer.state_dict()
    before = {name: getattr(optimizer, name) for name in optimizer._hyperparameters}
    saved["param_groups"][0].update(bad)  # a good lr listed before a bad setting
    with pytest.raises(ValueError, match=message):
        optimizer.load_state_dict(saved)
    assert {name: getattr(optimizer, name) for name in optimizer._hyperparameters} == before


def test_a_bad_setting_in_the_constructor_still_names_the_class():
    with pytest.raises(ValueError, match=r"^Adam: betas\[1\] must be"):
        Adam([Parameter([1.0])], lr=0.5, betas=(0.9, 1.5))


@pytest.mark.parametrize(
    "params",
    [lambda w: [{"params": [w], "lr": 0.1}], lambda w: {"params": [w]}],
    ids=["a-list-of-groups", "one-group-dict"],
)
def test_parameter_groups_are_refused_with_one_optimiser_per_group_as_the_way_out(params):
    w = Parameter([1.0])
    with pytest.raises(TypeError) as caught:
        SGD(params(w), lr=0.1)
    message = str(caught.value)
    assert "parameter 0 is a dict, {'params': [Parameter([1.])]" in message  # what was passed
    assert "Parameter groups are not supported" in message  # what is expected
    assert "make one optimiser per group" in message  # what to do
    assert "not their arrays" not in message


def test_torch_accepts_the_parameter_groups_the_library_refuses():
    torch = pytest.importorskip("torch")
    p, q = torch.nn.Parameter(torch.zeros(2)), torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.5}], lr=0.1)
    assert [group["lr"] for group in optimizer.param_groups] == [0.1, 0.5]
