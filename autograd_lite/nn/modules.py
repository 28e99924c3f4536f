"""Layers for training networks: Parameter, Module, Linear, ReLU, Sequential, ModuleList, ModuleDict, MLP.

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
from collections.abc import Mapping
from typing import Iterable, Iterator, NamedTuple

import numpy as np

from ..functions import relu
from ..tensor import Tensor, no_grad

__all__ = ["Parameter", "Module", "IncompatibleKeys", "Linear", "ReLU", "Sequential", "ModuleList", "ModuleDict", "MLP"]


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


def _a(value) -> str:
    """'a Tensor', 'an int': the type of ``value`` with its article, for error messages."""
    name = type(value).__name__
    return f"{'an' if name[0].lower() in 'aeiou' else 'a'} {name}"


def _variable(module) -> str:
    """A lower-case name for ``module`` in an example line of code: ``Scale`` -> ``scale``."""
    return type(module).__name__.lower()


def _slice_text(index: slice) -> str:
    """``slice(0, 1, None)`` as it was written in brackets: ``0:1``."""
    text = ":".join("" if part is None else str(part) for part in (index.start, index.stop))
    return text if index.step is None else f"{text}:{index.step}"


def _check_size(owner: str, name: str, value) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer (a number of features), got {value!r}.")
    return int(value)


class IncompatibleKeys(NamedTuple):
    """What :meth:`Module.load_state_dict` returns: the keys it did not use (both empty when strict).

    ``missing_keys`` are the model's parameters the state_dict has no value
    for; ``unexpected_keys`` are the state_dict's keys the model has no
    parameter for.  PyTorch returns the same pair.
    """

    missing_keys: list[str]
    unexpected_keys: list[str]


def _forgot_init_message(cls_name: str) -> str:
    return (
        f"{cls_name}.__init__ did not call super().__init__(), so this Module was never set up: it has "
        "no registry of Parameters and sub-Modules, and parameters() could not find its weights. Call "
        f"super().__init__() as the first line of {cls_name}.__init__."
    )


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
      default); ``zero_grad(set_to_none=False)`` sets it to zeros instead;
    - ``train()`` / ``eval()`` set the ``training`` flag of the Module and
      every sub-Module;
    - ``state_dict()`` / ``load_state_dict()`` save and restore the weights.

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

    A registered Parameter can only be replaced by a Parameter (or None), as
    in PyTorch: anything else would silently drop the weight from
    ``parameters()`` and so from the optimiser.

    >>> scale.factor = Tensor([3.0])
    Traceback (most recent call last):
    ...
    TypeError: Scale.factor is a registered Parameter, so it can only be replaced by a Parameter (or None), but got a Tensor: Tensor([3.]). Assigning it would silently take the weight out of parameters() and the optimiser. Wrap it, self.factor = Parameter(value), or change the values in place: `with no_grad(): scale.factor[...] = value`.

    A Module with no ``forward`` says so when called:

    >>> class Forgotten(Module):
    ...     pass
    >>> Forgotten()(Tensor([1.0]))
    Traceback (most recent call last):
    ...
    NotImplementedError: Forgotten has no forward method, so calling it has nothing to compute. Define forward(self, x) in class Forgotten to return the output, e.g. `def forward(self, x): return x @ self.weight.T`.
    """

    def __init__(self) -> None:
        object.__setattr__(self, "_parameters", {})  # name -> Parameter (or None), in order assigned
        object.__setattr__(self, "_modules", {})  # name -> Module (or None), in order assigned
        object.__setattr__(self, "training", True)

    # ------------------------------------------------------------ registration

    def __getattr__(self, name: str):
        # Only reached when ordinary lookup fails: the registries are missing
        # when a subclass's __init__ forgot super().__init__().
        if name in ("_parameters", "_modules", "training"):
            raise AttributeError(_forgot_init_message(type(self).__name__))
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value) -> None:
        parameters = self.__dict__.get("_parameters")
        if parameters is None:
            if isinstance(value, (Parameter, Module)):
                kind = "Parameter" if isinstance(value, Parameter) else "Module"
                raise AttributeError(
                    f"{type(self).__name__}: cannot register the {kind} {name!r} before Module.__init__() "
                    f"has run: {type(self).__name__}.__init__ did not call super().__init__() before "
                    f"assigning it. Call super().__init__() as the first line of {type(self).__name__}.__init__."
                )
            object.__setattr__(self, name, value)
            return
        modules = self._modules
        owner = f"{type(self).__name__}.{name}"
        if isinstance(value, Parameter):
            modules.pop(name, None)
            parameters[name] = value  # an existing name keeps its place in parameters()
        elif name in parameters:
            if value is not None:
                raise TypeError(
                    f"{owner} is a registered Parameter, so it can only be replaced by a Parameter (or "
                    f"None), but got {_a(value)}: {value!r}. Assigning it would silently take the weight "
                    f"out of parameters() and the optimiser. Wrap it, self.{name} = Parameter(value), or "
                    f"change the values in place: `with no_grad(): {_variable(self)}.{name}[...] = value`."
                )
            parameters[name] = None
        elif isinstance(value, Module):
            self._refuse_cycle(name, value)
            modules[name] = value
        elif name in modules:
            if value is not None:
                raise TypeError(
                    f"{owner} is a registered sub-Module, so it can only be replaced by a Module (or "
                    f"None), but got {_a(value)}: {value!r}. Assigning it would silently take the "
                    "sub-Module's weights out of parameters() and the optimiser."
                )
            modules[name] = None
        elif isinstance(value, Tensor) and value.requires_grad and value.is_leaf:
            raise TypeError(
                f"{owner}: a plain Tensor with requires_grad=True is not "
                "registered, so parameters() and the optimiser would never see it. Assign "
                f"Parameter(data) instead (self.{name} = Parameter(...)); for a constant, use a "
                "Tensor without requires_grad."
            )
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._parameters.pop(name, None)
        self._modules.pop(name, None)
        object.__delattr__(self, name)

    def _refuse_cycle(self, name: str, module: "Module") -> None:
        """Raise if ``self`` is inside ``module``: registering it would make the tree a loop."""
        for path, inner in module.named_modules():
            if inner is self:
                where = "it is this very Module" if not path else f"this {type(self).__name__} is already inside it, as {path!r}"
                raise ValueError(
                    f"{type(self).__name__}: registering {type(module).__name__} as {name!r} would make a "
                    f"cycle ({where}), so the Module would contain itself and walking it (parameters(), "
                    "state_dict(), printing) would never end. A model is a tree: build a new sub-Module "
                    "instead of nesting a Module inside itself."
                )

    # ------------------------------------------------------------ walking the tree

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """The directly registered sub-Modules, as ``(attribute name, Module)`` pairs, in order.

        >>> from autograd_lite.nn import MLP
        >>> [name for name, _ in MLP(2, 3, 1, rng=0).layers.named_children()]
        ['0', '1', '2']
        """
        for name, module in self._modules.items():
            if module is not None:
                yield name, module

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

    def named_modules(self, prefix: str = "", remove_duplicate: bool = True) -> Iterator[tuple[str, "Module"]]:
        """This Module (named ``prefix``, ``""`` by default) and every sub-Module, depth first.

        A sub-Module registered under two names is yielded once, under its
        first name, unless ``remove_duplicate=False``.

        >>> from autograd_lite.nn import MLP
        >>> [name for name, _ in MLP(2, 3, 1, rng=0).named_modules()]
        ['', 'layers', 'layers.0', 'layers.1', 'layers.2']
        """
        seen: set[int] = set()
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if remove_duplicate:
                if id(module) in seen:
                    continue
                seen.add(id(module))
            yield name, module
            children = [(f"{name}.{child_name}" if name else child_name, child) for child_name, child in module.named_children()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator["Module"]:
        """This Module and every sub-Module, in the order of :meth:`named_modules`."""
        for _, module in self.named_modules():
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
        for name, parameter in self._all_named_parameters(prefix, recurse):
            if id(parameter) not in seen:
                seen.add(id(parameter))
                yield name, parameter

    def _all_named_parameters(self, prefix: str = "", recurse: bool = True):
        """Every (dotted name, Parameter), a shared one under each of its names (what state_dict saves)."""
        modules = self.named_modules(prefix.rstrip("."), remove_duplicate=False) if recurse else [(prefix.rstrip("."), self)]
        for module_name, module in modules:
            for name, parameter in module._parameters.items():
                if parameter is not None:
                    yield (f"{module_name}.{name}" if module_name else name), parameter

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

    # ------------------------------------------------------------ training and evaluation modes

    def train(self, mode: bool = True) -> "Module":
        """Set ``training`` to ``mode`` on this Module and every sub-Module; return the Module.

        Layers whose behaviour differs between training and evaluation (such
        as dropout, in PyTorch) read ``self.training``.  A new Module is in
        training mode.

        >>> from autograd_lite.nn import MLP
        >>> model = MLP(2, 3, 1, rng=0)
        >>> model.training, model.eval().training, model.layers[0].training
        (True, False, False)
        >>> model.train().layers[0].training
        True
        """
        if not isinstance(mode, bool):
            raise ValueError(
                f"{type(self).__name__}.train: mode must be True or False, got {_a(mode)}: {mode!r}. "
                "Call model.train() to train and model.eval() to evaluate."
            )
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode: ``train(False)``.  Returns the Module."""
        return self.train(False)

    # ------------------------------------------------------------ saving and loading

    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter's values, as ``{dotted name: array}``: a copy to save or restore later.

        The arrays are copies, so training on afterwards does not change a
        saved state (PyTorch's ``state_dict`` shares memory with the model,
        which surprises people who keep one as a checkpoint).  Plain arrays
        also mean ``np.savez(path, **model.state_dict())`` writes it to disk.

        >>> from autograd_lite.nn import Linear
        >>> layer = Linear(2, 1, rng=0)
        >>> {name: value.shape for name, value in layer.state_dict().items()}
        {'weight': (1, 2), 'bias': (1,)}
        """
        return {name: parameter.array.copy() for name, parameter in self._all_named_parameters()}

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy the values of ``state_dict`` (from :meth:`state_dict`) into the parameters, in place.

        Every problem is found before anything is copied, and reported
        together: with ``strict=True`` (the default), a parameter the
        state_dict lacks (missing) or a key the model has no parameter for
        (unexpected); always, a value whose shape differs from its
        parameter's (the layer sizes differ) or that is not numbers.  Then
        nothing is loaded.  With ``strict=False`` the keys both share are
        loaded and the others returned; a wrong shape is still an error (as
        in PyTorch), so the message suggests ``strict=False`` only when the
        keys are all that differ.  Loading runs under ``no_grad()`` and counts
        in each parameter's ``version`` (so a graph built before refuses to
        backpropagate through the old values).

        >>> import numpy as np
        >>> from autograd_lite.nn import Linear
        >>> layer = Linear(2, 1, rng=0)
        >>> layer.load_state_dict({"weight": np.array([[1.0, 2.0]]), "bias": np.array([0.5])})
        IncompatibleKeys(missing_keys=[], unexpected_keys=[])
        >>> layer.weight
        Parameter([[1., 2.]])
        >>> layer.load_state_dict({"weight": np.ones((1, 2)), "b": np.zeros(1)})
        Traceback (most recent call last):
        ...
        RuntimeError: Error(s) in loading state_dict for Linear; nothing was loaded:
          missing key(s): 'bias'
          unexpected key(s): 'b'
        Load a state_dict saved from a model built the same way (same layers, same names), or pass strict=False to load only the keys both have.
        >>> layer.load_state_dict({"weight": np.ones((2, 2)), "bias": np.zeros(1)}, strict=False)
        Traceback (most recent call last):
        ...
        RuntimeError: Error(s) in loading state_dict for Linear; nothing was loaded:
          shape mismatch for 'weight': the layer sizes differ: the model's parameter has shape (1, 2), the state_dict holds shape (2, 2)
        Build the model with the layer sizes of the model the state_dict was saved from. strict=False would not help: it skips only missing and unexpected keys, never a value of the wrong shape or type.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(
                f"{type(self).__name__}.load_state_dict: expected a mapping of parameter names to arrays "
                f"(what state_dict() returns), got {_a(state_dict)}: {state_dict!r}."
            )
        own = dict(self._all_named_parameters())
        missing = [name for name in own if name not in state_dict]
        unexpected = [name for name in state_dict if name not in own]
        key_errors = []  # what strict=False skips
        if strict and missing:
            key_errors.append("missing key(s): " + ", ".join(map(repr, missing)))
        if strict and unexpected:
            key_errors.append("unexpected key(s): " + ", ".join(map(repr, unexpected)))
        value_errors = []  # what strict=False does not skip
        values = {}
        for name, parameter in own.items():
            if name not in state_dict:
                continue
            value = state_dict[name]
            array = np.asarray(value.array if isinstance(value, Tensor) else value)
            if array.dtype.kind not in "fiu":
                value_errors.append(f"{name!r} holds {_a(value)} of dtype {array.dtype}, not numbers: {value!r}")
            elif array.shape != parameter.shape:
                value_errors.append(
                    f"shape mismatch for {name!r}: the layer sizes differ: the model's parameter has shape "
                    f"{parameter.shape}, the state_dict holds shape {array.shape}"
                )
            else:
                values[name] = array
        if value_errors:
            advice = (
                "Build the model with the layer sizes of the model the state_dict was saved from. strict=False "
                "would not help: it skips only missing and unexpected keys, never a value of the wrong shape or type."
            )
        else:
            advice = (
                "Load a state_dict saved from a model built the same way (same layers, same names), or pass "
                "strict=False to load only the keys both have."
            )
        if key_errors or value_errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}; nothing was loaded:\n  "
                + "\n  ".join(key_errors + value_errors)
                + "\n" + advice
            )
        with no_grad():
            for name, array in values.items():
                own[name][...] = array
        return IncompatibleKeys(missing, unexpected)

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
        for name, module in self.named_children():
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


