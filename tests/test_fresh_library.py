"""hooks/fresh_library.py: `mkdocs serve` rebuilds with the library as it is on disk now."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_a_rebuild_imports_the_edited_library(tmp_path):
    """A module edited after the first import is read again once the hook has run."""
    package = tmp_path / "edited_lib"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "draw.py").write_text("VERSION = 1\n")
    script = f"""
import sys
sys.path.insert(0, {str(tmp_path)!r})
sys.path.insert(0, {str(ROOT)!r})
from hooks.fresh_library import forget_library, on_pre_build
import edited_lib.draw
assert edited_lib.draw.VERSION == 1
open({str(package / "draw.py")!r}, "w").write("VERSION = 2\\n")
import edited_lib.draw
assert edited_lib.draw.VERSION == 1, "without the hook the old module stays"
assert sorted(forget_library("edited_lib")) == ["edited_lib", "edited_lib.draw"]
import edited_lib.draw
assert edited_lib.draw.VERSION == 2, edited_lib.draw.VERSION
# The hook itself forgets the real library.
import autograd_lite.draw
on_pre_build(config=None)
assert not [name for name in sys.modules if name.startswith("autograd_lite")]
print("ok")
"""
    result = subprocess.run([sys.executable, "-B", "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr


def test_serve_watches_the_library_and_the_hooks():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    assert {"autograd_lite", "hooks", "benchmarks/results.md"} <= set(config["watch"])
    assert "hooks/fresh_library.py" in " ".join(config["hooks"])
