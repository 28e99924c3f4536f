#!/usr/bin/env python3
"""Mutation testing for autograd_lite: do the tests fail whenever the code is wrong?

    python3 dev.py mutate [MODULE ...]      # library modules (default: the core ones)
    python3 dev.py mutate --checks [PAGE]   # the book's reference solutions vs their learner checks

A *mutant* is the code with one small change: a comparison or operator flipped, a constant moved
by 1, an ``axis``/``keepdims``/``dtype``/``out`` keyword dropped, a condition negated, a
``return x`` made ``return None``, a statement deleted.  Each mutant runs against the tests that
cover its module, in a fresh process with a time limit (a mutant that hangs counts as killed by
the time limit; it never hangs the runner): first the fast unit tests, then, for the mutants that
survive them, the book's doctests.  A mutant no test notices is a gap in the tests, unless it
changes no behaviour at all: those are listed, each with a one-line reason, in
``tests/mutation_equivalents.toml`` and left out of the score.

Why a mutator of our own rather than mutmut or cosmic-ray: many of the library's functions are
closures built at import time (``wrap_forward_fn(np.log)`` in functions.py) and methods attached
to ``Tensor`` after the class is made; mutmut's trampolines cannot switch those on, and it skips
module-level code and decorated functions.  Here each mutant is a whole module compiled from a
changed syntax tree and imported in place of the real one (an import hook in the worker
process), so every line of the module, import-time code included, can be mutated.  Python's own
``ast`` module does the parsing, so nothing is added to the toolchain.

Not part of the README's test command (a full run takes tens of minutes); CONTRIBUTING says
when to run it.  Run it under ``nice`` on a shared machine; ``--jobs`` runs mutants in parallel.
"""

from __future__ import annotations

import argparse
import ast
import copy
import doctest
import importlib.abc
import importlib.util
import io
import json
import os
import re
import signal
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EQUIVALENTS = ROOT / "tests" / "mutation_equivalents.toml"

#: The modules mutated when none is named, and the unit tests that cover each (its own test file
#: first: most mutants die there, and ``-x`` stops at the first failure).
CORE_MODULES = ["broadcasting", "graph", "backward", "tensor", "nn/functional", "optim"]
UNIT_TESTS = {
    "broadcasting": ["test_broadcasting", "test_backward", "test_functions"],
    "graph": ["test_graph", "test_tensor"],
    "backward": ["test_backward", "test_functions", "test_tensor", "test_engine_vs_autograd"],
    "tensor": ["test_tensor", "test_functions", "test_backward", "test_engine_vs_autograd"],
    "functions": ["test_functions", "test_tensor", "test_backward", "test_engine_vs_autograd"],
    "nn/functional": ["test_functional", "test_nn"],
    "nn/__init__": ["test_nn", "test_functional"],
    "nn/modules": ["test_nn", "test_functional"],
    "optim": ["test_optim", "test_nn"],
}
#: Where the book's doctests are: every module's docstrings and every page.
DOCTEST_PATHS = ["autograd_lite", "docs"]

#: Keywords whose absence changes a numpy call's meaning but rarely its success.
DROPPED_KEYWORDS = {"axis", "keepdims", "dtype", "out", "dim", "keepdim", "copy", "where", "initial"}

_COMPARE_SWAPS = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq, ast.NotEq: ast.Eq, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
    ast.In: ast.NotIn, ast.NotIn: ast.In,
}
_BINOP_SWAPS = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div, ast.Mod: ast.FloorDiv, ast.Pow: ast.Mult, ast.MatMult: ast.Mult,
    ast.BitAnd: ast.BitOr, ast.BitOr: ast.BitAnd,
}
_NEGATABLE = (ast.Eq, ast.NotEq, ast.Is, ast.IsNot, ast.In, ast.NotIn)
_NO_DELETE = (ast.Return, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom,
              ast.Global, ast.Nonlocal, ast.Pass)


# --------------------------------------------------------------------------- mutants


@dataclass(frozen=True)
class Mutant:
    """One change to one file: where it is, and what it does, in words that survive line shifts."""

    path: str  # the file, relative to the project (``autograd_lite/tensor.py``)
    index: int  # its position in the file's list of mutants (for the worker)
    line: int
    function: str  # the enclosing function's qualified name, ``<module>`` at top level
    change: str  # e.g. "`a < b` -> `a <= b`"; "(#2)" appended for a repeat in one function

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.path, self.function, self.change)

    def __str__(self) -> str:
        return f"{self.path}:{self.line}  {self.function}: {self.change}"


def _short(node: ast.AST, limit: int = 90) -> str:
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_docstring(statement: ast.stmt) -> bool:
    return (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str))


