"""The mutation runner's own logic (scripts/mutate.py): mutants, equivalents, time limits, solutions.

The runner itself (``python3 dev.py mutate``) takes tens of minutes and is not part of the test
command; these tests are fast.
"""

from __future__ import annotations

import ast
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import mutate  # noqa: E402

SOURCE = textwrap.dedent('''
    """A module docstring is never mutated."""
    import numpy as np

    __all__ = ["f", "g"]

    LIMIT = 3


    def f(x: int, y: int = 2) -> int:
        """A docstring."""
        if x < y and y != 0:
            return x + y
        total = np.sum([x, y], axis=0, dtype=float)
        message = f"{x + 1} is too large"
        return -total


    class K:
        def g(self, flag):
            while not flag:
                flag = True
            return flag
''')


def changes(source: str = SOURCE) -> list[str]:
    return [f"{m.function}: {m.change}" for m in mutate.list_mutants(source, "m.py")]


def test_each_kind_of_mutant_is_offered():
    found = changes()
    for expected in [
        "f: `x < y` -> `x <= y`",
        "f: `y != 0` -> `y == 0`",
        "f: `x < y and y != 0` -> `x < y or y != 0`",
        "f: negate condition `x < y and y != 0` -> `not (x < y and y != 0)`",
        "f: `x + y` -> `x - y`",
        "f: `return x + y` -> `return None`",
        "f: `0` -> `1`",
        "f: `0` -> `-1`",
        "f: drop `axis=` in `np.sum([x, y], axis=0, dtype=float)`",
        "f: drop `dtype=` in `np.sum([x, y], axis=0, dtype=float)`",
        "f: delete `total = np.sum([x, y], axis=0, dtype=float)`",
        "f: `-total` -> `total`",
        "K.g: `not flag` -> `flag`",
        "K.g: `True` -> `False`",
        "K.g: delete `while not flag:`",
        "<module>: `3` -> `4`",
    ]:
        assert expected in found, (expected, found)


def test_docstrings_annotations_messages_and_dunder_all_are_left_alone():
    found = "\n".join(changes())
    assert "docstring" not in found
    assert "__all__" not in found and "'f'" not in found
    assert "`x + 1` -> `x - 1`" not in found  # inside an f-string: message text
    assert "`2` ->" not in found  # a default value
    assert "int" not in found  # annotations
    assert "delete `import" not in found and "delete `LIMIT" not in found  # module-level definitions
    assert "delete `return" not in found  # `return None` is that mutant already
    # negating `not flag` is the same mutant as dropping the `not`
    assert "negate condition `not flag`" not in found


def test_a_mutant_is_applied_alone_and_changes_behaviour():
    source = "def f(x, y):\n    return x + y\n"
    mutants = mutate.list_mutants(source, "m.py")
    assert [m.change for m in mutants] == ["`return x + y` -> `return None`", "`x + y` -> `x - y`"]
    for mutant, expected in zip(mutants, [None, -1]):
        namespace = {}
        exec(compile(mutate.mutated_tree(source, mutant.index), "m.py", "exec"), namespace)
        assert namespace["f"](1, 2) == expected
    with pytest.raises(IndexError):
        mutate.mutated_tree(source, len(mutants))


def test_every_listed_mutant_of_a_library_module_compiles_and_differs_from_the_original():
    source = (ROOT / "autograd_lite" / "broadcasting.py").read_text()
    original = ast.dump(ast.parse(source))
    mutants = mutate.list_mutants(source, "autograd_lite/broadcasting.py")
    assert len(mutants) > 20
    for mutant in mutants:
        tree = mutate.mutated_tree(source, mutant.index)
        compile(tree, "broadcasting.py", "exec")
        assert ast.dump(tree) != original, mutant


