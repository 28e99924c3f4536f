"""mkdocs hook: every build imports ``autograd_lite`` afresh, so ``mkdocs serve`` shows library edits.

``mkdocs serve`` rebuilds in the same Python process when a watched file changes (mkdocs.yml's
``watch:`` lists the library and the hooks).  It reloads the hook files themselves, but a module
the hooks or mkdocstrings imported stays in ``sys.modules``: without this hook, a change to
``autograd_lite/draw.py`` would rebuild the site with the old pictures, and a docstring edit
would leave the API reference as it was.  Forgetting the library's modules before each build
makes the next ``import autograd_lite`` read the files again.  A one-off ``mkdocs build``
imports the library once anyway, so this changes nothing there.
"""

from __future__ import annotations

import sys

PACKAGE = "autograd_lite"


def forget_library(package: str = PACKAGE) -> list[str]:
    """Drop ``package`` and its submodules from ``sys.modules``; return the names dropped."""
    names = [name for name in sys.modules if name == package or name.startswith(package + ".")]
    for name in names:
        del sys.modules[name]
    return names


def on_pre_build(config, **kwargs) -> None:
    forget_library()