def _is_dunder_all(statement: ast.stmt) -> bool:
    targets = getattr(statement, "targets", None) or [getattr(statement, "target", None)]
    return any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets)


class _Mutator(ast.NodeTransformer):
    """Walks a module and lists every mutant; with ``target`` set, applies that one only.

    Both passes walk the tree in the same order, so mutant ``i`` of the listing is the ``i``-th
    change offered in the applying pass.
    """

    def __init__(self, target: int | None = None):
        self.target = target
        self.offers: list[tuple[int, str, str]] = []  # (line, function, change)
        self.applied = False
        self.scope: list[str] = []
        self.in_function = 0

    # -- bookkeeping

    def _offer(self, node: ast.AST, mutated: ast.AST, description: str | None = None):
        """Offer ``mutated`` in place of ``node``; return it if it is the target, else None."""
        if self.applied:
            return None
        change = description or f"`{_short(node)}` -> `{_short(mutated)}`"
        function = ".".join(self.scope) or "<module>"
        self.offers.append((getattr(node, "lineno", 0), function, change))
        if len(self.offers) - 1 == self.target:
            self.applied = True
            return ast.copy_location(mutated, node)
        return None

    def _first(self, node: ast.AST, candidates) -> ast.AST | None:
        for mutated, description in candidates:
            result = self._offer(node, mutated, description)
            if result is not None:
                return result
        return None

    # -- scopes, and what is never mutated

    def _visit_scope(self, node):
        self.scope.append(node.name)
        is_function = not isinstance(node, ast.ClassDef)
        self.in_function += is_function
        # Decorators, default values and annotations are not mutated; the body is.
        node.body = self._visit_body(node.body)
        self.in_function -= is_function
        self.scope.pop()
        return node

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _visit_scope

    def visit_Module(self, node):
        node.body = self._visit_body(node.body)
        return node

    def visit_JoinedStr(self, node):  # message text: not behaviour worth a mutant
        return node

    def visit_Raise(self, node):  # the exception's message likewise; deleting the raise is offered
        return node

    def visit_AnnAssign(self, node):
        if node.value is not None:
            node.value = self.visit(node.value)
        return node

    def _visit_body(self, body: list[ast.stmt]) -> list[ast.stmt]:
        new_body = []
        for i, statement in enumerate(body):
            if (i == 0 and _is_docstring(statement)) or _is_dunder_all(statement):
                new_body.append(statement)
                continue
            deletable = not isinstance(statement, _NO_DELETE) and (
                self.in_function or isinstance(statement, ast.Expr)
            )
            if deletable:
                first_line = _short(statement).split("\n")[0]
                if isinstance(statement, (ast.If, ast.For, ast.While, ast.With, ast.Try)):
                    first_line = ast.unparse(statement).split("\n")[0]
                    first_line = first_line if len(first_line) <= 90 else first_line[:87] + "..."
                replaced = self._offer(statement, ast.Pass(), f"delete `{first_line}`")
                if replaced is not None:
                    new_body.append(replaced)
                    continue
            result = self.visit(statement)
            if isinstance(result, list):
                new_body.extend(result)
            elif result is not None:
                new_body.append(result)
        return new_body

    def generic_visit(self, node):
        # Statement lists go through _visit_body (deletions); everything else as usual.
        for name, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                setattr(node, name, self._visit_body(value))
            elif isinstance(value, list):
                new = []
                for item in value:
                    if isinstance(item, ast.AST):
                        item = self.visit(item)
                        if item is None:
                            continue
                    new.append(item)
                setattr(node, name, new)
            elif isinstance(value, ast.AST):
                setattr(node, name, self.visit(value))
        return node

    # -- the mutations

    def visit_Compare(self, node):
        candidates = []
        for i, op in enumerate(node.ops):
            swap = _COMPARE_SWAPS.get(type(op))
            if swap is not None:
                mutated = copy.deepcopy(node)
                mutated.ops[i] = swap()
                candidates.append((mutated, None))
        return self._first(node, candidates) or self.generic_visit(node)

    def visit_BinOp(self, node):
        swap = _BINOP_SWAPS.get(type(node.op))
        candidates = []
        if swap is not None:
            mutated = copy.deepcopy(node)
            mutated.op = swap()
            candidates.append((mutated, None))
        return self._first(node, candidates) or self.generic_visit(node)

    def visit_AugAssign(self, node):
        swap = _BINOP_SWAPS.get(type(node.op))
        if swap is not None:
            mutated = copy.deepcopy(node)
            mutated.op = swap()
            result = self._offer(node, mutated)
            if result is not None:
                return result
        return self.generic_visit(node)

    def visit_BoolOp(self, node):
        mutated = copy.deepcopy(node)
        mutated.op = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        return self._first(node, [(mutated, None)]) or self.generic_visit(node)

    def visit_UnaryOp(self, node):
        operand = node.operand
        if isinstance(node.op, ast.USub) and isinstance(operand, ast.Constant) \
                and type(operand.value) in (int, float):  # a negative literal: -1 -> 0, -2
            value = -operand.value
            candidates = [(ast.Constant(value + 1), None), (ast.Constant(value - 1), None)]
            return self._first(node, candidates) or node
        if isinstance(node.op, (ast.Not, ast.USub)):
            result = self._offer(node, copy.deepcopy(node.operand))
            if result is not None:
                return result
        return self.generic_visit(node)

    def visit_Constant(self, node):
        value = node.value
        if isinstance(value, bool):
            return self._first(node, [(ast.Constant(not value), None)]) or node
        if isinstance(value, (int, float)):
            candidates = [(ast.Constant(value + 1), None), (ast.Constant(value - 1), None)]
            return self._first(node, candidates) or node
        return node

    def _negate(self, node, field_name: str):
        test = getattr(node, field_name)
        if (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)) or (
            isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], _NEGATABLE)
        ):
            return None  # the operator's own flip is this very mutant
        mutated = copy.deepcopy(node)
        negated = test.operand if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) \
            else ast.UnaryOp(ast.Not(), copy.deepcopy(test))
        setattr(mutated, field_name, negated)
        head = f"`{_short(test)}` -> `{_short(negated)}`"
        return self._offer(node, mutated, f"negate condition {head}")

    def visit_If(self, node):
        return self._negate(node, "test") or self.generic_visit(node)

    def visit_While(self, node):
        return self._negate(node, "test") or self.generic_visit(node)

    def visit_IfExp(self, node):
        return self._negate(node, "test") or self.generic_visit(node)

    def visit_Return(self, node):
        if node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            result = self._offer(node, ast.Return(ast.Constant(None)), f"`return {_short(node.value)}` -> `return None`")
            if result is not None:
                return result
        return self.generic_visit(node)

    def visit_Call(self, node):
        candidates = []
        for i, keyword in enumerate(node.keywords):
            if keyword.arg in DROPPED_KEYWORDS:
                mutated = copy.deepcopy(node)
                del mutated.keywords[i]
                candidates.append((mutated, f"drop `{keyword.arg}=` in `{_short(node)}`"))
        return self._first(node, candidates) or self.generic_visit(node)


