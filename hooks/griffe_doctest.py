"""Griffe extension: show docstring examples on the API reference as pycon code.

The library's docstrings hold doctests inline (``>>> ...`` runs), which pytest
runs.  Griffe's numpy parser only treats them as code inside an ``Examples``
section; anywhere else Markdown reads each ``>`` as a block quote and the
example turns into nested quotes of run-together text.  This extension fences
every run of doctest lines (from a ``>>>`` line to the next blank line) as a
``pycon`` block, so the reference shows them as the book's pages do, with the
same copy button.  Enabled in mkdocs.yml (mkdocstrings ``extensions``).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")


def fence_doctests(text: str) -> str:
    """Wrap each run of doctest lines in a ```pycon fence (fenced code is left alone)."""
    out: list[str] = []
    fence: str | None = None
    in_doctest = False
    indent = ""
    for line in text.split("\n"):
        opening = FENCE.match(line)
        if in_doctest and not line.strip():
            out.extend([f"{indent}```", line])
            in_doctest = False
            continue
        if in_doctest:
            out.append(line)
            continue
        if opening and fence is None:
            fence = opening.group(1)
        elif opening and fence and line.strip().startswith(fence):
            fence = None
        elif fence is None and line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(f"{indent}```pycon")
            in_doctest = True
        out.append(line)
    if in_doctest:
        out.append(f"{indent}```")
    return "\n".join(out)


class DoctestFences(griffe.Extension):
    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            obj.docstring.value = fence_doctests(obj.docstring.value)
