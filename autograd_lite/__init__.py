"""autograd_lite: the library the autograd_lite book builds, one module per chapter."""

from .backward import exp_back, log_back, multiply_back0, multiply_back1
from .broadcasting import unbroadcast
from .by_hand import forward_and_back
from .graph import CycleError, topological_sort
from .numerical import gradient_check, numerical_gradient

__all__ = [
    "CycleError",
    "exp_back",
    "forward_and_back",
    "gradient_check",
    "log_back",
    "multiply_back0",
    "multiply_back1",
    "numerical_gradient",
    "topological_sort",
    "unbroadcast",
]
