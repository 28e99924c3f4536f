"""The autograd engine: Tensor, Recipe, the backward-function registry and backprop.

Explained in the book's chapter 7 (Autograd); the errors raised here are the
subject of chapter 9 (Pitfalls).  The operations themselves (``add``, ``log``,
``t * 2``, ...) are wrapped and registered in ``autograd_lite.functions``
(chapter 8), using the backward functions of ``autograd_lite.backward``.

The whole engine in four steps:

1. ``wrap_forward_fn(np.log)`` turns a numpy function into one that takes
   Tensors.  When an argument requires grad, the output remembers how it was
   made: a ``Recipe`` holding the numpy function, its arguments and its
   parent Tensors.  That is the computational graph, built as the code runs.
2. ``BACK_FUNCS`` maps (forward function, argument position) to the backward
   function of that argument, e.g. ``(np.log, 0) -> log_back``.
3. ``sorted_computational_graph(loss)`` lists the graph's nodes with the loss
   first and every node before its parents (a reversed topological order).
4. ``backprop(loss)`` walks that list once, calling each backward function
   once and summing the gradients that reach a node along different paths.

The guarantee (chapter 9): every value a backward function reads is either a
Tensor whose version is checked, or the recipe's own copy.  So a change made
after the forward pass raises an error or changes nothing: never a silently
wrong gradient.  The rules that keep it:

- every Tensor owns its array and the array is read-only: ``Tensor(data)``
  copies ``data``, and an operation whose numpy result would share memory with
  an argument (``reshape``, slicing) gets a copy.  So a Tensor's values can
  only change through the Tensor itself;
- the in-place operations (``t += x``, ``t -= x``, ``t *= x``, ``t /= x``,
  ``t[index] = value``, ``t.zero_()``) add 1 to ``t.version``.  Each Recipe
  records the versions of its parents, and backprop refuses to use a Tensor
  whose version has changed since.  Every Tensor argument and every output
  counts as saved (PyTorch checks only what each backward function keeps, so
  it is sometimes more lenient);
- every other argument of a recorded operation (a numpy array, a list, an
  index, a Tensor inside an index, keyword arguments) is copied into the
  recipe, read-only, when the operation runs: it has no version to check.
  Python numbers cannot change and are kept as they are;
- an in-place operation is not recorded in the graph, so it is refused while
  gradients are on if the Tensor or the other operand requires grad: write
  ``t = t + x`` instead, or make the change under ``no_grad()`` (an optimiser's
  step);
- grad mode (``no_grad``) belongs to one thread, as in PyTorch: another
  thread's operations keep recording.

What is out of reach: code that makes a Tensor's array writable again by hand
(``t.array.flags.writeable = True``) and writes into it goes around every rule.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from typing import Callable

import numpy as np

from .graph import topological_sort

__all__ = [
    "Tensor",
    "Recipe",
    "BACK_FUNCS",
    "add_back_func",
    "get_back_func",
    "wrap_forward_fn",
    "sorted_computational_graph",
    "backprop",
    "no_grad",
    "is_grad_enabled",
]

# Most operations take no keyword arguments; their recipes share this one empty
# dict instead of holding an empty dict each (memory per node).  Never change it.
# (A read-only MappingProxyType would be safer, but ``**`` unpacks it far slower.)
NO_KWARGS: dict = {}


class _GradMode(threading.local):
    """Whether operations record recipes: one switch per thread, as in PyTorch.

    ``no_grad()`` in one thread must not stop another thread's operations from
    recording (its gradients would silently go missing).  A ``threading.local``
    object has its own attributes in every thread; each new thread starts from
    the class attribute, with gradients on.
    """

    enabled = True


_grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    """Whether operations record recipes now in this thread (False inside ``with no_grad():``).

    >>> from autograd_lite import is_grad_enabled, no_grad
    >>> is_grad_enabled()
    True
    >>> with no_grad():
    ...     is_grad_enabled()
    False
    """
    return _grad_mode.enabled


@contextlib.contextmanager
def no_grad():
    """Inside ``with no_grad():`` operations record no recipe, so no graph is built.

    Used for updates the gradient must not see, such as an optimiser's step.
    The previous state comes back when the block ends, even if it raises.
    Grad mode belongs to the thread that entered the block: other threads
    keep recording.

    >>> from autograd_lite import Tensor, no_grad
    >>> w = Tensor([1.0, 2.0], requires_grad=True)
    >>> with no_grad():
    ...     y = w * 2
    >>> y.recipe is None, y.requires_grad
    (True, False)
    """
    previous = _grad_mode.enabled
    _grad_mode.enabled = False
    block = object()  # this block, counted in _NO_GRAD_BLOCKS (see "making it fast")
    _NO_GRAD_BLOCKS.add(block)
    try:
        yield
    finally:
        _grad_mode.enabled = previous
        _NO_GRAD_BLOCKS.discard(block)


class Recipe:
    """How a Tensor was made: ``func(*args, **kwargs)``, and which Tensors it came from.

    - ``func``: the numpy-level forward function, e.g. ``np.multiply``;
    - ``args``: its positional arguments as ``func`` received them (Tensors
      replaced by their arrays): exactly what the backward functions get;
    - ``kwargs``: its keyword arguments;
    - ``parents``: ``{argument position: Tensor}`` for every Tensor argument;
    - ``versions``: the parents' versions when the recipe was made, in the
      order of ``parents``, to detect a parent changed in place afterwards.

    >>> from autograd_lite import Tensor
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * 3
    >>> y.recipe
    Recipe(func=multiply, args=(array([1., 2.]), 3), kwargs={}, parents={0: Tensor([1., 2.], requires_grad=True)})
    >>> y.recipe.parents[0] is x
    True
    """

    # __slots__: no per-object __dict__, so a node of a long chain stays small.
    __slots__ = ("func", "args", "kwargs", "parents", "versions")

    def __init__(self, func: Callable, args: tuple, kwargs, parents: dict, versions: tuple):
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.parents = parents
        self.versions = versions

    def __repr__(self) -> str:
        name = getattr(self.func, "__name__", repr(self.func))
        return f"Recipe(func={name}, args={self.args!r}, kwargs={dict(self.kwargs)!r}, parents={self.parents!r})"


class Tensor:
    """A numpy array that remembers how it was made, so gradients can flow back through it.

    - ``array``: the values (a read-only numpy array this Tensor owns);
    - ``requires_grad``: whether gradients are wanted for this Tensor;
    - ``grad``: after ``backward()``, a Tensor holding dL/d(this), for leaves only;
    - ``recipe``: how it was made (a ``Recipe``), or None for a leaf;
    - ``version``: how many times it was changed in place.

    ``Tensor(data)`` copies ``data``.  Only floating-point Tensors can require grad.

    >>> from autograd_lite import Tensor
    >>> a = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> b = Tensor([4.0, 5.0, 6.0], requires_grad=True)
    >>> loss = (a * b).sum()
    >>> loss
    Tensor(32., recipe=_sum)
    >>> loss.backward()
    >>> a.grad, b.grad
    (Tensor([4., 5., 6.]), Tensor([1., 2., 3.]))
    """

    __slots__ = ("array", "requires_grad", "_grad", "recipe", "version")

    # Tensors are dict keys by identity (backprop's ``grads``), although ``==``
    # compares elementwise.  And numpy must hand ``np_scalar * t`` to
    # ``Tensor.__rmul__`` instead of turning ``t`` into a plain array.
    __hash__ = object.__hash__

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # numpy asks the Tensor before computing on it.  ``2.0 * t`` with a numpy
        # scalar on the left arrives here as np.multiply: hand it to the
        # recorded operation.  Any other numpy function would compute on the
        # values and drop the graph without a word, so it is refused.
        operation = _UFUNC_OPERATIONS.get(ufunc.__name__) if method == "__call__" and not kwargs else None
        if operation is None:
            raise TypeError(_numpy_on_tensor_message(f"np.{ufunc.__name__}"))
        return operation(*inputs)

    def __array_function__(self, func, types, args, kwargs):
        # np.reshape(t), np.sum(t), np.dot(t, t), ... would return plain arrays
        # and silently cut the graph: refuse them with a pointer to the library.
        raise TypeError(_numpy_on_tensor_message(f"np.{func.__name__}"))

    def __init__(self, data, requires_grad: bool = False):
        array = np.array(data.array if isinstance(data, Tensor) else data)  # a copy: this Tensor owns it
        if requires_grad and array.dtype.kind != "f":
            raise TypeError(
                f"Tensor: requires_grad=True needs a floating-point array, but the data has dtype "
                f"{array.dtype}: gradients of integers or booleans are not defined. Pass floats "
                "(Tensor([1.0, 2.0], requires_grad=True) rather than Tensor([1, 2], ...)), or convert "
                "first: Tensor(np.asarray(data, dtype=float), requires_grad=True)."
            )
        array.flags.writeable = False
        self.array = array
        self.requires_grad = bool(requires_grad)
        self._grad = None
        self.recipe = None
        self.version = 0

    # ----------------------------------------------------------- looking at it

    @property
    def is_leaf(self) -> bool:
        """True for a Tensor with no recipe: made by the user, not by an operation that was recorded."""
        return self.recipe is None

    @property
    def shape(self) -> tuple:
        """The array's shape."""
        return self.array.shape

    @property
    def ndim(self) -> int:
        """The array's number of dimensions."""
        return self.array.ndim

    @property
    def dtype(self) -> np.dtype:
        """The array's dtype."""
        return self.array.dtype

    @property
    def size(self) -> int:
        """The array's number of elements."""
        return self.array.size

    def item(self):
        """The value of a one-element Tensor as a Python number.

        >>> from autograd_lite import Tensor
        >>> Tensor([2.5]).item()
        2.5
        """
        return self.array.item()

    def __len__(self) -> int:
        return len(self.array)

    def __bool__(self) -> bool:
        return bool(self.array)

    def __array__(self, dtype=None, copy=None):
        # np.asarray(t) gives the values (read-only); numpy functions on a Tensor
        # are refused by __array_ufunc__ and __array_function__, so a graph is
        # never cut silently.
        if copy:
            return np.array(self.array, dtype=dtype)
        return self.array if dtype is None else self.array.astype(dtype, copy=False)

    def __repr__(self) -> str:
        values = np.array2string(self.array, separator=", ", prefix="Tensor(")
        extra = ""
        if self.array.dtype not in (np.float64, np.int64, np.bool_):
            extra += f", dtype={self.array.dtype}"
        if self.recipe is not None:
            extra += f", recipe={getattr(self.recipe.func, '__name__', self.recipe.func)}"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        return f"Tensor({values}{extra})"

    # ----------------------------------------------------------- gradients

    @property
    def grad(self) -> "Tensor | None":
        """dL/d(this Tensor) after ``backward()`` (leaves only), else None.

        It may be set to None (to clear it) or to a Tensor of this Tensor's
        shape and dtype; anything else would break the next ``backward()`` or
        optimiser step far from the mistake, so it is refused here.

        >>> from autograd_lite import Tensor
        >>> x = Tensor([1.0, 2.0], requires_grad=True)
        >>> x.grad = Tensor([0.5, 0.5])
        >>> x.grad = [0.5, 0.5]
        Traceback (most recent call last):
        ...
        TypeError: x.grad = ...: a gradient must be a Tensor (or None, to clear it), but got list: [0.5, 0.5]. Wrap the values in a Tensor: x.grad = Tensor(grad).
        """
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is not None:
            _check_grad(self, value)
        self._grad = value

    def backward(self, end_grad=None) -> None:
        """Backpropagate from this Tensor: ``backprop(self, end_grad)``.

        ``end_grad`` is dL/d(this Tensor); leave it out for a one-element Tensor
        (it is then 1).

        >>> from autograd_lite import Tensor
        >>> x = Tensor([2.0, 3.0], requires_grad=True)
        >>> (x * x).sum().backward()
        >>> x.grad
        Tensor([4., 6.])
        """
        backprop(self, end_grad)

    # ----------------------------------------------------------- in-place changes (chapter 9)

    def _change_in_place(self, operation: str, other, change: Callable[[np.ndarray], None]) -> "Tensor":
        """Apply ``change`` to this Tensor's array in place and count it in ``version``."""
        other_requires_grad = isinstance(other, Tensor) and other.requires_grad
        if _grad_mode.enabled and (self.requires_grad or other_requires_grad):
            who = "this Tensor" if self.requires_grad else "the other operand"
            raise RuntimeError(
                f"{operation}: an in-place change is not recorded in the graph, and {who} requires grad "
                f"(this Tensor: {self!r}). For a change the gradient should follow, write it out of "
                "place, e.g. t = t + x instead of t += x. For a change the gradient must not see "
                "(an optimiser step), do it inside `with no_grad():`."
            )
        array = self.array
        array.flags.writeable = True  # allowed: this Tensor owns its array
        try:
            change(array)
        finally:
            array.flags.writeable = False
        self.version += 1
        return self

    def __iadd__(self, other):
        return self._change_in_place("+=", other, lambda a: np.add(a, _values(other), out=a))

    def __isub__(self, other):
        return self._change_in_place("-=", other, lambda a: np.subtract(a, _values(other), out=a))

    def __imul__(self, other):
        return self._change_in_place("*=", other, lambda a: np.multiply(a, _values(other), out=a))

    def __itruediv__(self, other):
        return self._change_in_place("/=", other, lambda a: np.true_divide(a, _values(other), out=a))

    def __setitem__(self, index, value) -> None:
        index = _index_values(index)
        self._change_in_place("t[index] = value", value, lambda a: a.__setitem__(index, _values(value)))

    def zero_(self) -> "Tensor":
        """Set every element to 0, in place (counted in ``version``).

        >>> from autograd_lite import Tensor
        >>> t = Tensor([1.0, 2.0])
        >>> t.zero_()
        Tensor([0., 0.])
        >>> t.version
        1
        """
        return self._change_in_place("zero_()", None, lambda a: a.fill(0))


