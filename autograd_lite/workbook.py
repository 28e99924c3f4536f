"""The workbook: every exercise of the book as files to fill in with an editor, and your progress.

```console
python -m autograd_lite.workbook init DIR      # or: autograd-lite-workbook init DIR
python -m autograd_lite.workbook status DIR
```

``init`` writes, for each chapter with exercises, ``chapterNN.py`` with the
stubs (the signature, a docstring with the task, the hints as comments, and
``raise NotImplementedError``) and ``test_chapterNN.py``, which runs the book's
learner check on each of your functions (``pytest`` in ``DIR``).  It never
overwrites a file that is already there (``--force`` does).

``status`` runs every check on your code in a separate Python process, each
check with a time limit (an endless loop is stopped, and the other checks still
run), and prints a progress table per chapter: done, wrong (with the first line of the check's message) or not
started.  Its exit status is 0 once every exercise is done, 1 until then (2 when
``DIR`` holds no workbook).

The exercises come from the book's pages (``autograd_lite/_exercises.py`` is
generated from them), so the workbook asks exactly what the book asks.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import queue
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ._exercises import CHAPTERS

__all__ = ["chapter_module", "chapter_tests", "init", "main", "status", "check_exercise"]

DONE, WRONG, NOT_STARTED = "done", "wrong", "not started"
TIMEOUT = 20.0  # seconds per exercise: every check takes well under one with a right answer
_RESULT = "AUTOGRAD_LITE_WORKBOOK_RESULT "


def module_name(chapter: dict) -> str:
    return f"chapter{chapter['number']:02d}"


def test_name(exercise: dict) -> str:
    return "test_exercise_" + exercise["id"].replace(".", "_")


def _imports(entries: list[list]) -> list[str]:
    """Import lines for [module, name, asname] entries: plain imports first, then from-imports."""
    plain, grouped = set(), {}
    for module, name, asname in entries:
        if name is None:
            plain.add(f"import {module}" + (f" as {asname}" if asname else ""))
        else:
            grouped.setdefault(module, set()).add(name + (f" as {asname}" if asname else ""))
    lines = sorted(plain)
    for module in sorted(grouped):
        line = f"from {module} import {', '.join(sorted(grouped[module]))}"
        if len(line) > 99:
            line = f"from {module} import (\n" + "".join(f"    {n},\n" for n in sorted(grouped[module])) + ")"
        lines.append(line)
    return lines


def _comment(text: str, prefix: str = "# ") -> str:
    return "\n".join((prefix + line).rstrip() for line in text.splitlines())


def _docstring(summary: str, task: str, indent: str) -> list[str]:
    body = (summary.strip() + "\n\n" if summary.strip() else "") + task
    if '"""' in body:
        raise ValueError(f"a task cannot hold a triple quote: {body!r}")
    raw = "r" if "\\" in body else ""
    lines = textwrap.indent(body, indent).splitlines()
    lines[0] = f'{indent}{raw}"""' + lines[0].lstrip()
    return [line.rstrip() for line in lines] + [f'{indent}"""']


def _with_task(stub: str, names: list[str], task: str) -> str:
    """The stub with the task in the docstring of its function or class (or above it, as comments)."""
    lines = stub.split("\n")
    tree = ast.parse(stub)
    inserts = []  # (first line, last line, replacement), applied bottom up
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names:
            first = node.body[0]
            indent = " " * first.col_offset
            docstring = ast.get_docstring(node, clean=True)
            if docstring is not None:
                inserts.append((first.lineno - 1, first.end_lineno, _docstring(docstring, task, indent)))
            else:
                blank = [""] if isinstance(node, ast.ClassDef) else []
                inserts.append((first.lineno - 1, first.lineno - 1, _docstring("", task, indent) + blank))
        elif not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            inserts.append((node.lineno - 1, node.lineno - 1, [_comment("The task, from the book:\n" + task)]))
    for start, end, replacement in sorted(inserts, reverse=True):
        lines[start:end] = replacement
    return "\n".join(lines)


def _heading(title: str) -> str:
    """A hint's title as the line before its text: "Hint 1:", but "How many were prepended?" as it is."""
    return title if title.endswith(("?", "!", ".", ":")) else f"{title}:"


