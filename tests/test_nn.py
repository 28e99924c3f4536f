"""Tests for autograd_lite.nn: Parameter, Module registration, Linear, ReLU, Sequential, MLP.

Every layer's gradients (for its input and each of its parameters) are checked
against central finite differences, with hypothesis varying the shapes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd_lite import Tensor, no_grad, numerical_gradient
from autograd_lite.nn import MLP, Linear, Module, ModuleDict, ModuleList, Parameter, ReLU, Sequential
from strategies import SETTINGS

# --------------------------------------------------------------- helpers


def loss_of(module: Module, x: Tensor, grad_out: np.ndarray) -> Tensor:
    """sum(module(x) * grad_out): its gradient is the vector-Jacobian product with grad_out."""
    return (module(x) * grad_out).sum()


def numerical_parameter_grad(module: Module, parameter: Parameter, x: Tensor, grad_out: np.ndarray) -> np.ndarray:
    """Central differences of loss_of(module, x, grad_out) with respect to one parameter."""
    saved = parameter.array.copy()

    def f(values):
        with no_grad():
            parameter[...] = values
            return loss_of(module, x, grad_out).array

    try:
        return numerical_gradient(f, [saved.copy()])
    finally:
        with no_grad():
            parameter[...] = saved


def assert_module_gradients(module: Module, x_values: np.ndarray, grad_out: np.ndarray) -> None:
    """The engine's gradients for x and for every parameter agree with finite differences."""
    x = Tensor(x_values, requires_grad=True)
    module.zero_grad()
    loss_of(module, x, grad_out).backward()
    numerical_x = numerical_gradient(
        lambda values: loss_of(module, Tensor(values), grad_out).array, [x_values]
    )
    np.testing.assert_allclose(x.grad.array, numerical_x, rtol=1e-5, atol=1e-7)
    for name, parameter in module.named_parameters():
        expected = numerical_parameter_grad(module, parameter, Tensor(x_values), grad_out)
        assert parameter.grad is not None, name
        np.testing.assert_allclose(parameter.grad.array, expected, rtol=1e-5, atol=1e-7, err_msg=name)


# --------------------------------------------------------------- Parameter


def test_parameter_is_a_leaf_tensor_that_requires_grad():
    data = np.array([1.0, 2.0])
    p = Parameter(data)
    assert isinstance(p, Tensor)
    assert p.requires_grad and p.is_leaf and p.grad is None
    data[0] = 99.0
    assert p.array[0] == 1.0  # Parameter copies its data
    assert not p.array.flags.writeable


def test_parameter_from_a_tensor_copies_it():
    t = Tensor([1.0, 2.0])
    p = Parameter(t)
    assert p.array is not t.array
    np.testing.assert_array_equal(p.array, t.array)


def test_parameter_rejects_integer_data():
    with pytest.raises(TypeError, match=r"Parameter: .*floating-point.*dtype int64.*np.asarray\(data, dtype=float\)"):
        Parameter([1, 2])


def test_parameter_repr_names_its_class():
    assert repr(Parameter([1.0, 2.0])) == "Parameter([1., 2.])"
    assert repr(Parameter(np.array([1.0], dtype=np.float32))) == "Parameter([1.], dtype=float32)"


def test_operations_on_a_parameter_give_plain_tensors():
    p = Parameter([1.0, 2.0])
    out = p * 2
    assert type(out) is Tensor and out.recipe is not None


# --------------------------------------------------------------- Module


class TwoLayers(Module):
    def __init__(self):
        super().__init__()
        self.scale = Parameter([2.0])
        self.first = Linear(3, 4, rng=0)
        self.offset = Parameter([0.5, -0.5, 1.0, 0.0])
        self.second = Linear(4, 2, rng=1)

    def forward(self, x):
        return self.second((self.first(x) * self.scale + self.offset).relu())


def test_module_registers_parameters_and_modules_in_order():
    model = TwoLayers()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["scale", "offset", "first.weight", "first.bias", "second.weight", "second.bias"]
    assert [p for p in model.parameters()] == [p for _, p in model.named_parameters()]
    assert [name for name, _ in model.named_children()] == ["first", "second"]
    assert list(model.children()) == [model.first, model.second]


def test_named_parameters_without_recursion_and_with_a_prefix():
    model = TwoLayers()
    assert [name for name, _ in model.named_parameters(recurse=False)] == ["scale", "offset"]
    assert [name for name, _ in model.named_parameters(prefix="net.")][:3] == ["net.scale", "net.offset", "net.first.weight"]


def test_reassigning_an_attribute_updates_the_registry():
    model = TwoLayers()
    model.scale = None  # no longer a parameter
    assert "scale" not in [name for name, _ in model.named_parameters()]
    model.first = Parameter([1.0])  # a module replaced by a parameter
    names = [name for name, _ in model.named_parameters()]
    assert "first" in names and "first.weight" not in names
    del model.offset
    assert "offset" not in [name for name, _ in model.named_parameters()]
    assert not hasattr(model, "offset")


def test_a_shared_parameter_is_yielded_once():
    first = Linear(2, 2, rng=0)
    model = Sequential(first, ReLU(), first)
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    assert len(list(model.parameters())) == 2


def test_plain_attributes_are_not_registered():
    model = TwoLayers()
    model.constant = Tensor([1.0, 2.0])  # no requires_grad: a constant, allowed
    model.note = "hello"
    assert "constant" not in [name for name, _ in model.named_parameters()]
    assert model.note == "hello"


