#!/usr/bin/env python3
"""Set up the pinned toolchain in .venv/ and serve or test the book.

    python3 dev.py serve    # the book at http://127.0.0.1:8000/
    python3 dev.py test     # strict site build and every test and doctest, on every core
                            # (page screenshots in test-artifacts/screenshots/)
    python3 dev.py exercises  # after editing an exercise on a page: regenerate
                              # autograd_lite/_exercises.py, the workbook's data
    python3 dev.py mutate [MODULE ...]  # mutation testing (scripts/mutate.py; --help for more)
    python3 dev.py update-doctest-outputs [PATH ...]
                            # rewrite expected doctest outputs from a real run (default: docs/
                            # and autograd_lite/); review the diff, never part of `test`

Needs only Python 3.11+ with pip and venv.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements" / "dev.txt"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def run(*args: str | Path, check: bool = True, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=check, cwd=ROOT, **kwargs)


def setup() -> None:
    """Create .venv and install the locked toolchain, skipping work already done."""
    if sys.version_info < (3, 11):
        sys.exit(f"autograd_lite needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not (BIN / "python").exists():
        run(sys.executable, "-m", "venv", VENV)
    stamp = VENV / ".autograd_lite-installed"
    digest = hashlib.sha256(LOCK.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "--quiet", "-r", LOCK)
    run(BIN / "python", "-m", "pip", "install", "--quiet", "--no-deps", "-e", ROOT)
    stamp.write_text(digest)


def main(argv: list[str]) -> int:
    if len(argv) < 1 or argv[0] not in {"serve", "test", "setup", "exercises", "mutate", "update-doctest-outputs"}:
        print(__doc__)
        return 2
    command, extra = argv[0], argv[1:]
    setup()
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    if command == "serve":
        run(BIN / "mkdocs", "serve", *extra, env=env)
    elif command == "exercises":
        run(BIN / "python", "-m", "hooks.exercises", *extra)
    elif command == "test":
        return test(extra, env)
    elif command == "mutate":
        run(BIN / "python", ROOT / "scripts" / "mutate.py", *extra, env=env)
    elif command == "update-doctest-outputs":
        update_doctest_outputs(extra, env)
    return 0


def test(extra: list[str], env: dict[str, str]) -> int:
    """The strict site build and every test, on every core, the build running alongside.

    pytest-xdist runs the tests in one worker process per core; conftest.py hands them out
    longest first and the browser tests last.  While the workers run the tests that need no
    site, `mkdocs build --strict` builds it; when it ends, its outcome is written to a file the
    browser tests wait for (tests/site_build.py).  A failed build fails the run."""
    artifacts = ROOT / "test-artifacts"
    # The browser tests save a screenshot of every page here, for a person to look at.
    screenshots = artifacts / "screenshots"
    shutil.rmtree(screenshots, ignore_errors=True)
    screenshots.mkdir(parents=True)
    env["AUTOGRAD_LITE_SCREENSHOTS"] = str(screenshots)
    status, log = artifacts / "site-build.json", artifacts / "mkdocs-build.log"
    status.unlink(missing_ok=True)
    env["AUTOGRAD_LITE_SITE_BUILD_STATUS"] = str(status)
    print("+ mkdocs build --strict  (alongside pytest; output in test-artifacts/mkdocs-build.log)", flush=True)
    with open(log, "w", encoding="utf-8") as out:
        build = subprocess.Popen([str(BIN / "mkdocs"), "build", "--strict"], cwd=ROOT, env=env,
                                 stdout=out, stderr=subprocess.STDOUT)

    def record_the_outcome() -> None:
        code = build.wait()
        outcome = {"returncode": code, "log": str(log),
                   "tail": "\n".join(log.read_text(encoding="utf-8").splitlines()[-40:])}
        partial = status.with_suffix(".partial")
        partial.write_text(json.dumps(outcome), encoding="utf-8")
        partial.replace(status)  # whole or absent, never half written

    waiter = threading.Thread(target=record_the_outcome, daemon=True)
    waiter.start()
    # `-n 0` (or `-p no:xdist`) in the extra arguments runs everything in this one process.
    parallel = [] if any(arg.startswith(("-n", "--numprocesses", "--dist")) or arg == "no:xdist"
                         for arg in extra) else ["-n", "auto"]
    print("+", BIN / "python", "-m", "pytest", *parallel, *extra, flush=True)
    code = subprocess.run([str(BIN / "python"), "-m", "pytest", *parallel, *extra], cwd=ROOT, env=env).returncode
    waiter.join()
    if build.returncode != 0:
        print(log.read_text(encoding="utf-8"))
        print(f"mkdocs build --strict failed (exit code {build.returncode}).")
        return build.returncode
    print("mkdocs build --strict: " + log.read_text(encoding="utf-8").strip().splitlines()[-1].strip())
    return code


def update_doctest_outputs(paths: list[str], env: dict[str, str]) -> None:
    """Overwrite the expected output of every doctest that prints something else now.

    For a deliberate change of the library's output format: pytest-doctestplus runs the examples
    and writes what they really print into the pages and docstrings.  Then read `git diff`: every
    changed line must be a change you meant.  Never part of `test`, which must fail on a changed
    output instead of accepting it."""
    run(
        BIN / "python", "-m", "pytest", "-p", "no:cacheprovider", "-q",
        "--doctest-plus-generate-diff=overwrite", *(paths or ["docs", "autograd_lite"]),
        env=env, check=False,
    )
    print("Expected outputs rewritten. Review every change: git diff -- docs autograd_lite")


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode or 1)
    except KeyboardInterrupt:
        sys.exit(130)
