"""Learner checks for part 4 of the book (chapters 11 and 12).

- chapter 11 (Forward mode and reverse mode): `check_tangent_rules`;
- chapter 12 (What backprop keeps in memory): `check_checkpoint`.

The contract is the other parts': each case compares the reader's answer with
the library's own (which the tests hold to central finite differences), and
when every case is right the check prints one line, ``<check name>: all tests
passed``.  Otherwise it raises ``NotImplementedError`` for the exercise's stub,
``AssertionError`` for a wrong answer (inputs, expected and actual result), or
the function's own exception with a note naming the call.

Each call of the reader's code gets the protections of ``common``'s
``_Run``: besides its fixed cases, each check draws random ones from a seed
chosen afresh on every call (a failure on a random case prints the seed, and
``seed=`` runs the same cases again); a call that does not return within
``time_limit=`` seconds fails the check instead of hanging it; and a function
that changes one of its input arrays in place fails too: the caller still
needs them.

>>> import numpy as np
>>> from autograd_lite.checks import check_tangent_rules
>>> from autograd_lite.forward import matmul_tangent, sum_tangent
>>> def multiply_tangent(dx, dy, out, x, y):
...     return dx * y   # forgets the product rule's second term
>>> check_tangent_rules(multiply_tangent, matmul_tangent, sum_tangent)
Traceback (most recent call last):
...
AssertionError: check_tangent_rules: wrong result for multiply_tangent(dx of shape (3,), dy of shape (3,), out = x * y, x of shape (3,), y of shape (3,))
  dx (shape (3,), float64): [1., 0., 2.]
  dy (shape (3,), float64): [ 0.5,  1. , -1. ]
  x (shape (3,), float64): [ 2. , -1. ,  0.5]
  y (shape (3,), float64): [3., 4., 2.]
  expected (shape (3,), float64): [ 4. , -1. ,  3.5]
  actual (shape (3,), float64): [3., 0., 4.]
  wrong values
  hint: out = x * y changes when x moves (dx * y) and when y moves (x * dy): the product rule has two terms.
"""

from __future__ import annotations

import tracemalloc
from typing import Callable

import numpy as np

from ..forward import matmul_tangent as _matmul_tangent
from ..forward import multiply_tangent as _multiply_tangent
from ..forward import sum_tangent as _sum_tangent
from ..tensor import Tensor
from .common import _assert_array, _describe, _in_place_failure, _name, _Run, _values

__all__ = ["check_tangent_rules", "check_checkpoint"]


# ------------------------------------------------------------ chapter 11

_TANGENT_HINTS = {
    "multiply": {
        "values": "out = x * y changes when x moves (dx * y) and when y moves (x * dy): the product rule "
        "has two terms.",
        "shape": "the tangent of out has out's shape: dx * y + x * dy broadcasts to it by itself.",
    },
    "matmul": {
        "values": "a tangent goes forward through the same product: dx @ y + x @ dy, with no transpose "
        "(transposes belong to the backward functions, which send gradients back).",
        "shape": "the tangent of out = x @ y has out's shape: dx @ y + x @ dy has it for 1-D and "
        "batched operands too.",
    },
    "sum": {
        "values": "a sum is linear: sum the tangent over the same dim, with the same keepdim.",
        "shape": "sum dx over exactly the dimensions in dim (None: all of them), keeping them when "
        "keepdim is True: np.sum(dx, axis=dim, keepdims=keepdim).",
    },
}


def _multiply_case(rng, x_shape, y_shape, dtype=np.float64):
    x, y = _values(rng, x_shape, dtype), _values(rng, y_shape, dtype)
    return _values(rng, x_shape, dtype), _values(rng, y_shape, dtype), x, y


# Every input of a tangent rule is the caller's: the tangents and the values of the Dual numbers
# feed other operations too.  None of them is a value a recipe keeps for a backward function, so
# run.call gets forward_values=() and explains a change in place as the caller's loss.
_TANGENT_ARGS = ("dx", "dy", "out", "x", "y")
_SUM_TANGENT_ARGS = ("dx", "out", "x")


def _check_binary_rule(run: _Run, fn, reference, kind, symbol, dx, dy, x, y):
    check = run.check
    out = np.multiply(x, y) if symbol == "*" else np.matmul(x, y)
    args = (dx, dy, out, x, y)
    call = (
        f"{_name(fn)}({_describe('dx', dx)}, {_describe('dy', dy)}, out = x {symbol} y, "
        f"{_describe('x', x)}, {_describe('y', y)})"
    )
    expected = reference(*[a.copy() for a in args])
    actual = run.call(fn, tuple(a.copy() for a in args), call, names=_TANGENT_ARGS, forward_values=())
    _assert_array(
        check, call, [("dx", dx), ("dy", dy), ("x", x), ("y", y)], expected, actual,
        hints=_TANGENT_HINTS[kind],
    )


