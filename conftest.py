"""Shared pytest set-up: count the doctest examples that ran, so the summary says so.

``python3 dev.py test`` runs the tests in parallel processes (pytest-xdist): each
worker counts what it ran and hands its counts to the main process when it ends
(``workeroutput``), which adds them up and prints the summaries once.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest

_doctest_counts = {"examples": 0, "sources": 0, "pages": 0}
_collected = {"doctest items": 0}
# Under xdist: what each worker's browser report counted (tests/test_site_browser.py).
_browser_reports: list[dict] = []


# Modules that take long as a whole (a shared fixture that builds or executes something), run
# first so no worker is left with one at the end: the site built with its addresses, the wheel
# in a fresh venv, the executed notebooks.
_LONG_MODULES = ("tests/test_site_urls.py", "tests/test_package.py", "tests/test_training_notebook.py",
                 "tests/test_notebooks.py")


def pytest_collection_modifyitems(session, config, items):
    """Run order, for the parallel workers: the long modules first, then the tests that need no
    site, then the browser tests (dev.py builds the site meanwhile), the heaviest pages first."""

    def weight(item) -> tuple[int, float]:
        path = item.nodeid.split("::")[0]
        if path in _LONG_MODULES:
            return (0, float(_LONG_MODULES.index(path)))
        if item.get_closest_marker("browser") is None:
            return (1, 0.0)
        relative = getattr(item, "callspec", None) and item.callspec.params.get("relative")
        # A page's cost grows with its source: the print version (every chapter) first.
        return (2, -_page_source_size(relative) if relative else 0.0)

    items.sort(key=weight)  # stable: the order within each group stays as collected


def _page_source_size(relative: str) -> float:
    root = Path(__file__).resolve().parent
    if relative.startswith("print_page"):
        return float("inf")
    stem = relative.removesuffix("index.html").strip("/") or "index"
    for candidate in (f"{stem}.md", f"{stem}/index.md", f"{stem}.ipynb"):
        if (root / "docs" / candidate).exists():
            text = (root / "docs" / candidate).read_text(encoding="utf-8")
            # An API page is its module's docstrings: count those.
            module = re.search(r"^::: autograd_lite\.([\w.]+)", text, re.M)
            if module:
                source = root / "autograd_lite" / (module[1].replace(".", "/") + ".py")
                if not source.exists():
                    source = source.with_suffix("") / "__init__.py"
                if source.exists():
                    return float(len(text) + source.stat().st_size)
            return float(len(text))
    return 0.0


def pytest_collection_finish(session):
    # After -m / -k deselection: only the doctests this run will really run.
    session.config._doctest_items = [item for item in session.items if hasattr(item, "dtest")]
    _collected["doctest items"] = len(session.config._doctest_items)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """xdist: hand out tests one by one, except that the tests of a module with a module-scoped
    fixture (an executed notebook, say) all go to one worker, so the fixture runs once."""
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerPerSharedFixture(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::")[0]
            return module if module in _modules_sharing_a_fixture() else nodeid

    return OneWorkerPerSharedFixture(config, log)


@functools.cache
def _modules_sharing_a_fixture() -> frozenset[str]:
    root = Path(__file__).resolve().parent
    return frozenset(
        path.relative_to(root).as_posix()
        for path in (root / "tests").glob("test_*.py")
        if re.search(r"@pytest\.fixture\(\s*scope=[\"'](module|class|package)", path.read_text(encoding="utf-8"))
    )


def pytest_runtest_makereport(item, call):
    if call.when == "call" and call.excinfo is None and hasattr(item, "dtest"):
        _doctest_counts["examples"] += len(item.dtest.examples)
        if str(item.fspath).endswith(".md"):
            _doctest_counts["pages"] += 1
        else:
            _doctest_counts["sources"] += 1


def pytest_sessionfinish(session):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: hand the counts to the main process
        workeroutput["doctest_counts"] = dict(_doctest_counts)
        workeroutput["doctest_items"] = _collected["doctest items"]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """xdist, in the main process: a worker ended; add up what it counted."""
    output = getattr(node, "workeroutput", {})
    for key, n in output.get("doctest_counts", {}).items():
        _doctest_counts[key] += n
    # Every worker collects every test, so each reports the same number of doctest items.
    _collected["doctest items"] = max(_collected["doctest items"], output.get("doctest_items", 0))
    if "browser_report" in output:
        _browser_reports.append(output["browser_report"])


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if _browser_reports:
        from test_site_browser import BrowserReport  # tests/ is on sys.path (tests/conftest.py)

        BrowserReport.merged(_browser_reports).pytest_terminal_summary(terminalreporter)
    if not _collected["doctest items"]:
        return
    terminalreporter.write_sep("-", "doctests")
    terminalreporter.write_line(
        f"{_doctest_counts['examples']} doctest examples passed: "
        f"{_doctest_counts['pages']} Markdown pages and {_doctest_counts['sources']} docstrings "
        f"(of {_collected['doctest items']} doctest items collected)"
    )
