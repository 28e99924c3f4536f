"""mkdocs hook: draw the book's pictures with the library, at build time.

A page asks for a picture with an HTML comment on a line of its own (it may be
indented, inside an admonition):

``<!-- graph-picture: d = a*b, e = b+c, L = d+e -->``
    The computational graph of these assignments, evaluated with the library's
    ``Tensor``; each node is named after its variable.  A name used before it
    is assigned is a leaf: a ``Tensor`` with ``requires_grad=True`` and value
    2.0, 3.0, 4.0, ... in order of first use, unless the spec assigns it a
    literal first (``a = 2.0`` or ``a = [2.0, 1.0]``).  The operations of
    ``autograd_lite.functions`` (``log``, ``exp``, ``sum``, ``relu``, ...)
    may be called, and Tensor methods (``x.sum(dim=0)``) used.  The last name
    assigned is the root.  Drawn by ``autograd_lite.draw`` as an inline SVG
    (arrows from inputs to outputs, inputs at the top).  Options after ``|``:
    ``values`` shows each node's value, ``grads`` runs backward from the root
    and shows the leaves' gradients (the engine keeps gradients on leaves
    only), ``shapes`` shows each node's shape, ``LR`` draws left to right
    (``TB``, top to bottom, is the default).
``<!-- graph-picture: forward_and_back -->``
    A named graph (see ``NAMED_GRAPHS``): the worked example of chapter 6.
``<!-- broadcast-picture: (3, 1) -> (2, 3, 4) -->``
    Which axes broadcasting prepends and stretches, and which unbroadcast sums
    on the way back (``autograd_lite.draw.broadcast_svg``).
``<!-- backward-frames: d = a*b, e = b+c, L = d+e -->``
    The backward pass of that graph (same spec and named graphs as
    ``graph-picture``; option ``LR``), as content tabs "Step 1" ... "Step n",
    each a caption in words and the frame ``autograd_lite.draw.backward_frames``
    drew from a real ``backprop`` run.
``<!-- sort-trace: L: d e, d: a b, e: b c -->``
    A table of ``topological_sort``'s stack and result after every push and
    pop (``autograd_lite.graph.topological_sort_trace``), on the graph given
    as each node's parents; the first node named is the root.
``<!-- jacobian-picture: exp at (3, 4) -->``
    The Jacobian of an elementwise function of ``autograd_lite.functions`` at
    an array of that shape (values 0.1, 0.2, ...), computed by central finite
    differences, drawn as a grid (``autograd_lite.draw.jacobian_svg``).

A marker that names an unknown picture or fails to draw fails the build.
"""

from __future__ import annotations

import ast
import html
import re

import numpy as np

NAMED_GRAPHS = {
    # chapter 6: autograd_lite.by_hand.forward_and_back, with the page's inputs
    "forward_and_back": "a = 2.0, b = 3.0, c = 10.0, d = a*b, e = log(c), f = d*e, g = log(f)",
}
OPTIONS = {"values", "grads", "shapes", "TB", "LR"}

KINDS = r"[\w-]*(?:picture|frames|trace)[\w-]*"
MARKER = re.compile(r"^(?P<indent>[ \t]*)<!--\s*(?P<kind>" + KINDS + r")\s*:?(?P<spec>.*?)-->[ \t]*$", re.MULTILINE)
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
# Anything that starts like a marker; it must then be a whole-line MARKER, or the
# picture would silently go missing (an HTML comment shows nothing).
MARKER_START = re.compile(r"<!--\s*" + KINDS)


class PictureError(ValueError):
    """A picture marker on a page could not be drawn."""


def split_top_level(text: str, separator: str = ",") -> list[str]:
    """Split at ``separator`` outside brackets: ``"a = [1, 2], b = a"`` -> two parts."""
    parts, depth, current = [], 0, []
    for char in text:
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part.strip() for part in parts if part.strip()]


