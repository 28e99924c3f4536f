"""The book's exercises, read from the pages: the data behind the workbook.

``book_exercises(docs)`` reads every exercise of the book from the pages
themselves: the ``## Exercises`` sections of the chapter pages
(``docs/NN-*.md``) and of the notebook chapter (``docs/10-*.ipynb``).  For each
exercise it keeps the task, the hints, the stub, the reference solution, the
learner check the page runs (the book's own ``check_*`` function, or the one the
page writes out) and the imports these need, taken from the page's own import
lines.  Code is what the page's copy button copies (``pycon_to_code``).

The installed package does not ship ``docs/``, so the result is written into the
package as ``autograd_lite/_exercises.py``::

    python3 dev.py exercises        # after changing an exercise on a page

``tests/test_workbook.py`` fails while that file differs from what the pages
say, so the workbook can never drift from the book.
"""

from __future__ import annotations

import ast
import builtins
import pprint
import re
import symtable
import sys
import textwrap
from pathlib import Path

import nbformat

from hooks.notebooks import ADMONITION, FENCE_OPEN, is_chapter, pycon_examples, pycon_to_code

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "autograd_lite" / "_exercises.py"
EXERCISE_HEADING = re.compile(r"^###\s+Exercise\s+(?P<id>\d+\.\d+):\s*(?P<title>.+?)\s*$")
CHAPTER_HEADING = re.compile(r"^#\s+(?P<number>\d+)\.\s+(?P<title>.+?)\s*$")
DETAILS = re.compile(r"<details>\s*<summary>(?P<title>.*?)</summary>(?P<body>.*?)</details>", re.S)
LINK = re.compile(r"\[(?P<text>[^\]]+)\]\([^)]*\)")


class ExerciseError(ValueError):
    """A page's exercise section is not in the shape the workbook can read."""


# ------------------------------------------------------------ code


def statements(code: str) -> list[str]:
    """The top-level statements of a piece of code, each as its own source text."""
    lines = code.split("\n")
    tree = ast.parse(code)
    out = []
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        out.append("\n".join(lines[first - 1 : node.end_lineno]))
    return out


def check_call(code: str) -> ast.Call | None:
    """The call when ``code`` is a call of a learner check, ``check_xxx(...)``."""
    node = ast.parse(code).body[0]
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name)
        and node.value.func.id.startswith("check_")
    ):
        return node.value
    return None


def defined_names(code: str) -> list[str]:
    """The names a statement binds at the top level (def, class, assignment)."""
    node = ast.parse(code).body[0]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        return [t.id for target in targets for t in ast.walk(target) if isinstance(t, ast.Name)]
    return []


def free_names(code: str) -> set[str]:
    """Names ``code`` uses but never binds (and that are not builtins): what it must import."""
    table = symtable.symtable(code, "<exercise>", "exec")
    bound = {
        s.get_name() for s in table.get_symbols()
        if s.is_assigned() or s.is_imported() or s.is_namespace() or s.is_parameter()
    }
    used = {s.get_name() for s in table.get_symbols() if s.is_referenced()}
    scopes = list(table.get_children())
    while scopes:
        scope = scopes.pop()
        used |= {s.get_name() for s in scope.get_symbols() if s.is_global() and s.is_referenced()}
        scopes.extend(scope.get_children())
    return used - bound - set(dir(builtins))


def page_imports(codes: list[str]) -> dict[str, list]:
    """Every name the page imports: name -> [module, imported name or None, as-name or None]."""
    found: dict[str, list] = {}
    for code in codes:
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found[alias.asname or alias.name.split(".")[0]] = [alias.name, None, alias.asname]
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    found[alias.asname or alias.name] = [node.module, alias.name, alias.asname]
    return found


# ------------------------------------------------------------ text


