"""The notebooks readers download: generated from the tested pages, and run here.

Every chapter page becomes a notebook through the same two steps as the site
build (``hooks/pictures.py`` draws the pictures, ``hooks/notebooks.py`` turns
the page into cells); each one is executed in a fresh kernel with nbclient.
A cell whose page shows a traceback must raise that exception; every other
cell must run cleanly.  The notebook pages (``docs/**/*.ipynb``) are stored
without outputs (mkdocs-jupyter makes them at build time), and the engine tour
(``docs/notebooks/``) is executed here too.
"""

from __future__ import annotations

import base64
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from autograd_lite import __version__
from hooks.notebooks import (
    SVG_FIGURE,
    add_setup_cell,
    code_cells,
    colab_url,
    expected_exceptions,
    github_repo,
    is_chapter,
    notebook_extras,
    page_to_notebook,
    pycon_to_code,
    setup_cell_source,
    svg_figures_to_images,
)
from hooks.notebook_outputs import join_consecutive_streams
from hooks.notebook_outputs import on_startup as install_stream_joining
from hooks.pictures import render_markers

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CHAPTERS = sorted(p for p in DOCS.glob("*.md") if is_chapter(p.name))
# Notebook pages (mkdocs-jupyter executes them at build time): stored clean, run here too.
NOTEBOOK_PAGES = sorted(p for p in DOCS.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
# The engine tour; the training chapter's notebook has its own test (test_training_notebook.py).
EXPLORATION = sorted((DOCS / "notebooks").glob("*.ipynb"))


def execute(notebook: nbformat.NotebookNode, workdir: Path) -> nbformat.NotebookNode:
    """Run every cell in a fresh python3 kernel; raises CellExecutionError on an unexpected error."""
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(workdir)}},
        # ipykernel warns on every start that local TCP is unencrypted: noise here.
        extra_arguments=["--IPKernelApp.log_level=ERROR"],
    )
    return client.execute()


def errors_of(cell) -> list[str]:
    return [output.ename for output in cell.get("outputs", []) if output.output_type == "error"]


# ------------------------------------------------------------ prompt stripping


@pytest.mark.parametrize(
    "pycon, code",
    [
        (">>> x = 1\n>>> x\n1\n", "x = 1\nx\n"),
        (">>> def f(x):\n...     return 2 * x\n>>> f(2)\n4\n", "def f(x):\n    return 2 * x\n\nf(2)\n"),
        # A compound statement at the end still gets the blank line that runs it.
        (">>> for i in range(2):\n...     print(i)\n0\n1\n", "for i in range(2):\n    print(i)\n\n"),
        # One-line compound statements and decorators wait for a blank line in a REPL too.
        (">>> for i in range(2): print(i)\n0\n1\n>>> y = 2\n", "for i in range(2): print(i)\n\ny = 2\n"),
        (">>> @staticmethod\n... def f():\n...     pass\n", "@staticmethod\ndef f():\n    pass\n\n"),
        # A traceback's "..." line is output, not a continuation.
        (
            ">>> 1 / 0\nTraceback (most recent call last):\n...\nZeroDivisionError: division by zero\n>>> 2\n2\n",
            "1 / 0\n2\n",
        ),
        # Doctest directives are for the test runner, not the reader.
        (">>> x = 0.1 + 0.2  # doctest: +FLOAT_CMP\n>>> x\n0.3\n", "x = 0.1 + 0.2\nx\n"),
        # An output line that looks like a continuation never leaks: "... " only continues source.
        (">>> print('a\\n... b')\na\n... b\n>>> 3\n3\n", "print('a\\n... b')\n3\n"),
    ],
)
def test_pycon_to_code(pycon, code):
    assert pycon_to_code(pycon) == code


def test_expected_exceptions_name_the_class_without_its_module():
    block = (
        ">>> f()\nTraceback (most recent call last):\n...\n"
        "autograd_lite.graph.CycleError: topological_sort: a cycle\n"
        ">>> g()\nTraceback (most recent call last):\n  File \"<stdin>\", line 1\n"
        "NotImplementedError\n>>> 1\n1\n"
    )
    assert expected_exceptions(block) == ["CycleError", "NotImplementedError"]