def test_a_plain_tensor_that_requires_grad_is_refused():
    model = TwoLayers()
    with pytest.raises(TypeError, match=r"TwoLayers\.w: a plain Tensor with requires_grad=True is not registered.*Parameter\(data\)"):
        model.w = Tensor([1.0], requires_grad=True)


def test_an_intermediate_result_may_be_kept_as_an_attribute():
    model = TwoLayers()
    model.last_output = model(Tensor(np.ones((1, 3))))  # requires grad, but not a leaf: not a weight
    assert "last_output" not in [name for name, _ in model.named_parameters()]


def test_assigning_a_parameter_before_init_is_a_clear_error():
    class Forgot(Module):
        def __init__(self):
            self.w = Parameter([1.0])
            super().__init__()

    with pytest.raises(AttributeError, match=r"Forgot: cannot register the Parameter 'w' before Module.__init__\(\) has run: Forgot.__init__ did not call super\(\).__init__\(\) before assigning it"):
        Forgot()


def test_a_module_without_forward_raises_not_implemented_naming_the_class():
    class NoForward(Module):
        pass

    with pytest.raises(NotImplementedError, match=r"^NoForward has no forward method.*def forward\(self, x\)"):
        NoForward()(Tensor([1.0]))


def test_call_passes_arguments_to_forward():
    class Add(Module):
        def forward(self, x, y, scale=1.0):
            return (x + y) * scale

    assert Add()(Tensor([1.0]), Tensor([2.0]), scale=3.0).item() == 9.0


def test_zero_grad_sets_none_by_default_or_zeros():
    model = TwoLayers()
    model(Tensor(np.ones((2, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())
    model(Tensor(np.ones((2, 3)))).sum().backward()
    model.zero_grad(set_to_none=False)
    for p in model.parameters():
        assert p.grad.shape == p.shape and not p.grad.array.any()


def test_module_repr_nests_like_pytorch():
    assert repr(TwoLayers()) == (
        "TwoLayers(\n"
        "  (first): Linear(in_features=3, out_features=4, bias=True)\n"
        "  (second): Linear(in_features=4, out_features=2, bias=True)\n"
        ")"
    )


def test_two_layers_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    assert_module_gradients(TwoLayers(), rng.normal(size=(5, 3)), rng.normal(size=(5, 2)))


# --------------------------------------------------------------- Linear


def test_linear_shapes_and_parameters():
    layer = Linear(5, 3, rng=0)
    assert isinstance(layer.weight, Parameter) and layer.weight.shape == (3, 5)
    assert isinstance(layer.bias, Parameter) and layer.bias.shape == (3,)
    assert list(layer.parameters()) == [layer.weight, layer.bias]
    assert (layer.in_features, layer.out_features) == (5, 3)


def test_linear_without_bias():
    layer = Linear(5, 3, bias=False, rng=0)
    assert layer.bias is None
    assert list(layer.parameters()) == [layer.weight]
    x = np.ones((2, 5))
    np.testing.assert_allclose(layer(Tensor(x)).array, x @ layer.weight.array.T)
    assert repr(layer) == "Linear(in_features=5, out_features=3, bias=False)"


def test_linear_initialisation_is_uniform_in_the_pytorch_bound():
    in_features, out_features = 400, 300
    layer = Linear(in_features, out_features, rng=0)
    bound = 1 / math.sqrt(in_features)
    for values in (layer.weight.array, layer.bias.array):
        assert np.abs(values).max() <= bound
        assert np.abs(values).max() > 0.95 * bound
    weights = layer.weight.array.ravel()
    # U(-b, b): mean 0, standard deviation b / sqrt(3); 120,000 samples pin both down closely.
    assert abs(weights.mean()) < 0.01 * bound
    assert abs(weights.std() - bound / math.sqrt(3)) < 0.01 * bound
    # Each tenth of [-b, b] holds about a tenth of the values.
    counts, _ = np.histogram(weights, bins=10, range=(-bound, bound))
    np.testing.assert_allclose(counts / weights.size, 0.1, atol=0.005)


def test_linear_draws_weight_then_bias_from_rng():
    rng = np.random.default_rng(42)
    bound = 1 / math.sqrt(4)
    expected_weight = rng.uniform(-bound, bound, size=(3, 4))
    expected_bias = rng.uniform(-bound, bound, size=3)
    layer = Linear(4, 3, rng=np.random.default_rng(42))
    np.testing.assert_array_equal(layer.weight.array, expected_weight)
    np.testing.assert_array_equal(layer.bias.array, expected_bias)


def test_linear_seed_makes_it_reproducible():
    a, b = Linear(4, 3, rng=7), Linear(4, 3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.weight.array, b.weight.array)
    np.testing.assert_array_equal(a.bias.array, b.bias.array)
    assert not np.array_equal(Linear(4, 3, rng=8).weight.array, a.weight.array)
    shared = np.random.default_rng(0)
    assert not np.array_equal(Linear(4, 3, rng=shared).weight.array, Linear(4, 3, rng=shared).weight.array)


def test_linear_forward_is_x_times_weight_transposed_plus_bias():
    layer = Linear(3, 2, rng=0)
    x = np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]])
    expected = x @ layer.weight.array.T + layer.bias.array
    np.testing.assert_allclose(layer(Tensor(x)).array, expected)
    np.testing.assert_allclose(layer(x).array, expected)  # a numpy array is accepted too


