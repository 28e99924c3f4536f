"""mkdocs hook: every chapter as a Jupyter notebook, generated from the same tested page.

``page_to_notebook(markdown)`` is a pure function from a page's Markdown to an
``nbformat`` notebook: prose becomes Markdown cells, each ``pycon`` block
becomes code cells holding exactly what the page's copy button copies (the
source lines without ``>>>``/``...`` prompts and without outputs; the same
rules as ``docs/javascripts/copy-pycon.js``).  A code cell ends after each
statement whose output the page shows, so the notebook shows every output the
page does; a cell whose page output is a traceback is tagged
``raises-exception`` (Jupyter and nbclient then expect the error).

At build time the hook writes ``<chapter>.ipynb`` next to each chapter's HTML
(never committed, so never stale) and sets ``page.meta["notebook"]`` (and
``page.meta["colab_url"]`` when ``repo_url`` is set) for the download button in
``overrides/main.html``.  Chapters are the pages named ``NN-title.md`` at the
top of ``docs/``.
"""

from __future__ import annotations

import base64
import html
import posixpath
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CHAPTER = re.compile(r"^\d+-[^/]+\.md$")
FENCE_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*\{?\.?(?P<lang>[\w+-]*)")
ADMONITION = re.compile(r'^(?P<indent>[ \t]*)(?:!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)(?:[ \t]+"(?P<title>[^"]*)")?[ \t]*$')
TAB = re.compile(r'^(?P<indent>[ \t]*)===\+?[ \t]+"(?P<title>[^"]*)"[ \t]*$')
TRACEBACK = "Traceback (most recent call last):"
DOCTEST_DIRECTIVE = re.compile(r"\s*#\s*doctest:.*$")
# Statements the REPL runs only after a blank line (see copy-pycon.js).
COMPOUND = re.compile(r"^(@|(if|for|while|with|def|class|try|async|match)\b)|:\s*(#.*)?$")
EXCEPTION_LINE = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)(?::|$)")
# Colab opens notebooks from a GitHub branch; the deploy workflow publishes the
# generated notebooks to this branch (see .github/workflows/pages.yml).
COLAB_BRANCH = "notebooks"


def is_chapter(src_uri: str) -> bool:
    return bool(CHAPTER.match(src_uri))


def pycon_to_code(text: str) -> str:
    """The runnable code of a pycon block: what the page's copy button copies.

    Source lines lose their ``>>> `` or ``... `` prompt and any doctest
    directive (``# doctest: +FLOAT_CMP``); outputs are dropped (a
    traceback's ``...`` line is output too); a blank line follows each
    statement the REPL would otherwise wait on (compound, decorated, or
    spread over several lines) so that pasting it into a REPL runs it.  Keep in step
    with ``docs/javascripts/copy-pycon.js`` (the browser test compares them).
    """
    lines = re.sub(r"\n$", "", text).split("\n")
    out: list[str] = []
    in_block = False
    in_source = False
    for line in lines:
        if line.startswith(">>>"):
            if in_block:
                out.append("")
            code = DOCTEST_DIRECTIVE.sub("", line[4:])
            out.append(code)
            in_block = bool(COMPOUND.search(code))
            in_source = True
        elif in_source and (line == "..." or line.startswith("... ")):
            out.append(DOCTEST_DIRECTIVE.sub("", line[4:]))
            in_block = True
        else:
            in_source = False
    if in_block:
        out.append("")
    return "\n".join(out) + "\n"


def pycon_examples(text: str) -> list[tuple[str, list[str]]]:
    """Split a pycon block into examples: (the example's pycon source lines, its output lines)."""
    examples: list[tuple[list[str], list[str]]] = []
    in_source = False
    for line in re.sub(r"\n$", "", text).split("\n"):
        if line.startswith(">>>"):
            examples.append(([line], []))
            in_source = True
        elif in_source and (line == "..." or line.startswith("... ")):
            examples[-1][0].append(line)
        elif examples:
            in_source = False
            examples[-1][1].append(line)
    return [("\n".join(source), output) for source, output in examples]