def _require_module(owner: str, where: str, value) -> None:
    if not isinstance(value, Module):
        raise TypeError(
            f"{owner}: {where} must be a Module (a layer such as Linear(2, 3) or ReLU()), got "
            f"{type(value).__name__}: {value!r}."
        )


class _ModuleSequence(Module):
    """Modules registered as ``"0"``, ``"1"``, ... in order: what Sequential and ModuleList share."""

    def _check_new(self, where: str, module, position: int) -> None:
        """Raise unless ``module`` may go at ``position``; ``where`` says what the user did, for the message."""
        _require_module(type(self).__name__, where, module)
        self._refuse_cycle(str(position), module)

    def _set_all(self, modules: list) -> None:
        """Register ``modules`` (each checked already) as ``"0"``, ``"1"``, ..., replacing the current ones."""
        for name in list(self._modules):
            del self._modules[name]
            object.__delattr__(self, name)
        for i, module in enumerate(modules):
            setattr(self, str(i), module)

    def _index(self, index, accepted: str = "integers or slices") -> int:
        size = len(self._modules)
        if not isinstance(index, numbers.Integral) or isinstance(index, bool):
            raise TypeError(f"{type(self).__name__} indices must be {accepted}, got {_a(index)}: {index!r}.")
        if not -size <= index < size:
            raise IndexError(f"{type(self).__name__} index {index} is out of range: it holds {size} module(s).")
        return int(index) % size

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return type(self)._from_list(modules[index])
        return modules[self._index(index)]

    def __setitem__(self, index, module) -> None:
        name = type(self).__name__
        if isinstance(index, slice):
            raise TypeError(
                f"{name}: slice assignment ({_variable(self)}[{_slice_text(index)}] = ...) is not supported "
                f"(PyTorch's {name} refuses it too). Assign one index at a time, {_variable(self)}[i] = module; "
                "to add or remove modules, use append, extend, insert or del."
            )
        position = self._index(index, accepted="integers")
        self._check_new(f"the module assigned to [{index}]", module, position)
        modules = list(self._modules.values())
        modules[position] = module
        self._set_all(modules)

    def __delitem__(self, index) -> None:
        modules = list(self._modules.values())
        if isinstance(index, slice):
            del modules[index]
        else:
            del modules[self._index(index)]
        self._set_all(modules)  # renumbered from 0, as in PyTorch

    def append(self, module: Module) -> "_ModuleSequence":
        """Add ``module`` at the end; returns self."""
        self._check_new("append's argument", module, len(self))
        setattr(self, str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "_ModuleSequence":
        """Add each of ``modules`` at the end, in order; returns self."""
        if not isinstance(modules, Iterable):
            raise TypeError(
                f"{type(self).__name__}.extend: expected a list (or other iterable) of Modules, got "
                f"{type(modules).__name__}: {modules!r}. For one Module use append(module), or extend([module])."
            )
        new = list(modules)
        for i, module in enumerate(new):
            self._check_new(f"extend's item {i}", module, len(self) + i)
        self._set_all([*self._modules.values(), *new])
        return self

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index`` (as ``list.insert``)."""
        modules = list(self._modules.values())
        position = len(modules[:index])  # where list.insert puts it: a[index:index] = [module]
        self._check_new("the module passed to insert", module, position)
        modules.insert(position, module)
        self._set_all(modules)


class Sequential(_ModuleSequence):
    """Modules applied one after the other: ``Sequential(a, b, c)(x) == c(b(a(x)))``.

    The modules are registered as ``"0"``, ``"1"``, ...; index with
    ``model[0]``, slice with ``model[:2]`` (a new Sequential of the same
    layers), iterate with ``for layer in model``, and change it like a list
    (``append``, ``extend``, ``insert``, ``model[1] = ...``, ``del model[1]``),
    one index at a time: slice assignment is refused, as in PyTorch.

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
            self._check_new(f"argument {i}", module, i)
        self._set_all(list(modules))

    @classmethod
    def _from_list(cls, modules: list) -> "Sequential":
        return cls(*modules)

    def forward(self, x):
        for module in self.children():
            x = module(x)
        return x


class ModuleList(_ModuleSequence):
    """A list of Modules, each registered (so ``parameters()`` finds their weights), as in PyTorch.

    A plain Python list of layers is not registered: its weights are missing
    from ``parameters()`` and so never trained.  A ModuleList has no
    ``forward`` (the Module that holds it decides how to use its layers).
    These list operations work, as on a list:

    - ``len(blocks)``, ``for block in blocks``, ``blocks[i]`` (``i`` may be
      negative), ``blocks[i:j]`` (a new ModuleList of the same layers);
    - ``blocks[i] = module``, one index at a time, and ``del blocks[i]`` or
      ``del blocks[i:j]`` (the rest are renumbered from 0);
    - ``append(module)``, ``extend(modules)``, ``insert(i, module)``.

    Slice assignment (``blocks[0:2] = [...]``) is refused, as in PyTorch;
    ``pop``, ``+`` and ``+=`` (which PyTorch has) are not provided.

    >>> from autograd_lite.nn import Linear, Module, ModuleList
    >>> class Tower(Module):
    ...     def __init__(self, n):
    ...         super().__init__()
    ...         self.blocks = ModuleList(Linear(2, 2, rng=i) for i in range(n))
    ...     def forward(self, x):
    ...         for block in self.blocks:
    ...             x = block(x)
    ...         return x
    >>> tower = Tower(3)
    >>> [name for name, _ in tower.named_parameters()][:3]
    ['blocks.0.weight', 'blocks.0.bias', 'blocks.1.weight']
    >>> tower.blocks.append(Linear(2, 1, rng=0))
    ModuleList(
      (0): Linear(in_features=2, out_features=2, bias=True)
      (1): Linear(in_features=2, out_features=2, bias=True)
      (2): Linear(in_features=2, out_features=2, bias=True)
      (3): Linear(in_features=2, out_features=1, bias=True)
    )
    """

    def __init__(self, modules: Iterable[Module] | None = None):
        super().__init__()
        if isinstance(modules, Module):
            raise TypeError(
                f"ModuleList takes an iterable of Modules, got a single {type(modules).__name__}: wrap it "
                "in a list, ModuleList([layer])."
            )
        modules = list(modules) if modules is not None else []
        for i, module in enumerate(modules):
            self._check_new(f"item {i} of the modules passed", module, i)
        self._set_all(modules)

    @classmethod
    def _from_list(cls, modules: list) -> "ModuleList":
        return cls(modules)


class ModuleDict(Module):
    """A dict of Modules by name, each registered (so ``parameters()`` finds their weights), as in PyTorch.

    Keys keep the order they were added in.  ``ModuleDict(modules)`` and
    ``update(modules)`` take a dict of Modules, another ModuleDict (both as
    in PyTorch) or ``(key, Module)`` pairs.  A key raises KeyError if it is
    not a non-empty string (PyTorch raises TypeError for a non-string), if it
    contains a dot (a dot separates names in ``named_parameters()``), or if
    it names an attribute a ModuleDict already has (``'keys'``,
    ``'training'``, ``'forward'`` ...), which would hide the module.

    >>> from autograd_lite.nn import Linear, ModuleDict, ReLU
    >>> heads = ModuleDict({"digit": Linear(4, 10, rng=0), "parity": Linear(4, 2, rng=1)})
    >>> heads["act"] = ReLU()
    >>> list(heads), heads["parity"]
    (['digit', 'parity', 'act'], Linear(in_features=4, out_features=2, bias=True))
    >>> [name for name, _ in heads.named_parameters()]
    ['digit.weight', 'digit.bias', 'parity.weight', 'parity.bias']
    >>> heads["a.b"] = ReLU()
    Traceback (most recent call last):
    ...
    KeyError: "ModuleDict: the key 'a.b' contains a dot, but dots separate the parts of a parameter's name ('digit.weight'). Use another key, such as 'a_b'."
    >>> heads["keys"] = ReLU()
    Traceback (most recent call last):
    ...
    KeyError: "ModuleDict: the key 'keys' is already an attribute of ModuleDict (a method or a setting), so the module could not be reached by that name. Use another key."
    >>> list(ModuleDict(heads)) == list(heads)   # a copy: the same Modules under the same keys
    True
    """

    def __init__(self, modules=None):
        super().__init__()
        if modules is not None:
            self.update(modules)

    def __getitem__(self, key: str) -> Module:
        if key not in self._modules:
            raise KeyError(f"ModuleDict has no module {key!r}; its keys are {list(self._modules)}.")
        return self._modules[key]

    def __setitem__(self, key: str, module: Module) -> None:
        if not isinstance(key, str) or not key:
            raise KeyError(f"ModuleDict: keys must be non-empty strings, got {key!r}.")
        if "." in key:
            raise KeyError(
                f"ModuleDict: the key {key!r} contains a dot, but dots separate the parts of a parameter's "
                f"name ('digit.weight'). Use another key, such as {key.replace('.', '_')!r}."
            )
        if key not in self._modules and hasattr(self, key):
            raise KeyError(
                f"ModuleDict: the key {key!r} is already an attribute of ModuleDict (a method or a setting), "
                "so the module could not be reached by that name. Use another key."
            )
        _require_module("ModuleDict", f"the value for {key!r}", module)
        setattr(self, key, module)

    def __delitem__(self, key: str) -> None:
        self[key]  # noqa: B018 -- the clear KeyError for a missing key
        delattr(self, key)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._modules))

    def __contains__(self, key) -> bool:
        return key in self._modules

    def keys(self):
        """The keys, in the order added."""
        return list(self._modules.keys())

    def values(self):
        """The Modules, in the order added."""
        return list(self._modules.values())

    def items(self):
        """``(key, Module)`` pairs, in the order added."""
        return list(self._modules.items())

    def pop(self, key: str) -> Module:
        """Remove the Module under ``key`` and return it."""
        module = self[key]
        del self[key]
        return module

    def update(self, modules) -> None:
        """Add (or replace) Modules from a dict, another ModuleDict, or ``(key, Module)`` pairs."""
        # A ModuleDict is read like a dict (iterating one gives its keys, not pairs).
        pairs = modules.items() if isinstance(modules, (Mapping, ModuleDict)) else modules
        if not isinstance(pairs, Iterable):
            raise TypeError(
                f"ModuleDict.update: expected a dict of Modules, another ModuleDict or (key, Module) pairs, "
                f"got {type(modules).__name__}: {modules!r}. For one Module write module_dict[key] = module."
            )
        for pair in pairs:
            if not isinstance(pair, (tuple, list)) or len(pair) != 2:
                raise TypeError(
                    f"ModuleDict.update: expected a dict of Modules or (key, Module) pairs, got the item {pair!r}."
                )
            self[pair[0]] = pair[1]


class MLP(Module):
    """A multilayer perceptron: Linear layers with a ReLU between each pair, no activation at the end.

    ``MLP(in_features, hidden_features, out_features)``: ``hidden_features``
    is one width (an int, ``64``) or a list (or tuple) of widths
    (``[128, 64]``), one per hidden layer; anything else raises TypeError.  The layers live in ``self.layers``, a :class:`Sequential`; the
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
            hidden = [hidden_features]
        elif isinstance(hidden_features, (list, tuple)):
            hidden = list(hidden_features)
        else:
            raise TypeError(
                f"MLP: hidden_features must be one width, an int such as 64, or a list of widths, one per "
                f"hidden layer, such as [128, 64]; got {_a(hidden_features)}: {hidden_features!r}. Pass "
                f"MLP({in_features}, 64, {out_features}) or MLP({in_features}, [128, 64], {out_features})."
            )
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

