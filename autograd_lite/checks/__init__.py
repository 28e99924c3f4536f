"""The learner's checks: one per exercise, run on the reader's own code.

Each check prints one line when the function passes; otherwise it raises an
AssertionError that shows the inputs, the expected and the actual result, or a
NotImplementedError when the function is still the exercise's stub.
"""

from .part1 import *  # noqa: F401,F403
from .engine import *  # noqa: F401,F403  (chapters 7-8)
from .part1 import __all__ as _part1
from .nn import check_cross_entropy, check_linear, check_sgd_step  # noqa: F401  (chapter 10)

__all__ = [*_part1]