def _number_repeats(offers: list[tuple[int, str, str]]) -> list[tuple[int, str, str]]:
    """Give the second and later identical (function, change) pairs a "(#n)" suffix."""
    seen: dict[tuple[str, str], int] = {}
    numbered = []
    for line, function, change in offers:
        n = seen[function, change] = seen.get((function, change), 0) + 1
        numbered.append((line, function, change if n == 1 else f"{change} (#{n})"))
    return numbered


def list_mutants(source: str, path: str) -> list[Mutant]:
    """Every mutant of ``source`` (the text of the file at ``path``), in a fixed order."""
    mutator = _Mutator()
    mutator.visit(ast.parse(source))
    return [Mutant(path, i, line, function, change)
            for i, (line, function, change) in enumerate(_number_repeats(mutator.offers))]


def mutated_tree(source: str, index: int) -> ast.Module:
    """The syntax tree of ``source`` with mutant ``index`` applied."""
    mutator = _Mutator(target=index)
    tree = mutator.visit(ast.parse(source))
    if not mutator.applied:
        raise IndexError(f"mutate: the source has {len(mutator.offers)} mutants, not {index + 1}")
    return ast.fix_missing_locations(tree)


# --------------------------------------------------------------------------- equivalents


@dataclass
class Equivalents:
    """The reviewed list of mutants that change no behaviour, keyed by (path, function, change)."""

    entries: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def reason(self, mutant: Mutant) -> str | None:
        return self.entries.get(mutant.key)

    def unused(self, mutants: list[Mutant], paths: set[str]) -> list[tuple[str, str, str]]:
        """Entries for the files mutated that match no mutant: stale, to be removed or rekeyed."""
        keys = {m.key for m in mutants}
        return [key for key in self.entries if key[0] in paths and key not in keys]


def load_equivalents(text: str, where: str = "mutation_equivalents.toml") -> Equivalents:
    """Parse the reviewed file: ``[[equivalent]]`` tables with path, function, change, reason."""
    data = tomllib.loads(text)
    unknown = set(data) - {"equivalent"}
    if unknown:
        raise ValueError(f"{where}: unknown top-level key(s) {sorted(unknown)}; expected only [[equivalent]] tables.")
    equivalents = Equivalents()
    for n, entry in enumerate(data.get("equivalent", []), start=1):
        missing = [k for k in ("path", "function", "change", "reason") if not str(entry.get(k, "")).strip()]
        if missing:
            raise ValueError(
                f"{where}: entry {n} ({entry!r}) lacks {', '.join(missing)}; every equivalent mutant "
                "needs path, function, change (as `dev.py mutate` prints them) and a one-line reason."
            )
        extra = set(entry) - {"path", "function", "change", "reason"}
        if extra:
            raise ValueError(f"{where}: entry {n} has unknown key(s) {sorted(extra)}.")
        key = (entry["path"], entry["function"], entry["change"])
        if key in equivalents.entries:
            raise ValueError(f"{where}: entry {n} repeats {key}.")
        equivalents.entries[key] = entry["reason"]
    return equivalents