def _check_grad(tensor: Tensor, grad) -> None:
    """Refuse a ``.grad`` that is not a Tensor of ``tensor``'s shape and dtype (as PyTorch does)."""
    if not isinstance(grad, Tensor):
        raise TypeError(
            f"x.grad = ...: a gradient must be a Tensor (or None, to clear it), but got "
            f"{type(grad).__name__}: {grad!r}. Wrap the values in a Tensor: x.grad = Tensor(grad)."
        )
    if grad.shape != tensor.shape:
        raise ValueError(
            f"x.grad = ...: the gradient has shape {grad.shape}, but the Tensor has shape {tensor.shape}; "
            "dL/dx has one entry per entry of x, so it has x's shape."
        )
    if grad.dtype != tensor.dtype:
        raise TypeError(
            f"x.grad = ...: the gradient has dtype {grad.dtype}, but the Tensor has dtype {tensor.dtype}; "
            f"a gradient has its Tensor's dtype. Convert it: x.grad = Tensor(np.asarray(grad, dtype=x.dtype))."
        )


def _values(x):
    """The array inside a Tensor, or ``x`` itself (a number or array)."""
    return x.array if isinstance(x, Tensor) else x


def _index_values(index):
    """An index with every Tensor in it replaced by its array."""
    if isinstance(index, tuple):
        return tuple(_values(i) for i in index)
    return _values(index)