def test_a_cell_ends_after_each_shown_output_and_raising_cells_are_tagged():
    cells = code_cells(
        ">>> a = 1\n>>> b = 2\n>>> a + b\n3\n>>> c = 4\n>>> 1 / 0\n"
        "Traceback (most recent call last):\n...\nZeroDivisionError: division by zero\n>>> d = 5\n"
    )
    assert [cell.source for cell in cells] == ["a = 1\nb = 2\na + b", "c = 4\n1 / 0", "d = 5"]
    assert [cell.metadata.get("tags", []) for cell in cells] == [[], ["raises-exception"], []]
    assert cells[1].metadata["autograd_lite"]["raises"] == "ZeroDivisionError"


PAGE = '''# 9. A page

!!! abstract "Learning objectives"
    - one

Prose with $x^2$.

```pycon
>>> import math
>>> math.sqrt(4)
2.0

```

??? success "Solution"
    The answer:

    ```pycon
    >>> def f():
    ...     return 1
    >>> f()
    1

    ```

=== "Tab"

    In a tab.

```text
not code
```
'''


def test_a_page_becomes_markdown_and_code_cells_in_order():
    notebook = page_to_notebook(PAGE, source="docs/09-a-page.md")
    nbformat.validate(notebook)
    kinds = [(cell.cell_type, cell.source.split("\n")[0]) for cell in notebook.cells]
    assert kinds == [
        ("markdown", "*This notebook is generated from the book's page `docs/09-a-page.md`, whose every "
         "example is tested; run the cells in order. Cells tagged `raises-exception` show an error "
         "on purpose, as the page does.*"),
        ("markdown", "# 9. A page"),
        ("code", "import math"),
        ("markdown", "**Solution**"),
        ("code", "def f():"),
        ("markdown", "**Tab**"),
    ]
    # Admonition bodies lose their indentation, so Jupyter renders them as Markdown.
    assert "**Learning objectives**\n\n- one\n\nProse with $x^2$." in notebook.cells[1].source
    assert "In a tab.\n\n```text\nnot code\n```" in notebook.cells[5].source
    assert notebook.cells[4].source == "def f():\n    return 1\n\nf()"
    assert notebook.metadata.kernelspec.name == "python3"


def test_with_a_github_repo_the_pages_link_colab():
    assert github_repo("https://github.com/someone/autograd_lite/") == "someone/autograd_lite"
    assert github_repo("https://gitlab.com/someone/autograd_lite") is None
    assert github_repo(None) is None
    assert colab_url("https://github.com/o/r.git", "01-x.ipynb") == (
        "https://colab.research.google.com/github/o/r/blob/notebooks/01-x.ipynb"
    )
    assert colab_url("", "01-x.ipynb") is None


# ------------------------------------------------------------ the set-up cell
# Its code runs here with pip and the import machinery replaced by fakes: every path,
# no network.  tests/test_package.py runs it for real in a fresh virtual environment.


class FakePip:
    """Stands in for subprocess.run: records each pip command, answers with the given exit codes."""

    def __init__(self, *exit_codes: int):
        self.exit_codes = list(exit_codes)
        self.requirements: list[str] = []

    def __call__(self, command, **kwargs):
        assert command[:4] == [sys.executable, "-m", "pip", "install"], command
        self.requirements.append(command[-1])
        code = self.exit_codes.pop(0)
        return subprocess.CompletedProcess(command, code, "", "" if code == 0 else "ERROR: no such version\n")


def run_setup_cell(monkeypatch, source: str, missing: set[str], pip: FakePip) -> None:
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in missing else real_find_spec(name, *a))
    monkeypatch.setattr(subprocess, "run", pip)
    exec(compile(source, "<set-up cell>", "exec"), {"__name__": "__main__"})


REPO = "https://github.com/o/r"


def test_the_setup_cell_does_nothing_where_the_library_imports(monkeypatch, capsys):
    pip = FakePip()
    run_setup_cell(monkeypatch, setup_cell_source("0.1.0", REPO), missing=set(), pip=pip)
    assert pip.requirements == [] and capsys.readouterr().out == ""


def test_the_setup_cell_installs_the_books_version_from_pypi(monkeypatch, capsys):
    pip = FakePip(0)
    run_setup_cell(monkeypatch, setup_cell_source("0.1.0", REPO), missing={"autograd_lite"}, pip=pip)
    assert pip.requirements == ["autograd_lite==0.1.0"]
    assert capsys.readouterr().out == "pip install autograd_lite==0.1.0\n"


