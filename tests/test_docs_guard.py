"""Prove the docs guard: the real book passes it, and each kind of bad page fails it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from docs_guard import find_unexecuted_python

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GOOD = "# Page\n\n```pycon\n>>> 1 + 1\n2\n\n```\n"


def test_the_book_has_no_unexecuted_python():
    assert find_unexecuted_python(DOCS) == []


def test_a_good_page_passes(tmp_path):
    (tmp_path / "page.md").write_text(GOOD)
    assert find_unexecuted_python(tmp_path) == []


BAD_PAGES = {
    "python fence": ("page.md", "```python\nx = 1\n```\n", "never run"),
    "py fence in an admonition": ("page.md", '!!! note\n\n    ```py\n    x = 1\n    ```\n', "never run"),
    "pycon without prompts": ("page.md", "```pycon\nx = 1\n\n```\n", "no >>> prompts"),
    "prompts without a language": ("page.md", "```\n>>> x = 1\n\n```\n", "no language"),
    "no blank line before the closing fence": ("page.md", "```pycon\n>>> 1 + 1\n2\n```\n", "blank line"),
    "SKIP directive": ("page.md", "```pycon\n>>> 1 + 1  # doctest: +SKIP\n3\n\n```\n", "skip marker"),
    "doctest-skip comment": ("page.md", "<!-- doctest-skip::-->\n" + GOOD, "skip marker"),
    "doctest-skip-all comment": ("page.md", "<!-- doctest-skip-all -->\n" + GOOD, "skip marker"),
    "doctest-requires comment": ("page.md", "<!-- doctest-requires:: torch -->\n" + GOOD, "skip marker"),
    "page named with underscore": ("_draft.md", GOOD, "never looks"),
    "page in an underscore folder": ("_private/page.md", GOOD, "never looks"),
    "page under docs/api": ("api/page.md", GOOD, "never looks"),
}


@pytest.mark.parametrize("kind", sorted(BAD_PAGES))
def test_guard_fails_on_bad_page(tmp_path, kind):
    name, text, message = BAD_PAGES[kind]
    page = tmp_path / name
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(text)
    problems = find_unexecuted_python(tmp_path)
    assert problems, f"the guard let a page with a {kind} through"
    assert any(message in problem for problem in problems), problems


def test_every_page_with_python_is_collected_as_a_doctest():
    """The pytest configuration really collects each page that holds a pycon block."""
    pages = sorted(p for p in DOCS.rglob("*.md") if ">>>" in p.read_text(encoding="utf-8"))
    assert pages, "the book has no doctests at all"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "docs"],
        cwd=ROOT, capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for page in pages:
        assert str(page.relative_to(ROOT)) in result.stdout, f"{page} is not collected:\n{result.stdout}"
