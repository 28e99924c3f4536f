"""The workbook (autograd_lite.workbook) and the exercise data it is written from.

The data (autograd_lite/_exercises.py) is generated from the pages by
hooks/exercises.py; these tests hold it to the pages, then drive ``init`` and
``status`` the way a learner does, through the command line.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograd_lite import workbook
from autograd_lite._exercises import CHAPTERS
from hooks import exercises as generator

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
EXERCISES = {ex["id"]: (chapter, ex) for chapter in CHAPTERS for ex in chapter["exercises"]}
ROW = re.compile(r"^  (?P<id>\d+\.\d+)\s+.*?\s{2,}(?P<state>done|wrong|not started)$")


def run(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "autograd_lite.workbook", *args],
        capture_output=True, text=True, timeout=timeout, cwd=cwd,
    )


def states(output: str) -> dict[str, str]:
    return {m["id"]: m["state"] for m in map(ROW.match, output.splitlines()) if m}


def solve(directory: Path, exercise_id: str) -> None:
    """Fill in the book's reference solution, the way a learner pastes it over the stub."""
    chapter, ex = EXERCISES[exercise_id]
    path = directory / f"{workbook.module_name(chapter)}.py"
    path.write_text(path.read_text() + "\n\n" + ex["solution"] + "\n")


@pytest.fixture
def fresh(tmp_path):
    result = run("init", str(tmp_path))
    assert result.returncode == 0, result.stderr
    return tmp_path


# ------------------------------------------------------------ the data comes from the pages


def test_the_exercise_data_matches_the_pages():
    written = (ROOT / "autograd_lite" / "_exercises.py").read_text(encoding="utf-8")
    assert written == generator.module_source(generator.book_exercises()), (
        "autograd_lite/_exercises.py is stale: an exercise on a page changed. "
        "Run `python3 dev.py exercises` and commit the result."
    )


def test_every_exercise_heading_of_the_book_is_in_the_data():
    headings = []
    chapters_with_exercises = set()
    for path in sorted(DOCS.glob("[0-9]*")):
        if path.suffix == ".md":
            text = path.read_text(encoding="utf-8")
        else:
            text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
        found = re.findall(r"^### Exercise (\d+\.\d+):", text, flags=re.M)
        headings += found
        if found:
            chapters_with_exercises.add(int(path.name.split("-")[0]))
    assert headings == list(EXERCISES), "an exercise on a page is missing from the workbook"
    assert {chapter["number"] for chapter in CHAPTERS} == chapters_with_exercises
    assert len(chapters_with_exercises) >= 12  # every chapter of the book has exercises


PAGE = '''# 3. A chapter

```pycon
>>> import numpy as np
>>> from autograd_lite import unbroadcast

```

## Exercises

### Exercise 3.1: `double`

| Difficulty | Importance | Suggested time |
| --- | --- | --- |
| ●○○○○ | ★☆☆☆☆ | 1 minute |

Write `double(x)`, as in [chapter 2](02-x.md). Below it, the stub, run through the check:

```pycon
>>> def check_double(fn):
...     assert np.all(fn(np.ones(2)) == 2), "check_double: wrong"
>>> def double(x):
...     """Twice x."""
...     raise NotImplementedError
>>> check_double(double)
Traceback (most recent call last):
...
NotImplementedError

```

??? tip "Hint"
    Add it to [itself](y.md).

??? success "Solution"
    ```pycon
    >>> def double(x):
    ...     """Twice x."""
    ...     return HELPER(x)
    >>> check_double(double)

    ```
'''


def test_the_generator_reads_stub_hints_solution_check_and_imports_from_a_page():
    found, codes = generator.markdown_exercises(PAGE.replace("HELPER(x)", "unbroadcast(x + x, x)"), "p")
    record = generator.chapter_record(3, "A chapter", "03-a.md", found, codes)["exercises"][0]
    assert record["id"] == "3.1" and record["names"] == ["double"]
    # Links become their text; the sentence that introduces the page's code block goes.
    assert record["task"] == "Write `double(x)`, as in chapter 2."
    assert record["hints"] == [["Hint", "Add it to itself."]]
    assert record["stub"].endswith("raise NotImplementedError")
    assert "unbroadcast(x + x, x)" in record["solution"]
    assert record["check_code"].startswith("def check_double(fn):")
    assert record["calls"] == ["check_double(double)"]
    assert record["module_imports"] == [["autograd_lite", "unbroadcast", None]]
    assert record["check_imports"] == [["numpy", None, "np"]]