def plain_text(markdown: str) -> str:
    """A page's Markdown as text for a comment or docstring: links become their text, lines rewrapped."""
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", LINK.sub(r"\g<text>", markdown).strip()):
        lines = [line.strip() for line in paragraph.splitlines()]
        if lines and lines[0].startswith("$$") or any(line.startswith("- ") for line in lines):
            paragraphs.append("\n".join(line.rstrip() for line in paragraph.splitlines()))
        else:
            paragraphs.append(textwrap.fill(" ".join(lines), width=80, break_on_hyphens=False))
    text = "\n\n".join(paragraphs)
    # "Below it, the stub, run through the check:" introduces the page's code block, which the
    # workbook puts elsewhere: drop that last sentence (or clause), and end with a full stop.
    text = re.sub(r"(?<=\.)\s+[^.;]*\bstub\b[^.;]*:\Z", "", text)
    text = re.sub(r";\s+[^.;]*\bstub\b[^.;]*:\Z", ".", text)
    return re.sub(r":\Z", ".", text)


def rating(lines: list[str]) -> dict[str, str]:
    """The exercise's Difficulty / Importance / Suggested time table."""
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    rows = [row for row in rows if not all(set(cell) <= set("-: ") for cell in row)]
    if len(rows) != 2:
        raise ExerciseError(f"expected a two-row rating table, found {lines!r}")
    return dict(zip(rows[0], rows[1], strict=True))


# ------------------------------------------------------------ one exercise


def registers_back_func(source: str) -> bool:
    """Whether a statement is a call ``add_back_func(...)``: part of a solution that registers one."""
    node = ast.parse(source).body[0]
    return (
        isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Name) and node.value.func.id == "add_back_func"
    )


def exercise_record(
    where: str, ident: str, title: str, table: list[str], task: str,
    hints: list[list[str]], stub_codes: list[str], solution_codes: list[str],
) -> dict:
    """Sort an exercise's statements into stub, given code, check code, check calls and solution."""
    stub_statements = [s for code in stub_codes for s in statements(code)]
    solution_statements = [s for code in solution_codes for s in statements(code)]
    calls: list[str] = []
    for source in stub_statements + solution_statements:
        if check_call(source) is not None and source not in calls:
            calls.append(source)
    names: list[str] = []
    for source in calls:
        for arg in check_call(source).args:
            if isinstance(arg, ast.Name) and arg.id not in names:
                names.append(arg.id)
    if not calls or not names:
        raise ExerciseError(f"{where}: exercise {ident} runs no learner check on a function of the reader's")
    stub, given, check_code, solution = [], [], [], []
    for source in stub_statements:
        bound = defined_names(source)
        if check_call(source) or isinstance(ast.parse(source).body[0], (ast.Import, ast.ImportFrom)):
            continue
        if set(bound) & set(names):
            stub.append(source)
        elif bound and all(name.startswith("check_") for name in bound):
            check_code.append(source)
        elif bound:
            given.append(source)
        else:
            raise ExerciseError(f"{where}: exercise {ident}'s stub block runs {source!r}; expected definitions")
    for source in solution_statements:
        # The solution's functions, and what they stand on: helpers it defines and the backward
        # functions it registers (chapter 12's checkpoint needs both).  Demonstration calls stay out.
        if defined_names(source) or registers_back_func(source):
            solution.append(source)
    for name in names:
        for part, codes in (("stub", stub), ("solution", solution)):
            if not any(name in defined_names(code) for code in codes):
                raise ExerciseError(f"{where}: exercise {ident}'s {part} does not define {name}")
    return {
        "id": ident,
        "title": title,
        "rating": rating(table),
        "task": plain_text(task),
        "hints": hints,
        "names": names,
        "given": "\n".join(given),
        "stub": "\n".join(stub),
        "solution": "\n".join(solution),
        "check_code": "\n".join(check_code),
        "calls": calls,
    }


# ------------------------------------------------------------ pages


def _indented_body(lines: list[str], start: int) -> tuple[list[str], int]:
    """The lines of an admonition body (indented, or blank) from ``start``, dedented; and where it ends."""
    body = []
    i = start
    while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
        body.append(lines[i][4:])
        i += 1
    return body, i