def shown_exception(output: list[str]) -> str | None:
    """The exception class name a traceback output shows (``CycleError``), or None."""
    if not output or output[0].strip() != TRACEBACK:
        return None
    for line in reversed(output):
        match = EXCEPTION_LINE.match(line)
        if match and not line.startswith(" ") and line.strip() not in {"...", TRACEBACK}:
            return match["name"].rsplit(".", 1)[-1]
    raise ValueError(f"a traceback on the page shows no exception line: {output!r}")


def expected_exceptions(text: str) -> list[str]:
    """The exception class names a pycon block's shown tracebacks name, in order."""
    names = []
    for _, output in pycon_examples(text):
        name = shown_exception(output)
        if name is not None:
            names.append(name)
    return names


def code_cells(pycon_text: str) -> list[nbformat.NotebookNode]:
    """Code cells for one pycon block; a cell ends after each example whose output is shown."""
    cells = []
    pending: list[str] = []
    for source, output in pycon_examples(pycon_text):
        pending.append(source)
        shown = [line for line in output if line.strip()]
        if shown:
            cells.append((pending, shown_exception(output)))
            pending = []
    if pending:
        cells.append((pending, None))
    result = []
    for sources, exception in cells:
        code = pycon_to_code("\n".join(sources)).rstrip("\n")
        cell = new_code_cell(code)
        if exception is not None:
            cell.metadata["tags"] = ["raises-exception"]
            cell.metadata["autograd_lite"] = {"raises": exception}
        result.append(cell)
    return result


def _dedent_blocks(lines: list[str]) -> list[str]:
    """Turn admonitions and content tabs into plain Markdown a notebook renders.

    ``!!! note "Title"`` / ``??? tip "Title"`` / ``=== "Tab"`` become a bold
    title line, and their indented bodies lose that indentation.
    """
    out: list[str] = []
    open_indents: list[int] = []
    fence: str | None = None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if line.strip() and fence is None:
            while open_indents and indent <= open_indents[-1]:
                open_indents.pop()
        cut = 4 * len(open_indents)
        text = line[cut:] if line[:cut].strip() == "" else line.lstrip()
        stripped = text.strip()
        if fence is None:
            opening = FENCE_OPEN.match(text)
            if opening:
                fence = opening["fence"]
                out.append(text)
                continue
        elif stripped.startswith(fence) and stripped.strip(fence[0]) == "":
            fence = None
            out.append(text)
            continue
        if fence is None:
            admonition, tab = ADMONITION.match(text), TAB.match(text)
            if admonition or tab:
                if admonition:
                    title = admonition["title"] or admonition["kind"].capitalize()
                else:
                    title = tab["title"]
                out.append(f"**{title}**" if title else "")
                out.append("")
                open_indents.append(indent)
                continue
        out.append(text)
    return out


# ------------------------------------------------------------ exercises: hints folded, solutions hidden

SOLUTION_FENCE = re.compile(r"\bsolution=(?P<exercise>\d+\.\d+)")
EXERCISE = re.compile(r"^###\s+Exercise\s+(?P<exercise>\d+\.\d+)\b")
SOLUTION_NOTE = (
    "*In Jupyter and Colab the solution's code cell below stays hidden until you open it: click the "
    "collapsed cell (JupyterLab, Notebook 7) or* Show code *(Colab). Running all cells runs it too: it "
    "passes the check.*"
)


def hide_solution(cell: nbformat.NotebookNode, title: str) -> nbformat.NotebookNode:
    """Keep a solution cell's code hidden until the learner opens it; it still runs.

    JupyterLab and Notebook 7 show a cell whose ``metadata.jupyter.source_hidden``
    is true collapsed; Colab shows a cell in form view (``metadata.cellView =
    "form"``, first line ``#@title ... { display-mode: "form" }``) as its title
    with a "Show code" button.
    """
    cell.source = f'#@title {title} {{ display-mode: "form" }}\n' + cell.source
    cell.metadata["cellView"] = "form"
    cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    return cell


