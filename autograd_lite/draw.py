"""Pictures of a computational graph and of broadcasting, as text a browser renders.

Every picture in the book is drawn by this module when the site is built
(``hooks/pictures.py``), from the library's own graph objects: a change to the
library that changes a graph changes the picture.  The output needs no system
package: graphs are [Mermaid](https://mermaid.js.org/) flowchart text (the
book, GitHub and JupyterLab render it), broadcasting is an SVG image.

Used by the book's chapters 1 (Computational graphs), 3 (Broadcasting),
4 (Unbroadcast) and 6 (Backprop by hand).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .graph import topological_sort

__all__ = [
    "BroadcastPlan",
    "broadcast_plan",
    "broadcast_svg",
    "graph_to_mermaid",
    "to_mermaid",
]


def _mermaid_text(line: str) -> str:
    """Escape one label line for a quoted Mermaid label."""
    return (
        html.escape(str(line), quote=False)
        .replace('"', "#quot;")
        .replace("\n", " ")
    )


class _Key:
    """A dict key for an unhashable node: the node itself, compared by identity."""

    __slots__ = ("value",)

    def __init__(self, value: Any):
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and other.value is self.value

    @staticmethod
    def of(node: Any) -> Any:
        try:
            hash(node)
        except TypeError:
            return _Key(node)
        return node

    @staticmethod
    def node(key: Any) -> Any:
        return key.value if isinstance(key, _Key) else key


def graph_to_mermaid(
    root: Any,
    get_inputs: Callable[[Any], Iterable[Any]],
    label: Callable[[Any], Sequence[str]],
    *,
    is_leaf: Callable[[Any], bool] | None = None,
    direction: str = "LR",
) -> str:
    """Mermaid flowchart of every node ``root`` depends on, arrows from inputs to outputs.

    This is the generic core behind `to_mermaid`: it draws any graph
    given its root, a function listing a node's inputs (the same function
    ``topological_sort`` takes as ``get_children``) and a function giving each
    node's label lines.  Nodes are listed in topological order (inputs first),
    numbered ``n0, n1, ...`` in that order; leaves (no inputs, unless
    ``is_leaf`` says otherwise) are drawn rounded, computed nodes as boxes.
    Hashable nodes are told apart as ``topological_sort`` does (Tensors by
    identity); unhashable ones by identity.

    >>> from autograd_lite.draw import graph_to_mermaid
    >>> inputs = {"L": ["d", "e"], "d": ["a", "b"], "e": ["b", "c"]}
    >>> print(graph_to_mermaid("L", lambda n: inputs.get(n, []), lambda n: [n]))
    flowchart LR
        n0(["a"])
        n1(["b"])
        n2["d"]
        n3(["c"])
        n4["e"]
        n5["L"]
        n0 --> n2
        n1 --> n2
        n1 --> n4
        n3 --> n4
        n2 --> n5
        n4 --> n5
    """
    if direction not in {"LR", "RL", "TB", "TD", "BT"}:
        raise ValueError(
            f"graph_to_mermaid: direction={direction!r} is not a Mermaid flowchart "
            "direction; use one of 'LR', 'RL', 'TB', 'TD', 'BT'."
        )
    def inputs_of(key: Any) -> list[Any]:
        return [_Key.of(child) for child in get_inputs(_Key.node(key))]

    order = topological_sort(_Key.of(root), inputs_of)
    number = {key: i for i, key in enumerate(order)}
    lines = [f"flowchart {direction}"]
    edges = []
    for key in order:
        node = _Key.node(key)
        inputs = inputs_of(key)
        text = "<br/>".join(_mermaid_text(line) for line in label(node))
        leaf = is_leaf(node) if is_leaf is not None else not inputs
        shape = '(["{}"])' if leaf else '["{}"]'
        lines.append(f"    n{number[key]}" + shape.format(text))
        edges.extend(f"    n{number[child]} --> n{number[key]}" for child in inputs)
    lines.extend(edges)
    return "\n".join(lines)


def _format_number(x: Any) -> str:
    return format(x, ".4g") if isinstance(x, (float, np.floating)) else str(x)


def _format_array(value: Any) -> str:
    """Values in 4 significant digits, long arrays shortened: ``2``, ``[0.5, 0.3333]``."""
    array = np.asarray(getattr(value, "array", value))
    if array.ndim == 0:
        return _format_number(array.item())
    return np.array2string(
        array,
        separator=", ",
        threshold=8,
        edgeitems=2,
        formatter={"float_kind": _format_number},
    ).replace("\n", "")


def _recipe(tensor: Any) -> Any:
    return getattr(tensor, "recipe", None)


def _tensor_inputs(tensor: Any) -> list[Any]:
    recipe = _recipe(tensor)
    if recipe is None:
        return []
    return [recipe.parents[position] for position in sorted(recipe.parents)]


def _operation(recipe: Any) -> str:
    # Wrapped helpers are private (``_sum``); the reader knows the operation as ``sum``.
    name = getattr(recipe.func, "__name__", repr(recipe.func)).lstrip("_")
    kwargs = getattr(recipe, "kwargs", None) or {}
    if not kwargs:
        return name
    return name + "(" + ", ".join(f"{k}={v!r}" for k, v in kwargs.items()) + ")"


def to_mermaid(
    tensor: Any,
    names: Mapping[str, Any] | None = None,
    show_values: bool = False,
    show_grads: bool = False,
    direction: str = "LR",
) -> str:
    """Mermaid flowchart of the computational graph that produced ``tensor``.

    Each node shows its name (looked up in ``names``, a mapping such as
    ``{"a": a, "b": b}``; unnamed nodes show none), the operation that made it
    (leaves have none) and its shape; optionally its value and its gradient.
    Arrows go from inputs to outputs.  The graph is read from each Tensor's
    ``recipe``: its ``func`` and ``kwargs`` name the operation, its ``parents``
    (argument position -> Tensor) are the inputs.  The engine keeps gradients
    on leaves only, so ``show_grads`` adds a gradient line to the leaves (and
    to any other node whose ``grad`` is set).

    >>> from autograd_lite import Tensor, to_mermaid
    >>> a = Tensor(2.0, requires_grad=True)
    >>> b = Tensor(3.0, requires_grad=True)
    >>> c = Tensor(4.0, requires_grad=True)
    >>> d = a * b
    >>> e = b + c
    >>> L = d + e
    >>> print(to_mermaid(L, names={"a": a, "b": b, "c": c, "d": d, "e": e, "L": L}))
    flowchart LR
        n0(["a<br/>shape ()"])
        n1(["b<br/>shape ()"])
        n2["d = multiply<br/>shape ()"]
        n3(["c<br/>shape ()"])
        n4["e = add<br/>shape ()"]
        n5["L = add<br/>shape ()"]
        n0 --> n2
        n1 --> n2
        n1 --> n4
        n3 --> n4
        n2 --> n5
        n4 --> n5

    With values, and with gradients after ``backward()``:

    >>> L.backward()
    >>> print(to_mermaid(d, names={"a": a, "b": b, "d": d}, show_values=True, show_grads=True))
    flowchart LR
        n0(["a<br/>shape ()<br/>value 2<br/>grad 3"])
        n1(["b<br/>shape ()<br/>value 3<br/>grad 3"])
        n2["d = multiply<br/>shape ()<br/>value 6"]
        n0 --> n2
        n1 --> n2
    """
    name_of = {id(value): name for name, value in (names or {}).items()}

    def label(node: Any) -> list[str]:
        recipe = _recipe(node)
        name = name_of.get(id(node))
        if recipe is None:
            first = name if name is not None else "leaf"
        else:
            operation = _operation(recipe)
            first = f"{name} = {operation}" if name is not None else operation
        lines = [first, f"shape {tuple(np.shape(node.array))}"]
        if show_values:
            lines.append(f"value {_format_array(node.array)}")
        if show_grads and (recipe is None or getattr(node, "grad", None) is not None):
            grad = getattr(node, "grad", None)
            lines.append("grad None" if grad is None else f"grad {_format_array(grad)}")
        return lines

    return graph_to_mermaid(
        tensor,
        _tensor_inputs,
        label,
        is_leaf=lambda node: _recipe(node) is None,
        direction=direction,
    )


@dataclass(frozen=True)
class BroadcastPlan:
    """What broadcasting does to one array, axis by axis, and what unbroadcast undoes.

    Axes are numbered as in ``target``.  ``prepended`` are the axes rule 1 adds
    in front (size 1); ``stretched`` are the size-1 axes rule 2 copies to a
    larger size (a prepended axis can be stretched too).  On the way back,
    ``unbroadcast`` sums over ``summed_dropped`` (the prepended axes, which then
    disappear) and over ``summed_kept`` (the stretched axes the array really
    had, summed keeping their size 1).
    """

    shape: tuple[int, ...]
    target: tuple[int, ...]

    @property
    def prepended(self) -> tuple[int, ...]:
        return tuple(range(len(self.target) - len(self.shape)))

    @property
    def aligned(self) -> tuple[int, ...]:
        """``shape`` after rule 1: size-1 axes prepended to match ``target``'s length."""
        return (1,) * len(self.prepended) + self.shape

    @property
    def stretched(self) -> tuple[int, ...]:
        return tuple(
            axis
            for axis, (before, after) in enumerate(zip(self.aligned, self.target))
            if before == 1 and after != 1
        )

    @property
    def summed_dropped(self) -> tuple[int, ...]:
        return self.prepended

    @property
    def summed_kept(self) -> tuple[int, ...]:
        return tuple(axis for axis in self.stretched if axis not in self.prepended)