def build_graph(assignments: str):
    """Evaluate ``"d = a*b, e = b+c"`` with the library; return (root, {name: Tensor})."""
    from autograd_lite import Tensor, functions as operations

    functions = {name: getattr(operations, name) for name in operations.__all__}
    names: dict = {}
    next_leaf_value = 2.0
    root_name = None
    for statement in split_top_level(assignments):
        try:
            tree = ast.parse(statement, mode="exec")
        except SyntaxError as error:
            raise PictureError(f"{statement!r} is not a Python assignment ({error.msg})") from None
        if len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assign) or len(
            tree.body[0].targets
        ) != 1 or not isinstance(tree.body[0].targets[0], ast.Name):
            raise PictureError(f"{statement!r} is not one assignment 'name = expression'")
        target = tree.body[0].targets[0].id
        expression = tree.body[0].value
        try:
            literal = ast.literal_eval(expression)
        except ValueError:
            literal = None
        if literal is not None:
            names[target] = Tensor(np.asarray(literal, dtype=float), requires_grad=True)
        else:
            for node in ast.walk(expression):
                if isinstance(node, ast.Name) and node.id not in names and node.id not in functions:
                    if isinstance(getattr(node, "ctx", None), ast.Load):
                        names[node.id] = Tensor(np.asarray(next_leaf_value), requires_grad=True)
                        next_leaf_value += 1.0
            code = compile(ast.Expression(expression), f"<graph-picture {statement}>", "eval")
            try:
                names[target] = eval(code, {"__builtins__": {}, **functions}, dict(names))
            except Exception as error:
                raise PictureError(
                    f"evaluating {statement!r} with autograd_lite raised "
                    f"{type(error).__name__}: {error}"
                ) from error
        root_name = target
    if root_name is None:
        raise PictureError("no assignment given; write e.g. 'd = a*b, L = d+c'")
    return names[root_name], names


def graph_spec(spec: str):
    """(root, names, options) of a ``graph-picture`` or ``backward-frames`` spec."""
    spec, _, option_text = spec.partition("|")
    options = option_text.split()
    unknown = [o for o in options if o not in OPTIONS]
    if unknown:
        raise PictureError(f"unknown option(s) {unknown}; the options are {sorted(OPTIONS)}")
    spec = spec.strip()
    if re.fullmatch(r"\w+", spec):
        if spec not in NAMED_GRAPHS:
            raise PictureError(
                f"no graph named {spec!r}; the named graphs are {sorted(NAMED_GRAPHS)}, "
                "or write the assignments, e.g. 'd = a*b, e = b+c, L = d+e'"
            )
        spec = NAMED_GRAPHS[spec]
    root, names = build_graph(spec)
    if "TB" in options and "LR" in options:
        raise PictureError("options TB and LR contradict each other; give one of them")
    return root, names, options


def graph_picture(spec: str):
    """The ``GraphPicture`` (``autograd_lite.draw``) for a ``graph-picture`` marker's spec."""
    from autograd_lite.draw import draw

    root, names, options = graph_spec(spec)
    if "grads" in options:
        root.backward()
    return draw(
        root,
        names,
        values="values" in options,
        grads="grads" in options,
        shapes="shapes" in options,
        direction="LR" if "LR" in options else "TB",
    )


def broadcast_picture(spec: str) -> str:
    """The SVG for a ``broadcast-picture`` marker's spec, ``"(3, 1) -> (2, 3, 4)"``."""
    from autograd_lite.draw import broadcast_svg

    shape_text, arrow, target_text = spec.partition("->")
    try:
        if not arrow:
            raise ValueError
        shape, target = ast.literal_eval(shape_text.strip()), ast.literal_eval(target_text.strip())
        shape, target = tuple(shape), tuple(target)
    except (ValueError, SyntaxError, TypeError):
        raise PictureError(
            f"{spec.strip()!r} is not 'shape -> target', e.g. '(3, 1) -> (2, 3, 4)'"
        ) from None
    try:
        return broadcast_svg(shape, target)
    except (ValueError, TypeError) as error:
        raise PictureError(str(error)) from error


def backward_frames_tabs(spec: str) -> str:
    """Content tabs "Step 1" ... "Step n" for a ``backward-frames`` marker: caption, then frame."""
    from autograd_lite.draw import backward_frames

    root, names, options = graph_spec(spec)
    extra = [o for o in options if o not in {"TB", "LR"}]
    if extra:
        raise PictureError(f"backward-frames takes the option LR or TB only (each frame shows values and grads); got {extra}")
    frames = backward_frames(root, names, direction="LR" if "LR" in options else "TB")
    tabs = []
    for frame in frames:
        tabs.append(
            f'=== "Step {frame.step}"\n\n'
            f"    **Step {frame.step} of {len(frames)}.** {html.escape(frame.caption, quote=False)}\n\n"
            '    <figure class="graph-figure" data-backward-frame data-search-exclude>\n'
            + "\n".join("    " + line if line else line for line in frame.picture.svg.split("\n"))
            + "\n    </figure>\n"
        )
    return "\n".join(tabs)


