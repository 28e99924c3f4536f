"""The library as a package: what ``pip install autograd_lite`` gives a reader.

* ``python -m build`` makes the sdist and, from the sdist, the wheel (so a file
  missing from the sdist fails too); ``twine check --strict`` passes both (the
  README is the long description PyPI shows).
* The version has one source, ``autograd_lite.__version__``: the files are named
  with it and the wheel's metadata says it.
* The wheel, installed (not the source tree) in a fresh virtual environment,
  passes the library's docstring examples and the learner checks' own tests
  (``tests/test_checks*.py``): a module or subpackage missing from the wheel
  fails them, as a wheel stripped of its subpackages proves here.
* A notebook's set-up cell (``hooks.notebooks.setup_cell_source``), run in that
  environment before the library is there, installs this very wheel when pip
  finds it (``PIP_FIND_LINKS``, no index: no network), and says how to install
  from a clone when pip finds nothing.

With ``AUTOGRAD_LITE_DIST=<folder>`` (the release workflow) the files already
built there are tested instead of building new ones.  The fresh environment gets
numpy, pytest, pytest-doctestplus and hypothesis at the versions pinned in
requirements/dev.txt (from pip's cache, or PyPI).
"""

from __future__ import annotations

import email.parser
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

import autograd_lite
from hooks.notebooks import setup_cell_source

ROOT = Path(__file__).resolve().parents[1]
VERSION = autograd_lite.__version__
LOCK = ROOT / "requirements" / "dev.txt"
LEARNER_CHECK_TESTS = sorted((ROOT / "tests").glob("test_checks*.py"))
# What the learner checks' tests and the docstring examples need besides the library.
TEST_TOOLS = ["pytest", "pytest-doctestplus", "hypothesis", "numpy"]
# Every module whose docstrings hold examples (its path inside the package): each must run
# from the wheel.
MODULES_WITH_EXAMPLES = sorted(
    path.relative_to(ROOT / "autograd_lite").as_posix()
    for path in (ROOT / "autograd_lite").rglob("*.py")
    if ">>>" in path.read_text(encoding="utf-8")
)