def _shape(value: Any, what: str) -> tuple[int, ...]:
    try:
        shape = tuple(int(n) for n in value)
    except TypeError:
        raise TypeError(
            f"broadcast_plan: {what} must be a shape, a tuple of sizes such as (3, 1); "
            f"got {value!r}."
        ) from None
    if any(n < 0 for n in shape):
        raise ValueError(f"broadcast_plan: {what} {shape} has a negative size; sizes are >= 0.")
    return shape


def broadcast_plan(shape: Sequence[int], target: Sequence[int]) -> BroadcastPlan:
    """Say which axes broadcasting ``shape`` to ``target`` prepends and stretches.

    >>> from autograd_lite.draw import broadcast_plan
    >>> plan = broadcast_plan((3, 1), (2, 3, 4))
    >>> plan.prepended, plan.aligned, plan.stretched
    ((0,), (1, 3, 1), (0, 2))
    >>> plan.summed_dropped, plan.summed_kept
    ((0,), (2,))
    >>> broadcast_plan((4,), (2, 3))
    Traceback (most recent call last):
    ...
    ValueError: broadcast_plan: shape (4,) cannot be broadcast to (2, 3): aligned from the right, size 4 meets size 3, and only a size 1 can stretch. Pass the shape of the array and the shape it is broadcast to.
    """
    shape, target = _shape(shape, "shape"), _shape(target, "target")
    if len(shape) > len(target):
        raise ValueError(
            f"broadcast_plan: shape {shape} has more axes than target {target}; broadcasting "
            "only adds axes. Pass the shape of the array and the larger shape it is broadcast to."
        )
    for before, after in zip(shape[::-1], target[::-1]):
        if before != after and before != 1:
            raise ValueError(
                f"broadcast_plan: shape {shape} cannot be broadcast to {target}: aligned from "
                f"the right, size {before} meets size {after}, and only a size 1 can stretch. "
                "Pass the shape of the array and the shape it is broadcast to."
            )
    return BroadcastPlan(shape, target)


