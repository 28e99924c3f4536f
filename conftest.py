"""Shared pytest set-up: count the doctest examples that ran, so the summary says so."""

from __future__ import annotations

_doctest_counts = {"examples": 0, "sources": 0, "pages": 0}


def pytest_collection_modifyitems(session, config, items):
    config._doctest_items = [item for item in items if hasattr(item, "dtest")]


def pytest_runtest_makereport(item, call):
    if call.when == "call" and call.excinfo is None and hasattr(item, "dtest"):
        _doctest_counts["examples"] += len(item.dtest.examples)
        if str(item.fspath).endswith(".md"):
            _doctest_counts["pages"] += 1
        else:
            _doctest_counts["sources"] += 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    items = getattr(config, "_doctest_items", [])
    if not items:
        return
    terminalreporter.write_sep("-", "doctests")
    terminalreporter.write_line(
        f"{_doctest_counts['examples']} doctest examples passed: "
        f"{_doctest_counts['pages']} Markdown pages and {_doctest_counts['sources']} docstrings "
        f"(of {len(items)} doctest items collected)"
    )
