"""Gradient checkpointing: keep a block's inputs, recompute the block in the backward pass.

Explained in the book's chapter 12 (What backprop keeps in memory).

Every recorded operation keeps its inputs (in its Recipe) and its output (in
its Tensor) until the graph is dropped: a chain of ``n`` operations holds ``n``
arrays.  ``checkpoint(fn, *args)`` runs ``fn`` without recording anything
inside it, so the graph holds one node for the whole block: its inputs and its
output.  In the backward pass that node's backward function runs ``fn`` again,
this time recording, and backpropagates through the fresh graph.  Memory is
traded for one extra forward pass of the block.

It is one more row of the engine's table, built like every operation:

- ``run_without_graph(block, *arrays)`` is the numpy-level forward function,
  wrapped by ``wrap_forward_fn`` so a Recipe records it with its arguments
  (the block and the input arrays, nothing else);
- ``checkpoint_back(argnum)`` is its backward function for argument
  ``argnum``, registered with ``add_back_func``.

>>> from autograd_lite import Tensor
>>> from autograd_lite.checkpoint import checkpoint
>>> x = Tensor([1.0, 2.0], requires_grad=True)
>>> y = checkpoint(lambda h: (h * h).exp().log() * 3, x)
>>> y
Tensor([ 3., 12.], recipe=run_without_graph)
>>> y.sum().backward()
>>> x.grad
Tensor([ 6., 12.])
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from .tensor import BACK_FUNCS, Tensor, add_back_func, backprop, is_grad_enabled, no_grad, wrap_forward_fn

__all__ = ["checkpoint", "Block", "run_without_graph", "checkpoint_back"]


class Block:
    """What a checkpoint's Recipe keeps besides the input arrays: the function to run again.

    - ``fn``: the block, a function of Tensors returning one Tensor;
    - ``tensor_args``: which positions of ``fn``'s arguments are Tensors, and
      whether each requires grad;
    - ``input_grads``: the gradients one recomputation gave, held only while
      the backward functions of the block's arguments collect them (one
      recomputation serves every argument).
    """

    __slots__ = ("fn", "tensor_args", "input_grads", "grad_out")

    def __init__(self, fn: Callable, args: tuple):
        self.fn = fn
        self.tensor_args = {i: arg.requires_grad for i, arg in enumerate(args) if isinstance(arg, Tensor)}
        self.input_grads: dict[int, np.ndarray] = {}
        self.grad_out = None

    def run(self, arrays: tuple, requires_grad: bool) -> tuple[Tensor, list]:
        """Call ``fn`` on fresh Tensors made from ``arrays``: (its output, those Tensors by position)."""
        inputs = list(arrays)
        for i, wants_grad in self.tensor_args.items():
            inputs[i] = Tensor(arrays[i], requires_grad=requires_grad and wants_grad)
        out = self.fn(*inputs)
        if not isinstance(out, Tensor):
            name = getattr(self.fn, "__name__", repr(self.fn))
            raise TypeError(
                f"checkpoint: {name} returned {type(out).__name__}, but a checkpointed block must return "
                "one Tensor. Checkpoint each output separately, or return them stacked in one Tensor."
            )
        return out, inputs

    def input_grad(self, argnum: int, grad_out: np.ndarray, arrays: tuple) -> np.ndarray:
        """The gradient for ``fn``'s argument ``argnum``, recomputing ``fn`` once per backward pass."""
        if self.grad_out is not grad_out:  # the first argument asked for in this pass
            self.input_grads, self.grad_out = self.recompute(grad_out, arrays), grad_out
        grad = self.input_grads.pop(argnum)
        if not self.input_grads:  # every argument has its gradient: keep nothing
            self.grad_out = None
        return grad

    def recompute(self, grad_out: np.ndarray, arrays: tuple) -> dict[int, np.ndarray]:
        """Run ``fn`` again, recording this time, and backpropagate ``grad_out`` through it."""
        if not is_grad_enabled():
            raise RuntimeError(
                "checkpoint: backward() ran inside `with no_grad():`, so the block cannot be recomputed "
                "with a graph. Call backward() outside no_grad()."
            )
        out, inputs = self.run(arrays, requires_grad=True)
        # Tensors the block uses but did not get as arguments (a layer's weights) get their
        # gradients from this inner backprop, added to their .grad as usual.
        backprop(out, grad_out)
        return {
            i: (inputs[i].grad.array if inputs[i].grad is not None else np.zeros_like(arrays[i]))
            for i, wants_grad in self.tensor_args.items()
            if wants_grad
        }


def run_without_graph(block: Block, *arrays) -> np.ndarray:
    """The forward function of a checkpoint: ``block.fn`` on the arrays, recording nothing inside."""
    with no_grad():
        out, _ = block.run(arrays, requires_grad=False)
    return out.array


def checkpoint_back(argnum: int) -> Callable:
    """The backward function of ``run_without_graph`` for its argument ``argnum`` (1 is ``fn``'s first).

    It recomputes the block with a graph and returns the gradient of its
    argument: ``back(grad_out, out, block, *arrays)``, the signature of every
    backward function.
    """

    def back(grad_out: np.ndarray, out: np.ndarray, block: Block, *arrays) -> np.ndarray:
        return block.input_grad(argnum - 1, grad_out, arrays)

    back.__name__ = back.__qualname__ = f"checkpoint_back{argnum}"
    return back


_run_without_graph = wrap_forward_fn(run_without_graph)


def checkpoint(fn: Callable, *args) -> Tensor:
    """``fn(*args)``, keeping only the inputs: ``fn`` runs again in the backward pass.

    The graph gets one node for the whole block instead of one per operation
    inside it.  Gradients reach the Tensors in ``args`` and any Tensor ``fn``
    uses from outside (a layer's weights), exactly as without the checkpoint.
    When no argument requires grad, ``fn`` runs as usual, recorded, so the
    weights inside still get their gradients (PyTorch's
    ``checkpoint(..., use_reentrant=True)`` returns an output that does not
    require grad there; ``use_reentrant=False`` handles it, as here).

    >>> from autograd_lite import Tensor
    >>> from autograd_lite.checkpoint import checkpoint
    >>> w = Tensor([2.0, -1.0], requires_grad=True)
    >>> h = Tensor([0.5, 3.0], requires_grad=True)
    >>> loss = checkpoint(lambda h: (h * w).exp(), h).sum()
    >>> len(loss.recipe.parents[0].recipe.args)   # the block and h's array: nothing from inside
    2
    >>> loss.backward()
    >>> w.grad
    Tensor([1.35914091, 0.14936121])
    """
    if not callable(fn):
        raise TypeError(
            f"checkpoint: the first argument must be the function to run, got {type(fn).__name__}: "
            "call checkpoint(fn, *args), e.g. checkpoint(block, h)."
        )
    if not any(isinstance(arg, Tensor) and arg.requires_grad for arg in args) or not is_grad_enabled():
        return fn(*args)
    for argnum in range(1, len(args) + 1):
        if (run_without_graph, argnum) not in BACK_FUNCS:
            add_back_func(run_without_graph, argnum, checkpoint_back(argnum))
    return _run_without_graph(Block(fn, args), *args)