def _fenced(lines: list[str], start: int) -> tuple[str, str, int]:
    """(language, body) of the fence opening at ``start``, and the index after its closing line."""
    opening = FENCE_OPEN.match(lines[start])
    fence = opening["fence"]
    j = start + 1
    while j < len(lines) and not (lines[j].strip().startswith(fence) and lines[j].strip().strip(fence[0]) == ""):
        j += 1
    return opening["lang"].lower(), "\n".join(lines[start + 1 : j]), j + 1


def _pycon_codes(text: str) -> list[str]:
    return [pycon_to_code(source).rstrip("\n") for source, _ in pycon_examples(text)]


def markdown_exercises(markdown: str, where: str) -> tuple[list[dict], list[str]]:
    """The exercises of a chapter page, and the code of all its pycon blocks (for its imports)."""
    lines = markdown.splitlines()
    all_codes = []
    i = 0
    while i < len(lines):
        if FENCE_OPEN.match(lines[i]):
            lang, body, i = _fenced(lines, i)
            if lang == "pycon":
                all_codes += _pycon_codes(textwrap.dedent(body))
        else:
            i += 1
    try:
        start = lines.index("## Exercises")
    except ValueError:
        return [], all_codes
    end = next((k for k in range(start + 1, len(lines)) if lines[k].startswith("## ")), len(lines))
    heads = [k for k in range(start, end) if EXERCISE_HEADING.match(lines[k])] + [end]
    exercises = []
    for head, stop in zip(heads, heads[1:]):
        heading = EXERCISE_HEADING.match(lines[head])
        ident, title = heading["id"], heading["title"]
        table, task, hints, stub, solution = [], [], [], None, []
        i = head + 1
        while i < stop:
            line = lines[i]
            admonition = ADMONITION.match(line)
            if line.startswith("|") and stub is None:
                table.append(line)
                i += 1
            elif FENCE_OPEN.match(line) and stub is None:
                lang, body, i = _fenced(lines, i)
                if lang != "pycon":
                    raise ExerciseError(f"{where}: exercise {ident}'s stub is a {lang!r} block, not pycon")
                stub = _pycon_codes(body)
            elif admonition and admonition["kind"] == "tip":
                body, i = _indented_body(lines, i + 1)
                hints.append([admonition["title"] or "Hint", plain_text("\n".join(body))])
            elif admonition and admonition["kind"] == "success":
                body, i = _indented_body(lines, i + 1)
                k = 0
                while k < len(body):
                    if FENCE_OPEN.match(body[k]):
                        lang, block, k = _fenced(body, k)
                        if lang == "pycon":
                            solution += _pycon_codes(block)
                    else:
                        k += 1
            else:
                if stub is None:
                    task.append(line)
                i += 1
        if stub is None:
            raise ExerciseError(f"{where}: exercise {ident} has no stub block")
        exercises.append(exercise_record(where, ident, title, table, "\n".join(task), hints, stub, solution))
    return exercises, all_codes


def notebook_exercises(notebook: nbformat.NotebookNode, where: str) -> tuple[list[dict], list[str]]:
    """The exercises of the notebook chapter: heading cell, stub cell, hints cell, solution cell."""
    codes = [
        "\n".join(line for line in cell.source.splitlines() if not line.startswith(("%", "!")))
        for cell in notebook.cells if cell.cell_type == "code"
    ]
    exercises = []
    current = None
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            first = cell.source.split("\n", 1)[0]
            heading = EXERCISE_HEADING.match(first)
            if heading:
                current = {"id": heading["id"], "title": heading["title"], "table": [], "task": [],
                           "hints": [], "stub": None, "solution": None}
                exercises.append(current)
                for line in cell.source.split("\n")[1:]:
                    (current["table"] if line.startswith("|") else current["task"]).append(line)
            elif first.startswith("#"):
                current = None
            elif current is not None:
                for found in DETAILS.finditer(cell.source):
                    if not found["title"].strip().lower().startswith("solution"):
                        current["hints"].append([found["title"].strip(), plain_text(found["body"])])
        elif current is not None:
            key = "stub" if current["stub"] is None else "solution"
            if current[key] is None:
                current[key] = [cell.source]
    records = []
    for ex in exercises:
        if ex["stub"] is None or ex["solution"] is None:
            raise ExerciseError(f"{where}: exercise {ex['id']} needs a stub cell and a solution cell")
        records.append(exercise_record(
            where, ex["id"], ex["title"], ex["table"], "\n".join(ex["task"]), ex["hints"],
            ex["stub"], ex["solution"],
        ))
    return records, codes


