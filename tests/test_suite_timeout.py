"""The suite's per-test time limit (pytest-timeout): a hanging test fails with a traceback.

Without it a test that never returns (a broken loop in the engine, found by mutation testing)
hangs CI until the job's own limit, with no word of which test it was.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_suite_has_a_per_test_time_limit():
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    # Generous for the slowest honest test (about 40 s on a loaded 2-core machine), far below
    # CI's 90 minutes.
    assert 120 <= options["timeout"] <= 600
    pins = (ROOT / "requirements" / "dev.txt").read_text().splitlines()
    assert any(line.startswith("pytest-timeout==") for line in pins)


def test_a_hanging_test_fails_with_a_traceback_and_the_others_still_run(tmp_path):
    (tmp_path / "test_hangs.py").write_text(textwrap.dedent("""
        import time

        def test_hangs():
            while True:
                time.sleep(0.05)

        def test_after_the_hang():
            assert 1 + 1 == 2
    """))
    start = time.monotonic()
    # The project's own configuration (-c pyproject.toml), with its limit shortened to 2 s.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path / "test_hangs.py"), "-c", str(ROOT / "pyproject.toml"),
         "--rootdir", str(tmp_path), "-p", "no:cacheprovider", "-o", "timeout=2", "-q"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 failed, 1 passed" in output, output
    assert "Timeout" in output and "time.sleep(0.05)" in output, output  # the traceback shows where
    assert time.monotonic() - start < 60
