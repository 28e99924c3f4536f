"""The book's reference solutions, as written on the pages, for tests of the learner checks.

``book_solution(page, name)`` defines the solution of the exercise checked on ``page``
whose check takes ``name`` (``unbroadcast``, ``Linear``, ...) and returns that object.
It is found with the mutation runner's own reader (scripts/mutate.py), so the
tests run exactly the code the runner mutates.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

import autograd_lite
import autograd_lite.nn
import autograd_lite.optim

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import mutate  # noqa: E402


def book_solution(page: str, name: str):
    """The object ``name`` defined by the reference solution on ``page`` (e.g. "06-", "forward_and_back")."""
    namespace = {"np": np, "__name__": "__book__"}
    for module in (autograd_lite, autograd_lite.nn, autograd_lite.optim):
        namespace.update({key: getattr(module, key) for key in module.__all__})
    for solution in mutate.book_solutions([page]):
        if f"({name})" in solution.check:
            exec(compile(solution.source, solution.page, "exec"), namespace)
            return namespace[name]
    raise LookupError(f"no reference solution on a page matching {page!r} checks {name}")
