"""Prove the browser suite's guard: without Chromium it says it did not run, and in CI it fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_browser_test_without_chromium(ci: bool) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["AUTOGRAD_LITE_CHROMIUM"] = str(ROOT / "no-such-chromium")
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rs", "-q",
         "tests/test_site_browser.py::test_dark_theme_toggles"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )


def test_without_chromium_a_reader_is_told_the_browser_tests_did_not_run():
    result = run_browser_test_without_chromium(ci=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "browser tests NOT RUN: no Chromium at" in result.stdout


def test_without_chromium_ci_fails():
    result = run_browser_test_without_chromium(ci=True)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "In CI (CI=true) a missing browser is a failure." in result.stdout