#: Types whose values never change once made: a recipe keeps them as they are.
_UNCHANGEABLE = frozenset({int, float, bool, complex, str, type(None), type(Ellipsis)})


def _owned(value):
    """``value`` as a recipe keeps it: a copy nobody else holds, unless it cannot change anyway.

    A numpy array is copied (read-only), so changing the caller's array after
    the forward pass cannot change the gradient; read-only arrays too, since a
    Tensor's own array is read-only and yet its in-place operations change it.
    A Tensor inside an index becomes a copy of its array.  Lists, tuples and
    slices are rebuilt around owned items; numbers, numpy scalars, strings and
    None never change and are kept.

    >>> import numpy as np
    >>> index = np.array([0, 1])
    >>> kept = _owned((index, slice(None)))
    >>> index[0] = 5
    >>> kept
    (array([0, 1]), slice(None, None, None))
    """
    if isinstance(value, Tensor):
        value = value.array
    if isinstance(value, np.ndarray):
        copy = value.copy()
        copy.setflags(False)
        return copy
    if isinstance(value, tuple):
        return tuple(_owned(item) for item in value)
    if isinstance(value, list):
        return [_owned(item) for item in value]
    if isinstance(value, slice):
        return slice(_owned(value.start), _owned(value.stop), _owned(value.step))
    return value  # a number, a numpy scalar, a string, None: nothing can change them