# --------------------------------------------------------------------------- running one mutant


class _MutantFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports the module ``name`` from a mutated tree instead of its file."""

    def __init__(self, name: str, path: Path, tree: ast.Module):
        self.name, self.path, self.tree = name, path, tree

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        is_package = self.path.name == "__init__.py"
        spec = importlib.util.spec_from_file_location(
            fullname, self.path, loader=self,
            submodule_search_locations=[str(self.path.parent)] if is_package else None,
        )
        return spec

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        exec(compile(self.tree, str(self.path), "exec"), module.__dict__)


def module_name(path: str) -> str:
    name = path.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def _quiet_hypothesis() -> None:
    """Same examples every run, no example database written by mutants, no shrinking."""
    try:
        from hypothesis import Phase, settings
    except ImportError:
        return
    # No shrinking: a mutant is killed by the first failing example; shrinking it only costs time.
    settings.register_profile("mutate", database=None, derandomize=True, deadline=None, print_blob=False,
                              phases=(Phase.explicit, Phase.reuse, Phase.generate))
    settings.load_profile("mutate")


def _install_mutant(path: str, index: int) -> None:
    """Make ``import`` load mutant ``index`` of ``path`` instead of the file (in this process)."""
    file = ROOT / path
    tree = mutated_tree(file.read_text(), index)
    sys.meta_path.insert(0, _MutantFinder(module_name(path), file, tree))


def _pytest(args: list[str]) -> int:
    import pytest

    return int(pytest.main(args))


def _preload() -> None:
    """Import the heavy libraries the tests use once, before forking (never autograd_lite itself)."""
    sys.dont_write_bytecode = True
    _quiet_hypothesis()
    for name in ("numpy", "pytest", "hypothesis.strategies", "hypothesis.extra.numpy", "autograd",
                 "pytest_doctestplus.plugin", "_pytest.doctest"):
        try:
            __import__(name)
        except ImportError:
            pass


def _spawn(function) -> int:
    """Fork a child in its own process group that runs ``function()`` and exits with its result."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 3
    try:  # the child: never returns
        os.setsid()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        sys.stdout = sys.stderr = io.StringIO()
        result = function()
        code = 0 if result is True or result == 0 else 1
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def run_limited(tasks: list, jobs: int = 1, progress=None) -> list[str]:
    """Run each ``(function, seconds)`` in a forked child, ``jobs`` at a time, each with its limit.

    Returns "passed" (the function returned 0 or True), "failed" (anything else, an exception
    included) or "timeout" per task.  A child at its limit is killed with its whole process group,
    so a hanging mutant (or anything it started) cannot hang the runner.
    """
    results: list = [None] * len(tasks)
    running: dict[int, tuple[int, float]] = {}
    next_task = 0
    try:
        while next_task < len(tasks) or running:
            while next_task < len(tasks) and len(running) < max(1, jobs):
                function, seconds = tasks[next_task]
                running[_spawn(function)] = (next_task, time.monotonic() + seconds)
                next_task += 1
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid in running:
                i, _ = running.pop(pid)
                results[i] = "passed" if os.waitstatus_to_exitcode(status) == 0 else "failed"
                if progress:
                    progress(i, results[i])
                continue
            now = time.monotonic()
            for pid, (i, deadline) in list(running.items()):
                if now > deadline:
                    _kill_group(pid)
                    del running[pid]
                    results[i] = "timeout"
                    if progress:
                        progress(i, results[i])
            time.sleep(0.02)
    finally:
        for pid in running:
            _kill_group(pid)
    return results


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


#: Unit tests too slow to run on every mutant: they run, as part of the unit tests, only on the
#: mutants that survive the fast ones.
SLOW_TESTS = "million"


