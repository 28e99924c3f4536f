"""The learner's checks: one per exercise, run on the reader's own code.

Each check prints one line when the function passes; otherwise it raises an
AssertionError that shows the inputs, the expected and the actual result, or a
NotImplementedError when the function is still the exercise's stub.
"""

from .part1 import *  # noqa: F401,F403
from .part1 import __all__ as _part1

__all__ = [*_part1]
