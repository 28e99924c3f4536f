"""The site knows where it lives: built both ways, with and without its addresses.

mkdocs.yml reads ``repo_url``, ``edit_uri`` and ``site_url`` from the environment
(``AUTOGRAD_LITE_REPO_URL``, ``AUTOGRAD_LITE_EDIT_URI``, ``AUTOGRAD_LITE_SITE_URL``),
which the Pages workflow sets from the GitHub context.  This module builds the
real mkdocs.yml twice (strict), into temporary folders:

* with them (a made-up repository): every page links the repository, every
  chapter has "edit this page" and a Colab button for a notebook the site
  serves, the home page's clone and install commands name the real URL, and
  each notebook's set-up cell falls back to it; and, in Chromium, a page with
  the repository link makes no request to another host (Material's own link
  asks api.github.com for stars; ``overrides/partials/source.html`` does not);
* without them (a local build): none of those, no link to any repository, and
  the commands that need no URL.

In both, every relative link and asset of every page resolves to a file of the
build, no repository marker is left, and the footer names the library's version.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup

from autograd_lite import __version__
from hooks.notebooks import is_chapter
from hooks.repository import RepositoryBlockError, repository_blocks
from site_build import SITE, html_pages, page_of, wait_for_the_build

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REPO = "https://github.com/someone/autograd-book"
SITE_URL = "https://someone.github.io/autograd-book/"
URL_ENV = {
    "AUTOGRAD_LITE_REPO_URL": REPO,
    "AUTOGRAD_LITE_EDIT_URI": "edit/main/docs/",
    "AUTOGRAD_LITE_SITE_URL": SITE_URL,
}
CHAPTERS = sorted(p.name for p in (ROOT / "docs").glob("*.md") if is_chapter(p.name))
NOTEBOOK_PAGES = sorted(
    p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.ipynb")
    if ".ipynb_checkpoints" not in p.parts
)


@pytest.fixture(scope="module")
def builds(tmp_path_factory) -> dict[str, Path]:
    """site/ built with the addresses ("with") and without them ("without"), side by side.

    Without the addresses is how `python3 dev.py test` builds site/ (alongside the tests): when
    it did, that build is the one checked here instead of making the same again."""
    out = tmp_path_factory.mktemp("builds")
    base = {k: v for k, v in os.environ.items() if k not in URL_ENV}
    base["NO_MKDOCS_2_WARNING"] = "1"
    wanted = {"with": dict(base, **URL_ENV), "without": base}
    reuse_site = not any(k in os.environ for k in URL_ENV)
    runs = {}
    for name, env in wanted.items():
        if name == "without" and reuse_site and os.environ.get("AUTOGRAD_LITE_SITE_BUILD_STATUS"):
            continue
        log = open(out / f"{name}.log", "w")
        runs[name] = (subprocess.Popen(
            [str(BIN / "mkdocs"), "build", "--strict", "--site-dir", str(out / name)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        ), log)
    for name, (process, log) in runs.items():
        process.wait(timeout=900)
        log.close()
        if process.returncode != 0:
            pytest.fail(f"mkdocs build --strict ({name} the addresses) failed:\n"
                        + (out / f"{name}.log").read_text()[-4000:], pytrace=False)
    sites = {name: out / name for name in runs}
    if "without" not in sites:
        assert wait_for_the_build()
        sites["without"] = SITE
    return sites


@functools.cache  # each page parsed once for all the tests reading it (they only read)
def soup(site: Path, page: str) -> BeautifulSoup:
    return BeautifulSoup((site / page).read_text(encoding="utf-8"), "html.parser")


def links(page: BeautifulSoup) -> list[str]:
    return [a["href"] for a in page.find_all(href=True)] + [s["src"] for s in page.find_all(src=True)]


def hrefs_to(page: BeautifulSoup, prefix: str) -> list[str]:
    return [href for href in links(page) if href.startswith(prefix)]


def commands(page: BeautifulSoup) -> list[str]:
    """The code blocks of a page, as a reader copies them."""
    return [code.get_text() for code in page.select("pre code")]


def prose(page: BeautifulSoup) -> str:
    return " ".join(page.select_one("article").get_text(" ").split())


# ------------------------------------------------ the repository blocks (no build)

PAGE = """Intro.
<!-- with-repository -->
git clone {repo_url}.git
cd {repo_dir}
<!-- end-with-repository -->
<!-- without-repository -->
From your clone ({version}):
<!-- end-without-repository -->
A {placeholder} of the prose stays.
"""


def test_with_a_repository_its_block_is_kept_and_filled_in():
    assert repository_blocks(PAGE, "https://github.com/o/my-book/", "1.2.3") == (
        "Intro.\ngit clone https://github.com/o/my-book.git\ncd my-book\n"
        "A {placeholder} of the prose stays.\n"
    )


@pytest.mark.parametrize("repo_url", [None, ""])
def test_without_a_repository_the_other_block_is_kept(repo_url):
    assert repository_blocks(PAGE, repo_url, "1.2.3") == (
        "Intro.\nFrom your clone (1.2.3):\nA {placeholder} of the prose stays.\n"
    )


@pytest.mark.parametrize("broken", [
    PAGE.replace("<!-- end-with-repository -->\n", ""),
    PAGE.replace("<!-- end-without-repository -->", "<!-- end-with-repository -->"),
])
def test_a_marker_without_its_end_fails_the_build(broken):
    with pytest.raises(RepositoryBlockError, match=r"docs/x.md: line \d+: <!-- \w+-repository --> has no"):
        repository_blocks(broken, "https://github.com/o/r", "1.2.3", where="docs/x.md")


# --------------------------------------------------------------- with the URLs


def test_with_the_urls_every_page_links_the_repository(builds):
    site = builds["with"]
    for path in html_pages(site):
        page = soup(site, path.relative_to(site).as_posix())
        sources = page.select("a.md-source")
        assert sources and all(a["href"] == REPO for a in sources), f"{path.name}: repository link"
        # Material's own link has this attribute; its script then asks api.github.com for stars.
        assert not page.select('[data-md-component="source"]'), f"{path}: the repository widget calls out"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_with_the_urls_a_chapter_has_edit_and_colab_buttons(builds, chapter):
    site = builds["with"]
    page = soup(site, page_of(chapter))
    assert page.select_one('a[rel="edit"]')["href"] == f"{REPO}/edit/main/docs/{chapter}"
    notebook = chapter.replace(".md", ".ipynb")
    colab = hrefs_to(page, "https://colab.research.google.com/")
    assert colab == [f"https://colab.research.google.com/github/someone/autograd-book/blob/notebooks/{notebook}"]
    # The Pages workflow puts every served notebook, by its file name, on the notebooks branch.
    assert (site / Path(page_of(chapter)).parent / notebook).exists()


@pytest.mark.parametrize("src", NOTEBOOK_PAGES)
def test_with_the_urls_a_notebook_page_has_a_colab_button(builds, src):
    site = builds["with"]
    page = soup(site, page_of(src))
    name = src.rsplit("/", 1)[-1]
    assert hrefs_to(page, "https://colab.research.google.com/") == [
        f"https://colab.research.google.com/github/someone/autograd-book/blob/notebooks/{name}"
    ]
    assert (site / Path(page_of(src)).parent / name).exists()


def test_with_the_urls_the_home_page_commands_name_the_repository(builds):
    page = soup(builds["with"], "index.html")
    blocks = commands(page)
    assert f"git clone {REPO}.git\ncd autograd-book\npython3 dev.py serve\n" in blocks
    assert f'pip install "autograd_lite[book] @ git+{REPO}"\n' in blocks
    assert "pip install autograd_lite\n" in blocks and "python3 dev.py test\n" in blocks
    assert f"Until version {__version__} is on PyPI" in prose(page)
    assert "Colab button" in prose(page)
    assert page.select_one('link[rel="canonical"]')["href"] == SITE_URL


def test_with_the_urls_every_notebook_falls_back_to_the_repository(builds):
    notebooks = sorted(builds["with"].rglob("*.ipynb"))
    assert len(notebooks) == len(CHAPTERS) + len(NOTEBOOK_PAGES)
    for path in notebooks:
        cells = nbformat.read(path, as_version=4).cells
        first_code = next(c for c in cells if c.cell_type == "code")
        assert first_code.metadata["autograd_lite"]["setup"], path.name
        assert f'FROM_PYPI = "autograd_lite' in first_code.source
        assert f' @ git+{REPO}"' in first_code.source, path.name


# ------------------------------------------------------------ without the URLs


def test_without_the_urls_no_page_links_a_repository_or_colab(builds):
    site = builds["without"]
    for path in html_pages(site):
        page = soup(site, path.relative_to(site).as_posix())
        relative = path.relative_to(site).as_posix()
        assert not page.select("a.md-source"), f"{relative}: a repository link"
        assert not page.select('a[rel="edit"]'), f"{relative}: an edit link"
        for href in links(page):
            host = urlsplit(href).hostname or ""
            assert host not in {"github.com", "colab.research.google.com"}, f"{relative}: {href}"


def test_without_the_urls_the_home_page_commands_need_none(builds):
    page = soup(builds["without"], "index.html")
    text = prose(page)
    assert "git clone" not in text and "git+" not in text and "Colab" not in text
    assert "In your clone's folder, this serves the book" in text
    assert 'pip install -e ".[book]"' in text
    assert {"pip install autograd_lite\n", "python3 dev.py serve\n", "python3 dev.py test\n"} <= set(commands(page))


def test_without_the_urls_the_notebooks_say_how_to_install_from_a_clone(builds):
    notebooks = sorted(builds["without"].rglob("*.ipynb"))
    assert len(notebooks) == len(CHAPTERS) + len(NOTEBOOK_PAGES)
    for path in notebooks:
        first_code = next(c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code")
        assert "FROM_REPOSITORY" not in first_code.source and "git+" not in first_code.source
        assert "-m pip install -e" in first_code.source, path.name


# ------------------------------------------------------------------ both ways


@pytest.mark.parametrize("way", ["with", "without"])
def test_every_relative_link_resolves_and_no_marker_is_left(builds, way):
    site = builds[way]
    dead = []
    for path in html_pages(site):
        html = path.read_text(encoding="utf-8")
        relative = path.relative_to(site).as_posix()
        assert "-repository -->" not in html and "{repo_url}" not in html and "{repo_dir}" not in html, relative
        for link in links(soup(site, relative)):
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or not parts.path or link.startswith(("#", "mailto:")):
                continue
            if parts.path.startswith("/"):
                # 404.html links from the site's root: "/" locally, site_url's path when hosted.
                root = urlsplit(SITE_URL).path if way == "with" else "/"
                if not parts.path.startswith(root):
                    dead.append(f"{relative}: {link} (outside the site's root {root})")
                    continue
                target = (site / unquote(parts.path[len(root):])).resolve()
            else:
                target = (path.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                dead.append(f"{relative}: {link}")
    assert not dead, "links to nothing:\n" + "\n".join(dead[:20])


@pytest.mark.parametrize("way", ["with", "without"])
def test_the_footer_names_the_library_version(builds, way):
    for page in ["index.html", page_of(CHAPTERS[0])]:
        footer = soup(builds[way], page).select_one("[data-library-version]")
        assert footer is not None and footer.get_text(" ", strip=True) == (
            f"Built and tested with autograd_lite {__version__}"
        )


# ------------------------------------------------- in a browser, with the URLs

CHROMIUM = Path(os.environ.get("AUTOGRAD_LITE_CHROMIUM", "/usr/bin/chromium"))


@pytest.mark.browser
def test_with_the_repository_link_a_page_makes_no_request_to_another_host(builds):
    if not CHROMIUM.exists():
        message = f"NOT RUN: no Chromium at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " In CI (CI=true) a missing browser is a failure.", pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(builds["with"]))
    )
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    refused: list[str] = []
    links: list[str | None] = []

    def route(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    def visit():
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--disable-component-update", "--disable-sync", "--no-first-run"],
            )
            page = browser.new_page()
            page.route("**/*", route)
            for path in ["", page_of(CHAPTERS[0]).removesuffix("index.html")]:
                page.goto(f"http://127.0.0.1:{httpd.server_port}/{path}", wait_until="networkidle")
                links.append(page.locator("a.md-source").first.get_attribute("href"))
            page.wait_for_timeout(500)
            browser.close()

    # Its own thread: the browser suite may hold a sync playwright (and its event loop) open
    # in this one for the whole session, and a second one cannot start beside it there.
    errors: list[BaseException] = []
    thread = threading.Thread(target=lambda: _record_errors(visit, errors))
    try:
        thread.start()
        thread.join(timeout=300)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert not thread.is_alive(), "the browser did not finish in 5 minutes"
    if errors:
        raise errors[0]
    assert links == [REPO, REPO]
    assert not refused, f"requests to other hosts: {refused}"


def _record_errors(function, errors: list[BaseException]) -> None:
    try:
        function()
    except BaseException as error:  # handed to the test's thread, which raises it
        errors.append(error)