def _pytest_args(paths: list[str], keyword: str | None = None) -> list[str]:
    args = ["-x", "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "-m", "not browser"]
    if keyword:
        args += ["-k", keyword]
    return args + paths


def unit_test_paths(module: str) -> list[str]:
    names = UNIT_TESTS.get(module) or [f"test_{module.split('/')[-1]}"]
    paths = [f"tests/{name}.py" for name in names if (ROOT / "tests" / f"{name}.py").exists()]
    if not paths:
        raise SystemExit(f"mutate: no unit tests found for {module} (looked for {names} in tests/).")
    return paths


def module_path(module: str) -> str:
    module = module.removeprefix("autograd_lite/").removeprefix("autograd_lite.").replace(".", "/")
    module = module.removesuffix(".py")
    for candidate in (f"autograd_lite/{module}.py", f"autograd_lite/{module}/__init__.py"):
        if (ROOT / candidate).exists():
            return candidate
    raise SystemExit(f"mutate: no module {module!r} in autograd_lite/ (try e.g. tensor, nn/functional).")


# --------------------------------------------------------------------------- campaigns


@dataclass
class Outcome:
    mutant: Mutant
    status: str  # "killed-unit", "timeout-unit", "killed-doctest", "timeout-doctest", "survived", "equivalent"
    reason: str = ""


def _score(killed: int, counted: int) -> str:
    return f"{100.0 * killed / counted:.1f} %" if counted else "n/a"


def known_outcomes(mutants: list, equivalents: Equivalents, previous: dict) -> tuple[dict, list]:
    """The outcomes known without running a mutant (a reviewed equivalent, or killed by the unit
    tests in an earlier report, ``previous``: mutant key -> status), and the mutants left to run."""
    outcomes, to_run = {}, []
    for mutant in mutants:
        reason = equivalents.reason(mutant)
        if reason is not None:
            outcomes[mutant] = Outcome(mutant, "equivalent", reason)
        elif previous.get(mutant.key) in ("killed-unit", "timeout-unit"):
            outcomes[mutant] = Outcome(mutant, previous[mutant.key], "in the earlier report")
        else:
            to_run.append(mutant)
    return outcomes, to_run


def summarize(label: str, outcomes: list[Outcome], out=sys.stdout, doctests: bool = True,
              killer: str = "unit tests kill") -> dict:
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    equivalent = counts.get("equivalent", 0)
    counted = len(outcomes) - equivalent
    unit = counts.get("killed-unit", 0) + counts.get("timeout-unit", 0)
    doc = counts.get("killed-doctest", 0) + counts.get("timeout-doctest", 0)
    survivors = [o for o in outcomes if o.status == "survived"]
    line = (f"{label}: {len(outcomes)} mutants, {equivalent} equivalent, {counted} counted; "
            f"{killer} {unit} ({_score(unit, counted)}")
    timeouts = counts.get("timeout-unit", 0) + counts.get("timeout-doctest", 0)
    if doctests:
        line += f"), with doctests {unit + doc} ({_score(unit + doc, counted)}"
    line += f"); {len(survivors)} {'survive' if doctests or killer.startswith('unit') else 'accepted'}; " \
        f"{timeouts} stopped by the time limit"
    print(line, file=out, flush=True)
    for outcome in survivors:
        print(f"  {'ACCEPTED' if killer.startswith('the check') else 'SURVIVED'} {outcome.mutant}", file=out, flush=True)
    return {"label": label, "mutants": len(outcomes), "equivalent": equivalent, "counted": counted,
            "killed_unit": unit, "killed_doctest": doc, "survived": len(survivors), "timeouts": timeouts}


def _timed_baseline(args: list[str]) -> float:
    start = time.monotonic()
    [status] = run_limited([(lambda: _pytest(args), 3600.0)])
    if status != "passed":
        raise SystemExit(f"mutate: the unmutated tests do not pass (pytest {' '.join(args)}); fix them first.")
    return time.monotonic() - start


def _stage(mutants: list[Mutant], args: list[str], seconds: float, jobs: int, name: str) -> list[str]:
    """Run ``pytest args`` on each mutant; print a dot per mutant run."""

    def task(mutant):
        def run():
            _install_mutant(mutant.path, mutant.index)
            return _pytest(args)
        return run, seconds

    marks = {"passed": "s", "failed": ".", "timeout": "T"}
    print(f"  {name}: {len(mutants)} mutants ", end="", flush=True)
    results = run_limited([task(m) for m in mutants], jobs,
                          progress=lambda i, result: print(marks[result], end="", flush=True))
    print(flush=True)
    return results


def mutate_modules(modules: list[str], jobs: int, timeout: float | None, doctests: bool,
                   equivalents: Equivalents, select: str | None, report: Path | None,
                   previous: dict | None = None, skip_slow: bool = False) -> int:
    """Mutate each module and run its tests on every mutant; 1 if any mutant survives.

    ``previous`` maps mutant keys to their status in an earlier report: a mutant killed there is
    by the unit tests is not run again (valid while only tests were added since: more tests kill at
    least as much); the others (survivors, and those only the doctests killed) run again.
    """
    previous = previous or {}
    _preload()
    summaries, all_outcomes = [], []
    for module in modules:
        path = module_path(module)
        mutants = list_mutants((ROOT / path).read_text(), path)
        if select:
            mutants = [m for m in mutants if re.search(select, f"{m.function}: {m.change}")]
        paths = unit_test_paths(module)
        fast = _pytest_args(paths, f"not {SLOW_TESTS}")
        slow = _pytest_args(paths, SLOW_TESTS)
        docs = _pytest_args(DOCTEST_PATHS)
        fast_seconds = _timed_baseline(fast)
        print(f"{path}: {len(mutants)} mutants; unit tests: {' '.join(paths)} "
              f"({fast_seconds:.0f} s unmutated, slow ones '{SLOW_TESTS}' only for survivors)", flush=True)
        outcomes, to_run = known_outcomes(mutants, equivalents, previous)
        if previous:
            print(f"  {len(mutants) - len(to_run)} mutants killed by unit tests in the earlier report or equivalent; "
                  f"running the other {len(to_run)}", flush=True)
        stages = [("unit tests", fast, fast_seconds, "unit")]
        if not skip_slow and any(SLOW_TESTS in line for p in paths for line in (ROOT / p).read_text().splitlines()
                                 if line.startswith("def test_")):
            stages.append((f"slow unit tests ({SLOW_TESTS})", slow, None, "unit"))
        if doctests:
            stages.append(("doctests", docs, None, "doctest"))
        for name, args, seconds, kind in stages:
            if not to_run:
                break
            if seconds is None:
                seconds = _timed_baseline(args)
            limit = timeout or max(15.0, 3 * seconds + 5)
            results = _stage(to_run, args, limit, jobs, f"{name} (limit {limit:.0f} s)")
            survivors = []
            for mutant, result in zip(to_run, results):
                if result == "passed":
                    survivors.append(mutant)
                else:
                    outcomes[mutant] = Outcome(mutant, ("killed-" if result == "failed" else "timeout-") + kind)
            to_run = survivors
            for mutant in survivors:
                print(f"    passes {name}: {mutant}", flush=True)
        for mutant in to_run:
            outcomes[mutant] = Outcome(mutant, "survived")
        ordered = [outcomes[m] for m in mutants]
        summaries.append(summarize(path, ordered, doctests=doctests))
        all_outcomes += ordered
        for key in equivalents.unused(mutants, {path}) if not select else []:
            print(f"  note: equivalents entry matches no mutant now (stale?): {key}")
        _write_report(report, summaries, all_outcomes)  # after each module: a long run may be cut short
    if len(modules) > 1:
        print()
        for summary in summaries:
            print(f"  {summary['label']}: unit {_score(summary['killed_unit'], summary['counted'])}, "
                  f"with doctests {_score(summary['killed_unit'] + summary['killed_doctest'], summary['counted'])}")
        summarize("all modules", all_outcomes, doctests=doctests)
    return 1 if any(o.status == "survived" for o in all_outcomes) else 0


def _write_report(report: Path | None, summaries: list[dict], outcomes: list[Outcome]) -> None:
    if report is None:
        return
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps({
        "summaries": summaries,
        "mutants": [{"path": o.mutant.path, "line": o.mutant.line, "function": o.mutant.function,
                     "change": o.mutant.change, "status": o.status} for o in outcomes],
    }, indent=1))
    print(f"(report written to {report})", flush=True)


