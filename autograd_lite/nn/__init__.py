"""Layers for training networks: Parameter, Module, Linear, ReLU, Sequential, MLP.

Explained in the book's chapter 10 (Training a neural network), which trains
an :class:`MLP` on handwritten digits with nothing but the engine of chapters
7-9.  The losses live in ``autograd_lite.nn.functional`` and the optimisers
in ``autograd_lite.optim``.

The names and the semantics follow PyTorch's ``torch.nn``:

- a :class:`Parameter` is a leaf Tensor that requires grad;
- a :class:`Module` registers the Parameters and Modules assigned to its
  attributes, in order, so ``model.parameters()`` finds every weight;
- ``Linear(in_features, out_features)`` holds a weight of shape
  ``(out_features, in_features)`` and computes ``x @ weight.T + bias``.

>>> import numpy as np
>>> from autograd_lite import Tensor
>>> from autograd_lite.nn import MLP
>>> model = MLP(4, 8, 3, rng=np.random.default_rng(0))
>>> model
MLP(
  (layers): Sequential(
    (0): Linear(in_features=4, out_features=8, bias=True)
    (1): ReLU()
    (2): Linear(in_features=8, out_features=3, bias=True)
  )
)
>>> [(name, p.shape) for name, p in model.named_parameters()]
[('layers.0.weight', (8, 4)), ('layers.0.bias', (8,)), ('layers.2.weight', (3, 8)), ('layers.2.bias', (3,))]
>>> model(Tensor(np.ones((5, 4)))).shape
(5, 3)
"""

from __future__ import annotations

import math
import numbers
from typing import Iterator

import numpy as np

from ..functions import relu
from ..tensor import Tensor

__all__ = ["Parameter", "Module", "Linear", "ReLU", "Sequential", "MLP"]


class Parameter(Tensor):
    """A Tensor that is a weight of a model: a leaf that always requires grad.

    Assigning a Parameter to an attribute of a :class:`Module` registers it,
    so ``module.parameters()`` (and through it the optimiser) finds it.
    ``Parameter(data)`` copies ``data``, which must be floating point.

    >>> from autograd_lite.nn import Parameter
    >>> w = Parameter([[1.0, 2.0], [3.0, 4.0]])
    >>> w
    Parameter([[1., 2.],
               [3., 4.]])
    >>> w.requires_grad, w.is_leaf
    (True, True)
    >>> (w * w).sum().backward()
    >>> w.grad
    Tensor([[2., 4.],
            [6., 8.]])
    """

    __slots__ = ()

    def __init__(self, data):
        array = np.asarray(data.array if isinstance(data, Tensor) else data)
        if array.dtype.kind != "f":
            raise TypeError(
                f"Parameter: a parameter must hold floating-point values (it gets a gradient), but "
                f"the data has dtype {array.dtype}: {array!r}. Convert it first, e.g. "
                "Parameter(np.asarray(data, dtype=float))."
            )
        super().__init__(array, requires_grad=True)

    def __repr__(self) -> str:
        values = np.array2string(self.array, separator=", ", prefix="Parameter(")
        dtype = "" if self.array.dtype == np.float64 else f", dtype={self.array.dtype}"
        return f"Parameter({values}{dtype})"


