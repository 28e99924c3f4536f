r"""Optimisers: SGD (with momentum and weight decay) and Adam, with PyTorch's update equations.

Explained in the book's chapter 10 (Training a neural network).

An optimiser holds a list of parameters.  After ``loss.backward()`` has
filled each parameter's ``.grad``, ``step()`` moves every parameter a little
against its gradient, and ``zero_grad()`` forgets the gradients before the
next batch (``backward()`` adds to ``.grad``; it never overwrites it).

Each step changes the parameters **in place, under** ``no_grad()``: the
update is not part of any computation the gradient should follow, and the
parameter stays the same object the model holds.  The engine counts the
change in the parameter's ``version``, so a graph built *before* the step
refuses to backpropagate afterwards instead of silently using the new
values.  A parameter whose ``.grad`` is None (it took no part in the loss)
is skipped.

>>> import numpy as np
>>> from autograd_lite.nn import Parameter
>>> from autograd_lite.optim import SGD
>>> w = Parameter([1.0, -2.0])
>>> optimizer = SGD([w], lr=0.1)
>>> loss = (w * w).sum()          # gradient 2w = [2, -4]
>>> loss.backward()
>>> optimizer.step()
>>> w
Parameter([ 0.8, -1.6])
>>> optimizer.zero_grad()
>>> w.grad is None
True
"""

from __future__ import annotations

import math
import numbers
from typing import Iterable

from collections.abc import Mapping

import numpy as np

from .tensor import Tensor, no_grad

__all__ = ["Optimizer", "SGD", "Adam"]