def sort_trace_table(spec: str) -> str:
    """A Markdown table of ``topological_sort``'s steps on the graph ``"L: d e, d: a b, e: b c"``."""
    from autograd_lite.graph import topological_sort_trace

    parents: dict[str, list[str]] = {}
    for part in split_top_level(spec):
        node, colon, inputs = part.partition(":")
        if not colon or not re.fullmatch(r"\w+", node.strip()):
            raise PictureError(f"{part!r} is not 'node: parent parent ...', e.g. 'L: d e'")
        parents[node.strip()] = inputs.split()
    if not parents:
        raise PictureError("no node given; write e.g. 'L: d e, d: a b, e: b c'")
    root = next(iter(parents))

    def names(nodes) -> str:
        return ", ".join(f"`{n}`" for n in nodes) or "(empty)"

    rows = ["| step | what happens | stack, bottom to top | result so far |", "| --- | --- | --- | --- |"]
    for number, (action, node, stack, result) in enumerate(
        topological_sort_trace(root, lambda n: parents.get(n, [])), start=1
    ):
        what = (f"push `{node}`" if action == "push" else f"pop `{node}`: all its parents are done")
        rows.append(f"| {number} | {what} | {names(stack)} | {names(result)} |")
    return "\n".join(rows)


def jacobian_picture(spec: str) -> str:
    """The SVG for a ``jacobian-picture`` marker's spec, ``"exp at (3, 4)"``."""
    from autograd_lite import functions
    from autograd_lite.draw import jacobian_svg
    from autograd_lite.numerical import numerical_gradient

    match = re.fullmatch(r"\s*(?P<name>\w+)\s+at\s+(?P<shape>\(.*\))\s*", spec)
    if not match or match["name"] not in getattr(functions, "__all__", ()):
        raise PictureError(f"{spec.strip()!r} is not 'function at shape', e.g. 'exp at (3, 4)', "
                           "with a function of autograd_lite.functions")
    shape = tuple(ast.literal_eval(match["shape"]))
    x = np.arange(1, int(np.prod(shape)) + 1, dtype=float).reshape(shape) / 10
    forward = getattr(np, match["name"])
    jacobian = np.empty(shape + shape)
    for index in np.ndindex(*shape):
        jacobian[index] = numerical_gradient(lambda v, index=index: forward(v)[index], [x])
    return jacobian_svg(jacobian, x, match["name"])


def render_picture(kind: str, spec: str) -> str:
    """Markdown for one marker: an SVG figure (raw HTML, so the picture is inline in the page)."""
    if kind == "graph-picture":
        # data-search-exclude: the picture's words repeat the page's prose in the search results.
        return '<figure class="graph-figure" data-search-exclude>\n' + graph_picture(spec).svg + "\n</figure>"
    if kind == "broadcast-picture":
        return '<figure class="broadcast-figure" data-search-exclude>\n' + broadcast_picture(spec) + "\n</figure>"
    if kind == "jacobian-picture":
        return '<figure class="jacobian-figure" data-search-exclude>\n' + jacobian_picture(spec) + "\n</figure>"
    if kind == "backward-frames":
        return backward_frames_tabs(spec)
    if kind == "sort-trace":
        return sort_trace_table(spec)
    raise PictureError(
        f"unknown picture kind {kind!r}; the kinds are graph-picture, broadcast-picture, "
        "jacobian-picture, backward-frames and sort-trace"
    )


def find_markers(markdown: str) -> list[tuple[int, str, str]]:
    """Every picture marker outside code fences: (line number, kind, spec)."""
    found, fence = [], None
    for number, line in enumerate(markdown.splitlines(), start=1):
        opening = FENCE.match(line)
        if opening:
            if fence is None:
                fence = opening.group(1)
            elif opening.group(1).startswith(fence) and line.strip().strip(fence[0]) == "":
                fence = None
            continue
        if fence is None:
            match = MARKER.match(line)
            if match:
                found.append((number, match["kind"], match["spec"].strip()))
            elif MARKER_START.search(line):
                raise PictureError(
                    f"line {number}: {line.strip()!r} starts a picture marker but is not one whole "
                    "line '<!-- graph-picture: ... -->' on its own; write the marker on one line"
                )
    return found


def render_markers(markdown: str, where: str = "a page") -> str:
    """Replace every picture marker in ``markdown`` by its picture; raise on a bad one."""
    lines = markdown.splitlines(keepends=True)
    try:
        markers = find_markers(markdown)
    except PictureError as error:
        raise PictureError(f"{where}: {error}") from error
    for number, kind, spec in reversed(markers):
        line = lines[number - 1]
        indent = MARKER.match(line.rstrip("\r\n"))["indent"]
        try:
            picture = render_picture(kind, spec)
        except PictureError as error:
            raise PictureError(f"{where}:{number}: <!-- {kind}: {spec} -->: {error}") from error
        body = "\n".join(indent + l if l else l for l in picture.split("\n"))
        lines[number - 1] = f"\n{body}\n\n"
    return "".join(lines)


def on_page_markdown(markdown, page, config, files):
    from mkdocs.exceptions import PluginError

    try:
        return render_markers(markdown, where=f"docs/{page.file.src_uri}")
    except PictureError as error:
        raise PluginError(f"picture marker failed: {error}") from error