def run(*args, check=True, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        pytest.fail(
            f"`{' '.join(map(str, args))}` exited {result.returncode}:\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )
    return result


# ------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """The built sdist and wheel (or those of $AUTOGRAD_LITE_DIST)."""
    given = os.environ.get("AUTOGRAD_LITE_DIST")
    if given:
        return (ROOT / given).resolve()
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=ROOT)
    return out


@pytest.fixture(scope="module")
def wheel(dist) -> Path:
    wheels = sorted(dist.glob("autograd_lite-*.whl"))
    assert len(wheels) == 1, f"one wheel expected in {dist}, found {[w.name for w in wheels]}"
    return wheels[0]


@pytest.fixture(scope="module")
def fresh_venv(tmp_path_factory) -> Path:
    """A new virtual environment with the test tools but without autograd_lite; its python."""
    where = tmp_path_factory.mktemp("venv") / "venv"
    venv.create(where, with_pip=True)
    python = where / ("Scripts" if os.name == "nt" else "bin") / "python"
    run(python, "-m", "pip", "install", "--quiet", "-c", LOCK, *TEST_TOOLS)
    return python


@pytest.fixture()
def installed(fresh_venv, wheel) -> Path:
    """The fresh environment with the wheel installed (reinstalled each time); its python."""
    run(fresh_venv, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--force-reinstall", wheel)
    return fresh_venv


def pytest_ini() -> str:
    """This project's pytest settings (doctest flags, warnings as errors), minus its paths."""
    options = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    lines = ["[pytest]"]
    for key, value in options.items():
        if key in {"testpaths", "addopts"}:
            continue
        if isinstance(value, list):
            lines.append(f"{key} =\n" + "\n".join(f"    {item}" for item in value))
        else:
            lines.append(f"{key} = {value}")
    return "\n".join(lines) + "\n"


def run_library_tests(python: Path, workdir: Path, extra_path: Path | None = None):
    """Docstring examples of the installed autograd_lite and the learner checks' tests.

    They run in ``workdir``, away from the source tree, so ``import autograd_lite``
    finds the installed package (or the one in ``extra_path``, put first on the path).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    for test in LEARNER_CHECK_TESTS:
        shutil.copy(test, workdir / test.name)
    (workdir / "pytest.ini").write_text(pytest_ini())
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if extra_path:
        env["PYTHONPATH"] = str(extra_path)
    where = run(python, "-c", "import autograd_lite; print(autograd_lite.__file__)",
                cwd=workdir, env=env, check=False)
    result = run(
        python, "-m", "pytest", "-p", "no:cacheprovider", "-v", "--doctest-plus",
        "--pyargs", "autograd_lite", *[t.name for t in LEARNER_CHECK_TESTS],
        cwd=workdir, env=env, check=False,
    )
    return where, result


# ----------------------------------------------------------------- the files


def test_build_makes_a_wheel_and_an_sdist_named_with_the_version(dist, wheel):
    assert wheel.name.startswith(f"autograd_lite-{VERSION}-py3-none-any")
    assert (dist / f"autograd_lite-{VERSION}.tar.gz").exists(), sorted(p.name for p in dist.iterdir())


def test_twine_check_strict_passes(dist):
    files = sorted(dist.glob("autograd_lite-*"))
    result = run(sys.executable, "-m", "twine", "check", "--strict", *files, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == len(files) == 2, result.stdout


def test_the_wheel_metadata_has_the_one_version_the_readme_and_the_extras(wheel):
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = email.parser.Parser().parsestr(archive.read(name).decode())
    assert metadata["Version"] == VERSION
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload().lstrip().startswith("# autograd_lite")
    assert metadata.get_all("Requires-Dist")[0] == "numpy>=2"
    assert "book" in metadata.get_all("Provides-Extra")
    book = [r for r in metadata.get_all("Requires-Dist") if 'extra == "book"' in r]
    assert {re.match(r"[\w-]+", r)[0] for r in book} == {"matplotlib", "scikit-learn"}


def test_the_wheel_and_the_sdist_carry_the_mit_licence_they_declare(dist, wheel):
    """pyproject.toml says MIT: the licence text travels with both, and the metadata names it."""
    licence = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert licence.startswith("MIT License"), licence[:80]
    with zipfile.ZipFile(wheel) as archive:
        metadata = email.parser.Parser().parsestr(
            archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode()
        )
        shipped = [n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert shipped, f"no LICENSE in the wheel: {archive.namelist()}"
        assert archive.read(shipped[0]).decode() == licence
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    with tarfile.open(dist / f"autograd_lite-{VERSION}.tar.gz") as sdist:
        assert f"autograd_lite-{VERSION}/LICENSE" in sdist.getnames()


# ---------------------------------------------------- the wheel, installed


def test_the_installed_wheel_passes_its_examples_and_the_learner_checks_tests(installed, tmp_path):
    where, result = run_library_tests(installed, tmp_path / "run")
    venv_root = installed.parent.parent
    assert Path(where.stdout.strip()).is_relative_to(venv_root), (
        f"autograd_lite was imported from {where.stdout.strip()!r}, not from the fresh environment "
        f"{venv_root}:\n{where.stderr}"
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for module in MODULES_WITH_EXAMPLES:
        # pytest names a docstring example of the installed package by its path inside it.
        assert re.search(rf"^{re.escape(module)}::autograd_lite\.\S+ PASSED", output, re.M), (
            f"no docstring example of autograd_lite/{module} ran from the wheel"
        )
    for test in LEARNER_CHECK_TESTS:
        assert re.search(rf"^{test.name}::\S+ PASSED", output, re.M), f"{test.name} did not run"
    assert "failed" not in output.splitlines()[-1]


def test_a_wheel_without_its_subpackages_fails(installed, wheel, tmp_path):
    """The mistake the wheel test exists to catch: packages = ["autograd_lite"] alone
    ships no ``checks`` and no ``nn``.  Such a wheel, first on the path, must fail."""
    broken = tmp_path / wheel.name
    with zipfile.ZipFile(wheel) as good, zipfile.ZipFile(broken, "w") as bad:
        for item in good.infolist():
            if not re.match(r"autograd_lite/(checks|nn)/", item.filename):
                bad.writestr(item, good.read(item.filename))
    target = tmp_path / "target"
    run(installed, "-m", "pip", "install", "--quiet", "--no-index", "--no-deps", "--target", target, broken)
    where, result = run_library_tests(installed, tmp_path / "run", extra_path=target)
    assert Path(where.stdout.strip()).is_relative_to(target) or "ModuleNotFoundError" in where.stderr
    assert result.returncode != 0
    assert "No module named 'autograd_lite.checks'" in result.stdout + result.stderr


# ------------------------------------------------ a notebook's set-up cell


def test_the_setup_cell_installs_the_wheel_where_the_library_is_missing(fresh_venv, dist, tmp_path):
    run(fresh_venv, "-m", "pip", "uninstall", "--quiet", "--yes", "autograd_lite")
    code = setup_cell_source(VERSION) + "\nimport autograd_lite\nprint(autograd_lite.__version__)\n"
    # pip finds the built wheel in dist/ and nothing else: no index, no network.
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(dist))
    result = run(fresh_venv, "-c", code, cwd=tmp_path, env=env, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [f"pip install autograd_lite=={VERSION}", VERSION]
    # Run again, the library is there: the cell does nothing at all.
    again = run(fresh_venv, "-c", setup_cell_source(VERSION), cwd=tmp_path, env=env)
    assert again.stdout == "" and again.stderr == ""


def test_the_setup_cell_says_how_to_install_from_a_clone_when_pip_finds_nothing(fresh_venv, tmp_path):
    run(fresh_venv, "-m", "pip", "uninstall", "--quiet", "--yes", "autograd_lite")
    empty = tmp_path / "empty"
    empty.mkdir()
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_FIND_LINKS=str(empty))
    result = run(fresh_venv, "-c", setup_cell_source(VERSION), cwd=tmp_path, env=env, check=False)
    assert result.returncode != 0
    assert f"pip install autograd_lite=={VERSION}" in result.stdout
    assert "ModuleNotFoundError: autograd_lite" in result.stderr
    assert f"{fresh_venv} -m pip install -e ." in result.stderr