# Colours readable on the light and the dark theme alike (semi-transparent fills).
_PREPENDED_FILL = "rgba(63, 81, 181, 0.35)"
_STRETCHED_FILL = "rgba(255, 112, 67, 0.40)"


def broadcast_svg(shape: Sequence[int], target: Sequence[int]) -> str:
    """An SVG picture of broadcasting ``shape`` to ``target`` and of unbroadcast on the way back.

    One column per axis of ``target``.  The rows: the array's own shape
    (aligned to the right); rule 1, the prepended size-1 axes (blue); rule 2,
    the stretched axes (orange); and what ``unbroadcast`` does to the
    gradient on each axis: sum and drop a prepended axis, sum keeping size 1
    on a stretched one, keep the rest.  Text uses the page's colour, so the
    picture reads on light and dark themes; its ``<title>`` describes it for
    screen readers.

    >>> from autograd_lite.draw import broadcast_svg
    >>> svg = broadcast_svg((3, 1), (2, 3, 4))
    >>> print(svg.splitlines()[1])
    <title>Broadcasting shape (3, 1) to (2, 3, 4): rule 1 prepends axis 0 (shape (1, 3, 1)); rule 2 stretches axes 0, 2. On the way back unbroadcast sums axis 0 and drops it, sums axis 2 keeping size 1, and returns shape (3, 1).</title>
    """
    plan = broadcast_plan(shape, target)
    n_axes = len(plan.target)
    label_width, cell_width, cell_height, gap = 230, 96, 34, 12
    # At least as wide as the legend (two entries, about 660 px), however few axes there are.
    width = max(label_width + max(n_axes, 1) * (cell_width + gap) + 10, 670)
    rows: list[tuple[str, list[tuple[str, str | None, bool]]]] = []
    # Each cell: (text, fill colour or None, drawn?)
    offset = len(plan.prepended)
    rows.append((
        f"x: shape {plan.shape}",
        [("", None, False)] * offset + [(str(n), None, True) for n in plan.shape],
    ))
    rows.append((
        "rule 1: prepend size-1 axes",
        [(str(n), _PREPENDED_FILL if axis in plan.prepended else None, True)
         for axis, n in enumerate(plan.aligned)],
    ))
    rows.append((
        f"rule 2: stretch to {plan.target}",
        [(f"1 \u2192 {n}" if axis in plan.stretched else str(n),
          _STRETCHED_FILL if axis in plan.stretched else None, True)
         for axis, n in enumerate(plan.target)],
    ))
    back = []
    for axis in range(n_axes):
        if axis in plan.summed_dropped:
            back.append(("sum, drop", _PREPENDED_FILL, True))
        elif axis in plan.summed_kept:
            back.append(("sum, keep 1", _STRETCHED_FILL, True))
        else:
            back.append(("keep", None, True))
    rows.append((f"unbroadcast: back to {plan.shape}", back))

    top = 30
    height = top + len(rows) * (cell_height + gap) + 40
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="broadcast-picture" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'style="max-width: 100%; height: auto" font-size="14" fill="currentColor">',
        f"<title>{html.escape(_describe(plan))}</title>",
    ]
    for axis in range(n_axes):
        x = label_width + axis * (cell_width + gap) + cell_width / 2
        out.append(f'<text x="{x:g}" y="18" text-anchor="middle" opacity="0.7">axis {axis}</text>')
    for r, (row_label, cells) in enumerate(rows):
        y = top + r * (cell_height + gap)
        out.append(
            f'<text x="0" y="{y + cell_height / 2:g}" dominant-baseline="central">'
            f"{html.escape(row_label)}</text>"
        )
        for axis, (text, fill, drawn) in enumerate(cells):
            if not drawn:
                continue
            x = label_width + axis * (cell_width + gap)
            out.append(
                f'<rect x="{x}" y="{y}" width="{cell_width}" height="{cell_height}" rx="4" '
                f'fill="{fill or "none"}" stroke="currentColor" stroke-opacity="0.6"/>'
            )
            out.append(
                f'<text x="{x + cell_width / 2:g}" y="{y + cell_height / 2:g}" '
                f'text-anchor="middle" dominant-baseline="central">{html.escape(text)}</text>'
            )
    legend_y = top + len(rows) * (cell_height + gap) + 14
    out.append(
        f'<rect x="0" y="{legend_y - 8}" width="16" height="16" fill="{_PREPENDED_FILL}"/>'
        f'<text x="22" y="{legend_y}" dominant-baseline="central">prepended: summed and dropped</text>'
    )
    out.append(
        f'<rect x="270" y="{legend_y - 8}" width="16" height="16" fill="{_STRETCHED_FILL}"/>'
        f'<text x="292" y="{legend_y}" dominant-baseline="central">stretched: summed (size 1 kept if the array had it)</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def _axes(axes: Sequence[int]) -> str:
    return ("axis " if len(axes) == 1 else "axes ") + ", ".join(str(a) for a in axes)


def _describe(plan: BroadcastPlan) -> str:
    forward = []
    if plan.prepended:
        forward.append(f"rule 1 prepends {_axes(plan.prepended)} (shape {plan.aligned})")
    else:
        forward.append("rule 1 prepends nothing")
    if plan.stretched:
        forward.append(f"rule 2 stretches {_axes(plan.stretched)}")
    else:
        forward.append("rule 2 stretches nothing")
    back = []
    if plan.summed_dropped:
        back.append(f"sums {_axes(plan.summed_dropped)} and drops "
                    + ("it" if len(plan.summed_dropped) == 1 else "them"))
    if plan.summed_kept:
        back.append(f"sums {_axes(plan.summed_kept)} keeping size 1")
    back_text = ", ".join(back) + ", and returns" if back else "returns"
    return (
        f"Broadcasting shape {plan.shape} to {plan.target}: {'; '.join(forward)}. "
        f"On the way back unbroadcast {back_text} shape {plan.shape}."
    )