def test_linear_takes_leading_batch_dimensions():
    layer = Linear(3, 2, rng=0)
    x = np.arange(24.0).reshape(2, 4, 3)
    np.testing.assert_allclose(layer(Tensor(x)).array, x @ layer.weight.array.T + layer.bias.array)


@SETTINGS
@given(
    in_features=st.integers(1, 4),
    out_features=st.integers(1, 4),
    batch=st.integers(1, 4),
    bias=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_linear_gradients_match_finite_differences(in_features, out_features, batch, bias, seed):
    rng = np.random.default_rng(seed)
    layer = Linear(in_features, out_features, bias=bias, rng=rng)
    assert_module_gradients(layer, rng.normal(size=(batch, in_features)), rng.normal(size=(batch, out_features)))


def test_linear_rejects_an_input_of_the_wrong_width():
    layer = Linear(3, 2, rng=0)
    with pytest.raises(ValueError, match=r"Linear: the input's last dimension must be in_features=3, but the input has shape \(4, 2\)"):
        layer(Tensor(np.ones((4, 2))))
    with pytest.raises(ValueError, match=r"shape \(\)"):
        layer(Tensor(1.0))


@pytest.mark.parametrize("bad", [0, -1, 2.5, True, "3"])
def test_linear_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match=r"Linear: in_features must be a positive integer"):
        Linear(bad, 2)
    with pytest.raises(ValueError, match=r"Linear: out_features must be a positive integer"):
        Linear(2, bad)


def test_linear_rejects_a_bad_rng():
    with pytest.raises(TypeError, match=r"rng must be a numpy Generator.*got float: 0.5"):
        Linear(2, 2, rng=0.5)


# --------------------------------------------------------------- ReLU


def test_relu_forward():
    np.testing.assert_array_equal(ReLU()(Tensor([-2.0, 0.0, 3.0])).array, [0.0, 0.0, 3.0])
    assert repr(ReLU()) == "ReLU()"
    assert list(ReLU().parameters()) == []


@SETTINGS
@given(shape=st.tuples(st.integers(1, 4), st.integers(1, 4)), seed=st.integers(0, 2**32 - 1))
def test_relu_gradient_matches_finite_differences(shape, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    x[np.abs(x) < 1e-3] = 0.5  # keep finite differences away from the kink at 0
    assert_module_gradients(ReLU(), x, rng.normal(size=shape))


# --------------------------------------------------------------- Sequential


def test_sequential_applies_modules_in_order():
    first, second = Linear(3, 4, rng=0), Linear(4, 2, rng=1)
    model = Sequential(first, ReLU(), second)
    x = Tensor(np.random.default_rng(0).normal(size=(5, 3)))
    np.testing.assert_allclose(model(x).array, second(first(x).relu()).array)
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_sequential_len_iter_index_and_slice():
    layers = [Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1)]
    model = Sequential(*layers)
    assert len(model) == 3
    assert list(model) == layers
    assert model[0] is layers[0] and model[-1] is layers[2]
    head = model[:2]
    assert isinstance(head, Sequential) and list(head) == layers[:2]
    assert len(Sequential()) == 0


def test_sequential_refuses_a_non_module():
    with pytest.raises(TypeError, match=r"Sequential: argument 1 must be a Module .* got function"):
        Sequential(Linear(2, 2, rng=0), lambda x: x)


def test_sequential_gradients_match_finite_differences():
    rng = np.random.default_rng(3)
    model = Sequential(Linear(3, 5, rng=rng), ReLU(), Linear(5, 4, rng=rng), ReLU(), Linear(4, 2, rng=rng))
    assert_module_gradients(model, rng.normal(size=(6, 3)), rng.normal(size=(6, 2)))


# --------------------------------------------------------------- MLP


def test_mlp_structure():
    model = MLP(64, 32, 10, rng=0)
    assert [type(layer).__name__ for layer in model.layers] == ["Linear", "ReLU", "Linear"]
    assert [name for name, _ in model.named_parameters()] == [
        "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias",
    ]
    assert sum(p.size for p in model.parameters()) == 64 * 32 + 32 + 32 * 10 + 10


def test_mlp_with_several_hidden_layers_and_none():
    deep = MLP(4, [8, 6, 5], 3, rng=0)
    assert [(layer.in_features, layer.out_features) for layer in deep.layers if isinstance(layer, Linear)] == [
        (4, 8), (8, 6), (6, 5), (5, 3),
    ]
    shallow = MLP(4, [], 3, rng=0)  # no hidden layer: logistic regression
    assert [type(layer).__name__ for layer in shallow.layers] == ["Linear"]


def test_mlp_same_seed_same_model():
    a, b = MLP(5, 4, 3, rng=11), MLP(5, 4, 3, rng=11)
    for (name, p), (_, q) in zip(a.named_parameters(), b.named_parameters()):
        np.testing.assert_array_equal(p.array, q.array, err_msg=name)
    # One generator feeds every layer: the two layers do not start from the same numbers.
    assert not np.allclose(a.layers[0].weight.array[:3, :4], a.layers[2].weight.array[:3, :4])