def _new_recipe(func: Callable, args: tuple, kwargs, parents: dict, versions: tuple) -> Recipe:
    """``Recipe(func, args, kwargs, parents, versions)``, made as ``_new_tensor`` makes a Tensor.

    Calling a class runs its ``__init__`` through a slower path than a plain
    function call; once per node, that was a tenth of the forward pass.
    """
    recipe = _new_object(Recipe)  # object.__new__(Recipe), see "making it fast"
    recipe.func = func
    recipe.args = args
    recipe.kwargs = kwargs
    recipe.parents = parents
    recipe.versions = versions
    return recipe


def _new_tensor(array: np.ndarray, requires_grad: bool, recipe: Recipe | None) -> Tensor:
    """A Tensor around a fresh result array, skipping ``Tensor.__init__``'s copy and checks.

    The caller promises that ``array`` is a new array nobody else holds.
    """
    # setflags(False) is setflags(write=False): passed by position, numpy parses it in less than
    # half the time, and this runs once per node.
    array.setflags(False)
    tensor = _new_object(Tensor)  # object.__new__(Tensor), see "making it fast"
    tensor.array = array
    tensor.requires_grad = requires_grad
    tensor._grad = None
    tensor.recipe = recipe
    tensor.version = 0
    return tensor


# --------------------------------------------------------------- the registry

#: The derivative table the engine reads: (forward function, argument position) -> backward function.
BACK_FUNCS: dict[tuple[Callable, int], Callable] = {}


def add_back_func(forward_fn: Callable, argnum: int, back_fn: Callable) -> None:
    """Register ``back_fn`` as the backward function of ``forward_fn`` for argument ``argnum``.

    ``back_fn(grad_out, out, *args, **kwargs)`` gets the gradient of the
    output, the output, and the forward function's arguments, and returns the
    gradient for argument ``argnum``, with that argument's shape.

    >>> import numpy as np
    >>> from autograd_lite import BACK_FUNCS, add_back_func, log_back
    >>> add_back_func(np.log, 0, log_back)
    >>> BACK_FUNCS[np.log, 0] is log_back
    True
    """
    wrapped = getattr(forward_fn, "numpy_func", None)
    if wrapped is not None:
        raise TypeError(
            f"add_back_func: {forward_fn.__name__} is the Tensor version made by wrap_forward_fn, but "
            "the table is keyed by the numpy function it wraps (that is what a Recipe records). "
            f"Register that one: add_back_func({_registry_name(wrapped)}, {argnum}, back_fn)."
        )
    BACK_FUNCS[forward_fn, argnum] = back_fn