def _rule(title: str) -> str:
    return f"# {'-' * 76}\n# {title}"


def _file_head(docstring: str, chapter: dict, imports_key: str) -> list[str]:
    """A generated file's docstring, then the imports its chapter's exercises need."""
    imports = _imports([entry for ex in chapter["exercises"] for entry in ex[imports_key]])
    return [docstring] + (["\n".join(imports)] if imports else [])


def chapter_module(chapter: dict) -> str:
    """The text of ``chapterNN.py``: the chapter's stubs to fill in."""
    name = module_name(chapter)
    parts = _file_head(
        f'"""Chapter {chapter["number"]}. {chapter["title"]}: your answers to the book\'s exercises.\n\n'
        "Replace each `raise NotImplementedError` with your code, then check it:\n\n"
        "    python -m autograd_lite.workbook status .    # every chapter, as a progress table\n"
        f"    pytest test_{name}.py                      # this chapter, with each check's whole message\n\n"
        f"The book's page: docs/{chapter['page']}, section Exercises.  The imports below are what the\n"
        'book\'s solutions use; add what you need.\n"""',
        chapter, "module_imports",
    )
    for ex in chapter["exercises"]:
        rating = "   ".join(f"{key}: {value}" for key, value in ex["rating"].items())
        calls = "; ".join(ex["calls"])
        header = _rule(f"Exercise {ex['id']}: {ex['title']}") + f"\n# {rating}\n# Checked by {calls}\n"
        block = []
        if ex["given"]:
            block.append("# From the book (the check has its own copy):\n" + ex["given"])
        block.append(_with_task(ex["stub"], ex["names"], ex["task"]))
        if ex["hints"]:
            hints = "\n#\n".join(_comment(f"{_heading(title)}\n{text}") for title, text in ex["hints"])
            block.append("# Stuck?  The hints, one at a time (the book keeps them folded):\n#\n" + hints)
        parts.append(header + "\n\n\n".join(block))
    return "\n\n\n".join(parts) + "\n"


def chapter_tests(chapter: dict) -> str:
    """The text of ``test_chapterNN.py``: the book's learner check on each of your functions."""
    name = module_name(chapter)
    parts = _file_head(
        f'"""The book\'s learner checks on your {name}.py: run `pytest test_{name}.py`.\n\n'
        "Generated by `python -m autograd_lite.workbook init` from the book's pages; you need not edit it.\n"
        '"""',
        chapter, "check_imports",
    )
    for ex in chapter["exercises"]:
        for code in (ex["given"], ex["check_code"]):
            if code:
                parts.append(code)
    for ex in chapter["exercises"]:
        calls = textwrap.indent("\n".join(ex["calls"]), "    ")
        parts.append(
            f"def {test_name(ex)}():\n"
            f'    """Exercise {ex["id"]}: {ex["title"]}."""\n'
            f"    from {name} import {', '.join(ex['names'])}\n\n"
            f"{calls}"
        )
    return "\n\n\n".join(parts) + "\n"


_README = """\
# Your autograd_lite workbook

One file per chapter of the book: `chapterNN.py` holds that chapter's exercises as stubs. Each
stub's docstring says what to write; the hints follow it as comments (read one at a time, when
stuck). Replace each `raise NotImplementedError` with your code.

    python -m autograd_lite.workbook status .   # your progress: done / wrong / not started
    pytest                                      # every check, with its whole message
    pytest test_chapter04.py                    # one chapter

`test_chapterNN.py` runs the book's own learner check on each of your functions; you need not
edit it. The solutions are in the book, folded under each exercise.
"""


# The workbook's own pytest settings, so that no configuration in a folder above it applies.
_PYTEST_INI = """\
[pytest]
python_files = test_chapter*.py
"""


# ------------------------------------------------------------ init