def test_keys_survive_line_shifts_and_repeats_are_numbered():
    source = "def f(x):\n    a = x + 1\n    b = x + 1\n    return a\n"
    before = mutate.list_mutants(source, "m.py")
    shifted = mutate.list_mutants("import os\n\n\n" + source, "m.py")
    assert [m.key for m in before] == [m.key for m in shifted]
    assert [m.line for m in before] != [m.line for m in shifted]
    keys = [m.change for m in before]
    assert "`x + 1` -> `x - 1`" in keys and "`x + 1` -> `x - 1` (#2)" in keys
    assert len(set(m.key for m in before)) == len(before)


def test_equivalents_are_parsed_and_matched_by_key():
    text = textwrap.dedent('''
        [[equivalent]]
        path = "m.py"
        function = "f"
        change = "`x + y` -> `x - y`"
        reason = "y is always 0"
    ''')
    equivalents = mutate.load_equivalents(text)
    mutants = mutate.list_mutants("def f(x, y):\n    return x + y\n", "m.py")
    assert [equivalents.reason(m) for m in mutants] == [None, "y is always 0"]
    assert equivalents.unused(mutants, {"m.py"}) == []
    assert equivalents.unused(mutate.list_mutants("def f(x, y):\n    return x * y\n", "m.py"), {"m.py"}) == [
        ("m.py", "f", "`x + y` -> `x - y`")
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ('[[equivalent]]\npath = "m.py"\nfunction = "f"\nchange = "c"\n', "lacks reason"),
        ('[[equivalent]]\npath = "m.py"\nfunction = "f"\nchange = "c"\nreason = " "\n', "lacks reason"),
        ('[[equivalent]]\npath = "m.py"\nchange = "c"\nreason = "r"\n', "lacks function"),
        ('[[equivalent]]\npath = "m.py"\nfunction = "f"\nchange = "c"\nreason = "r"\nline = 3\n', "unknown key"),
        ('[[equivalents]]\npath = "m.py"\n', "unknown top-level key"),
        ('[[equivalent]]\npath = "m"\nfunction = "f"\nchange = "c"\nreason = "r"\n' * 2, "repeats"),
    ],
)
def test_bad_equivalents_are_refused_with_what_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        mutate.load_equivalents(text)


def test_the_reviewed_equivalents_file_is_valid_and_matches_current_mutants():
    equivalents = mutate.load_equivalents(mutate.EQUIVALENTS.read_text())
    assert equivalents.entries, "the reviewed file lists at least the known equivalent mutants"
    by_path: dict[str, list] = {}
    for path, _, _ in equivalents.entries:
        by_path.setdefault(path, [])
    solutions = {f"{s.page}:{s.check_name}": s for s in mutate.book_solutions()}
    for path in by_path:
        source = solutions[path].source if path in solutions else (ROOT / path).read_text()
        by_path[path] = mutate.list_mutants(source, path)
    stale = [key for path, mutants in by_path.items() for key in equivalents.unused(mutants, {path})]
    assert not stale, f"entries that match no mutant any more (fix their key or remove them): {stale}"


def hangs():
    while True:
        time.sleep(0.01)


def hangs_with_a_grandchild(pid_file):
    import subprocess

    child = subprocess.Popen(["sleep", "60"])
    Path(pid_file).write_text(str(child.pid))
    hangs()


def test_run_limited_reports_pass_fail_exception_and_timeout_without_hanging():
    start = time.monotonic()
    results = mutate.run_limited(
        [(lambda: 0, 30), (lambda: 1, 30), (lambda: True, 30), (lambda: 1 / 0, 30), (hangs, 1.0)], jobs=2
    )
    assert results == ["passed", "failed", "passed", "failed", "timeout"]
    assert time.monotonic() - start < 20


def test_a_timed_out_mutant_is_killed_with_everything_it_started(tmp_path):
    pid_file = tmp_path / "pid"
    assert mutate.run_limited([(lambda: hangs_with_a_grandchild(pid_file), 2.0)]) == ["timeout"]
    grandchild = int(pid_file.read_text())
    time.sleep(0.2)
    assert not _running(grandchild)