def _check_sum_rule(run: _Run, fn, dx, x, dim, keepdim):
    check = run.check
    out = np.sum(x, axis=dim, keepdims=keepdim)
    call = f"{_name(fn)}({_describe('dx', dx)}, out = x.sum(dim, keepdim), {_describe('x', x)}, dim={dim!r}, keepdim={keepdim!r})"
    expected = _sum_tangent(dx.copy(), out.copy(), x.copy(), dim, keepdim)
    actual = run.call(fn, (dx.copy(), out.copy(), x.copy(), dim, keepdim), call, names=_SUM_TANGENT_ARGS, forward_values=())
    _assert_array(check, call, [("dx", dx), ("x", x)], expected, actual, hints=_TANGENT_HINTS["sum"])


def check_tangent_rules(
    multiply_tangent: Callable,
    matmul_tangent: Callable,
    sum_tangent: Callable,
    *,
    seed: int | None = None,
    time_limit: float | None = None,
) -> None:
    """Check three tangent rules of forward mode: ``x * y``, ``x @ y`` and ``x.sum(dim, keepdim)``.

    - ``multiply_tangent(dx, dy, out, x, y)``, with broadcasting both ways;
    - ``matmul_tangent(dx, dy, out, x, y)``: square, rectangular, 1-D and
      batched operands with broadcast batch dimensions;
    - ``sum_tangent(dx, out, x, dim=None, keepdim=False)``: ``dim`` None, an
      int (negative too) or a tuple, with and without ``keepdim``.

    Each returns the tangent of ``out``, without changing its inputs.
    ``seed`` repeats the random cases; ``time_limit`` is the number of
    seconds each call may take (``common.DEFAULT_TIME_LIMIT`` by default).

    >>> from autograd_lite.forward import matmul_tangent, multiply_tangent, sum_tangent
    >>> from autograd_lite.checks import check_tangent_rules
    >>> check_tangent_rules(multiply_tangent, matmul_tangent, sum_tangent)
    check_tangent_rules: all tests passed
    """
    run = _Run("check_tangent_rules", (multiply_tangent, matmul_tangent, sum_tangent), seed, time_limit)
    fixed = np.random.default_rng(11)
    multiply_cases = [
        (np.array([1.0, 0.0, 2.0]), np.array([0.5, 1.0, -1.0]), np.array([2.0, -1.0, 0.5]), np.array([3.0, 4.0, 2.0])),
        # zeros in x and in y: a rule written as out / x * dx + out / y * dy gives nan there
        (np.array([1.0, 1.0, 0.5]), np.array([1.0, 0.5, 2.0]), np.array([0.0, 2.0, 1.5]), np.array([3.0, 0.0, 0.0])),
        _multiply_case(fixed, (2, 3), (3,)),
        _multiply_case(fixed, (3, 1), (1, 4)),
        _multiply_case(fixed, (2, 3), (2, 3), np.float32),
    ]
    matmul_cases = [
        _multiply_case(fixed, (3, 3), (3, 3)),
        _multiply_case(fixed, (2, 3), (3, 4)),
        _multiply_case(fixed, (3,), (3, 2)),
        _multiply_case(fixed, (2, 3), (3,)),
        _multiply_case(fixed, (2, 2, 3), (3, 4)),
        _multiply_case(fixed, (2, 1, 2, 3), (3, 3, 2)),
    ]
    sum_cases = [((2, 3), None, False), ((2, 3), None, True), ((2, 3), 1, False), ((2, 3), 0, True),
                 ((2, 3, 4), -1, False), ((2, 3, 4), (0, 2), False), ((2, 3, 4), (0, -1), True),
                 # size-1 dimensions that are not summed: squeeze() would drop them too
                 ((2, 1), 0, False), ((1, 3, 1), 1, False)]

    def run_cases(multiply_cases, matmul_cases, sum_cases, rng):
        for dx, dy, x, y in multiply_cases:
            _check_binary_rule(run, multiply_tangent, _multiply_tangent, "multiply", "*", dx, dy, x, y)
        for dx, dy, x, y in matmul_cases:
            _check_binary_rule(run, matmul_tangent, _matmul_tangent, "matmul", "@", dx, dy, x, y)
        for shape, dim, keepdim in sum_cases:
            x = _values(rng, shape)
            _check_sum_rule(run, sum_tangent, _values(rng, shape), x, dim, keepdim)

    run_cases(multiply_cases, matmul_cases, sum_cases, fixed)

    rng = run.rng
    shape = lambda: tuple(int(side) for side in rng.integers(1, 4, size=rng.integers(1, 4)))  # noqa: E731
    random_multiply, random_matmul, random_sum = [], [], []
    for _ in range(3):
        x_shape = shape()
        y_shape = tuple(1 if rng.random() < 0.3 else side for side in x_shape[rng.integers(0, len(x_shape)):])
        random_multiply.append(_multiply_case(rng, x_shape, y_shape))
        n, k, m = (int(side) for side in rng.integers(1, 5, size=3))
        random_matmul.append(_multiply_case(rng, (n, k), (k, m)))
        dims = tuple(i for i in range(len(x_shape)) if rng.random() < 0.5)
        random_sum.append((x_shape, dims if dims else None, bool(rng.random() < 0.5)))
    with run.random_case():
        run_cases(random_multiply, random_matmul, random_sum, rng)
    run.passed()