# --------------------------------------------------------------------------- learner checks


@dataclass
class Solution:
    """A reference solution from the book and the learner check that runs it."""

    page: str  # docs/04-unbroadcast.md, or docs/10-neural-network.ipynb
    line: int  # where the solution starts on the page (cell number for a notebook)
    prefix: list[str]  # the page's code before the solution, in order (one namespace)
    source: str  # the solution's definitions (what a learner writes)
    check: str  # the check call, e.g. "check_unbroadcast(unbroadcast)"

    @property
    def check_name(self) -> str:
        return re.findall(r"\b(check_\w+)\(", self.check)[0]

    @property
    def label(self) -> str:
        return f"{self.check_name} ({self.page})"


_SOLUTION_HEAD = re.compile(r'^(\s*)\?\?\?\+? success "Solution"')


def _split_solution(code: str) -> tuple[str, str] | None:
    """(definitions, check call) of a solution's code, or None if it has no check call."""
    tree = ast.parse(code)
    lines = code.splitlines()
    defs, check = [], None
    calls = []  # a demonstration call before the check: run with it, not mutated
    for statement in tree.body:
        text = "\n".join(lines[statement.lineno - 1: statement.end_lineno])
        if (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
                and isinstance(statement.value.func, ast.Name) and statement.value.func.id.startswith("check_")):
            check = text
        elif isinstance(statement, (ast.Expr, ast.Import, ast.ImportFrom)):
            calls.append(text)
        else:  # what the learner writes: functions, classes, assignments (an answer list)
            defs.append(text)
    return ("\n".join(defs), "\n".join(calls + [check])) if check and defs else None