def get_back_func(forward_fn: Callable, argnum: int) -> Callable:
    """The backward function registered for ``forward_fn``'s argument ``argnum``.

    >>> import numpy as np
    >>> from autograd_lite import get_back_func
    >>> get_back_func(np.multiply, 1).__name__
    'multiply_back1'
    >>> get_back_func(np.sin, 0)
    Traceback (most recent call last):
    ...
    KeyError: 'get_back_func: no backward function is registered for argument 0 of np.sin. Register one with add_back_func(np.sin, 0, back_fn).'
    """
    try:
        return BACK_FUNCS[forward_fn, argnum]
    except KeyError:
        raise KeyError(_missing_back_func_message("get_back_func", forward_fn, argnum)) from None


def _registry_name(forward_fn: Callable) -> str:
    """How to spell ``forward_fn`` in code: ``np.sin`` for numpy's own functions."""
    name = getattr(forward_fn, "__name__", repr(forward_fn))
    return f"np.{name}" if getattr(np, name, None) is forward_fn else name


def _missing_back_func_message(where: str, forward_fn: Callable, argnum: int, extra: str = "") -> str:
    name = _registry_name(forward_fn)
    return (
        f"{where}: no backward function is registered for argument {argnum} of {name}. "
        f"Register one with add_back_func({name}, {argnum}, back_fn){extra}."
    )


# --------------------------------------------------------------- building the graph


def _tensor_keyword_message(name: str, key: str, value: Tensor) -> str:
    return (
        f"{name}: the keyword argument {key}= is a Tensor ({value!r}), but only positional "
        "arguments are recorded in the graph, so its gradient would be silently missing. "
        f"Pass it by position instead, or pass {key}=<the Tensor>.array if it is a constant."
    )


def wrap_forward_fn(numpy_func: Callable, is_differentiable: bool = True) -> Callable:
    """Turn a numpy function into one that takes and returns Tensors and records a Recipe.

    Tensor arguments are replaced by their arrays, ``numpy_func`` runs, and the
    result is wrapped in a new Tensor (a copy when numpy hands back a view or an
    argument itself).  Tensors are recorded by position only: a Tensor passed
    as a keyword argument is refused with a TypeError.  If gradients are on (not inside
    ``no_grad``), ``is_differentiable`` is True and some Tensor argument
    requires grad, the result requires grad and gets a Recipe; otherwise it is
    a plain Tensor with no recipe.

    Each argument that requires grad must have a backward function registered,
    and that is checked now, while the graph is built: the error then points at
    the line that used the function, not at a later ``backward()``.

    >>> import numpy as np
    >>> from autograd_lite import Tensor, wrap_forward_fn
    >>> sin = wrap_forward_fn(np.sin)
    >>> sin(Tensor([0.0]))  # nothing requires grad: no recipe, no check
    Tensor([0.])
    >>> sin(Tensor([0.0], requires_grad=True))
    Traceback (most recent call last):
    ...
    RuntimeError: sin: no backward function is registered for argument 0 of np.sin. Register one with add_back_func(np.sin, 0, back_fn), or call sin under `with no_grad():` if no gradient is needed.
    """
    name = getattr(numpy_func, "__name__", repr(numpy_func))

    def tensor_func(*args, **kwargs):
        arrays = list(args)  # the arguments as numpy_func takes them: each Tensor replaced by its array
        parents = {}  # argument position -> Tensor
        versions = []  # the parents' versions, in the same order
        requires_grad = False
        missing = None  # the position of an argument that requires grad but has no backward function
        changeable = False  # is some other argument an array, a list, ...: something that can change?
        for argnum, arg in enumerate(args):
            if isinstance(arg, Tensor):
                parents[argnum] = arg
                versions.append(arg.version)
                arrays[argnum] = arg.array
                if arg.requires_grad:
                    requires_grad = True
                    if missing is None and (numpy_func, argnum) not in BACK_FUNCS:
                        missing = argnum
            elif type(arg) not in _UNCHANGEABLE:
                changeable = True
        if kwargs:
            for key, value in kwargs.items():
                if isinstance(value, Tensor):
                    raise TypeError(_tensor_keyword_message(name, key, value))
                if type(value) not in _UNCHANGEABLE:
                    changeable = True
        # (`not _NO_GRAD_BLOCKS or`: a shortcut for _grad_mode.enabled, see "making it fast".)
        record = requires_grad and is_differentiable and (not _NO_GRAD_BLOCKS or _grad_mode.enabled)
        if record and missing is not None:
            raise RuntimeError(
                _missing_back_func_message(
                    name, numpy_func, missing, f", or call {name} under `with no_grad():` if no gradient is needed"
                )
            )
        if record and changeable:
            # The backward functions will read these arguments long after this call: the recipe
            # keeps its own copies, so a change the caller makes meanwhile cannot reach them.
            # (Tensor arguments are not copied: their versions are checked instead.)
            arrays = [arg if argnum in parents else _owned(arg) for argnum, arg in enumerate(arrays)]
            kwargs = {key: _owned(value) for key, value in kwargs.items()}
        # One tuple serves both numpy_func's call and the Recipe (calling with * of a list copies it).
        arrays = tuple(arrays)
        # (Most operations have no keyword arguments; `**{}` would still build a dict per call.)
        out = numpy_func(*arrays, **kwargs) if kwargs else numpy_func(*arrays)
        if type(out) is not np.ndarray:
            out = np.asarray(out)  # ufuncs give numpy scalars, not arrays, for 0-d inputs
        elif out.base is not None:
            out = out.copy()  # a view would share an argument's memory: every Tensor owns its array
        else:
            for array in arrays:
                if out is array:  # an argument handed back as it is (np.real of a real array)
                    out = out.copy()
                    break

        if not record:
            return _new_tensor(out, False, None)
        versions = tuple(versions)
        # (One shared tuple of zeros, when no parent was ever changed in place: see "making it fast".)
        versions = _SHARED_VERSIONS.get(versions, versions)
        recipe = _new_recipe(numpy_func, arrays, kwargs or NO_KWARGS, parents, versions)
        return _new_tensor(out, True, recipe)

    tensor_func.__name__ = tensor_func.__qualname__ = name
    tensor_func.numpy_func = numpy_func  # what the registry is keyed by
    tensor_func.__doc__ = f"``{name}`` on Tensors, recorded for backprop (made by wrap_forward_fn)."
    return tensor_func