def _as_generator(rng) -> np.random.Generator:
    """A numpy Generator from ``rng``: a Generator (used as is), an int seed, or None (fresh entropy)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be a numpy Generator (np.random.default_rng(0)), an int seed, or None, "
        f"got {type(rng).__name__}: {rng!r}."
    )


def _check_size(owner: str, name: str, value) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer (a number of features), got {value!r}.")
    return int(value)


class Module:
    """The base class of every layer and model: it finds its own parameters.

    A subclass calls ``super().__init__()`` first, then assigns its
    :class:`Parameter` s and sub-Modules to attributes; each is registered
    under its attribute name, in the order assigned.  It defines
    ``forward(self, ...)``, and ``module(x)`` calls it.

    - ``parameters()`` yields every Parameter: the Module's own, then each
      sub-Module's, depth first;
    - ``named_parameters()`` yields ``(dotted name, Parameter)`` pairs such as
      ``("layers.0.weight", ...)``;
    - ``zero_grad()`` sets every parameter's ``.grad`` to None (PyTorch's
      default); ``zero_grad(set_to_none=False)`` sets it to zeros instead.

    >>> from autograd_lite import Tensor
    >>> from autograd_lite.nn import Module, Parameter
    >>> class Scale(Module):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.factor = Parameter([2.0])
    ...     def forward(self, x):
    ...         return x * self.factor
    >>> scale = Scale()
    >>> scale(Tensor([1.0, 3.0]))
    Tensor([2., 6.], recipe=multiply)
    >>> list(scale.named_parameters())
    [('factor', Parameter([2.]))]

    A Module with no ``forward`` says so when called:

    >>> class Forgotten(Module):
    ...     pass
    >>> Forgotten()(Tensor([1.0]))
    Traceback (most recent call last):
    ...
    NotImplementedError: Forgotten has no forward method, so calling it has nothing to compute. Define forward(self, x) in class Forgotten to return the output, e.g. `def forward(self, x): return x @ self.weight.T`.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_modules", {})

    # ------------------------------------------------------------ registration

    def __setattr__(self, name: str, value) -> None:
        if "_parameters" not in self.__dict__:
            if isinstance(value, (Parameter, Module)):
                kind = "Parameter" if isinstance(value, Parameter) else "Module"
                raise AttributeError(
                    f"{type(self).__name__}: cannot register the {kind} {name!r} before "
                    f"Module.__init__() has run. Call super().__init__() as the first line of "
                    f"{type(self).__name__}.__init__."
                )
            object.__setattr__(self, name, value)
            return
        if (
            isinstance(value, Tensor)
            and not isinstance(value, Parameter)
            and value.requires_grad
            and value.is_leaf
        ):
            raise TypeError(
                f"{type(self).__name__}.{name}: a plain Tensor with requires_grad=True is not "
                "registered, so parameters() and the optimiser would never see it. Assign "
                f"Parameter(data) instead (self.{name} = Parameter(...)); for a constant, use a "
                "Tensor without requires_grad."
            )
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        if isinstance(value, Parameter):
            self._parameters[name] = value
        elif isinstance(value, Module):
            self._modules[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    # ------------------------------------------------------------ walking the tree

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """The directly registered sub-Modules, as ``(attribute name, Module)`` pairs, in order.

        >>> from autograd_lite.nn import MLP
        >>> [name for name, _ in MLP(2, 3, 1, rng=0).layers.named_children()]
        ['0', '1', '2']
        """
        yield from self._modules.items()

    def children(self) -> Iterator["Module"]:
        """The directly registered sub-Modules, in order.

        >>> from autograd_lite.nn import MLP
        >>> list(MLP(2, 3, 1, rng=0).children())
        [Sequential(
          (0): Linear(in_features=2, out_features=3, bias=True)
          (1): ReLU()
          (2): Linear(in_features=3, out_features=1, bias=True)
        )]
        """
        for _, module in self.named_children():
            yield module

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Every Parameter with its dotted name: the Module's own first, then each sub-Module's.

        A Parameter shared by two layers is yielded once, under its first name.

        >>> from autograd_lite.nn import Linear, Sequential, ReLU
        >>> model = Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=0))
        >>> [name for name, _ in model.named_parameters()]
        ['0.weight', '0.bias', '2.weight', '2.bias']
        """
        seen: set[int] = set()
        for name, parameter in self._named_parameters_unique(prefix, recurse):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                yield name, parameter

    def _named_parameters_unique(self, prefix: str, recurse: bool):
        for name, parameter in self._parameters.items():
            yield prefix + name, parameter
        if recurse:
            for name, module in self._modules.items():
                yield from module._named_parameters_unique(f"{prefix}{name}.", True)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every Parameter, in the order of :meth:`named_parameters`: what an optimiser updates.

        >>> from autograd_lite.nn import Linear
        >>> sum(p.size for p in Linear(64, 10, rng=0).parameters())
        650
        """
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient before the next ``backward()`` (gradients accumulate).

        ``set_to_none=True`` (the default, as in PyTorch) sets ``.grad`` to
        None, so an optimiser skips a parameter that gets no new gradient;
        ``set_to_none=False`` sets it to a Tensor of zeros.

        >>> from autograd_lite import Tensor
        >>> from autograd_lite.nn import Linear
        >>> layer = Linear(2, 1, rng=0)
        >>> layer(Tensor([[1.0, 2.0]])).sum().backward()
        >>> layer.bias.grad
        Tensor([1.])
        >>> layer.zero_grad()
        >>> layer.bias.grad is None
        True
        >>> layer.zero_grad(set_to_none=False)
        >>> layer.bias.grad
        Tensor([0.])
        """
        for parameter in self.parameters():
            parameter.grad = None if set_to_none else Tensor(np.zeros_like(parameter.array))

    # ------------------------------------------------------------ calling it

    def forward(self, *args, **kwargs):
        """What the Module computes; every subclass defines its own, and ``module(x)`` calls it.

        >>> from autograd_lite import Tensor
        >>> from autograd_lite.nn import ReLU
        >>> ReLU().forward(Tensor([-1.0, 1.0]))
        Tensor([0., 1.])
        """
        name = type(self).__name__
        raise NotImplementedError(
            f"{name} has no forward method, so calling it has nothing to compute. Define "
            f"forward(self, x) in class {name} to return the output, e.g. "
            "`def forward(self, x): return x @ self.weight.T`."
        )

    def __call__(self, *args, **kwargs):
        """``module(x)`` runs ``module.forward(x)``."""
        return self.forward(*args, **kwargs)

    # ------------------------------------------------------------ printing

    def extra_repr(self) -> str:
        """The text inside this Module's parentheses when printed (its settings); empty by default.

        >>> from autograd_lite.nn import Linear
        >>> Linear(3, 2, bias=False, rng=0).extra_repr()
        'in_features=3, out_features=2, bias=False'
        """
        return ""

    def __repr__(self) -> str:
        lines = []
        for name, module in self._modules.items():
            child = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child}")
        if not lines:
            return f"{type(self).__name__}({self.extra_repr()})"
        extra = self.extra_repr()
        head = f"{type(self).__name__}(" + (f"\n  {extra}" if extra else "")
        return head + "\n" + "\n".join(lines) + "\n)"


class Linear(Module):
    r"""A fully connected layer: ``y = x @ weight.T + bias``.

    - ``weight`` has shape ``(out_features, in_features)`` (as in PyTorch):
      row ``j`` holds the weights of output ``j``;
    - ``bias`` has shape ``(out_features,)``, or is None with ``bias=False``;
    - both start uniform in $[-1/\sqrt{in}, 1/\sqrt{in}]$ (PyTorch's
      default), drawn from ``rng`` (a numpy Generator, an int seed, or None
      for fresh randomness): the same seed gives the same layer.

    ``x`` has shape ``(..., in_features)``; the output ``(..., out_features)``.

    >>> import numpy as np
    >>> from autograd_lite import Tensor
    >>> from autograd_lite.nn import Linear
    >>> layer = Linear(3, 2, rng=np.random.default_rng(0))
    >>> layer.weight.shape, layer.bias.shape
    ((2, 3), (2,))
    >>> x = Tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    >>> out = layer(x)
    >>> bool(np.allclose(out.array, x.array @ layer.weight.array.T + layer.bias.array))
    True
    >>> out.sum().backward()
    >>> layer.weight.grad
    Tensor([[1., 1., 0.],
            [1., 1., 0.]])
    >>> layer(Tensor([1.0, 2.0]))
    Traceback (most recent call last):
    ...
    ValueError: Linear: the input's last dimension must be in_features=3, but the input has shape (2,). Pass x of shape (batch, 3): one row of 3 features per example.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, rng=None):
        super().__init__()
        self.in_features = _check_size("Linear", "in_features", in_features)
        self.out_features = _check_size("Linear", "out_features", out_features)
        rng = _as_generator(rng)
        bound = 1 / math.sqrt(self.in_features)
        self.weight = Parameter(rng.uniform(-bound, bound, size=(self.out_features, self.in_features)))
        self.bias = Parameter(rng.uniform(-bound, bound, size=self.out_features)) if bias else None

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(x)
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear: the input's last dimension must be in_features={self.in_features}, but the "
                f"input has shape {x.shape}. Pass x of shape (batch, {self.in_features}): one row of "
                f"{self.in_features} features per example."
            )
        out = x @ self.weight.T
        if self.bias is not None:
            out = out + self.bias
        return out

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class ReLU(Module):
    """The rectified linear unit as a layer: ``max(x, 0)`` elementwise.

    >>> from autograd_lite import Tensor
    >>> from autograd_lite.nn import ReLU
    >>> ReLU()(Tensor([-1.0, 0.0, 2.0]))
    Tensor([0., 0., 2.])
    """

    def forward(self, x):
        return relu(x)


