#!/usr/bin/env python3
"""Set up the pinned toolchain in .venv/ and serve or test the book.

    python3 dev.py serve    # the book at http://127.0.0.1:8000/
    python3 dev.py test     # strict site build and every test and doctest, in parallel
                            # (page screenshots in test-artifacts/screenshots/)
    python3 dev.py exercises  # after editing an exercise on a page: regenerate
                              # autograd_lite/_exercises.py, the workbook's data

Needs only Python 3.11+ with pip and venv.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
LOCK = ROOT / "requirements" / "dev.txt"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PARALLEL = ["-n", "auto"]  # pytest-xdist; `python3 dev.py test -n 0` runs in one process


def run(*args: str | Path, **kwargs) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def call(*args: str | Path, **kwargs) -> int:
    """Like run, but return the exit code instead of stopping on a failure."""
    print("+", " ".join(str(a) for a in args), flush=True)
    return subprocess.run([str(a) for a in args], cwd=ROOT, **kwargs).returncode


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
    if len(argv) < 1 or argv[0] not in {"serve", "test", "setup", "exercises"}:
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
        # The browser tests save a screenshot of every page here, for a person to look at.
        screenshots = ROOT / "test-artifacts" / "screenshots"
        shutil.rmtree(screenshots, ignore_errors=True)
        env["AUTOGRAD_LITE_SCREENSHOTS"] = str(screenshots)
        # Only the browser tests need the built site: the other tests run while it builds, in
        # parallel worker processes (pytest-xdist), and the browser tests run once it is built.
        # Tests sharing a module-scoped fixture stay on one worker (conftest.py's scheduler).
        print("+ mkdocs build --strict (its output follows once it is done)", flush=True)
        log = ROOT / "test-artifacts" / "mkdocs-build.log"
        log.parent.mkdir(exist_ok=True)
        with open(log, "w", encoding="utf-8") as out:
            build = subprocess.Popen([str(BIN / "mkdocs"), "build", "--strict"], cwd=ROOT, env=env,
                                     stdout=out, stderr=subprocess.STDOUT)
        pytest = [BIN / "python", "-m", "pytest", *PARALLEL]
        if "-m" in extra:  # the caller chose the tests by marker: build first, then run them
            build.wait()
            print(log.read_text(encoding="utf-8"), flush=True)
            if build.returncode:
                return build.returncode
            env["AUTOGRAD_LITE_SITE_BUILD"] = str((ROOT / "site" / "sitemap.xml").stat().st_mtime_ns)
            return call(*pytest, *extra, env=env)
        codes = [call(*pytest, "-m", "not browser", *extra, env=env)]
        built = build.wait()
        print(log.read_text(encoding="utf-8"), flush=True)
        if built != 0:
            print(f"mkdocs build --strict failed (exit code {built}): the browser tests did not run.")
            return built
        # Tells the browser tests that site/ is the build just made (not a stale one).
        env["AUTOGRAD_LITE_SITE_BUILD"] = str((ROOT / "site" / "sitemap.xml").stat().st_mtime_ns)
        codes.append(call(*pytest, "-m", "browser", *extra, env=env))
        # 5 means that part selected no test (a -k that matched only the other part).
        failed = [code for code in codes if code not in (0, 5)]
        return failed[0] if failed else (5 if codes == [5, 5] else 0)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode or 1)
    except KeyboardInterrupt:
        sys.exit(130)