def solutions_in_markdown(text: str, page: str) -> list[Solution]:
    """The reference solutions of a Markdown page: the pycon blocks in ``??? success "Solution"``."""
    parser = doctest.DocTestParser()
    lines = text.splitlines(keepends=True)
    # Mark each line inside a solution admonition.
    inside = [False] * len(lines)
    i = 0
    while i < len(lines):
        match = _SOLUTION_HEAD.match(lines[i])
        if match:
            indent = len(match.group(1))
            i += 1
            while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
                inside[i] = True
                i += 1
        else:
            i += 1
    # Examples in one block belong together: a def and its check are usually separate examples.
    return _merge_block_solutions(parser, text, inside, page)


def _examples(parser: doctest.DocTestParser, text: str) -> list[tuple[int, str]]:
    for flag in ("FLOAT_CMP", "REMOTE_DATA", "IGNORE_OUTPUT", "IGNORE_WARNINGS"):  # doctestplus's options
        doctest.register_optionflag(flag)
    return [(example.lineno, example.source) for example in parser.get_examples(text)]


def _merge_block_solutions(parser, text: str, inside: list[bool], page: str) -> list[Solution]:
    """Group consecutive solution examples until a check call: their defs are the solution.

    A further check call right after it (``check_multiply_back_float(...)`` after
    ``check_multiply_back(...)``) is run on the same solution.
    """
    solutions, prefix, pending, pending_line = [], [], [], None
    last_open = False  # whether the last solution can still take a further check call
    for line, source in _examples(parser, text):
        if not inside[line]:
            prefix.extend(pending)
            pending, pending_line, last_open = [], None, False
            prefix.append(source)
            continue
        if last_open and not pending and _only_check_calls(source):
            last = solutions[-1]
            last.check = last.check.rstrip("\n") + "\n" + source
            prefix.append(source)
            continue
        if pending_line is None:
            pending_line = line
        pending.append(source)
        split = _split_solution("".join(pending))
        if split is not None:
            solutions.append(Solution(page, pending_line + 1, list(prefix), *split))
            prefix.extend(pending)
            pending, pending_line, last_open = [], None, True
    prefix.extend(pending)
    return solutions


def _only_check_calls(code: str) -> bool:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return bool(tree.body) and all(
        isinstance(s, ast.Expr) and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Name)
        and s.value.func.id.startswith("check_") for s in tree.body
    )


def solutions_in_notebook(text: str, page: str) -> list[Solution]:
    """The reference solutions of a notebook: a hidden "#@title Solution ..." code cell, or a code cell
    right after a "Solution" markdown cell."""
    cells = json.loads(text)["cells"]
    solutions, prefix, after_solution_note = [], [], False
    for number, cell in enumerate(cells):
        source = "".join(cell["source"])
        # IPython's magics (%matplotlib inline, %xmode Minimal) are not Python: left out.
        source = "".join(line for line in source.splitlines(keepends=True) if not line.startswith(("%", "!")))
        if cell["cell_type"] != "code":
            after_solution_note = "<summary>Solution</summary>" in source or after_solution_note
            continue
        # A solution cell hidden until opened (Jupyter's source_hidden, Colab's form title line).
        hidden_solution = source.startswith("#@title Solution")
        if after_solution_note or hidden_solution:
            split = _split_solution(source)
            if split is not None:
                solutions.append(Solution(page, number, list(prefix), *split))
        after_solution_note = False
        prefix.append(source)
    return solutions


def book_solutions(pages: list[str] | None = None) -> list[Solution]:
    files = sorted((ROOT / "docs").glob("*.md")) + sorted((ROOT / "docs").glob("*.ipynb"))
    found = []
    for file in files:
        page = file.relative_to(ROOT).as_posix()
        if pages and not any(p in page for p in pages):
            continue
        reader = solutions_in_notebook if file.suffix == ".ipynb" else solutions_in_markdown
        found += reader(file.read_text(), page)
    return found


def _page_namespace(solution: Solution) -> dict:
    """The page's namespace just before the solution: every earlier snippet run, errors ignored."""
    namespace: dict = {"__name__": "__book__"}
    sink = io.StringIO()
    saved = sys.stdout
    sys.stdout = sink
    try:
        for source in solution.prefix:
            try:
                exec(compile(source, solution.page, "exec"), namespace)
            except BaseException:  # a traceback example, or a stub's check saying "not implemented"
                pass
    finally:
        sys.stdout = saved
    return namespace