def test_until_the_release_is_on_pypi_it_installs_from_the_repository(monkeypatch, capsys):
    pip = FakePip(1, 0)
    run_setup_cell(monkeypatch, setup_cell_source("0.1.0", REPO + "/"), missing={"autograd_lite"}, pip=pip)
    assert pip.requirements == ["autograd_lite==0.1.0", "autograd_lite @ git+https://github.com/o/r"]
    assert "ERROR: no such version" in capsys.readouterr().out


def test_without_a_repository_it_says_how_to_install_from_a_clone(monkeypatch):
    pip = FakePip(1)
    with pytest.raises(ModuleNotFoundError) as error:
        run_setup_cell(monkeypatch, setup_cell_source("0.1.0", None), missing={"autograd_lite"}, pip=pip)
    assert pip.requirements == ["autograd_lite==0.1.0"]
    message = str(error.value)
    assert "autograd_lite 0.1.0 is not installed" in message and "from PyPI." in message
    assert f"{sys.executable} -m pip install -e .\n" in message
    assert "git+" not in setup_cell_source("0.1.0", None)


def test_when_both_fail_it_says_so_and_how_to_install_from_a_clone(monkeypatch):
    pip = FakePip(1, 1)
    with pytest.raises(ModuleNotFoundError, match="from PyPI or from the repository"):
        run_setup_cell(monkeypatch, setup_cell_source("0.1.0", REPO), missing={"autograd_lite"}, pip=pip)
    assert len(pip.requirements) == 2


def test_the_training_chapter_gets_the_book_extra(monkeypatch):
    source = setup_cell_source("0.1.0", REPO, ("book",))
    # The library is there but matplotlib is not: the extra brings it.
    pip = FakePip(0)
    run_setup_cell(monkeypatch, source, missing={"matplotlib"}, pip=pip)
    assert pip.requirements == ["autograd_lite[book]==0.1.0"]
    pip = FakePip(1, 0)
    run_setup_cell(monkeypatch, source, missing={"sklearn"}, pip=pip)
    assert pip.requirements[1] == "autograd_lite[book] @ git+https://github.com/o/r"
    with pytest.raises(ModuleNotFoundError, match=r"pip install -e '\.\[book\]'"):
        run_setup_cell(monkeypatch, source, missing={"sklearn"}, pip=FakePip(1, 1))


def test_the_setup_cell_goes_before_the_first_code_cell_once_with_the_extras_it_needs():
    notebook = page_to_notebook(PAGE, source="docs/09-a-page.md")
    add_setup_cell(notebook, "0.1.0", REPO)
    add_setup_cell(notebook, "0.1.0", REPO)  # a rebuild (mkdocs serve) adds no second one
    setup = [i for i, c in enumerate(notebook.cells) if c.metadata.get("autograd_lite", {}).get("setup")]
    assert setup == [2] and notebook.cells[3].source.startswith("import math")
    assert [c.cell_type for c in notebook.cells[:2]] == ["markdown", "markdown"]
    assert 'FROM_PYPI = "autograd_lite==0.1.0"' in notebook.cells[2].source
    nbformat.validate(notebook)
    assert notebook_extras(notebook) == ()
    notebook.cells.append(nbformat.v4.new_code_cell("from sklearn.datasets import load_digits"))
    assert notebook_extras(notebook) == ("book",)


def test_the_training_chapter_notebook_needs_the_book_extra():
    training = nbformat.read(DOCS / "10-neural-network.ipynb", as_version=4)
    assert notebook_extras(training) == ("book",)
    first = next(p for p in CHAPTERS)
    markdown = render_markers(first.read_text(encoding="utf-8"), where=f"docs/{first.name}")
    assert notebook_extras(page_to_notebook(markdown)) == ()


def test_a_chapter_notebook_with_its_setup_cell_runs_and_the_cell_shows_nothing(tmp_path):
    """In a Python where the library imports (this one), the set-up cell does nothing."""
    page = CHAPTERS[0]
    markdown = render_markers(page.read_text(encoding="utf-8"), where=f"docs/{page.name}")
    notebook = page_to_notebook(markdown, source=f"docs/{page.name}")
    add_setup_cell(notebook, __version__, REPO)
    execute(notebook, tmp_path)
    setup = next(c for c in notebook.cells if c.metadata.get("autograd_lite", {}).get("setup"))
    assert setup.outputs == []