def _short_repr(value, limit: int = 80) -> str:
    """``repr(value)``, cut after ``limit`` characters, for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_number(owner: str, name: str, value, low: float = 0.0, high: float | None = None) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    if ok and value >= low and (high is None or value < high):
        return float(value)
    expected = f">= {low}" if high is None else f"in [{low}, {high})"
    raise ValueError(f"{owner}: {name} must be a finite number {expected}, got {value!r}.")


class Optimizer:
    """The base class of the optimisers: holds the parameters, a per-parameter ``state``, and ``zero_grad``.

    ``params`` is an iterable of Parameters, usually ``model.parameters()``;
    each must be a leaf Tensor that requires grad.  A subclass defines
    ``step()``; ``state[parameter]`` is a dict for what it remembers between
    steps (a momentum buffer, Adam's running averages).

    One optimiser has one set of settings (``lr``, ...) for all its
    parameters: PyTorch's *parameter groups* (a list of dicts such as
    ``[{"params": ..., "lr": 0.1}, ...]``, each with its own settings) are not
    supported.  For different settings, make one optimiser per group of
    parameters and call ``step()`` on each.

    >>> from autograd_lite.nn import Linear
    >>> from autograd_lite.optim import Optimizer
    >>> optimizer = Optimizer(Linear(3, 2, rng=0).parameters())
    >>> [p.shape for p in optimizer.params]
    [(2, 3), (2,)]
    >>> Optimizer([])
    Traceback (most recent call last):
    ...
    ValueError: Optimizer: got an empty list of parameters, so there is nothing to train. Pass model.parameters() of a model that has layers, or a list of Parameters.
    """

    def __init__(self, params: Iterable[Tensor]):
        name = type(self).__name__
        if isinstance(params, Tensor):
            raise TypeError(
                f"{name}: params must be an iterable of Parameters, such as model.parameters(), "
                f"but got a single Tensor: {params!r}. Wrap it in a list: {name}([w], ...)."
            )
        self.params: list[Tensor] = [params] if isinstance(params, Mapping) else list(params)
        for i, param in enumerate(self.params):
            if isinstance(param, Mapping):
                raise TypeError(
                    f"{name}: parameter {i} is a dict, {_short_repr(param)}: a PyTorch-style parameter group. "
                    f"Parameter groups are not supported: one {name} has one set of settings for all its "
                    "parameters. Pass the Parameters themselves (model.parameters()); for different "
                    f"settings, make one optimiser per group, e.g. {name}(model.layers[0].parameters(), "
                    f"lr=0.1) and {name}(model.layers[2].parameters(), lr=0.01), and call step() on each."
                )
        if not self.params:
            raise ValueError(
                f"{name}: got an empty list of parameters, so there is nothing to train. Pass "
                "model.parameters() of a model that has layers, or a list of Parameters."
            )
        seen: set[int] = set()
        for i, param in enumerate(self.params):
            if not isinstance(param, Tensor):
                raise TypeError(
                    f"{name}: parameter {i} is a {type(param).__name__}, not a Tensor: {param!r}. "
                    "Pass Parameters (model.parameters()), not their arrays."
                )
            if not param.requires_grad or not param.is_leaf:
                why = "does not require grad" if not param.requires_grad else "is not a leaf (an operation made it)"
                raise ValueError(
                    f"{name}: parameter {i} {why}, so backward() never gives it a .grad to step "
                    f"with: {param!r}. Pass the model's Parameters (leaf Tensors with "
                    "requires_grad=True), e.g. model.parameters()."
                )
            if id(param) in seen:
                raise ValueError(
                    f"{name}: parameter {i} appears twice in the list, so a step would update it "
                    "twice. Pass each parameter once."
                )
            seen.add(id(param))
        self.state: dict[Tensor, dict] = {}

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: ``.grad = None`` (the default, as in PyTorch), or zeros.

        >>> from autograd_lite import Tensor
        >>> from autograd_lite.nn import Parameter
        >>> from autograd_lite.optim import SGD
        >>> w = Parameter([1.0])
        >>> (w * 3).sum().backward()
        >>> optimizer = SGD([w], lr=0.1)
        >>> optimizer.zero_grad(set_to_none=False)
        >>> w.grad
        Tensor([0.])
        """
        for param in self.params:
            param.grad = None if set_to_none else Tensor(np.zeros_like(param.array))

    # What state_dict saves besides the state: the subclass's settings (checked by
    # _check_hyperparameters), and the arrays each parameter's state may hold.
    _hyperparameters: tuple[str, ...] = ()
    _state_arrays: tuple[str, ...] = ()
    _state_counts: tuple[str, ...] = ()

    def _check_hyperparameters(self, where: str, **values) -> dict:
        """The settings, checked and converted but not set; a subclass checks its own (``lr``, ...).

        ``where`` names the caller in error messages (``"SGD"``, ``"SGD.load_state_dict"``).
        """
        return values

    def _set_hyperparameters(self, **values) -> None:
        """Check every setting first, then set them all: a bad one leaves the optimiser unchanged."""
        for name, value in self._check_hyperparameters(type(self).__name__, **values).items():
            setattr(self, name, value)

    def state_dict(self) -> dict:
        """What the optimiser remembers, as PyTorch lays it out: ``{"state": ..., "param_groups": [...]}``.

        ``state`` maps a parameter's position in ``params`` to a copy of its
        state (momentum buffer, Adam's averages and step count);
        ``param_groups`` holds the settings and the positions of the
        parameters.  Saved together with the model's ``state_dict()``, it lets
        training stop and resume exactly where it was.

        >>> from autograd_lite import Tensor
        >>> from autograd_lite.nn import Parameter
        >>> from autograd_lite.optim import SGD
        >>> w = Parameter([1.0, 2.0])
        >>> optimizer = SGD([w], lr=0.1, momentum=0.9)
        >>> w.grad = Tensor([0.5, -1.0])
        >>> optimizer.step()
        >>> optimizer.state_dict()
        {'state': {0: {'momentum_buffer': array([ 0.5, -1. ])}}, 'param_groups': [{'lr': 0.1, 'momentum': 0.9, 'weight_decay': 0.0, 'params': [0]}]}
        """
        position = {id(param): i for i, param in enumerate(self.params)}
        state = {
            position[id(param)]: {key: np.array(value) if isinstance(value, np.ndarray) else value for key, value in values.items()}
            for param, values in self.state.items()
        }
        group = {name: getattr(self, name) for name in self._hyperparameters}
        group["params"] = list(range(len(self.params)))
        return {"state": dict(sorted(state.items())), "param_groups": [group]}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore the settings and state saved by :meth:`state_dict`, for the same list of parameters.

        Everything is checked before anything changes: the number of
        parameters, each saved array's shape against its parameter's, and
        the settings (all of them, before any is set).  So a bad state_dict
        raises and leaves the optimiser as it was.  The arrays are copied, so
        the optimiser never shares them with the dict.

        >>> from autograd_lite.nn import Parameter
        >>> from autograd_lite.optim import SGD
        >>> optimizer = SGD([Parameter([1.0, 2.0])], lr=0.1, momentum=0.9)
        >>> optimizer.load_state_dict({"state": {0: {"momentum_buffer": [1.0, 2.0, 3.0]}},
        ...                            "param_groups": [{"lr": 0.1, "momentum": 0.9, "weight_decay": 0.0, "params": [0]}]})
        Traceback (most recent call last):
        ...
        ValueError: SGD.load_state_dict: state[0]['momentum_buffer'] has shape (3,), but parameter 0 has shape (2,). Load the state_dict of an optimiser built on the same model (the same parameters, in the same order).
        """
        name = type(self).__name__
        where = f"{name}.load_state_dict"
        if not isinstance(state_dict, Mapping) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(
                f"{where}: expected the dict optimizer.state_dict() returns, with keys 'state' and "
                f"'param_groups', got {state_dict!r}."
            )
        groups = state_dict["param_groups"]
        if not isinstance(groups, (list, tuple)) or len(groups) != 1 or not isinstance(groups[0], Mapping):
            raise ValueError(f"{where}: expected 'param_groups' to be a list of one dict of settings, got {groups!r}.")
        group = groups[0]
        n = len(self.params)
        if list(group.get("params", ())) != list(range(n)):
            raise ValueError(
                f"{where}: the saved optimiser had parameters {list(group.get('params', ()))}, but this one has "
                f"{n} ({list(range(n))}). Load the state_dict of an optimiser built on the same model."
            )
        missing = [key for key in self._hyperparameters if key not in group]
        if missing:
            raise ValueError(f"{where}: 'param_groups' lacks the setting(s) {missing}: was it saved by {name}?")
        settings = self._check_hyperparameters(where, **{key: group[key] for key in self._hyperparameters})
        saved_state = state_dict["state"]
        if not isinstance(saved_state, Mapping):
            raise ValueError(f"{where}: expected 'state' to be a dict {{parameter position: dict}}, got {saved_state!r}.")
        state = {}
        for position, values in saved_state.items():
            if not isinstance(position, numbers.Integral) or not 0 <= position < n:
                raise ValueError(f"{where}: the state is for parameter {position!r}, but there are only {n} (0 to {n - 1}).")
            param = self.params[position]
            unknown = set(values) - set(self._state_arrays) - set(self._state_counts)
            if unknown:
                raise ValueError(
                    f"{where}: state[{position}] holds {sorted(unknown)}, which {name} does not keep (it keeps "
                    f"{list(self._state_counts + self._state_arrays)}). Was it saved by another optimiser?"
                )
            loaded = {}
            for key, value in values.items():
                if key in self._state_counts:
                    loaded[key] = int(value)
                    continue
                array = np.array(value.array if isinstance(value, Tensor) else value, dtype=param.dtype)
                if array.shape != param.shape:
                    raise ValueError(
                        f"{where}: state[{position}][{key!r}] has shape {array.shape}, but parameter {position} "
                        f"has shape {param.shape}. Load the state_dict of an optimiser built on the same model "
                        "(the same parameters, in the same order)."
                    )
                loaded[key] = array
            state[param] = loaded
        for key, value in settings.items():
            setattr(self, key, value)
        self.state = state

    def step(self) -> None:
        """Update every parameter that has a gradient; each optimiser defines its own rule.

        >>> from autograd_lite.nn import Parameter
        >>> from autograd_lite.optim import Optimizer
        >>> Optimizer([Parameter([1.0])]).step()
        Traceback (most recent call last):
        ...
        NotImplementedError: Optimizer.step is not implemented: an optimiser subclass defines step(self) to update each parameter that has a .grad, in place, under `with no_grad():`.
        """
        raise NotImplementedError(
            f"{type(self).__name__}.step is not implemented: an optimiser subclass defines step(self) "
            "to update each parameter that has a .grad, in place, under `with no_grad():`."
        )


class SGD(Optimizer):
    r"""Stochastic gradient descent, with optional momentum and weight decay (PyTorch's equations).

    For each parameter $p$ with gradient $g$, at each step:

    $$
    \begin{aligned}
    g &\leftarrow g + \lambda p && \text{(weight decay } \lambda\text{, if not 0)} \\
    b &\leftarrow \begin{cases} g & \text{first step} \\ \mu b + g & \text{later steps} \end{cases}
      && \text{(momentum } \mu\text{, if not 0), then } g \leftarrow b \\
    p &\leftarrow p - \eta\, g && \text{(learning rate } \eta\text{)}
    \end{aligned}
    $$

    The momentum buffer $b$ is kept per parameter in ``state[p]["momentum_buffer"]``.

    >>> from autograd_lite import Tensor
    >>> from autograd_lite.nn import Parameter
    >>> from autograd_lite.optim import SGD
    >>> w = Parameter([1.0, 3.0])
    >>> optimizer = SGD([w], lr=0.1, momentum=0.9, weight_decay=0.5)
    >>> for _ in range(2):
    ...     optimizer.zero_grad()
    ...     (w * Tensor([1.0, -1.0])).sum().backward()   # g = [1, -1] each time
    ...     optimizer.step()
    ...     print(w.array, optimizer.state[w]["momentum_buffer"])
    [0.85 2.95] [1.5 0.5]
    [0.5725 2.8575] [2.775 0.925]
    """

    _hyperparameters = ("lr", "momentum", "weight_decay")
    _state_arrays = ("momentum_buffer",)

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0, weight_decay: float = 0.0):
        super().__init__(params)
        self._set_hyperparameters(lr=lr, momentum=momentum, weight_decay=weight_decay)

    def _check_hyperparameters(self, where, lr, momentum, weight_decay) -> dict:
        return {
            "lr": _check_number(where, "lr", lr),
            "momentum": _check_number(where, "momentum", momentum),
            "weight_decay": _check_number(where, "weight_decay", weight_decay),
        }

    def step(self) -> None:
        """One update of every parameter whose ``.grad`` is not None, in place, under ``no_grad()``.

        >>> from autograd_lite import Tensor
        >>> from autograd_lite.nn import Parameter
        >>> from autograd_lite.optim import SGD
        >>> w, unused = Parameter([1.0]), Parameter([5.0])
        >>> w.grad = Tensor([2.0])
        >>> SGD([w, unused], lr=0.25).step()
        >>> w, unused, w.version
        (Parameter([0.5]), Parameter([5.]), 1)
        """
        with no_grad():
            for param in self.params:
                if param.grad is None:
                    continue
                grad = param.grad.array
                if self.weight_decay != 0:
                    grad = grad + self.weight_decay * param.array
                if self.momentum != 0:
                    state = self.state.setdefault(param, {})
                    buffer = state.get("momentum_buffer")
                    buffer = grad.copy() if buffer is None else self.momentum * buffer + grad
                    state["momentum_buffer"] = buffer
                    grad = buffer
                param -= self.lr * grad  # in place: Tensor.__isub__ counts it in param.version


class Adam(Optimizer):
    r"""Adam: steps scaled by running averages of the gradient and its square (PyTorch's equations).

    For each parameter $p$ with gradient $g$, at step $t = 1, 2, \dots$ (counted per parameter):

    $$
    \begin{aligned}
    g &\leftarrow g + \lambda p && \text{(weight decay } \lambda\text{, if not 0)} \\
    m &\leftarrow \beta_1 m + (1 - \beta_1)\, g, \qquad
    v \leftarrow \beta_2 v + (1 - \beta_2)\, g^2 && (m = v = 0 \text{ before step 1}) \\
    p &\leftarrow p - \frac{\eta}{1 - \beta_1^t} \cdot \frac{m}{\sqrt{v} / \sqrt{1 - \beta_2^t} + \epsilon}
    \end{aligned}
    $$

    The two bias corrections undo the pull of the zero start; the last line is
    $\eta\,\hat m / (\sqrt{\hat v} + \epsilon)$ with $\hat m = m / (1 - \beta_1^t)$ and
    $\hat v = v / (1 - \beta_2^t)$, arranged as PyTorch computes it.  The state
    of ``p`` is ``state[p]``: ``"step"``, ``"exp_avg"`` ($m$), ``"exp_avg_sq"`` ($v$).

    >>> from autograd_lite import Tensor
    >>> from autograd_lite.nn import Parameter
    >>> from autograd_lite.optim import Adam
    >>> w = Parameter([1.0, 2.0])
    >>> optimizer = Adam([w], lr=0.1)
    >>> (w * Tensor([4.0, -0.5])).sum().backward()
    >>> optimizer.step()      # the first step moves each weight by lr against its gradient's sign
    >>> w
    Parameter([0.9, 2.1])
    """

    def __init__(
        self,
        params: Iterable[Tensor],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params)
        self._set_hyperparameters(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)

    _hyperparameters = ("lr", "betas", "eps", "weight_decay")
    _state_arrays = ("exp_avg", "exp_avg_sq")
    _state_counts = ("step",)

    def _check_hyperparameters(self, where, lr, betas, eps, weight_decay) -> dict:
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"{where}: betas must be a pair (beta1, beta2) such as (0.9, 0.999), got {betas!r}.")
        return {
            "lr": _check_number(where, "lr", lr),
            "betas": (
                _check_number(where, "betas[0]", betas[0], high=1.0),
                _check_number(where, "betas[1]", betas[1], high=1.0),
            ),
            "eps": _check_number(where, "eps", eps),
            "weight_decay": _check_number(where, "weight_decay", weight_decay),
        }

    def step(self) -> None:
        """One update of every parameter whose ``.grad`` is not None, in place, under ``no_grad()``.

        >>> from autograd_lite import Tensor
        >>> from autograd_lite.nn import Parameter
        >>> from autograd_lite.optim import Adam
        >>> w = Parameter([1.0])
        >>> optimizer = Adam([w], lr=0.5)
        >>> w.grad = Tensor([-3.0])
        >>> optimizer.step()
        >>> w, optimizer.state[w]["step"]
        (Parameter([1.5]), 1)
        """
        beta1, beta2 = self.betas
        with no_grad():
            for param in self.params:
                if param.grad is None:
                    continue
                grad = param.grad.array
                if self.weight_decay != 0:
                    grad = grad + self.weight_decay * param.array
                state = self.state.get(param)
                if state is None:
                    zeros = np.zeros_like(param.array)
                    state = self.state[param] = {"step": 0, "exp_avg": zeros, "exp_avg_sq": zeros.copy()}
                state["step"] += 1
                t = state["step"]
                state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
                state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
                step_size = self.lr / (1 - beta1**t)
                denom = np.sqrt(state["exp_avg_sq"]) / math.sqrt(1 - beta2**t) + self.eps
                param -= step_size * (state["exp_avg"] / denom)  # in place, counted in param.version
