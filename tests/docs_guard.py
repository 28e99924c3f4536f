"""The guard that holds the book to its promise: every Python snippet on a page runs.

``find_unexecuted_python(docs_dir)`` lists every way a page can show Python that
pytest-doctestplus would not execute.  ``tests/test_docs_guard.py`` runs it on
``docs/`` and proves it catches each kind of bad page.
"""

from __future__ import annotations

import re
from pathlib import Path

# A fence opening: optional indentation (admonitions, tabs), ``` or ~~~, a language.
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*\{?\.?(?P<lang>[\w+-]*)")
PYTHON_LANGS = {"python", "py", "python3", "py3", "ipython", "ipython3"}
DOCTEST_LANGS = {"pycon", "doctest"}
SKIP_MARKERS = [
    re.compile(r"doctest:\s*\+SKIP"),
    re.compile(r"doctest-skip"),
    re.compile(r"doctest-requires"),
    re.compile(r"doctest-remote-data"),
    re.compile(r"__doctest_skip__"),
]


def is_collected_path(path: Path, docs_dir: Path) -> bool:
    """Whether doctestplus's Markdown collection reaches this page."""
    rel = path.relative_to(docs_dir)
    if rel.parts and rel.parts[0] == "api":
        return False
    return not any(part.startswith("_") for part in rel.parts)


def fenced_blocks(text: str):
    """Yield (line number, language, body lines) for every fenced block."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        start, fence, indent = i, match["fence"], match["indent"]
        lang = match["lang"].lower()
        body = []
        i += 1
        while i < len(lines) and not (
            lines[i].strip().startswith(fence) and lines[i].strip().strip(fence[0]) == ""
        ):
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        yield start + 1, lang, body
        i += 1


def problems_in_page(path: Path, docs_dir: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    rel = path.relative_to(docs_dir)
    found = []
    has_python = False
    for line, lang, body in fenced_blocks(text):
        if lang in PYTHON_LANGS:
            has_python = True
            found.append(f"{rel}:{line}: a '{lang}' block is shown but never run; write it as pycon with >>> prompts")
        elif lang in DOCTEST_LANGS:
            has_python = True
            if not any(l.lstrip().startswith(">>>") for l in body):
                found.append(f"{rel}:{line}: a '{lang}' block has no >>> prompts, so nothing in it runs")
            elif body and body[-1].strip() != "" and not body[-1].lstrip().startswith(">>>"):
                found.append(
                    f"{rel}:{line}: put a blank line before the closing fence; "
                    "otherwise the fence is read as expected output"
                )
        elif lang == "" and any(l.lstrip().startswith(">>>") for l in body):
            has_python = True
            found.append(f"{rel}:{line}: a block with >>> prompts has no language; mark it pycon")
    for number, raw in enumerate(text.splitlines(), start=1):
        if any(marker.search(raw) for marker in SKIP_MARKERS):
            found.append(f"{rel}:{number}: a doctest skip marker; every snippet on the site must run")
    if (has_python or ">>>" in text) and not is_collected_path(path, docs_dir):
        found.append(
            f"{rel}: holds Python but sits where the doctest collector never looks "
            "(a name starting with '_', or under docs/api/); move it"
        )
    return found


def find_unexecuted_python(docs_dir: Path) -> list[str]:
    docs_dir = Path(docs_dir)
    problems = []
    for path in sorted(docs_dir.rglob("*.md")):
        if "assets" in path.relative_to(docs_dir).parts[:1]:
            continue
        problems.extend(problems_in_page(path, docs_dir))
    return problems
