"""autograd_lite: the library the autograd_lite book builds, one module per chapter."""

from .backward import exp_back, log_back, multiply_back0, multiply_back1
from .broadcasting import unbroadcast
from .by_hand import forward_and_back
from .draw import BroadcastPlan, broadcast_plan, broadcast_svg, graph_to_mermaid, to_mermaid
from .graph import CycleError, topological_sort
from .numerical import gradient_check, numerical_gradient

__all__ = [
    "BroadcastPlan",
    "CycleError",
    "broadcast_plan",
    "broadcast_svg",
    "exp_back",
    "forward_and_back",
    "gradient_check",
    "graph_to_mermaid",
    "log_back",
    "multiply_back0",
    "multiply_back1",
    "numerical_gradient",
    "to_mermaid",
    "topological_sort",
    "unbroadcast",
]