def test_the_generator_refuses_a_solution_that_uses_a_name_the_page_never_imports():
    found, codes = generator.markdown_exercises(PAGE, "p")
    with pytest.raises(generator.ExerciseError, match="uses HELPER, which the page never imports"):
        generator.chapter_record(3, "A chapter", "03-a.md", found, codes)


def test_the_generator_refuses_an_exercise_without_a_learner_check():
    page = PAGE.replace(">>> check_double(double)\n", ">>> double(1)\n")
    with pytest.raises(generator.ExerciseError, match="runs no learner check"):
        generator.markdown_exercises(page, "p")


# ------------------------------------------------------------ the files init writes


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: workbook.module_name(c))
def test_each_stub_has_its_task_hints_and_raises_not_implemented(chapter):
    source = workbook.chapter_module(chapter)
    tree = ast.parse(source)
    defined = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    for ex in chapter["exercises"]:
        assert f"# Exercise {ex['id']}: {ex['title']}" in source
        first_words = " ".join(ex["task"].split()[:6])
        for name in ex["names"]:
            if name in defined:
                assert first_words in " ".join(ast.get_docstring(defined[name]).split()), name
                assert any(isinstance(n, ast.Raise) for n in ast.walk(defined[name])), name
        for title, text in ex["hints"]:
            heading = title if title.endswith("?") else f"{title}:"   # never "prepended?:"
            assert f"# {heading}\n# {text.splitlines()[0]}" in source
        # No solution line is given away: every line of the solution that the stub lacks is absent.
        for line in set(ex["solution"].splitlines()) - set(ex["stub"].splitlines()):
            if line.strip() and not line.strip().startswith(("def ", "class ", '"""', "super()")):
                assert line not in source, f"exercise {ex['id']}'s solution shows in the workbook: {line!r}"
    ast.parse(workbook.chapter_tests(chapter))


# ------------------------------------------------------------ init and status, as a learner runs them


def test_status_on_an_untouched_workbook_says_everything_is_not_started(fresh):
    result = run("status", str(fresh))
    assert result.returncode == 1, result.stdout + result.stderr
    assert states(result.stdout) == {ident: "not started" for ident in EXERCISES}, result.stdout
    assert f"Total: 0 of {len(EXERCISES)} done, 0 wrong, {len(EXERCISES)} not started." in result.stdout


def test_the_reference_solution_in_one_file_makes_exactly_that_exercise_done(fresh):
    solve(fresh, "4.1")
    result = run("status", str(fresh))
    expected = {ident: "not started" for ident in EXERCISES} | {"4.1": "done"}
    assert states(result.stdout) == expected, result.stdout
    assert result.returncode == 1
    assert "Chapter 4. Unbroadcast (chapter04.py)" in result.stdout and "1 of 1 done" in result.stdout


def test_a_wrong_solution_shows_the_checks_first_line(fresh):
    path = fresh / "chapter02.py"
    path.write_text(path.read_text().replace("    raise NotImplementedError", "    return grad_out * x", 1))
    result = run("status", str(fresh))
    assert states(result.stdout)["2.1"] == "wrong", result.stdout
    lines = result.stdout.splitlines()
    message = lines[lines.index(next(l for l in lines if ROW.match(l) and "2.1" in l)) + 1].strip()
    assert message.startswith("check_log_back: wrong result for log_back(grad_out of shape (3,)"), message


def test_an_endless_loop_is_stopped_and_the_other_checks_still_run(fresh):
    solve(fresh, "1.1")
    path = fresh / "chapter01.py"
    path.write_text(path.read_text().replace("    raise NotImplementedError", "    while True:\n        pass", 2))
    path = fresh / "chapter05.py"
    path.write_text(path.read_text().replace("    raise NotImplementedError", "    import os\n    os._exit(3)"))
    start = time.perf_counter()
    result = run("status", str(fresh), "--timeout", "3", timeout=60)
    assert time.perf_counter() - start < 45
    found = states(result.stdout)
    assert found["1.1"] == "done" and found["1.2"] == "wrong" and found["5.1"] == "wrong", result.stdout
    assert "stopped after 3 s: an endless loop, or far too slow" in result.stdout
    assert "the check ended the program (exit status 3)" in result.stdout
    assert found["6.1"] == "not started"