def test_mlp_rejects_a_bad_width():
    with pytest.raises(ValueError, match=r"MLP: each hidden width must be a positive integer"):
        MLP(4, [8, 0], 3)


@SETTINGS
@given(
    sizes=st.lists(st.integers(1, 4), min_size=2, max_size=4),
    batch=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_mlp_gradients_match_finite_differences(sizes, batch, seed):
    rng = np.random.default_rng(seed)
    model = MLP(sizes[0], sizes[1:-1], sizes[-1], rng=rng)
    assert_module_gradients(model, rng.normal(size=(batch, sizes[0])), rng.normal(size=(batch, sizes[-1])))


def test_linear_matches_torch_when_available():
    torch = pytest.importorskip("torch")
    layer = Linear(5, 3, rng=0)
    x = np.random.default_rng(1).normal(size=(4, 5))
    expected = torch.nn.functional.linear(
        torch.from_numpy(x), torch.from_numpy(layer.weight.array.copy()), torch.from_numpy(layer.bias.array.copy())
    )
    np.testing.assert_allclose(layer(Tensor(x)).array, expected.numpy(), rtol=1e-12)


# --------------------------------------------------------------- registration like torch.nn (issue 8, part 4)

try:
    import torch
except ImportError:  # torch is optional: the comparisons below skip without it
    torch = None

needs_torch = pytest.mark.skipif(torch is None, reason="PyTorch is not installed")


@pytest.mark.parametrize("value", [Tensor([[1.0, 2.0]]), np.array([[1.0, 2.0]]), 3.0, Linear(2, 1, rng=0)])
def test_assigning_a_non_parameter_to_a_parameter_name_is_refused(value):
    layer = Linear(2, 1, rng=0)
    weight = layer.weight
    with pytest.raises(TypeError, match=r"^Linear.weight is a registered Parameter, so it can only be replaced by a Parameter"):
        layer.weight = value
    assert layer.weight is weight
    assert list(layer.parameters()) == [weight, layer.bias]


@needs_torch
def test_torch_refuses_the_same_assignment():
    layer = torch.nn.Linear(2, 1)
    with pytest.raises(TypeError, match="cannot assign .* as parameter 'weight'"):
        layer.weight = torch.zeros(1, 2)


def test_none_may_replace_a_parameter_and_keeps_its_place():
    layer = Linear(2, 1, rng=0)
    layer.weight = None
    assert [name for name, _ in layer.named_parameters()] == ["bias"]
    layer.weight = Parameter(np.zeros((1, 2)))
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


def test_reassigning_a_parameter_keeps_its_position():
    model = MLP(2, 3, 1, rng=0)
    before = [name for name, _ in model.named_parameters()]
    new = Parameter(np.zeros((3, 2)))
    model.layers[0].weight = new
    assert [name for name, _ in model.named_parameters()] == before
    assert next(model.parameters()) is new


@needs_torch
def test_torch_keeps_the_position_of_a_reassigned_parameter_too():
    layer = torch.nn.Linear(2, 1)
    layer.weight = torch.nn.Parameter(torch.zeros(1, 2))
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


def test_assigning_a_non_module_to_a_module_name_is_refused():
    model = MLP(2, 3, 1, rng=0)
    with pytest.raises(TypeError, match=r"^MLP.layers is a registered sub-Module, so it can only be replaced by a Module"):
        model.layers = [Linear(2, 1, rng=0)]
    assert len(list(model.parameters())) == 4


def test_forgetting_super_init_is_named_when_the_module_is_used():
    class NoInit(Module):
        def __init__(self):
            self.scale = 2.0  # a plain attribute: nothing fails yet

    with pytest.raises(AttributeError, match=r"^NoInit.__init__ did not call super\(\).__init__\(\), so this Module was never set up.*first line of NoInit.__init__"):
        list(NoInit().parameters())


def test_an_unknown_attribute_is_a_plain_attribute_error():
    with pytest.raises(AttributeError, match=r"^'Linear' object has no attribute 'weights'$"):
        Linear(2, 1, rng=0).weights  # noqa: B018


@pytest.mark.parametrize("make_cycle", ["self", "two", "deep"])
def test_a_cycle_between_modules_is_a_clear_error_not_a_recursion_error(make_cycle):
    a, b, c = Sequential(ReLU()), Sequential(ReLU()), Sequential(ReLU())
    if make_cycle == "self":
        target, name, value = a, "me", a
    elif make_cycle == "two":
        a.b = b
        target, name, value = b, "a", a
    else:
        a.b = b
        b.c = c
        target, name, value = c, "a", a
    with pytest.raises(ValueError, match=r"would make a cycle .* the Module would contain itself"):
        setattr(target, name, value)
    assert name not in target._modules
    repr(a), a.state_dict(), a.train()  # the tree is still a tree: none of these recurse forever


@needs_torch
def test_torch_accepts_a_cycle_and_fails_later_with_recursion_error():
    a, b = torch.nn.Module(), torch.nn.Module()
    a.b = b
    b.a = a
    with pytest.raises(RecursionError):
        a.state_dict()


def test_a_shared_module_is_not_a_cycle():
    shared = Linear(2, 2, rng=0)
    model = Sequential(shared, ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


# --------------------------------------------------------------- ModuleList and ModuleDict


def test_module_list_registers_its_modules_and_acts_like_a_list():
    from autograd_lite.nn import ModuleList

    blocks = ModuleList([Linear(2, 2, rng=i) for i in range(3)])
    assert len(blocks) == 3 and [name for name, _ in blocks.named_children()] == ["0", "1", "2"]
    assert len(list(blocks.parameters())) == 6
    third = blocks[2]
    del blocks[0]
    assert [name for name, _ in blocks.named_children()] == ["0", "1"] and blocks[-1] is third
    blocks.insert(0, ReLU())
    blocks[1] = ReLU()
    assert [type(m).__name__ for m in blocks] == ["ReLU", "ReLU", "Linear"]
    assert isinstance(blocks[1:], ModuleList) and len(blocks[1:]) == 2
    blocks.extend([ReLU(), ReLU()])
    assert len(blocks) == 5
    with pytest.raises(IndexError, match="ModuleList index 5 is out of range: it holds 5 module"):
        blocks[5]  # noqa: B018
    with pytest.raises(TypeError, match="ModuleList: item 0 of the modules passed must be a Module"):
        ModuleList([np.zeros(2)])
    with pytest.raises(TypeError, match="takes an iterable of Modules, got a single Linear"):
        ModuleList(Linear(2, 2, rng=0))
    with pytest.raises(NotImplementedError, match="ModuleList has no forward method"):
        blocks(Tensor([1.0]))


def test_a_plain_list_of_layers_is_not_registered_but_a_module_list_is():
    from autograd_lite.nn import ModuleList

    class Plain(Module):
        def __init__(self):
            super().__init__()
            self.blocks = [Linear(2, 2, rng=0)]

    class Listed(Module):
        def __init__(self):
            super().__init__()
            self.blocks = ModuleList([Linear(2, 2, rng=0)])

    assert list(Plain().parameters()) == [] and len(list(Listed().parameters())) == 2


def test_module_dict_registers_by_key_and_refuses_bad_keys():
    from autograd_lite.nn import ModuleDict

    heads = ModuleDict({"a": Linear(2, 1, rng=0)})
    heads.update([("b", ReLU())])
    heads["c"] = Linear(1, 1, rng=0)
    assert list(heads) == ["a", "b", "c"] and "b" in heads and len(heads) == 3
    assert [name for name, _ in heads.named_parameters()] == ["a.weight", "a.bias", "c.weight", "c.bias"]
    assert isinstance(heads.pop("b"), ReLU) and heads.keys() == ["a", "c"]
    with pytest.raises(KeyError, match="contains a dot"):
        heads["x.y"] = ReLU()
    with pytest.raises(KeyError, match="already an attribute of ModuleDict"):
        heads["training"] = ReLU()
    with pytest.raises(KeyError, match=r"ModuleDict has no module 'z'; its keys are \['a', 'c'\]"):
        heads["z"]  # noqa: B018
    with pytest.raises(TypeError, match="the value for 'd' must be a Module"):
        heads["d"] = 3


# --------------------------------------------------------------- train() / eval()


def test_train_and_eval_set_training_on_every_module():
    model = MLP(2, 3, 1, rng=0)
    assert all(m.training for m in model.modules())
    assert model.eval() is model and not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    with pytest.raises(ValueError, match="mode must be True or False, got a str"):
        model.train("no")


# --------------------------------------------------------------- state_dict / load_state_dict


def test_state_dict_is_a_copy_in_named_parameters_order():
    model = MLP(2, 3, 1, rng=0)
    state = model.state_dict()
    assert list(state) == [name for name, _ in model.named_parameters()]
    with no_grad():
        model.layers[0].weight += 1.0
    assert not np.array_equal(state["layers.0.weight"], model.layers[0].weight.array)


def test_load_state_dict_restores_values_through_a_file(tmp_path):
    source, target = MLP(2, 3, 1, rng=0), MLP(2, 3, 1, rng=1)
    np.savez(tmp_path / "model.npz", **source.state_dict())
    with np.load(tmp_path / "model.npz") as saved:
        assert target.load_state_dict(saved) == ([], [])
    for (name, a), (_, b) in zip(source.named_parameters(), target.named_parameters()):
        assert np.array_equal(a.array, b.array), name
    assert all(p.version == 1 for p in target.parameters())  # loaded in place, counted


def test_load_state_dict_names_missing_unexpected_and_wrong_shape_keys_and_loads_nothing():
    model = MLP(2, 3, 1, rng=0)
    before = model.state_dict()
    state = dict(before)
    del state["layers.2.bias"]
    state["layers.9.weight"] = np.zeros(3)
    state["layers.0.weight"] = np.zeros((2, 3))
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(state)
    message = str(info.value)
    assert "missing key(s): 'layers.2.bias'" in message
    assert "unexpected key(s): 'layers.9.weight'" in message
    assert "shape mismatch for 'layers.0.weight': the layer sizes differ: the model's parameter has shape (3, 2), the state_dict holds shape (2, 3)" in message
    assert "nothing was loaded" in message
    assert "or pass strict=False" not in message  # it would skip the keys, not the wrong shape
    for name, value in model.state_dict().items():
        assert np.array_equal(value, before[name]), name


def test_load_state_dict_not_strict_loads_the_shared_keys():
    model = MLP(2, 3, 1, rng=0)
    result = model.load_state_dict({"layers.0.bias": np.ones(3), "extra": np.ones(1)}, strict=False)
    assert result.missing_keys == ["layers.0.weight", "layers.2.weight", "layers.2.bias"]
    assert result.unexpected_keys == ["extra"]
    assert np.array_equal(model.layers[0].bias.array, np.ones(3))
    with pytest.raises(RuntimeError, match="shape mismatch for 'layers.0.bias'"):
        model.load_state_dict({"layers.0.bias": np.ones(4)}, strict=False)  # a wrong shape is always an error


SUGGESTS_STRICT_FALSE = "or pass strict=False to load only the keys both have"


@pytest.mark.parametrize("strict", [True, False])
def test_a_shape_mismatch_says_the_layer_sizes_differ_and_does_not_suggest_strict_false(strict):
    model, saved = MLP(2, 3, 1, rng=0), MLP(2, 5, 1, rng=0).state_dict()
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(saved, strict=strict)
    message = str(info.value)
    assert ("shape mismatch for 'layers.0.weight': the layer sizes differ: the model's parameter has shape (3, 2), "
            "the state_dict holds shape (5, 2)") in message
    assert "Build the model with the layer sizes of the model the state_dict was saved from" in message
    assert "strict=False would not help" in message
    assert SUGGESTS_STRICT_FALSE not in message


def test_a_value_that_is_not_numbers_does_not_suggest_strict_false():
    with pytest.raises(RuntimeError) as info:
        Linear(2, 1, rng=0).load_state_dict({"weight": np.zeros((1, 2)), "bias": ["a"]}, strict=False)
    assert "strict=False would not help" in str(info.value) and SUGGESTS_STRICT_FALSE not in str(info.value)


@pytest.mark.parametrize(
    "change", [lambda state: state.pop("bias"), lambda state: state.update(extra=np.ones(1))], ids=["missing", "unexpected"]
)
def test_only_missing_or_unexpected_keys_suggest_strict_false(change):
    layer = Linear(2, 1, rng=0)
    state = layer.state_dict()
    change(state)
    with pytest.raises(RuntimeError, match=SUGGESTS_STRICT_FALSE):
        layer.load_state_dict(state)
    layer.load_state_dict(state, strict=False)  # and it does load


@needs_torch
def test_torch_strict_false_does_not_skip_a_size_mismatch_either():
    with pytest.raises(RuntimeError, match="size mismatch for weight"):
        torch.nn.Linear(2, 1).load_state_dict({"weight": torch.zeros(2, 2), "bias": torch.zeros(1)}, strict=False)


def test_load_state_dict_refuses_non_numbers_and_non_mappings():
    layer = Linear(2, 1, rng=0)
    with pytest.raises(RuntimeError, match="'bias' holds a list of dtype <U1, not numbers"):
        layer.load_state_dict({"weight": np.zeros((1, 2)), "bias": ["a"]})
    with pytest.raises(TypeError, match="expected a mapping of parameter names to arrays"):
        layer.load_state_dict([np.zeros((1, 2))])


def test_load_state_dict_makes_an_old_graph_refuse_backward():
    layer = Linear(2, 1, rng=0)
    loss = layer(Tensor([[1.0, 2.0]])).sum()
    layer.load_state_dict(layer.state_dict())
    with pytest.raises(RuntimeError, match="changed in place"):
        loss.backward()


@needs_torch
def test_torch_names_the_same_three_kinds_of_bad_key():
    layer = torch.nn.Linear(2, 1)
    with pytest.raises(RuntimeError, match=r'(?s)Missing key.*"bias".*Unexpected key.*"b".*size mismatch for weight'):
        layer.load_state_dict({"weight": torch.ones(2, 2), "b": torch.zeros(1)})


def test_nn_functional_is_an_attribute_of_nn():
    import autograd_lite.nn as nn
    from autograd_lite.nn import functional

    assert nn.functional is functional and callable(nn.functional.cross_entropy)


# --------------------------------------------------------------- error messages name what the user did


@pytest.mark.parametrize("kind", ["Sequential", "ModuleList"])
def test_slice_assignment_is_refused_as_not_supported_and_the_container_is_unchanged(kind):
    from autograd_lite.nn import ModuleList

    first, second = ReLU(), Linear(2, 2, rng=0)
    container = Sequential(first, second) if kind == "Sequential" else ModuleList([first, second])
    with pytest.raises(TypeError) as info:
        container[0:1] = [ReLU()]
    message = str(info.value)
    assert message.startswith(f"{kind}: slice assignment ({kind.lower()}[0:1] = ...) is not supported")
    assert "Assign one index at a time" in message
    assert "got a slice" not in message
    assert list(container) == [first, second]


@needs_torch
@pytest.mark.parametrize("kind", ["Sequential", "ModuleList"])
def test_torch_refuses_slice_assignment_too(kind):
    layers = [torch.nn.ReLU(), torch.nn.ReLU()]
    container = torch.nn.Sequential(*layers) if kind == "Sequential" else torch.nn.ModuleList(layers)
    with pytest.raises(TypeError):
        container[0:1] = [torch.nn.ReLU()]


def test_an_index_that_is_not_an_integer_says_what_each_operation_takes():
    model = Sequential(ReLU(), ReLU())
    with pytest.raises(TypeError, match=r"^Sequential indices must be integers, got a str: 'a'\.$"):
        model["a"] = ReLU()
    with pytest.raises(TypeError, match=r"^Sequential indices must be integers or slices, got a str: 'a'\.$"):
        model["a"]  # noqa: B018


@pytest.mark.parametrize(
    "action, where",
    [
        (lambda s: s.extend([max]), "extend's item 0"),
        (lambda s: s.extend([ReLU(), max]), "extend's item 1"),
        (lambda s: s.__setitem__(1, max), r"the module assigned to \[1\]"),
        (lambda s: s.__setitem__(-1, max), r"the module assigned to \[-1\]"),
        (lambda s: s.insert(0, max), "the module passed to insert"),
        (lambda s: s.append(max), "append's argument"),
    ],
    ids=["extend", "extend-second", "setitem", "setitem-negative", "insert", "append"],
)
def test_a_non_module_error_names_what_the_user_did_not_a_position_in_the_rebuilt_list(action, where):
    model = Sequential(ReLU(), ReLU())
    layers = list(model)
    with pytest.raises(TypeError, match=rf"^Sequential: {where} must be a Module .* got builtin_function_or_method"):
        action(model)
    assert list(model) == layers  # nothing changed


def test_module_list_constructor_names_the_item_of_the_modules_passed():
    from autograd_lite.nn import ModuleList

    with pytest.raises(TypeError, match=r"^ModuleList: item 1 of the modules passed must be a Module"):
        ModuleList([ReLU(), max])


def test_a_cycle_made_by_extend_or_insert_is_still_refused():
    model = Sequential(ReLU())
    with pytest.raises(ValueError, match="would make a cycle"):
        model.extend([model])
    with pytest.raises(ValueError, match="would make a cycle"):
        model.insert(0, model)
    assert len(model) == 1


@pytest.mark.parametrize("hidden", [4.0, "64", None, np.float64(8.0)])
def test_mlp_hidden_features_of_the_wrong_type_says_what_was_passed_and_the_two_forms(hidden):
    with pytest.raises(TypeError) as info:
        MLP(2, hidden, 1)
    message = str(info.value)
    assert f"got a {type(hidden).__name__}: {hidden!r}" in message
    assert "an int such as 64" in message and "a list of widths" in message
    assert "MLP(2, 64, 1) or MLP(2, [128, 64], 1)" in message


def test_mlp_takes_a_tuple_of_widths_and_a_numpy_integer():
    assert [layer.out_features for layer in MLP(2, (3, 4), 1, rng=0).layers[::2]] == [3, 4, 1]
    assert MLP(2, np.int64(5), 1, rng=0).layers[0].out_features == 5


def test_module_dict_takes_another_module_dict_as_a_mapping():
    from autograd_lite.nn import ModuleDict

    source = ModuleDict({"a": Linear(2, 1, rng=0), "b": ReLU()})
    copy = ModuleDict(source)
    assert copy.items() == source.items()  # the same Modules under the same keys
    target = ModuleDict({"c": ReLU()})
    target.update(source)
    assert target.keys() == ["c", "a", "b"] and target["a"] is source["a"]


@needs_torch
def test_torch_module_dict_takes_another_module_dict_too():
    source = torch.nn.ModuleDict({"a": torch.nn.ReLU()})
    target = torch.nn.ModuleDict({"c": torch.nn.ReLU()})
    target.update(source)
    assert list(torch.nn.ModuleDict(source)) == ["a"] and list(target) == ["c", "a"]


@pytest.mark.parametrize("key", [1, "", "a.b", "keys", "training", "forward"])
def test_module_dict_key_errors_listed_in_its_docstring(key):
    from autograd_lite.nn import ModuleDict

    with pytest.raises(KeyError):
        ModuleDict({key: ReLU()})


# ------------------------------------------- behaviours found by the mutation run of nn/modules


def test_plain_attribute_set_before_super_init_is_kept():
    # PyTorch allows a plain (non-Parameter, non-Module) attribute before super().__init__().
    class Early(Module):
        def __init__(self):
            self.width = 3
            super().__init__()

    assert Early().width == 3


def test_setting_a_submodule_to_none_drops_its_weights_but_keeps_its_place():
    # As in PyTorch: the name stays registered (value None), so re-assigning it keeps the order.
    model = Module()
    model.a = Linear(2, 2, rng=0)
    model.b = Linear(2, 2, rng=1)
    model.a = None
    assert model.a is None
    assert [name for name, _ in model.named_children()] == ["b"]
    assert [name for name, _ in model.named_parameters()] == ["b.weight", "b.bias"]
    model.a = Linear(2, 2, rng=2)
    assert [name for name, _ in model.named_children()] == ["a", "b"]


def test_registering_a_module_inside_itself_says_which_cycle():
    outer, inner = Module(), Module()
    with pytest.raises(ValueError, match="it is this very Module"):
        outer.me = outer
    outer.child = inner
    with pytest.raises(ValueError, match="already inside it, as 'child'"):
        inner.back = outer


def test_named_modules_lists_a_shared_module_once_unless_remove_duplicate_is_false():
    # PyTorch: ['', 'a'] and ['', 'a', 'b'] for the same model.
    shared = Linear(2, 2, rng=0)
    model = Module()
    model.a = shared
    model.b = shared
    assert [name for name, _ in model.named_modules()] == ["", "a"]
    assert [name for name, _ in model.named_modules(remove_duplicate=False)] == ["", "a", "b"]
    assert list(model.modules()) == [model, shared]


def test_linear_accepts_a_numpy_array_or_a_list():
    # A convenience of this library (PyTorch's Linear wants a Tensor): array-likes are wrapped.
    layer = Linear(3, 2, rng=0)
    x = np.array([[1.0, -2.0, 0.5]])
    expected = layer(Tensor(x)).array
    for raw in (x, x.tolist()):
        out = layer(raw)
        assert isinstance(out, Tensor)
        np.testing.assert_array_equal(out.array, expected)
    layer(x).sum().backward()
    np.testing.assert_allclose(layer.weight.grad, np.tile(x, (2, 1)))


def test_negative_index_minus_len_is_the_first_item():
    first, second = Linear(1, 1, rng=0), ReLU()
    seq = Sequential(first, second)
    assert seq[-len(seq)] is first
    with pytest.raises(IndexError, match="out of range"):
        seq[-len(seq) - 1]


def test_del_removes_an_item_or_a_slice_and_renumbers():
    a, b, c, d = Linear(1, 1, rng=0), ReLU(), Linear(1, 1, rng=1), ReLU()
    for container in (Sequential, ModuleList):
        seq = container(a, b, c, d) if container is Sequential else ModuleList([a, b, c, d])
        del seq[1:3]
        assert list(seq) == [a, d]
        assert [name for name, _ in seq.named_children()] == ["0", "1"]
        del seq[-1]
        assert list(seq) == [a]
        with pytest.raises(IndexError, match="out of range"):
            del seq[5]


def test_removed_items_are_no_longer_attributes():
    # As in PyTorch: after del seq[2], getattr(seq, "2") raises AttributeError.
    a, b, c = Linear(1, 1, rng=0), ReLU(), Linear(1, 1, rng=1)
    seq = Sequential(a, b, c)
    del seq[2]
    assert getattr(seq, "1") is b
    with pytest.raises(AttributeError):
        getattr(seq, "2")


def test_extend_returns_the_container_and_names_new_items_after_the_existing_ones():
    # PyTorch's Sequential.extend and ModuleList.extend return self too.
    seq = Sequential(Linear(1, 1, rng=0), ReLU())
    new = Linear(1, 1, rng=1)
    assert seq.extend([new]) is seq
    assert [name for name, _ in seq.named_children()] == ["0", "1", "2"]
    assert seq[2] is new
    items = ModuleList()
    assert items.extend([ReLU()]) is items
    # The name an item would get is in the error when it cannot go in: items 0 and 1 would be '3' and '4'.
    with pytest.raises(ValueError, match="registering Sequential as '4'"):
        seq.extend([ReLU(), seq])
    assert len(seq) == 3


def test_module_dict_values_del_and_update():
    relu, layer = ReLU(), Linear(2, 2, rng=0)
    d = ModuleDict({"act": relu})
    d.update([("fc", layer)])
    assert d.values() == [relu, layer]
    assert d.keys() == ["act", "fc"]
    with pytest.raises(KeyError, match="missing"):  # PyTorch: KeyError too
        del d["missing"]
    del d["act"]
    assert d.values() == [layer]
    assert [name for name, _ in d.named_parameters()] == ["fc.weight", "fc.bias"]


@pytest.mark.parametrize("bad", [[("x", ReLU(), "extra")], [ReLU()], ["ab"]])
def test_module_dict_update_refuses_items_that_are_not_key_module_pairs(bad):
    d = ModuleDict()
    with pytest.raises(TypeError, match=r"expected a dict of Modules or \(key, Module\) pairs"):
        d.update(bad)
    assert len(d) == 0


def test_mlp_int_seed_gives_each_layer_its_own_weights_and_the_same_network_each_time():
    model = MLP(3, [3, 3], 3, rng=5)
    weights = [layer.weight.array for layer in model.layers if isinstance(layer, Linear)]
    assert len(weights) == 3
    assert not np.array_equal(weights[0], weights[1])
    assert not np.array_equal(weights[1], weights[2])
    again = MLP(3, [3, 3], 3, rng=5)
    for (name, p), (name_again, q) in zip(model.named_parameters(), again.named_parameters()):
        assert name == name_again
        np.testing.assert_array_equal(p.array, q.array)
    assert not np.array_equal(MLP(3, [3, 3], 3, rng=6).layers[0].weight.array, weights[0])


@pytest.mark.parametrize("container", [Sequential, ModuleList])
def test_extend_with_one_module_or_a_number_says_to_pass_a_list(container):
    make = (lambda *layers: container(*layers)) if container is Sequential else (lambda *layers: container(list(layers)))
    seq = make(ReLU())
    with pytest.raises(TypeError, match=rf"{container.__name__}\.extend: expected a list .* got ReLU: ReLU\(\)\. For one Module use append"):
        seq.extend(ReLU())
    with pytest.raises(TypeError, match="got int: 5"):
        seq.extend(5)
    assert len(seq) == 1
    assert len(seq.extend(make(ReLU(), ReLU()))) == 3  # another container is a list of Modules


def test_module_dict_of_something_that_is_not_a_collection_says_what_it_takes():
    with pytest.raises(TypeError, match=r"expected a dict of Modules, another ModuleDict or \(key, Module\) pairs, got int: 5"):
        ModuleDict(5)
    with pytest.raises(TypeError, match=r"got ReLU: ReLU\(\)\. For one Module write module_dict\[key\] = module"):
        ModuleDict().update(ReLU())
