"""mkdocs hook: in an executed notebook page, what a cell prints shows as one block.

mkdocs-jupyter runs the notebook pages (``execute: true``) with nbclient, which keeps every
chunk of printed text the kernel sends as an output of its own.  The kernel sends what a cell has
printed about five times a second, so a loop that prints for a second or two (chapter 10's
training log) came out as a stack of separate boxes, a different number on every build, each one
a stop for the Tab key.  This hook joins a cell's consecutive outputs of the same stream
(``stdout`` or ``stderr``) into one, keeping every output in its order.

nbclient's own ``coalesce_streams`` would move all of a cell's printed text before its first
picture, and mkdocs-jupyter has no option for either, so the joining is nbclient's
``on_cell_executed`` hook, made the default before the build starts.
"""

from __future__ import annotations

from nbformat import NotebookNode


def join_consecutive_streams(outputs: list[NotebookNode]) -> list[NotebookNode]:
    """The outputs with each run of same-stream text outputs joined into its first one
    (tests/test_notebooks.py)."""
    joined: list[NotebookNode] = []
    for output in outputs:
        previous = joined[-1] if joined else None
        if (previous is not None and output.output_type == previous.output_type == "stream"
                and output.name == previous.name):
            previous.text += output.text
        else:
            joined.append(output)
    return joined


def _on_cell_executed(cell: NotebookNode, **_: object) -> None:
    cell.outputs = join_consecutive_streams(cell.outputs)


def on_startup(command: str, dirty: bool) -> None:
    from nbclient import NotebookClient

    NotebookClient.class_traits()["on_cell_executed"].default_value = _on_cell_executed