def chapter_record(number: int, title: str, page: str, exercises: list[dict], codes: list[str]) -> dict:
    """A chapter's exercises with the imports their code needs, resolved from the page's imports."""
    imports = page_imports(codes)
    defined = {name for ex in exercises for part in ("given", "stub") for code in statements(ex[part] or "pass")
               for name in defined_names(code)}

    def resolve(code: str, exclude: set[str], ident: str) -> list[list]:
        needed = sorted(free_names(code) - exclude)
        missing = [name for name in needed if name not in imports]
        if missing:
            raise ExerciseError(
                f"docs/{page}: exercise {ident} uses {', '.join(missing)}, which the page never imports"
            )
        return [imports[name] for name in needed]

    for ex in exercises:
        module_code = "\n".join(filter(None, [ex["given"], ex["stub"], ex["solution"]]))
        ex["module_imports"] = resolve(module_code, defined, ex["id"])
        check_code = "\n".join(filter(None, [ex["given"], ex["check_code"], *ex["calls"]]))
        ex["check_imports"] = resolve(check_code, set(ex["names"]), ex["id"])
    return {"number": number, "title": title, "page": page, "exercises": exercises}


def book_exercises(docs: Path = ROOT / "docs") -> list[dict]:
    """Every chapter with exercises, in order, read from the pages in ``docs``."""
    chapters = []
    for path in sorted(docs.iterdir()):
        if not re.match(r"^\d+-", path.name):
            continue
        where = f"docs/{path.name}"
        if path.suffix == ".md" and is_chapter(path.name):
            markdown = path.read_text(encoding="utf-8")
            exercises, codes = markdown_exercises(markdown, where)
            first = markdown.lstrip().split("\n", 1)[0]
        elif path.suffix == ".ipynb":
            notebook = nbformat.read(path, as_version=4)
            exercises, codes = notebook_exercises(notebook, where)
            first = next(c.source for c in notebook.cells if c.cell_type == "markdown").split("\n", 1)[0]
        else:
            continue
        if not exercises:
            continue
        heading = CHAPTER_HEADING.match(first)
        if heading is None:
            raise ExerciseError(f"{where}: the first line should be the chapter's '# N. Title' heading")
        chapters.append(chapter_record(int(heading["number"]), heading["title"], path.name, exercises, codes))
    return chapters


def module_source(chapters: list[dict]) -> str:
    """The text of ``autograd_lite/_exercises.py`` for these chapters."""
    return (
        '"""The book\'s exercises, generated from the pages by hooks/exercises.py: do not edit.\n\n'
        "Regenerate with ``python3 dev.py exercises``; tests/test_workbook.py fails while this file\n"
        'is stale.  ``autograd_lite.workbook`` writes the workbook from it.\n"""\n\n'
        f"CHAPTERS = {pprint.pformat(chapters, width=100, sort_dicts=False)}\n"
    )


def main(argv: list[str]) -> int:
    source = module_source(book_exercises())
    if argv == ["--check"]:
        stale = not TARGET.exists() or TARGET.read_text(encoding="utf-8") != source
        print(f"{TARGET.relative_to(ROOT)} is {'stale: run python3 dev.py exercises' if stale else 'up to date'}")
        return int(stale)
    TARGET.write_text(source, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