def hide_if_solution(cells: list[nbformat.NotebookNode], fence_line: str) -> list[nbformat.NotebookNode]:
    """The code cells of a pycon fence that ``fold_exercises`` marked as a solution, hidden."""
    marked = SOLUTION_FENCE.search(fence_line)
    if marked is None:
        return cells
    return [hide_solution(cell, f"Solution to exercise {marked['exercise']}") for cell in cells]


def _details(summary: str, body: list[str]) -> list[str]:
    """A folded block; the blank lines let Jupyter and Colab render the Markdown inside."""
    while body and not body[-1].strip():
        body = body[:-1]
    while body and not body[0].strip():
        body = body[1:]
    return [f"<details><summary>{summary}</summary>", "", *body, "", "</details>", ""]


def _solution_lines(exercise: str, body: list[str]) -> list[str]:
    """A solution block: a heading, its prose folded, its code fences marked to be hidden."""
    out = [f"#### Solution to exercise {exercise}", "", SOLUTION_NOTE, ""]
    prose: list[str] = []
    fence = None
    for line in body:
        opening = FENCE_OPEN.match(line)
        if fence is None and opening:
            if any(text.strip() for text in prose):
                out += _details("About the solution", prose)
            prose = []
            fence = opening["fence"]
            out.append(f"{line.rstrip()} solution={exercise}")
        elif fence is not None:
            out.append(line)
            if line.strip().startswith(fence) and line.strip().strip(fence[0]) == "":
                fence = None
        else:
            prose.append(line)
    if any(text.strip() for text in prose):
        out += _details("About the solution", prose)
    return out


def fold_exercises(lines: list[str]) -> list[str]:
    """In a page's Exercises section, fold what the page folds: hints and solutions.

    Each ``??? tip`` hint becomes a ``<details>`` block; each ``??? success``
    solution becomes a "Solution to exercise N.k" heading whose prose is folded
    and whose pycon fences are marked, so that ``hide_if_solution`` hides their
    code cells.  Everything else is left to ``_dedent_blocks``.
    """
    out: list[str] = []
    in_exercises, exercise = False, None
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("## "):
            in_exercises, exercise = line.strip() == "## Exercises", None
        heading = EXERCISE.match(line)
        if heading:
            exercise = heading["exercise"]
        admonition = ADMONITION.match(line)
        if not (in_exercises and exercise and admonition and not admonition["indent"]
                and admonition["kind"] in {"tip", "success"}):
            out.append(line)
            i += 1
            continue
        body = []
        i += 1
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
            body.append(lines[i][4:])
            i += 1
        if admonition["kind"] == "tip":
            out += _details(admonition["title"] or "Hint", body)
        else:
            out += _solution_lines(exercise, body)
    return out


# A picture the pictures hook drew (hooks/pictures.py): an inline SVG in a <figure>.
SVG_FIGURE = re.compile(
    r'<figure class="[\w-]*(?:picture|figure)[\w-]*"[^>]*>\s*(?P<svg><svg\b.*?</svg>)\s*</figure>', re.S
)
SVG_WORDS = re.compile(r"<(?P<tag>title|desc)>(?P<text>.*?)</(?P=tag)>", re.S)


def svg_figures_to_images(text: str) -> str:
    """Each inline SVG picture as a Markdown image with a ``data:`` address.

    Jupyter and Colab strip an ``<svg>`` written in a Markdown cell, but show
    an image; the SVG's ``<desc>`` (or ``<title>``) becomes its alt text, so
    a screen reader says what the picture shows.
    """

    def image(match: re.Match) -> str:
        svg = match["svg"]
        words = {found["tag"]: html.unescape(found["text"]) for found in SVG_WORDS.finditer(svg)}
        alt = " ".join((words.get("desc") or words.get("title") or "A picture").split())
        alt = re.sub(r"([\\\[\]])", r"\\\1", alt)
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return f"![{alt}](data:image/svg+xml;base64,{data})"

    return SVG_FIGURE.sub(image, text)


