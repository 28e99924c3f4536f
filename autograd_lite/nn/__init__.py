"""autograd_lite.nn: layers (``nn.modules``) and losses (``nn.functional``), named as in ``torch.nn``.

Explained in the book's chapter 10 (Training a neural network).  The layers
live in :mod:`autograd_lite.nn.modules` and are importable from here; the
losses are ``nn.functional``, reachable as an attribute as in PyTorch:

>>> import numpy as np
>>> import autograd_lite.nn as nn
>>> from autograd_lite import Tensor
>>> model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.ReLU(), nn.Linear(3, 2, rng=1))
>>> loss = nn.functional.cross_entropy(model(Tensor([[1.0, -1.0]])), np.array([1]))
>>> loss.shape
()
"""

from . import functional
from .modules import (
    MLP,
    IncompatibleKeys,
    Linear,
    Module,
    ModuleDict,
    ModuleList,
    Parameter,
    ReLU,
    Sequential,
)

__all__ = [
    "Parameter",
    "Module",
    "IncompatibleKeys",
    "Linear",
    "ReLU",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "MLP",
    "functional",
]