def test_a_file_that_does_not_import_marks_its_exercises_wrong(fresh):
    (fresh / "chapter08.py").write_text("def sum_back(:\n")
    found = states(run("status", str(fresh)).stdout)
    assert [found[i] for i in ("8.1", "8.2", "8.3")] == ["wrong"] * 3


def test_every_reference_solution_passes_and_status_then_exits_0(fresh):
    for ident in EXERCISES:
        solve(fresh, ident)
    result = run("status", str(fresh))
    assert states(result.stdout) == {ident: "done" for ident in EXERCISES}, result.stdout
    assert result.returncode == 0
    assert "Every exercise of the book is done." in result.stdout


def test_the_pytest_files_run_the_books_checks(fresh):
    pytest_args = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_chapter04.py"]
    failing = subprocess.run(pytest_args, cwd=fresh, capture_output=True, text=True, timeout=120)
    assert failing.returncode == 1 and "check_unbroadcast: unbroadcast is not implemented yet" in failing.stdout
    solve(fresh, "4.1")
    passing = subprocess.run(pytest_args, cwd=fresh, capture_output=True, text=True, timeout=120)
    assert passing.returncode == 0, passing.stdout
    # The workbook's pytest.ini makes it its own root: no configuration above it applies.
    assert f"rootdir: {fresh}" in passing.stdout and "configfile: pytest.ini" in passing.stdout


def test_init_twice_keeps_the_learners_edits_and_says_so(fresh):
    solve(fresh, "2.1")
    mine = (fresh / "chapter02.py").read_text()
    (fresh / "chapter03.py").unlink()
    result = run("init", str(fresh))
    assert result.returncode == 0
    assert (fresh / "chapter02.py").read_text() == mine
    assert f"kept {fresh / 'chapter02.py'}: it is already there (your work is safe)" in result.stdout
    assert f"wrote {fresh / 'chapter03.py'}" in result.stdout
    assert "--force" in result.stdout
    forced = run("init", "--force", str(fresh))
    assert f"overwrote {fresh / 'chapter02.py'}" in forced.stdout
    assert (fresh / "chapter02.py").read_text() != mine


def test_status_without_a_workbook_says_how_to_make_one(tmp_path):
    result = run("status", str(tmp_path))
    assert result.returncode == 2
    assert f"no workbook in {tmp_path}: make one with python -m autograd_lite.workbook init" in result.stdout


def test_the_result_line_of_a_check_round_trips():
    result = workbook.Result("1.1", workbook.WRONG, "check_x: wrong")
    assert workbook.Result(**json.loads(json.dumps(result.__dict__))) == result


# ------------------------------------------------------------ the book points to the workbook


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: workbook.module_name(c))
def test_each_chapter_says_where_its_exercises_are_in_the_workbook(chapter):
    path = DOCS / chapter["page"]
    if path.suffix == ".md":
        text = path.read_text(encoding="utf-8")
    else:
        text = "\n".join(c.source for c in nbformat.read(path, as_version=4).cells)
    section = text[text.index("## Exercises"):]
    section = section[: section.index("### Exercise")]
    name = workbook.module_name(chapter)
    assert f"`{name}.py`" in section and f"`pytest test_{name}.py`" in section, (
        f"docs/{chapter['page']}: the Exercises section should name {name}.py and test_{name}.py"
    )
    for ex in chapter["exercises"]:
        for function in ex["names"]:
            assert f"`{function}`" in section, f"docs/{chapter['page']}: name `{function}` in the workbook note"


def test_the_home_page_explains_the_three_ways_to_practise():
    text = (DOCS / "index.md").read_text(encoding="utf-8")
    assert "python -m autograd_lite.workbook init" in text
    assert "python -m autograd_lite.workbook status" in text
    for way in ("On the page", "In the notebook", "In the workbook"):
        assert way in text