def init(directory: Path, force: bool = False, out=None) -> int:
    """Write the workbook into ``directory``; keep every file already there unless ``force``."""
    out = out or sys.stdout
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    files = {"README.md": _README, "pytest.ini": _PYTEST_INI}
    for chapter in CHAPTERS:
        files[f"{module_name(chapter)}.py"] = chapter_module(chapter)
        files[f"test_{module_name(chapter)}.py"] = chapter_tests(chapter)
    kept = 0
    for filename, text in files.items():
        path = directory / filename
        if path.exists() and not force:
            kept += 1
            print(f"kept {path}: it is already there (your work is safe)", file=out)
            continue
        verb = "overwrote" if path.exists() else "wrote"
        path.write_text(text, encoding="utf-8")
        print(f"{verb} {path}", file=out)
    if kept:
        print(f"{kept} file(s) kept unchanged; `init --force {directory}` would overwrite them with "
              "fresh stubs, losing your answers.", file=out)
    count = sum(len(chapter["exercises"]) for chapter in CHAPTERS)
    print(f"{count} exercises in {len(CHAPTERS)} chapters. Next: python -m autograd_lite.workbook "
          f"status {directory}", file=out)
    return 0


# ------------------------------------------------------------ status


@dataclass
class Result:
    """One exercise's state: done, wrong (with the check's first line) or not started."""

    exercise: str
    state: str
    message: str = ""


def _first_line(error: BaseException) -> str:
    """The check's first line: its own message line when it has one, else the error's first line."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    own = [line for line in lines if line.startswith("check_")]
    if own:
        return own[0]
    if not lines:
        return type(error).__name__
    return lines[0] if isinstance(error, AssertionError) else f"{type(error).__name__}: {lines[0]}"


def _find(exercise_id: str) -> tuple[dict, dict]:
    for chapter in CHAPTERS:
        for ex in chapter["exercises"]:
            if ex["id"] == exercise_id:
                return chapter, ex
    raise KeyError(f"no exercise {exercise_id!r} in the book")


def check_exercise(directory: Path, exercise_id: str) -> Result:
    """Run one exercise's check on the learner's code in ``directory``, in this process."""
    chapter, ex = _find(exercise_id)
    directory = Path(directory).resolve()
    module_file = directory / f"{module_name(chapter)}.py"
    if not module_file.exists():
        return Result(exercise_id, NOT_STARTED, f"{module_file.name} is missing (init writes it again)")
    if str(directory) not in sys.path:
        sys.path.insert(0, str(directory))
    namespace = {"__name__": f"test_{module_name(chapter)}"}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                module = __import__(module_name(chapter))
            except BaseException as error:  # a syntax error, or code at the top of the file that fails
                return Result(exercise_id, WRONG, f"{module_file.name} does not import: {_first_line(error)}")
            missing = [name for name in ex["names"] if not hasattr(module, name)]
            if missing:
                return Result(exercise_id, WRONG, f"{module_file.name} has no {', '.join(missing)}")
            exec(compile(chapter_tests(chapter), f"test_{module_name(chapter)}.py", "exec"), namespace)
            namespace[test_name(ex)]()
    except NotImplementedError as error:
        return Result(exercise_id, NOT_STARTED, _first_line(error))
    except Exception as error:
        return Result(exercise_id, WRONG, _first_line(error))
    return Result(exercise_id, DONE)


def _forward_lines(stream, lines: queue.Queue) -> None:
    """Put each line the child prints on ``lines``, then None when it ends."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def _run_checks(directory: Path, exercise_ids: list[str], timeout: float) -> dict[str, Result]:
    """Run the checks in one child process, one after another; a check past ``timeout`` is stopped.

    The child reports each result as a line as soon as it has it.  When a check runs past its
    time limit the child is killed, that exercise is marked wrong, and a new child carries on
    with the rest: an endless loop in one exercise costs ``timeout`` seconds, never a hang.
    """
    results: dict[str, Result] = {}
    todo = list(exercise_ids)
    while todo:
        command = [sys.executable, "-m", "autograd_lite.workbook", "_check", str(directory), *todo]
        # stderr goes to a file: a child that writes a lot there can never block on a full pipe.
        errors = tempfile.TemporaryFile(mode="w+")
        child = subprocess.Popen(
            command, cwd=directory, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors, text=True
        )
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=_forward_lines, args=(child.stdout, lines), daemon=True).start()
        current = todo[0]
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                child.kill()
                results[current] = Result(current, WRONG, f"stopped after {timeout:g} s: an endless "
                                          "loop, or far too slow")
                break
            if line is None:  # the child ended
                child.wait()
                errors.seek(0)
                stderr = errors.read().strip().splitlines()
                results[current] = Result(
                    current, WRONG, f"the check ended the program (exit status {child.returncode})"
                    + (f": {stderr[-1]}" if stderr else ""))
                break
            if line.startswith(_RESULT):
                result = Result(**json.loads(line[len(_RESULT):]))
                results[result.exercise] = result
                if len(results) == len(exercise_ids):
                    break
                current = next(ident for ident in todo if ident not in results)
        child.kill()
        child.wait()
        child.stdout.close()
        errors.close()
        todo = [ident for ident in todo if ident not in results]
    return results