def _running(pid: int) -> bool:
    """Whether ``pid`` is alive (a killed process nobody reaped yet is a zombie: not running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def _import_mutant_and_compare_eq():
    """In a forked child: import the library with a mutant of functions.py, return 0 if it differs."""
    for name in [n for n in sys.modules if n == "autograd_lite" or n.startswith("autograd_lite.")]:
        del sys.modules[name]
    path = "autograd_lite/functions.py"
    [mutant] = [
        m for m in mutate.list_mutants((ROOT / path).read_text(), path)
        if m.change == "`False` -> `True`" and m.function == "<module>"
    ][:1]
    mutate._install_mutant(path, mutant.index)
    import autograd_lite

    assert autograd_lite.functions.__file__ == str(ROOT / path)
    x = autograd_lite.Tensor([1.0], requires_grad=True)
    try:
        x == x  # eq made differentiable at import time: no backward function, so it raises
    except RuntimeError:
        return 0
    return 1


def test_a_mutant_of_code_run_at_import_time_is_what_the_tests_import():
    assert mutate.run_limited([(_import_mutant_and_compare_eq, 60)]) == ["passed"]
    import autograd_lite  # this process still has the real module

    x = autograd_lite.Tensor([1.0], requires_grad=True)
    assert not (x == x).requires_grad


PAGE = textwrap.dedent('''
    # A page

    ```pycon
    >>> import math
    >>> def check_double(fn):
    ...     assert fn(2) == 4 and fn(-1) == -2
    ...     print("check_double: all tests passed")

    ```

    ### Exercise

    ```pycon
    >>> def double(x):
    ...     raise NotImplementedError
    >>> check_double(double)
    Traceback (most recent call last):
    ...
    NotImplementedError

    ```

    ??? success "Solution"
        ```pycon
        >>> def double(x):
        ...     return 2 * x
        >>> check_double(double)
        check_double: all tests passed

        ```

    After the solution.

    ```pycon
    >>> double(3)
    6

    ```
''')


def test_solutions_are_found_in_a_page_with_the_code_before_them():
    [solution] = mutate.solutions_in_markdown(PAGE, "page.md")
    assert solution.source.strip() == "def double(x):\n    return 2 * x"
    assert solution.check.strip() == "check_double(double)"
    assert solution.check_name == "check_double"
    assert any("def check_double" in code for code in solution.prefix)
    assert not any("return 2 * x" in code for code in solution.prefix)


def test_a_check_rejects_mutants_of_its_solution_and_a_weak_one_accepts_some():
    [solution] = mutate.solutions_in_markdown(PAGE, "page.md")
    namespace = mutate._page_namespace(solution)
    tasks = [(mutate._check_task(solution, None, namespace), 20)]
    mutants = mutate.list_mutants(solution.source, "page.md:check_double")
    tasks += [(mutate._check_task(solution, mutate.mutated_tree(solution.source, m.index), namespace), 20)
              for m in mutants]
    results = mutate.run_limited(tasks)
    assert results[0] == "passed"  # the solution itself
    assert "passed" not in results[1:]  # every mutant rejected (2 * x -> 2 / x, 3 * x, 1 * x, None)
    weak = solution.__class__(solution.page, solution.line, solution.prefix, solution.source, "check_double(lambda x: 2 * x)")
    # a "check" that ignores the learner's function accepts every mutant: the runner says so
    weak_tasks = [(mutate._check_task(weak, mutate.mutated_tree(weak.source, m.index), namespace), 20)
                  for m in mutants]
    assert set(mutate.run_limited(weak_tasks)) == {"passed"}


def test_every_exercise_of_the_book_has_its_solution_found():
    from autograd_lite import checks as learner_checks

    solutions = mutate.book_solutions()
    found = {s.check_name for s in solutions}
    # check_multiply_back_float is the float32 half of check_multiply_back, run by it
    assert set(learner_checks.__all__) - {"check_multiply_back_float"} <= found
    assert {"check_central_difference", "check_broadcast_shape"} <= found  # checks defined on a page
    assert all(s.source.strip() and s.prefix for s in solutions)
    assert any(s.page.endswith(".ipynb") for s in solutions)