def page_to_notebook(markdown: str, source: str = "") -> nbformat.NotebookNode:
    """A notebook of one page: Markdown cells for prose, code cells for pycon blocks.

    ``source`` (e.g. ``docs/01-computational-graphs.md``) is named in a first
    cell.  The set-up cell that installs the library is added when the site is
    written (``add_setup_cell``).
    """
    lines = _dedent_blocks(fold_exercises(markdown.splitlines()))
    cells: list[nbformat.NotebookNode] = []
    prose: list[str] = []

    def flush_prose() -> None:
        text = svg_figures_to_images("\n".join(prose).strip("\n"))
        if text.strip():
            cells.append(new_markdown_cell(text))
        prose.clear()

    i = 0
    while i < len(lines):
        opening = FENCE_OPEN.match(lines[i])
        if not opening:
            prose.append(lines[i])
            i += 1
            continue
        fence, lang = opening["fence"], opening["lang"].lower()
        body = []
        j = i + 1
        while j < len(lines) and not (
            lines[j].strip().startswith(fence) and lines[j].strip().strip(fence[0]) == ""
        ):
            body.append(lines[j])
            j += 1
        if lang in {"pycon", "doctest"}:
            flush_prose()
            cells.extend(hide_if_solution(code_cells("\n".join(body)), lines[i]))
        else:
            prose.extend(lines[i : j + 1])
        i = j + 1
    flush_prose()

    intro = []
    if source:
        intro.append(new_markdown_cell(
            f"*This notebook is generated from the book's page `{source}`, whose every "
            "example is tested; run the cells in order. Cells tagged `raises-exception` "
            "show an error on purpose, as the page does.*"
        ))
    notebook = new_notebook(cells=intro + cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def github_repo(repo_url: str | None) -> str | None:
    """``owner/name`` of a GitHub repo_url, or None."""
    match = re.match(r"^https?://github\.com/([^/]+)/([^/#?]+?)(?:\.git)?/?$", repo_url or "")
    return f"{match[1]}/{match[2]}" if match else None


def colab_url(repo_url: str | None, notebook_path: str, branch: str = COLAB_BRANCH) -> str | None:
    """The "Open in Colab" address of a generated notebook, when repo_url is a GitHub repo."""
    repo = github_repo(repo_url)
    if repo is None:
        return None
    return f"https://colab.research.google.com/github/{repo}/blob/{branch}/{notebook_path}"


def notebook_name(src_uri: str) -> str:
    return posixpath.splitext(posixpath.basename(src_uri))[0] + ".ipynb"


# ------------------------------------------------------------ the set-up cell

# Modules a notebook may import that numpy-only autograd_lite does not bring: a notebook
# whose code imports one of them installs the library's "book" extra (pyproject.toml).
BOOK_EXTRA_MODULES = ("sklearn", "matplotlib")
IMPORTED = re.compile(r"^\s*(?:from|import)\s+(\w+)", re.M)

SETUP_CELL = """\
# Set-up: when this notebook's Python lacks what the book's code needs (on Colab, say),
# this cell installs it with pip. Where everything in NEEDED imports, it does nothing.
import importlib, importlib.util, subprocess, sys

NEEDED = {needed!r}
FROM_PYPI = "{pypi}"  # the version the book was built and tested with{repository_line}


def pip_install(requirement):
    \"\"\"pip install into this notebook's Python; True if it worked.\"\"\"
    print("pip install", requirement)
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", requirement],
                          capture_output=True, text=True)
    if done.returncode != 0:
        print(*done.stderr.strip().splitlines()[-1:])
    return done.returncode == 0


if any(importlib.util.find_spec(name) is None for name in NEEDED):
    if not {attempts}:
        raise ModuleNotFoundError(
            "autograd_lite {version} is not installed in this notebook's Python and pip could not "
            "install it {where}.\\n"
            "Install it from a clone of the book's repository: in the clone's folder, run\\n"
            f"    {{sys.executable}} -m pip install -e {target}\\n"
            "then restart the kernel and run the notebook again."
        )
    importlib.invalidate_caches()"""


def setup_cell_source(version: str, repo_url: str | None = None, extras: tuple[str, ...] = ()) -> str:
    """The code of a notebook's set-up cell (see ``add_setup_cell``)."""
    extra = f"[{','.join(extras)}]" if extras else ""
    needed = ["autograd_lite", *(BOOK_EXTRA_MODULES if "book" in extras else ())]
    repo_url = (repo_url or "").rstrip("/")
    fields = {"repository_line": "", "attempts": "pip_install(FROM_PYPI)", "where": "from PyPI"}
    if repo_url:
        fields = {
            "repository_line": (
                "\n# Until that version is on PyPI, from the book's repository:"
                f'\nFROM_REPOSITORY = "autograd_lite{extra} @ git+{repo_url}"'
            ),
            "attempts": "(pip_install(FROM_PYPI) or pip_install(FROM_REPOSITORY))",
            "where": "from PyPI or from the repository (is the network on?)",
        }
    return SETUP_CELL.format(
        needed=needed,
        pypi=f"autograd_lite{extra}=={version}",
        version=version,
        target=f"'.{extra}'" if extra else ".",
        **fields,
    )


def notebook_extras(notebook: nbformat.NotebookNode) -> tuple[str, ...]:
    """``("book",)`` when the notebook's code imports scikit-learn or matplotlib, else ``()``."""
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    return ("book",) if set(IMPORTED.findall(code)) & set(BOOK_EXTRA_MODULES) else ()


def add_setup_cell(notebook: nbformat.NotebookNode, version: str, repo_url: str | None) -> None:
    """Put the set-up cell before the notebook's first code cell (once).

    It installs the library pinned to the book's version (with the ``book``
    extra where the notebook needs it) when it does not import, falls back to
    the repository when ``repo_url`` is known, and otherwise says how to
    install from a clone.
    """
    if any(cell.metadata.get("autograd_lite", {}).get("setup") for cell in notebook.cells):
        return
    cell = new_code_cell(setup_cell_source(version, repo_url, notebook_extras(notebook)))
    cell.metadata["autograd_lite"] = {"setup": True}
    first_code = next(
        (i for i, c in enumerate(notebook.cells) if c.cell_type == "code"), len(notebook.cells)
    )
    notebook.cells.insert(first_code, cell)


def add_setup_cells(config) -> None:
    """Every notebook the site serves (chapters and notebook pages) gets its set-up cell."""
    from autograd_lite import __version__

    for path in sorted(Path(config.site_dir).rglob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        add_setup_cell(notebook, __version__, config.repo_url)
        nbformat.write(notebook, path)


def on_page_context(context, page, config, nav):
    """Notebook pages (mkdocs-jupyter) get a Colab button too, like the chapters."""
    if page.file.src_uri.endswith(".ipynb"):
        url = colab_url(config.repo_url, notebook_name(page.file.src_uri),
                        config.extra.get("notebooks_branch", COLAB_BRANCH))
        if url:
            page.meta["colab_url"] = url
    return context


# ---------------------------------------------------------------- mkdocs hooks

_notebooks: dict[str, nbformat.NotebookNode] = {}


def on_pre_build(config):
    _notebooks.clear()


def on_page_markdown(markdown, page, config, files):
    src_uri = page.file.src_uri
    if not is_chapter(src_uri):
        return markdown
    name = notebook_name(src_uri)
    # Next to the page's HTML, so the page links it by its bare name (a relative
    # href that works wherever the site is served from).
    target = posixpath.join(posixpath.dirname(page.file.dest_uri), name)
    _notebooks[target] = page_to_notebook(markdown, source=f"docs/{src_uri}")
    page.meta["notebook"] = name
    url = colab_url(config.repo_url, name, config.extra.get("notebooks_branch", COLAB_BRANCH))
    if url:
        page.meta["colab_url"] = url
    return markdown


def on_post_build(config):
    for target, notebook in _notebooks.items():
        path = Path(config.site_dir) / target
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, path)
    add_setup_cells(config)