# --------------------------------------------------------------- backprop


def _parents_requiring_grad(tensor: Tensor) -> list[Tensor]:
    recipe = tensor.recipe
    if recipe is None:
        return []
    # A plain loop rather than a list comprehension: this runs once per node, and on Python 3.11 a
    # comprehension is a function call of its own.
    parents = []
    for parent in recipe.parents.values():
        if parent.requires_grad:
            parents.append(parent)
    return parents


def sorted_computational_graph(tensor: Tensor) -> list[Tensor]:
    """Every Tensor that ``tensor`` depends on through recipes, ``tensor`` first.

    Each Tensor comes before all of its parents (a topological order, reversed),
    so when backprop reaches a Tensor, every gradient flowing into it has
    already arrived.  Parents that do not require grad are left out.  Built on
    ``graph.topological_sort``, which needs no recursion.

    >>> from autograd_lite import Tensor, sorted_computational_graph
    >>> a = Tensor([1.0], requires_grad=True)
    >>> b = a.exp()
    >>> c = b * a
    >>> [t.recipe.func.__name__ if t.recipe else "leaf" for t in sorted_computational_graph(c)]
    ['multiply', 'exp', 'leaf']
    """
    return topological_sort(tensor, _parents_requiring_grad)[::-1]


def backprop(end_node: Tensor, end_grad=None) -> None:
    """Compute dL/d(leaf) for every leaf that requires grad, and add it to ``leaf.grad``.

    ``end_grad`` is dL/d(end_node): an array (or Tensor) of ``end_node``'s
    shape; leave it out when ``end_node`` has one element, and it is 1.

    Each node's gradient is complete when the node is reached in
    ``sorted_computational_graph`` order.  The node's recipe then gives, for
    each parent that requires grad, ``back_fn(grad, out, *args, **kwargs)``,
    and the results are summed per parent.  Leaves add their gradient to
    ``.grad``, so two calls accumulate; other Tensors keep none.

    Raises ``TypeError`` when ``end_node`` is not a Tensor; ``RuntimeError``
    when it does not require grad, when it has several elements and no
    ``end_grad`` is given, or when a Tensor of the graph was changed in place
    after it was used; ``ValueError``
    when ``end_grad`` or a backward function's result has the wrong shape.  On
    any error no ``.grad`` changes.  ``end_grad`` is cast to ``end_node``'s dtype.

    >>> from autograd_lite import Tensor, backprop
    >>> x = Tensor([1.0, 2.0], requires_grad=True)
    >>> y = x * x * 3
    >>> backprop(y, end_grad=[1.0, 1.0])
    >>> x.grad
    Tensor([ 6., 12.])
    >>> backprop(y, end_grad=[1.0, 1.0])   # gradients accumulate
    >>> x.grad
    Tensor([12., 24.])
    """
    grads = {end_node: _end_grad_array(end_node, end_grad)}
    # Two things here are for speed only, see "making it fast" at the end: the cycle collector is
    # paused during the walk, and _backward_order is sorted_computational_graph written out for Tensors.
    with _cycle_collector_paused():
        # A gradient in ``grads`` may be an array someone else holds too: end_grad,
        # grad_out passed straight through (add), a view of it (reshape).  Only an
        # array backprop made itself -- a sum of two gradients, or a new array a
        # backward function computed for a leaf -- is "owned": later gradients may
        # be added into it in place, and a leaf may keep it without a copy.
        owned = set()
        leaf_grads = []
        for node in _backward_order(end_node):
            grad_out = grads.pop(node)
            recipe = node.recipe
            if recipe is None:
                leaf_grads.append((node, grad_out))
                continue
            if node.version != 0:
                raise _changed_in_place_error(node, recipe, "the output")
            out, func, args, kwargs = node.array, recipe.func, recipe.args, recipe.kwargs
            for (argnum, parent), version in zip(recipe.parents.items(), recipe.versions):
                if parent.version != version:
                    raise _changed_in_place_error(parent, recipe, f"argument {argnum}", version)
                if not parent.requires_grad:
                    continue
                back_fn = BACK_FUNCS[func, argnum]
                if kwargs:
                    grad = back_fn(grad_out, out, *args, **kwargs)
                else:  # the common case; `**{}` would build a new dict per call
                    grad = back_fn(grad_out, out, *args)
                if type(grad) is not np.ndarray:
                    grad = np.asarray(grad)
                if grad.shape != parent.array.shape:
                    raise _wrong_shape_error(back_fn, recipe, argnum, grad, parent)
                if parent not in grads:
                    grads[parent] = grad
                    if parent.recipe is None and grad is not grad_out and grad.base is None and grad.flags.writeable:
                        owned.add(parent)  # a new array (not grad_out, not a view, not a Tensor's array)
                elif parent in owned:
                    grads[parent] += grad
                else:
                    grads[parent] = grads[parent] + grad
                    owned.add(parent)
        # Leaves get their gradients only now, so an error above leaves every .grad as it was.
        for leaf, grad in leaf_grads:
            dtype = leaf.array.dtype
            if leaf.grad is not None:
                new = np.asarray(np.add(leaf.grad.array, grad, dtype=dtype))  # new: a held .grad never changes
            elif leaf in owned:
                new = np.asarray(grad, dtype=dtype)  # no copy; a 0-d sum is a numpy scalar, made an array
            else:
                new = np.array(grad, dtype=dtype)  # a copy of an array others may hold
            leaf._grad = _new_tensor(new, False, None)  # its shape and dtype: the setter's checks hold