def test_pictures_become_images_with_their_words_as_alt_text():
    """Jupyter strips an <svg> from a Markdown cell, so a drawn picture travels as an image."""
    page = (
        "# 1. Graphs\n\nThe graph:\n\n<!-- graph-picture: d = a*b -->\n\n"
        '??? info "Broadcasting"\n\n    <!-- broadcast-picture: (3, 1) -> (2, 3, 4) -->\n'
    )
    rendered = render_markers(page)
    svgs = [match["svg"] for match in SVG_FIGURE.finditer(rendered)]
    assert len(svgs) == 2
    notebook = page_to_notebook(rendered)
    text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    assert "<svg" not in text
    images = re.findall(r"!\[((?:[^\]\\]|\\.)*)\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", text)
    def lines(svg):  # the notebook's cells lose the admonition's indentation
        return [line.strip() for line in svg.split("\n")]

    assert [lines(base64.b64decode(data).decode()) for _, data in images] == [lines(svg) for svg in svgs]
    alt = images[0][0]
    assert alt.startswith("Computational graph of d: 3 nodes, 2 edges, drawn top to bottom")
    assert "Edges: a to d; b to d." in alt
    assert images[1][0].startswith("Broadcasting shape (3, 1) to (2, 3, 4)")
    # Brackets in the words (values like [2, 3]) are escaped, so the alt text ends where it should.
    assert svg_figures_to_images(
        '<figure class="graph-figure">\n<svg><title>x [1, 2]</title></svg>\n</figure>'
    ).startswith("![x \\[1, 2\\]](data:image/svg+xml;base64,")


def test_a_chapter_notebook_shows_its_graph_in_jupyters_html():
    """nbconvert, Jupyter's own renderer, turns the picture into an <img> with its alt text."""
    from nbconvert import HTMLExporter

    page = DOCS / "01-computational-graphs.md"
    markdown = render_markers(page.read_text(encoding="utf-8"), where=f"docs/{page.name}")
    body, _ = HTMLExporter().from_notebook_node(page_to_notebook(markdown))
    images = re.findall(r'<img alt="([^"]*)" src="data:image/svg\+xml;base64,([^"]+)"', body)
    assert len(images) == 6, "chapter 1 has one graph picture and five frames of its backward pass"
    alt, data = images[0]
    assert alt.startswith("Computational graph of L: 6 nodes, 6 edges")
    assert 'class="graph-picture"' in base64.b64decode(data).decode()
    assert [alt.split(" Step ")[0] for alt, _ in images[1:]][0] == (
        "The backward pass starts at the root L with dL/dL = 1."
    )


# ------------------------------------------------------------ running them


