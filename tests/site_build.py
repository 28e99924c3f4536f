"""The site build the tests check: made by ``python3 dev.py test`` while the other tests run.

``dev.py test`` starts ``mkdocs build --strict`` and pytest at the same time, so the tests that
need no site run on every core while the site builds.  When the build ends, dev.py writes its
outcome to the file named by ``AUTOGRAD_LITE_SITE_BUILD_STATUS``; the tests that need ``site/``
(the browser tests, the local build of test_site_urls) wait here for that file.  Run by hand
(pytest alone), there is no such file to wait for: the tests check ``site/`` as it is, and the
browser tests refuse a build older than its sources.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "site"
# Longest wait for dev.py's build: it takes about 20 s on an idle 2-core machine.
BUILD_WAIT_SECONDS = 900


def page_of(source: str) -> str:
    """The built page (relative to site/) of a source in docs/, as mkdocs lays it out
    (use_directory_urls): ``x.md`` -> ``x/index.html``, ``d/index.md`` -> ``d/index.html``."""
    stem = source.rsplit(".", 1)[0]
    return "index.html" if stem == "index" else f"{stem.removesuffix('/index')}/index.html"


def html_pages(site: Path) -> list[Path]:
    """Every HTML page of a built site (404.html included), not the theme's assets."""
    return sorted(p for p in site.rglob("*.html") if "assets" not in p.relative_to(site).parts)


def wait_for_the_build() -> bool:
    """Wait for dev.py's build of site/, if one is running; fail the test if it failed.

    Returns True when site/ is the build dev.py just made, False when no build was started
    (pytest run by hand)."""
    status_file = os.environ.get("AUTOGRAD_LITE_SITE_BUILD_STATUS")
    if not status_file:
        return False
    status_path = Path(status_file)
    deadline = time.monotonic() + BUILD_WAIT_SECONDS
    while not status_path.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"mkdocs build --strict did not finish in {BUILD_WAIT_SECONDS} s "
                        f"(no {status_path})", pytrace=False)
        time.sleep(0.2)
    status = json.loads(status_path.read_text(encoding="utf-8"))
    if status["returncode"] != 0:
        pytest.fail(
            f"mkdocs build --strict failed (exit code {status['returncode']}), so there is no "
            f"site to test; its output is in {status['log']}:\n{status['tail']}",
            pytrace=False,
        )
    return True