def _end_grad_array(end_node, end_grad) -> np.ndarray:
    """Check backprop's arguments and return dL/d(end_node) as an array."""
    if not isinstance(end_node, Tensor):
        raise TypeError(f"backprop: end_node must be a Tensor, got {type(end_node).__name__}: {end_node!r}.")
    if not end_node.requires_grad:
        raise RuntimeError(
            f"backward: this Tensor does not require grad, so no graph leads back from it: {end_node!r}. "
            "Create the inputs with Tensor(..., requires_grad=True), and compute outside `with no_grad():`."
        )
    shape, dtype = end_node.array.shape, end_node.array.dtype
    if end_grad is None:
        if end_node.array.size != 1:
            raise RuntimeError(
                f"backward: the Tensor has shape {shape}, so the gradient it starts from is not 1: "
                f"pass end_grad, an array of shape {shape} holding dL/d(this Tensor); "
                f"end_grad=np.ones({shape}) gives the gradient of its sum. Or call .sum() first."
            )
        return np.ones(shape, dtype=dtype)
    end_grad = np.asarray(_values(end_grad))
    if end_grad.shape != shape:
        raise ValueError(
            f"backward: end_grad has shape {end_grad.shape}, but the Tensor has shape {shape}; "
            f"end_grad is dL/d(this Tensor), so pass an array of shape {shape}."
        )
    return end_grad.astype(dtype, copy=False)


#: numpy ufuncs that Python operators reach when a numpy scalar stands on the
#: left (``np.float64(2) * t``), and the recorded operations they stand for.
#: functions.py fills it in.
_UFUNC_OPERATIONS: dict[str, Callable] = {}


def _numpy_on_tensor_message(what: str) -> str:
    return (
        f"{what} was called on a Tensor, but numpy functions compute on the values and would drop "
        "the computational graph, so the gradient would be silently wrong. Use the library's "
        "operation instead (autograd_lite.log(t), t.sum(), t.reshape(...), a @ b, ...), or pass "
        "t.array if you want the plain values without a gradient."
    )