def test_the_kernel_is_this_environments_python(tmp_path):
    """nbclient's python3 kernel must run the venv's Python, where autograd_lite is installed."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import sys; print(sys.prefix)")])
    execute(notebook, tmp_path)
    assert notebook.cells[0].outputs[0].text.strip() == sys.prefix


def test_there_are_chapters_to_download():
    assert len(CHAPTERS) >= 6, [p.name for p in CHAPTERS]


@pytest.mark.parametrize("page", CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_notebook_runs(page, tmp_path):
    markdown = render_markers(page.read_text(encoding="utf-8"), where=f"docs/{page.name}")
    notebook = page_to_notebook(markdown, source=f"docs/{page.name}")
    nbformat.validate(notebook)
    try:
        execute(notebook, tmp_path)
    except CellExecutionError as error:
        pytest.fail(f"docs/{page.name}: a cell the page shows as working raised:\n{error}", pytrace=False)
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        expected = cell.metadata.get("autograd_lite", {}).get("raises")
        assert errors_of(cell) == ([expected] if expected else []), (
            f"docs/{page.name}: cell\n{cell.source}\nshould raise {expected or 'nothing'}, "
            f"raised {errors_of(cell) or 'nothing'}"
        )


@pytest.mark.parametrize("path", NOTEBOOK_PAGES, ids=lambda p: p.stem)
def test_notebook_pages_are_stored_without_outputs(path):
    """Outputs are made at build time (mkdocs-jupyter, execute: true), so none is stored stale."""
    notebook = nbformat.read(path, as_version=4)
    stale = [
        index for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not stale, (
        f"{path.relative_to(ROOT)} stores outputs in cells {stale}; outputs are made at build "
        "time, so clear them (Jupyter: Edit > Clear Outputs of All Cells) before committing"
    )


@pytest.mark.parametrize("path", EXPLORATION, ids=lambda p: p.stem)
def test_the_exploration_notebook_runs(path):
    notebook = nbformat.read(path, as_version=4)
    execute(notebook, path.parent)
    shown = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.get("outputs")]
    assert len(shown) >= 5, "the tour shows what the engine computes"


# ------------------------------------------- printed text in one block (hooks/notebook_outputs.py)


def test_consecutive_outputs_of_one_stream_are_joined_and_nothing_moves():
    out = lambda text, name="stdout": nbformat.v4.new_output("stream", name=name, text=text)  # noqa: E731
    picture = nbformat.v4.new_output("display_data", data={"text/plain": "<Figure>"})
    joined = join_consecutive_streams(
        [out("epoch 1\n"), out("epoch 2\n"), out("careful\n", "stderr"), out("epoch 3\n"), picture, out("done\n")]
    )
    assert [(o.output_type, o.get("name"), o.get("text")) for o in joined] == [
        ("stream", "stdout", "epoch 1\nepoch 2\n"),
        ("stream", "stderr", "careful\n"),
        ("stream", "stdout", "epoch 3\n"),
        ("display_data", None, None),
        ("stream", "stdout", "done\n"),
    ]
    assert join_consecutive_streams([]) == []


PRINTS_FOR_A_SECOND = "import time\nfor epoch in range(6):\n    print('epoch', epoch, flush=True)\n    time.sleep(0.25)\n"


def run_printing_cell(tmp_path) -> list:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PRINTS_FOR_A_SECOND)])
    return execute(notebook, tmp_path).cells[0].outputs


def test_what_a_cell_prints_over_a_second_shows_as_one_output_after_the_hook(tmp_path, monkeypatch):
    """Without the hook the kernel's flushes make several outputs (the mistake it exists to
    fix); with it installed, as mkdocs installs it, one output holds every line in order."""
    from nbclient import NotebookClient

    trait = NotebookClient.class_traits()["on_cell_executed"]
    monkeypatch.setattr(trait, "default_value", trait.default_value)  # restored after the test
    trait.default_value = None
    assert len(run_printing_cell(tmp_path)) > 1, "the kernel sent the lines in one chunk"
    install_stream_joining(command="build", dirty=False)
    outputs = run_printing_cell(tmp_path)
    assert [(o.output_type, o.name) for o in outputs] == [("stream", "stdout")]
    assert outputs[0].text == "".join(f"epoch {i}\n" for i in range(6))


def test_docstring_examples_are_fenced_as_pycon_on_the_api_reference():
    from hooks.griffe_doctest import fence_doctests

    docstring = (
        "Summary.\n\n>>> f(1)\n2\n>>> f(2)\n3\n\nMore text.\n\n"
        "```pycon\n>>> already_fenced()\n```\n\n    >>> indented()\n    None"
    )
    assert fence_doctests(docstring) == (
        "Summary.\n\n```pycon\n>>> f(1)\n2\n>>> f(2)\n3\n```\n\nMore text.\n\n"
        "```pycon\n>>> already_fenced()\n```\n\n    ```pycon\n    >>> indented()\n    None\n    ```"
    )


# ------------------------------------------------------------ exercises: hints folded, solutions hidden


def hidden(cell) -> bool:
    """Hidden in JupyterLab / Notebook 7 (source_hidden) and in Colab (form view of a #@title cell)."""
    return (
        cell.metadata.get("jupyter", {}).get("source_hidden") is True
        and cell.metadata.get("cellView") == "form"
        and cell.source.startswith("#@title ")
        and '{ display-mode: "form" }' in cell.source.split("\n", 1)[0]
    )


def exercise_notebooks():
    """(name, notebook, exercises) for each chapter notebook a learner can download."""
    from hooks.exercises import markdown_exercises, notebook_exercises

    for page in CHAPTERS:
        text = page.read_text(encoding="utf-8")
        found, _ = markdown_exercises(text, page.name)
        if found:
            markdown = render_markers(text, where=f"docs/{page.name}")
            yield page.name, page_to_notebook(markdown, source=f"docs/{page.name}"), found
    for path in NOTEBOOK_PAGES:
        notebook = nbformat.read(path, as_version=4)
        found, _ = notebook_exercises(notebook, path.name)
        if found:
            yield path.name, notebook, found


@pytest.mark.parametrize("name, notebook, exercises", list(exercise_notebooks()), ids=lambda v: v if isinstance(v, str) else "")
def test_no_solution_shows_and_each_exercise_keeps_stub_check_and_solution_in_order(name, notebook, exercises):
    nbformat.validate(notebook)
    # The chapter's own lesson may show code like a solution's; the exercises begin at their heading.
    start = next(i for i, c in enumerate(notebook.cells) if "## Exercises" in c.source.splitlines())
    cells = notebook.cells[start:]
    for ex in exercises:
        stub_lines = set(ex["stub"].splitlines())
        secret = {line for line in ex["solution"].splitlines() if line.strip() and line not in stub_lines}
        assert secret, ex["id"]
        showing = [i for i, c in enumerate(cells) if secret & set(c.source.splitlines())]
        assert showing, f"{name}: exercise {ex['id']}'s solution is not in the notebook"
        for i in showing:
            assert cells[i].cell_type == "code" and hidden(cells[i]), (
                f"{name}: cell {i} shows exercise {ex['id']}'s solution by default:\n{cells[i].source}"
            )
        call = ex["calls"][0]
        first_stub_line = ex["stub"].splitlines()[0]
        stubs = [
            i for i, c in enumerate(cells)
            if c.cell_type == "code" and first_stub_line in c.source.splitlines() and not hidden(c)
        ]
        assert len(stubs) == 1, f"{name}: exercise {ex['id']} should have one visible stub cell"
        stub = cells[stubs[0]]
        assert call in stub.source.splitlines() and "raises-exception" in stub.metadata.get("tags", [])
        assert stubs[0] < showing[0], f"{name}: exercise {ex['id']}'s solution comes before its stub"
        solution = [showing[0]]  # the solution's cells: the hidden code cells in a row from its first
        while solution[-1] + 1 < len(cells) and hidden(cells[solution[-1] + 1]):
            solution.append(solution[-1] + 1)
        assert any(call in cells[i].source.splitlines() for i in solution), (
            f"{name}: exercise {ex['id']}'s solution cell does not run {call}"
        )
        for title, _ in ex["hints"]:
            folded = [c for c in cells if c.cell_type == "markdown" and f"<details><summary>{title}</summary>" in c.source]
            assert folded, f"{name}: exercise {ex['id']}'s {title!r} is not folded in <details>"
        assert not any(f"**{title}**" in c.source for title, _ in ex["hints"] for c in cells)


def test_folding_applies_to_exercise_sections_only():
    from hooks.notebooks import fold_exercises

    page = [
        "??? tip \"Outside\"", "    shown as before", "",
        "## Exercises", "", "### Exercise 9.1: x", "",
        "??? tip \"Hint 1\"", "    the hint", "",
        "??? success \"Solution\"", "    Words.", "", "    ```pycon", "    >>> f = 1", "", "    ```", "",
    ]
    assert fold_exercises(page) == [
        "??? tip \"Outside\"", "    shown as before", "",
        "## Exercises", "", "### Exercise 9.1: x", "",
        "<details><summary>Hint 1</summary>", "", "the hint", "", "</details>", "",
        "#### Solution to exercise 9.1", "", hooks_solution_note(), "",
        "<details><summary>About the solution</summary>", "", "Words.", "", "</details>", "",
        "```pycon solution=9.1", ">>> f = 1", "", "```",
    ]


def hooks_solution_note():
    from hooks.notebooks import SOLUTION_NOTE

    return SOLUTION_NOTE


def test_the_hidden_solution_test_fails_on_a_notebook_that_shows_one(monkeypatch):
    import hooks.notebooks as hook

    monkeypatch.setattr(hook, "hide_if_solution", lambda cells, fence_line: cells)
    name, notebook, exercises = next(exercise_notebooks())
    with pytest.raises(AssertionError, match=r"shows exercise 1\.1's solution by default"):
        test_no_solution_shows_and_each_exercise_keeps_stub_check_and_solution_in_order(name, notebook, exercises)


def test_backward_frames_in_tabs_and_a_jacobian_become_images_with_their_words():
    from hooks.pictures import render_markers

    markdown = render_markers(
        "Intro\n\n<!-- backward-frames: d = a*b, e = b+c, L = d+e -->\n\n<!-- jacobian-picture: log at (3, 4) -->\n"
    )
    text = "".join(cell.source for cell in page_to_notebook(markdown).cells)
    assert "<svg" not in text
    assert text.count("](data:image/svg+xml;base64,") == 6  # five frames and the Jacobian
    assert re.findall(r"^\*\*(Step \d)\*\*$", text, re.M) == [f"Step {k}" for k in range(1, 6)]
    assert "![d (multiply) has its whole gradient, 1, and sends 3 to a and 2 to b" in text