class Sequential(Module):
    """Modules applied one after the other: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    The modules are registered as ``"0"``, ``"1"``, ...; index with
    ``model[0]``, slice with ``model[:2]`` (a new Sequential of the same
    layers), and iterate with ``for layer in model``.

    >>> from autograd_lite import Tensor
    >>> from autograd_lite.nn import Linear, ReLU, Sequential
    >>> model = Sequential(Linear(2, 3, rng=0), ReLU(), Linear(3, 1, rng=1))
    >>> len(model), model[0]
    (3, Linear(in_features=2, out_features=3, bias=True))
    >>> model(Tensor([[1.0, -1.0]])).shape
    (1, 1)
    >>> Sequential(Linear(2, 3, rng=0), max)
    Traceback (most recent call last):
    ...
    TypeError: Sequential: argument 1 must be a Module (a layer such as Linear(2, 3) or ReLU()), got builtin_function_or_method: <built-in function max>.
    """

    def __init__(self, *modules: Module):
        super().__init__()
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: argument {i} must be a Module (a layer such as Linear(2, 3) or "
                    f"ReLU()), got {type(module).__name__}: {module!r}."
                )
            setattr(self, str(i), module)

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return Sequential(*modules[index])
        return modules[index]


class MLP(Module):
    """A multilayer perceptron: Linear layers with a ReLU between each pair, no activation at the end.

    ``MLP(in_features, hidden_features, out_features)``: ``hidden_features``
    is one width (``64``) or a list of widths (``[128, 64]``), one per hidden
    layer.  The layers live in ``self.layers``, a :class:`Sequential`; the
    output is the last layer's raw scores (logits), ready for
    ``cross_entropy``.  One ``rng`` draws every layer's initial weights.

    >>> from autograd_lite.nn import MLP
    >>> model = MLP(64, [32, 16], 10, rng=0)
    >>> [layer for layer in model.layers]
    [Linear(in_features=64, out_features=32, bias=True), ReLU(), Linear(in_features=32, out_features=16, bias=True), ReLU(), Linear(in_features=16, out_features=10, bias=True)]
    >>> sum(p.size for p in model.parameters())
    2778
    """

    def __init__(self, in_features: int, hidden_features, out_features: int, rng=None):
        super().__init__()
        if isinstance(hidden_features, numbers.Integral):
            hidden_features = [hidden_features]
        hidden = list(hidden_features)
        for width in hidden:
            _check_size("MLP", "each hidden width", width)
        rng = _as_generator(rng)
        sizes = [in_features, *hidden, out_features]
        layers: list[Module] = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            if i > 0:
                layers.append(ReLU())
            layers.append(Linear(n_in, n_out, rng=rng))
        self.layers = Sequential(*layers)

    def forward(self, x):
        return self.layers(x)

