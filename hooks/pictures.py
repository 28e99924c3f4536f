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

A marker that names an unknown picture or fails to draw fails the build.
"""

from __future__ import annotations

import ast
import re

import numpy as np

NAMED_GRAPHS = {
    # chapter 6: autograd_lite.by_hand.forward_and_back, with the page's inputs
    "forward_and_back": "a = [2.0], b = [3.0], c = [10.0], d = a*b, e = log(c), f = d*e, g = log(f)",
}
OPTIONS = {"values", "grads", "shapes", "TB", "LR"}

MARKER = re.compile(r"^(?P<indent>[ \t]*)<!--\s*(?P<kind>[\w-]*picture[\w-]*)\s*:?(?P<spec>.*?)-->[ \t]*$", re.MULTILINE)
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
# Anything that starts like a marker; it must then be a whole-line MARKER, or the
# picture would silently go missing (an HTML comment shows nothing).
MARKER_START = re.compile(r"<!--\s*[\w-]*picture")


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


def graph_picture(spec: str):
    """The ``GraphPicture`` (``autograd_lite.draw``) for a ``graph-picture`` marker's spec."""
    from autograd_lite.draw import draw

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
    if "grads" in options:
        root.backward()
    if "TB" in options and "LR" in options:
        raise PictureError("options TB and LR contradict each other; give one of them")
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


def render_picture(kind: str, spec: str) -> str:
    """Markdown for one marker: an SVG figure (raw HTML, so the picture is inline in the page)."""
    if kind == "graph-picture":
        # data-search-exclude: the picture's words repeat the page's prose in the search results.
        return '<figure class="graph-figure" data-search-exclude>\n' + graph_picture(spec).svg + "\n</figure>"
    if kind == "broadcast-picture":
        return '<figure class="broadcast-figure" data-search-exclude>\n' + broadcast_picture(spec) + "\n</figure>"
    raise PictureError(f"unknown picture kind {kind!r}; the kinds are graph-picture and broadcast-picture")


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