def status(directory: Path, timeout: float = TIMEOUT, out=None) -> int:
    """Run every check on the workbook in ``directory``; print the table; 0 when all are done."""
    out = out or sys.stdout
    directory = Path(directory).resolve()
    if not directory.is_dir() or not any((directory / f"{module_name(c)}.py").exists() for c in CHAPTERS):
        print(f"no workbook in {directory}: make one with python -m autograd_lite.workbook init {directory}",
              file=out)
        return 2
    exercises = [ex["id"] for chapter in CHAPTERS for ex in chapter["exercises"]]
    start = time.perf_counter()
    results = _run_checks(directory, exercises, timeout)
    seconds = time.perf_counter() - start
    print(format_table(results, directory, seconds), file=out)
    return 0 if all(result.state == DONE for result in results.values()) else 1


def format_table(results: dict[str, Result], directory: Path, seconds: float) -> str:
    width = max(len(f"Chapter {c['number']}. {c['title']} ({module_name(c)}.py)") for c in CHAPTERS)
    lines = [f"Workbook {directory} ({len(results)} exercises, checked in {seconds:.1f} s)", ""]
    for chapter in CHAPTERS:
        mine = [results[ex["id"]] for ex in chapter["exercises"]]
        done = sum(result.state == DONE for result in mine)
        head = f"Chapter {chapter['number']}. {chapter['title']} ({module_name(chapter)}.py)"
        lines.append(f"{head:<{width}}  {done} of {len(mine)} done")
        for ex, result in zip(chapter["exercises"], mine):
            label = f"  {ex['id']:<5} {ex['title'].replace('`', '')}"
            lines.append(f"{label:<{width}}  {result.state}")
            if result.state == WRONG:
                lines.append(f"{'':8}{result.message}")
    counts = {state: sum(r.state == state for r in results.values()) for state in (DONE, WRONG, NOT_STARTED)}
    lines += ["", f"Total: {counts[DONE]} of {len(results)} done, {counts[WRONG]} wrong, "
              f"{counts[NOT_STARTED]} not started."]
    if counts[DONE] < len(results):
        next_one = next(ex for ex in results if results[ex].state != DONE)
        chapter, _ = _find(next_one)
        lines.append(f"Next: exercise {next_one} in {module_name(chapter)}.py "
                     f"(pytest test_{module_name(chapter)}.py shows the checks' whole messages).")
    else:
        lines.append("Every exercise of the book is done.")
    return "\n".join(lines)


# ------------------------------------------------------------ command line


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_check"] and len(argv) >= 3:  # the checks `status` runs in a child process
        for exercise_id in argv[2:]:
            result = check_exercise(Path(argv[1]), exercise_id)
            print(_RESULT + json.dumps(result.__dict__), flush=True)
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m autograd_lite.workbook",
        description="The book's exercises as files to fill in, and your progress through them.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("init", help="write the workbook into DIR (never overwrites your files)")
    make.add_argument("directory", metavar="DIR", type=Path)
    make.add_argument("--force", action="store_true", help="overwrite files already in DIR with fresh stubs")
    show = commands.add_parser("status", help="run every check on your code in DIR and show your progress")
    show.add_argument("directory", metavar="DIR", type=Path)
    show.add_argument("--timeout", type=float, default=TIMEOUT, metavar="SECONDS",
                      help=f"time limit for each exercise's check (default {TIMEOUT:g})")
    args = parser.parse_args(argv)
    if args.command == "init":
        return init(args.directory, force=args.force)
    return status(args.directory, timeout=args.timeout)


if __name__ == "__main__":
    sys.exit(main())
