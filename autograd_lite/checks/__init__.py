"""The learner's checks: one per exercise, run on the reader's own code.

Each check prints one line when the function passes; otherwise it raises an
AssertionError that shows the inputs, the expected and the actual result, or a
NotImplementedError when the function is still the exercise's stub.

Every check also runs cases drawn at random (``seed=`` repeats a run), gives
each call a time limit (``time_limit=``, in seconds) and fails a function
that changes its inputs in place: see ``common``.

``part1`` holds the checks of chapters 1-6, ``engine`` those of chapters 7-9,
``nn`` those of chapter 10 and ``part4`` those of chapters 11-12; every one is
importable from ``autograd_lite.checks``.
"""

from . import engine, nn, part1, part4
from .engine import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .part1 import *  # noqa: F401,F403
from .part4 import *  # noqa: F401,F403

__all__ = [*part1.__all__, *engine.__all__, *nn.__all__, *part4.__all__]