# ------------------------------------------------------------ chapter 12


def _graph_nodes(end: Tensor) -> list[Tensor]:
    """Every Tensor reachable from ``end`` through recipes, ``end`` included."""
    seen, stack = {id(end): end}, [end]
    while stack:
        node = stack.pop()
        for parent in (node.recipe.parents.values() if node.recipe is not None else ()):
            if id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
    return list(seen.values())


def _block_chain(depth):
    def block(h):
        for _ in range(depth):
            h = (h * 0.5).exp() - 1.0
        return h

    block.__name__ = f"chain_of_{depth}"
    return block, f"h -> (h * 0.5).exp() - 1.0, {depth} times"


def _block_with_weight(w):
    def block(h):
        return (h * w).exp().log() * h + w

    return block, f"h -> (h * w).exp().log() * h + w, with a weight w of shape {w.shape} from outside the block"


def _block_reduce():
    def block(h):
        return (h * h).sum(dim=-1, keepdim=True) * h

    return block, "h -> (h * h).sum(dim=-1, keepdim=True) * h"


class _Counted:
    """A block that counts its calls, so the check sees whether the backward pass runs it again."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0
        self.__name__ = getattr(fn, "__name__", "block")

    def __call__(self, *args):
        self.calls += 1
        return self.fn(*args)


def _check_one_block(run: _Run, checkpoint: Callable, block: Callable, what: str, x: np.ndarray, end_grad: np.ndarray, weights: dict) -> None:
    check = run.check
    # The reference: the block run as usual, recorded, and backpropagated.
    h_plain = Tensor(x, requires_grad=True)
    out_plain = block(h_plain)
    for w in weights.values():
        w.grad = None
    out_plain.backward(end_grad)
    expected_grads = {"h": h_plain.grad.array, **{name: w.grad.array for name, w in weights.items()}}
    for w in weights.values():
        w.grad = None

    counted = _Counted(block)
    h = Tensor(x, requires_grad=True)
    call = f"{_name(checkpoint)}(block, h) for the block {what}, h of shape {x.shape}"
    out = run.call(checkpoint, (counted, h), call)
    if not isinstance(out, Tensor):
        raise AssertionError(f"{check}: {call} returned {type(out).__name__}; expected the block's output, a Tensor.")
    _assert_array(check, call, [("h", x)], out_plain.array, out.array, what="output (the block's value)")
    # h is a Tensor, which run.call's watch on input arrays does not look into: look here.
    if not np.array_equal(h.array, x):
        raise _in_place_failure(check, call, "h", x, h.array, forward_values=())
    if h.version != 0:
        raise AssertionError(f"{check}: {call} changed h; a block's input belongs to the caller.")
    if not out.requires_grad or out.recipe is None:
        raise AssertionError(
            f"{check}: {call} returned a Tensor with no recipe, so no gradient can flow back through it.\n"
            "  hint: make the output with a function wrapped by wrap_forward_fn, whose backward function "
            "(registered with add_back_func) recomputes the block."
        )
    inside = [node for node in _graph_nodes(out) if node is not out and node.recipe is not None]
    if inside:
        names = sorted({getattr(node.recipe.func, "__name__", "?") for node in inside})
        raise AssertionError(
            f"{check}: {call} keeps the block's intermediate values: the graph behind the output holds "
            f"{len(inside)} recorded operations from inside the block ({', '.join(names)}).\n"
            "  A checkpoint keeps only the block's input: run the block under `with no_grad():` in the "
            "forward pass, and again, recording, in the backward pass."
        )
    calls_in_forward = counted.calls
    # The backward pass runs the reader's backward function: a time limit, and a watch on end_grad.
    run.call(out.backward, (end_grad.copy(),), f"the backward pass of {call}, out.backward(end_grad)",
             names=("end_grad",), label=f"the backward function of {_name(checkpoint)}")
    if counted.calls == calls_in_forward:
        raise AssertionError(
            f"{check}: {call}: the backward pass did not run the block again.\n"
            "  A checkpoint keeps no intermediate values, so its backward function must recompute "
            "them: call the block on a fresh Tensor that requires grad, then backpropagate grad_out "
            "through that new graph."
        )
    actual_grads = {"h": h.grad.array if h.grad is not None else None,
                    **{name: (w.grad.array if w.grad is not None else None) for name, w in weights.items()}}
    for name, expected in expected_grads.items():
        hint = (
            "the block's weights get their gradients from the backprop inside the backward function, "
            "as usual: run the recomputed block with grad on and call backward on it with grad_out."
            if name != "h" else
            "backpropagate grad_out (not ones) through the recomputed block, and return the gradient "
            "of the fresh input Tensor."
        )
        if actual_grads[name] is None:
            raise AssertionError(f"{check}: after backward through {call}, {name}.grad is None.\n  hint: {hint}")
        _assert_array(check, call, [("h", x), ("end_grad", end_grad)], expected, actual_grads[name],
                      what=f"gradient {name}.grad after backward(end_grad)", hints={"values": hint})
    for w in weights.values():
        w.grad = None


def _retained_bytes(make) -> int:
    """Bytes still allocated after ``make()`` returns, while its result is alive."""
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        result = make()
        held = tracemalloc.get_traced_memory()[0] - before
        del result
    finally:
        if not tracing:
            tracemalloc.stop()
    return held


def check_checkpoint(checkpoint: Callable, *, seed: int | None = None, time_limit: float | None = None) -> None:
    """Check ``checkpoint(fn, h)``: the output of ``fn(h)``, keeping only ``h``, recomputing ``fn`` in backward.

    For several blocks (a long chain, a block using a weight from outside it,
    a reduction) it checks the output's value; that the graph behind it has
    no operation from inside the block; that the memory it holds on a long
    chain is a few arrays, not one per step; that the backward pass runs the
    block again; and the gradients of ``h`` and of the weight, against the
    block run without a checkpoint, from a random ``end_grad``.  ``seed``
    repeats the random cases; ``time_limit`` is the number of seconds each
    call (the checkpoint, its backward pass) may take
    (``common.DEFAULT_TIME_LIMIT`` by default).

    >>> from autograd_lite.checkpoint import checkpoint
    >>> from autograd_lite.checks import check_checkpoint
    >>> check_checkpoint(checkpoint)
    check_checkpoint: all tests passed
    """
    run = _Run("check_checkpoint", (checkpoint,), seed, time_limit)
    check = run.check
    fixed = np.random.default_rng(12)
    w = Tensor(_values(fixed, (3,)) / 4, requires_grad=True)
    cases = [
        (*_block_chain(3), _values(fixed, (4,)) / 4, {}),
        (*_block_with_weight(w), _values(fixed, (2, 3)) / 4, {"w": w}),
        (*_block_reduce(), _values(fixed, (2, 3)) / 4, {}),
    ]
    for block, what, x, weights in cases:
        _check_one_block(run, checkpoint, block, what, x, _values(fixed, block(Tensor(x)).shape), weights)

    # Memory: a chain of 50 steps on 20,000 numbers.  Recorded, it holds 150 arrays; a checkpoint, a few.
    depth, size = 50, 20_000
    block, what = _block_chain(depth)
    x = np.linspace(-1.0, 1.0, size)
    one_array = x.nbytes
    held = _retained_bytes(lambda: run.call(checkpoint, (block, Tensor(x, requires_grad=True)),
                                            f"{_name(checkpoint)}(block, h) for the block {what}, h of shape {x.shape}"))
    if held > 10 * one_array:
        raise AssertionError(
            f"{check}: {_name(checkpoint)}(block, h) for the block {what}, h of shape {x.shape}, holds "
            f"{held / one_array:.0f} arrays of h's size after it returns (measured with tracemalloc); "
            f"a checkpoint should hold about one, its output, where the block run as usual holds {3 * depth}.\n"
            "  It keeps the block's intermediate values somewhere. Run the block under "
            "`with no_grad():` in the forward pass and keep only its input and output."
        )

    rng = run.rng
    with run.random_case():
        for _ in range(3):
            shape = tuple(int(side) for side in rng.integers(1, 5, size=rng.integers(1, 3)))
            w = Tensor(_values(rng, shape[-1:]) / 4, requires_grad=True)
            kind = int(rng.integers(0, 3))
            block, what = [_block_chain(int(rng.integers(1, 5))), _block_with_weight(w), _block_reduce()][kind]
            x = _values(rng, shape) / 4
            end_grad = _values(rng, block(Tensor(x)).shape)
            _check_one_block(run, checkpoint, block, what, x, end_grad, {"w": w} if kind == 1 else {})
    run.passed()
