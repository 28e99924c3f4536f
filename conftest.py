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