def _changed_in_place_error(tensor, recipe, which: str, expected_version: int = 0) -> RuntimeError:
    name = getattr(recipe.func, "__name__", repr(recipe.func))
    return RuntimeError(
        f"backward: {which} of {name} was changed in place after {name} ran: it is at version "
        f"{tensor.version} but was at version {expected_version}, so the values {name}'s backward "
        f"function would read are gone and the gradient would be wrong. The Tensor: {tensor!r}. "
        "Make the change out of place (t = t + x instead of t += x), or make it after backward()."
    )


def _wrong_shape_error(back_fn, recipe, argnum, grad, parent) -> ValueError:
    fn_name = getattr(back_fn, "__name__", repr(back_fn))
    name = getattr(recipe.func, "__name__", repr(recipe.func))
    return ValueError(
        f"backward: {fn_name}, the backward function of {name} for argument {argnum}, returned a "
        f"gradient of shape {grad.shape}, but that argument has shape {parent.array.shape}. A "
        "gradient has the shape of its argument: unbroadcast it to that shape."
    )


# --------------------------------------------------------------- making it fast
#
# Not needed to understand backprop: what is here changes how fast it runs, never
# what it computes.
#
# Python frees most objects as soon as the last reference to them goes.  Objects that
# refer to each other in a cycle never reach zero references, so Python also runs a
# "cycle collector" now and then, which walks over every container object alive (a
# Tensor, a Recipe, a dict of parents: three per node of a graph).  It runs after every
# few hundred new objects, and the sort makes one per node, so on a graph of a million
# nodes it walked over millions of objects again and again: about half of backprop's
# time.  Backprop makes no cycles, so it pauses the collector while it walks and
# switches it back on afterwards, as it was; anything cyclic made meanwhile is still
# collected later.  (The switch is for the whole process: another thread's garbage
# waits too, for as long as backprop runs.)


@contextlib.contextmanager
def _cycle_collector_paused():
    """Pause Python's cycle collector (``gc``) inside the block, if it was running."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# Backprop walks the graph in the order of ``sorted_computational_graph``, but the
# general ``topological_sort`` of chapter 5 pays, at every node, for things a graph of
# Tensors does not need: a call to ``get_parents`` building a list, the check for
# cycles (an operation's output is made after its parents, so the engine never builds
# a cycle) and the ``on_step`` hook.  ``_backward_order`` is the same depth-first walk
# written out for Tensors, giving the same list (``tests/test_tensor.py`` checks it):
# about a third of the sort's time, a tenth of a microsecond per node.


def _backward_order(end_node: Tensor) -> list[Tensor]:
    """``sorted_computational_graph(end_node)``: each Tensor before its parents, ``end_node`` first."""
    order = []  # each Tensor after all of its parents, reversed at the end
    seen = {end_node}
    # Each stack entry is (Tensor, iterator over its parents not looked at yet).
    recipe = end_node.recipe
    stack = [(end_node, iter(() if recipe is None else recipe.parents.values()))]
    while stack:
        tensor, parents = stack[-1]
        for parent in parents:
            if parent.requires_grad and parent not in seen:
                seen.add(parent)
                recipe = parent.recipe
                stack.append((parent, iter(() if recipe is None else recipe.parents.values())))
                break
        else:  # every parent is in `order` already
            stack.pop()
            order.append(tensor)
    order.reverse()
    return order


# Every recipe keeps its parents' versions as a tuple, one more object per node for
# the cycle collector (above) to walk over at its passes during the forward pass.
# Almost always every version is 0 (nothing was changed in place), so those recipes
# share one tuple of zeros per number of parents instead of holding a copy each: the
# values are the same, and a tuple cannot change.
_SHARED_VERSIONS = {(0,) * n: (0,) * n for n in range(1, 4)}


# Reading grad mode, one flag per thread (``_grad_mode.enabled``), costs a lookup in the
# thread's own dict of attributes: a fair part of the wrapper's time per operation.
# Yet the flag can only be off inside a ``no_grad()`` block, and most operations run
# when no thread is inside one.  So ``no_grad()`` also puts a token for its block in
# ``_NO_GRAD_BLOCKS`` (any thread's) and takes it out when the block ends; while that set
# is empty, every thread records and the wrapper need not read its flag.  (Adding to
# and removing from a set are single steps that threads cannot interleave.)
_NO_GRAD_BLOCKS: set = set()


# ``object.__new__(Tensor)`` makes a Tensor without running ``__init__`` (``_new_tensor``,
# ``_new_recipe``).  Finding ``__new__`` on the class each time took longer than the call
# itself, twice per node: it is looked up once, here.
_new_object = object.__new__