def _check_task(solution: Solution, tree: ast.Module | None, namespace: dict):
    """A task for run_limited: define the (mutated) solution in a copy of the page's namespace and
    run its check; it passes when the check accepts the code."""

    def attempt() -> bool:
        names = dict(namespace)
        code = tree if tree is not None else ast.parse(solution.source)
        exec(compile(code, solution.page, "exec"), names)
        exec(compile(solution.check, solution.page, "exec"), names)
        return True

    return attempt


def mutate_checks(pages: list[str] | None, timeout: float, jobs: int, equivalents: Equivalents,
                  report: Path | None) -> int:
    sys.dont_write_bytecode = True
    os.environ.setdefault("MPLBACKEND", "Agg")  # the notebook draws: no window
    _quiet_hypothesis()
    solutions = book_solutions(pages)
    if not solutions:
        raise SystemExit(f"mutate --checks: no reference solutions found in docs/ for {pages}.")
    summaries, all_outcomes = [], []
    for solution in solutions:
        namespace = _page_namespace(solution)
        key_path = f"{solution.page}:{solution.check_name}"
        [baseline] = run_limited([(_check_task(solution, None, namespace), timeout)])
        if baseline != "passed":
            raise SystemExit(f"mutate --checks: the book's own solution fails {solution.label}: {baseline}.")
        mutants = list_mutants(solution.source, key_path)
        outcomes, to_run = known_outcomes(mutants, equivalents, {})
        tasks = [(_check_task(solution, mutated_tree(solution.source, m.index), namespace), timeout)
                 for m in to_run]
        status = {"failed": "killed-unit", "timeout": "timeout-unit", "passed": "survived"}
        for mutant, result in zip(to_run, run_limited(tasks, jobs)):
            outcomes[mutant] = Outcome(mutant, status[result])
        ordered = [outcomes[m] for m in mutants]
        summaries.append(summarize(solution.label, ordered, doctests=False, killer="the check rejects"))
        all_outcomes += ordered
        for key in equivalents.unused(mutants, {key_path}):
            print(f"  note: equivalents entry matches no mutant now (stale?): {key}")
    print()
    summarize("all checks", all_outcomes, doctests=False, killer="the checks reject")
    _write_report(report, summaries, all_outcomes)
    return 1 if any(o.status == "survived" for o in all_outcomes) else 0


# --------------------------------------------------------------------------- command line


def _stop(signum, frame):
    raise SystemExit(128 + signum)  # so run_limited's ``finally`` kills the running mutants


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGTERM, _stop)
    parser = argparse.ArgumentParser(prog="dev.py mutate", description=__doc__.split("\n\n")[0])
    parser.add_argument("modules", nargs="*", help=f"modules of autograd_lite (default: {' '.join(CORE_MODULES)}); "
                        "with --checks, pages of docs/ (default: all)")
    parser.add_argument("--checks", action="store_true", help="mutate the book's reference solutions instead")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run at once (default 1: a shared 2-core machine)")
    parser.add_argument("--timeout", type=float, default=None,
                        help="seconds per mutant (default: 3 x the unmutated run + 5 s, at least 15 s; 20 s for --checks)")
    parser.add_argument("--unit-only", action="store_true", help="skip the doctest stage for survivors")
    parser.add_argument("--skip-slow", action="store_true",
                        help=f"skip the slow unit tests (names with '{SLOW_TESTS}') for survivors")
    parser.add_argument("--select", help="only mutants whose 'function: change' matches this regex")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument("--report", type=Path, help="also write the outcomes as JSON to this file")
    parser.add_argument("--resume-from", type=Path, metavar="REPORT",
                        help="a report of an earlier run: only its survivors run again (valid when "
                        "only tests changed since)")
    args = parser.parse_args(argv)
    equivalents = load_equivalents(EQUIVALENTS.read_text(), EQUIVALENTS.name) if EQUIVALENTS.exists() else Equivalents()
    if args.checks:
        if args.list:
            for solution in book_solutions(args.modules or None):
                for mutant in list_mutants(solution.source, f"{solution.page}:{solution.check_name}"):
                    print(mutant)
            return 0
        return mutate_checks(args.modules or None, args.timeout or 20.0, args.jobs, equivalents, args.report)
    modules = args.modules or CORE_MODULES
    if args.list:
        for module in modules:
            path = module_path(module)
            for mutant in list_mutants((ROOT / path).read_text(), path):
                print(mutant)
        return 0
    previous = {}
    if args.resume_from:
        for entry in json.loads(args.resume_from.read_text())["mutants"]:
            previous[entry["path"], entry["function"], entry["change"]] = entry["status"]
    return mutate_modules(modules, args.jobs, args.timeout, not args.unit_only, equivalents,
                          args.select, args.report, previous, args.skip_slow)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
